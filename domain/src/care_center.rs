//! Places of care: care centers, day-care homes, boarding schools, family rooms…

use chrono::NaiveDate;
use serde::{Serialize, Deserialize};
use crate::ctx::Ctx;
use crate::enums::{CareCenterKind, RecordStatus};
use crate::fields::{Fields, Input, Patch, Unknown};
use crate::policy;
use crate::resource::{FilterSpec, Meta, Resource, ResourceKind, enum_filter};

/// A place of care (关爱场所).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CareCenter {
    /// Identity, version and timestamps.
    #[serde(flatten)]
    pub meta: Meta,
    /// Name.
    pub name: String,
    /// Kind of place.
    pub kind: CareCenterKind,
    /// The region it is in (a township or a village).
    pub region_code: String,
    /// Street address.
    pub address: Option<String>,
    /// How many children it can take.
    pub capacity: Option<i32>,
    /// What it offers (family phone, library, playground…).
    pub facilities: Option<String>,
    /// Active or archived.
    pub status: RecordStatus,
}

impl Resource for CareCenter {
    type Input = CareCenterInput;
    type Facts = ();
    const KIND: ResourceKind = ResourceKind::CareCenter;
    const FILTERS: &'static [FilterSpec] = &[
        enum_filter::<CareCenterKind>("kind"),
        enum_filter::<RecordStatus>("status"),
    ];

    crate::resource::meta_and_region!();

    fn blank(meta: Meta) -> Self {
        Self {
            meta,
            name: String::new(),
            kind: CareCenterKind::CareCenter,
            region_code: String::new(),
            address: None,
            capacity: None,
            facilities: None,
            status: RecordStatus::Active,
        }
    }

    fn apply(&mut self, input: Self::Input, f: &mut Fields, _today: NaiveDate) {
        if let Some(v) = f.text("name", input.name, 100) {
            self.name = v;
        }
        if let Some(v) = f.required("kind", input.kind) {
            self.kind = v;
        }
        if let Some(v) = f.text("region_code", input.region_code, 12) {
            self.region_code = v;
        }
        if let Some(v) = f.opt_text("address", input.address, 200) {
            self.address = v;
        }
        if let Some(v) = f.opt_int("capacity", input.capacity, 0, 100_000) {
            self.capacity = v;
        }
        if let Some(v) = f.opt_text("facilities", input.facilities, 1000) {
            self.facilities = v;
        }
    }

    fn is_archived(&self) -> bool {
        self.status == RecordStatus::Archived
    }
    fn archive(&mut self) {
        self.status = RecordStatus::Archived;
    }

    fn mask(&mut self, ctx: &Ctx) {
        if !policy::sees_identifiers(ctx) {
            self.address = self.address.as_deref().map(policy::mask_address);
        }
    }
}


// What a client sends to register or change a care place: a create or a merge patch.

/// A create or a merge patch of a [`CareCenter`]: each field as on the record,
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
