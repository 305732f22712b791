//! Visits (随访) and family contacts (亲情联系), recorded beside each other on
//! the child: a follow-up visit by an officer, a teacher or centre staff, with
//! what it found worrying; or a contact between the child and a parent (a
//! family phone call, a video call, a parent's visit home). A visit recorded
//! by mistake is withdrawn (DELETE): it stays in the history and counts for
//! nothing. A concern stays open until the visit is marked resolved.

use crate::msg;
use chrono::NaiveDate;
use serde::{Serialize, Deserialize};
use uuid::Uuid;
use crate::child::Child;
use crate::ctx::Ctx;
use crate::enums::{Concern, Relationship, VisitKind, VisitMode};
use crate::error::Result;
use crate::fields::{Fields, Mode, Input, Patch, Unknown};
use crate::nested::Nested;
use crate::ports::Store;
use crate::resource::{FilterSpec, Meta, Resource, ResourceKind, now};

/// A follow-up visit or a family contact.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Visit {
    /// Identity, version and timestamps.
    #[serde(flatten)]
    pub meta: Meta,
    /// The child.
    pub child_id: Uuid,
    /// The child's region when recorded (for the audit trail; visibility follows the child).
    pub region_code: String,
    /// A follow-up visit or a family contact.
    pub kind: VisitKind,
    /// At home, by phone, by video or at school.
    pub mode: VisitMode,
    /// When it took place.
    pub occurred_on: NaiveDate,
    /// Who visited (for a follow-up): a name and a role, as written.
    pub visitor: Option<String>,
    /// The parent in contact (for a family contact) or the guardian met.
    pub guardian_id: Option<Uuid>,
    /// What was seen and said.
    pub notes: Option<String>,
    /// What was found worrying.
    pub concerns: Vec<Concern>,
    /// Someone must follow up.
    pub follow_up_needed: bool,
    /// When the concerns were resolved; `None` while they are open.
    pub resolved_on: Option<NaiveDate>,
    /// When the record was withdrawn as a mistake; `None` while it counts.
    pub withdrawn_on: Option<NaiveDate>,
    /// The account that recorded it.
    pub recorded_by: String,
}

impl Visit {
    /// Whether this visit holds a safety concern that is not resolved.
    pub fn open_safety_concern(&self) -> bool {
        self.withdrawn_on.is_none() && self.resolved_on.is_none() && self.concerns.contains(&Concern::Safety)
    }
}

impl Resource for Visit {
    type Input = VisitInput;
    type Facts = ();
    const KIND: ResourceKind = ResourceKind::Visit;
    const FILTERS: &'static [FilterSpec] = &[];

    crate::resource::meta_and_region!();

    fn blank(meta: Meta) -> Self {
        let occurred_on = meta.created_at.date_naive();
        Self {
            meta,
            child_id: Uuid::nil(),
            region_code: String::new(),
            kind: VisitKind::FollowUp,
            mode: VisitMode::Home,
            occurred_on,
            visitor: None,
            guardian_id: None,
            notes: None,
            concerns: Vec::new(),
            follow_up_needed: false,
            resolved_on: None,
            withdrawn_on: None,
            recorded_by: String::new(),
        }
    }

    fn apply(&mut self, input: Self::Input, f: &mut Fields, today: NaiveDate) {
        if f.mode() == Mode::Create {
            if let Some(v) = f.required("kind", input.kind) {
                self.kind = v;
            }
            if let Some(v) = f.optional("guardian_id", input.guardian_id) {
                self.guardian_id = v;
            }
        } else {
            f.refuse_if_present("kind", &input.kind, "read_only", msg!("visit.kind_fixed"));
            f.refuse_if_present(
                "guardian_id",
                &input.guardian_id,
                "read_only",
                msg!("visit.child_fixed"),
            );
        }
        if let Some(v) = f.required("mode", input.mode) {
            self.mode = v;
        }
        if let Some(d) = f.required("occurred_on", input.occurred_on) {
            if d > today {
                f.reject("occurred_on", "in_future", msg!("visit.in_future"));
            } else {
                self.occurred_on = d;
            }
        }
        if let Some(v) = f.opt_text("visitor", input.visitor, 100) {
            self.visitor = v;
        }
        if let Some(v) = f.opt_text("notes", input.notes, 4000) {
            self.notes = v;
        }
        if let Some(v) = f.enum_set("concerns", input.concerns) {
            self.concerns = v;
        }
        if let Some(v) = f.boolean("follow_up_needed", input.follow_up_needed) {
            self.follow_up_needed = v;
        }
        if let Some(v) = f.optional("resolved_on", input.resolved_on) {
            match v {
                Some(d) if d > today => f.reject("resolved_on", "in_future", msg!("visit.resolved_in_future")),
                Some(d) if d < self.occurred_on => {
                    f.reject("resolved_on", "before_visit", msg!("visit.resolved_before_visit"))
                }
                _ => self.resolved_on = v,
            }
        }
        if self.kind == VisitKind::FollowUp && self.visitor.is_none() && f.mode() == Mode::Create {
            f.reject("visitor", "required", msg!("visit.visitor_required"));
        }
        if self.kind == VisitKind::FamilyContact && self.mode == VisitMode::School {
            f.reject("mode", "invalid_value", msg!("visit.family_contact_mode"));
        }
    }

    fn is_archived(&self) -> bool {
        self.withdrawn_on.is_some()
    }
    fn archive(&mut self) {
        self.withdrawn_on = Some(now().date_naive());
    }

    fn mask(&mut self, _ctx: &Ctx) {}

    async fn check_with<S: Store>(&self, store: &S, _ctx: &Ctx, f: &mut Fields) -> Result<()> {
        if f.mode() != Mode::Create || f.has_error("guardian_id") {
            return Ok(());
        }
        let Some(guardian) = self.guardian_id else {
            if self.kind == VisitKind::FamilyContact {
                f.reject("guardian_id", "required", msg!("visit.parent_required"));
            }
            return Ok(());
        };
        let links = store.guardianships_of_children(&[self.child_id]).await?;
        let link = links.iter().find(|l| l.guardian_id == guardian);
        match link {
            None => f.reject("guardian_id", "not_a_guardian", msg!("visit.not_a_guardian")),
            Some(l)
                if self.kind == VisitKind::FamilyContact
                    && !matches!(l.relationship, Relationship::Father | Relationship::Mother) =>
            {
                f.reject("guardian_id", "not_a_parent", msg!("visit.not_a_parent"))
            }
            Some(_) => {}
        }
        Ok(())
    }
}

impl Nested for Visit {
    type Parent = Child;
    const PARENT_COLUMN: &'static str = "child_id";
    const END_FIELD: &'static str = "withdrawn_on";

    fn parent_id(&self) -> Uuid {
        self.child_id
    }
    fn attach(&mut self, parent: &Child, ctx: &Ctx) {
        self.child_id = parent.meta.id;
        self.region_code = parent.region_code.clone();
        self.recorded_by = ctx.subject.clone();
    }
}



// What a client sends to register or change a visit: a create or a merge patch.

/// A create or a merge patch of a [`Visit`]: each field as on the record,
/// left out, `null` or a value. The rules are in `Visit::apply`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct VisitInput {
    #[serde(skip_serializing_if = "Patch::is_absent")]
    pub kind: Patch<VisitKind>,
    #[serde(skip_serializing_if = "Patch::is_absent")]
    pub guardian_id: Patch<Uuid>,
    #[serde(skip_serializing_if = "Patch::is_absent")]
    pub mode: Patch<VisitMode>,
    #[serde(skip_serializing_if = "Patch::is_absent")]
    pub occurred_on: Patch<NaiveDate>,
    #[serde(skip_serializing_if = "Patch::is_absent")]
    pub visitor: Patch<String>,
    #[serde(skip_serializing_if = "Patch::is_absent")]
    pub notes: Patch<String>,
    #[serde(skip_serializing_if = "Patch::is_absent")]
    pub concerns: Patch<Vec<Concern>>,
    #[serde(skip_serializing_if = "Patch::is_absent")]
    pub follow_up_needed: Patch<bool>,
    #[serde(skip_serializing_if = "Patch::is_absent")]
    pub resolved_on: Patch<NaiveDate>,
    /// Fields sent that a visit does not have.
    #[serde(flatten)]
    pub unknown: Unknown,
}

impl Input for VisitInput {
    fn take_unknown(&mut self) -> Unknown {
        std::mem::take(&mut self.unknown)
    }
}
