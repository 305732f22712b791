//! The changes feed (contract §8): every committed write, in commit order, as
//! each caller may see it.
//!
//! A write stores its changes when it commits, without a position, and waits
//! for no other write; the feed's readers give them positions before they
//! read the head ([`ChangeStore::settle`]): one settler at a time, to
//! committed changes only, in the order they were stored (a record's in the
//! order of its versions). A later position is thus never visible before an
//! earlier one, on SQLite and PostgreSQL and across replicas, and a write
//! committed before a read is settled by it: a consumer that asks again
//! `after` the cursor it was given never misses and never repeats a change,
//! and sees an acknowledged write in its very next read. A write that began
//! after another committed is listed after it; writes that committed at the
//! same time are listed in the order they stored their changes.
//!
//! What a caller sees is decided when it reads, for the caller as it is now:
//! - a change of a record it may read now, made while the record was in its
//!   jurisdiction, is listed with the record as the caller reads it now
//!   (derived, masked);
//! - a register record that moved out of its jurisdiction (its region before
//!   the change inside, after it outside) is listed once, as `left_scope`,
//!   with no data; one that moved in is listed as `created`;
//! - for a volunteer, a pairing of theirs that begins lists the child as
//!   `created`, one that ends lists it as `left_scope` (unless paired again);
//! - anything else (a record outside its reach, one it may not read) is not
//!   listed, and nothing tells that it changed.
//!
//! A record seen through a parent (a visit through its child) follows its
//! parent: when the parent leaves the caller's scope its records leave with it.

use std::collections::{HashMap, HashSet};
use std::future::Future;

use chrono::{DateTime, Utc};
use serde_json::Value;
use uuid::Uuid;

use crate::AnyRecord;
use crate::audit::{Disclosed, record_disclosed};
use crate::ctx::Ctx;
use crate::enums::StrEnum;
use crate::error::{Error, FieldError, Result};
use crate::msg;
use crate::policy;
use crate::ports::{Repository, Store};
use crate::resource::{Event, EventAction, ResourceKind};

/// The default page size.
pub const DEFAULT_LIMIT: u64 = 100;
/// The largest page.
pub const MAX_LIMIT: u64 = 1000;
/// The most positions one page reads, visible to the caller or not: a page
/// may hold fewer items than asked (none, even) and still not be the last.
pub const SCAN: u64 = 5000;
/// How long changes are kept by default, in days.
pub const DEFAULT_RETENTION_DAYS: u32 = 90;

pub use crate::enums::ChangeAction;

/// A place in the feed: the position of a committed change. A change lists
/// at most one item, so an item's position is a cursor too. Written
/// `f1.<position>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Cursor {
    /// The change's position.
    pub position: i64,
}

impl Cursor {
    /// The cursor's text.
    pub fn encode(self) -> String {
        format!("f1.{}", self.position)
    }

    /// Reads a cursor (or an item's position); `param` names the parameter
    /// for the 400 a malformed one is.
    pub fn parse(text: &str, param: &str) -> Result<Self> {
        let bad = || {
            Error::InvalidParameters(vec![FieldError::new(
                param,
                "invalid_cursor",
                msg!("param.invalid_cursor"),
            )])
        };
        let position = text.strip_prefix("f1.").and_then(digits).ok_or_else(bad)?;
        Ok(Self { position })
    }
}

/// A non-negative decimal number written without sign or leading zeros.
fn digits(s: &str) -> Option<i64> {
    let plain = !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) && (s == "0" || !s.starts_with('0'));
    plain.then(|| s.parse().ok()).flatten()
}

/// One item of the feed.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    /// Its place in the feed (a valid cursor).
    pub cursor: Cursor,
    /// The kind of record.
    pub kind: ResourceKind,
    /// The record.
    pub id: Uuid,
    /// The record's version after the change (for a record that came into
    /// scope, its version now).
    pub version: i64,
    /// What happened.
    pub action: ChangeAction,
    /// The fields the change set (see the contract).
    pub changed: Vec<String>,
    /// When it was committed.
    pub at: DateTime<Utc>,
    /// The record as the caller reads it now; `None` for `left_scope`.
    pub record: Option<AnyRecord>,
}

/// A page of the feed.
#[derive(Debug, Clone, PartialEq)]
pub struct ChangePage {
    /// The changes, in commit order.
    pub items: Vec<Change>,
    /// Where to continue (also when the page is empty).
    pub next: Cursor,
    /// Whether more positions follow that this page did not read.
    pub more: bool,
}

/// What a caller asks of the feed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ChangeRequest {
    /// Continue after this place; from the oldest change kept when `None`.
    pub after: Option<Cursor>,
    /// Only these kinds; every kind when `None`.
    pub kinds: Option<Vec<ResourceKind>>,
    /// At most this many items (1 to [`MAX_LIMIT`]).
    pub limit: u64,
}

impl ChangeRequest {
    /// A request for `kinds` (every kind when `None`, refused when empty) and
    /// at most `limit`; a bad one is 400 naming `types_param` or `limit_param`.
    pub fn read(
        after: Option<Cursor>,
        kinds: Option<Vec<ResourceKind>>,
        limit: Option<i64>,
        (types_param, limit_param): (&str, &str),
    ) -> Result<Self> {
        let mut errors = Vec::new();
        let kinds = kinds.map(|mut kinds| {
            if kinds.is_empty() {
                errors.push(FieldError::new(
                    types_param,
                    "invalid_value",
                    msg!("param.types_empty", expected = ResourceKind::expected()),
                ));
            }
            let mut seen = HashSet::new();
            kinds.retain(|k| seen.insert(*k));
            kinds
        });
        let limit = match limit {
            None => DEFAULT_LIMIT,
            Some(n) if (1..=MAX_LIMIT as i64).contains(&n) => n as u64,
            Some(_) => {
                errors.push(FieldError::new(
                    limit_param,
                    "out_of_range",
                    msg!("param.invalid_limit", max = MAX_LIMIT),
                ));
                DEFAULT_LIMIT
            }
        };
        if errors.is_empty() {
            Ok(Self { after, kinds, limit })
        } else {
            Err(Error::InvalidParameters(errors))
        }
    }
}

/// Reads kind names as REST sends them in `types` (comma-separated); an
/// unknown one is 400 naming `param`.
pub fn kinds_named(list: &str, param: &str) -> Result<Vec<ResourceKind>> {
    let mut errors = Vec::new();
    let mut kinds = Vec::new();
    for name in list.split(',') {
        match ResourceKind::parse(name) {
            Some(k) => kinds.push(k),
            None => errors.push(FieldError::new(
                param,
                "invalid_value",
                msg!("param.unknown_type", value = name, expected = ResourceKind::expected()),
            )),
        }
    }
    if errors.is_empty() {
        Ok(kinds)
    } else {
        Err(Error::InvalidParameters(errors))
    }
}

/// A committed change as stored: its position, the event, and the record's
/// region before it when the change moved the record.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedRow {
    /// Its position.
    pub position: i64,
    /// The record's region before the change, when the change moved it.
    pub region_before: Option<String>,
    /// The event.
    pub event: Event,
}

/// The feed's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FeedHead {
    /// The last position given.
    pub position: i64,
    /// Changes up to this position are no longer kept.
    pub purged_through: i64,
}

/// Which stored changes a page reads (a superset of what the caller sees,
/// narrowed in the domain).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FeedQuery {
    /// Positions after this one…
    pub after: i64,
    /// … up to this one (a committed one).
    pub through: i64,
    /// Only these kinds.
    pub kinds: Vec<ResourceKind>,
    /// Only changes whose region (after or before) starts with one of these,
    /// or is one of `regions_exact`; every region when `None`.
    pub region_prefixes: Option<Vec<String>>,
    /// Regions matched exactly (care places that serve the caller's villages).
    pub regions_exact: Vec<String>,
}

/// Storage of the feed.
pub trait ChangeStore: Send + Sync {
    /// Gives the committed changes that have no position yet the next
    /// positions, in the order they were stored (a record's in the order of
    /// its versions), and advances the head past them; one caller at a time.
    /// Cheap, and without a lock, when every change has its position.
    fn settle(&self) -> impl Future<Output = Result<()>> + Send;
    /// Stored changes, in position order.
    fn feed(&self, query: &FeedQuery) -> impl Future<Output = Result<Vec<FeedRow>>> + Send;
    /// The feed's state now.
    fn feed_head(&self) -> impl Future<Output = Result<FeedHead>> + Send;
    /// Forgets the changes committed before `before`; returns how many.
    fn purge_changes(&self, before: DateTime<Utc>) -> impl Future<Output = Result<u64>> + Send;
}

/// Where the feed stands now: take it before a full sync, then follow the
/// feed from it.
pub async fn head<S: ChangeStore>(store: &S) -> Result<Cursor> {
    // Settled first: the head then covers every write committed before.
    store.settle().await?;
    let head = store.feed_head().await?;
    Ok(Cursor {
        position: head.position,
    })
}

/// Forgets changes older than `days` days (kept at least that long).
pub async fn purge<S: ChangeStore>(store: &S, days: u32) -> Result<u64> {
    store
        .purge_changes(Utc::now() - chrono::Duration::days(i64::from(days)))
        .await
}

/// A page of the feed for `ctx`.
pub async fn changes<S: Store + ChangeStore>(store: &S, ctx: &Ctx, request: &ChangeRequest) -> Result<ChangePage> {
    // Settled first, so that the head covers every write committed before;
    // then the head: every position up to it is committed, and so visible to
    // the read that follows (no smaller position is given after it).
    store.settle().await?;
    let head = store.feed_head().await?;
    let after = request.after.unwrap_or(Cursor {
        position: head.purged_through,
    });
    if after.position < head.purged_through {
        return Err(Error::CursorExpired);
    }
    let through = head.position.min(after.position.saturating_add(SCAN as i64));
    let mut page = between(store, ctx, after, through, request).await?;
    page.more |= through < head.position;
    Ok(page)
}

/// The change at `position` as `ctx` sees it now, if it sees it (of one of
/// `kinds`, when given): what a webhook delivery carries.
pub async fn at<S: Store + ChangeStore>(
    store: &S,
    ctx: &Ctx,
    position: i64,
    kinds: Option<Vec<ResourceKind>>,
) -> Result<Option<Change>> {
    let head = store.feed_head().await?;
    if position <= head.purged_through || position > head.position {
        return Ok(None);
    }
    let request = ChangeRequest {
        after: None,
        kinds,
        limit: 1,
    };
    let after = Cursor { position: position - 1 };
    Ok(between(store, ctx, after, position, &request).await?.items.pop())
}

/// The changes `ctx` sees after `after` up to `through` (committed
/// positions), at most `request.limit` of them.
async fn between<S: Store + ChangeStore>(
    store: &S,
    ctx: &Ctx,
    after: Cursor,
    through: i64,
    request: &ChangeRequest,
) -> Result<ChangePage> {
    let kinds = readable_kinds(ctx, request.kinds.as_deref());
    let mut page = ChangePage {
        items: Vec::new(),
        next: Cursor {
            position: through.max(after.position),
        },
        more: false,
    };
    if kinds.is_empty() || through <= after.position {
        return Ok(page);
    }
    let query = FeedQuery {
        after: after.position,
        through,
        kinds,
        region_prefixes: ctx.jurisdiction_prefix().map(|p| vec![p.to_owned()]),
        regions_exact: ctx.served_from(),
    };
    let rows = store.feed(&query).await?;
    if store.feed_head().await?.purged_through > after.position {
        // Purged while this page was read: some of it may be gone.
        return Err(Error::CursorExpired);
    }
    let pairings = volunteer_pairings(store, ctx, &rows).await?;
    let wanted = request.kinds.as_deref();
    let mut decided: Vec<Decided> = rows
        .iter()
        .filter_map(|row| decide(ctx, row, wanted, pairings.get(&row.event.resource_id)))
        .collect();
    // Only the records of the items this page keeps are read: a consumer far
    // behind pays for a page, not for the positions it scans. An item whose
    // record the caller no longer reads is dropped, so a cut page may hold
    // fewer items than asked; it continues after the last one it considered.
    let cut = decided.len() as u64 > request.limit;
    if cut {
        decided.truncate(usize::try_from(request.limit).unwrap_or(usize::MAX));
    }
    let records = load(store, ctx, &decided).await?;
    let rows_by_position: HashMap<i64, &FeedRow> = rows.iter().map(|r| (r.position, r)).collect();
    page.items.extend(decided.iter().filter_map(|d| {
        rows_by_position
            .get(&d.position)
            .and_then(|row| d.change(row, &records))
    }));
    if let (true, Some(last)) = (cut, decided.last()) {
        page.more = true;
        page.next = Cursor {
            position: last.position,
        };
    }
    if ctx.service_logs_reads {
        let mut sent = Disclosed::default();
        for record in page.items.iter().filter_map(|c| c.record.as_ref()) {
            record.disclose(ctx, &mut sent);
        }
        record_disclosed(store, ctx, &sent).await?;
    }
    Ok(page)
}

/// The kinds asked for that the caller may read at all (a volunteer's feed
/// reads pairings too, for the children they bring and take away).
fn readable_kinds(ctx: &Ctx, asked: Option<&[ResourceKind]>) -> Vec<ResourceKind> {
    let mut kinds: Vec<ResourceKind> = asked
        .unwrap_or(ResourceKind::ALL)
        .iter()
        .copied()
        .filter(|k| policy::can_read(ctx, *k))
        .collect();
    if ctx.reachable(ResourceKind::Child).is_some() && kinds.contains(&ResourceKind::Child) {
        kinds.push(ResourceKind::Pairing);
    }
    kinds
}

/// For a volunteer, the child of each of their own pairings among the rows.
async fn volunteer_pairings<S: Store>(store: &S, ctx: &Ctx, rows: &[FeedRow]) -> Result<HashMap<Uuid, Uuid>> {
    if ctx.reachable(ResourceKind::Child).is_none() {
        return Ok(HashMap::new());
    }
    let ids: Vec<Uuid> = rows
        .iter()
        .filter(|r| r.event.resource_kind == ResourceKind::Pairing)
        .map(|r| r.event.resource_id)
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let pairings = Repository::<crate::pairing::Pairing>::find_many(store, &ids).await?;
    let volunteer_ids: Vec<Uuid> = pairings.iter().map(|p| p.volunteer_id).collect();
    let mine: HashSet<Uuid> = Repository::<crate::volunteer::Volunteer>::find_many(store, &volunteer_ids)
        .await?
        .into_iter()
        .filter(|v| v.account_id.is_some_and(|a| a.to_string() == ctx.subject))
        .map(|v| v.meta.id)
        .collect();
    Ok(pairings
        .into_iter()
        .filter(|p| mine.contains(&p.volunteer_id))
        .map(|p| (p.meta.id, p.child_id))
        .collect())
}

/// What one stored change shows the caller, before the records are read.
#[derive(Debug, Clone)]
struct Decided {
    position: i64,
    kind: ResourceKind,
    id: Uuid,
    action: ChangeAction,
    /// Whether the item carries the record (and is listed only if the caller
    /// reads it now).
    with_record: bool,
    /// Whether the record came into the caller's scope with this change.
    came_in: bool,
}

impl Decided {
    fn change(&self, row: &FeedRow, records: &HashMap<(ResourceKind, Uuid), AnyRecord>) -> Option<Change> {
        let cursor = Cursor {
            position: self.position,
        };
        if !self.with_record {
            return Some(Change {
                cursor,
                kind: self.kind,
                id: self.id,
                version: if self.kind == row.event.resource_kind {
                    row.event.version
                } else {
                    0
                },
                action: self.action,
                changed: Vec::new(),
                at: row.event.occurred_at,
                record: None,
            });
        }
        let record = records.get(&(self.kind, self.id))?.clone();
        let own = self.kind == row.event.resource_kind && !self.came_in;
        let changed = if own {
            match self.action {
                ChangeAction::Archived | ChangeAction::Ended | ChangeAction::Restored => vec!["status".to_owned()],
                _ => field_names(&row.event.changes),
            }
        } else {
            record.fields()
        };
        Some(Change {
            cursor,
            kind: self.kind,
            id: self.id,
            // The version the change made; a record that came in, at its version now.
            version: if own { row.event.version } else { record.version() },
            action: self.action,
            changed,
            at: row.event.occurred_at,
            record: Some(record),
        })
    }
}

fn field_names(changes: &Value) -> Vec<String> {
    changes
        .as_object()
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default()
}

/// What the event's action reads as in the feed.
fn action_of(event: &Event, nested: bool) -> ChangeAction {
    match event.action {
        EventAction::Created => ChangeAction::Created,
        EventAction::Archived if nested => ChangeAction::Ended,
        EventAction::Archived => ChangeAction::Archived,
        EventAction::Updated if event.changes.pointer("/status/before").and_then(Value::as_str) == Some("archived") => {
            ChangeAction::Restored
        }
        EventAction::Updated => ChangeAction::Updated,
    }
}

/// Decides what the stored change `row` shows `ctx` (see the module's text).
fn decide(ctx: &Ctx, row: &FeedRow, wanted: Option<&[ResourceKind]>, pairing_child: Option<&Uuid>) -> Option<Decided> {
    let event = &row.event;
    let kind = event.resource_kind;
    let asked = |k: ResourceKind| wanted.is_none_or(|w| w.contains(&k));
    let nested = kind.is_nested();
    let base = Decided {
        position: row.position,
        kind,
        id: event.resource_id,
        action: action_of(event, nested),
        with_record: true,
        came_in: false,
    };
    if let Some(child) = pairing_child {
        // A volunteer's own pairing (which they do not read): what it does to
        // the children they reach.
        let action = match event.action {
            EventAction::Created => ChangeAction::Created,
            EventAction::Archived if !ctx.reaches(ResourceKind::Child, *child) => ChangeAction::LeftScope,
            _ => return None,
        };
        return asked(ResourceKind::Child).then_some(Decided {
            kind: ResourceKind::Child,
            id: *child,
            action,
            with_record: action != ChangeAction::LeftScope,
            came_in: true,
            ..base
        });
    }
    if !policy::can_read(ctx, kind) || !asked(kind) {
        return None;
    }
    if nested {
        return Some(base);
    }
    let before = row.region_before.as_deref().unwrap_or(&event.region_code);
    match (ctx.sees(kind, before), ctx.sees(kind, &event.region_code)) {
        (true, false) if ctx.reaches(kind, event.resource_id) => Some(Decided {
            action: ChangeAction::LeftScope,
            with_record: false,
            ..base
        }),
        (false, true) if event.action != EventAction::Created => Some(Decided {
            action: ChangeAction::Created,
            came_in: true,
            ..base
        }),
        (_, true) => Some(base),
        _ => None,
    }
}

/// Reads, a kind at a time, the records the decided items carry, as the
/// caller reads them now.
async fn load<S: Store>(store: &S, ctx: &Ctx, decided: &[Decided]) -> Result<HashMap<(ResourceKind, Uuid), AnyRecord>> {
    let mut by_kind: HashMap<ResourceKind, HashSet<Uuid>> = HashMap::new();
    for d in decided.iter().filter(|d| d.with_record) {
        by_kind.entry(d.kind).or_default().insert(d.id);
    }
    let mut out = HashMap::new();
    for (kind, ids) in by_kind {
        let ids: Vec<Uuid> = ids.into_iter().collect();
        for (id, record) in AnyRecord::readable(store, ctx, kind, &ids).await? {
            out.insert((kind, id), record);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_read_back_what_they_write_and_nothing_else() {
        for position in [0, 42, i64::MAX] {
            let c = Cursor { position };
            assert_eq!(Cursor::parse(&c.encode(), "after").ok(), Some(c));
        }
        for bad in [
            "",
            "42",
            "f1.",
            "f1.-1",
            "f1.01",
            "f1.4.1",
            "f2.4",
            "f1.4x",
            "f1.99999999999999999999",
        ] {
            assert!(Cursor::parse(bad, "after").is_err(), "{bad}");
        }
    }
}
