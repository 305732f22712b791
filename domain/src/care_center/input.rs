//! What a client sends to register or change a care place: a create or a merge patch.

use serde::{Deserialize, Serialize};

use crate::enums::CareCenterKind;
use crate::fields::{Input, Patch, Unknown};

/// A create or a merge patch of a [`super::CareCenter`]: each field as on the record,
/// left out, `null` or a value. The rules are in `CareCenter::apply`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CareCenterInput {
    #[serde(skip_serializing_if = "Patch::is_absent")]
    pub name: Patch<String>,
    #[serde(skip_serializing_if = "Patch::is_absent")]
    pub kind: Patch<CareCenterKind>,
    #[serde(skip_serializing_if = "Patch::is_absent")]
    pub region_code: Patch<String>,
    #[serde(skip_serializing_if = "Patch::is_absent")]
    pub address: Patch<String>,
    #[serde(skip_serializing_if = "Patch::is_absent")]
    pub capacity: Patch<i64>,
    #[serde(skip_serializing_if = "Patch::is_absent")]
    pub facilities: Patch<String>,
    /// Fields sent that a care center does not have.
    #[serde(flatten)]
    pub unknown: Unknown,
}

impl Input for CareCenterInput {
    fn take_unknown(&mut self) -> Unknown {
        std::mem::take(&mut self.unknown)
    }
}
