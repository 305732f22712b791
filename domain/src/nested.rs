//! Records that belong to another and are seen through it: a child's
//! guardianships and visits, a place's enrolments, a volunteer's pairings, a
//! session's attendance. One path lists, reads, creates, changes and ends them
//! all, so that every one of them checks visibility, the role, the version and
//! its limits the same way.

use crate::msg;
use std::collections::{HashMap, HashSet};

use uuid::Uuid;

use crate::child::Child;
use crate::ctx::Ctx;
use crate::error::{Error, FieldError, Result};
use crate::fields::{Fields, Input, Mode};
use crate::policy::{self, Action, Writable};
use crate::ports::{LimitedInsert, Repository, Store};
use crate::resource::{Condition, Event, EventAction, ListQuery, Meta, Page, PageRequest, Resource, now};
use crate::service::{
    answer_with, archive_at, change, check_facts, close, event, facts_of, finished, finished_one, forbidden,
    keyset_page, visible, visible_many,
};

/// How many records a parent may hold: those matching `counted` may not exceed `max`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limit {
    /// The records that take a place.
    pub counted: Vec<Condition>,
    /// The places there are.
    pub max: u64,
    /// The field the conflict names.
    pub field: &'static str,
    /// What the conflict says.
    pub message: crate::message::Message,
}

/// A record seen through its parent (and, when it concerns a child other than
/// its parent, through that child too).
pub trait Nested: Resource {
    /// The record it belongs to.
    type Parent: Resource;
    /// The column holding the parent's id.
    const PARENT_COLUMN: &'static str;
    /// The field that says the record has ended (named when history is changed).
    const END_FIELD: &'static str;
    /// Most records one parent lists at once.
    const MAX_LISTED: u64 = 5000;
    /// Whether reading the record needs only its child visible, wherever its
    /// parent is (a child's enrolment in a place outside the caller's
    /// jurisdiction is still the child's); changing it needs the parent too.
    const READ_WITH_CHILD: bool = false;

    /// The parent's id.
    fn parent_id(&self) -> Uuid;
    /// Ties a new record to its parent and to who records it.
    fn attach(&mut self, parent: &Self::Parent, ctx: &Ctx);
    /// The child the record concerns, when that is not its parent.
    fn child_id(&self) -> Option<Uuid> {
        None
    }
    /// Checks the record against its parent (a vetted volunteer, a session's
    /// times), on create and on change.
    fn check_parent(&self, _parent: &Self::Parent, _f: &mut Fields) {}
    /// Whether the record holds on `today` (what relations list by default).
    fn is_current(&self, _today: chrono::NaiveDate) -> bool {
        !self.is_archived()
    }
    /// Checks a change against the record as it was.
    fn check_change(&self, _before: &Self, _f: &mut Fields) {}
    /// The limit a new record must fit in, if any.
    fn limit(&self, _parent: &Self::Parent, _ctx: &Ctx) -> Option<Limit> {
        None
    }
}

fn may<T: Nested>(ctx: &Ctx, action: Action) -> Result<()> {
    if policy::writable(ctx, T::KIND, action) == Writable::All {
        Ok(())
    } else {
        Err(forbidden::<T>(action))
    }
}

/// A record the caller may see, with its parent: absent and invisible answer `NotFound`.
async fn seen<T, S>(store: &S, ctx: &Ctx, id: Uuid) -> Result<(T, T::Parent)>
where
    T: Nested,
    S: Store + Repository<T> + Repository<T::Parent>,
{
    let record = found::<T, S>(store, ctx, id).await?;
    let parent = visible::<T::Parent, S>(store, ctx, record.parent_id()).await?;
    if let Some(child) = record.child_id() {
        visible::<Child, S>(store, ctx, child).await?;
    }
    Ok((record, parent))
}

/// A record the caller may read: through its child alone for a kind read with
/// its child (see [`Nested::READ_WITH_CHILD`]), else as [`seen`].
async fn readable<T, S>(store: &S, ctx: &Ctx, id: Uuid) -> Result<T>
where
    T: Nested,
    S: Store + Repository<T> + Repository<T::Parent>,
{
    if !T::READ_WITH_CHILD {
        return Ok(seen::<T, S>(store, ctx, id).await?.0);
    }
    let record = found::<T, S>(store, ctx, id).await?;
    match record.child_id() {
        Some(child) => visible::<Child, S>(store, ctx, child).await?,
        None => return Ok(seen::<T, S>(store, ctx, id).await?.0),
    };
    Ok(record)
}

/// The record, if the role may read its kind at all (visibility is decided by the callers).
async fn found<T, S>(store: &S, ctx: &Ctx, id: Uuid) -> Result<T>
where
    T: Nested,
    S: Repository<T>,
{
    if !policy::can_read(ctx, T::KIND) {
        return Err(Error::NotFound);
    }
    Repository::<T>::find(store, id).await?.ok_or(Error::NotFound)
}

/// Keeps the records whose child the caller may see.
async fn with_visible_children<T: Nested, S: Store>(store: &S, ctx: &Ctx, records: Vec<T>) -> Result<Vec<T>> {
    let ids: Vec<Uuid> = records
        .iter()
        .filter_map(Nested::child_id)
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    if ids.is_empty() {
        return Ok(records);
    }
    let seen: HashSet<Uuid> = visible_many::<Child, S>(store, ctx, &ids)
        .await?
        .iter()
        .map(|c| c.meta.id)
        .collect();
    Ok(records
        .into_iter()
        .filter(|r| r.child_id().is_none_or(|c| seen.contains(&c)))
        .collect())
}

/// One page of the records of a parent, current and ended, oldest first.
pub async fn list_of<T, S>(store: &S, ctx: &Ctx, parent_id: Uuid, page: PageRequest) -> Result<Page<T>>
where
    T: Nested,
    S: Store + Repository<T> + Repository<T::Parent>,
{
    visible::<T::Parent, S>(store, ctx, parent_id).await?;
    // What a role cannot read is absent, as everywhere.
    if !policy::can_read(ctx, T::KIND) {
        return Err(Error::NotFound);
    }
    let (found, next_after) =
        keyset_page::<T, S>(store, vec![Condition::EqId(T::PARENT_COLUMN, parent_id)], page).await?;
    let kept = with_visible_children(store, ctx, found).await?;
    Ok(Page {
        items: finished(store, ctx, kept).await?,
        next_after,
    })
}

/// One record.
pub async fn get<T, S>(store: &S, ctx: &Ctx, id: Uuid) -> Result<T>
where
    T: Nested,
    S: Store + Repository<T> + Repository<T::Parent>,
{
    let record = readable::<T, S>(store, ctx, id).await?;
    finished_one(store, ctx, record).await
}

/// Records a new one under `parent_id`, with an id chosen beforehand.
pub async fn create<T, S>(store: &S, ctx: &Ctx, parent_id: Uuid, input: T::Input, id: Uuid) -> Result<T>
where
    T: Nested,
    S: Store + Repository<T> + Repository<T::Parent> + LimitedInsert<T, T::Parent>,
{
    let unit = store.begin().await?;
    let outcome = create_in(&unit, ctx, parent_id, input, id).await;
    close(unit, outcome).await
}

async fn create_in<T, S>(store: &S, ctx: &Ctx, parent_id: Uuid, input: T::Input, id: Uuid) -> Result<T>
where
    T: Nested,
    S: Store + Repository<T> + Repository<T::Parent> + LimitedInsert<T, T::Parent>,
{
    let parent = visible::<T::Parent, S>(store, ctx, parent_id).await?;
    let (record, facts) = checked_new::<T, S>(store, ctx, &parent, input, id).await?;
    let ev = event(ctx, EventAction::Created, None, &record);
    match record.limit(&parent, ctx) {
        None => store.insert(&record, &ev).await?,
        Some(limit) => {
            if !store
                .insert_limited(&record, &ev, parent_id, &limit.counted, limit.max)
                .await?
            {
                return Err(Error::Conflict {
                    field: Some(limit.field.to_owned()),
                    message: limit.message,
                });
            }
        }
    }
    answer_with(store, ctx, record, &facts).await
}

/// A new record under `parent` (which the caller has in hand, visible to
/// it), checked exactly as [`create`] checks it, and the event its creation
/// records, for a caller that stores many at once
/// ([`Repository::insert_many`]) and answers no one with them. Only kinds
/// without a limit per parent can be stored so (an `Error::Internal`
/// otherwise).
pub(crate) async fn prepare_create<T, S>(
    store: &S,
    ctx: &Ctx,
    parent: &T::Parent,
    input: T::Input,
) -> Result<(T, Event)>
where
    T: Nested,
    S: Store + Repository<T> + Repository<T::Parent>,
{
    let (record, _) = checked_new::<T, S>(store, ctx, parent, input, Uuid::now_v7()).await?;
    if record.limit(parent, ctx).is_some() {
        return Err(Error::Internal(format!(
            "{} has a limit per parent: it is created one at a time",
            T::KIND.as_str()
        )));
    }
    let ev = event(ctx, EventAction::Created, None, &record);
    Ok((record, ev))
}

async fn checked_new<T, S>(
    store: &S,
    ctx: &Ctx,
    parent: &T::Parent,
    mut input: T::Input,
    id: Uuid,
) -> Result<(T, HashMap<Uuid, T::Facts>)>
where
    T: Nested,
    S: Store + Repository<T> + Repository<T::Parent>,
{
    may::<T>(ctx, Action::Create)?;
    let at = now();
    let mut record = T::blank(Meta { id, ..Meta::new(at) });
    record.attach(parent, ctx);
    let mut f = Fields::new(Mode::Create, input.take_unknown());
    record.apply(input, &mut f, at.date_naive());
    if parent.is_archived() {
        f.reject(T::PARENT_COLUMN, "archived", msg!("nested.parent_archived"));
    }
    record.check_parent(parent, &mut f);
    record.check_with(store, ctx, &mut f).await?;
    let facts = facts_of::<T, S>(store, ctx, id).await?;
    check_facts(&record, &facts, &mut f);
    f.finish()?;
    Ok((record, facts))
}

/// Changes a record (JSON merge patch) at `expected_version`; an ended one is history.
pub async fn update<T, S>(store: &S, ctx: &Ctx, id: Uuid, expected_version: i64, patch: T::Input) -> Result<T>
where
    T: Nested,
    S: Store + Repository<T> + Repository<T::Parent>,
{
    let unit = store.begin().await?;
    let outcome = update_in(&unit, ctx, id, expected_version, patch).await;
    close(unit, outcome).await
}

async fn update_in<T, S>(store: &S, ctx: &Ctx, id: Uuid, expected_version: i64, patch: T::Input) -> Result<T>
where
    T: Nested,
    S: Store + Repository<T> + Repository<T::Parent>,
{
    let (current, parent) = seen::<T, S>(store, ctx, id).await?;
    may::<T>(ctx, Action::Update)?;
    change(
        store,
        ctx,
        current,
        expected_version,
        patch,
        Writable::All,
        move |record, current, f| {
            if current.is_archived() && record != current {
                f.reject(T::END_FIELD, "ended", msg!("nested.ended"));
            }
            record.check_change(current, f);
            record.check_parent(&parent, f);
        },
    )
    .await
}

/// Ends a record; it stays in the history.
pub async fn end<T, S>(store: &S, ctx: &Ctx, id: Uuid, expected_version: i64) -> Result<T>
where
    T: Nested,
    S: Store + Repository<T> + Repository<T::Parent>,
{
    let unit = store.begin().await?;
    let outcome = end_in(&unit, ctx, id, expected_version).await;
    close(unit, outcome).await
}

async fn end_in<T, S>(store: &S, ctx: &Ctx, id: Uuid, expected_version: i64) -> Result<T>
where
    T: Nested,
    S: Store + Repository<T> + Repository<T::Parent>,
{
    let (current, _) = seen::<T, S>(store, ctx, id).await?;
    may::<T>(ctx, Action::Archive)?;
    archive_at(store, ctx, current, expected_version).await
}

/// One page of the records of this kind about a child the caller may see,
/// current and ended, oldest first; `NotFound` when the role cannot read the kind.
pub async fn of_child<T, S>(store: &S, ctx: &Ctx, child_id: Uuid, page: PageRequest) -> Result<Page<T>>
where
    T: Nested,
    S: Store + Repository<T> + Repository<T::Parent>,
{
    visible::<Child, S>(store, ctx, child_id).await?;
    page_of::<T, S>(store, ctx, "child_id", child_id, page).await
}

/// One page of the records whose `column` holds `id` that the caller may see
/// (through their parent, and their child), oldest first; `NotFound` when the
/// role cannot read the kind. The caller has checked that it may see `id`'s record.
pub async fn page_of<T, S>(store: &S, ctx: &Ctx, column: &'static str, id: Uuid, page: PageRequest) -> Result<Page<T>>
where
    T: Nested,
    S: Store + Repository<T> + Repository<T::Parent>,
{
    if !policy::can_read(ctx, T::KIND) {
        return Err(Error::NotFound);
    }
    let (found, next_after) = keyset_page::<T, S>(store, vec![Condition::EqId(column, id)], page).await?;
    Ok(Page {
        items: seen_through_parents(store, ctx, found).await?,
        next_after,
    })
}

/// The records whose `column` holds one of `ids`, that the caller may see,
/// keyed by `key` (for batched nested loads: a page costs the same queries
/// whatever its size). Ended records are left out unless `with_ended`.
pub async fn of_many<T, S>(
    store: &S,
    ctx: &Ctx,
    column: &'static str,
    ids: &[Uuid],
    with_ended: bool,
    key: fn(&T) -> Uuid,
) -> Result<HashMap<Uuid, Vec<T>>>
where
    T: Nested,
    S: Store + Repository<T> + Repository<T::Parent>,
{
    let mut out: HashMap<Uuid, Vec<T>> = HashMap::new();
    if ids.is_empty() || !policy::can_read(ctx, T::KIND) {
        return Ok(out);
    }
    let query = ListQuery {
        conditions: vec![Condition::IdIn(column, ids.to_vec())],
        page: PageRequest {
            after: None,
            limit: 20 * T::MAX_LISTED,
        },
    };
    let found: Vec<T> = Repository::<T>::list(store, &query).await?;
    if found.len() as u64 >= query.page.limit {
        // Never a silently shortened list: the caller pages in smaller steps.
        return Err(Error::InvalidParameters(vec![FieldError::new(
            "page",
            "too_many_related",
            crate::msg!("nested.too_many_related"),
        )]));
    }
    let today = now().date_naive();
    let found: Vec<T> = found
        .into_iter()
        .filter(|r| with_ended || r.is_current(today))
        .collect();
    for r in seen_through_parents(store, ctx, found).await? {
        out.entry(key(&r)).or_default().push(r);
    }
    Ok(out)
}

/// The records among `ids` the caller may read, through their parent, as it
/// reads them (derived, masked); the read is not logged here.
pub(crate) async fn readable_many<T, S>(store: &S, ctx: &Ctx, ids: &[Uuid]) -> Result<Vec<T>>
where
    T: Nested,
    S: Store + Repository<T> + Repository<T::Parent>,
{
    if ids.is_empty() || !policy::can_read(ctx, T::KIND) {
        return Ok(Vec::new());
    }
    let found = Repository::<T>::find_many(store, ids).await?;
    seen_through_parents(store, ctx, found).await
}

/// Keeps the records the caller may see through their parent (or, for a kind
/// read with its child, through the child alone) and their child, finished
/// for the caller.
async fn seen_through_parents<T, S>(store: &S, ctx: &Ctx, found: Vec<T>) -> Result<Vec<T>>
where
    T: Nested,
    S: Store + Repository<T> + Repository<T::Parent>,
{
    let parent_ids: Vec<Uuid> = found
        .iter()
        .map(Nested::parent_id)
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let parents: HashSet<Uuid> = visible_many::<T::Parent, S>(store, ctx, &parent_ids)
        .await?
        .iter()
        .map(|p| p.meta().id)
        .collect();
    let found: Vec<T> = found
        .into_iter()
        .filter(|r| (T::READ_WITH_CHILD && r.child_id().is_some()) || parents.contains(&r.parent_id()))
        .collect();
    let kept = with_visible_children(store, ctx, found).await?;
    finished(store, ctx, kept).await
}
