//! The `changes` table: the changes feed's rows, in the order they were
//! stored, and their positions once settled.

use sea_orm::entity::prelude::*;

/// A row of `changes`: a committed event, with what the feed filters on (the
/// kind, the region after and, for a move, before) and, once settled, its
/// place in the feed.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "changes")]
pub struct Model {
    /// The order rows were stored in; settling gives positions in this order.
    #[sea_orm(primary_key)]
    pub seq: i64,
    /// Its place in the feed; `None` until the row is settled.
    #[sea_orm(unique)]
    pub position: Option<i64>,
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
