//! What a client sends to register or change a pairing: a create or a merge patch.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::enums::PairingKind;
use crate::fields::{Input, Patch, Unknown};

/// A create or a merge patch of a [`super::Pairing`]: each field as on the record,
/// left out, `null` or a value. The rules are in `Pairing::apply`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PairingInput {
    #[serde(skip_serializing_if = "Patch::is_absent")]
    pub child_id: Patch<Uuid>,
    #[serde(skip_serializing_if = "Patch::is_absent")]
    pub kind: Patch<PairingKind>,
    #[serde(skip_serializing_if = "Patch::is_absent")]
    pub since: Patch<NaiveDate>,
    #[serde(skip_serializing_if = "Patch::is_absent")]
    pub notes: Patch<String>,
    /// Fields sent that a pairing does not have.
    #[serde(flatten)]
    pub unknown: Unknown,
}

impl Input for PairingInput {
    fn take_unknown(&mut self) -> Unknown {
        std::mem::take(&mut self.unknown)
    }
}
