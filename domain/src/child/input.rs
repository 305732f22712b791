//! What a client sends to register or change a child: a create or a merge patch.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::enums::{ChildStatus, Gender, LeftBehindType, SchoolStage, SchoolStatus};
use crate::fields::{Input, Patch, Unknown};

/// A create or a merge patch of a [`super::Child`]: each field as on the record,
/// left out, `null` or a value. The rules are in `Child::apply`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ChildInput {
    #[serde(skip_serializing_if = "Patch::is_absent")]
    pub name: Patch<String>,
    #[serde(skip_serializing_if = "Patch::is_absent")]
    pub gender: Patch<Gender>,
    #[serde(skip_serializing_if = "Patch::is_absent")]
    pub birth_date: Patch<NaiveDate>,
    #[serde(skip_serializing_if = "Patch::is_absent")]
    pub id_number: Patch<String>,
    #[serde(skip_serializing_if = "Patch::is_absent")]
    pub region_code: Patch<String>,
    #[serde(skip_serializing_if = "Patch::is_absent")]
    pub left_behind_type: Patch<LeftBehindType>,
    #[serde(skip_serializing_if = "Patch::is_absent")]
    pub school_stage: Patch<SchoolStage>,
    #[serde(skip_serializing_if = "Patch::is_absent")]
    pub school_name: Patch<String>,
    #[serde(skip_serializing_if = "Patch::is_absent")]
    pub grade: Patch<String>,
    #[serde(skip_serializing_if = "Patch::is_absent")]
    pub school_status: Patch<SchoolStatus>,
    #[serde(skip_serializing_if = "Patch::is_absent")]
    pub boarding: Patch<bool>,
    #[serde(skip_serializing_if = "Patch::is_absent")]
    pub health_notes: Patch<String>,
    #[serde(skip_serializing_if = "Patch::is_absent")]
    pub minimum_living_allowance: Patch<bool>,
    #[serde(skip_serializing_if = "Patch::is_absent")]
    pub special_hardship: Patch<bool>,
    #[serde(skip_serializing_if = "Patch::is_absent")]
    pub status: Patch<ChildStatus>,
    /// Fields sent that a child does not have.
    #[serde(flatten)]
    pub unknown: Unknown,
}

impl Input for ChildInput {
    fn take_unknown(&mut self) -> Unknown {
        std::mem::take(&mut self.unknown)
    }
}
