//! What a client sends to register or change a attendance: a create or a merge patch.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::enums::AttendeeKind;
use crate::fields::{Input, Patch, Unknown};

/// A create or a merge patch of a [`super::Attendance`]: each field as on the record,
/// left out, `null` or a value. The rules are in `Attendance::apply`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AttendanceInput {
    #[serde(skip_serializing_if = "Patch::is_absent")]
    pub attendee_kind: Patch<AttendeeKind>,
    #[serde(skip_serializing_if = "Patch::is_absent")]
    pub attendee_id: Patch<Uuid>,
    #[serde(skip_serializing_if = "Patch::is_absent")]
    pub checked_in_at: Patch<DateTime<Utc>>,
    /// Fields sent that a attendance does not have.
    #[serde(flatten)]
    pub unknown: Unknown,
}

impl Input for AttendanceInput {
    fn take_unknown(&mut self) -> Unknown {
        std::mem::take(&mut self.unknown)
    }
}
