//! Webhooks (contract §9): `/api/v1/webhooks…` and GraphQL `webhooks`,
//! `webhook`, `webhookDeliveries`, `createWebhook`, `updateWebhook`,
//! `deleteWebhook`, `retryWebhookDelivery`, `pingWebhook`, over
//! `shouhu_domain::webhooks`; the sender and its SSRF guard (`dispatch`,
//! `target`).

pub mod dispatch;
pub mod target;

pub use WebhooksMutation as Mutation;
pub use WebhooksQuery as Query;
pub use dispatch::Sender;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use async_graphql::connection::{Connection, Edge, EmptyFields};
use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, Result, SimpleObject};
use base64::Engine;
use chrono::{DateTime, Utc};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use shouhu_domain::changes;
use shouhu_domain::resource::PageRequest;
use shouhu_domain::fields::{Mode, Patch, canonical_json, from_json};
use shouhu_domain::webhooks::{self as domain, WebhookInput as DomainInput};
use shouhu_domain::{Ctx, Error};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::app::AppState;
use crate::auth::Caller;
use crate::enums::{DeliveryStatus, SubscriptionStatus};
use crate::error::{ApiError, Problem};
use crate::graphql::{gql_error, parse_id, parts};
use crate::rest::nested::{PageParams, page_params};
use crate::rest::record::idempotency_key;
use crate::rest::{Routes, encode_cursor, etag, expected_version, if_match, object};

/// A webhook subscription, as its owner reads it (the secret is shown once, when it is made).
#[derive(Debug, Clone, Serialize, ToSchema, SimpleObject)]
#[graphql(name = "Webhook")]
pub struct Webhook {
    /// Its id.
    #[schema(value_type = String, format = Uuid)]
    pub id: ID,
    /// Where deliveries are sent: `https`, or `http` for a host the deployment allows.
    #[schema(example = "https://edu.example.gov.cn/shouhu/hooks")]
    pub url: String,
    /// `TYPE.ACTION` (`child.created`), `TYPE.*` or `*`.
    #[schema(example = json!(["child.*", "guardianship.created"]))]
    pub event_types: Vec<String>,
    /// Your words.
    pub description: Option<String>,
    /// `disabled` sends nothing: after 3 dead deliveries in a row, or by you.
    pub status: SubscriptionStatus,
    /// Why the server disabled it: `dead_deliveries`, or `owner_disabled` (your account was disabled).
    pub disabled_reason: Option<String>,
    /// Its version (also its `ETag`); `If-Match` on `PATCH` and `DELETE`.
    pub version: i64,
    /// Made.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<domain::Subscription> for Webhook {
    fn from(s: domain::Subscription) -> Self {
        Self {
            id: ID(s.id.to_string()),
            url: s.url,
            event_types: s.event_types,
            description: s.description,
            status: s.status.into(),
            disabled_reason: s.disabled_reason,
            version: s.version,
            created_at: s.created_at,
            updated_at: s.updated_at,
        }
    }
}

/// A subscription just made, with its signing secret: shown only now.
#[derive(Debug, Clone, Serialize, ToSchema, SimpleObject)]
pub struct NewWebhook {
    /// The subscription (in REST, its fields beside `secret`).
    #[serde(flatten)]
    pub webhook: Webhook,
    /// `whsec_…`: verify each delivery's `webhook-signature` with it (Standard Webhooks 1.0). Keep it: it is not shown again.
    #[schema(example = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")]
    pub secret: String,
}

/// One attempt at a delivery.
#[derive(Debug, Clone, Serialize, ToSchema, SimpleObject)]
#[graphql(name = "WebhookAttempt")]
pub struct DeliveryAttempt {
    /// When it was sent.
    pub at: DateTime<Utc>,
    /// The receiver's status code; null when it did not answer (or the attempt was not made).
    pub status_code: Option<i32>,
    /// How long it took, in milliseconds.
    pub duration_ms: i64,
    /// What went wrong, when it did.
    pub error: Option<String>,
}

/// A delivery: one change (or ping) for one subscription, with its attempts.
#[derive(Debug, Clone, Serialize, ToSchema, SimpleObject)]
#[graphql(name = "WebhookDelivery")]
pub struct Delivery {
    /// Its id: the `webhook-id` of every attempt.
    #[schema(value_type = String, format = Uuid)]
    pub id: ID,
    /// `child.updated`, … or `webhook.ping`.
    pub event_type: String,
    /// The change's position in the feed; null for a ping.
    #[schema(example = "f1.1042")]
    pub position: Option<String>,
    /// Where it stands.
    pub status: DeliveryStatus,
    /// Attempts since it was queued (or retried by you).
    pub attempt_count: i32,
    /// When the next attempt is due, while pending.
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// Queued.
    pub created_at: DateTime<Utc>,
    /// Every attempt, oldest first.
    pub attempts: Vec<DeliveryAttempt>,
}

impl From<domain::Delivery> for Delivery {
    fn from(d: domain::Delivery) -> Self {
        Self {
            id: ID(d.id.to_string()),
            event_type: d.event_type,
            position: d.position.map(|p| changes::Cursor { position: p }.encode()),
            status: d.status.into(),
            attempt_count: d.attempts,
            next_attempt_at: d.next_attempt_at,
            created_at: d.created_at,
            attempts: d
                .log
                .into_iter()
                .map(|a| DeliveryAttempt {
                    at: a.at,
                    status_code: a.status_code,
                    duration_ms: a.duration_ms,
                    error: a.error,
                })
                .collect(),
        }
    }
}

/// A page of your subscriptions.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookList {
    /// In the order they were made.
    pub items: Vec<Webhook>,
    /// Pass as `cursor` for the next page; null on the last.
    pub next_cursor: Option<String>,
}

/// A page of a subscription's deliveries.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryList {
    /// Newest first.
    pub items: Vec<Delivery>,
    /// Pass as `cursor` for the next page; null on the last.
    pub next_cursor: Option<String>,
}

/// A new subscription.
#[derive(Debug, Clone, Deserialize, ToSchema, InputObject)]
#[serde(deny_unknown_fields)]
#[graphql(name = "WebhookInput")]
pub struct WebhookCreate {
    /// `https://…`; `http` and private, loopback or link-local addresses only
    /// for hosts in `SHOUHU_WEBHOOK_ALLOW_HOSTS` (else 422 `url_not_allowed`).
    #[schema(example = "https://edu.example.gov.cn/shouhu/hooks", max_length = 2000)]
    pub url: String,
    /// `TYPE.ACTION` (`child.created`), `TYPE.*` or `*`, of kinds you may read (else 403), 1–50.
    #[schema(example = json!(["child.*"]), min_items = 1, max_items = 50)]
    pub event_types: Vec<String>,
    /// Your words, up to 500 characters.
    #[schema(max_length = 500)]
    pub description: Option<String>,
}

impl From<WebhookCreate> for DomainInput {
    fn from(i: WebhookCreate) -> Self {
        Self {
            url: Patch::Value(i.url),
            event_types: Patch::Value(i.event_types),
            description: Patch::or_absent(i.description),
            ..Self::default()
        }
    }
}

/// A change to a subscription (JSON merge patch): only the fields sent change.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct WebhookPatch {
    /// A new target (checked as when made).
    #[schema(max_length = 2000)]
    pub url: Option<String>,
    /// New event types.
    #[schema(min_items = 1, max_items = 50)]
    pub event_types: Option<Vec<String>>,
    /// A new description; null clears it.
    #[schema(max_length = 500)]
    pub description: Option<String>,
    /// `disabled` to stop deliveries; `active` to start them again (forgets past deaths).
    pub status: Option<SubscriptionStatus>,
}

/// A change to a subscription: only the fields given change.
#[derive(Debug, Clone, InputObject)]
#[graphql(name = "WebhookPatchInput")]
pub struct WebhookPatchInput {
    /// A new target (checked as when made).
    pub url: Option<String>,
    /// New event types.
    pub event_types: Option<Vec<String>>,
    /// A new description; null clears it.
    pub description: MaybeUndefined<String>,
    /// `DISABLED` to stop deliveries; `ACTIVE` to start them again.
    pub status: Option<SubscriptionStatus>,
}

impl From<WebhookPatchInput> for DomainInput {
    fn from(p: WebhookPatchInput) -> Self {
        Self {
            url: Patch::or_absent(p.url),
            event_types: Patch::or_absent(p.event_types),
            description: match p.description {
                MaybeUndefined::Undefined => Patch::Absent,
                MaybeUndefined::Null => Patch::Null,
                MaybeUndefined::Value(v) => Patch::Value(v),
            },
            status: Patch::or_absent(p.status.map(Into::into)),
            ..Self::default()
        }
    }
}

/// The api's verdict on the URL an input sends, when it refuses it: the rules
/// of `target`, which resolves the name.
async fn url_refused(state: &AppState, input: &DomainInput) -> Option<(&'static str, shouhu_domain::Message)> {
    let Patch::Value(url) = &input.url else { return None };
    target::check(url.trim(), state.webhooks.allow())
        .await
        .err()
        .map(|r| (r.code, r.message))
}

/// `whsec_` and 32 random bytes in base64.
fn new_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    format!("whsec_{}", base64::engine::general_purpose::STANDARD.encode(bytes))
}

/// Makes a subscription for the caller (both surfaces): every bad field in
/// one 422; with `key`, at most once per caller and key.
pub async fn create(
    state: &AppState,
    ctx: &Ctx,
    key: Option<&str>,
    input: DomainInput,
) -> shouhu_domain::Result<(domain::Subscription, bool)> {
    let request = canonical_json(&input);
    let refused = url_refused(state, &input).await;
    let checked = domain::check(ctx, Mode::Create, input, refused)?;
    let make = |id: Uuid| async move {
        let from = changes::head(&state.db).await?.position;
        domain::create(&state.db, ctx, id, checked, from, new_secret()).await
    };
    let created = crate::idempotent::create(
        state,
        ctx,
        key,
        "create:webhook",
        &request,
        make,
        |id| domain::owned(&state.db, ctx, id),
        |s: &domain::Subscription| (s.id, s.version),
    )
    .await?;
    Ok((created.record, created.replayed))
}

/// Changes one of the caller's subscriptions at `expected` (both surfaces).
pub async fn update(
    state: &AppState,
    ctx: &Ctx,
    id: Uuid,
    expected: i64,
    patch: DomainInput,
) -> shouhu_domain::Result<domain::Subscription> {
    // Someone else's subscription is 404 before anything about the body is said.
    domain::owned(&state.db, ctx, id).await?;
    let refused = url_refused(state, &patch).await;
    let checked = domain::check(ctx, Mode::Patch, patch, refused)?;
    domain::update(&state.db, ctx, id, expected, checked).await
}

/// Sends a ping to one of the caller's subscriptions now, whatever its
/// status and queue, and logs it as a delivery (both surfaces).
pub async fn ping(state: &AppState, ctx: &Ctx, id: Uuid) -> shouhu_domain::Result<domain::Delivery> {
    let s = domain::owned(&state.db, ctx, id).await?;
    let delivery_id = Uuid::now_v7();
    let now = Utc::now();
    let body = dispatch::body(domain::PING, now, serde_json::json!({"webhook_id": s.id}));
    let outcome = state.webhooks.send(&s.url, &s.secret, delivery_id, &body).await;
    let d = domain::Delivery {
        id: delivery_id,
        subscription_id: s.id,
        event_type: domain::PING.to_owned(),
        position: None,
        status: if outcome.succeeded {
            domain::DeliveryStatus::Succeeded
        } else {
            domain::DeliveryStatus::Failed
        },
        attempts: 1,
        next_attempt_at: None,
        created_at: now,
        log: vec![outcome.attempt],
    };
    state.db.insert_sent(&d).await?;
    Ok(d)
}

/// Makes a webhook subscription.
///
/// Deliveries start with the changes committed after it is made: each change
/// of the feed (`GET /api/v1/changes`) that you may read when it is sent and
/// whose `TYPE.ACTION` the subscription lists is `POST`ed to `url` as
/// `{"type": "child.updated", "timestamp", "data": <the change>}`, signed per
/// Standard Webhooks 1.0 (`webhook-id`, `webhook-timestamp`,
/// `webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">` with
/// the `secret`, which this answer alone shows). A 2xx within 10 s is success;
/// otherwise the delivery is retried after `SHOUHU_WEBHOOK_RETRY_BASE_SECONDS`
/// (30), doubling, at most an hour apart, for `SHOUHU_WEBHOOK_MAX_ATTEMPTS`
/// attempts (32: 25 hours), then it is `dead`; 3 dead in a row disable the
/// subscription. Deliveries go in feed order: a later one waits until the
/// earlier has succeeded or died. Redirects are not followed.
#[utoipa::path(post, path = "/api/v1/webhooks", tag = "webhooks", operation_id = "create_webhook",
    request_body = WebhookCreate, security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, pattern = r"^[!-~]{1,255}$", description = "Makes retries safe, as for every create")),
    responses(
        (status = 201, description = "Made; the secret is shown only now", body = NewWebhook,
            headers(("Location" = String, description = "The subscription"), ("ETag" = String, description = "Its version"),
                    ("Idempotent-Replayed" = String, description = "`true` for a replayed answer"))),
        (status = 400, description = "Malformed JSON or a bad `Idempotency-Key`", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "An event type of a kind you may not read", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "You hold 20 subscriptions already, the most one account or client may", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, each named: `url_not_allowed` (not https, credentials in it, or a private, loopback or link-local address without the host being allowed, or a name that does not resolve), an unknown event type, too long a description", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_webhook(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    body: web::Json<Value>,
) -> std::result::Result<HttpResponse, actix_web::Error> {
    let key = idempotency_key(&req)?;
    let input = from_json(object(body.into_inner())?);
    let (s, replayed) = create(&state, &caller.0, key.as_deref(), input)
        .await
        .map_err(ApiError)?;
    let mut res = HttpResponse::Created();
    res.insert_header((header::LOCATION, format!("/api/v1/webhooks/{}", s.id)))
        .insert_header(header::ETag(etag(s.version)));
    if replayed {
        res.insert_header(("Idempotent-Replayed", "true"));
    }
    let secret = s.secret.clone();
    Ok(res.json(NewWebhook {
        webhook: s.into(),
        secret,
    }))
}

/// Lists your webhook subscriptions.
///
/// Only the account or client that made a subscription sees it.
#[utoipa::path(get, path = "/api/v1/webhooks", tag = "webhooks", operation_id = "list_webhooks",
    params(PageParams), security(("bearer" = [])),
    responses(
        (status = 200, description = "Your subscriptions", body = WebhookList),
        (status = 400, description = "A bad limit, cursor or another parameter", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_webhooks(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
) -> std::result::Result<HttpResponse, actix_web::Error> {
    let page = page_params(&req, state.settings.serve.max_page_size)?;
    let found = domain::list(&state.db, &caller.0, &page).await.map_err(ApiError)?;
    Ok(HttpResponse::Ok().json(WebhookList {
        items: found.items.into_iter().map(Webhook::from).collect(),
        next_cursor: found.next_after.map(encode_cursor),
    }))
}

/// Reads one of your webhook subscriptions.
///
/// Its target, event types, status and version (its `ETag`); never its secret,
/// which only the answer that made it carried. Anyone else's is 404.
#[utoipa::path(get, path = "/api/v1/webhooks/{id}", tag = "webhooks", operation_id = "get_webhook",
    params(("id" = Uuid, Path, description = "The subscription")), security(("bearer" = [])),
    responses(
        (status = 200, description = "The subscription (without its secret)", body = Webhook,
            headers(("ETag" = String, description = "Its version"))),
        (status = 400, description = "An id that is not a UUID", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such subscription of yours", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_webhook(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> std::result::Result<HttpResponse, actix_web::Error> {
    let s = domain::owned(&state.db, &caller.0, id.into_inner()).await.map_err(ApiError)?;
    Ok(webhook_response(s))
}

/// 200 with the subscription and its version as `ETag`.
fn webhook_response(s: domain::Subscription) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(header::ETag(etag(s.version)))
        .json(Webhook::from(s))
}

/// The version a write is based on, as `If-Match` names it (428 without it).
async fn based_on(state: &AppState, caller: &Caller, id: Uuid, req: &HttpRequest) -> std::result::Result<i64, actix_web::Error> {
    let precondition = if_match(req)?;
    let expected = expected_version(precondition, async {
        Ok(domain::owned(&state.db, &caller.0, id).await?.version)
    })
    .await
    .map_err(ApiError)?;
    Ok(expected)
}

/// Changes one of your webhook subscriptions.
///
/// A JSON merge patch at the version `If-Match` names. Enabling a disabled
/// subscription (`"status": "active"`) resumes its deliveries where they
/// stopped.
#[utoipa::path(patch, path = "/api/v1/webhooks/{id}", tag = "webhooks", operation_id = "update_webhook",
    params(("id" = Uuid, Path, description = "The subscription"),
           ("If-Match" = String, Header, description = "The ETag of the version you read, such as \"3\", compared strongly (a weak W/\"3\" never matches: 412); several may be listed; * bases the write on whatever version is current", pattern = r#"^(\*|(W/)?"[0-9]{1,18}"( *, *(W/)?"[0-9]{1,18}")*)$"#)),
    request_body(content = WebhookPatch, content_type = "application/merge-patch+json"), security(("bearer" = [])),
    responses(
        (status = 200, description = "Changed", body = Webhook, headers(("ETag" = String, description = "Its new version"))),
        (status = 400, description = "Malformed JSON or `If-Match`, or an id that is not a UUID", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "An event type of a kind you may not read", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such subscription of yours", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "It changed since that version", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, each named (as when made)", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "`If-Match` missing", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn update_webhook(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    req: HttpRequest,
    body: web::Json<Value>,
) -> std::result::Result<HttpResponse, actix_web::Error> {
    let id = id.into_inner();
    let patch = from_json(object(body.into_inner())?);
    let expected = based_on(&state, &caller, id, &req).await?;
    let s = update(&state, &caller.0, id, expected, patch)
        .await
        .map_err(ApiError)?;
    Ok(webhook_response(s))
}

/// Deletes one of your webhook subscriptions, with its deliveries.
///
/// At the version `If-Match` names. Nothing more is sent, pending deliveries
/// included, and its delivery log goes with it.
#[utoipa::path(delete, path = "/api/v1/webhooks/{id}", tag = "webhooks", operation_id = "delete_webhook",
    params(("id" = Uuid, Path, description = "The subscription"),
           ("If-Match" = String, Header, description = "The ETag of the version you read, such as \"3\", compared strongly (a weak W/\"3\" never matches: 412); several may be listed; * bases the write on whatever version is current", pattern = r#"^(\*|(W/)?"[0-9]{1,18}"( *, *(W/)?"[0-9]{1,18}")*)$"#)),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 400, description = "Malformed `If-Match`, or an id that is not a UUID", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such subscription of yours", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "It changed since that version", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "`If-Match` missing", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn delete_webhook(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    req: HttpRequest,
) -> std::result::Result<HttpResponse, actix_web::Error> {
    let id = id.into_inner();
    let expected = based_on(&state, &caller, id, &req).await?;
    domain::delete(&state.db, &caller.0, id, expected).await.map_err(ApiError)?;
    Ok(HttpResponse::NoContent().finish())
}

/// Lists a subscription's deliveries, newest first: the delivery log.
///
/// Each with every attempt's time, status code and duration.
#[utoipa::path(get, path = "/api/v1/webhooks/{id}/deliveries", tag = "webhooks", operation_id = "list_webhook_deliveries",
    params(("id" = Uuid, Path, description = "The subscription"), PageParams), security(("bearer" = [])),
    responses(
        (status = 200, description = "Its deliveries", body = DeliveryList),
        (status = 400, description = "A bad limit, cursor or another parameter, or an id that is not a UUID", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such subscription of yours", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_webhook_deliveries(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    req: HttpRequest,
) -> std::result::Result<HttpResponse, actix_web::Error> {
    let page = page_params(&req, state.settings.serve.max_page_size)?;
    let found = domain::deliveries(&state.db, &caller.0, id.into_inner(), &page)
        .await
        .map_err(ApiError)?;
    Ok(HttpResponse::Ok().json(DeliveryList {
        items: found.items.into_iter().map(Delivery::from).collect(),
        next_cursor: found.next_after.map(encode_cursor),
    }))
}

/// Queues a delivery again, now.
///
/// With a fresh schedule of attempts; a dead one comes back. It is sent in its
/// place in feed order (later pending deliveries wait for it), when the
/// subscription is active. A ping is not retried (409): ping again.
#[utoipa::path(post, path = "/api/v1/webhooks/{id}/deliveries/{delivery_id}/retry", tag = "webhooks", operation_id = "retry_webhook_delivery",
    params(("id" = Uuid, Path, description = "The subscription"), ("delivery_id" = Uuid, Path, description = "The delivery")),
    security(("bearer" = [])),
    responses(
        (status = 202, description = "Queued", body = Delivery),
        (status = 400, description = "An id that is not a UUID", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such subscription of yours, or no such delivery of it", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "A ping: ping again instead", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn retry_webhook_delivery(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid)>,
) -> std::result::Result<HttpResponse, actix_web::Error> {
    let (id, delivery_id) = path.into_inner();
    let d = domain::retry(&state.db, &caller.0, id, delivery_id).await.map_err(ApiError)?;
    Ok(HttpResponse::Accepted().json(Delivery::from(d)))
}

/// Sends a ping now.
///
/// `{"type": "webhook.ping", "timestamp", "data": {"webhook_id"}}`, signed
/// like every delivery, at once (beside the queue, whatever the
/// subscription's status), answered with how it went; logged among the
/// deliveries. The URL is checked again first.
#[utoipa::path(post, path = "/api/v1/webhooks/{id}/ping", tag = "webhooks", operation_id = "ping_webhook",
    params(("id" = Uuid, Path, description = "The subscription")), security(("bearer" = [])),
    responses(
        (status = 200, description = "Sent: `succeeded` or `failed`, with the attempt", body = Delivery),
        (status = 400, description = "An id that is not a UUID", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such subscription of yours", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn ping_webhook(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> std::result::Result<HttpResponse, actix_web::Error> {
    let d = ping(&state, &caller.0, id.into_inner()).await.map_err(ApiError)?;
    Ok(HttpResponse::Ok().json(Delivery::from(d)))
}

/// Mounts the routes, with their OpenAPI entries.
pub fn routes(routes: &mut Routes) {
    routes.tag(
        "webhooks",
        "Changes pushed to your URL as they commit, signed (Standard Webhooks 1.0), in feed order, retried",
    );
    crate::rest::mount!(routes; create_webhook, list_webhooks, get_webhook, update_webhook, delete_webhook,
        list_webhook_deliveries, retry_webhook_delivery, ping_webhook);
}

/// The GraphQL reading of a page request.
fn gql_page(state: &AppState, first: Option<i32>, after: Option<String>) -> Result<PageRequest> {
    let limit = first.map(|f| f.to_string());
    crate::rest::page_request(limit.as_deref(), after.as_deref(), state.settings.serve.max_page_size).map_err(|e| {
        gql_error(match e {
            Error::InvalidParameters(f) => Error::InvalidParameters(
                f.into_iter()
                    .map(|mut f| {
                        f.field = match f.field.as_str() {
                            "limit" => "first".to_owned(),
                            "cursor" => "after".to_owned(),
                            other => other.to_owned(),
                        };
                        f
                    })
                    .collect(),
            ),
            other => other,
        })
    })
}

fn connection<T: async_graphql::OutputType>(
    after: bool,
    items: Vec<(Uuid, T)>,
    next: Option<Uuid>,
) -> Connection<String, T, EmptyFields> {
    let mut c = Connection::new(after, next.is_some());
    c.edges
        .extend(items.into_iter().map(|(id, item)| Edge::new(encode_cursor(id), item)));
    c
}

/// Webhooks in GraphQL: your subscriptions and their delivery logs.
#[derive(Default)]
pub struct WebhooksQuery;

#[Object]
impl WebhooksQuery {
    /// Your webhook subscriptions, in the order they were made.
    #[graphql(complexity = "first.unwrap_or(50).clamp(1, 500) as usize * child_complexity + 1")]
    async fn webhooks(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size, 1–500 (default 50).")] first: Option<i32>,
        #[graphql(desc = "`endCursor` of the previous page.")] after: Option<String>,
    ) -> Result<Connection<String, Webhook, EmptyFields>> {
        let (state, caller) = parts(ctx)?;
        let page = gql_page(state, first, after)?;
        let found = domain::list(&state.db, caller, &page).await.map_err(gql_error)?;
        let items = found.items.into_iter().map(|s| (s.id, Webhook::from(s))).collect();
        Ok(connection(page.after.is_some(), items, found.next_after))
    }

    /// One of your webhook subscriptions; NOT_FOUND for anyone else's.
    async fn webhook(&self, ctx: &Context<'_>, id: ID) -> Result<Webhook> {
        let (state, caller) = parts(ctx)?;
        let s = domain::owned(&state.db, caller, parse_id(&id)?).await.map_err(gql_error)?;
        Ok(s.into())
    }

    /// A subscription's deliveries, newest first, each with its attempts.
    #[graphql(complexity = "first.unwrap_or(50).clamp(1, 500) as usize * child_complexity + 1")]
    async fn webhook_deliveries(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The subscription.")] id: ID,
        #[graphql(desc = "Page size, 1–500 (default 50).")] first: Option<i32>,
        #[graphql(desc = "`endCursor` of the previous page.")] after: Option<String>,
    ) -> Result<Connection<String, Delivery, EmptyFields>> {
        let (state, caller) = parts(ctx)?;
        let page = gql_page(state, first, after)?;
        let found = domain::deliveries(&state.db, caller, parse_id(&id)?, &page)
            .await
            .map_err(gql_error)?;
        let items = found.items.into_iter().map(|d| (d.id, Delivery::from(d))).collect();
        Ok(connection(page.after.is_some(), items, found.next_after))
    }
}

/// Webhooks in GraphQL: making, changing, deleting, retrying, pinging.
#[derive(Default)]
pub struct WebhooksMutation;

#[Object]
impl WebhooksMutation {
    /// Makes a webhook subscription (the rules of `POST /api/v1/webhooks`); the secret is shown only now.
    async fn create_webhook(
        &self,
        ctx: &Context<'_>,
        input: WebhookCreate,
        #[graphql(desc = "Makes retries safe, as for every create.")] idempotency_key: Option<String>,
    ) -> Result<NewWebhook> {
        let (state, caller) = parts(ctx)?;
        let (s, _) = create(state, caller, idempotency_key.as_deref(), input.into())
            .await
            .map_err(gql_error)?;
        let secret = s.secret.clone();
        Ok(NewWebhook {
            webhook: s.into(),
            secret,
        })
    }

    /// Changes one of your webhook subscriptions if it is still at `expectedVersion`.
    async fn update_webhook(
        &self,
        ctx: &Context<'_>,
        id: ID,
        expected_version: i64,
        input: WebhookPatchInput,
    ) -> Result<Webhook> {
        let (state, caller) = parts(ctx)?;
        let s = update(state, caller, parse_id(&id)?, expected_version, input.into())
            .await
            .map_err(gql_error)?;
        Ok(s.into())
    }

    /// Deletes one of your webhook subscriptions, with its deliveries, if it is still at `expectedVersion`; its id.
    async fn delete_webhook(&self, ctx: &Context<'_>, id: ID, expected_version: i64) -> Result<ID> {
        let (state, caller) = parts(ctx)?;
        domain::delete(&state.db, caller, parse_id(&id)?, expected_version)
            .await
            .map_err(gql_error)?;
        Ok(id)
    }

    /// Queues a delivery again now, with a fresh schedule (CONFLICT for a ping).
    async fn retry_webhook_delivery(&self, ctx: &Context<'_>, id: ID, delivery_id: ID) -> Result<Delivery> {
        let (state, caller) = parts(ctx)?;
        let d = domain::retry(&state.db, caller, parse_id(&id)?, parse_id(&delivery_id)?)
            .await
            .map_err(gql_error)?;
        Ok(d.into())
    }

    /// Sends a ping now and tells how it went.
    async fn ping_webhook(&self, ctx: &Context<'_>, id: ID) -> Result<Delivery> {
        let (state, caller) = parts(ctx)?;
        Ok(ping(state, caller, parse_id(&id)?).await.map_err(gql_error)?.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deliveries_are_signed_as_the_specification_signs_its_test_vector() {
        // The Standard Webhooks specification's own example.
        let signer = standardwebhooks::Webhook::new("whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD").ok();
        let signature = signer.and_then(|w| {
            w.sign(
                "msg_27UH4WbU6Z5A5EzD8u03UvzRbpk",
                1649367553,
                br#"{"email":"test@example.com","username":"test_user"}"#,
            )
            .ok()
        });
        assert_eq!(signature.as_deref(), Some("v1,tZ1I4/hDygAJgO5TYxiSd6Sd0kDW6hPenDe+bTa3Kkw="));
    }

    #[test]
    fn each_secret_is_new_and_one_the_specification_accepts() {
        let (a, b) = (new_secret(), new_secret());
        assert_ne!(a, b);
        assert!(a.starts_with("whsec_") && a.len() == 6 + 44, "{a}");
        assert!(standardwebhooks::Webhook::new(&a).is_ok());
    }
}
