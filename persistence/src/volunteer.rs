//! A volunteer: its row mapping.

use shouhu_domain::Result;
use shouhu_domain::enums::StrEnum;
use shouhu_domain::volunteer::Volunteer;

use crate::entities::volunteer;
use crate::mapping::{Mapped, meta, parse};

impl Mapped for Volunteer {
    type Entity = volunteer::Entity;
    type Model = volunteer::Model;
    type Active = volunteer::ActiveModel;

    fn to_model(&self) -> volunteer::Model {
        volunteer::Model {
            id: self.meta.id,
            version: self.meta.version,
            created_at: self.meta.created_at,
            updated_at: self.meta.updated_at,
            name: self.name.clone(),
            phone: self.phone.clone(),
            region_code: self.region_code.clone(),
            organization: self.organization.clone(),
            category: self.category.as_str().to_owned(),
            skills: self.skills.clone(),
            vetting_status: self.vetting_status.as_str().to_owned(),
            status: self.status.as_str().to_owned(),
            account_id: self.account_id,
        }
    }

    fn from_model(m: volunteer::Model) -> Result<Self> {
        Ok(Self {
            meta: meta!(m),
            category: parse("category", &m.category)?,
            vetting_status: parse("vetting_status", &m.vetting_status)?,
            status: parse("status", &m.status)?,
            name: m.name,
            phone: m.phone,
            region_code: m.region_code,
            organization: m.organization,
            skills: m.skills,
            account_id: m.account_id,
        })
    }
}
