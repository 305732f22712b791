//! The `webhook_subscriptions` table: who wants which changes pushed where,
//! how far they have been queued, and which replica serves it now.

use sea_orm::entity::prelude::*;

/// A row of `webhook_subscriptions`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "webhook_subscriptions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub owner_id: Uuid,
    pub url: String,
    /// A JSON array of strings.
    pub event_types: String,
    pub description: Option<String>,
    pub secret: String,
    pub status: String,
    pub disabled_reason: Option<String>,
    /// The feed position up to which deliveries have been queued.
    pub cursor: i64,
    pub dead_in_a_row: i32,
    /// The replica serving it, while `lease_until` is in the future.
    pub lease_owner: Option<String>,
    pub lease_until: Option<DateTimeUtc>,
    pub version: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

/// No declared relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
