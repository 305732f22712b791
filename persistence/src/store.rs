//! The database handle: connecting (SQLite or PostgreSQL), migrating, and the
//! storage of accounts, signing keys and refresh tokens.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectOptions, ConnectionTrait, Database, DatabaseConnection,
    DatabaseExecutor, DatabaseTransaction, DbBackend, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder,
    SqliteTransactionMode, Statement, TransactionOptions, TransactionTrait,
};
use sea_orm_migration::MigratorTrait;
use shouhu_domain::account::Account;
use shouhu_domain::ports::Transactional;
use shouhu_domain::region::Region;
use shouhu_domain::{Error, Result};
use tokio::sync::{Mutex, OwnedMutexGuard};
use uuid::Uuid;

use crate::changes::{self, Pending};
use crate::entities::{account, refresh_token, signing_key};
use crate::error::db_error;
use crate::mapping::{account_from_model, account_to_model};
use crate::migration::Migrator;

/// Called after every SQL statement with its duration and whether it failed.
pub type QueryCounter = Arc<dyn Fn(Duration, bool) + Send + Sync>;

/// The database: a pool of connections to SQLite or PostgreSQL, or one unit of
/// work on it (a transaction, see [`Transactional`]).
#[derive(Clone, Debug)]
pub struct Db {
    pub(crate) conn: DatabaseConnection,
    /// The transaction this handle works in, when it is a unit of work.
    unit: Option<Arc<Unit>>,
    /// SQLite's units of work take turns here before they take a connection
    /// and the database's write lock: a writer waiting for the lock would
    /// otherwise hold a pooled connection, and enough of them would leave none
    /// for the writer holding the lock (and for readers). One process per
    /// SQLite file; PostgreSQL needs no turns.
    writers: Arc<Mutex<()>>,
}

/// A transaction, and on SQLite the turn it holds (see [`Db`]'s `writers`).
#[derive(Debug)]
struct Unit {
    txn: DatabaseTransaction,
    _turn: Option<OwnedMutexGuard<()>>,
    /// The events written in the whole unit (savepoints included), stored as
    /// changes when the outermost transaction commits.
    pending: Arc<std::sync::Mutex<Vec<Pending>>>,
    /// Whether this is the outermost transaction (not a savepoint).
    outermost: bool,
    /// The regions read in the whole unit, by code (`None`: no such region):
    /// a unit that writes many records of a few regions reads each once.
    /// Dropped when the unit writes regions.
    regions: Arc<std::sync::Mutex<HashMap<String, Option<Region>>>>,
}

/// The database pool's connections at one moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolStatus {
    /// The most it opens.
    pub max: u32,
    /// Open now.
    pub size: u32,
    /// Open and idle.
    pub idle: u32,
}

/// A stored signing key.
#[derive(Debug, Clone)]
pub struct SigningKeyRow {
    /// Key id, as in the tokens' `kid`.
    pub kid: String,
    /// The Ed25519 private key, PKCS#8 DER in base64.
    pub private_key: String,
    /// The Ed25519 public key, raw 32 bytes in base64url.
    pub public_key: String,
    /// When the key was made; the newest signs.
    pub created_at: DateTime<Utc>,
}

/// The tables the list filters and the guarantees read, whose statistics
/// matter: the regions' and every record kind's.
macro_rules! register_tables {
    ($($kind:ident: $_k:ident),+ ; $($nested:ident: $_n:ident),+) => {
        ["regions", $(sea_orm::EntityName::table_name(&crate::entities::$kind::Entity),)+ $(sea_orm::EntityName::table_name(&crate::entities::$nested::Entity)),+]
    };
}

impl Db {
    /// Connects to `url` (`sqlite://PATH` or `postgres://…`). SQLite runs in WAL
    /// mode with `synchronous=FULL`, foreign keys on and a busy timeout.
    pub async fn connect(url: &str, max_connections: u32, on_query: Option<QueryCounter>) -> Result<Self> {
        let mut url = url.to_owned();
        let sqlite = url.starts_with("sqlite:");
        if sqlite && !url.contains("mode=") {
            url.push_str(if url.contains('?') { "&mode=rwc" } else { "?mode=rwc" });
        }
        let mut opts = ConnectOptions::new(url);
        opts.max_connections(max_connections)
            .min_connections(1)
            .connect_timeout(Duration::from_secs(10))
            .acquire_timeout(Duration::from_secs(10))
            .sqlx_logging(false)
            // Every acquire reports how long it waited, as a TRACE event of
            // `sqlx::pool::acquire` (what the pool-wait metric counts).
            .map_sqlx_sqlite_pool_opts(|o| o.acquire_time_level(log::LevelFilter::Trace))
            .map_sqlx_postgres_pool_opts(|o| o.acquire_time_level(log::LevelFilter::Trace));
        if sqlite {
            opts.map_sqlx_sqlite_opts(|o| {
                o.journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Full)
                    .foreign_keys(true)
                    .busy_timeout(Duration::from_secs(10))
            });
        }
        let mut conn = Database::connect(opts).await.map_err(db_error)?;
        if let Some(cb) = on_query {
            conn.set_metric_callback(move |info| cb(info.elapsed, info.failed));
        }
        Ok(Self {
            conn,
            unit: None,
            writers: Arc::new(Mutex::new(())),
        })
    }

    /// Where the domain's ports run their statements: the unit of work's
    /// transaction, or the pool.
    /// The unit's memo of regions read (see [`Unit`]), outside a unit `None`.
    pub(crate) fn region_memo(&self) -> Option<&std::sync::Mutex<HashMap<String, Option<Region>>>> {
        self.unit.as_deref().map(|u| &*u.regions)
    }

    pub(crate) fn exec(&self) -> DatabaseExecutor<'_> {
        match &self.unit {
            Some(unit) => DatabaseExecutor::Transaction(&unit.txn),
            None => DatabaseExecutor::Connection(&self.conn),
        }
    }

    /// Notes an event written in this unit of work, to be stored as a change
    /// when the unit commits; false outside a unit (the writer then stores it
    /// in its own transaction).
    pub(crate) fn note_change(&self, event: &shouhu_domain::resource::Event) -> bool {
        match &self.unit {
            Some(unit) => {
                unit.pending
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .push(Pending::of(event));
                true
            }
            None => false,
        }
    }

    /// Applies pending migrations.
    pub async fn migrate(&self) -> Result<()> {
        Migrator::up(&self.conn, None).await.map_err(db_error)
    }

    /// The underlying connection, for tools and tests that need raw SQL.
    pub fn connection(&self) -> &DatabaseConnection {
        &self.conn
    }

    /// Refreshes the query planner's statistics, after bulk loads. SQLite's
    /// bundled library keeps STAT4 samples, with which a county-wide list walks
    /// the id order (and stops after a page) while a village's list uses the
    /// region index; without statistics it sorts the whole county.
    pub async fn analyze(&self) -> Result<()> {
        // PostgreSQL's bare ANALYZE would visit every schema of the database;
        // naming the tables keeps it to this one (the search path's).
        let statement = if self.is_sqlite() {
            "ANALYZE".to_owned()
        } else {
            format!("ANALYZE {}", shouhu_domain::record_kinds!(register_tables).join(", "))
        };
        self.conn.execute_unprepared(&statement).await.map_err(db_error)?;
        Ok(())
    }

    /// Keeps SQLite's statistics current as tables grow (`PRAGMA
    /// optimize=0x10002` analyses the tables whose size changed a lot since
    /// their last analysis, within a bounded effort); run at startup.
    /// PostgreSQL's autovacuum does the same on its own.
    pub async fn optimize(&self) -> Result<()> {
        if self.is_sqlite() {
            self.conn
                .execute_unprepared("PRAGMA optimize=0x10002")
                .await
                .map_err(db_error)?;
        }
        Ok(())
    }

    /// Whether this is SQLite.
    pub fn is_sqlite(&self) -> bool {
        self.conn.get_database_backend() == DbBackend::Sqlite
    }

    /// Refuses to run on SQLite unless WAL and `synchronous=FULL` are in force,
    /// so that an acknowledged write survives a crash.
    pub async fn check_durability(&self) -> Result<()> {
        if !self.is_sqlite() {
            return Ok(());
        }
        let mode = self.pragma("journal_mode").await?;
        let sync = self.pragma("synchronous").await?;
        if mode.eq_ignore_ascii_case("wal") && (sync == "2" || sync == "3") {
            Ok(())
        } else {
            Err(Error::Internal(format!(
                "SQLite must run with journal_mode=wal and synchronous=full, not {mode} and {sync}"
            )))
        }
    }

    async fn pragma(&self, name: &str) -> Result<String> {
        let row = self
            .conn
            .query_one_raw(Statement::from_string(DbBackend::Sqlite, format!("PRAGMA {name}")))
            .await
            .map_err(db_error)?
            .ok_or_else(|| Error::Internal(format!("PRAGMA {name} returned nothing")))?;
        row.try_get_by_index::<String>(0)
            .or_else(|_| row.try_get_by_index::<i64>(0).map(|v| v.to_string()))
            .map_err(db_error)
    }

    /// The pool's connections now.
    pub fn pool_status(&self) -> PoolStatus {
        let (max, size, idle) = match self.conn.get_database_backend() {
            DbBackend::Sqlite => {
                let pool = self.conn.get_sqlite_connection_pool();
                (pool.options().get_max_connections(), pool.size(), pool.num_idle())
            }
            _ => {
                let pool = self.conn.get_postgres_connection_pool();
                (pool.options().get_max_connections(), pool.size(), pool.num_idle())
            }
        };
        PoolStatus {
            max,
            size,
            idle: u32::try_from(idle).unwrap_or(u32::MAX),
        }
    }

    /// Whether the database answers.
    pub async fn ping(&self) -> bool {
        self.conn.ping().await.is_ok()
    }

    /// Closes every connection.
    pub async fn close(self) {
        if let Err(e) = self.conn.close().await {
            tracing::warn!(error = %e, "closing the database pool");
        }
    }

    /// Whether no child is registered (the demo loads only into an empty register).
    pub async fn is_empty(&self) -> Result<bool> {
        use sea_orm::PaginatorTrait;
        Ok(crate::entities::child::Entity::find()
            .count(&self.conn)
            .await
            .map_err(db_error)?
            == 0)
    }

    /// Whether an organisation with this id exists.
    pub async fn organization_exists(&self, id: Uuid) -> Result<bool> {
        Ok(crate::entities::organization::Entity::find_by_id(id)
            .one(&self.conn)
            .await
            .map_err(db_error)?
            .is_some())
    }

    /// Sets an account's disabled flag; returns whether the account exists.
    /// Disabling also ends every session of the account: its access and
    /// refresh tokens stay refused after it is enabled again.
    pub async fn set_account_disabled(&self, username: &str, disabled: bool) -> Result<bool> {
        let res = account::Entity::update_many()
            .col_expr(account::Column::Disabled, sea_orm::sea_query::Expr::value(disabled))
            .filter(account::Column::Username.eq(username))
            .exec(&self.conn)
            .await
            .map_err(db_error)?;
        if disabled && res.rows_affected > 0 {
            self.revoke_sessions_of(username, Utc::now()).await?;
        }
        Ok(res.rows_affected > 0)
    }

    /// All signing keys, newest first.
    pub async fn signing_keys(&self) -> Result<Vec<SigningKeyRow>> {
        let rows = signing_key::Entity::find()
            .order_by_desc(signing_key::Column::CreatedAt)
            .order_by_desc(signing_key::Column::Kid)
            .all(&self.conn)
            .await
            .map_err(db_error)?;
        Ok(rows
            .into_iter()
            .map(|m| SigningKeyRow {
                kid: m.kid,
                private_key: m.private_key,
                public_key: m.public_key,
                created_at: m.created_at,
            })
            .collect())
    }

    /// Stores a new signing key.
    pub async fn insert_signing_key(&self, key: &SigningKeyRow) -> Result<()> {
        signing_key::ActiveModel {
            kid: Set(key.kid.clone()),
            private_key: Set(key.private_key.clone()),
            public_key: Set(key.public_key.clone()),
            created_at: Set(key.created_at),
        }
        .insert(&self.conn)
        .await
        .map_err(db_error)?;
        Ok(())
    }

    /// Stores a refresh token's hash.
    pub async fn insert_refresh_token(
        &self,
        family_id: Uuid,
        account_id: Uuid,
        token_hash: &str,
        expires_at: DateTime<Utc>,
    ) -> Result<()> {
        refresh_token::ActiveModel {
            id: Set(Uuid::now_v7()),
            family_id: Set(family_id),
            account_id: Set(account_id),
            token_hash: Set(token_hash.to_owned()),
            expires_at: Set(expires_at),
            used_at: Set(None),
            revoked_at: Set(None),
            created_at: Set(Utc::now()),
        }
        .insert(&self.conn)
        .await
        .map_err(db_error)?;
        Ok(())
    }

    /// Spends a refresh token: returns its account and family (the session) if
    /// it was live. Of concurrent spends of one token exactly one wins; a token
    /// presented again (reuse, or a concurrent loser) ends its whole session,
    /// the winner's new tokens included. Each statement stands alone, so that
    /// SQLite serialises them on its write lock instead of failing a
    /// transaction whose snapshot went stale.
    pub async fn spend_refresh_token(&self, token_hash: &str, now: DateTime<Utc>) -> Result<Option<(Uuid, Uuid)>> {
        let Some(row) = self.refresh_token(token_hash).await? else {
            return Ok(None);
        };
        if row.used_at.is_some() {
            self.revoke_session(row.family_id, now).await?;
            return Ok(None);
        }
        // Checked before the claim: a loser can end the session only after the
        // winner has claimed, so the winner is never refused by its losers.
        if row.revoked_at.is_some()
            || row.expires_at <= now
            || !self.session_is_live(row.family_id, row.account_id).await?
        {
            return Ok(None);
        }
        let claimed = refresh_token::Entity::update_many()
            .col_expr(refresh_token::Column::UsedAt, sea_orm::sea_query::Expr::value(now))
            .filter(refresh_token::Column::Id.eq(row.id))
            .filter(refresh_token::Column::UsedAt.is_null())
            .exec(&self.conn)
            .await
            .map_err(db_error)?
            .rows_affected
            == 1;
        if !claimed {
            self.revoke_session(row.family_id, now).await?;
            return Ok(None);
        }
        Ok(Some((row.account_id, row.family_id)))
    }

    async fn refresh_token(&self, token_hash: &str) -> Result<Option<refresh_token::Model>> {
        refresh_token::Entity::find()
            .filter(refresh_token::Column::TokenHash.eq(token_hash))
            .one(&self.conn)
            .await
            .map_err(db_error)
    }

    /// Ends the session of a refresh token; returns whether the token existed.
    pub async fn revoke_refresh_family(&self, token_hash: &str, now: DateTime<Utc>) -> Result<bool> {
        let Some(row) = self.refresh_token(token_hash).await? else {
            return Ok(false);
        };
        self.revoke_session(row.family_id, now).await?;
        Ok(true)
    }
}

impl Transactional for Db {
    /// On SQLite the transaction takes the write lock at once (`BEGIN
    /// IMMEDIATE`): a unit reads before it writes, and a deferred transaction
    /// that read could not take the lock later without failing when another
    /// wrote in between (no busy wait applies then).
    async fn begin(&self) -> Result<Self> {
        let unit = match &self.unit {
            Some(unit) => Unit {
                txn: unit.txn.begin().await.map_err(db_error)?,
                _turn: None,
                pending: Arc::clone(&unit.pending),
                outermost: false,
                regions: Arc::clone(&unit.regions),
            },
            None if self.is_sqlite() => {
                let turn = Arc::clone(&self.writers).lock_owned().await;
                let txn = self
                    .conn
                    .begin_with_options(TransactionOptions {
                        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
                        ..TransactionOptions::default()
                    })
                    .await
                    .map_err(db_error)?;
                Unit {
                    txn,
                    _turn: Some(turn),
                    pending: Arc::default(),
                    outermost: true,
                    regions: Arc::default(),
                }
            }
            None => Unit {
                txn: self.conn.begin().await.map_err(db_error)?,
                _turn: None,
                pending: Arc::default(),
                outermost: true,
                regions: Arc::default(),
            },
        };
        Ok(Self {
            conn: self.conn.clone(),
            unit: Some(Arc::new(unit)),
            writers: Arc::clone(&self.writers),
        })
    }

    async fn commit(self) -> Result<()> {
        let Some(unit) = self.unit else {
            return Ok(());
        };
        match Arc::try_unwrap(unit) {
            Ok(unit) => {
                if unit.outermost {
                    let pending = std::mem::take(&mut *unit.pending.lock().unwrap_or_else(|p| p.into_inner()));
                    changes::store(&unit.txn, &pending).await?;
                }
                unit.txn.commit().await.map_err(db_error)
            }
            Err(_) => Err(Error::Internal(
                "a unit of work was committed while still shared".to_owned(),
            )),
        }
    }
}

impl shouhu_domain::ports::AccountStore for Db {
    async fn account_by_username(&self, username: &str) -> Result<Option<Account>> {
        account::Entity::find()
            .filter(account::Column::Username.eq(username))
            .one(&self.exec())
            .await
            .map_err(db_error)?
            .map(account_from_model)
            .transpose()
    }

    async fn account(&self, id: Uuid) -> Result<Option<Account>> {
        account::Entity::find_by_id(id)
            .one(&self.exec())
            .await
            .map_err(db_error)?
            .map(account_from_model)
            .transpose()
    }

    async fn insert_account(&self, a: &Account) -> Result<()> {
        account::Entity::insert(account_to_model(a).into_active_model().reset_all())
            .exec_without_returning(&self.exec())
            .await
            .map_err(db_error)?;
        Ok(())
    }
}
