//! Webhooks (contract §9): subscriptions that push the changes feed to a
//! partner's URL, signed, in feed order, retried with backoff.
//!
//! A subscription belongs to the account (or client) that made it: no one
//! else reads, changes or even learns of it (404). It follows the feed from
//! where it stood when it was made, as its owner reads the feed *when each
//! delivery is sent*: the owner's jurisdiction, reach and masking at that
//! moment, not when the change happened or was queued.
//!
//! Deliveries live in the database (an outbox): a delivery is queued per
//! matching change, attempted in position order, one at a time per
//! subscription across every replica (a lease on the subscription row), and
//! a later one waits until the earlier one has succeeded or died. Sending is
//! the api's (it speaks HTTP); the rules of what to send, when to retry and
//! when to give up are here.

use std::collections::BTreeSet;
use std::future::Future;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::changes::ChangeAction;
use crate::ctx::Ctx;
use crate::enums::StrEnum;
use crate::error::{Error, FieldError, Result};
use crate::fields::{Fields, Input, Mode, Patch, Unknown};
use crate::message::Message;
use crate::msg;
use crate::policy;
use crate::resource::{Page, PageRequest, ResourceKind};

pub use crate::enums::{DeliveryStatus, SubscriptionStatus};

/// The most event types one subscription lists.
pub const MAX_EVENT_TYPES: usize = 50;
/// The longest description.
pub const MAX_DESCRIPTION_CHARS: usize = 500;
/// The longest URL.
pub const MAX_URL_CHARS: usize = 2000;
/// The longest wait between two attempts, whatever the base.
pub const MAX_RETRY_DELAY_SECONDS: u64 = 3600;
/// The default wait before the first retry (doubling each time).
pub const DEFAULT_RETRY_BASE_SECONDS: u64 = 30;
/// Attempts before a delivery is dead, by default: with the default base
/// (30 s, doubling, at most an hour apart) the last one comes 25 h after the
/// first (30 s + 1 min + … + 32 min, then 24 × 1 h).
pub const DEFAULT_MAX_ATTEMPTS: u32 = 32;
/// Dead deliveries in a row that disable a subscription.
pub const DEAD_IN_A_ROW_DISABLES: i32 = 3;
/// The most subscriptions one account or client holds: each one costs every
/// replica a read of the feed per round.
pub const MAX_SUBSCRIPTIONS_PER_OWNER: u64 = 20;
/// The event type of a ping.
pub const PING: &str = "webhook.ping";

/// A subscription.
#[derive(Debug, Clone, PartialEq)]
pub struct Subscription {
    /// Its id.
    pub id: Uuid,
    /// The account or client that made it, and the only one who sees it.
    pub owner_id: Uuid,
    /// Where deliveries go.
    pub url: String,
    /// `TYPE.ACTION`, `TYPE.*` or `*`.
    pub event_types: Vec<String>,
    /// The owner's words.
    pub description: Option<String>,
    /// `whsec_…`: the signing secret.
    pub secret: String,
    /// Active or disabled.
    pub status: SubscriptionStatus,
    /// Why it was disabled, when it was not by its owner (`dead_deliveries`,
    /// `owner_disabled`).
    pub disabled_reason: Option<String>,
    /// The feed position up to which changes have been queued.
    pub cursor: i64,
    /// Dead deliveries since the last success.
    pub dead_in_a_row: i32,
    /// Version, for `If-Match`.
    pub version: i64,
    /// Made.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

/// One attempt at a delivery.
#[derive(Debug, Clone, PartialEq)]
pub struct Attempt {
    /// When it was sent.
    pub at: DateTime<Utc>,
    /// The receiver's status code, when it answered.
    pub status_code: Option<i32>,
    /// How long it took, in milliseconds.
    pub duration_ms: i64,
    /// What went wrong, when it did (not the receiver's body).
    pub error: Option<String>,
}

/// A delivery: one change (or a ping) for one subscription.
#[derive(Debug, Clone, PartialEq)]
pub struct Delivery {
    /// Its id, sent as `webhook-id` on every attempt.
    pub id: Uuid,
    /// The subscription.
    pub subscription_id: Uuid,
    /// `child.updated`, … or `webhook.ping`.
    pub event_type: String,
    /// The change's feed position (none for a ping).
    pub position: Option<i64>,
    /// Where it stands.
    pub status: DeliveryStatus,
    /// Attempts since it was queued (or retried by hand).
    pub attempts: i32,
    /// When the next attempt is due, while pending.
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// Queued.
    pub created_at: DateTime<Utc>,
    /// Every attempt, oldest first.
    pub log: Vec<Attempt>,
}

/// A new subscription or a merge patch of one, as sent: each field left
/// out, `null` or a value (see `fields`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct WebhookInput {
    #[serde(skip_serializing_if = "Patch::is_absent")]
    pub url: Patch<String>,
    #[serde(skip_serializing_if = "Patch::is_absent")]
    pub event_types: Patch<Vec<String>>,
    #[serde(skip_serializing_if = "Patch::is_absent")]
    pub description: Patch<String>,
    #[serde(skip_serializing_if = "Patch::is_absent")]
    pub status: Patch<SubscriptionStatus>,
    /// Fields sent that a subscription does not have.
    #[serde(flatten)]
    pub unknown: Unknown,
}

impl Input for WebhookInput {
    fn take_unknown(&mut self) -> Unknown {
        std::mem::take(&mut self.unknown)
    }
}

/// An input that passed every rule; `None` leaves a field as it is.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Checked {
    /// The URL (its reachability checked by the api, which resolves it).
    pub url: Option<String>,
    /// The event types.
    pub event_types: Option<Vec<String>>,
    /// The description (`Some(None)` clears it).
    pub description: Option<Option<String>>,
    /// Disable it, or enable it again (which forgets past deaths); patches only.
    pub status: Option<SubscriptionStatus>,
}

/// Reads an input by the rules (every bad field in one 422; event types of a
/// kind the caller may not read are 403). `url_refused` is the api's verdict
/// on the URL sent, when it refused it.
pub fn check(ctx: &Ctx, mode: Mode, mut input: WebhookInput, url_refused: Option<(&str, Message)>) -> Result<Checked> {
    let mut f = Fields::new(mode, input.take_unknown());
    // Left out of a patch, each keeps its value; never null.
    let url = f.text("url", input.url, MAX_URL_CHARS);
    if let (Some(_), Some((code, message))) = (&url, url_refused) {
        f.reject("url", code, message);
    }
    let types = f.required("event_types", input.event_types);
    let description = f.opt_text("description", input.description, MAX_DESCRIPTION_CHARS);
    let status = match mode {
        Mode::Create => {
            f.refuse_if_present("status", &input.status, "read_only", msg!("webhook.status_on_create"));
            None
        }
        Mode::Patch => f.required("status", input.status),
    };
    let mut event_types = None;
    if let Some(t) = &types {
        match self::event_types(ctx, t, "event_types") {
            Ok(t) => event_types = Some(t),
            Err(Error::Validation(errors)) => {
                for e in errors {
                    f.reject(&e.field, &e.code, e.message);
                }
            }
            Err(e) => return Err(e),
        }
    }
    f.finish()?;
    Ok(Checked {
        url,
        event_types,
        description,
        status,
    })
}

/// The outcome of one attempt, as the sender saw it.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// The attempt.
    pub attempt: Attempt,
    /// Whether it succeeded (a 2xx within the time allowed).
    pub succeeded: bool,
}

/// How the deployment retries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// The first wait, in seconds; each next one doubles, up to an hour.
    pub base_seconds: u64,
    /// Attempts before a delivery is dead.
    pub max_attempts: u32,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            base_seconds: DEFAULT_RETRY_BASE_SECONDS,
            max_attempts: DEFAULT_MAX_ATTEMPTS,
        }
    }
}

impl RetryPolicy {
    /// The wait after the `failed`-th failed attempt (1 for the first):
    /// base × 2^(failed−1), at most an hour.
    pub fn delay(self, failed: u32) -> Duration {
        let factor = 1u64.checked_shl(failed.saturating_sub(1)).unwrap_or(u64::MAX);
        let seconds = self.base_seconds.saturating_mul(factor).min(MAX_RETRY_DELAY_SECONDS);
        Duration::seconds(i64::try_from(seconds).unwrap_or(i64::MAX))
    }

    /// The time from the first attempt to the last one.
    pub fn span(self) -> Duration {
        (1..self.max_attempts)
            .map(|n| self.delay(n))
            .fold(Duration::zero(), |a, b| a + b)
    }
}

/// What becomes of a pending delivery after an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NextStep {
    /// Done.
    Succeeded,
    /// Try again then.
    RetryAt(DateTime<Utc>),
    /// Given up.
    Dead,
}

/// Decides what follows `attempts` attempts (this one included) ending in `outcome`.
pub fn next_step(policy: RetryPolicy, attempts: i32, succeeded: bool, now: DateTime<Utc>) -> NextStep {
    let attempts = u32::try_from(attempts).unwrap_or(0);
    if succeeded {
        NextStep::Succeeded
    } else if attempts >= policy.max_attempts {
        NextStep::Dead
    } else {
        NextStep::RetryAt(now + policy.delay(attempts))
    }
}

/// Storage of subscriptions and deliveries.
pub trait WebhookStore: Send + Sync {
    /// Stores a new subscription.
    fn insert_subscription(&self, s: &Subscription) -> impl Future<Output = Result<()>> + Send;
    /// How many subscriptions an owner holds.
    fn count_subscriptions_of(&self, owner: Uuid) -> impl Future<Output = Result<u64>> + Send;
    /// A subscription by id, whoever owns it.
    fn subscription(&self, id: Uuid) -> impl Future<Output = Result<Option<Subscription>>> + Send;
    /// An owner's subscriptions, in id order.
    fn subscriptions_of(
        &self,
        owner: Uuid,
        page: &PageRequest,
    ) -> impl Future<Output = Result<Page<Subscription>>> + Send;
    /// Writes `s` (its version already bumped) if the stored one is at
    /// `expected`; returns whether it was.
    fn update_subscription(&self, s: &Subscription, expected: i64) -> impl Future<Output = Result<bool>> + Send;
    /// Deletes a subscription at `expected` with its deliveries; returns whether it was.
    fn delete_subscription(&self, id: Uuid, expected: i64) -> impl Future<Output = Result<bool>> + Send;
    /// A subscription's deliveries, newest first, with their attempts.
    fn deliveries(&self, subscription: Uuid, page: &PageRequest)
    -> impl Future<Output = Result<Page<Delivery>>> + Send;
    /// One delivery of a subscription, with its attempts.
    fn delivery(&self, subscription: Uuid, id: Uuid) -> impl Future<Output = Result<Option<Delivery>>> + Send;
    /// Queues a delivery again now, with a fresh schedule.
    fn requeue_delivery(&self, id: Uuid, now: DateTime<Utc>) -> impl Future<Output = Result<()>> + Send;
}

/// The caller as an owner: an account or client (the command-line tools own nothing).
fn owner(ctx: &Ctx) -> Result<Uuid> {
    ctx.subject
        .parse()
        .map_err(|_| Error::Forbidden(msg!("webhook.no_owner")))
}

/// The subscription `id` if the caller owns it; 404 otherwise, as if absent.
pub async fn owned<S: WebhookStore>(store: &S, ctx: &Ctx, id: Uuid) -> Result<Subscription> {
    let me = owner(ctx)?;
    match store.subscription(id).await? {
        Some(s) if s.owner_id == me => Ok(s),
        _ => Err(Error::NotFound),
    }
}

/// Reads and checks event types: each `TYPE.ACTION`, `TYPE.*` or `*`, of a
/// kind the caller may read (403 otherwise); the same one twice counts once.
pub fn event_types(ctx: &Ctx, types: &[String], field: &str) -> Result<Vec<String>> {
    let mut errors = Vec::new();
    if types.is_empty() {
        errors.push(FieldError::new(field, "required", msg!("webhook.event_types_empty")));
    }
    if types.len() > MAX_EVENT_TYPES {
        errors.push(FieldError::new(
            field,
            "too_many",
            msg!("webhook.too_many_event_types", max = MAX_EVENT_TYPES),
        ));
    }
    let mut kinds = Vec::new();
    let mut any = false;
    for t in types {
        match parse_type(t) {
            Some(Pattern::Any) => any = true,
            Some(Pattern::Kind(k, _)) => kinds.push(k),
            None => errors.push(FieldError::new(
                field,
                "invalid_value",
                msg!(
                    "webhook.unknown_event_type",
                    value = t.as_str(),
                    kinds = ResourceKind::expected(),
                    actions = ChangeAction::expected()
                ),
            )),
        }
    }
    if !errors.is_empty() {
        return Err(Error::Validation(errors));
    }
    if let Some(k) = kinds.iter().find(|k| !policy::can_read(ctx, **k)) {
        return Err(Error::Forbidden(msg!("webhook.type_not_readable", kind = k.as_str())));
    }
    if any && !ResourceKind::ALL.iter().any(|k| policy::can_read(ctx, *k)) {
        return Err(Error::Forbidden(msg!("webhook.nothing_readable")));
    }
    let mut seen = BTreeSet::new();
    Ok(types.iter().filter(|t| seen.insert(t.as_str())).cloned().collect())
}

enum Pattern {
    Any,
    Kind(ResourceKind, Option<ChangeAction>),
}

fn parse_type(t: &str) -> Option<Pattern> {
    if t == "*" {
        return Some(Pattern::Any);
    }
    let (kind, action) = t.split_once('.')?;
    let kind = ResourceKind::parse(kind)?;
    match action {
        "*" => Some(Pattern::Kind(kind, None)),
        a => ChangeAction::parse(a).map(|a| Pattern::Kind(kind, Some(a))),
    }
}

/// Whether a subscription to `types` wants a change of `kind` that `action`.
pub fn wants(types: &[String], kind: ResourceKind, action: ChangeAction) -> bool {
    types.iter().any(|t| match parse_type(t) {
        Some(Pattern::Any) => true,
        Some(Pattern::Kind(k, a)) => k == kind && a.is_none_or(|a| a == action),
        None => false,
    })
}

/// The kinds a subscription to `types` reads from the feed.
pub fn kinds_wanted(types: &[String]) -> Vec<ResourceKind> {
    ResourceKind::ALL
        .iter()
        .copied()
        .filter(|k| {
            types.iter().any(|t| match parse_type(t) {
                Some(Pattern::Any) => true,
                Some(Pattern::Kind(kind, _)) => kind == *k,
                None => false,
            })
        })
        .collect()
}

/// The event type of a change: `child.updated`.
pub fn type_of(kind: ResourceKind, action: ChangeAction) -> String {
    format!("{}.{}", kind.as_str(), action.as_str())
}

/// Makes subscription `id`, owned by the caller, that follows the feed from
/// `from` (the head now), signed with `secret`.
pub async fn create<S: WebhookStore>(
    store: &S,
    ctx: &Ctx,
    id: Uuid,
    input: Checked,
    from: i64,
    secret: String,
) -> Result<Subscription> {
    let owner_id = owner(ctx)?;
    if store.count_subscriptions_of(owner_id).await? >= MAX_SUBSCRIPTIONS_PER_OWNER {
        return Err(Error::Conflict {
            field: None,
            message: msg!("webhook.too_many", max = MAX_SUBSCRIPTIONS_PER_OWNER),
        });
    }
    let (Some(url), Some(event_types)) = (input.url, input.event_types) else {
        return Err(Error::Internal(
            "a subscription made without url or event types".to_owned(),
        ));
    };
    let now = Utc::now();
    let s = Subscription {
        id,
        owner_id,
        url,
        event_types,
        description: input.description.flatten(),
        secret,
        status: SubscriptionStatus::Active,
        disabled_reason: None,
        cursor: from,
        dead_in_a_row: 0,
        version: 1,
        created_at: now,
        updated_at: now,
    };
    store.insert_subscription(&s).await?;
    Ok(s)
}

/// The caller's subscriptions.
pub async fn list<S: WebhookStore>(store: &S, ctx: &Ctx, page: &PageRequest) -> Result<Page<Subscription>> {
    store.subscriptions_of(owner(ctx)?, page).await
}

/// Changes one of the caller's subscriptions, if it is at `expected`.
pub async fn update<S: WebhookStore>(
    store: &S,
    ctx: &Ctx,
    id: Uuid,
    expected: i64,
    patch: Checked,
) -> Result<Subscription> {
    let mut s = owned(store, ctx, id).await?;
    if s.version != expected {
        return Err(Error::VersionMismatch { current: s.version });
    }
    if let Some(url) = patch.url {
        s.url = url;
    }
    if let Some(types) = patch.event_types {
        s.event_types = types;
    }
    if let Some(d) = patch.description {
        s.description = d;
    }
    match patch.status {
        Some(SubscriptionStatus::Active) if s.status != SubscriptionStatus::Active => {
            s.status = SubscriptionStatus::Active;
            s.disabled_reason = None;
            s.dead_in_a_row = 0;
        }
        Some(SubscriptionStatus::Disabled) if s.status != SubscriptionStatus::Disabled => {
            s.status = SubscriptionStatus::Disabled;
            s.disabled_reason = None;
        }
        _ => {}
    }
    s.version += 1;
    s.updated_at = Utc::now();
    if !store.update_subscription(&s, expected).await? {
        let current = owned(store, ctx, id).await?.version;
        return Err(Error::VersionMismatch { current });
    }
    Ok(s)
}

/// Deletes one of the caller's subscriptions (and its deliveries), if it is at `expected`.
pub async fn delete<S: WebhookStore>(store: &S, ctx: &Ctx, id: Uuid, expected: i64) -> Result<()> {
    let s = owned(store, ctx, id).await?;
    if s.version != expected || !store.delete_subscription(id, expected).await? {
        let current = owned(store, ctx, id).await?.version;
        return Err(Error::VersionMismatch { current });
    }
    Ok(())
}

/// The deliveries of one of the caller's subscriptions, newest first.
pub async fn deliveries<S: WebhookStore>(store: &S, ctx: &Ctx, id: Uuid, page: &PageRequest) -> Result<Page<Delivery>> {
    owned(store, ctx, id).await?;
    store.deliveries(id, page).await
}

/// Queues a delivery of one of the caller's subscriptions again, now, with a
/// fresh schedule (a dead one comes back; it goes in its place in feed order).
/// A ping is not queued: ping again.
pub async fn retry<S: WebhookStore>(store: &S, ctx: &Ctx, id: Uuid, delivery_id: Uuid) -> Result<Delivery> {
    owned(store, ctx, id).await?;
    let delivery = store.delivery(id, delivery_id).await?.ok_or(Error::NotFound)?;
    if delivery.position.is_none() {
        return Err(Error::Conflict {
            field: None,
            message: msg!("webhook.ping_not_retried"),
        });
    }
    store.requeue_delivery(delivery_id, Utc::now()).await?;
    store.delivery(id, delivery_id).await?.ok_or(Error::NotFound)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::enums::Role;

    fn ctx(role: Role) -> Ctx {
        Ctx {
            role,
            subject: Uuid::now_v7().to_string(),
            region_code: "522631101000".to_owned(),
            ..Ctx::system("t")
        }
    }

    #[test]
    fn the_default_schedule_retries_for_more_than_a_day_at_most_an_hour_apart() {
        let p = RetryPolicy::default();
        assert_eq!(p.delay(1), Duration::seconds(30));
        assert_eq!(p.delay(2), Duration::seconds(60));
        assert_eq!(p.delay(7), Duration::seconds(1920));
        assert_eq!(p.delay(8), Duration::seconds(3600));
        assert_eq!(p.delay(200), Duration::seconds(3600));
        assert!(p.span() >= Duration::hours(24), "{:?}", p.span());
        assert!(p.span() < Duration::hours(26));
    }

    #[test]
    fn a_delivery_dies_after_its_last_attempt_and_not_before() {
        let p = RetryPolicy {
            base_seconds: 1,
            max_attempts: 3,
        };
        let now = Utc::now();
        assert_eq!(
            next_step(p, 1, false, now),
            NextStep::RetryAt(now + Duration::seconds(1))
        );
        assert_eq!(
            next_step(p, 2, false, now),
            NextStep::RetryAt(now + Duration::seconds(2))
        );
        assert_eq!(next_step(p, 3, false, now), NextStep::Dead);
        assert_eq!(next_step(p, 3, true, now), NextStep::Succeeded);
    }

    #[test]
    fn event_types_match_by_kind_and_action_or_wildcard() {
        let t = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert!(wants(&t(&["*"]), ResourceKind::Visit, ChangeAction::Ended));
        assert!(wants(&t(&["child.*"]), ResourceKind::Child, ChangeAction::LeftScope));
        assert!(!wants(&t(&["child.*"]), ResourceKind::Guardian, ChangeAction::Created));
        assert!(wants(
            &t(&["child.updated"]),
            ResourceKind::Child,
            ChangeAction::Updated
        ));
        assert!(!wants(
            &t(&["child.updated"]),
            ResourceKind::Child,
            ChangeAction::Created
        ));
        assert_eq!(
            kinds_wanted(&t(&["child.updated", "visit.*"])),
            vec![ResourceKind::Child, ResourceKind::Visit]
        );
    }

    #[test]
    fn a_caller_subscribes_only_to_what_it_may_read() {
        let admin = ctx(Role::Admin);
        let t = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert_eq!(
            event_types(&admin, &t(&["child.*", "child.*", "*"]), "event_types").ok(),
            Some(t(&["child.*", "*"]))
        );
        for bad in [
            &["case.referred"][..],
            &["child"],
            &["child.moved"],
            &["*.created"],
            &[],
        ] {
            assert!(
                matches!(event_types(&admin, &t(bad), "event_types"), Err(Error::Validation(_))),
                "{bad:?}"
            );
        }
        let volunteer = ctx(Role::Volunteer);
        assert!(matches!(
            event_types(&volunteer, &t(&["guardian.*"]), "event_types"),
            Err(Error::Forbidden(_))
        ));
    }
}
