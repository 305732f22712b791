//! A place of care: its row mapping.

use shouhu_domain::Result;
use shouhu_domain::care_center::CareCenter;
use shouhu_domain::enums::StrEnum;

use crate::entities::care_center;
use crate::mapping::{Mapped, meta, parse};

impl Mapped for CareCenter {
    type Entity = care_center::Entity;
    type Model = care_center::Model;
    type Active = care_center::ActiveModel;

    fn to_model(&self) -> care_center::Model {
        care_center::Model {
            id: self.meta.id,
            version: self.meta.version,
            created_at: self.meta.created_at,
            updated_at: self.meta.updated_at,
            name: self.name.clone(),
            kind: self.kind.as_str().to_owned(),
            region_code: self.region_code.clone(),
            address: self.address.clone(),
            capacity: self.capacity,
            facilities: self.facilities.clone(),
            status: self.status.as_str().to_owned(),
        }
    }

    fn from_model(m: care_center::Model) -> Result<Self> {
        Ok(Self {
            meta: meta!(m),
            kind: parse("kind", &m.kind)?,
            status: parse("status", &m.status)?,
            name: m.name,
            region_code: m.region_code,
            address: m.address,
            capacity: m.capacity,
            facilities: m.facilities,
        })
    }
}
