//! Sessions, which access tokens name so that ending one refuses its tokens on
//! every replica, and the throttling of failed authentications per name and
//! source address. Both live in the database, shared by every replica.

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict, Query};
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, TransactionTrait};
use shouhu_domain::Result;
use shouhu_domain::account::{THROTTLE_MEMORY_HOURS, Throttle};
use uuid::Uuid;

use crate::entities::{account, auth_throttle, refresh_token, session};
use crate::error::db_error;
use crate::store::Db;

/// What a session was opened by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionKind {
    /// A password login; its refresh-token family shares the session's id.
    Login,
    /// One client credentials grant (no refresh token).
    Client,
}

impl SessionKind {
    fn as_str(self) -> &'static str {
        match self {
            Self::Login => "login",
            Self::Client => "client",
        }
    }
}

/// What a throttle counts: failed password logins or failed client credentials.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThrottleScope {
    /// `POST /auth/login`, by user name.
    Login,
    /// `grant_type=client_credentials`, by client id.
    Client,
}

impl ThrottleScope {
    fn as_str(self) -> &'static str {
        match self {
            Self::Login => "login",
            Self::Client => "client",
        }
    }
}

impl Db {
    /// Opens a session for `account_id`.
    pub async fn insert_session(
        &self,
        id: Uuid,
        account_id: Uuid,
        kind: SessionKind,
        now: DateTime<Utc>,
    ) -> Result<()> {
        session::Entity::insert(session::ActiveModel {
            id: Set(id),
            account_id: Set(account_id),
            kind: Set(kind.as_str().to_owned()),
            created_at: Set(now),
            revoked_at: Set(None),
        })
        .exec_without_returning(&self.conn)
        .await
        .map_err(db_error)?;
        Ok(())
    }

    /// Whether the session is open, belongs to `account_id`, and that account
    /// exists and is not disabled (one statement: every request asks).
    pub async fn session_is_live(&self, session_id: Uuid, account_id: Uuid) -> Result<bool> {
        let enabled = Query::select()
            .column(account::Column::Id)
            .from(account::Entity)
            .and_where(account::Column::Id.eq(account_id))
            .and_where(account::Column::Disabled.eq(false))
            .to_owned();
        Ok(session::Entity::find_by_id(session_id)
            .filter(session::Column::AccountId.eq(account_id))
            .filter(session::Column::RevokedAt.is_null())
            .filter(session::Column::AccountId.in_subquery(enabled))
            .one(&self.conn)
            .await
            .map_err(db_error)?
            .is_some())
    }

    /// Ends a session and its refresh tokens.
    pub async fn revoke_session(&self, session_id: Uuid, now: DateTime<Utc>) -> Result<()> {
        session::Entity::update_many()
            .col_expr(session::Column::RevokedAt, Expr::value(now))
            .filter(session::Column::Id.eq(session_id))
            .filter(session::Column::RevokedAt.is_null())
            .exec(&self.conn)
            .await
            .map_err(db_error)?;
        refresh_token::Entity::update_many()
            .col_expr(refresh_token::Column::RevokedAt, Expr::value(now))
            .filter(refresh_token::Column::FamilyId.eq(session_id))
            .filter(refresh_token::Column::RevokedAt.is_null())
            .exec(&self.conn)
            .await
            .map_err(db_error)?;
        Ok(())
    }

    /// Ends every session of the account named `username`.
    pub(crate) async fn revoke_sessions_of(&self, username: &str, now: DateTime<Utc>) -> Result<()> {
        let of_account = || {
            Query::select()
                .column(account::Column::Id)
                .from(account::Entity)
                .and_where(account::Column::Username.eq(username))
                .to_owned()
        };
        session::Entity::update_many()
            .col_expr(session::Column::RevokedAt, Expr::value(now))
            .filter(session::Column::AccountId.in_subquery(of_account()))
            .filter(session::Column::RevokedAt.is_null())
            .exec(&self.conn)
            .await
            .map_err(db_error)?;
        refresh_token::Entity::update_many()
            .col_expr(refresh_token::Column::RevokedAt, Expr::value(now))
            .filter(refresh_token::Column::AccountId.in_subquery(of_account()))
            .filter(refresh_token::Column::RevokedAt.is_null())
            .exec(&self.conn)
            .await
            .map_err(db_error)?;
        Ok(())
    }

    /// Counts an authentication attempt for (`scope`, `subject`, `source`)
    /// before its credentials are checked, so that concurrent attempts cannot
    /// slip past the count: returns the instant until which the pair must
    /// wait (the attempt is refused and not counted), or `None` when the
    /// attempt may go ahead. A success clears the count
    /// ([`clear_auth_failures`](Self::clear_auth_failures)).
    pub async fn begin_auth_attempt(
        &self,
        scope: ThrottleScope,
        subject: &str,
        source: &str,
        throttle: &Throttle,
        now: DateTime<Utc>,
    ) -> Result<Option<DateTime<Utc>>> {
        let key = throttle_key(scope, subject, source);
        let txn = self.conn.begin().await.map_err(db_error)?;
        // Writing first takes the row's lock (PostgreSQL) or the write lock
        // (SQLite) until commit: attempts of one pair are counted one by one.
        auth_throttle::Entity::insert(auth_throttle::ActiveModel {
            key: Set(key.clone()),
            scope: Set(scope.as_str().to_owned()),
            subject: Set(subject.to_owned()),
            source: Set(source.to_owned()),
            failures: Set(0),
            blocked_until: Set(None),
            updated_at: Set(now),
        })
        .on_conflict(
            OnConflict::column(auth_throttle::Column::Key)
                .update_column(auth_throttle::Column::Scope)
                .to_owned(),
        )
        .exec_without_returning(&txn)
        .await
        .map_err(db_error)?;
        let row = auth_throttle::Entity::find_by_id(key.clone())
            .one(&txn)
            .await
            .map_err(db_error)?;
        let (failures, blocked_until, updated_at) =
            row.map_or((0, None, now), |r| (r.failures, r.blocked_until, r.updated_at));
        if let Some(until) = blocked_until.filter(|t| *t > now) {
            txn.commit().await.map_err(db_error)?;
            return Ok(Some(until));
        }
        let remembered = updated_at > now - Duration::hours(THROTTLE_MEMORY_HOURS);
        let failures = if remembered { failures.saturating_add(1) } else { 1 };
        let blocked = throttle
            .delay_after(u32::try_from(failures).unwrap_or(0))
            .map(|s| now + Duration::seconds(i64::try_from(s).unwrap_or(i64::from(u32::MAX))));
        auth_throttle::Entity::update_many()
            .col_expr(auth_throttle::Column::Failures, Expr::value(failures))
            .col_expr(auth_throttle::Column::BlockedUntil, Expr::value(blocked))
            .col_expr(auth_throttle::Column::UpdatedAt, Expr::value(now))
            .filter(auth_throttle::Column::Key.eq(key))
            .exec(&txn)
            .await
            .map_err(db_error)?;
        txn.commit().await.map_err(db_error)?;
        Ok(None)
    }

    /// Forgets the failures of (`scope`, `subject`, `source`) after a success.
    pub async fn clear_auth_failures(&self, scope: ThrottleScope, subject: &str, source: &str) -> Result<()> {
        auth_throttle::Entity::delete_by_id(throttle_key(scope, subject, source))
            .exec(&self.conn)
            .await
            .map_err(db_error)?;
        Ok(())
    }

    /// Forgets every failure counted for `subject`, from any source; returns how many pairs.
    pub async fn clear_auth_failures_of(&self, subject: &str) -> Result<u64> {
        Ok(auth_throttle::Entity::delete_many()
            .filter(auth_throttle::Column::Subject.eq(subject))
            .exec(&self.conn)
            .await
            .map_err(db_error)?
            .rows_affected)
    }

    /// Forgets the pairs that have not failed for a day and wait no longer.
    pub async fn forget_old_auth_failures(&self, now: DateTime<Utc>) -> Result<u64> {
        Ok(auth_throttle::Entity::delete_many()
            .filter(auth_throttle::Column::UpdatedAt.lt(now - Duration::hours(THROTTLE_MEMORY_HOURS)))
            .filter(
                auth_throttle::Column::BlockedUntil
                    .is_null()
                    .or(auth_throttle::Column::BlockedUntil.lt(now)),
            )
            .exec(&self.conn)
            .await
            .map_err(db_error)?
            .rows_affected)
    }
}

fn throttle_key(scope: ThrottleScope, subject: &str, source: &str) -> String {
    format!("{}\n{subject}\n{source}", scope.as_str())
}
