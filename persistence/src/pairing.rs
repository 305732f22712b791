//! A volunteer↔child pairing: its row mapping.

use shouhu_domain::Result;
use shouhu_domain::enums::StrEnum;
use shouhu_domain::pairing::Pairing;

use crate::entities::pairing;
use crate::mapping::{Mapped, meta, parse};

impl Mapped for Pairing {
    type Entity = pairing::Entity;
    type Model = pairing::Model;
    type Active = pairing::ActiveModel;

    fn to_model(&self) -> pairing::Model {
        pairing::Model {
            id: self.meta.id,
            version: self.meta.version,
            created_at: self.meta.created_at,
            updated_at: self.meta.updated_at,
            volunteer_id: self.volunteer_id,
            child_id: self.child_id,
            region_code: self.region_code.clone(),
            kind: self.kind.as_str().to_owned(),
            since: self.since,
            notes: self.notes.clone(),
            ended_on: self.ended_on,
        }
    }

    fn from_model(m: pairing::Model) -> Result<Self> {
        Ok(Self {
            meta: meta!(m),
            kind: parse("kind", &m.kind)?,
            volunteer_id: m.volunteer_id,
            child_id: m.child_id,
            region_code: m.region_code,
            since: m.since,
            notes: m.notes,
            ended_on: m.ended_on,
        })
    }
}
