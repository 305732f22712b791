//! The changes feed's storage: positions given at commit, in commit order,
//! and the pages the domain reads.
//!
//! A unit of work notes the events it writes ([`Pending`]); when it commits,
//! it takes as many positions from `feed_head` (an `UPDATE … RETURNING` that
//! holds the row until the commit) and writes one `changes` row per event,
//! last thing before `COMMIT`. A second writer waits for the row and takes the
//! positions after: positions are in commit order, and a reader that sees a
//! position sees every earlier one. A write rolled back gives its positions
//! back with it. Only the counter row is shared, and only for the commit.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use shouhu_domain::changes::{ChangeStore, FeedHead, FeedQuery, FeedRow};
use shouhu_domain::resource::Event;
use shouhu_domain::{Error, Result};
use uuid::Uuid;

use crate::entities::{change, event, feed_head};
use crate::error::db_error;
use crate::events::recorded;
use crate::store::Db;

/// An event written by a unit of work that has no position yet.
#[derive(Debug, Clone)]
pub(crate) struct Pending {
    event_id: Uuid,
    resource_kind: &'static str,
    region_code: String,
    region_before: Option<String>,
    occurred_at: DateTime<Utc>,
}

impl Pending {
    /// What the feed keeps of `event`: its kind, its region and, when the
    /// write moved the record, the region before.
    pub(crate) fn of(event: &Event) -> Self {
        let before = event
            .changes
            .pointer("/region_code/before")
            .and_then(serde_json::Value::as_str)
            .filter(|b| *b != event.region_code)
            .map(str::to_owned);
        Self {
            event_id: event.id,
            resource_kind: event.resource_kind.as_str(),
            region_code: event.region_code.clone(),
            region_before: before,
            occurred_at: event.occurred_at,
        }
    }
}

/// Gives `pending` their positions, in order, on `conn` (the transaction
/// about to commit).
pub(crate) async fn stamp<C: ConnectionTrait>(conn: &C, pending: &[Pending]) -> Result<()> {
    if pending.is_empty() {
        return Ok(());
    }
    let n = i64::try_from(pending.len()).map_err(|_| Error::Internal("too many changes".to_owned()))?;
    let take = Query::update()
        .table(feed_head::Entity)
        .value(
            feed_head::Column::Position,
            Expr::col(feed_head::Column::Position).add(n),
        )
        .and_where(Expr::col(feed_head::Column::Id).eq(1))
        .returning_col(feed_head::Column::Position)
        .to_owned();
    let row = conn
        .query_one_raw(conn.get_database_backend().build(&take))
        .await
        .map_err(db_error)?
        .ok_or_else(|| Error::Internal("feed_head has no row".to_owned()))?;
    let last: i64 = row.try_get("", "position").map_err(db_error)?;
    let first = last - n + 1;
    for (chunk_start, chunk) in pending.chunks(500).enumerate() {
        let base = first + (chunk_start * 500) as i64;
        change::Entity::insert_many(chunk.iter().enumerate().map(|(i, p)| change::ActiveModel {
            position: sea_orm::ActiveValue::Set(base + i as i64),
            event_id: sea_orm::ActiveValue::Set(p.event_id),
            resource_kind: sea_orm::ActiveValue::Set(p.resource_kind.to_owned()),
            region_code: sea_orm::ActiveValue::Set(p.region_code.clone()),
            region_before: sea_orm::ActiveValue::Set(p.region_before.clone()),
            occurred_at: sea_orm::ActiveValue::Set(p.occurred_at),
        }))
        .exec_without_returning(conn)
        .await
        .map_err(db_error)?;
    }
    Ok(())
}

impl ChangeStore for Db {
    async fn feed(&self, q: &FeedQuery) -> Result<Vec<FeedRow>> {
        let mut select = change::Entity::find()
            .filter(change::Column::Position.gt(q.after))
            .filter(change::Column::Position.lte(q.through))
            .filter(change::Column::ResourceKind.is_in(q.kinds.iter().map(|k| k.as_str())));
        if let Some(prefixes) = &q.region_prefixes {
            let mut any = Condition::any();
            for p in prefixes {
                any = any
                    .add(change::Column::RegionCode.starts_with(p.as_str()))
                    .add(change::Column::RegionBefore.starts_with(p.as_str()));
            }
            if !q.regions_exact.is_empty() {
                any = any.add(change::Column::RegionCode.is_in(q.regions_exact.iter().map(String::as_str)));
            }
            select = select.filter(any);
        }
        let positions = select
            .order_by_asc(change::Column::Position)
            .all(&self.exec())
            .await
            .map_err(db_error)?;
        let ids: Vec<Uuid> = positions.iter().map(|c| c.event_id).collect();
        let mut events = std::collections::HashMap::new();
        for chunk in ids.chunks(500) {
            for m in event::Entity::find()
                .filter(event::Column::Id.is_in(chunk.to_vec()))
                .all(&self.exec())
                .await
                .map_err(db_error)?
            {
                events.insert(m.id, m);
            }
        }
        // A change whose event is gone (a savepoint rolled back after it was
        // noted) has nothing to tell.
        positions
            .into_iter()
            .filter_map(|c| events.remove(&c.event_id).map(|m| (c, m)))
            .map(|(c, m)| {
                Ok(FeedRow {
                    position: c.position,
                    region_before: c.region_before,
                    event: recorded(m)?.event,
                })
            })
            .collect()
    }

    async fn feed_head(&self) -> Result<FeedHead> {
        let head = feed_head::Entity::find_by_id(1)
            .one(&self.exec())
            .await
            .map_err(db_error)?
            .ok_or_else(|| Error::Internal("feed_head has no row".to_owned()))?;
        Ok(FeedHead {
            position: head.position,
            purged_through: head.purged_through,
        })
    }

    async fn purge_changes(&self, before: DateTime<Utc>) -> Result<u64> {
        let Some(last) = change::Entity::find()
            .filter(change::Column::OccurredAt.lt(before))
            .order_by_desc(change::Column::Position)
            .one(&self.exec())
            .await
            .map_err(db_error)?
        else {
            return Ok(0);
        };
        // Raised first: a reader that could miss a deleted change is told its
        // cursor expired instead (it checks again after reading).
        let raise = Query::update()
            .table(feed_head::Entity)
            .value(feed_head::Column::PurgedThrough, last.position)
            .and_where(Expr::col(feed_head::Column::Id).eq(1))
            .and_where(Expr::col(feed_head::Column::PurgedThrough).lt(last.position))
            .to_owned();
        let exec = self.exec();
        exec.execute_raw(exec.get_database_backend().build(&raise))
            .await
            .map_err(db_error)?;
        let gone = change::Entity::delete_many()
            .filter(change::Column::Position.lte(last.position))
            .exec(&exec)
            .await
            .map_err(db_error)?;
        Ok(gone.rows_affected)
    }
}
