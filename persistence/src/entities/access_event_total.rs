//! The `access_event_totals` table.

use sea_orm::entity::prelude::*;

/// A row of `access_event_totals`: how an export's entry of the read log ended.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "access_event_totals")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub event_id: Uuid,
    pub rows: i64,
    pub complete: bool,
}

/// No declared relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
