//! A training session: its row mapping.

use shouhu_domain::Result;
use shouhu_domain::enums::StrEnum;
use shouhu_domain::training_session::TrainingSession;

use crate::entities::training_session;
use crate::mapping::{Mapped, meta, parse};

impl Mapped for TrainingSession {
    type Entity = training_session::Entity;
    type Model = training_session::Model;
    type Active = training_session::ActiveModel;

    fn to_model(&self) -> training_session::Model {
        training_session::Model {
            id: self.meta.id,
            version: self.meta.version,
            created_at: self.meta.created_at,
            updated_at: self.meta.updated_at,
            title: self.title.clone(),
            kind: self.kind.as_str().to_owned(),
            region_code: self.region_code.clone(),
            starts_at: self.starts_at,
            ends_at: self.ends_at,
            capacity: self.capacity,
            venue: self.venue.clone(),
            status: self.status.as_str().to_owned(),
        }
    }

    fn from_model(m: training_session::Model) -> Result<Self> {
        Ok(Self {
            meta: meta!(m),
            kind: parse("kind", &m.kind)?,
            status: parse("status", &m.status)?,
            title: m.title,
            region_code: m.region_code,
            starts_at: m.starts_at,
            ends_at: m.ends_at,
            capacity: m.capacity,
            venue: m.venue,
        })
    }
}
