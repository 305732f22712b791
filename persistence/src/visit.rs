//! A follow-up visit or family contact: the `visits` table (its sea-orm entity) and its row mapping.

use shouhu_domain::Result;
use shouhu_domain::enums::StrEnum;
use shouhu_domain::visit::Visit;
use crate::mapping::{Mapped, meta, parse};
use sea_orm::entity::prelude::*;

impl Mapped for Visit {
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
            region_code: self.region_code.clone(),
            kind: self.kind.as_str().to_owned(),
            mode: self.mode.as_str().to_owned(),
            occurred_on: self.occurred_on,
            visitor: self.visitor.clone(),
            guardian_id: self.guardian_id,
            notes: self.notes.clone(),
            // Stored as a comma-separated list, so that a LIKE finds a concern.
            concerns: self.concerns.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(","),
            follow_up_needed: self.follow_up_needed,
            resolved_on: self.resolved_on,
            withdrawn_on: self.withdrawn_on,
            recorded_by: self.recorded_by.clone(),
        }
    }

    fn from_model(m: Model) -> Result<Self> {
        Ok(Self {
            meta: meta!(m),
            kind: parse("kind", &m.kind)?,
            mode: parse("mode", &m.mode)?,
            concerns: m
                .concerns
                .split(',')
                .filter(|c| !c.is_empty())
                .map(|c| parse("concerns", c))
                .collect::<Result<Vec<_>>>()?,
            child_id: m.child_id,
            region_code: m.region_code,
            occurred_on: m.occurred_on,
            visitor: m.visitor,
            guardian_id: m.guardian_id,
            notes: m.notes,
            follow_up_needed: m.follow_up_needed,
            resolved_on: m.resolved_on,
            withdrawn_on: m.withdrawn_on,
            recorded_by: m.recorded_by,
        })
    }
}


// The table.

/// A row of `visits`: a follow-up visit or a family contact.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "visits")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub version: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub child_id: Uuid,
    pub region_code: String,
    pub kind: String,
    pub mode: String,
    pub occurred_on: Date,
    pub visitor: Option<String>,
    pub guardian_id: Option<Uuid>,
    pub notes: Option<String>,
    pub concerns: String,
    pub follow_up_needed: bool,
    pub resolved_on: Option<Date>,
    pub withdrawn_on: Option<Date>,
    pub recorded_by: String,
}

/// No declared relations: joins are written where they are needed.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
