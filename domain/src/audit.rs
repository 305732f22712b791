//! The audit trail: every write, as recorded in the same transaction, read
//! back by auditors and administrators.

use crate::msg;
use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;

use chrono::{DateTime, Utc};
use serde_json::Value;
use uuid::Uuid;

use crate::ctx::Ctx;
use crate::error::{Error, FieldError, Result};
use crate::fields::parse_instant;
use crate::resource::{Event, Resource, ResourceKind};

/// An event with its position in the log.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordedEvent {
    /// Position: strictly increasing in commit order of insertion.
    pub seq: i64,
    /// What happened.
    pub event: Event,
}

/// What to read from the log.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventQuery {
    /// Only events by this subject.
    pub actor: Option<String>,
    /// Only events about this record.
    pub resource_id: Option<Uuid>,
    /// Only events at or after this instant.
    pub since: Option<DateTime<Utc>>,
    /// Only events in this region subtree (the caller's jurisdiction).
    pub region_prefix: Option<String>,
    /// Events after this position.
    pub after_seq: Option<i64>,
    /// At most this many.
    pub limit: u64,
}

/// Storage of the event log.
pub trait EventStore: Send + Sync {
    /// Events matching the query, in log order.
    fn events(&self, query: &EventQuery) -> impl Future<Output = Result<Vec<RecordedEvent>>> + Send;
}

/// A page of the trail for an auditor or administrator, bounded by jurisdiction.
/// `params` are `actor`, `child_id` and `since`.
pub async fn audit_events<S: EventStore>(
    store: &S,
    ctx: &Ctx,
    params: &[(String, String)],
    after_seq: Option<i64>,
    limit: u64,
) -> Result<(Vec<RecordedEvent>, Option<i64>)> {
    if !crate::policy::can_read_audit(ctx) {
        return Err(Error::Forbidden(msg!("audit.forbidden")));
    }
    let mut query = parse_query(params)?;
    query.after_seq = after_seq;
    query.limit = limit + 1;
    query.region_prefix = ctx.jurisdiction_prefix().map(str::to_owned);
    let mut events = store.events(&query).await?;
    let more = events.len() as u64 > limit;
    events.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    for recorded in &mut events {
        mask_changes(ctx, recorded.event.resource_kind, &mut recorded.event.changes);
    }
    let next = if more { events.last().map(|e| e.seq) } else { None };
    Ok((events, next))
}

/// Masks `changes` (`{field: {before, after}}`) of a record of `kind` as
/// `ctx` reads that record: identifiers, phones and addresses masked, and a
/// field the role never sees (health notes) left out, for the roles that may
/// not see them unmasked.
pub fn mask_changes(ctx: &Ctx, kind: ResourceKind, changes: &mut Value) {
    let Value::Object(changes) = changes else {
        return;
    };
    for (field, personal) in crate::policy::personal_fields(kind) {
        if crate::policy::shown(ctx, *personal, "").is_none() {
            changes.remove(*field);
            continue;
        }
        let Some(Value::Object(change)) = changes.get_mut(*field) else {
            continue;
        };
        for (_, value) in change.iter_mut() {
            *value = match value {
                Value::String(s) => crate::policy::shown(ctx, *personal, s).map_or(Value::Null, Value::String),
                _ => Value::Null,
            };
        }
    }
}

/// A response that carried children's unmasked personal data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessRecord {
    /// Event id.
    pub id: Uuid,
    /// When.
    pub occurred_at: DateTime<Utc>,
    /// Who (token subject).
    pub actor: String,
    /// In which role.
    pub actor_role: String,
    /// The request: the server's id (the response's `X-Request-Id`).
    pub request_id: String,
    /// The client's own `X-Request-Id`, when it sent a sane one.
    pub client_request_id: Option<String>,
    /// Through which route.
    pub channel: String,
    /// Which unmasked fields the response carried.
    pub fields: Vec<String>,
    /// Whose.
    pub child_ids: Vec<Uuid>,
    /// Why the entry was made.
    pub reason: AccessReason,
    /// For an export: the jurisdiction it covered (a region code prefix,
    /// empty for the whole country), so that the entry shows to auditors of
    /// that region even when no child's data went out unmasked.
    pub scope: Option<String>,
    /// For an export: how many records went out, once it ended (`None` while
    /// it runs, or when the server stopped during it).
    pub rows: Option<ExportTotal>,
}

/// How an export ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExportTotal {
    /// The records that went out.
    pub rows: u64,
    /// Whether the whole export went out (false: the client went away, or it
    /// failed, part way).
    pub complete: bool,
}

impl AccessRecord {
    /// An access by `ctx` now, in the request it serves.
    pub fn by(ctx: &Ctx, reason: AccessReason, fields: Vec<String>, child_ids: Vec<Uuid>) -> Self {
        Self {
            id: Uuid::now_v7(),
            occurred_at: crate::resource::now(),
            actor: ctx.subject.clone(),
            actor_role: ctx.role.to_string(),
            request_id: ctx.request_id.clone(),
            client_request_id: ctx.client_request_id.clone(),
            channel: ctx.channel.clone(),
            fields,
            child_ids,
            reason,
            scope: None,
            rows: None,
        }
    }
}

/// Why an access was recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccessReason {
    /// A response carried the fields unmasked.
    Response,
    /// A resident ID number the caller sent matched this child, registered
    /// outside the caller's reach: the conflict told the caller the child's
    /// number, so it counts as reading it.
    IdNumberMatch,
    /// A whole collection went out as a file (an export): one entry, its
    /// children noted batch by batch before each batch is sent, its total once
    /// it ends.
    Export,
}

impl AccessReason {
    /// The name stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Response => "response",
            Self::IdNumberMatch => "id_number_match",
            Self::Export => "export",
        }
    }

    /// The reason of a stored name (unknown names read as responses).
    pub fn parse(s: &str) -> Self {
        match s {
            "id_number_match" => Self::IdNumberMatch,
            "export" => Self::Export,
            _ => Self::Response,
        }
    }
}

/// A recorded access with its position in the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedAccess {
    /// Position in the log.
    pub seq: i64,
    /// The access.
    pub access: AccessRecord,
}

/// Storage of the access log (append-only, like the event log).
pub trait AccessLog: Send + Sync {
    /// Appends an access.
    fn record_access(&self, record: &AccessRecord) -> impl Future<Output = Result<()>> + Send;
    /// Adds children to an entry already recorded (an export's next batch),
    /// before their data goes out.
    fn add_accessed_children(&self, id: Uuid, child_ids: &[Uuid]) -> impl Future<Output = Result<()>> + Send;
    /// Notes how an export's entry ended (once).
    fn record_export_total(&self, id: Uuid, total: ExportTotal) -> impl Future<Output = Result<()>> + Send;
    /// Accesses matching the query (`resource_id` names a child; `region_prefix`
    /// keeps the accesses of children now in that subtree, and only those children).
    fn accesses(&self, query: &EventQuery) -> impl Future<Output = Result<Vec<RecordedAccess>>> + Send;
    /// How many entries of `reason` by `actor` were recorded at or after
    /// `since`, and when the earliest of them was.
    fn count_accesses(
        &self,
        actor: &str,
        reason: AccessReason,
        since: DateTime<Utc>,
    ) -> impl Future<Output = Result<(u64, Option<DateTime<Utc>>)>> + Send;
}

/// What one response carried unmasked: for each child, the personal fields
/// (`Child::unmasked_personal_fields`) that went out as they are.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Disclosed {
    children: BTreeMap<Uuid, BTreeSet<&'static str>>,
}

impl Disclosed {
    /// Notes that `field` of `child` went out unmasked.
    pub fn add(&mut self, child: Uuid, field: &'static str) {
        self.children.entry(child).or_default().insert(field);
    }

    /// Notes every unmasked personal field of `records` as `ctx` reads them.
    pub fn add_records<'a, T: Resource>(&mut self, ctx: &Ctx, records: impl IntoIterator<Item = &'a T>) {
        for record in records {
            for field in record.unmasked_personal_fields(ctx) {
                self.add(record.meta().id, field);
            }
        }
    }

    /// Whether nothing unmasked went out.
    pub fn is_empty(&self) -> bool {
        self.children.is_empty()
    }

    /// The children whose data went out unmasked.
    pub fn children(&self) -> Vec<Uuid> {
        self.children.keys().copied().collect()
    }
}

/// Writes one entry of the read log for a response that carried `disclosed`,
/// if it carried anything unmasked at all.
pub async fn record_disclosed<S: AccessLog>(store: &S, ctx: &Ctx, disclosed: &Disclosed) -> Result<()> {
    if disclosed.is_empty() {
        return Ok(());
    }
    let fields: BTreeSet<&str> = disclosed.children.values().flatten().copied().collect();
    store
        .record_access(&AccessRecord::by(
            ctx,
            AccessReason::Response,
            fields.into_iter().map(str::to_owned).collect(),
            disclosed.children.keys().copied().collect(),
        ))
        .await
}

/// Records that `records` went out to `ctx` as one response, if any of them
/// carried personal data the caller sees unmasked. Service functions call it
/// for the records they return, unless the surface records what it actually
/// sent itself (`Ctx::service_logs_reads`).
pub async fn note_access<'a, T: Resource, S: AccessLog>(
    store: &S,
    ctx: &Ctx,
    records: impl IntoIterator<Item = &'a T>,
) -> Result<()> {
    if !ctx.service_logs_reads {
        return Ok(());
    }
    let mut disclosed = Disclosed::default();
    disclosed.add_records(ctx, records);
    record_disclosed(store, ctx, &disclosed).await
}

/// A page of the access log for an auditor or administrator; `params` are
/// `actor`, `child_id` and `since`. Bounded by jurisdiction like every list:
/// an entry shows when one of its children lies in the caller's jurisdiction,
/// and names only those children.
pub async fn access_events<S: AccessLog>(
    store: &S,
    ctx: &Ctx,
    params: &[(String, String)],
    after_seq: Option<i64>,
    limit: u64,
) -> Result<(Vec<RecordedAccess>, Option<i64>)> {
    if !crate::policy::can_read_audit(ctx) {
        return Err(Error::Forbidden(msg!("audit.forbidden")));
    }
    let mut query = parse_query(params)?;
    query.after_seq = after_seq;
    query.limit = limit + 1;
    query.region_prefix = ctx.jurisdiction_prefix().map(str::to_owned);
    let mut found = store.accesses(&query).await?;
    let more = found.len() as u64 > limit;
    found.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    let next = if more { found.last().map(|e| e.seq) } else { None };
    Ok((found, next))
}

/// Reads `actor`, `child_id` and `since`.
fn parse_query(params: &[(String, String)]) -> Result<EventQuery> {
    let mut query = EventQuery::default();
    let mut errors = Vec::new();
    for (name, value) in params {
        match name.as_str() {
            "actor" if !value.is_empty() && value.chars().count() <= 100 && !value.chars().any(char::is_control) => {
                query.actor = Some(value.clone());
            }
            "child_id" => match Uuid::try_parse(value) {
                Ok(id) => query.resource_id = Some(id),
                Err(_) => errors.push(FieldError::new(name, "invalid_format", msg!("field.expected_uuid"))),
            },
            "since" => match parse_instant(value) {
                Some(t) => query.since = Some(t),
                None => errors.push(FieldError::new(name, "invalid_instant", msg!("field.expected_instant"))),
            },
            "actor" => errors.push(FieldError::new(name, "invalid_format", msg!("audit.invalid_actor"))),
            _ => errors.push(FieldError::new(
                name,
                "unknown_parameter",
                msg!("audit.unknown_parameter"),
            )),
        }
    }
    if errors.is_empty() {
        Ok(query)
    } else {
        Err(Error::InvalidParameters(errors))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::child::Child;
    use crate::enums::{Department, Role};
    use crate::guardian::Guardian;
    use crate::resource::{Meta, now};
    use crate::service::diff;

    fn readers() -> Vec<Ctx> {
        let ctx = |role, department| Ctx {
            role,
            department,
            ..Ctx::system("t")
        };
        vec![
            ctx(Role::Admin, None),
            ctx(Role::Auditor, None),
            ctx(Role::Department, Some(Department::Education)),
            ctx(Role::Department, Some(Department::Health)),
            ctx(Role::Department, Some(Department::CivilAffairs)),
            ctx(Role::TownshipOfficer, None),
        ]
    }

    fn masked_changes<T: Resource>(ctx: &Ctx, before: Option<&T>, after: &T) -> Value {
        let mut changes = diff(before, after);
        mask_changes(ctx, T::KIND, &mut changes);
        without_hidden(changes)
    }

    fn diff_of_masked<T: Resource>(ctx: &Ctx, before: Option<&T>, after: &T) -> Value {
        let masked = |r: &T| {
            let mut r = r.clone();
            r.mask(ctx);
            r
        };
        without_hidden(diff(before.map(masked).as_ref(), &masked(after)))
    }

    /// Leaves out the fields that read null before and after (hidden ones).
    fn without_hidden(mut changes: Value) -> Value {
        if let Value::Object(m) = &mut changes {
            m.retain(|_, c| c["before"] != Value::Null || c["after"] != Value::Null);
        }
        changes
    }

    #[test]
    fn recorded_changes_are_masked_as_the_records_are() {
        let mut child = Child::blank(Meta::new(now()));
        child.id_number = Some("522631201607090011".to_owned());
        child.health_notes = Some("哮喘".to_owned());
        let mut changed = child.clone();
        changed.id_number = Some("52263120160709003X".to_owned());
        changed.health_notes = None;
        let mut guardian = Guardian::blank(Meta::new(now()));
        guardian.phone = Some("13812345678".to_owned());
        guardian.id_number = Some("522631198001010011".to_owned());
        let mut moved = guardian.clone();
        moved.phone = Some("13987654321".to_owned());
        let mut center = crate::care_center::CareCenter::blank(Meta::new(now()));
        center.address = Some("榕江县古州镇车民街12号".to_owned());
        let mut volunteer = crate::volunteer::Volunteer::blank(Meta::new(now()));
        volunteer.phone = Some("13812345678".to_owned());
        for ctx in readers() {
            assert_eq!(
                masked_changes(&ctx, None, &center),
                diff_of_masked(&ctx, None, &center),
                "{ctx:?}"
            );
            assert_eq!(
                masked_changes(&ctx, None, &volunteer),
                diff_of_masked(&ctx, None, &volunteer),
                "{ctx:?}"
            );
            assert_eq!(
                masked_changes(&ctx, None, &child),
                diff_of_masked(&ctx, None, &child),
                "{ctx:?}"
            );
            assert_eq!(
                masked_changes(&ctx, Some(&child), &changed),
                diff_of_masked(&ctx, Some(&child), &changed),
                "{ctx:?}"
            );
            assert_eq!(
                masked_changes(&ctx, None, &guardian),
                diff_of_masked(&ctx, None, &guardian),
                "{ctx:?}"
            );
            assert_eq!(
                masked_changes(&ctx, Some(&guardian), &moved),
                diff_of_masked(&ctx, Some(&guardian), &moved),
                "{ctx:?}"
            );
        }
    }
}
