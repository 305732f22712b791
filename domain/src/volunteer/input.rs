//! What a client sends to register or change a volunteer: a create or a merge patch.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::enums::{VettingStatus, VolunteerCategory};
use crate::fields::{Input, Patch, Unknown};

/// A create or a merge patch of a [`super::Volunteer`]: each field as on the record,
/// left out, `null` or a value. The rules are in `Volunteer::apply`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct VolunteerInput {
    #[serde(skip_serializing_if = "Patch::is_absent")]
    pub name: Patch<String>,
    #[serde(skip_serializing_if = "Patch::is_absent")]
    pub phone: Patch<String>,
    #[serde(skip_serializing_if = "Patch::is_absent")]
    pub region_code: Patch<String>,
    #[serde(skip_serializing_if = "Patch::is_absent")]
    pub organization: Patch<String>,
    #[serde(skip_serializing_if = "Patch::is_absent")]
    pub category: Patch<VolunteerCategory>,
    #[serde(skip_serializing_if = "Patch::is_absent")]
    pub skills: Patch<String>,
    #[serde(skip_serializing_if = "Patch::is_absent")]
    pub account_id: Patch<Uuid>,
    #[serde(skip_serializing_if = "Patch::is_absent")]
    pub vetting_status: Patch<VettingStatus>,
    /// Fields sent that a volunteer does not have.
    #[serde(flatten)]
    pub unknown: Unknown,
}

impl Input for VolunteerInput {
    fn take_unknown(&mut self) -> Unknown {
        std::mem::take(&mut self.unknown)
    }
}
