//! The audit trail.

use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{DateTime, Utc};
use serde::Serialize;
use shouhu_domain::audit::{self, RecordedEvent};
use shouhu_domain::{Error, FieldError};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::app::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, Problem};

/// One write, as recorded in the same transaction as the write.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEvent {
    /// Position in the log.
    pub seq: i64,
    /// Event id.
    pub id: Uuid,
    /// When.
    pub occurred_at: DateTime<Utc>,
    /// Who (the token subject: an account id).
    pub actor: String,
    /// In which role.
    pub actor_role: String,
    /// The request it came with: the server's id, which the response carried
    /// as `X-Request-Id` and the server's log line names.
    pub request_id: String,
    /// The client's own `X-Request-Id` for that request, when it sent a sane one
    /// (1 to 128 printable ASCII characters); null otherwise.
    pub client_request_id: Option<String>,
    /// `child`, `guardian`, `care_center`, `volunteer`, `training_session`.
    pub resource_kind: String,
    /// The record.
    pub resource_id: Uuid,
    /// The record's region.
    pub region_code: String,
    /// `created`, `updated` or `archived`.
    pub action: String,
    /// The record's version after the write.
    pub version: i64,
    /// Changed fields: `{"field": {"before": …, "after": …}}`, masked as you
    /// read the record itself: ID numbers, phones and addresses masked unless
    /// your role sees them, health notes left out unless it sees health data.
    #[schema(value_type = Object)]
    pub changes: serde_json::Value,
}

impl From<RecordedEvent> for AuditEvent {
    fn from(r: RecordedEvent) -> Self {
        let e = r.event;
        Self {
            seq: r.seq,
            id: e.id,
            occurred_at: e.occurred_at,
            actor: e.actor,
            actor_role: e.actor_role,
            request_id: e.request_id,
            client_request_id: e.client_request_id,
            resource_kind: e.resource_kind.as_str().to_owned(),
            resource_id: e.resource_id,
            region_code: e.region_code,
            action: e.action.as_str().to_owned(),
            version: e.version,
            changes: e.changes,
        }
    }
}

/// A page of the audit trail.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEventList {
    /// Events in log order.
    pub items: Vec<AuditEvent>,
    /// Pass as `cursor` for the next page.
    pub next_cursor: Option<String>,
}

/// Filters of the audit trail.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditParams {
    /// Only writes by this subject (an account id).
    #[param(min_length = 1, max_length = 100, pattern = r"^[^\x00-\x1f\x7f-\x9f]+$")]
    pub actor: Option<String>,
    /// Only writes to this child.
    pub child_id: Option<Uuid>,
    /// Only writes at or after this RFC 3339 instant.
    #[param(format = DateTime)]
    pub since: Option<String>,
    /// Page size, 1–500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
    /// `next_cursor` of the previous page.
    #[param(pattern = r"^e1\.[0-9]{1,18}$")]
    pub cursor: Option<String>,
}

/// Reads the audit trail of writes in your jurisdiction (auditor and admin only).
///
/// Each event names who wrote what, when and through which route, with the
/// changes masked as you read the records themselves. Filter by `actor`,
/// `child_id` and `since`; keyset-paginated with `next_cursor`.
#[utoipa::path(get, path = "/api/v1/audit-events", tag = "audit", params(AuditParams), security(("bearer" = [])),
    responses(
        (status = 200, description = "Events in log order", body = AuditEventList),
        (status = 400, description = "A bad parameter, each named", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Neither auditor nor admin", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_audit_events(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
) -> Result<HttpResponse, actix_web::Error> {
    let list = crate::rest::list_request(&req, state.settings.serve.max_page_size, decode_cursor)?;
    let (events, next) = audit::audit_events(&state.db, &caller.0, &list.filters, list.after, list.limit)
        .await
        .map_err(ApiError)?;
    Ok(HttpResponse::Ok().json(AuditEventList {
        items: events.into_iter().map(AuditEvent::from).collect(),
        next_cursor: next.map(|s| format!("e1.{s}")),
    }))
}

fn decode_cursor(cursor: &str) -> Result<i64, Error> {
    cursor
        .strip_prefix("e1.")
        .and_then(|s| s.parse::<i64>().ok())
        .ok_or_else(|| {
            Error::InvalidParameters(vec![FieldError::new(
                "cursor",
                "invalid_cursor",
                shouhu_domain::msg!("param.invalid_audit_cursor"),
            )])
        })
}

/// A response that carried children's unmasked personal data (resident ID
/// numbers, health notes).
#[derive(Debug, Serialize, ToSchema)]
pub struct AccessEvent {
    /// Position in the access log.
    pub seq: i64,
    /// Event id.
    pub id: Uuid,
    /// When.
    pub occurred_at: DateTime<Utc>,
    /// Who (the token subject).
    pub actor: String,
    /// In which role.
    pub actor_role: String,
    /// The request: the server's id, which the response carried as
    /// `X-Request-Id` and the server's log line names.
    pub request_id: String,
    /// The client's own `X-Request-Id` for that request, when it sent a sane one
    /// (1 to 128 printable ASCII characters); null otherwise.
    pub client_request_id: Option<String>,
    /// Through which route, such as `GET /api/v1/children/{id}` or `POST /graphql`.
    pub channel: String,
    /// Which unmasked fields the response carried.
    pub fields: Vec<String>,
    /// Whose.
    pub child_ids: Vec<Uuid>,
    /// Why the entry was made: `response` (a response carried the fields), or
    /// `id_number_match` (a resident ID number the caller sent matched this
    /// child, registered outside the caller's jurisdiction: the 409 confirmed
    /// the child's number to the caller), or `export` (a whole collection
    /// went out as a file: `child_ids` are the children whose data it carried
    /// unmasked, `rows` how many records it held).
    pub reason: AccessReason,
    /// For an export: how many records went out; null for other entries,
    /// and while the export runs.
    pub rows: Option<u64>,
    /// For an export: whether all of it went out (false when the client went
    /// away or it failed part way); null for other entries, and while it runs.
    pub complete: Option<bool>,
}

/// Why an access entry was made.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AccessReason {
    /// A response carried the fields unmasked.
    Response,
    /// A resident ID number the caller sent matched this child, registered outside its jurisdiction.
    IdNumberMatch,
    /// A whole collection went out as a file.
    Export,
}

impl From<audit::AccessReason> for AccessReason {
    fn from(r: audit::AccessReason) -> Self {
        match r {
            audit::AccessReason::Response => Self::Response,
            audit::AccessReason::IdNumberMatch => Self::IdNumberMatch,
            audit::AccessReason::Export => Self::Export,
        }
    }
}

/// A page of the access log.
#[derive(Debug, Serialize, ToSchema)]
pub struct AccessEventList {
    /// Accesses in log order.
    pub items: Vec<AccessEvent>,
    /// Pass as `cursor` for the next page.
    pub next_cursor: Option<String>,
}

/// Reads the log of responses that carried unmasked personal data (auditor and admin only).
///
/// Responses that carried children's unmasked personal data: who, which children, which fields, through which route. One entry per response that carried them (reads, lists, creates,
/// changes, idempotent replays, GraphQL operations; an export is one entry, with its record count), naming the fields that
/// actually went out. Bounded by your jurisdiction like every list: an entry
/// shows when one of its children is now in your jurisdiction, and names only those.
#[utoipa::path(get, path = "/api/v1/audit-events/reads", tag = "audit", params(AuditParams), security(("bearer" = [])),
    responses(
        (status = 200, description = "Accesses in log order", body = AccessEventList),
        (status = 400, description = "A bad parameter, each named", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Neither auditor nor admin", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_access_events(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
) -> Result<HttpResponse, actix_web::Error> {
    let list = crate::rest::list_request(&req, state.settings.serve.max_page_size, decode_cursor)?;
    let (found, next) = audit::access_events(&state.db, &caller.0, &list.filters, list.after, list.limit)
        .await
        .map_err(ApiError)?;
    Ok(HttpResponse::Ok().json(AccessEventList {
        items: found
            .into_iter()
            .map(|r| AccessEvent {
                seq: r.seq,
                id: r.access.id,
                occurred_at: r.access.occurred_at,
                actor: r.access.actor,
                actor_role: r.access.actor_role,
                request_id: r.access.request_id,
                client_request_id: r.access.client_request_id,
                channel: r.access.channel,
                fields: r.access.fields,
                child_ids: r.access.child_ids,
                reason: r.access.reason.into(),
                rows: r.access.rows.map(|t| t.rows),
                complete: r.access.rows.map(|t| t.complete),
            })
            .collect(),
        next_cursor: next.map(|s| format!("e1.{s}")),
    }))
}

/// Mounts the audit trail and the read log, with their OpenAPI entries.
pub fn routes(routes: &mut crate::rest::Routes) {
    crate::rest::mount!(routes; list_audit_events, list_access_events);
}
