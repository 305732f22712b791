//! Enrolments of children in places of care. A child may be in several places
//! at once; a place with a capacity takes no more active enrolments than it has
//! places. Enrolments are seen through their care place and their child, and
//! made by those who may change the place or the child's register record.

use chrono::NaiveDate;
use serde::Serialize;
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::care_center::CareCenter;
use crate::child::Child;
use crate::ctx::Ctx;
use crate::enums::EnrollmentKind;
use crate::error::{Error, Result};
use crate::fields::{Fields, Mode};
use crate::policy::{self, Action, Writable};
use crate::ports::{Repository, Store};
use crate::resource::{Condition, EventAction, FilterSpec, ListQuery, Meta, PageRequest, Resource, ResourceKind, now};
use crate::service::{archive_at, event, masked, save, visible};

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
    const KIND: ResourceKind = ResourceKind::Enrollment;
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
            care_center_id: Uuid::nil(),
            child_id: Uuid::nil(),
            region_code: String::new(),
            kind: EnrollmentKind::Day,
            since,
            until: None,
        }
    }

    fn apply(&mut self, f: &mut Fields<'_>, _today: NaiveDate) {
        if f.mode() == Mode::Create {
            if let Some(id) = f.id("child_id") {
                self.child_id = id;
            }
        } else {
            f.refuse_if_present(
                "child_id",
                "read_only",
                "end this enrolment and enrol the other child instead",
            );
        }
        if let Some(v) = f.enum_value("kind") {
            self.kind = v;
        }
        let since = f.date("since").map(|d| self.since = d).is_some();
        let until = f.opt_date("until").map(|d| self.until = d).is_some();
        if (since || until) && self.until.is_some_and(|u| u < self.since) {
            f.reject(
                "until",
                "before_since",
                "an enrolment ends on or after the day it starts",
            );
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
}

/// Storage of enrolments beyond the generic repository.
pub trait EnrollmentStore: Send + Sync {
    /// Inserts an enrolment and its event unless the place already has
    /// `capacity` enrolments active on any day of the new one's span;
    /// returns false when full. Concurrent inserts into one place are serialised.
    fn insert_within_capacity(
        &self,
        enrollment: &Enrollment,
        capacity: Option<i32>,
        event: &crate::resource::Event,
    ) -> impl std::future::Future<Output = Result<bool>> + Send;
    /// The active enrolments of these children, in one query.
    fn enrollments_of_children(
        &self,
        child_ids: &[Uuid],
        day: NaiveDate,
    ) -> impl std::future::Future<Output = Result<Vec<Enrollment>>> + Send;
    /// The active enrolments in these places, in one query.
    fn enrollments_in_centers(
        &self,
        center_ids: &[Uuid],
        day: NaiveDate,
    ) -> impl std::future::Future<Output = Result<Vec<Enrollment>>> + Send;
}

fn may_enroll(ctx: &Ctx) -> Result<()> {
    if policy::writable(ctx, ResourceKind::Enrollment, Action::Create) == Writable::All {
        Ok(())
    } else {
        Err(Error::Forbidden("your role may not enrol children".into()))
    }
}

async fn enrollment_visible<S: Store>(store: &S, ctx: &Ctx, id: Uuid) -> Result<Enrollment> {
    let e: Enrollment = Repository::<Enrollment>::find(store, id)
        .await?
        .ok_or(Error::NotFound)?;
    visible::<CareCenter, S>(store, ctx, e.care_center_id).await?;
    visible::<Child, S>(store, ctx, e.child_id).await?;
    Ok(e)
}

/// The enrolments of a place, active and past, whose children the caller may see.
pub async fn enrollments_of_center<S: Store>(store: &S, ctx: &Ctx, center_id: Uuid) -> Result<Vec<Enrollment>> {
    visible::<CareCenter, S>(store, ctx, center_id).await?;
    let query = ListQuery {
        conditions: vec![Condition::EqId("care_center_id", center_id)],
        page: PageRequest {
            after: None,
            limit: 5000,
        },
    };
    let all: Vec<Enrollment> = Repository::<Enrollment>::list(store, &query).await?;
    let child_ids: Vec<Uuid> = all.iter().map(|e| e.child_id).collect();
    let seen: std::collections::HashSet<Uuid> = crate::service::visible_many::<Child, S>(store, ctx, &child_ids)
        .await?
        .iter()
        .map(|c| c.meta.id)
        .collect();
    Ok(all.into_iter().filter(|e| seen.contains(&e.child_id)).collect())
}

/// One enrolment, if the caller may see its place and its child.
pub async fn get_enrollment<S: Store>(store: &S, ctx: &Ctx, id: Uuid) -> Result<Enrollment> {
    enrollment_visible(store, ctx, id).await
}

/// Enrols a child in a place; 409 when the place is full.
pub async fn create_enrollment<S: Store>(
    store: &S,
    ctx: &Ctx,
    center_id: Uuid,
    input: &Map<String, Value>,
    id: Uuid,
) -> Result<Enrollment> {
    let center = visible::<CareCenter, S>(store, ctx, center_id).await?;
    may_enroll(ctx)?;
    let at = now();
    let mut e = Enrollment::blank(Meta { id, ..Meta::new(at) });
    e.care_center_id = center.meta.id;
    e.region_code = center.region_code.clone();
    let mut f = Fields::new(input, Mode::Create);
    e.apply(&mut f, at.date_naive());
    if !f.has_error("child_id") {
        match visible::<Child, S>(store, ctx, e.child_id).await {
            Ok(c) if !c.is_archived() => {}
            Ok(_) => f.reject("child_id", "archived", "this child is archived"),
            Err(Error::NotFound) => f.reject("child_id", "unknown_child", "no such child in your jurisdiction"),
            Err(err) => return Err(err),
        }
    }
    if center.is_archived() {
        f.reject("care_center_id", "archived", "this place is archived");
    }
    f.finish()?;
    if !store
        .insert_within_capacity(&e, center.capacity, &event(ctx, EventAction::Created, None, &e))
        .await?
    {
        return Err(Error::Conflict {
            field: Some("care_center_id".to_owned()),
            message: format!(
                "this place is full: all {} places are taken",
                center.capacity.unwrap_or(0)
            ),
        });
    }
    Ok(masked(e, ctx))
}

/// Changes an enrolment's kind or dates at `expected_version`.
pub async fn update_enrollment<S: Store>(
    store: &S,
    ctx: &Ctx,
    id: Uuid,
    expected_version: i64,
    patch: &Map<String, Value>,
) -> Result<Enrollment> {
    let current = enrollment_visible(store, ctx, id).await?;
    may_enroll(ctx)?;
    let mut e = current.clone();
    let mut f = Fields::new(patch, Mode::Patch);
    e.apply(&mut f, now().date_naive());
    let later_end = current.until.is_some_and(|old| e.until.is_none_or(|new| new > old));
    if later_end || e.since < current.since {
        f.reject(
            "until",
            "widening",
            "an enrolment can be shortened; to extend it, enrol the child again (capacity is checked)",
        );
    }
    f.finish()?;
    if current.meta.version != expected_version {
        return Err(Error::VersionMismatch {
            current: current.meta.version,
        });
    }
    if e == current {
        return Ok(e);
    }
    save(store, ctx, EventAction::Updated, &current, e).await
}

/// Ends an enrolment (its last day becomes yesterday, or its first day).
pub async fn end_enrollment<S: Store>(store: &S, ctx: &Ctx, id: Uuid, expected_version: i64) -> Result<Enrollment> {
    let current = enrollment_visible(store, ctx, id).await?;
    may_enroll(ctx)?;
    archive_at(store, ctx, current, expected_version).await
}

/// The enrolments active today of children the caller may see, in places the
/// caller may see, keyed by child (for batched nested loads).
pub async fn active_of_children<S: Store>(
    store: &S,
    ctx: &Ctx,
    child_ids: &[Uuid],
) -> Result<std::collections::HashMap<Uuid, Vec<Enrollment>>> {
    let children: Vec<Uuid> = crate::service::visible_many::<Child, S>(store, ctx, child_ids)
        .await?
        .iter()
        .map(|c| c.meta.id)
        .collect();
    let found = store.enrollments_of_children(&children, now().date_naive()).await?;
    keep_visible(store, ctx, found, |e| e.child_id).await
}

/// The enrolments active today in places the caller may see, of children the
/// caller may see, keyed by place.
pub async fn active_in_centers<S: Store>(
    store: &S,
    ctx: &Ctx,
    center_ids: &[Uuid],
) -> Result<std::collections::HashMap<Uuid, Vec<Enrollment>>> {
    let centers: Vec<Uuid> = crate::service::visible_many::<CareCenter, S>(store, ctx, center_ids)
        .await?
        .iter()
        .map(|c| c.meta.id)
        .collect();
    let found = store.enrollments_in_centers(&centers, now().date_naive()).await?;
    keep_visible(store, ctx, found, |e| e.care_center_id).await
}

async fn keep_visible<S: Store>(
    store: &S,
    ctx: &Ctx,
    found: Vec<Enrollment>,
    key: impl Fn(&Enrollment) -> Uuid,
) -> Result<std::collections::HashMap<Uuid, Vec<Enrollment>>> {
    use std::collections::{HashMap, HashSet};
    let child_ids: Vec<Uuid> = found
        .iter()
        .map(|e| e.child_id)
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let center_ids: Vec<Uuid> = found
        .iter()
        .map(|e| e.care_center_id)
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let children: HashSet<Uuid> = crate::service::visible_many::<Child, S>(store, ctx, &child_ids)
        .await?
        .iter()
        .map(|c| c.meta.id)
        .collect();
    let centers: HashSet<Uuid> = crate::service::visible_many::<CareCenter, S>(store, ctx, &center_ids)
        .await?
        .iter()
        .map(|c| c.meta.id)
        .collect();
    let mut out: HashMap<Uuid, Vec<Enrollment>> = HashMap::new();
    for e in found {
        if children.contains(&e.child_id) && centers.contains(&e.care_center_id) {
            out.entry(key(&e)).or_default().push(e);
        }
    }
    Ok(out)
}
