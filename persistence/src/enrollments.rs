//! Enrolments: capacity-checked inserts and batched reads.

use chrono::NaiveDate;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, Condition as Where, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, TransactionTrait,
};
use shouhu_domain::Result;
use shouhu_domain::enrollment::{Enrollment, EnrollmentStore};
use shouhu_domain::resource::Event;
use uuid::Uuid;

use crate::entities::{care_center, enrollment, event};
use crate::error::db_error;
use crate::mapping::{Mapped, event_to_active};
use crate::store::Db;

fn active_on(day: NaiveDate) -> Where {
    Where::all().add(enrollment::Column::Since.lte(day)).add(
        Where::any()
            .add(enrollment::Column::Until.is_null())
            .add(enrollment::Column::Until.gte(day)),
    )
}

impl Db {
    async fn enrollments_where(
        &self,
        column: enrollment::Column,
        ids: &[Uuid],
        day: NaiveDate,
    ) -> Result<Vec<Enrollment>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let rows = enrollment::Entity::find()
            .filter(column.is_in(ids.to_vec()))
            .filter(active_on(day))
            .order_by_asc(enrollment::Column::Id)
            .all(&self.conn)
            .await
            .map_err(db_error)?;
        rows.into_iter().map(Enrollment::from_model).collect()
    }
}

impl EnrollmentStore for Db {
    async fn insert_within_capacity(&self, e: &Enrollment, capacity: Option<i32>, ev: &Event) -> Result<bool> {
        let txn = self.conn.begin().await.map_err(db_error)?;
        // A no-op write to the place's row serialises enrolments into it (a row
        // lock in PostgreSQL, the write lock in SQLite) so that two requests
        // cannot both take the last place.
        care_center::Entity::update_many()
            .col_expr(care_center::Column::Version, Expr::col(care_center::Column::Version))
            .filter(care_center::Column::Id.eq(e.care_center_id))
            .exec(&txn)
            .await
            .map_err(db_error)?;
        if let Some(capacity) = capacity {
            let mut overlapping = enrollment::Entity::find()
                .filter(enrollment::Column::CareCenterId.eq(e.care_center_id))
                .filter(
                    Where::any()
                        .add(enrollment::Column::Until.is_null())
                        .add(enrollment::Column::Until.gte(e.since)),
                );
            if let Some(until) = e.until {
                overlapping = overlapping.filter(enrollment::Column::Since.lte(until));
            }
            let taken = overlapping.count(&txn).await.map_err(db_error)?;
            if taken >= u64::try_from(capacity.max(0)).unwrap_or(0) {
                return Ok(false);
            }
        }
        enrollment::Entity::insert(e.to_active())
            .exec_without_returning(&txn)
            .await
            .map_err(db_error)?;
        event::Entity::insert(event_to_active(ev))
            .exec_without_returning(&txn)
            .await
            .map_err(db_error)?;
        txn.commit().await.map_err(db_error)?;
        Ok(true)
    }

    async fn enrollments_of_children(&self, child_ids: &[Uuid], day: NaiveDate) -> Result<Vec<Enrollment>> {
        self.enrollments_where(enrollment::Column::ChildId, child_ids, day)
            .await
    }

    async fn enrollments_in_centers(&self, center_ids: &[Uuid], day: NaiveDate) -> Result<Vec<Enrollment>> {
        self.enrollments_where(enrollment::Column::CareCenterId, center_ids, day)
            .await
    }
}
