//! What a client sends to register or change a guardianship: a create or a merge patch.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::enums::Relationship;
use crate::fields::{Input, Patch, Unknown};

/// A create or a merge patch of a [`super::Guardianship`]: each field as on the record,
/// left out, `null` or a value. The rules are in `Guardianship::apply`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GuardianshipInput {
    #[serde(skip_serializing_if = "Patch::is_absent")]
    pub guardian_id: Patch<Uuid>,
    #[serde(skip_serializing_if = "Patch::is_absent")]
    pub relationship: Patch<Relationship>,
    #[serde(skip_serializing_if = "Patch::is_absent")]
    pub is_primary_caregiver: Patch<bool>,
    #[serde(skip_serializing_if = "Patch::is_absent")]
    pub lives_with_child: Patch<bool>,
    #[serde(skip_serializing_if = "Patch::is_absent")]
    pub agreement_signed_on: Patch<NaiveDate>,
    /// Fields sent that a guardianship does not have.
    #[serde(flatten)]
    pub unknown: Unknown,
}

impl Input for GuardianshipInput {
    fn take_unknown(&mut self) -> Unknown {
        std::mem::take(&mut self.unknown)
    }
}
