//! What a client sends to register or change a enrollment: a create or a merge patch.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::enums::EnrollmentKind;
use crate::fields::{Input, Patch, Unknown};

/// A create or a merge patch of a [`super::Enrollment`]: each field as on the record,
/// left out, `null` or a value. The rules are in `Enrollment::apply`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct EnrollmentInput {
    #[serde(skip_serializing_if = "Patch::is_absent")]
    pub child_id: Patch<Uuid>,
    #[serde(skip_serializing_if = "Patch::is_absent")]
    pub kind: Patch<EnrollmentKind>,
    #[serde(skip_serializing_if = "Patch::is_absent")]
    pub since: Patch<NaiveDate>,
    #[serde(skip_serializing_if = "Patch::is_absent")]
    pub until: Patch<NaiveDate>,
    /// Fields sent that a enrollment does not have.
    #[serde(flatten)]
    pub unknown: Unknown,
}

impl Input for EnrollmentInput {
    fn take_unknown(&mut self) -> Unknown {
        std::mem::take(&mut self.unknown)
    }
}
