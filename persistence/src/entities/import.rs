//! The `imports` table.

use sea_orm::entity::prelude::*;

/// A row of `imports`: one census import, its file and where it stands.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "imports")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub subject: String,
    pub username: String,
    pub kind: String,
    pub dry_run: bool,
    pub on_error: String,
    pub status: String,
    pub file: Vec<u8>,
    pub file_name: Option<String>,
    pub rows_total: i64,
    pub rows_done: i64,
    pub counts: Option<String>,
    pub report: Option<String>,
    pub lease_owner: Option<String>,
    pub lease_until: Option<DateTimeUtc>,
    pub attempts: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

/// No declared relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
