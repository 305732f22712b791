//! The `visits` table.

use sea_orm::entity::prelude::*;

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
