//! The `guardianships` table.

use sea_orm::entity::prelude::*;

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
