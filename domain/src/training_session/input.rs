//! What a client sends to register or change a trainingsession: a create or a merge patch.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::enums::TrainingKind;
use crate::fields::{Input, Patch, Unknown};

/// A create or a merge patch of a [`super::TrainingSession`]: each field as on the record,
/// left out, `null` or a value. The rules are in `TrainingSession::apply`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TrainingSessionInput {
    #[serde(skip_serializing_if = "Patch::is_absent")]
    pub title: Patch<String>,
    #[serde(skip_serializing_if = "Patch::is_absent")]
    pub kind: Patch<TrainingKind>,
    #[serde(skip_serializing_if = "Patch::is_absent")]
    pub region_code: Patch<String>,
    #[serde(skip_serializing_if = "Patch::is_absent")]
    pub starts_at: Patch<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Patch::is_absent")]
    pub ends_at: Patch<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Patch::is_absent")]
    pub capacity: Patch<i64>,
    #[serde(skip_serializing_if = "Patch::is_absent")]
    pub venue: Patch<String>,
    /// Fields sent that a training session does not have.
    #[serde(flatten)]
    pub unknown: Unknown,
}

impl Input for TrainingSessionInput {
    fn take_unknown(&mut self) -> Unknown {
        std::mem::take(&mut self.unknown)
    }
}
