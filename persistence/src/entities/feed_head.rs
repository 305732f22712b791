//! The `feed_head` table: one row, the changes feed's last position.

use sea_orm::entity::prelude::*;

/// The one row of `feed_head` (`id` 1).
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "feed_head")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i32,
    /// The last position given to a change. Settling locks this row, gives
    /// the next positions and advances it in one transaction, so every
    /// position up to it is committed; writes never touch it.
    pub position: i64,
    /// Changes up to this position have been purged (retention).
    pub purged_through: i64,
}

/// No declared relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
