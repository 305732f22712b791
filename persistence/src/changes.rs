//! The changes feed's storage: changes stored by the writes, positions given
//! by settling, and the pages the domain reads.
//!
//! A unit of work notes the events it writes ([`Pending`]) and, last thing
//! before `COMMIT`, inserts one `changes` row per event, without a position:
//! writers share no row, so their commits do not wait for each other. The
//! rows' `seq` keeps the order they were stored in.
//!
//! Settling ([`ChangeStore::settle`], which the feed's readers run before
//! they read the head) gives them positions: one transaction locks the one
//! row of `feed_head` (`SELECT … FOR UPDATE` on PostgreSQL; on SQLite the
//! unit of work holds the write lock), reads the committed rows without a
//! position in `seq` order, gives them the positions after the head (a
//! record's among its own in the order of its versions), advances the head
//! and commits. Settlers take turns on that row and see only committed rows,
//! so a position is visible only with the head that covers it and after
//! every smaller one: a reader that reads the head, then the positions up to
//! it, misses none. A write rolled back leaves no row; a row whose event was
//! rolled back with a savepoint is settled too, and the feed skips it.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, JoinType, QueryFilter, QueryOrder, QuerySelect, RelationDef,
};
use shouhu_domain::changes::{ChangeStore, FeedHead, FeedQuery, FeedRow};
use shouhu_domain::ports::Transactional;
use shouhu_domain::resource::Event;
use shouhu_domain::{Error, Result};
use uuid::Uuid;

use crate::entities::{change, event, feed_head};
use crate::error::db_error;
use crate::events::recorded;
use crate::store::Db;

/// The most rows one settling round gives positions; more wait for the next
/// round, in the same call.
const ROUND: u64 = 2000;
/// Rows per statement: well under both databases' parameter limits.
const CHUNK: usize = 500;

/// An event written by a unit of work, to be stored as a change when the unit
/// commits.
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

/// Stores `pending` as changes without a position, in order, on `conn` (the
/// transaction about to commit).
pub(crate) async fn store<C: ConnectionTrait>(conn: &C, pending: &[Pending]) -> Result<()> {
    for chunk in pending.chunks(CHUNK) {
        change::Entity::insert_many(chunk.iter().map(|p| change::ActiveModel {
            seq: sea_orm::ActiveValue::NotSet,
            position: sea_orm::ActiveValue::Set(None),
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

/// A change without a position, as settling reads it: its `seq` and, unless
/// its event was rolled back with a savepoint, its record and version.
type Unsettled = (i64, Option<String>, Option<Uuid>, Option<i64>);

/// The positions `rows` (in `seq` order) get after `head`: the next ones in
/// that order, except that a record's rows share their slots in the order of
/// the record's versions, whatever order they were stored in. Pairs of `seq`
/// and position.
///
/// Across rounds no such care is needed: a write of a record waits for the
/// one before it to commit (its row lock, or SQLite's write lock) and stores
/// its changes only when it commits, so a record's later version has a later
/// `seq` and is never committed, and so never settled, before an earlier one.
fn positions(head: i64, rows: &[Unsettled]) -> Vec<(i64, i64)> {
    let mut slots: Vec<(i64, i64)> = rows.iter().zip(head + 1..).map(|((seq, ..), p)| (*seq, p)).collect();
    let mut of_record: HashMap<(&str, Uuid), Vec<usize>> = HashMap::new();
    for (i, row) in rows.iter().enumerate() {
        if let (_, Some(kind), Some(id), Some(_)) = row {
            of_record.entry((kind.as_str(), *id)).or_default().push(i);
        }
    }
    for mine in of_record.values().filter(|m| m.len() > 1) {
        let mut by_version = mine.clone();
        by_version.sort_by_key(|&i| rows[i].3);
        for (&slot, &row) in mine.iter().zip(&by_version) {
            slots[row].1 = head + 1 + slot as i64;
        }
    }
    slots
}

/// One round of settling on `unit`, a unit of work: gives positions to at
/// most [`ROUND`] committed changes without one; returns whether it gave as
/// many (and more may wait).
async fn settle_round(unit: &Db) -> Result<bool> {
    let exec = unit.exec();
    // Locked first: the rows read next are those no other settler is giving
    // positions to (it has committed, or it waits).
    let head = feed_head::Entity::find_by_id(1)
        .lock_exclusive()
        .one(&exec)
        .await
        .map_err(db_error)?
        .ok_or_else(|| Error::Internal("feed_head has no row".to_owned()))?;
    let of_event: RelationDef = change::Entity::belongs_to(event::Entity)
        .from(change::Column::EventId)
        .to(event::Column::Id)
        .into();
    let rows: Vec<Unsettled> = change::Entity::find()
        .select_only()
        .column(change::Column::Seq)
        .column(event::Column::ResourceKind)
        .column(event::Column::ResourceId)
        .column(event::Column::Version)
        .join(JoinType::LeftJoin, of_event)
        .filter(change::Column::Position.is_null())
        .order_by_asc(change::Column::Seq)
        .limit(ROUND)
        .into_tuple()
        .all(&exec)
        .await
        .map_err(db_error)?;
    if rows.is_empty() {
        return Ok(false);
    }
    let backend = exec.get_database_backend();
    for chunk in positions(head.position, &rows).chunks(CHUNK) {
        // Numbers the server made, written out (PostgreSQL would type a
        // VALUES list of parameters as text), and sent unprepared: each
        // statement is used once.
        let values: Vec<String> = chunk.iter().map(|(seq, p)| format!("({seq}, {p})")).collect();
        let sql = format!(
            "UPDATE changes SET position = v.column2 FROM (VALUES {}) AS v WHERE changes.seq = v.column1",
            values.join(", ")
        );
        exec.execute_unprepared(&sql).await.map_err(db_error)?;
    }
    let advance = Query::update()
        .table(feed_head::Entity)
        .value(feed_head::Column::Position, head.position + rows.len() as i64)
        .and_where(Expr::col(feed_head::Column::Id).eq(1))
        .to_owned();
    exec.execute_raw(backend.build(&advance)).await.map_err(db_error)?;
    Ok(rows.len() as u64 == ROUND)
}

impl ChangeStore for Db {
    async fn settle(&self) -> Result<()> {
        // Without a lock: a write acknowledged before this call has committed
        // its rows, so they are seen here (or were settled already).
        let waiting = change::Entity::find()
            .select_only()
            .column(change::Column::Seq)
            .filter(change::Column::Position.is_null())
            .limit(1)
            .into_tuple::<i64>()
            .one(&self.exec())
            .await
            .map_err(db_error)?;
        if waiting.is_none() {
            return Ok(());
        }
        loop {
            let unit = self.begin().await?;
            let more = settle_round(&unit).await?;
            unit.commit().await?;
            if !more {
                return Ok(());
            }
        }
    }

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
        let mut events = HashMap::new();
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
            .filter_map(|c| Some((c.position?, c.region_before, events.remove(&c.event_id)?)))
            .map(|(position, region_before, m)| {
                Ok(FeedRow {
                    position,
                    region_before,
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
        // Settled first, so that every change committed before `before` has
        // a position to be purged by: one without is never deleted (a reader
        // could not tell that it missed it).
        self.settle().await?;
        let Some(last) = change::Entity::find()
            .select_only()
            .column(change::Column::Position)
            .filter(change::Column::OccurredAt.lt(before))
            .filter(change::Column::Position.is_not_null())
            .order_by_desc(change::Column::Position)
            .into_tuple::<i64>()
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
            .value(feed_head::Column::PurgedThrough, last)
            .and_where(Expr::col(feed_head::Column::Id).eq(1))
            .and_where(Expr::col(feed_head::Column::PurgedThrough).lt(last))
            .to_owned();
        let exec = self.exec();
        exec.execute_raw(exec.get_database_backend().build(&raise))
            .await
            .map_err(db_error)?;
        let gone = change::Entity::delete_many()
            .filter(change::Column::Position.lte(last))
            .exec(&exec)
            .await
            .map_err(db_error)?;
        Ok(gone.rows_affected)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settling_gives_the_next_positions_in_stored_order_and_a_records_in_version_order() {
        let (a, b) = (Uuid::from_u128(1), Uuid::from_u128(2));
        let child = |id, version| (Some("child".to_owned()), Some(id), Some(version));
        let rows: Vec<Unsettled> = [
            (7, child(a, 3)),
            (8, child(b, 1)),
            (9, (None, None, None)),
            (12, child(a, 2)),
            (13, child(a, 4)),
        ]
        .into_iter()
        .map(|(seq, (kind, id, version))| (seq, kind, id, version))
        .collect();
        // a's version 2 was stored after its version 3: it takes 3's slot.
        assert_eq!(positions(40, &rows), [(7, 44), (8, 42), (9, 43), (12, 41), (13, 45)]);
        assert_eq!(positions(0, &rows[1..3]), [(8, 1), (9, 2)]);
    }
}
