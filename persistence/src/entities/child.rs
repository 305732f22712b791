//! The `children` table.

use sea_orm::entity::prelude::*;

/// A row of `children`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "children")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub version: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub name: String,
    pub gender: String,
    pub birth_date: Date,
    #[sea_orm(unique)]
    pub id_number: Option<String>,
    pub region_code: String,
    pub left_behind_type: String,
    pub school_stage: Option<String>,
    pub school_name: Option<String>,
    pub grade: Option<String>,
    pub school_status: Option<String>,
    pub boarding: bool,
    pub health_notes: Option<String>,
    pub minimum_living_allowance: bool,
    pub special_hardship: bool,
    pub status: String,
}

/// No declared relations: joins are written where they are needed.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
