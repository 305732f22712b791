//! What a client sends to register or change a visit: a create or a merge patch.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::enums::{Concern, VisitKind, VisitMode};
use crate::fields::{Input, Patch, Unknown};

/// A create or a merge patch of a [`super::Visit`]: each field as on the record,
/// left out, `null` or a value. The rules are in `Visit::apply`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct VisitInput {
    #[serde(skip_serializing_if = "Patch::is_absent")]
    pub kind: Patch<VisitKind>,
    #[serde(skip_serializing_if = "Patch::is_absent")]
    pub guardian_id: Patch<Uuid>,
    #[serde(skip_serializing_if = "Patch::is_absent")]
    pub mode: Patch<VisitMode>,
    #[serde(skip_serializing_if = "Patch::is_absent")]
    pub occurred_on: Patch<NaiveDate>,
    #[serde(skip_serializing_if = "Patch::is_absent")]
    pub visitor: Patch<String>,
    #[serde(skip_serializing_if = "Patch::is_absent")]
    pub notes: Patch<String>,
    #[serde(skip_serializing_if = "Patch::is_absent")]
    pub concerns: Patch<Vec<Concern>>,
    #[serde(skip_serializing_if = "Patch::is_absent")]
    pub follow_up_needed: Patch<bool>,
    #[serde(skip_serializing_if = "Patch::is_absent")]
    pub resolved_on: Patch<NaiveDate>,
    /// Fields sent that a visit does not have.
    #[serde(flatten)]
    pub unknown: Unknown,
}

impl Input for VisitInput {
    fn take_unknown(&mut self) -> Unknown {
        std::mem::take(&mut self.unknown)
    }
}
