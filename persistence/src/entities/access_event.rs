//! The `access_events` table.

use sea_orm::entity::prelude::*;

/// A row of `access_events`: a response that carried unmasked personal data.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "access_events")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub seq: i64,
    #[sea_orm(unique)]
    pub id: Uuid,
    pub occurred_at: DateTimeUtc,
    pub actor: String,
    pub actor_role: String,
    pub request_id: String,
    pub client_request_id: Option<String>,
    pub channel: String,
    pub fields: Json,
    pub reason: String,
    pub scope: Option<String>,
}

/// No declared relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
