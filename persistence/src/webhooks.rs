//! Webhook subscriptions, the outbox of deliveries and the log of attempts.
//!
//! One replica at a time serves a subscription: it takes a lease on the
//! subscription's row (`lease_owner`, `lease_until`) with one conditional
//! `UPDATE`, which only one replica can win, and every write it makes while
//! serving (queueing, recording an attempt) checks that it still holds it. A
//! replica that dies loses its leases when they run out; its deliveries are
//! still in the table, and another replica (or itself, restarted) sends them.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use shouhu_domain::enums::StrEnum;
use shouhu_domain::ports::Transactional;
use shouhu_domain::resource::{Page, PageRequest};
use shouhu_domain::webhooks::{Attempt, Delivery, DeliveryStatus, Subscription, SubscriptionStatus, WebhookStore};
use shouhu_domain::{Error, Result};
use uuid::Uuid;

use crate::entities::{webhook_attempt as attempt, webhook_delivery as delivery, webhook_subscription as sub};
use crate::error::db_error;
use crate::store::Db;

/// A replica's hold on a subscription while it serves it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lease {
    /// The subscription.
    pub subscription_id: Uuid,
    /// Who holds it (a token unique to the replica's claim).
    pub holder: String,
}

fn subscription_of(m: sub::Model) -> Result<Subscription> {
    Ok(Subscription {
        id: m.id,
        owner_id: m.owner_id,
        url: m.url,
        event_types: serde_json::from_str(&m.event_types)
            .map_err(|e| Error::Internal(format!("webhook event types: {e}")))?,
        description: m.description,
        secret: m.secret,
        status: SubscriptionStatus::parse(&m.status)
            .ok_or_else(|| Error::Internal(format!("webhook status {}", m.status)))?,
        disabled_reason: m.disabled_reason,
        cursor: m.cursor,
        dead_in_a_row: m.dead_in_a_row,
        version: m.version,
        created_at: m.created_at,
        updated_at: m.updated_at,
    })
}

fn delivery_of(m: delivery::Model, log: Vec<Attempt>) -> Result<Delivery> {
    Ok(Delivery {
        id: m.id,
        subscription_id: m.subscription_id,
        event_type: m.event_type,
        position: m.position,
        status: DeliveryStatus::parse(&m.status)
            .ok_or_else(|| Error::Internal(format!("delivery status {}", m.status)))?,
        attempts: m.attempts,
        next_attempt_at: m.next_attempt_at,
        created_at: m.created_at,
        log,
    })
}

fn attempt_of(m: attempt::Model) -> Attempt {
    Attempt {
        at: m.at,
        status_code: m.status_code,
        duration_ms: m.duration_ms,
        error: m.error,
    }
}

fn types_json(s: &Subscription) -> String {
    serde_json::Value::from(s.event_types.clone()).to_string()
}

impl Db {
    /// The attempts of `ids`, oldest first, per delivery.
    async fn attempts_of(&self, ids: &[Uuid]) -> Result<HashMap<Uuid, Vec<Attempt>>> {
        let mut out: HashMap<Uuid, Vec<Attempt>> = HashMap::new();
        if ids.is_empty() {
            return Ok(out);
        }
        for m in attempt::Entity::find()
            .filter(attempt::Column::DeliveryId.is_in(ids.to_vec()))
            .order_by_asc(attempt::Column::At)
            .order_by_asc(attempt::Column::Id)
            .all(&self.exec())
            .await
            .map_err(db_error)?
        {
            out.entry(m.delivery_id).or_default().push(attempt_of(m));
        }
        Ok(out)
    }

    /// Active subscriptions no replica serves now that have something to do:
    /// changes past their cursor (the feed is at `head`), or a pending
    /// delivery that is due.
    pub async fn due_subscriptions(&self, now: DateTime<Utc>, head: i64, limit: u64) -> Result<Vec<Uuid>> {
        let due = Expr::exists(
            sea_orm::sea_query::Query::select()
                .expr(Expr::val(1))
                .from(delivery::Entity)
                .and_where(
                    Expr::col((delivery::Entity, delivery::Column::SubscriptionId))
                        .equals((sub::Entity, sub::Column::Id)),
                )
                .and_where(Expr::col((delivery::Entity, delivery::Column::Status)).eq(DeliveryStatus::Pending.as_str()))
                .and_where(Expr::col((delivery::Entity, delivery::Column::NextAttemptAt)).lte(now))
                .to_owned(),
        );
        let rows = sub::Entity::find()
            .select_only()
            .column(sub::Column::Id)
            .filter(sub::Column::Status.eq(SubscriptionStatus::Active.as_str()))
            .filter(
                Condition::any()
                    .add(sub::Column::LeaseUntil.is_null())
                    .add(sub::Column::LeaseUntil.lt(now)),
            )
            .filter(Condition::any().add(sub::Column::Cursor.lt(head)).add(due))
            .order_by_asc(sub::Column::Id)
            .limit(limit)
            .into_tuple::<Uuid>()
            .all(&self.exec())
            .await
            .map_err(db_error)?;
        Ok(rows)
    }

    /// Takes the lease of a subscription no one holds (or whose lease ran
    /// out) until `until`; `None` when another replica holds it.
    pub async fn claim_subscription(
        &self,
        id: Uuid,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<Option<Lease>> {
        let holder = Uuid::now_v7().to_string();
        let res = sub::Entity::update_many()
            .col_expr(sub::Column::LeaseOwner, Expr::val(holder.clone()))
            .col_expr(sub::Column::LeaseUntil, Expr::val(until))
            .filter(sub::Column::Id.eq(id))
            .filter(sub::Column::Status.eq(SubscriptionStatus::Active.as_str()))
            .filter(
                Condition::any()
                    .add(sub::Column::LeaseUntil.is_null())
                    .add(sub::Column::LeaseUntil.lt(now)),
            )
            .exec(&self.exec())
            .await
            .map_err(db_error)?;
        Ok((res.rows_affected == 1).then_some(Lease {
            subscription_id: id,
            holder,
        }))
    }

    /// Extends a lease held; false when it was lost.
    pub async fn renew_lease(&self, lease: &Lease, until: DateTime<Utc>) -> Result<bool> {
        let res = sub::Entity::update_many()
            .col_expr(sub::Column::LeaseUntil, Expr::val(until))
            .filter(sub::Column::Id.eq(lease.subscription_id))
            .filter(sub::Column::LeaseOwner.eq(lease.holder.as_str()))
            .exec(&self.exec())
            .await
            .map_err(db_error)?;
        Ok(res.rows_affected == 1)
    }

    /// Gives a lease back.
    pub async fn release_lease(&self, lease: &Lease) -> Result<()> {
        sub::Entity::update_many()
            .col_expr(sub::Column::LeaseOwner, Expr::val(Option::<String>::None))
            .col_expr(sub::Column::LeaseUntil, Expr::val(Option::<DateTime<Utc>>::None))
            .filter(sub::Column::Id.eq(lease.subscription_id))
            .filter(sub::Column::LeaseOwner.eq(lease.holder.as_str()))
            .exec(&self.exec())
            .await
            .map_err(db_error)?;
        Ok(())
    }

    /// The first pending delivery of a subscription in feed order.
    pub async fn first_pending(&self, subscription: Uuid) -> Result<Option<Delivery>> {
        let Some(m) = delivery::Entity::find()
            .filter(delivery::Column::SubscriptionId.eq(subscription))
            .filter(delivery::Column::Status.eq(DeliveryStatus::Pending.as_str()))
            .filter(delivery::Column::Position.is_not_null())
            .order_by_asc(delivery::Column::Position)
            .one(&self.exec())
            .await
            .map_err(db_error)?
        else {
            return Ok(None);
        };
        delivery_of(m, Vec::new()).map(Some)
    }

    /// Queues `deliveries` (id, event type, position) and moves the
    /// subscription's cursor to `cursor`, in one transaction, if the lease is
    /// still held; returns whether it was.
    pub async fn enqueue(
        &self,
        lease: &Lease,
        deliveries: &[(Uuid, String, i64)],
        cursor: i64,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let unit = self.begin().await?;
        let txn = unit.exec();
        let moved = sub::Entity::update_many()
            .col_expr(sub::Column::Cursor, Expr::val(cursor))
            .filter(sub::Column::Id.eq(lease.subscription_id))
            .filter(sub::Column::LeaseOwner.eq(lease.holder.as_str()))
            .filter(sub::Column::Cursor.lt(cursor))
            .exec(&txn)
            .await
            .map_err(db_error)?;
        if moved.rows_affected != 1 {
            return Ok(false);
        }
        for chunk in deliveries.chunks(200) {
            delivery::Entity::insert_many(chunk.iter().map(|(id, event_type, position)| delivery::ActiveModel {
                id: Set(*id),
                subscription_id: Set(lease.subscription_id),
                event_type: Set(event_type.clone()),
                position: Set(Some(*position)),
                status: Set(DeliveryStatus::Pending.as_str().to_owned()),
                attempts: Set(0),
                next_attempt_at: Set(Some(now)),
                created_at: Set(now),
            }))
            .exec_without_returning(&txn)
            .await
            .map_err(db_error)?;
        }
        unit.commit().await?;
        Ok(true)
    }

    /// Stores a delivery made outside the queue (a ping) with its attempt.
    pub async fn insert_sent(&self, d: &Delivery) -> Result<()> {
        let unit = self.begin().await?;
        let txn = unit.exec();
        delivery::Entity::insert(delivery::ActiveModel {
            id: Set(d.id),
            subscription_id: Set(d.subscription_id),
            event_type: Set(d.event_type.clone()),
            position: Set(d.position),
            status: Set(d.status.as_str().to_owned()),
            attempts: Set(d.attempts),
            next_attempt_at: Set(d.next_attempt_at),
            created_at: Set(d.created_at),
        })
        .exec_without_returning(&txn)
        .await
        .map_err(db_error)?;
        for a in &d.log {
            insert_attempt(&txn, d.id, a).await?;
        }
        unit.commit().await
    }

    /// Logs an attempt of a queued delivery and what follows it: its new
    /// status, attempt count and next attempt; and the subscription's count of
    /// dead deliveries in a row (`dead_in_a_row`: `Some(0)` after a success,
    /// `Some(n)` after a death, which disables it from `disable_at`), in one
    /// transaction, if the lease is still held.
    #[allow(clippy::too_many_arguments)]
    pub async fn record_attempt(
        &self,
        lease: &Lease,
        delivery_id: Uuid,
        a: &Attempt,
        status: DeliveryStatus,
        attempts: i32,
        next_attempt_at: Option<DateTime<Utc>>,
        dead: Option<bool>,
        disable_at: i32,
    ) -> Result<bool> {
        let unit = self.begin().await?;
        let txn = unit.exec();
        // A no-op write that locks the row for this transaction: a replica
        // claiming it meanwhile waits, and sees the outcome.
        let locked = sub::Entity::update_many()
            .col_expr(sub::Column::LeaseOwner, Expr::val(lease.holder.clone()))
            .filter(sub::Column::Id.eq(lease.subscription_id))
            .filter(sub::Column::LeaseOwner.eq(lease.holder.as_str()))
            .exec(&txn)
            .await
            .map_err(db_error)?;
        if locked.rows_affected != 1 {
            return Ok(false);
        }
        let held = sub::Entity::find_by_id(lease.subscription_id)
            .one(&txn)
            .await
            .map_err(db_error)?;
        let Some(held) = held else {
            return Ok(false);
        };
        insert_attempt(&txn, delivery_id, a).await?;
        delivery::Entity::update_many()
            .col_expr(delivery::Column::Status, Expr::val(status.as_str()))
            .col_expr(delivery::Column::Attempts, Expr::val(attempts))
            .col_expr(delivery::Column::NextAttemptAt, Expr::val(next_attempt_at))
            .filter(delivery::Column::Id.eq(delivery_id))
            .exec(&txn)
            .await
            .map_err(db_error)?;
        match dead {
            Some(false) if held.dead_in_a_row != 0 => {
                sub::Entity::update_many()
                    .col_expr(sub::Column::DeadInARow, Expr::val(0))
                    .filter(sub::Column::Id.eq(lease.subscription_id))
                    .exec(&txn)
                    .await
                    .map_err(db_error)?;
            }
            Some(true) => {
                let n = held.dead_in_a_row + 1;
                let mut update = sub::Entity::update_many()
                    .col_expr(sub::Column::DeadInARow, Expr::val(n))
                    .filter(sub::Column::Id.eq(lease.subscription_id));
                if n >= disable_at {
                    update = update
                        .col_expr(sub::Column::Status, Expr::val(SubscriptionStatus::Disabled.as_str()))
                        .col_expr(sub::Column::DisabledReason, Expr::val("dead_deliveries"))
                        .col_expr(sub::Column::Version, Expr::col(sub::Column::Version).add(1))
                        .col_expr(sub::Column::UpdatedAt, Expr::val(Utc::now()));
                }
                update.exec(&txn).await.map_err(db_error)?;
            }
            _ => {}
        }
        unit.commit().await?;
        Ok(true)
    }

    /// Disables a subscription for `reason` (its owner can no longer be served).
    pub async fn disable_subscription(&self, id: Uuid, reason: &str) -> Result<()> {
        sub::Entity::update_many()
            .col_expr(sub::Column::Status, Expr::val(SubscriptionStatus::Disabled.as_str()))
            .col_expr(sub::Column::DisabledReason, Expr::val(reason))
            .col_expr(sub::Column::Version, Expr::col(sub::Column::Version).add(1))
            .col_expr(sub::Column::UpdatedAt, Expr::val(Utc::now()))
            .filter(sub::Column::Id.eq(id))
            .filter(sub::Column::Status.eq(SubscriptionStatus::Active.as_str()))
            .exec(&self.exec())
            .await
            .map_err(db_error)?;
        Ok(())
    }

    /// Forgets deliveries made before `before` that are no longer pending;
    /// returns how many.
    pub async fn purge_deliveries(&self, before: DateTime<Utc>) -> Result<u64> {
        let old = delivery::Entity::find()
            .select_only()
            .column(delivery::Column::Id)
            .filter(delivery::Column::CreatedAt.lt(before))
            .filter(delivery::Column::Status.ne(DeliveryStatus::Pending.as_str()))
            .limit(5000)
            .into_tuple::<Uuid>()
            .all(&self.exec())
            .await
            .map_err(db_error)?;
        if old.is_empty() {
            return Ok(0);
        }
        let unit = self.begin().await?;
        let txn = unit.exec();
        attempt::Entity::delete_many()
            .filter(attempt::Column::DeliveryId.is_in(old.clone()))
            .exec(&txn)
            .await
            .map_err(db_error)?;
        let res = delivery::Entity::delete_many()
            .filter(delivery::Column::Id.is_in(old))
            .exec(&txn)
            .await
            .map_err(db_error)?;
        unit.commit().await?;
        Ok(res.rows_affected)
    }
}

/// The first `limit` of `rows` (read with one more, to tell whether more
/// follow) and the id to continue after, when more do.
fn one_page<M>(mut rows: Vec<M>, limit: u64, id: impl Fn(&M) -> Uuid) -> (Vec<M>, Option<Uuid>) {
    let more = rows.len() as u64 > limit;
    rows.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    let next = if more { rows.last().map(id) } else { None };
    (rows, next)
}

async fn insert_attempt<C: sea_orm::ConnectionTrait>(conn: &C, delivery_id: Uuid, a: &Attempt) -> Result<()> {
    attempt::Entity::insert(attempt::ActiveModel {
        id: Set(Uuid::now_v7()),
        delivery_id: Set(delivery_id),
        at: Set(a.at),
        status_code: Set(a.status_code),
        duration_ms: Set(a.duration_ms),
        error: Set(a.error.clone()),
    })
    .exec_without_returning(conn)
    .await
    .map_err(db_error)?;
    Ok(())
}

impl WebhookStore for Db {
    async fn insert_subscription(&self, s: &Subscription) -> Result<()> {
        sub::Entity::insert(sub::ActiveModel {
            id: Set(s.id),
            owner_id: Set(s.owner_id),
            url: Set(s.url.clone()),
            event_types: Set(types_json(s)),
            description: Set(s.description.clone()),
            secret: Set(s.secret.clone()),
            status: Set(s.status.as_str().to_owned()),
            disabled_reason: Set(s.disabled_reason.clone()),
            cursor: Set(s.cursor),
            dead_in_a_row: Set(s.dead_in_a_row),
            lease_owner: Set(None),
            lease_until: Set(None),
            version: Set(s.version),
            created_at: Set(s.created_at),
            updated_at: Set(s.updated_at),
        })
        .exec_without_returning(&self.exec())
        .await
        .map_err(db_error)?;
        Ok(())
    }

    async fn count_subscriptions_of(&self, owner: Uuid) -> Result<u64> {
        sub::Entity::find()
            .filter(sub::Column::OwnerId.eq(owner))
            .count(&self.exec())
            .await
            .map_err(db_error)
    }

    async fn subscription(&self, id: Uuid) -> Result<Option<Subscription>> {
        sub::Entity::find_by_id(id)
            .one(&self.exec())
            .await
            .map_err(db_error)?
            .map(subscription_of)
            .transpose()
    }

    async fn subscriptions_of(&self, owner: Uuid, page: &PageRequest) -> Result<Page<Subscription>> {
        let mut select = sub::Entity::find().filter(sub::Column::OwnerId.eq(owner));
        if let Some(after) = page.after {
            select = select.filter(sub::Column::Id.gt(after));
        }
        let rows = select
            .order_by_asc(sub::Column::Id)
            .limit(page.limit + 1)
            .all(&self.exec())
            .await
            .map_err(db_error)?;
        let (rows, next_after) = one_page(rows, page.limit, |m| m.id);
        let items = rows.into_iter().map(subscription_of).collect::<Result<Vec<_>>>()?;
        Ok(Page { items, next_after })
    }

    async fn update_subscription(&self, s: &Subscription, expected: i64) -> Result<bool> {
        let res = sub::Entity::update_many()
            .col_expr(sub::Column::Url, Expr::val(s.url.clone()))
            .col_expr(sub::Column::EventTypes, Expr::val(types_json(s)))
            .col_expr(sub::Column::Description, Expr::val(s.description.clone()))
            .col_expr(sub::Column::Status, Expr::val(s.status.as_str()))
            .col_expr(sub::Column::DisabledReason, Expr::val(s.disabled_reason.clone()))
            .col_expr(sub::Column::DeadInARow, Expr::val(s.dead_in_a_row))
            .col_expr(sub::Column::Version, Expr::val(s.version))
            .col_expr(sub::Column::UpdatedAt, Expr::val(s.updated_at))
            .filter(sub::Column::Id.eq(s.id))
            .filter(sub::Column::Version.eq(expected))
            .exec(&self.exec())
            .await
            .map_err(db_error)?;
        Ok(res.rows_affected == 1)
    }

    async fn delete_subscription(&self, id: Uuid, expected: i64) -> Result<bool> {
        let unit = self.begin().await?;
        let txn = unit.exec();
        let ids: Vec<Uuid> = delivery::Entity::find()
            .select_only()
            .column(delivery::Column::Id)
            .filter(delivery::Column::SubscriptionId.eq(id))
            .into_tuple()
            .all(&txn)
            .await
            .map_err(db_error)?;
        for chunk in ids.chunks(500) {
            attempt::Entity::delete_many()
                .filter(attempt::Column::DeliveryId.is_in(chunk.to_vec()))
                .exec(&txn)
                .await
                .map_err(db_error)?;
        }
        delivery::Entity::delete_many()
            .filter(delivery::Column::SubscriptionId.eq(id))
            .exec(&txn)
            .await
            .map_err(db_error)?;
        let res = sub::Entity::delete_many()
            .filter(sub::Column::Id.eq(id))
            .filter(sub::Column::Version.eq(expected))
            .exec(&txn)
            .await
            .map_err(db_error)?;
        if res.rows_affected != 1 {
            return Ok(false);
        }
        unit.commit().await?;
        Ok(true)
    }

    async fn deliveries(&self, subscription: Uuid, page: &PageRequest) -> Result<Page<Delivery>> {
        let mut select = delivery::Entity::find().filter(delivery::Column::SubscriptionId.eq(subscription));
        if let Some(after) = page.after {
            select = select.filter(delivery::Column::Id.lt(after));
        }
        let rows = select
            .order_by_desc(delivery::Column::Id)
            .limit(page.limit + 1)
            .all(&self.exec())
            .await
            .map_err(db_error)?;
        let (rows, next_after) = one_page(rows, page.limit, |m| m.id);
        let ids: Vec<Uuid> = rows.iter().map(|m| m.id).collect();
        let mut logs = self.attempts_of(&ids).await?;
        let items = rows
            .into_iter()
            .map(|m| {
                let log = logs.remove(&m.id).unwrap_or_default();
                delivery_of(m, log)
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Page { items, next_after })
    }

    async fn delivery(&self, subscription: Uuid, id: Uuid) -> Result<Option<Delivery>> {
        let Some(m) = delivery::Entity::find_by_id(id)
            .filter(delivery::Column::SubscriptionId.eq(subscription))
            .one(&self.exec())
            .await
            .map_err(db_error)?
        else {
            return Ok(None);
        };
        let log = self.attempts_of(&[id]).await?.remove(&id).unwrap_or_default();
        delivery_of(m, log).map(Some)
    }

    async fn requeue_delivery(&self, id: Uuid, now: DateTime<Utc>) -> Result<()> {
        delivery::Entity::update_many()
            .col_expr(delivery::Column::Status, Expr::val(DeliveryStatus::Pending.as_str()))
            .col_expr(delivery::Column::Attempts, Expr::val(0))
            .col_expr(delivery::Column::NextAttemptAt, Expr::val(Some(now)))
            .filter(delivery::Column::Id.eq(id))
            .exec(&self.exec())
            .await
            .map_err(db_error)?;
        Ok(())
    }
}
