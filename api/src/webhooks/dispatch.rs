//! Sending webhook deliveries: each replica looks for work every
//! `SHOUHU_WEBHOOK_POLL_MS`, takes the lease of each subscription that has
//! some (only one replica can), queues the changes its owner may see past its
//! cursor, and sends its pending deliveries in feed order, one at a time.
//!
//! At least once: a delivery is marked sent only after the receiver's 2xx, so
//! a replica killed in between sends it again once its lease runs out. Its
//! `webhook-id` stays the same, for the receiver to recognise it.

use std::time::{Duration, Instant};

use chrono::Utc;
use futures::StreamExt;
use serde_json::json;
use shouhu_domain::changes::{self, ChangeRequest, ChangeStore, Cursor};
use shouhu_domain::enums::Role;
use shouhu_domain::ports::{AccountStore, CareFacts};
use shouhu_domain::webhooks::{
    self, Attempt, DEAD_IN_A_ROW_DISABLES, Delivery, DeliveryStatus, NextStep, Outcome, RetryPolicy, Subscription,
    WebhookStore,
};
use shouhu_domain::{Ctx, Error, Result};
use shouhu_persistence::{Db, Lease};
use uuid::Uuid;

use super::target::{self, AllowHosts, GuardedResolver};
use crate::app::AppState;

/// A receiver has this long to answer 2xx.
pub const ANSWER_WITHIN: Duration = Duration::from_secs(10);
/// How long a lease lasts; renewed before each send, so longer than one.
const LEASE: Duration = Duration::from_secs(30);
/// Subscriptions served at once by one replica.
const PARALLEL: usize = 8;
/// Sends and queueings one subscription gets per turn, so that none starves the others.
const TURN: usize = 50;
/// Changes queued per look at the feed.
const QUEUE_PAGE: u64 = 200;

/// Sends signed requests to webhook targets.
#[derive(Clone)]
pub struct Sender {
    client: reqwest::Client,
    allow: AllowHosts,
}

impl Sender {
    /// A sender that reaches only what `allow` permits (see [`target`]).
    pub fn new(allow: AllowHosts) -> Result<Self> {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .timeout(ANSWER_WITHIN)
            .connect_timeout(Duration::from_secs(5))
            .user_agent(concat!("Shouhu-Webhooks/", env!("CARGO_PKG_VERSION")))
            .dns_resolver(std::sync::Arc::new(GuardedResolver { allow: allow.clone() }))
            .build()
            .map_err(|e| Error::Internal(format!("webhook client: {e}")))?;
        Ok(Self { client, allow })
    }

    /// The hosts allowed to be private or plain `http`.
    pub fn allow(&self) -> &AllowHosts {
        &self.allow
    }

    /// Sends `body` to `url` signed with `secret` as delivery `id`, and tells how it went.
    pub async fn send(&self, url: &str, secret: &str, id: Uuid, body: &[u8]) -> Outcome {
        let at = Utc::now();
        let started = Instant::now();
        let failed = |error: String, status_code: Option<i32>| Outcome {
            attempt: Attempt {
                at,
                status_code,
                duration_ms: elapsed_ms(started),
                error: Some(error),
            },
            succeeded: false,
        };
        if let Err(refused) = target::check(url, &self.allow).await {
            return failed(format!("{}: {}", refused.code, crate::i18n::render_in(crate::i18n::Lang::En, &refused.message)), None);
        }
        let timestamp = at.timestamp();
        let signature = match standardwebhooks::Webhook::new(secret).and_then(|w| w.sign(&id.to_string(), timestamp, body))
        {
            Ok(s) => s,
            Err(e) => return failed(format!("signing: {e}"), None),
        };
        let sent = self
            .client
            .post(url)
            .header("content-type", "application/json")
            .header("webhook-id", id.to_string())
            .header("webhook-timestamp", timestamp.to_string())
            .header("webhook-signature", signature)
            .body(body.to_vec())
            .send()
            .await;
        match sent {
            Ok(response) => {
                let status = response.status();
                // The body is not read: a receiver's answer says nothing we keep.
                drop(response);
                let code = Some(i32::from(status.as_u16()));
                if status.is_success() {
                    Outcome {
                        attempt: Attempt {
                            at,
                            status_code: code,
                            duration_ms: elapsed_ms(started),
                            error: None,
                        },
                        succeeded: true,
                    }
                } else {
                    failed(format!("answered {}", status.as_u16()), code)
                }
            }
            Err(e) if e.is_timeout() => failed(format!("no answer within {} s", ANSWER_WITHIN.as_secs()), None),
            Err(e) if e.is_connect() => failed("could not connect".to_owned(), None),
            Err(_) => failed("the request failed".to_owned(), None),
        }
    }
}

fn elapsed_ms(started: Instant) -> i64 {
    i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX)
}

/// The body of a delivery: `{"type", "timestamp", "data"}`.
pub fn body(event_type: &str, timestamp: chrono::DateTime<Utc>, data: serde_json::Value) -> Vec<u8> {
    json!({"type": event_type, "timestamp": timestamp, "data": data})
        .to_string()
        .into_bytes()
}

/// Looks for webhook work every poll interval, until the process ends.
pub fn spawn(state: actix_web::web::Data<AppState>) {
    let every = Duration::from_millis(state.settings.serve.webhook_poll_ms);
    tokio::spawn(async move {
        // The first look one interval after start, like every later one.
        let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if let Err(e) = round(&state).await {
                tracing::warn!(error = %e, "webhook round failed");
            }
        }
    });
}

/// One look for work: serves every subscription that has some and that no
/// other replica serves.
async fn round(state: &AppState) -> Result<()> {
    let head = changes::head(&state.db).await?;
    let due = state.db.due_subscriptions(Utc::now(), head.position, 64).await?;
    futures::stream::iter(due)
        .for_each_concurrent(PARALLEL, |id| async move {
            let now = Utc::now();
            match state.db.claim_subscription(id, now, now + lease_span()).await {
                Ok(Some(lease)) => {
                    if let Err(e) = serve(state, &lease).await {
                        tracing::warn!(error = %e, subscription = %id, "webhook subscription not served");
                    }
                    if let Err(e) = state.db.release_lease(&lease).await {
                        tracing::warn!(error = %e, subscription = %id, "webhook lease not released");
                    }
                }
                Ok(None) => {}
                Err(e) => tracing::warn!(error = %e, subscription = %id, "webhook lease not taken"),
            }
        })
        .await;
    Ok(())
}

fn lease_span() -> chrono::Duration {
    chrono::Duration::from_std(LEASE).unwrap_or(chrono::Duration::seconds(30))
}

fn policy(state: &AppState) -> RetryPolicy {
    RetryPolicy {
        base_seconds: state.settings.serve.webhook_retry_base_seconds,
        max_attempts: state.settings.serve.webhook_max_attempts,
    }
}

/// The owner of a subscription as a caller now; `None` when it can no
/// longer be served (gone or disabled).
pub async fn owner_ctx(state: &AppState, s: &Subscription, channel: &str) -> Result<Option<Ctx>> {
    let Some(account) = state.db.account(s.owner_id).await? else {
        return Ok(None);
    };
    if account.disabled {
        return Ok(None);
    }
    let volunteer_children = if account.role == Role::Volunteer {
        state.db.paired_children(account.id).await?
    } else {
        Vec::new()
    };
    Ok(Some(Ctx {
        subject: account.id.to_string(),
        role: account.role,
        department: account.department,
        organization_id: account.organization_id,
        region_code: account.region_code,
        request_id: Uuid::now_v7().to_string(),
        client_request_id: None,
        channel: channel.to_owned(),
        rules: state.settings.rules(),
        volunteer_children,
        service_logs_reads: true,
    }))
}

/// Serves one subscription while holding its lease, for one turn.
async fn serve(state: &AppState, lease: &Lease) -> Result<()> {
    let db = &state.db;
    for _ in 0..TURN {
        let now = Utc::now();
        if !db.renew_lease(lease, now + lease_span()).await? {
            return Ok(());
        }
        let Some(sub) = db.subscription(lease.subscription_id).await? else {
            return Ok(());
        };
        if sub.status != webhooks::SubscriptionStatus::Active {
            return Ok(());
        }
        let channel = format!("webhook {}", sub.id);
        let Some(ctx) = owner_ctx(state, &sub, &channel).await? else {
            db.disable_subscription(sub.id, "owner_disabled").await?;
            return Ok(());
        };
        match db.first_pending(sub.id).await? {
            Some(d) if d.next_attempt_at.is_some_and(|t| t > now) => return Ok(()),
            Some(d) => {
                if !attempt(state, lease, &sub, &ctx, &d).await? {
                    return Ok(());
                }
            }
            None => {
                if !queue(db, lease, &sub, &ctx).await? {
                    return Ok(());
                }
            }
        }
    }
    Ok(())
}

/// Queues the changes past the subscription's cursor that its owner sees and
/// wants; false when there were none.
async fn queue(db: &Db, lease: &Lease, sub: &Subscription, ctx: &Ctx) -> Result<bool> {
    // Nothing is sent yet: queueing discloses nothing, the read log waits for the sends.
    let quiet = Ctx {
        service_logs_reads: false,
        ..ctx.clone()
    };
    let request = ChangeRequest {
        after: Some(Cursor { position: sub.cursor }),
        kinds: Some(webhooks::kinds_wanted(&sub.event_types)),
        limit: QUEUE_PAGE,
    };
    let page = match changes::changes(db, &quiet, &request).await {
        Ok(page) => page,
        Err(Error::CursorExpired) => {
            // Disabled for longer than the feed keeps changes: those are gone;
            // go on from the oldest kept.
            let head = db.feed_head().await?;
            tracing::warn!(subscription = %sub.id, "webhook cursor expired; changes purged meanwhile are not sent");
            db.enqueue(lease, &[], head.purged_through, Utc::now()).await?;
            return Ok(true);
        }
        Err(e) => return Err(e),
    };
    if page.next.position <= sub.cursor {
        return Ok(false);
    }
    let deliveries: Vec<(Uuid, String, i64)> = page
        .items
        .iter()
        .filter(|c| webhooks::wants(&sub.event_types, c.kind, c.action))
        .map(|c| (Uuid::now_v7(), webhooks::type_of(c.kind, c.action), c.cursor.position))
        .collect();
    db.enqueue(lease, &deliveries, page.next.position, Utc::now()).await
}

/// Attempts a pending delivery; true when the next one may follow at once.
async fn attempt(state: &AppState, lease: &Lease, sub: &Subscription, ctx: &Ctx, d: &Delivery) -> Result<bool> {
    let db = &state.db;
    let position = d.position.unwrap_or_default();
    let kinds = Some(webhooks::kinds_wanted(&sub.event_types));
    // Read as the owner reads it now: masked, and only if still theirs to read.
    let change = changes::at(db, ctx, position, kinds)
        .await?
        .filter(|c| webhooks::wants(&sub.event_types, c.kind, c.action));
    let Some(change) = change else {
        let skipped = Attempt {
            at: Utc::now(),
            status_code: None,
            duration_ms: 0,
            error: Some("not sent: no longer for the subscription's owner to read".to_owned()),
        };
        db.record_attempt(lease, d.id, &skipped, DeliveryStatus::Skipped, d.attempts, None, None, DEAD_IN_A_ROW_DISABLES)
            .await?;
        return Ok(true);
    };
    let event_type = webhooks::type_of(change.kind, change.action);
    let at = change.at;
    let data = serde_json::to_value(crate::changes::Change::from(change))
        .map_err(|e| Error::Internal(format!("webhook body: {e}")))?;
    let body = body(&event_type, at, data);
    let outcome = state.webhooks.send(&sub.url, &sub.secret, d.id, &body).await;
    let attempts = d.attempts.saturating_add(1);
    let now = Utc::now();
    let (status, next, dead) = match webhooks::next_step(policy(state), attempts, outcome.succeeded, now) {
        NextStep::Succeeded => (DeliveryStatus::Succeeded, None, Some(false)),
        NextStep::RetryAt(t) => (DeliveryStatus::Pending, Some(t), None),
        NextStep::Dead => (DeliveryStatus::Dead, None, Some(true)),
    };
    let held = db
        .record_attempt(lease, d.id, &outcome.attempt, status, attempts, next, dead, DEAD_IN_A_ROW_DISABLES)
        .await?;
    Ok(held && status != DeliveryStatus::Pending)
}
