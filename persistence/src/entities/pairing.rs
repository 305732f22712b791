//! The `pairings` table.

use sea_orm::entity::prelude::*;

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
