//! Parents and the caregivers who actually raise the child.

use crate::{msg, policy};
use chrono::NaiveDate;
use serde::{Serialize, Deserialize};
use crate::ctx::Ctx;
use crate::enums::{Gender, RecordStatus};
use crate::fields::{Fields, parse_mobile, Input, Patch, Unknown};
use crate::id_number::IdNumber;
use crate::resource::{FilterSpec, Meta, Resource, ResourceKind, enum_filter};

/// A parent or caregiver (家长 / 监护人).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Guardian {
    /// Identity, version and timestamps.
    #[serde(flatten)]
    pub meta: Meta,
    /// Full name.
    pub name: String,
    /// Sex.
    pub gender: Option<Gender>,
    /// Mainland mobile number.
    pub phone: Option<String>,
    /// Resident ID number (GB 11643).
    pub id_number: Option<String>,
    /// Home region.
    pub region_code: String,
    /// Works away from home.
    pub is_working_away: bool,
    /// Where they work, when away.
    pub work_location: Option<String>,
    /// Since when they work away.
    pub working_away_since: Option<NaiveDate>,
    /// When they last came home.
    pub last_home_visit_on: Option<NaiveDate>,
    /// Able to act as guardian (age, health).
    pub guardianship_capable: bool,
    /// Active or archived.
    pub status: RecordStatus,
}

impl Resource for Guardian {
    type Input = GuardianInput;
    type Facts = ();
    const KIND: ResourceKind = ResourceKind::Guardian;
    const FILTERS: &'static [FilterSpec] = &[enum_filter::<RecordStatus>("status")];

    crate::resource::meta_and_region!();

    fn blank(meta: Meta) -> Self {
        Self {
            meta,
            name: String::new(),
            gender: None,
            phone: None,
            id_number: None,
            region_code: String::new(),
            is_working_away: false,
            work_location: None,
            working_away_since: None,
            last_home_visit_on: None,
            guardianship_capable: true,
            status: RecordStatus::Active,
        }
    }

    fn apply(&mut self, input: Self::Input, f: &mut Fields, today: NaiveDate) {
        if let Some(v) = f.text("name", input.name, 50) {
            self.name = v;
        }
        if let Some(v) = f.optional("gender", input.gender) {
            self.gender = v;
        }
        if let Some(v) = f.opt_checked("phone", input.phone, parse_mobile) {
            self.phone = v;
        }
        let id_given = f
            .opt_checked("id_number", input.id_number, |s| {
                IdNumber::parse(s)
                    .map(|id| id.as_str().to_owned())
                    .map_err(|e| (e.code(), e.message()))
            })
            .map(|v| self.id_number = v)
            .is_some();
        if let Some(v) = f.text("region_code", input.region_code, 12) {
            self.region_code = v;
        }
        if let Some(v) = f.boolean("is_working_away", input.is_working_away) {
            self.is_working_away = v;
        }
        if let Some(v) = f.opt_text("work_location", input.work_location, 100) {
            self.work_location = v;
        }
        for (name, value, slot) in [
            (
                "working_away_since",
                input.working_away_since,
                &mut self.working_away_since,
            ),
            (
                "last_home_visit_on",
                input.last_home_visit_on,
                &mut self.last_home_visit_on,
            ),
        ] {
            if let Some(v) = f.optional(name, value) {
                if v.is_some_and(|d| d > today) {
                    f.reject(name, "in_future", msg!("field.date_in_future"));
                } else {
                    *slot = v;
                }
            }
        }
        if self.working_away_since.is_some() && !self.is_working_away && !f.has_error("working_away_since") {
            f.reject(
                "working_away_since",
                "not_working_away",
                msg!("guardian.away_since_not_away"),
            );
        }
        if let Some(v) = f.boolean("guardianship_capable", input.guardianship_capable) {
            self.guardianship_capable = v;
        }
        if (id_given || f.present().contains(&"gender"))
            && let (Some(id), Some(gender)) = (
                self.id_number.as_deref().and_then(|s| IdNumber::parse(s).ok()),
                self.gender,
            )
            && id.gender() != gender
        {
            f.reject("id_number", "gender_mismatch", msg!("id_number.gender_mismatch"));
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
            self.id_number = self.id_number.as_deref().map(policy::mask_id_number);
            self.phone = self.phone.as_deref().map(policy::mask_phone);
        }
    }
}


// What a client sends to register or change a guardian: a create or a merge patch.

/// A create or a merge patch of a [`Guardian`]: each field as on the record,
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
