//! The `volunteers` table.

use sea_orm::entity::prelude::*;

/// A row of `volunteers`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "volunteers")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub version: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub name: String,
    pub phone: Option<String>,
    pub region_code: String,
    pub organization: Option<String>,
    pub category: String,
    pub skills: Option<String>,
    pub vetting_status: String,
    pub status: String,
    pub account_id: Option<Uuid>,
}

/// No declared relations: joins are written where they are needed.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
