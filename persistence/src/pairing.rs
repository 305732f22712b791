//! A volunteer↔child pairing: the `pairings` table (its sea-orm entity) and its row mapping.

use shouhu_domain::Result;
use shouhu_domain::enums::StrEnum;
use shouhu_domain::pairing::Pairing;
use crate::mapping::{Mapped, meta, parse};
use sea_orm::entity::prelude::*;

impl Mapped for Pairing {
    type Entity = Entity;
    type Model = Model;
    type Active = ActiveModel;

    fn to_model(&self) -> Model {
        Model {
            id: self.meta.id,
            version: self.meta.version,
            created_at: self.meta.created_at,
            updated_at: self.meta.updated_at,
            volunteer_id: self.volunteer_id,
            child_id: self.child_id,
            region_code: self.region_code.clone(),
            kind: self.kind.as_str().to_owned(),
            since: self.since,
            notes: self.notes.clone(),
            ended_on: self.ended_on,
        }
    }

    fn from_model(m: Model) -> Result<Self> {
        Ok(Self {
            meta: meta!(m),
            kind: parse("kind", &m.kind)?,
            volunteer_id: m.volunteer_id,
            child_id: m.child_id,
            region_code: m.region_code,
            since: m.since,
            notes: m.notes,
            ended_on: m.ended_on,
        })
    }
}


// The table.

/// A row of `pairings`: a volunteer↔child pairing.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "pairings")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub version: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub volunteer_id: Uuid,
    pub child_id: Uuid,
    pub region_code: String,
    pub kind: String,
    pub since: Date,
    pub notes: Option<String>,
    pub ended_on: Option<Date>,
}

/// No declared relations: joins are written where they are needed.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
