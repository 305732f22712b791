//! What a client sends to register or change a guardian: a create or a merge patch.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::enums::Gender;
use crate::fields::{Input, Patch, Unknown};

/// A create or a merge patch of a [`super::Guardian`]: each field as on the record,
/// left out, `null` or a value. The rules are in `Guardian::apply`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GuardianInput {
    #[serde(skip_serializing_if = "Patch::is_absent")]
    pub name: Patch<String>,
    #[serde(skip_serializing_if = "Patch::is_absent")]
    pub gender: Patch<Gender>,
    #[serde(skip_serializing_if = "Patch::is_absent")]
    pub phone: Patch<String>,
    #[serde(skip_serializing_if = "Patch::is_absent")]
    pub id_number: Patch<String>,
    #[serde(skip_serializing_if = "Patch::is_absent")]
    pub region_code: Patch<String>,
    #[serde(skip_serializing_if = "Patch::is_absent")]
    pub is_working_away: Patch<bool>,
    #[serde(skip_serializing_if = "Patch::is_absent")]
    pub work_location: Patch<String>,
    #[serde(skip_serializing_if = "Patch::is_absent")]
    pub working_away_since: Patch<NaiveDate>,
    #[serde(skip_serializing_if = "Patch::is_absent")]
    pub last_home_visit_on: Patch<NaiveDate>,
    #[serde(skip_serializing_if = "Patch::is_absent")]
    pub guardianship_capable: Patch<bool>,
    /// Fields sent that a guardian does not have.
    #[serde(flatten)]
    pub unknown: Unknown,
}

impl Input for GuardianInput {
    fn take_unknown(&mut self) -> Unknown {
        std::mem::take(&mut self.unknown)
    }
}
