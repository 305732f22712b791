//! A registration for a training session: the `attendance` table (its sea-orm entity) and its row mapping.

use shouhu_domain::Result;
use shouhu_domain::attendance::Attendance;
use shouhu_domain::enums::StrEnum;
use crate::mapping::{Mapped, meta, parse};
use sea_orm::entity::prelude::*;

impl Mapped for Attendance {
    type Entity = Entity;
    type Model = Model;
    type Active = ActiveModel;

    fn to_model(&self) -> Model {
        Model {
            id: self.meta.id,
            version: self.meta.version,
            created_at: self.meta.created_at,
            updated_at: self.meta.updated_at,
            training_session_id: self.training_session_id,
            region_code: self.region_code.clone(),
            attendee_kind: self.attendee_kind.as_str().to_owned(),
            attendee_id: self.attendee_id,
            checked_in_at: self.checked_in_at,
            cancelled_on: self.cancelled_on,
        }
    }

    fn from_model(m: Model) -> Result<Self> {
        Ok(Self {
            meta: meta!(m),
            attendee_kind: parse("attendee_kind", &m.attendee_kind)?,
            training_session_id: m.training_session_id,
            region_code: m.region_code,
            attendee_id: m.attendee_id,
            checked_in_at: m.checked_in_at,
            cancelled_on: m.cancelled_on,
        })
    }
}


// The table.

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
