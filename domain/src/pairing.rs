//! Pairings of volunteers with children: a mentor (一帮一), a surrogate parent
//! (代理家长) or a peer (手拉手). Only an approved volunteer is paired; a
//! volunteer holds at most `Rules::max_active_pairings` active pairings; ending
//! one keeps it in the history. A pairing is seen with its volunteer and its
//! child, and made by whoever may change either.

use crate::msg;
use chrono::NaiveDate;
use serde::{Serialize, Deserialize};
use uuid::Uuid;
use crate::child::Child;
use crate::ctx::Ctx;
use crate::enums::{PairingKind, VettingStatus};
use crate::error::Result;
use crate::fields::{Fields, Mode, Input, Patch, Unknown};
use crate::nested::{Limit, Nested};
use crate::ports::Store;
use crate::resource::{Condition, FilterSpec, Meta, Resource, ResourceKind, now};
use crate::service::check_named;
use crate::volunteer::Volunteer;

/// A volunteer↔child pairing (结对).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Pairing {
    /// Identity, version and timestamps.
    #[serde(flatten)]
    pub meta: Meta,
    /// The volunteer.
    pub volunteer_id: Uuid,
    /// The child.
    pub child_id: Uuid,
    /// The volunteer's region (for the audit trail; visibility follows volunteer and child).
    pub region_code: String,
    /// Mentor, surrogate parent or peer.
    pub kind: PairingKind,
    /// First day.
    pub since: NaiveDate,
    /// Free notes (what they do together).
    pub notes: Option<String>,
    /// When the pairing ended; `None` while it holds.
    pub ended_on: Option<NaiveDate>,
}

impl Resource for Pairing {
    type Input = PairingInput;
    type Facts = ();
    const KIND: ResourceKind = ResourceKind::Pairing;
    const FILTERS: &'static [FilterSpec] = &[];

    crate::resource::meta_and_region!();

    fn blank(meta: Meta) -> Self {
        let since = meta.created_at.date_naive();
        Self {
            meta,
            volunteer_id: Uuid::nil(),
            child_id: Uuid::nil(),
            region_code: String::new(),
            kind: PairingKind::Mentor,
            since,
            notes: None,
            ended_on: None,
        }
    }

    fn apply(&mut self, input: Self::Input, f: &mut Fields, today: NaiveDate) {
        if f.mode() == Mode::Create {
            if let Some(id) = f.required("child_id", input.child_id) {
                self.child_id = id;
            }
        } else {
            f.refuse_if_present("child_id", &input.child_id, "read_only", msg!("pairing.child_fixed"));
        }
        if let Some(v) = f.required("kind", input.kind) {
            self.kind = v;
        }
        match f.optional("since", input.since) {
            Some(Some(d)) if d > today => f.reject("since", "in_future", msg!("pairing.since_in_future")),
            Some(Some(d)) => self.since = d,
            Some(None) => f.reject("since", "required", msg!("field.not_null")),
            None => {}
        }
        if let Some(v) = f.opt_text("notes", input.notes, 2000) {
            self.notes = v;
        }
    }

    fn is_archived(&self) -> bool {
        self.ended_on.is_some()
    }
    fn archive(&mut self) {
        self.ended_on = Some(now().date_naive().max(self.since));
    }

    fn mask(&mut self, _ctx: &Ctx) {}

    async fn check_with<S: Store>(&self, store: &S, ctx: &Ctx, f: &mut Fields) -> Result<()> {
        let unknown = ("unknown_child", msg!("child.unknown"));
        check_named::<Child, S>(store, ctx, f, "child_id", self.child_id, unknown, msg!("child.archived")).await
    }
}

impl Nested for Pairing {
    type Parent = Volunteer;
    const PARENT_COLUMN: &'static str = "volunteer_id";
    const END_FIELD: &'static str = "ended_on";

    fn parent_id(&self) -> Uuid {
        self.volunteer_id
    }
    fn attach(&mut self, parent: &Volunteer, _ctx: &Ctx) {
        self.volunteer_id = parent.meta.id;
        self.region_code = parent.region_code.clone();
    }
    fn child_id(&self) -> Option<Uuid> {
        Some(self.child_id)
    }
    fn check_parent(&self, parent: &Volunteer, f: &mut Fields) {
        if f.mode() == Mode::Create && parent.vetting_status != VettingStatus::Approved {
            f.reject(
                "volunteer_id",
                "not_approved",
                msg!("pairing.not_approved", status = parent.vetting_status => "enum.vetting_status"),
            );
        }
    }
    fn limit(&self, parent: &Volunteer, ctx: &Ctx) -> Option<Limit> {
        let max = ctx.rules.max_active_pairings;
        Some(Limit {
            counted: vec![
                Condition::EqId("volunteer_id", parent.meta.id),
                Condition::IsNull("ended_on"),
            ],
            max: u64::from(max),
            field: "volunteer_id",
            message: msg!("pairing.too_many", max = max),
        })
    }
}

/// A child's pairings, current and ended, with volunteers the caller may see.
pub async fn pairings_of_child<S: Store>(
    store: &S,
    ctx: &Ctx,
    child_id: Uuid,
    page: crate::resource::PageRequest,
) -> Result<crate::resource::Page<Pairing>> {
    crate::nested::of_child::<Pairing, S>(store, ctx, child_id, page).await
}

/// The pairings of these children, keyed by child; ended ones only `with_ended`.
pub async fn of_children<S: Store>(
    store: &S,
    ctx: &Ctx,
    child_ids: &[Uuid],
    with_ended: bool,
) -> Result<std::collections::HashMap<Uuid, Vec<Pairing>>> {
    crate::nested::of_many::<Pairing, S>(store, ctx, "child_id", child_ids, with_ended, |p| p.child_id).await
}

/// The pairings of these volunteers, keyed by volunteer; ended ones only `with_ended`.
pub async fn of_volunteers<S: Store>(
    store: &S,
    ctx: &Ctx,
    volunteer_ids: &[Uuid],
    with_ended: bool,
) -> Result<std::collections::HashMap<Uuid, Vec<Pairing>>> {
    crate::nested::of_many::<Pairing, S>(store, ctx, "volunteer_id", volunteer_ids, with_ended, |p| {
        p.volunteer_id
    })
    .await
}


// What a client sends to register or change a pairing: a create or a merge patch.

/// A create or a merge patch of a [`Pairing`]: each field as on the record,
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
