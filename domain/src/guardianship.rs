//! The link between a child and a guardian. A link is seen and changed through
//! its child (`crate::nested`): whoever may see the child sees its links,
//! whoever may change the child's register record may link, change and end
//! them. Ending keeps history.

use crate::msg;
use chrono::NaiveDate;
use serde::{Serialize, Deserialize};
use uuid::Uuid;
use crate::child::Child;
use crate::ctx::Ctx;
use crate::enums::Relationship;
use crate::error::Result;
use crate::fields::{Fields, Mode, Input, Patch, Unknown};
use crate::guardian::Guardian;
use crate::nested::Nested;
use crate::ports::Store;
use crate::resource::{FilterSpec, Meta, Resource, ResourceKind, now};
use crate::service::check_named;

/// A child↔guardian link (监护关系).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Guardianship {
    /// Identity, version and timestamps.
    #[serde(flatten)]
    pub meta: Meta,
    /// The child.
    pub child_id: Uuid,
    /// The guardian.
    pub guardian_id: Uuid,
    /// The child's region when the link was made (for the audit trail; visibility follows the child).
    pub region_code: String,
    /// How the guardian is related to the child.
    pub relationship: Relationship,
    /// The one who actually raises the child day to day (at most one active per child).
    pub is_primary_caregiver: bool,
    /// Lives in the same home as the child.
    pub lives_with_child: bool,
    /// When the management and education responsibility agreement was signed.
    pub agreement_signed_on: Option<NaiveDate>,
    /// When the link ended; `None` while it holds.
    pub ended_on: Option<NaiveDate>,
}

impl Resource for Guardianship {
    type Input = GuardianshipInput;
    type Facts = ();
    const KIND: ResourceKind = ResourceKind::Guardianship;
    const FILTERS: &'static [FilterSpec] = &[];

    crate::resource::meta_and_region!();

    fn blank(meta: Meta) -> Self {
        Self {
            meta,
            child_id: Uuid::nil(),
            guardian_id: Uuid::nil(),
            region_code: String::new(),
            relationship: Relationship::Other,
            is_primary_caregiver: false,
            lives_with_child: false,
            agreement_signed_on: None,
            ended_on: None,
        }
    }

    fn apply(&mut self, input: Self::Input, f: &mut Fields, today: NaiveDate) {
        if f.mode() == Mode::Create {
            if let Some(id) = f.required("guardian_id", input.guardian_id) {
                self.guardian_id = id;
            }
        } else {
            f.refuse_if_present(
                "guardian_id",
                &input.guardian_id,
                "read_only",
                msg!("guardianship.guardian_fixed"),
            );
        }
        if let Some(v) = f.required("relationship", input.relationship) {
            self.relationship = v;
        }
        if let Some(v) = f.boolean("is_primary_caregiver", input.is_primary_caregiver) {
            self.is_primary_caregiver = v;
        }
        if let Some(v) = f.boolean("lives_with_child", input.lives_with_child) {
            self.lives_with_child = v;
        }
        if let Some(v) = f.optional("agreement_signed_on", input.agreement_signed_on) {
            if v.is_some_and(|d| d > today) {
                f.reject(
                    "agreement_signed_on",
                    "in_future",
                    msg!("guardianship.agreement_in_future"),
                );
            } else {
                self.agreement_signed_on = v;
            }
        }
    }

    fn is_archived(&self) -> bool {
        self.ended_on.is_some()
    }
    fn archive(&mut self) {
        self.ended_on = Some(now().date_naive());
    }

    fn mask(&mut self, _ctx: &Ctx) {}

    /// The guardian must be one the caller may see, and not archived.
    async fn check_with<S: Store>(&self, store: &S, ctx: &Ctx, f: &mut Fields) -> Result<()> {
        let unknown = ("unknown_guardian", msg!("guardian.unknown"));
        check_named::<Guardian, S>(store, ctx, f, "guardian_id", self.guardian_id, unknown, msg!("guardian.archived")).await
    }
}

impl Nested for Guardianship {
    type Parent = Child;
    const PARENT_COLUMN: &'static str = "child_id";
    const END_FIELD: &'static str = "ended_on";
    const MAX_LISTED: u64 = 1000;

    fn parent_id(&self) -> Uuid {
        self.child_id
    }
    fn attach(&mut self, parent: &Child, _ctx: &Ctx) {
        self.child_id = parent.meta.id;
        self.region_code = parent.region_code.clone();
    }
}


// What a client sends to register or change a guardianship: a create or a merge patch.

/// A create or a merge patch of a [`Guardianship`]: each field as on the record,
/// left out, `null` or a value. The rules are in `Guardianship::apply`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GuardianshipInput {
    #[serde(skip_serializing_if = "Patch::is_absent")]
    pub guardian_id: Patch<Uuid>,
    #[serde(skip_serializing_if = "Patch::is_absent")]
    pub relationship: Patch<Relationship>,
    #[serde(skip_serializing_if = "Patch::is_absent")]
    pub is_primary_caregiver: Patch<bool>,
    #[serde(skip_serializing_if = "Patch::is_absent")]
    pub lives_with_child: Patch<bool>,
    #[serde(skip_serializing_if = "Patch::is_absent")]
    pub agreement_signed_on: Patch<NaiveDate>,
    /// Fields sent that a guardianship does not have.
    #[serde(flatten)]
    pub unknown: Unknown,
}

impl Input for GuardianshipInput {
    fn take_unknown(&mut self) -> Unknown {
        std::mem::take(&mut self.unknown)
    }
}
