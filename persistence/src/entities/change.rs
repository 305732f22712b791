//! The `changes` table: the changes feed's positions.

use sea_orm::entity::prelude::*;

/// A row of `changes`: a committed event's place in the feed, with what the
/// feed filters on (the kind, the region after and, for a move, before).
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "changes")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub position: i64,
    #[sea_orm(unique)]
    pub event_id: Uuid,
    pub resource_kind: String,
    pub region_code: String,
    pub region_before: Option<String>,
    pub occurred_at: DateTimeUtc,
}

/// No declared relations: joins are written where they are needed.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
