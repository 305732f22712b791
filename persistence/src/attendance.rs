//! A registration for a training session: its row mapping.

use shouhu_domain::Result;
use shouhu_domain::attendance::Attendance;
use shouhu_domain::enums::StrEnum;

use crate::entities::attendance;
use crate::mapping::{Mapped, meta, parse};

impl Mapped for Attendance {
    type Entity = attendance::Entity;
    type Model = attendance::Model;
    type Active = attendance::ActiveModel;

    fn to_model(&self) -> attendance::Model {
        attendance::Model {
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

    fn from_model(m: attendance::Model) -> Result<Self> {
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
