//! The audit trail: every write, as recorded in the same transaction, read
//! back by auditors and administrators.

use std::future::Future;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::ctx::Ctx;
use crate::error::{Error, FieldError, Result};
use crate::fields::parse_instant;
use crate::resource::Event;

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
    let mut query = EventQuery {
        after_seq,
        limit: limit + 1,
        ..EventQuery::default()
    };
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
    if !errors.is_empty() {
        return Err(Error::InvalidParameters(errors));
    }
    query.region_prefix = ctx.jurisdiction_prefix().map(str::to_owned);
    let mut events = store.events(&query).await?;
    let more = events.len() as u64 > limit;
    events.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    let next = if more { events.last().map(|e| e.seq) } else { None };
    Ok((events, next))
}
