//! Pairings of volunteers with children: a mentor (一帮一), a surrogate parent
//! (代理家长) or a peer (手拉手). Only an approved volunteer is paired; a
//! volunteer holds at most `Rules::max_active_pairings` active pairings; ending
//! one keeps it in the history. A pairing is seen with its volunteer and its
//! child, and made by whoever may change either.

mod input;
pub use input::PairingInput;

use crate::msg;
use chrono::NaiveDate;
use serde::Serialize;
use uuid::Uuid;

use crate::child::Child;
use crate::ctx::Ctx;
use crate::enums::{PairingKind, VettingStatus};
use crate::error::{Error, Result};
use crate::fields::{Fields, Mode};
use crate::nested::{Limit, Nested};
use crate::ports::Store;
use crate::resource::{Condition, FilterSpec, Meta, Resource, ResourceKind, now};
use crate::service::visible;
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

    fn meta(&self) -> &Meta {
        &self.meta
    }
    fn meta_mut(&mut self) -> &mut Meta {
        &mut self.meta
    }
    fn region_code(&self) -> &str {
        &self.region_code
    }

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
        if f.mode() != Mode::Create || f.has_error("child_id") {
            return Ok(());
        }
        match visible::<Child, S>(store, ctx, self.child_id).await {
            Ok(c) if !c.is_archived() => {}
            Ok(_) => f.reject("child_id", "archived", msg!("child.archived")),
            Err(Error::NotFound) => f.reject("child_id", "unknown_child", msg!("child.unknown")),
            Err(e) => return Err(e),
        }
        Ok(())
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
