//! A child's enrolment in a place of care: the `enrollments` table (its sea-orm entity) and its row mapping.

use shouhu_domain::Result;
use shouhu_domain::enrollment::Enrollment;
use shouhu_domain::enums::StrEnum;
use crate::mapping::{Mapped, meta, parse};
use sea_orm::entity::prelude::*;

impl Mapped for Enrollment {
    type Entity = crate::entities::enrollment::Entity;
    type Model = crate::entities::enrollment::Model;
    type Active = crate::entities::enrollment::ActiveModel;

    fn to_model(&self) -> Self::Model {
        crate::entities::enrollment::Model {
            id: self.meta.id,
            version: self.meta.version,
            created_at: self.meta.created_at,
            updated_at: self.meta.updated_at,
            care_center_id: self.care_center_id,
            child_id: self.child_id,
            region_code: self.region_code.clone(),
            kind: self.kind.as_str().to_owned(),
            since: self.since,
            until: self.until,
        }
    }

    fn from_model(m: Self::Model) -> Result<Self> {
        Ok(Self {
            meta: meta!(m),
            kind: parse("kind", &m.kind)?,
            care_center_id: m.care_center_id,
            child_id: m.child_id,
            region_code: m.region_code,
            since: m.since,
            until: m.until,
        })
    }
}


// The table.

/// A row of `enrollments`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "enrollments")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub version: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub care_center_id: Uuid,
    pub child_id: Uuid,
    pub region_code: String,
    pub kind: String,
    pub since: Date,
    pub until: Option<Date>,
}

/// No declared relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
