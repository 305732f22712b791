//! Enrolments of children in places of care. A child may be in several places
//! at once; a place with a capacity takes no more active enrolments than it has
//! places. Enrolments are seen through their care place and their child
//! (`crate::nested`), and made by those who may change the place or the child's
//! register record.

use crate::msg;
use chrono::NaiveDate;
use serde::{Serialize, Deserialize};
use uuid::Uuid;
use crate::care_center::CareCenter;
use crate::child::Child;
use crate::ctx::Ctx;
use crate::enums::EnrollmentKind;
use crate::error::Result;
use crate::fields::{Fields, Mode, Input, Patch, Unknown};
use crate::nested::{Limit, Nested};
use crate::ports::Store;
use crate::resource::{Condition, FilterSpec, Meta, Resource, ResourceKind, now};
use crate::service::check_named;

/// A child's enrolment in a place of care.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Enrollment {
    /// Identity, version and timestamps.
    #[serde(flatten)]
    pub meta: Meta,
    /// The place.
    pub care_center_id: Uuid,
    /// The child.
    pub child_id: Uuid,
    /// The place's region (for the audit trail; visibility follows place and child).
    pub region_code: String,
    /// Day care, boarding or after school.
    pub kind: EnrollmentKind,
    /// First day.
    pub since: NaiveDate,
    /// Last day; `None` while open-ended.
    pub until: Option<NaiveDate>,
}

impl Enrollment {
    /// Whether the enrolment holds on `day`.
    pub fn is_active_on(&self, day: NaiveDate) -> bool {
        self.since <= day && self.until.is_none_or(|u| u >= day)
    }
}

impl Resource for Enrollment {
    type Input = EnrollmentInput;
    type Facts = ();
    const KIND: ResourceKind = ResourceKind::Enrollment;
    const FILTERS: &'static [FilterSpec] = &[];

    crate::resource::meta_and_region!();

    fn blank(meta: Meta) -> Self {
        let since = meta.created_at.date_naive();
        Self {
            meta,
            care_center_id: Uuid::nil(),
            child_id: Uuid::nil(),
            region_code: String::new(),
            kind: EnrollmentKind::Day,
            since,
            until: None,
        }
    }

    fn apply(&mut self, input: Self::Input, f: &mut Fields, _today: NaiveDate) {
        if f.mode() == Mode::Create {
            if let Some(id) = f.required("child_id", input.child_id) {
                self.child_id = id;
            }
        } else {
            f.refuse_if_present("child_id", &input.child_id, "read_only", msg!("enrollment.child_fixed"));
        }
        if let Some(v) = f.required("kind", input.kind) {
            self.kind = v;
        }
        let since = f.required("since", input.since).map(|d| self.since = d).is_some();
        let until = f.optional("until", input.until).map(|d| self.until = d).is_some();
        if (since || until) && self.until.is_some_and(|u| u < self.since) {
            f.reject("until", "before_since", msg!("enrollment.ends_before_start"));
        }
    }

    fn is_archived(&self) -> bool {
        self.until.is_some_and(|u| u < now().date_naive())
    }
    fn archive(&mut self) {
        let yesterday = now().date_naive().pred_opt().unwrap_or(self.since);
        self.until = Some(yesterday.max(self.since));
    }

    fn mask(&mut self, _ctx: &Ctx) {}

    /// The child must be one the caller may see, and not archived.
    async fn check_with<S: Store>(&self, store: &S, ctx: &Ctx, f: &mut Fields) -> Result<()> {
        let unknown = ("unknown_child", msg!("child.unknown"));
        check_named::<Child, S>(store, ctx, f, "child_id", self.child_id, unknown, msg!("child.archived")).await
    }
}

impl Nested for Enrollment {
    type Parent = CareCenter;
    const PARENT_COLUMN: &'static str = "care_center_id";
    const END_FIELD: &'static str = "until";
    const READ_WITH_CHILD: bool = true;

    fn parent_id(&self) -> Uuid {
        self.care_center_id
    }
    fn attach(&mut self, parent: &CareCenter, _ctx: &Ctx) {
        self.care_center_id = parent.meta.id;
        self.region_code = parent.region_code.clone();
    }
    fn child_id(&self) -> Option<Uuid> {
        Some(self.child_id)
    }
    fn is_current(&self, today: NaiveDate) -> bool {
        self.is_active_on(today)
    }
    /// An enrolment can be shortened; extending it would skip the capacity
    /// check, so a longer stay is a new enrolment.
    fn check_change(&self, before: &Self, f: &mut Fields) {
        let later_end = before.until.is_some_and(|old| self.until.is_none_or(|new| new > old));
        if later_end || self.since < before.since {
            f.reject("until", "widening", msg!("enrollment.widening"));
        }
    }
    /// A place with a capacity takes no more enrolments overlapping the new one's span.
    fn limit(&self, parent: &CareCenter, _ctx: &Ctx) -> Option<Limit> {
        let capacity = parent.capacity?;
        let mut counted = vec![
            Condition::EqId("care_center_id", parent.meta.id),
            Condition::OpenOrFrom("until", self.since),
        ];
        if let Some(until) = self.until {
            counted.push(Condition::DateAtOrBefore("since", until));
        }
        Some(Limit {
            counted,
            max: u64::try_from(capacity.max(0)).unwrap_or(0),
            field: "care_center_id",
            message: msg!("enrollment.place_full", capacity = capacity),
        })
    }
}

/// The enrolments active today of these children, keyed by child (for batched nested loads).
pub async fn active_of_children<S: Store>(
    store: &S,
    ctx: &Ctx,
    child_ids: &[Uuid],
) -> Result<std::collections::HashMap<Uuid, Vec<Enrollment>>> {
    crate::nested::of_many::<Enrollment, S>(store, ctx, "child_id", child_ids, false, |e| e.child_id).await
}

/// One page of the enrolments of a child the caller may see, current and
/// ended, in any place (the place itself may lie outside the caller's jurisdiction).
pub async fn of_child<S: Store>(
    store: &S,
    ctx: &Ctx,
    child_id: Uuid,
    page: crate::resource::PageRequest,
) -> Result<crate::resource::Page<Enrollment>> {
    crate::nested::of_child::<Enrollment, S>(store, ctx, child_id, page).await
}

/// The enrolments active today in these places, keyed by place.
pub async fn active_in_centers<S: Store>(
    store: &S,
    ctx: &Ctx,
    center_ids: &[Uuid],
) -> Result<std::collections::HashMap<Uuid, Vec<Enrollment>>> {
    crate::nested::of_many::<Enrollment, S>(store, ctx, "care_center_id", center_ids, false, |e| e.care_center_id).await
}


// What a client sends to register or change a enrollment: a create or a merge patch.

/// A create or a merge patch of a [`Enrollment`]: each field as on the record,
/// left out, `null` or a value. The rules are in `Enrollment::apply`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct EnrollmentInput {
    #[serde(skip_serializing_if = "Patch::is_absent")]
    pub child_id: Patch<Uuid>,
    #[serde(skip_serializing_if = "Patch::is_absent")]
    pub kind: Patch<EnrollmentKind>,
    #[serde(skip_serializing_if = "Patch::is_absent")]
    pub since: Patch<NaiveDate>,
    #[serde(skip_serializing_if = "Patch::is_absent")]
    pub until: Patch<NaiveDate>,
    /// Fields sent that a enrollment does not have.
    #[serde(flatten)]
    pub unknown: Unknown,
}

impl Input for EnrollmentInput {
    fn take_unknown(&mut self) -> Unknown {
        std::mem::take(&mut self.unknown)
    }
}
