//! A parent or caregiver: its row mapping.

use shouhu_domain::Result;
use shouhu_domain::enums::StrEnum;
use shouhu_domain::guardian::Guardian;

use crate::entities::guardian;
use crate::mapping::{Mapped, meta, name, parse, parse_opt};

impl Mapped for Guardian {
    type Entity = guardian::Entity;
    type Model = guardian::Model;
    type Active = guardian::ActiveModel;

    fn to_model(&self) -> guardian::Model {
        guardian::Model {
            id: self.meta.id,
            version: self.meta.version,
            created_at: self.meta.created_at,
            updated_at: self.meta.updated_at,
            name: self.name.clone(),
            gender: name(self.gender),
            phone: self.phone.clone(),
            id_number: self.id_number.clone(),
            region_code: self.region_code.clone(),
            is_working_away: self.is_working_away,
            work_location: self.work_location.clone(),
            working_away_since: self.working_away_since,
            last_home_visit_on: self.last_home_visit_on,
            guardianship_capable: self.guardianship_capable,
            status: self.status.as_str().to_owned(),
        }
    }

    fn from_model(m: guardian::Model) -> Result<Self> {
        Ok(Self {
            meta: meta!(m),
            gender: parse_opt("gender", m.gender)?,
            status: parse("status", &m.status)?,
            name: m.name,
            phone: m.phone,
            id_number: m.id_number,
            region_code: m.region_code,
            is_working_away: m.is_working_away,
            work_location: m.work_location,
            working_away_since: m.working_away_since,
            last_home_visit_on: m.last_home_visit_on,
            guardianship_capable: m.guardianship_capable,
        })
    }
}
