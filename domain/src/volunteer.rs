//! Volunteers: Youth League members, retired "five elders", teachers, students,
//! social workers. They are vetted before they may be paired with a child.

use crate::{msg, policy};
use chrono::NaiveDate;
use serde::{Serialize, Deserialize};
use crate::ctx::Ctx;
use crate::enums::{RecordStatus, Role, VettingStatus, VolunteerCategory};
use crate::error::Result;
use crate::fields::{Fields, parse_mobile, Input, Patch, Unknown};
use crate::ports::Store;
use crate::resource::{FilterSpec, Meta, Resource, ResourceKind, enum_filter};
use uuid::Uuid;

/// A volunteer (志愿者).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Volunteer {
    /// Identity, version and timestamps.
    #[serde(flatten)]
    pub meta: Meta,
    /// Full name.
    pub name: String,
    /// Mainland mobile number.
    pub phone: Option<String>,
    /// The region they serve.
    pub region_code: String,
    /// Their organisation (a League branch, a school…).
    pub organization: Option<String>,
    /// Where they come from.
    pub category: VolunteerCategory,
    /// What they can offer.
    pub skills: Option<String>,
    /// Where their vetting stands.
    pub vetting_status: VettingStatus,
    /// The `volunteer` account they sign in with, if any: it sees the children
    /// paired with this record while the vetting is approved.
    pub account_id: Option<uuid::Uuid>,
    /// Active or archived.
    pub status: RecordStatus,
}

/// Whether vetting may move from `from` to `to`: pending → approved or
/// rejected; approved ↔ suspended. Staying put is always allowed.
pub fn vetting_transition_allowed(from: VettingStatus, to: VettingStatus) -> bool {
    use VettingStatus::*;
    from == to
        || matches!(
            (from, to),
            (Pending, Approved) | (Pending, Rejected) | (Approved, Suspended) | (Suspended, Approved)
        )
}

impl Resource for Volunteer {
    type Input = VolunteerInput;
    type Facts = ();
    const KIND: ResourceKind = ResourceKind::Volunteer;
    const FILTERS: &'static [FilterSpec] = &[
        enum_filter::<VolunteerCategory>("category"),
        enum_filter::<VettingStatus>("vetting_status"),
        enum_filter::<RecordStatus>("status"),
    ];

    crate::resource::meta_and_region!();

    fn blank(meta: Meta) -> Self {
        Self {
            meta,
            name: String::new(),
            phone: None,
            region_code: String::new(),
            organization: None,
            category: VolunteerCategory::Other,
            skills: None,
            vetting_status: VettingStatus::Pending,
            account_id: None,
            status: RecordStatus::Active,
        }
    }

    fn apply(&mut self, input: Self::Input, f: &mut Fields, _today: NaiveDate) {
        if let Some(v) = f.text("name", input.name, 50) {
            self.name = v;
        }
        if let Some(v) = f.opt_checked("phone", input.phone, parse_mobile) {
            self.phone = v;
        }
        if let Some(v) = f.text("region_code", input.region_code, 12) {
            self.region_code = v;
        }
        if let Some(v) = f.opt_text("organization", input.organization, 100) {
            self.organization = v;
        }
        if let Some(v) = f.required("category", input.category) {
            self.category = v;
        }
        if let Some(v) = f.opt_text("skills", input.skills, 500) {
            self.skills = v;
        }
        if let Some(v) = f.optional("account_id", input.account_id) {
            self.account_id = v;
        }
        if let Some(to) = f.if_given("vetting_status", input.vetting_status) {
            if vetting_transition_allowed(self.vetting_status, to) {
                self.vetting_status = to;
            } else {
                f.reject(
                    "vetting_status",
                    "invalid_transition",
                    msg!(
                        "volunteer.invalid_transition",
                        from = self.vetting_status => "enum.vetting_status",
                        to = to => "enum.vetting_status"
                    ),
                );
            }
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
            self.phone = self.phone.as_deref().map(policy::mask_phone);
        }
    }

    /// A linked account must exist and hold the `volunteer` role.
    async fn check_with<S: Store>(&self, store: &S, _ctx: &Ctx, f: &mut Fields) -> Result<()> {
        let Some(id) = self.account_id else {
            return Ok(());
        };
        if f.has_error("account_id") {
            return Ok(());
        }
        match store.account(id).await? {
            Some(a) if a.role == Role::Volunteer => {}
            Some(_) => f.reject(
                "account_id",
                "not_a_volunteer",
                msg!("volunteer.not_a_volunteer_account"),
            ),
            None => f.reject("account_id", "unknown_account", msg!("account.unknown")),
        }
        Ok(())
    }
}



// What a client sends to register or change a volunteer: a create or a merge patch.

/// A create or a merge patch of a [`Volunteer`]: each field as on the record,
/// left out, `null` or a value. The rules are in `Volunteer::apply`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct VolunteerInput {
    #[serde(skip_serializing_if = "Patch::is_absent")]
    pub name: Patch<String>,
    #[serde(skip_serializing_if = "Patch::is_absent")]
    pub phone: Patch<String>,
    #[serde(skip_serializing_if = "Patch::is_absent")]
    pub region_code: Patch<String>,
    #[serde(skip_serializing_if = "Patch::is_absent")]
    pub organization: Patch<String>,
    #[serde(skip_serializing_if = "Patch::is_absent")]
    pub category: Patch<VolunteerCategory>,
    #[serde(skip_serializing_if = "Patch::is_absent")]
    pub skills: Patch<String>,
    #[serde(skip_serializing_if = "Patch::is_absent")]
    pub account_id: Patch<Uuid>,
    #[serde(skip_serializing_if = "Patch::is_absent")]
    pub vetting_status: Patch<VettingStatus>,
    /// Fields sent that a volunteer does not have.
    #[serde(flatten)]
    pub unknown: Unknown,
}

impl Input for VolunteerInput {
    fn take_unknown(&mut self) -> Unknown {
        std::mem::take(&mut self.unknown)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use VettingStatus::*;

    #[test]
    fn vetting_moves_only_along_its_paths() {
        assert!(vetting_transition_allowed(Pending, Approved));
        assert!(vetting_transition_allowed(Approved, Suspended));
        assert!(vetting_transition_allowed(Suspended, Approved));
        assert!(!vetting_transition_allowed(Rejected, Approved));
        assert!(!vetting_transition_allowed(Suspended, Pending));
    }
}
