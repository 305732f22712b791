//! The `attendance` table.

use sea_orm::entity::prelude::*;

/// A row of `attendance`: a registration for a training session.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "attendance")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub version: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub training_session_id: Uuid,
    pub region_code: String,
    pub attendee_kind: String,
    pub attendee_id: Uuid,
    pub checked_in_at: Option<DateTimeUtc>,
    pub cancelled_on: Option<Date>,
}

/// No declared relations: joins are written where they are needed.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
