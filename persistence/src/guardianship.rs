//! A child↔guardian link: its row mapping.

use shouhu_domain::Result;
use shouhu_domain::enums::StrEnum;
use shouhu_domain::guardianship::Guardianship;

use crate::entities::guardianship;
use crate::mapping::{Mapped, meta, parse};

impl Mapped for Guardianship {
    type Entity = guardianship::Entity;
    type Model = guardianship::Model;
    type Active = guardianship::ActiveModel;

    fn to_model(&self) -> guardianship::Model {
        guardianship::Model {
            id: self.meta.id,
            version: self.meta.version,
            created_at: self.meta.created_at,
            updated_at: self.meta.updated_at,
            child_id: self.child_id,
            guardian_id: self.guardian_id,
            region_code: self.region_code.clone(),
            relationship: self.relationship.as_str().to_owned(),
            is_primary_caregiver: self.is_primary_caregiver,
            lives_with_child: self.lives_with_child,
            agreement_signed_on: self.agreement_signed_on,
            ended_on: self.ended_on,
        }
    }

    fn from_model(m: guardianship::Model) -> Result<Self> {
        Ok(Self {
            meta: meta!(m),
            relationship: parse("relationship", &m.relationship)?,
            child_id: m.child_id,
            guardian_id: m.guardian_id,
            region_code: m.region_code,
            is_primary_caregiver: m.is_primary_caregiver,
            lives_with_child: m.lives_with_child,
            agreement_signed_on: m.agreement_signed_on,
            ended_on: m.ended_on,
        })
    }
}
