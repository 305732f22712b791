//! A child↔guardian link: the `guardianships` table (its sea-orm entity) and its row mapping.

use shouhu_domain::Result;
use shouhu_domain::enums::StrEnum;
use shouhu_domain::guardianship::Guardianship;
use crate::mapping::{Mapped, meta, parse};
use sea_orm::entity::prelude::*;

impl Mapped for Guardianship {
    type Entity = Entity;
    type Model = Model;
    type Active = ActiveModel;

    fn to_model(&self) -> Model {
        Model {
            id: self.meta.id,
            version: self.meta.version,
            created_at: self.meta.created_at,
            updated_at: self.meta.updated_at,
            child_id: self.child_id,
            guardian_id: self.guardian_id,
            region_code: self.region_code.clone(),
            relationship: self.relationship.as_str().to_owned(),
            is_primary_caregiver: self.is_primary_caregiver,
            lives_with_child: self.lives_with_child,
            agreement_signed_on: self.agreement_signed_on,
            ended_on: self.ended_on,
        }
    }

    fn from_model(m: Model) -> Result<Self> {
        Ok(Self {
            meta: meta!(m),
            relationship: parse("relationship", &m.relationship)?,
            child_id: m.child_id,
            guardian_id: m.guardian_id,
            region_code: m.region_code,
            is_primary_caregiver: m.is_primary_caregiver,
            lives_with_child: m.lives_with_child,
            agreement_signed_on: m.agreement_signed_on,
            ended_on: m.ended_on,
        })
    }
}


// The table.

/// A row of `guardianships`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "guardianships")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub version: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub child_id: Uuid,
    pub guardian_id: Uuid,
    pub region_code: String,
    pub relationship: String,
    pub is_primary_caregiver: bool,
    pub lives_with_child: bool,
    pub agreement_signed_on: Option<Date>,
    pub ended_on: Option<Date>,
}

/// No declared relations: joins are written where they are needed.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
