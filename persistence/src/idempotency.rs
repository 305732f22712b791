//! Idempotency keys, shared by every replica through the database.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
use shouhu_domain::Result;
use shouhu_domain::idempotency::{KeyRecord, KeyStore};

use crate::entities::idempotency_key::{ActiveModel, Column, Entity, Model};
use crate::error::db_error;
use crate::store::Db;

fn record_of(m: Model) -> KeyRecord {
    KeyRecord {
        subject: m.subject,
        key: m.key,
        operation: m.operation,
        request_hash: m.request_hash,
        record_id: m.record_id,
        response: m.response,
        locked_until: m.locked_until,
        expires_at: m.expires_at,
    }
}

impl KeyStore for Db {
    async fn reserve_key(&self, r: &KeyRecord, now: DateTime<Utc>) -> Result<Option<KeyRecord>> {
        Entity::delete_many()
            .filter(Column::Subject.eq(r.subject.as_str()))
            .filter(Column::Key.eq(r.key.as_str()))
            .filter(Column::ExpiresAt.lt(now))
            .exec(&self.exec())
            .await
            .map_err(db_error)?;
        let row = ActiveModel {
            subject: Set(r.subject.clone()),
            key: Set(r.key.clone()),
            operation: Set(r.operation.clone()),
            request_hash: Set(r.request_hash.clone()),
            record_id: Set(r.record_id),
            response: Set(None),
            locked_until: Set(r.locked_until),
            expires_at: Set(r.expires_at),
        };
        // Two racing requests: the primary key lets exactly one insert.
        let inserted = Entity::insert(row)
            .on_conflict(
                OnConflict::columns([Column::Subject, Column::Key])
                    .do_nothing()
                    .to_owned(),
            )
            .exec_without_returning(&self.exec())
            .await
            .map_err(db_error)?;
        if inserted == 1 {
            return Ok(None);
        }
        let existing = Entity::find()
            .filter(Column::Subject.eq(r.subject.as_str()))
            .filter(Column::Key.eq(r.key.as_str()))
            .one(&self.exec())
            .await
            .map_err(db_error)?;
        Ok(existing.map(record_of))
    }

    async fn take_over_key(
        &self,
        subject: &str,
        key: &str,
        now: DateTime<Utc>,
        locked_until: DateTime<Utc>,
    ) -> Result<bool> {
        let res = Entity::update_many()
            .col_expr(Column::LockedUntil, Expr::value(locked_until))
            .filter(Column::Subject.eq(subject))
            .filter(Column::Key.eq(key))
            .filter(Column::Response.is_null())
            .filter(Column::LockedUntil.lte(now))
            .exec(&self.exec())
            .await
            .map_err(db_error)?;
        Ok(res.rows_affected == 1)
    }

    async fn complete_key(&self, subject: &str, key: &str, response: &str) -> Result<()> {
        Entity::update_many()
            .col_expr(Column::Response, Expr::value(response))
            .filter(Column::Subject.eq(subject))
            .filter(Column::Key.eq(key))
            .exec(&self.exec())
            .await
            .map_err(db_error)?;
        Ok(())
    }

    async fn release_key(&self, subject: &str, key: &str) -> Result<()> {
        Entity::delete_many()
            .filter(Column::Subject.eq(subject))
            .filter(Column::Key.eq(key))
            .filter(Column::Response.is_null())
            .exec(&self.exec())
            .await
            .map_err(db_error)?;
        Ok(())
    }
}
