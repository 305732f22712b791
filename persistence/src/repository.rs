//! The domain's ports over sea-orm: one generic repository for every register
//! record, plus regions and guardianships.

use std::str::FromStr;

use chrono::Utc;
use futures::future::try_join_all;
use sea_orm::sea_query::{Expr, LikeExpr, OnConflict};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition as Where, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, QueryTrait, TransactionTrait,
};
use shouhu_domain::guardianship::Guardianship;
use shouhu_domain::ports::{GuardianshipStore, RegionStore, Repository};
use shouhu_domain::region::Region;
use shouhu_domain::resource::{Condition, Event, ListQuery};
use shouhu_domain::{Error, Result};
use uuid::Uuid;

use crate::changes::{self, Pending};
use crate::entities::{event, guardianship, region};
use crate::error::db_error;
use crate::mapping::{Mapped, event_to_active, region_from_model};
use crate::store::Db;

/// Rows per multi-row INSERT: well under both databases' parameter limits.
const CHUNK: usize = 500;

pub(crate) fn column<T: Mapped>(name: &str) -> Result<<T::Entity as EntityTrait>::Column> {
    <T::Entity as EntityTrait>::Column::from_str(name).map_err(|_| Error::Internal(format!("no column {name}")))
}

/// The smallest string greater than every string starting with `prefix`.
fn successor(prefix: &str) -> String {
    let mut chars: Vec<char> = prefix.chars().collect();
    while let Some(last) = chars.pop() {
        if let Some(next) = char::from_u32(last as u32 + 1) {
            chars.push(next);
            return chars.into_iter().collect();
        }
    }
    String::from(char::MAX)
}

fn escape_like(s: &str) -> String {
    s.chars().fold(String::new(), |mut out, c| {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
        out
    })
}

pub(crate) fn to_where<T: Mapped>(conditions: &[Condition]) -> Result<Where> {
    let mut w = Where::all();
    for c in conditions {
        w = match c {
            Condition::Eq(col, v) => w.add(column::<T>(col)?.eq(v.clone())),
            Condition::EqId(col, id) => w.add(column::<T>(col)?.eq(*id)),
            Condition::DateAfter(col, d) => w.add(column::<T>(col)?.gt(*d)),
            Condition::DateAtOrBefore(col, d) => w.add(column::<T>(col)?.lte(*d)),
            Condition::In(col, vs) => w.add(column::<T>(col)?.is_in(vs.clone())),
            Condition::NotIn(col, vs) => w.add(column::<T>(col)?.is_not_in(vs.clone())),
            Condition::From(col, t) => w.add(column::<T>(col)?.gte(*t)),
            Condition::Before(col, t) => w.add(column::<T>(col)?.lt(*t)),
            Condition::StartsWith(col, text) => {
                w.add(column::<T>(col)?.like(LikeExpr::new(format!("{}%", escape_like(text))).escape('\\')))
            }
            Condition::IsNull(col) => w.add(column::<T>(col)?.is_null()),
            Condition::OpenOrFrom(col, d) => {
                let c = column::<T>(col)?;
                w.add(Where::any().add(c.is_null()).add(c.gte(*d)))
            }
            Condition::IdIn(col, ids) => w.add(column::<T>(col)?.is_in(ids.clone())),
            Condition::GuaranteeUnmet(g, rules, today) => w.add(crate::care::guarantee_unmet(*g, rules, *today)),
            Condition::Exited(yes) => w.add(crate::care::exited(*yes)),
            Condition::WithinRegion(prefix) => {
                let c = column::<T>("region_code")?;
                w.add(c.gte(prefix.clone())).add(c.lt(successor(prefix)))
            }
            Condition::WithinRegionOrIn(prefix, codes) => {
                let c = column::<T>("region_code")?;
                let within = Where::all().add(c.gte(prefix.clone())).add(c.lt(successor(prefix)));
                w.add(Where::any().add(within).add(c.is_in(codes.clone())))
            }
        };
    }
    Ok(w)
}

impl<T: Mapped> Repository<T> for Db {
    async fn find(&self, id: Uuid) -> Result<Option<T>> {
        T::Entity::find()
            .filter(column::<T>("id")?.eq(id))
            .one(&self.exec())
            .await
            .map_err(db_error)?
            .map(T::from_model)
            .transpose()
    }

    async fn find_many(&self, ids: &[Uuid]) -> Result<Vec<T>> {
        let id = column::<T>("id")?;
        let exec = self.exec();
        let chunks = ids
            .chunks(CHUNK)
            .map(|chunk| T::Entity::find().filter(id.is_in(chunk.to_vec())).all(&exec));
        let rows = try_join_all(chunks).await.map_err(db_error)?;
        rows.into_iter().flatten().map(T::from_model).collect()
    }

    async fn list(&self, query: &ListQuery) -> Result<Vec<T>> {
        let id = column::<T>("id")?;
        let mut select = T::Entity::find().filter(to_where::<T>(&query.conditions)?);
        if let Some(after) = query.page.after {
            select = select.filter(id.gt(after));
        }
        let rows = select
            .order_by_asc(id)
            .limit(query.page.limit)
            .all(&self.exec())
            .await
            .map_err(db_error)?;
        rows.into_iter().map(T::from_model).collect()
    }

    async fn count(&self, conditions: &[Condition]) -> Result<u64> {
        T::Entity::find()
            .filter(to_where::<T>(conditions)?)
            .count(&self.exec())
            .await
            .map_err(db_error)
    }

    async fn insert(&self, record: &T, ev: &Event) -> Result<()> {
        let txn = self.exec().begin().await.map_err(db_error)?;
        T::Entity::insert(record.to_active())
            .exec_without_returning(&txn)
            .await
            .map_err(db_error)?;
        self.write_event(&txn, ev).await?;
        txn.commit().await.map_err(db_error)
    }

    async fn insert_many(&self, records: &[T], events: &[Event]) -> Result<()> {
        self.insert_bulk(records, events).await
    }

    async fn update(&self, record: &T, expected_version: i64, ev: &Event) -> Result<()> {
        let txn = self.exec().begin().await.map_err(db_error)?;
        let updated = T::Entity::update_many()
            .set(record.to_active())
            .filter(column::<T>("id")?.eq(record.meta().id))
            .filter(column::<T>("version")?.eq(expected_version))
            .exec(&txn)
            .await
            .map_err(db_error)?;
        if updated.rows_affected != 1 {
            drop(txn);
            let current: Option<T> = Repository::<T>::find(self, record.meta().id).await?;
            return Err(match current {
                Some(c) => Error::VersionMismatch {
                    current: c.meta().version,
                },
                None => Error::NotFound,
            });
        }
        self.write_event(&txn, ev).await?;
        txn.commit().await.map_err(db_error)
    }
}

impl Db {
    /// Writes the event of a write in `txn`, and notes it for the changes feed
    /// (stored as a change when the unit of work commits, or now outside one).
    pub(crate) async fn write_event(&self, txn: &sea_orm::DatabaseTransaction, ev: &Event) -> Result<()> {
        event::Entity::insert(event_to_active(ev))
            .exec_without_returning(txn)
            .await
            .map_err(db_error)?;
        if !self.note_change(ev) {
            changes::store(txn, &[Pending::of(ev)]).await?;
        }
        Ok(())
    }

    /// Inserts many records at once, in one transaction per call, with their
    /// events when given (demo data and synthetic load).
    pub async fn insert_bulk<T: Mapped>(&self, records: &[T], events: &[Event]) -> Result<()> {
        let txn = self.exec().begin().await.map_err(db_error)?;
        for chunk in records.chunks(CHUNK) {
            T::Entity::insert_many(chunk.iter().map(Mapped::to_active))
                .exec_without_returning(&txn)
                .await
                .map_err(db_error)?;
        }
        for chunk in events.chunks(CHUNK) {
            event::Entity::insert_many(chunk.iter().map(event_to_active))
                .exec_without_returning(&txn)
                .await
                .map_err(db_error)?;
        }
        // Inside a unit of work the unit stores them when it commits.
        let noted: Vec<bool> = events.iter().map(|e| self.note_change(e)).collect();
        if noted.contains(&false) {
            changes::store(&txn, &events.iter().map(Pending::of).collect::<Vec<_>>()).await?;
        }
        txn.commit().await.map_err(db_error)
    }

    async fn guardianships_where(&self, column: guardianship::Column, ids: &[Uuid]) -> Result<Vec<Guardianship>> {
        let exec = self.exec();
        let chunks = ids.chunks(CHUNK).map(|chunk| {
            guardianship::Entity::find()
                .filter(column.is_in(chunk.to_vec()))
                .filter(guardianship::Column::EndedOn.is_null())
                .order_by_asc(guardianship::Column::Id)
                .all(&exec)
        });
        let rows = try_join_all(chunks).await.map_err(db_error)?;
        rows.into_iter().flatten().map(Guardianship::from_model).collect()
    }
}

impl GuardianshipStore for Db {
    async fn guardianships_of_children(&self, child_ids: &[Uuid]) -> Result<Vec<Guardianship>> {
        self.guardianships_where(guardianship::Column::ChildId, child_ids).await
    }

    async fn guardianships_of_guardians(&self, guardian_ids: &[Uuid]) -> Result<Vec<Guardianship>> {
        self.guardianships_where(guardianship::Column::GuardianId, guardian_ids)
            .await
    }
}

impl RegionStore for Db {
    async fn region(&self, code: &str) -> Result<Option<Region>> {
        let memo = self.region_memo();
        if let Some(found) = memo.and_then(|m| m.lock().unwrap_or_else(|p| p.into_inner()).get(code).cloned()) {
            return Ok(found);
        }
        let found = region::Entity::find_by_id(code.to_owned())
            .one(&self.exec())
            .await
            .map_err(db_error)?
            .map(region_from_model)
            .transpose()?;
        if let Some(m) = memo {
            m.lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert(code.to_owned(), found.clone());
        }
        Ok(found)
    }

    async fn regions(&self, parent: Option<&str>) -> Result<Vec<Region>> {
        let mut select = region::Entity::find();
        select = match parent {
            Some(p) => select.filter(region::Column::ParentCode.eq(p)),
            None => select.filter(
                Where::any().add(region::Column::ParentCode.is_null()).add(
                    region::Column::ParentCode.not_in_subquery(
                        region::Entity::find()
                            .select_only()
                            .column(region::Column::Code)
                            .into_query(),
                    ),
                ),
            ),
        };
        let rows = select
            .order_by_asc(region::Column::Code)
            .limit(10_000)
            .all(&self.exec())
            .await
            .map_err(db_error)?;
        rows.into_iter().map(region_from_model).collect()
    }

    async fn upsert_regions(&self, regions: &[Region]) -> Result<u64> {
        if let Some(m) = self.region_memo() {
            m.lock().unwrap_or_else(|p| p.into_inner()).clear();
        }
        let now = Utc::now();
        let txn = self.exec().begin().await.map_err(db_error)?;
        for chunk in regions.chunks(CHUNK) {
            let rows = chunk.iter().map(|r| region::ActiveModel {
                code: Set(r.code.clone()),
                version: Set(1),
                created_at: Set(now),
                updated_at: Set(now),
                name: Set(r.name.clone()),
                level: Set(r.level.to_string()),
                parent_code: Set(r.parent_code.clone()),
            });
            // A re-import renames; the version grows only when the name changes.
            region::Entity::insert_many(rows)
                .on_conflict(
                    OnConflict::column(region::Column::Code)
                        .value(region::Column::Name, Expr::cust("excluded.name"))
                        .value(region::Column::UpdatedAt, Expr::cust("excluded.updated_at"))
                        .value(region::Column::Version, Expr::cust("regions.version + 1"))
                        .action_and_where(Expr::cust("regions.name <> excluded.name"))
                        .to_owned(),
                )
                .exec_without_returning(&txn)
                .await
                .map_err(db_error)?;
        }
        txn.commit().await.map_err(db_error)?;
        Ok(regions.len() as u64)
    }
}
