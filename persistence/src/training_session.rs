//! A training session: the `training_sessions` table (its sea-orm entity) and its row mapping.

use shouhu_domain::Result;
use shouhu_domain::enums::StrEnum;
use shouhu_domain::training_session::TrainingSession;
use crate::mapping::{Mapped, meta, parse};
use sea_orm::entity::prelude::*;

impl Mapped for TrainingSession {
    type Entity = Entity;
    type Model = Model;
    type Active = ActiveModel;

    fn to_model(&self) -> Model {
        Model {
            id: self.meta.id,
            version: self.meta.version,
            created_at: self.meta.created_at,
            updated_at: self.meta.updated_at,
            title: self.title.clone(),
            kind: self.kind.as_str().to_owned(),
            region_code: self.region_code.clone(),
            starts_at: self.starts_at,
            ends_at: self.ends_at,
            capacity: self.capacity,
            venue: self.venue.clone(),
            status: self.status.as_str().to_owned(),
        }
    }

    fn from_model(m: Model) -> Result<Self> {
        Ok(Self {
            meta: meta!(m),
            kind: parse("kind", &m.kind)?,
            status: parse("status", &m.status)?,
            title: m.title,
            region_code: m.region_code,
            starts_at: m.starts_at,
            ends_at: m.ends_at,
            capacity: m.capacity,
            venue: m.venue,
        })
    }
}


// The table.

/// A row of `training_sessions`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "training_sessions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub version: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub title: String,
    pub kind: String,
    pub region_code: String,
    pub starts_at: DateTimeUtc,
    pub ends_at: Option<DateTimeUtc>,
    pub capacity: Option<i32>,
    pub venue: Option<String>,
    pub status: String,
}

/// No declared relations: joins are written where they are needed.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
