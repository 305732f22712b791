//! The audit trail: every write, as recorded in the same transaction, read
//! back by auditors and administrators.

use std::future::Future;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::ctx::Ctx;
use crate::error::{Error, FieldError, Result};
use crate::fields::parse_instant;
use crate::resource::{Event, Resource};

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
        return Err(Error::Forbidden(
            "only auditors and administrators read the audit trail".into(),
        ));
    }
    let mut query = parse_query(params)?;
    query.after_seq = after_seq;
    query.limit = limit + 1;
    query.region_prefix = ctx.jurisdiction_prefix().map(str::to_owned);
    let mut events = store.events(&query).await?;
    let more = events.len() as u64 > limit;
    events.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    let next = if more { events.last().map(|e| e.seq) } else { None };
    Ok((events, next))
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
    /// The request (`X-Request-Id`).
    pub request_id: String,
    /// Through which route.
    pub channel: String,
    /// Which unmasked fields the response carried.
    pub fields: Vec<String>,
    /// Whose.
    pub child_ids: Vec<Uuid>,
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
    /// Accesses matching the query (`resource_id` names a child; no region bound).
    fn accesses(&self, query: &EventQuery) -> impl Future<Output = Result<Vec<RecordedAccess>>> + Send;
}

/// Records that `children` went out unmasked to `ctx`, if any of them carried
/// personal data the caller sees unmasked.
pub async fn note_access<'a, T: Resource, S: AccessLog>(
    store: &S,
    ctx: &Ctx,
    records: impl IntoIterator<Item = &'a T>,
) -> Result<()> {
    let mut fields = std::collections::BTreeSet::new();
    let mut child_ids = Vec::new();
    for record in records {
        let carried = record.unmasked_personal_fields(ctx);
        if !carried.is_empty() {
            fields.extend(carried);
            child_ids.push(record.meta().id);
        }
    }
    if child_ids.is_empty() {
        return Ok(());
    }
    store
        .record_access(&AccessRecord {
            id: Uuid::now_v7(),
            occurred_at: crate::resource::now(),
            actor: ctx.subject.clone(),
            actor_role: ctx.role.to_string(),
            request_id: ctx.request_id.clone(),
            channel: ctx.channel.clone(),
            fields: fields.into_iter().map(str::to_owned).collect(),
            child_ids,
        })
        .await
}

/// A page of the access log for an auditor or administrator; `params` are
/// `actor`, `child_id` and `since`. Accesses are not bounded by region: an
/// auditor sees every read of the children of their jurisdiction and others.
pub async fn access_events<S: AccessLog>(
    store: &S,
    ctx: &Ctx,
    params: &[(String, String)],
    after_seq: Option<i64>,
    limit: u64,
) -> Result<(Vec<RecordedAccess>, Option<i64>)> {
    if !crate::policy::can_read_audit(ctx) {
        return Err(Error::Forbidden(
            "only auditors and administrators read the audit trail".into(),
        ));
    }
    let mut query = parse_query(params)?;
    query.after_seq = after_seq;
    query.limit = limit + 1;
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
            "actor" if !value.is_empty() && value.len() <= 100 && !value.chars().any(char::is_control) => {
                query.actor = Some(value.clone());
            }
            "child_id" => match Uuid::try_parse(value) {
                Ok(id) => query.resource_id = Some(id),
                Err(_) => errors.push(FieldError::new(name, "invalid_format", "expected a UUID")),
            },
            "since" => match parse_instant(value) {
                Some(t) => query.since = Some(t),
                None => errors.push(FieldError::new(name, "invalid_instant", "expected an RFC 3339 instant")),
            },
            "actor" => errors.push(FieldError::new(name, "invalid_format", "1 to 100 characters")),
            _ => errors.push(FieldError::new(
                name,
                "unknown_parameter",
                "filters: actor, child_id, since",
            )),
        }
    }
    if errors.is_empty() {
        Ok(query)
    } else {
        Err(Error::InvalidParameters(errors))
    }
}
