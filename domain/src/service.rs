//! The operations both APIs call. Each one decides visibility, authorises,
//! validates and writes through one path, so no surface can skip a rule.

use crate::message::Message;
use crate::msg;
use std::collections::{HashMap, HashSet};

use serde_json::{Map, Value, json};
use uuid::Uuid;

use crate::audit::note_access;
use crate::child::Child;
use crate::ctx::Ctx;
use crate::enums::{Guarantee, StrEnum};
use crate::error::{Error, FieldError, Result};
use crate::fields::{Fields, Input, Mode, parse_instant};
use crate::guardian::Guardian;
use crate::guardianship::Guardianship;
use crate::policy::{self, Action, Writable};
use crate::ports::{RegionStore, Repository, Store, Transactional};
use crate::region::{self, Region};
use crate::resource::{
    Condition, Event, EventAction, FilterKind, ListQuery, Meta, Page, PageRequest, Resource, ResourceKind, now,
};
use crate::uniqueness;

/// Reads a record the caller may see: absent, outside the jurisdiction and
/// invisible to the role all answer `NotFound`.
pub(crate) async fn visible<T: Resource, S: Repository<T>>(store: &S, ctx: &Ctx, id: Uuid) -> Result<T> {
    if !policy::can_read(ctx, T::KIND) {
        return Err(Error::NotFound);
    }
    match store.find(id).await? {
        Some(r) if ctx.sees(T::KIND, r.region_code()) && ctx.reaches(T::KIND, id) => Ok(r),
        _ => Err(Error::NotFound),
    }
}

/// On create, checks that the record a field names (a visit's child, a
/// guardianship's guardian) is one the caller may see and not archived;
/// `unknown` (its code and text) or `archived` on that field otherwise.
pub(crate) async fn check_named<T: Resource, S: Repository<T>>(
    store: &S,
    ctx: &Ctx,
    f: &mut Fields,
    field: &str,
    id: Uuid,
    unknown: (&str, Message),
    archived: Message,
) -> Result<()> {
    if f.mode() != Mode::Create || f.has_error(field) {
        return Ok(());
    }
    match visible::<T, S>(store, ctx, id).await {
        Ok(r) if !r.is_archived() => {}
        Ok(_) => f.reject(field, "archived", archived),
        Err(Error::NotFound) => f.reject(field, unknown.0, unknown.1),
        Err(e) => return Err(e),
    }
    Ok(())
}

/// A record as it leaves the domain: derived fields settled, masked for the caller.
pub(crate) fn masked<T: Resource>(mut record: T, ctx: &Ctx) -> T {
    record.settle(now().date_naive());
    record.mask(ctx);
    record
}

/// Records as they leave the domain: what follows from other records derived
/// (a child's guarantees), settled, masked for the caller.
pub(crate) async fn finished<T: Resource, S: Store>(store: &S, ctx: &Ctx, records: Vec<T>) -> Result<Vec<T>> {
    let ids: Vec<Uuid> = records.iter().map(|r| r.meta().id).collect();
    let facts = T::read_facts(store, ctx, &ids).await?;
    Ok(finish(records, &facts, ctx))
}

/// The records as they leave the domain, derived from facts already read.
fn finish<T: Resource>(records: Vec<T>, facts: &HashMap<Uuid, T::Facts>, ctx: &Ctx) -> Vec<T> {
    let today = now().date_naive();
    let none = T::Facts::default();
    records
        .into_iter()
        .map(|mut r| {
            r.derive(facts.get(&r.meta().id).unwrap_or(&none), ctx, today);
            masked(r, ctx)
        })
        .collect()
}

/// The facts of one record, read once for its checks and its answer.
pub(crate) async fn facts_of<T: Resource, S: Store>(store: &S, ctx: &Ctx, id: Uuid) -> Result<HashMap<Uuid, T::Facts>> {
    T::read_facts(store, ctx, &[id]).await
}

/// Checks the rules that depend on the record's facts.
pub(crate) fn check_facts<T: Resource>(record: &T, facts: &HashMap<Uuid, T::Facts>, f: &mut Fields) {
    match facts.get(&record.meta().id) {
        Some(found) => record.check_facts(found, f),
        None => record.check_facts(&T::Facts::default(), f),
    }
}

/// A written record as its writer reads it, from the facts its checks read,
/// noted in the read log when it carries unmasked personal data.
pub(crate) async fn answer_with<T: Resource, S: Store>(
    store: &S,
    ctx: &Ctx,
    record: T,
    facts: &HashMap<Uuid, T::Facts>,
) -> Result<T> {
    let record = finish(vec![record], facts, ctx).pop().ok_or(Error::NotFound)?;
    sent(store, ctx, &record).await?;
    Ok(record)
}

/// One record as it leaves the domain (see [`finished`]).
pub(crate) async fn finished_one<T: Resource, S: Store>(store: &S, ctx: &Ctx, record: T) -> Result<T> {
    finished(store, ctx, vec![record]).await?.pop().ok_or(Error::NotFound)
}

/// One record, masked for the caller, noted in the read log when it carries
/// unmasked personal data.
pub async fn get<T: Resource, S: Store + Repository<T>>(store: &S, ctx: &Ctx, id: Uuid) -> Result<T> {
    answer(store, ctx, visible(store, ctx, id).await?).await
}

/// One record, masked for the caller, whose read is not logged yet: for a
/// surface that may answer without sending it (REST's 304 Not Modified, a
/// `HEAD`), and that calls [`sent`] when it does send it.
pub async fn get_unsent<T: Resource, S: Store + Repository<T>>(store: &S, ctx: &Ctx, id: Uuid) -> Result<T> {
    let record = visible(store, ctx, id).await?;
    finished_one(store, ctx, record).await
}

/// Notes in the read log that `record` (from [`get_unsent`]) went out in a
/// response of its own, when it carries unmasked personal data.
pub async fn sent<T: Resource, S: Store>(store: &S, ctx: &Ctx, record: &T) -> Result<()> {
    note_access(store, ctx, [record]).await
}

/// One record as it leaves the domain in a response of its own, noted in the
/// read log when it carries unmasked personal data.
async fn answer<T: Resource, S: Store>(store: &S, ctx: &Ctx, record: T) -> Result<T> {
    let record = finished_one(store, ctx, record).await?;
    sent(store, ctx, &record).await?;
    Ok(record)
}

/// The visible records among `ids`, masked, keyed by id (for batched nested loads).
pub async fn get_many<T: Resource, S: Store + Repository<T>>(
    store: &S,
    ctx: &Ctx,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, T>> {
    let records = readable_many::<T, S>(store, ctx, ids).await?;
    note_access(store, ctx, &records).await?;
    Ok(records.into_iter().map(|r| (r.meta().id, r)).collect())
}

/// The records among `ids` the caller may read, as it reads them (derived,
/// masked); the read is not logged here.
pub(crate) async fn readable_many<T: Resource, S: Store + Repository<T>>(
    store: &S,
    ctx: &Ctx,
    ids: &[Uuid],
) -> Result<Vec<T>> {
    finished(store, ctx, visible_many::<T, S>(store, ctx, ids).await?).await
}

/// The records among `ids` the caller may see, unmasked (for decisions, not for responses).
pub(crate) async fn visible_many<T: Resource, S: Repository<T>>(store: &S, ctx: &Ctx, ids: &[Uuid]) -> Result<Vec<T>> {
    if ids.is_empty() || !policy::can_read(ctx, T::KIND) {
        return Ok(Vec::new());
    }
    Ok(store
        .find_many(ids)
        .await?
        .into_iter()
        .filter(|r| ctx.sees(T::KIND, r.region_code()) && ctx.reaches(T::KIND, r.meta().id))
        .collect())
}

fn bad_param(param: &str, code: &str, message: Message) -> FieldError {
    FieldError::new(param, code, message)
}

/// Turns list parameters into conditions bounded by the caller's jurisdiction.
/// `Ok(None)` means nothing can match (a region outside the jurisdiction).
pub fn list_conditions<T: Resource>(ctx: &Ctx, params: &[(String, String)]) -> Result<Option<Vec<Condition>>> {
    let mut conditions = Vec::new();
    let mut errors = Vec::new();
    let mut region_prefix: Option<String> = None;
    let mut status: Option<String> = None;
    let mut seen = HashSet::new();
    for (name, value) in params {
        if !seen.insert(name.as_str()) {
            errors.push(bad_param(name, "repeated", msg!("param.repeated")));
            continue;
        }
        match name.as_str() {
            "region" => {
                if region::is_valid_code(value) {
                    region_prefix = Some(region::prefix_of(value).to_owned());
                } else {
                    errors.push(bad_param(name, "invalid_format", msg!("region.invalid_code")));
                }
            }
            "updated_since" => match parse_instant(value) {
                Some(t) => conditions.push(Condition::From("updated_at", t)),
                None => errors.push(bad_param(name, "invalid_instant", msg!("field.expected_instant"))),
            },
            "q" => {
                let q = value.trim();
                if q.is_empty() || q.chars().count() > 50 {
                    errors.push(bad_param(name, "invalid_length", msg!("param.invalid_q")));
                } else if q.chars().any(char::is_control) {
                    errors.push(bad_param(name, "invalid_characters", msg!("field.control_characters")));
                } else {
                    conditions.push(Condition::StartsWith(T::NAME_COLUMN, q.to_owned()));
                }
            }
            other => match T::FILTERS.iter().find(|f| f.param == other) {
                None => errors.push(bad_param(name, "unknown_parameter", msg!("param.unknown"))),
                Some(spec) => match spec.kind {
                    FilterKind::Enum(valid, expected) => {
                        if valid(value) && spec.column == "status" {
                            status = Some(value.clone());
                        } else if valid(value) {
                            conditions.push(Condition::Eq(spec.column, value.clone()));
                        } else {
                            errors.push(bad_param(
                                name,
                                "invalid_value",
                                msg!("field.expected_one_of", values = expected()),
                            ));
                        }
                    }
                    FilterKind::GuaranteeUnmet => match Guarantee::parse(value) {
                        Some(g) => conditions.push(Condition::GuaranteeUnmet(g, ctx.rules, now().date_naive())),
                        None => errors.push(bad_param(
                            name,
                            "invalid_value",
                            msg!("field.expected_one_of", values = Guarantee::expected()),
                        )),
                    },
                    FilterKind::From | FilterKind::Before => match parse_instant(value) {
                        Some(t) if matches!(spec.kind, FilterKind::From) => {
                            conditions.push(Condition::From(spec.column, t))
                        }
                        Some(t) => conditions.push(Condition::Before(spec.column, t)),
                        None => errors.push(bad_param(name, "invalid_instant", msg!("field.expected_instant"))),
                    },
                },
            },
        }
    }
    if !errors.is_empty() {
        return Err(Error::InvalidParameters(errors));
    }
    match (T::status_conditions(status.as_deref(), now().date_naive()), status) {
        (Some(own), _) => conditions.extend(own),
        (None, Some(s)) => conditions.push(Condition::Eq("status", s)),
        (None, None) => conditions.push(Condition::NotIn(
            "status",
            T::HIDDEN_BY_DEFAULT.iter().map(|s| (*s).to_owned()).collect(),
        )),
    }
    // The effective subtree is the narrower of the jurisdiction and the filter.
    // Care places registered above the caller's region that serve it (see
    // `Ctx::served_from`), within the filter's subtree.
    let mut served = if T::KIND == ResourceKind::CareCenter {
        ctx.served_from()
    } else {
        Vec::new()
    };
    if let Some(r) = &region_prefix {
        served.retain(|code| code.starts_with(r.as_str()));
    }
    let bound = match (ctx.jurisdiction_prefix(), region_prefix) {
        (None, r) => r,
        (Some(j), None) => Some(j.to_owned()),
        (Some(j), Some(r)) if r.starts_with(j) => {
            served.clear();
            Some(r)
        }
        (Some(j), Some(r)) if j.starts_with(&r) => Some(j.to_owned()),
        (Some(_), Some(_)) => return Ok(None),
    };
    match bound {
        Some(prefix) if served.is_empty() => conditions.push(Condition::WithinRegion(prefix)),
        Some(prefix) => conditions.push(Condition::WithinRegionOrIn(prefix, served)),
        None => {}
    }
    if let Some(only) = ctx.reachable(T::KIND) {
        conditions.push(Condition::IdIn("id", only.to_vec()));
    }
    Ok(Some(conditions))
}

/// A page of records the caller may see, masked.
pub async fn list<T: Resource, S: Store + Repository<T>>(
    store: &S,
    ctx: &Ctx,
    params: &[(String, String)],
    page: PageRequest,
) -> Result<Page<T>> {
    let conditions = list_conditions::<T>(ctx, params)?;
    let Some(conditions) = conditions.filter(|_| policy::can_read(ctx, T::KIND)) else {
        return Ok(Page {
            items: Vec::new(),
            next_after: None,
        });
    };
    let (items, next_after) = keyset_page::<T, S>(store, conditions, page).await?;
    let items = finished(store, ctx, items).await?;
    note_access(store, ctx, &items).await?;
    Ok(Page { items, next_after })
}

/// One page of the records matching `conditions`, in id order, and the id to
/// continue after when more follow (one more is read to know). The cursor is
/// decided before a caller filters out what it may not see, so that such a page
/// may hold fewer than asked but paging never skips.
pub(crate) async fn keyset_page<T: Resource, S: Repository<T>>(
    store: &S,
    conditions: Vec<Condition>,
    page: PageRequest,
) -> Result<(Vec<T>, Option<Uuid>)> {
    let query = ListQuery {
        conditions,
        page: PageRequest {
            after: page.after,
            limit: page.limit + 1,
        },
    };
    let mut items = Repository::<T>::list(store, &query).await?;
    let more = items.len() as u64 > page.limit;
    items.truncate(usize::try_from(page.limit).unwrap_or(usize::MAX));
    let next_after = if more { items.last().map(|r| r.meta().id) } else { None };
    Ok((items, next_after))
}

/// How many records a list with these parameters holds across all its pages
/// (within the caller's jurisdiction, as the list; 0 for a kind the role
/// cannot read). A count carries no personal data: nothing is read-logged.
pub async fn count<T: Resource, S: Store + Repository<T>>(
    store: &S,
    ctx: &Ctx,
    params: &[(String, String)],
) -> Result<u64> {
    let conditions = list_conditions::<T>(ctx, params)?;
    match conditions.filter(|_| policy::can_read(ctx, T::KIND)) {
        Some(conditions) => Repository::<T>::count(store, &conditions).await,
        None => Ok(0),
    }
}

pub(crate) fn forbidden<T: Resource>(action: Action) -> Error {
    Error::Forbidden(match action {
        Action::Read => msg!("forbidden.read", kind = T::KIND.as_str() => "kind"),
        Action::Create => msg!("forbidden.create", kind = T::KIND.as_str() => "kind"),
        Action::Update => msg!("forbidden.change", kind = T::KIND.as_str() => "kind"),
        Action::Archive => msg!("forbidden.archive", kind = T::KIND.as_str() => "kind"),
    })
}

/// Refuses fields outside what the caller may write, and fields the caller
/// never reads: writes follow reads, so nobody sets or clears what they cannot see.
pub(crate) fn check_writable<T: Resource>(ctx: &Ctx, f: &Fields, writable: Writable) -> Result<()> {
    let unseen = policy::unseen_fields(ctx, T::KIND);
    let refused: Vec<&str> = f
        .present()
        .into_iter()
        .filter(|k| match writable {
            Writable::Only(allowed) => !allowed.contains(k),
            _ => false,
        } || unseen.contains(k))
        .collect();
    if refused.is_empty() {
        Ok(())
    } else {
        Err(Error::Forbidden(msg!("forbidden.fields", fields = refused.join(", "))))
    }
}

/// Checks that the record's region exists, has the right level and lies in the
/// caller's jurisdiction (one outside it is reported like an unknown one).
async fn check_region<T: Resource, S: RegionStore>(store: &S, ctx: &Ctx, record: &T, f: &mut Fields) -> Result<()> {
    if f.has_error("region_code") {
        return Ok(());
    }
    let code = record.region_code();
    if !region::is_valid_code(code) {
        f.reject("region_code", "invalid_format", msg!("region.invalid_code"));
        return Ok(());
    }
    let found = if ctx.covers(code) {
        store.region(code).await?
    } else {
        None
    };
    match (found, T::REGION_LEVEL) {
        (None, _) => f.reject("region_code", "unknown_region", msg!("region.unknown")),
        (Some(r), Some(level)) if r.level != level => {
            f.reject(
                "region_code",
                "wrong_level",
                msg!(
                    "region.wrong_level",
                    expected = level => "enum.region_level",
                    actual = r.level => "enum.region_level"
                ),
            );
        }
        _ => {}
    }
    Ok(())
}

/// What changed between two versions of a record: `{field: {before, after}}`.
pub(crate) fn diff<T: Resource>(before: Option<&T>, after: &T) -> Value {
    let as_map = |r: &T| match serde_json::to_value(r) {
        Ok(Value::Object(m)) => m,
        _ => Map::new(),
    };
    let old = before.map(as_map).unwrap_or_default();
    let new = as_map(after);
    let mut changes = Map::new();
    for (k, v) in &new {
        if matches!(k.as_str(), "version" | "updated_at" | "created_at" | "id") {
            continue;
        }
        let was = old.get(k).cloned().unwrap_or(Value::Null);
        if before.is_none() || &was != v {
            changes.insert(k.clone(), json!({"before": was, "after": v}));
        }
    }
    Value::Object(changes)
}

pub(crate) fn event<T: Resource>(ctx: &Ctx, action: EventAction, before: Option<&T>, after: &T) -> Event {
    Event {
        id: Uuid::now_v7(),
        occurred_at: after.meta().updated_at,
        actor: ctx.subject.clone(),
        actor_role: ctx.role.to_string(),
        request_id: ctx.request_id.clone(),
        client_request_id: ctx.client_request_id.clone(),
        resource_kind: T::KIND,
        resource_id: after.meta().id,
        region_code: after.region_code().to_owned(),
        action,
        version: after.meta().version,
        changes: diff(before, after),
    }
}

/// Registers a new record from a create object.
pub async fn create<T, S>(store: &S, ctx: &Ctx, input: T::Input) -> Result<T>
where
    T: Resource,
    S: Store + Repository<T>,
{
    create_with_id(store, ctx, input, Uuid::now_v7()).await
}

/// Registers a new record under an id chosen beforehand (reserved with an
/// idempotency key).
pub async fn create_with_id<T, S>(store: &S, ctx: &Ctx, input: T::Input, id: Uuid) -> Result<T>
where
    T: Resource,
    S: Store + Repository<T>,
{
    let writable = policy::writable(ctx, T::KIND, Action::Create);
    if writable == Writable::Nothing {
        return Err(forbidden::<T>(Action::Create));
    }
    let unit = store.begin().await?;
    let outcome = create_in(&unit, ctx, input, id, writable).await;
    close(unit, outcome).await
}

async fn create_in<T, S>(store: &S, ctx: &Ctx, input: T::Input, id: Uuid, writable: Writable) -> Result<T>
where
    T: Resource,
    S: Store + Repository<T>,
{
    let (record, facts, id_number) = checked_new::<T, S>(store, ctx, input, id, writable).await?;
    let inserted = store
        .insert(&record, &event(ctx, EventAction::Created, None, &record))
        .await;
    uniqueness::noted::<_, T, S>(store, ctx, id_number, inserted).await?;
    answer_with(store, ctx, record, &facts).await
}

/// A new record as `create` checks it, not yet stored: the record, the facts
/// its checks read and the ID number it sends.
type Checked<T> = (T, HashMap<Uuid, <T as Resource>::Facts>, Option<String>);

async fn checked_new<T, S>(
    store: &S,
    ctx: &Ctx,
    mut input: T::Input,
    id: Uuid,
    writable: Writable,
) -> Result<Checked<T>>
where
    T: Resource,
    S: Store + Repository<T>,
{
    let at = now();
    let mut record = T::blank(Meta { id, ..Meta::new(at) });
    let mut f = Fields::new(Mode::Create, input.take_unknown());
    record.apply(input, &mut f, at.date_naive());
    check_writable::<T>(ctx, &f, writable)?;
    check_region(store, ctx, &record, &mut f).await?;
    record.check_with(store, ctx, &mut f).await?;
    let facts = facts_of::<T, S>(store, ctx, id).await?;
    check_facts(&record, &facts, &mut f);
    let id_number = uniqueness::sent_id_number(&record, &f);
    f.finish()?;
    uniqueness::check_allowance(store, ctx, id_number.as_deref()).await?;
    Ok((record, facts, id_number))
}

/// A new record checked exactly as [`create`] checks it, and the event its
/// creation records, for a caller that stores many at once
/// ([`Repository::insert_many`]) and answers no one with them.
pub(crate) async fn prepare_create<T, S>(store: &S, ctx: &Ctx, input: T::Input) -> Result<(T, Event)>
where
    T: Resource,
    S: Store + Repository<T>,
{
    let writable = policy::writable(ctx, T::KIND, Action::Create);
    if writable == Writable::Nothing {
        return Err(forbidden::<T>(Action::Create));
    }
    let (record, _, _) = checked_new::<T, S>(store, ctx, input, Uuid::now_v7(), writable).await?;
    let ev = event(ctx, EventAction::Created, None, &record);
    Ok((record, ev))
}

/// Ends a unit of work (see [`Transactional`]): its writes are kept when the
/// operation succeeded, and when the write itself found a conflict (nothing
/// was written then but the read-log note of a matched ID number, which must
/// stay, see [`uniqueness`]); otherwise it is rolled back.
pub(crate) async fn close<S: Transactional, T>(unit: S, outcome: Result<T>) -> Result<T> {
    match outcome {
        Ok(value) => {
            unit.commit().await?;
            Ok(value)
        }
        Err(conflict @ Error::Conflict { .. }) => {
            unit.commit().await?;
            Err(conflict)
        }
        Err(other) => Err(other),
    }
}

/// Applies a JSON merge patch to a record at `expected_version`.
pub async fn update<T, S>(store: &S, ctx: &Ctx, id: Uuid, expected_version: i64, patch: T::Input) -> Result<T>
where
    T: Resource,
    S: Store + Repository<T>,
{
    let unit = store.begin().await?;
    let outcome = update_in(&unit, ctx, id, expected_version, patch).await;
    close(unit, outcome).await
}

async fn update_in<T, S>(store: &S, ctx: &Ctx, id: Uuid, expected_version: i64, patch: T::Input) -> Result<T>
where
    T: Resource,
    S: Store + Repository<T>,
{
    let current = visible::<T, S>(store, ctx, id).await?;
    let writable = policy::writable(ctx, T::KIND, Action::Update);
    if writable == Writable::Nothing {
        return Err(forbidden::<T>(Action::Update));
    }
    within_jurisdiction(ctx, &current)?;
    change(store, ctx, current, expected_version, patch, writable, |_, _, _| {}).await
}

/// Refuses to change a record the caller reads but that lies outside its
/// jurisdiction (a care place of its township or county, see `Ctx::sees`).
fn within_jurisdiction<T: Resource>(ctx: &Ctx, record: &T) -> Result<()> {
    if ctx.covers(record.region_code()) {
        Ok(())
    } else {
        Err(Error::Forbidden(
            msg!("forbidden.above_jurisdiction", kind = T::KIND.as_str() => "kind"),
        ))
    }
}

/// The one path of a change, for records and nested records alike: applies
/// `patch` to `current` (a record the caller may see and change), checks every
/// rule — the fields, those the role may write, the region, what `more` adds
/// (a nested record's history and parent), those that need other records, the
/// ID-number allowance — and writes it if it is still at `expected_version`.
/// An invalid patch is reported as such whatever its version.
pub(crate) async fn change<T, S>(
    store: &S,
    ctx: &Ctx,
    current: T,
    expected_version: i64,
    mut patch: T::Input,
    writable: Writable,
    more: impl FnOnce(&T, &T, &mut Fields) + Send,
) -> Result<T>
where
    T: Resource,
    S: Store + Repository<T>,
{
    let mut record = current.clone();
    let mut f = Fields::new(Mode::Patch, patch.take_unknown());
    record.apply(patch, &mut f, now().date_naive());
    check_writable::<T>(ctx, &f, writable)?;
    if record.region_code() != current.region_code() {
        check_region(store, ctx, &record, &mut f).await?;
    }
    more(&record, &current, &mut f);
    record.check_with(store, ctx, &mut f).await?;
    let facts = facts_of::<T, S>(store, ctx, current.meta().id).await?;
    check_facts(&record, &facts, &mut f);
    let id_number = uniqueness::sent_id_number(&record, &f);
    f.finish()?;
    uniqueness::check_allowance(store, ctx, id_number.as_deref()).await?;
    if current.meta().version != expected_version {
        return Err(Error::VersionMismatch {
            current: current.meta().version,
        });
    }
    if record == current {
        return answer_with(store, ctx, record, &facts).await;
    }
    let saved = save(store, ctx, EventAction::Updated, &current, record).await;
    let saved = uniqueness::noted::<_, T, S>(store, ctx, id_number, saved).await?;
    answer_with(store, ctx, saved, &facts).await
}

/// Archives a record at `expected_version`; archiving an archived record changes nothing.
pub async fn archive<T, S>(store: &S, ctx: &Ctx, id: Uuid, expected_version: i64) -> Result<T>
where
    T: Resource,
    S: Store + Repository<T>,
{
    let unit = store.begin().await?;
    let outcome = archive_in(&unit, ctx, id, expected_version).await;
    close(unit, outcome).await
}

async fn archive_in<T, S>(store: &S, ctx: &Ctx, id: Uuid, expected_version: i64) -> Result<T>
where
    T: Resource,
    S: Store + Repository<T>,
{
    let current = visible::<T, S>(store, ctx, id).await?;
    if policy::writable(ctx, T::KIND, Action::Archive) != Writable::All {
        return Err(forbidden::<T>(Action::Archive));
    }
    within_jurisdiction(ctx, &current)?;
    archive_at(store, ctx, current, expected_version).await
}

/// Archives (or ends) a record the caller may see and change, if it is still at
/// `expected_version`; archiving an archived record changes nothing.
pub(crate) async fn archive_at<T: Resource, S: Store + Repository<T>>(
    store: &S,
    ctx: &Ctx,
    current: T,
    expected_version: i64,
) -> Result<T> {
    if current.meta().version != expected_version {
        return Err(Error::VersionMismatch {
            current: current.meta().version,
        });
    }
    if current.is_archived() {
        return finished_one(store, ctx, current).await;
    }
    let mut record = current.clone();
    record.archive();
    let saved = save(store, ctx, EventAction::Archived, &current, record).await?;
    finished_one(store, ctx, saved).await
}

pub(crate) async fn save<T: Resource, S: Store + Repository<T>>(
    store: &S,
    ctx: &Ctx,
    action: EventAction,
    current: &T,
    mut record: T,
) -> Result<T> {
    let expected = current.meta().version;
    let meta = record.meta_mut();
    meta.version = expected + 1;
    meta.updated_at = now().max(current.meta().updated_at);
    store
        .update(&record, expected, &event(ctx, action, Some(current), &record))
        .await?;
    Ok(record)
}

/// The active guardianships of children the caller may see, keyed by child.
pub async fn guardianships_of_children<S: Store>(
    store: &S,
    ctx: &Ctx,
    child_ids: &[Uuid],
) -> Result<HashMap<Uuid, Vec<Guardianship>>> {
    crate::nested::of_many::<Guardianship, S>(store, ctx, "child_id", child_ids, false, |g| g.child_id).await
}

/// The children, visible to the caller, of guardians the caller may see, keyed by guardian.
pub async fn children_of_guardians<S>(store: &S, ctx: &Ctx, guardian_ids: &[Uuid]) -> Result<HashMap<Uuid, Vec<Child>>>
where
    S: Store,
{
    let ids: Vec<Uuid> = visible_many::<Guardian, S>(store, ctx, guardian_ids)
        .await?
        .iter()
        .map(|g| g.meta.id)
        .collect();
    let mut out: HashMap<Uuid, Vec<Child>> = HashMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    let links = store.guardianships_of_guardians(&ids).await?;
    let child_ids: Vec<Uuid> = links
        .iter()
        .map(|g| g.child_id)
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let children = get_many::<Child, S>(store, ctx, &child_ids).await?;
    for link in links {
        if let Some(child) = children.get(&link.child_id) {
            out.entry(link.guardian_id).or_default().push(child.clone());
        }
    }
    for list in out.values_mut() {
        list.sort_by_key(|c| c.meta.id);
    }
    Ok(out)
}

/// Regions below `parent` (or the top level present); regions are public
/// administrative data, readable by every authenticated caller.
pub async fn regions<S: RegionStore>(store: &S, parent: Option<&str>) -> Result<Vec<Region>> {
    if let Some(p) = parent
        && !region::is_valid_code(p)
    {
        return Err(Error::InvalidParameters(vec![bad_param(
            "parent",
            "invalid_format",
            msg!("region.invalid_code"),
        )]));
    }
    store.regions(parent).await
}

/// One region.
pub async fn region<S: RegionStore>(store: &S, code: &str) -> Result<Region> {
    if !region::is_valid_code(code) {
        return Err(Error::NotFound);
    }
    store.region(code).await?.ok_or(Error::NotFound)
}

/// Parses a `code,name` CSV of regions (with that header) into regions.
pub fn parse_regions_csv(text: &str) -> Result<Vec<Region>> {
    let mut lines = text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty());
    match lines.next() {
        Some((_, header)) if header.trim().trim_start_matches('\u{feff}').replace(' ', "") == "code,name" => {}
        _ => {
            return Err(Error::invalid("header", "invalid_header", msg!("region.csv_header")));
        }
    }
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for (n, line) in lines {
        let (code, name) = line.split_once(',').unwrap_or((line, ""));
        let name = name.trim().trim_matches('"');
        match Region::new(code.trim(), name) {
            Some(r) => out.push(r),
            None => errors.push(FieldError::new(
                format!("line {}", n + 1),
                "invalid_row",
                msg!("region.csv_row"),
            )),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(Error::Validation(errors))
    }
}
