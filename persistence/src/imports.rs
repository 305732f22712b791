//! Census import jobs: the file as sent, its options, and where the job
//! stands. Any replica may run a queued job: it takes the job's lease with one
//! conditional `UPDATE` (only one replica can win) and renews it while it
//! runs; a job whose replica died is taken again once its lease ran out.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ActiveValue::Set, ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use shouhu_domain::Result;
use uuid::Uuid;

use crate::entities::import as row;
use crate::error::db_error;
use crate::store::Db;

/// An import as stored, without its file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportJob {
    /// Its id.
    pub id: Uuid,
    /// The importer's account id (the token subject).
    pub subject: String,
    /// The importer's user name.
    pub username: String,
    /// What it registers (`children`).
    pub kind: String,
    /// Checks only.
    pub dry_run: bool,
    /// `reject_all` or `skip_row`.
    pub on_error: String,
    /// `queued`, `running`, `done` or `failed`.
    pub status: String,
    /// The file's name as sent.
    pub file_name: Option<String>,
    /// Rows to read (known once the file is read).
    pub rows_total: i64,
    /// Rows read.
    pub rows_done: i64,
    /// The counts (JSON), once done.
    pub counts: Option<String>,
    /// The report (JSON), once done or failed.
    pub report: Option<String>,
    /// How many times a replica took it.
    pub attempts: i32,
    /// When it was sent.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

/// A new import, as sent.
#[derive(Debug, Clone)]
pub struct NewImport {
    /// Its id.
    pub id: Uuid,
    /// The importer's account id.
    pub subject: String,
    /// The importer's user name.
    pub username: String,
    /// What it registers.
    pub kind: String,
    /// Checks only.
    pub dry_run: bool,
    /// `reject_all` or `skip_row`.
    pub on_error: String,
    /// The file's name as sent.
    pub file_name: Option<String>,
}

/// A replica's hold on a running import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportLease {
    /// The import.
    pub id: Uuid,
    /// Who holds it (a token unique to the claim).
    pub holder: String,
}

/// A row of `imports` without its file.
#[derive(Debug, sea_orm::FromQueryResult)]
struct JobRow {
    id: Uuid,
    subject: String,
    username: String,
    kind: String,
    dry_run: bool,
    on_error: String,
    status: String,
    file_name: Option<String>,
    rows_total: i64,
    rows_done: i64,
    counts: Option<String>,
    report: Option<String>,
    attempts: i32,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

fn job_of(m: JobRow) -> ImportJob {
    ImportJob {
        id: m.id,
        subject: m.subject,
        username: m.username,
        kind: m.kind,
        dry_run: m.dry_run,
        on_error: m.on_error,
        status: m.status,
        file_name: m.file_name,
        rows_total: m.rows_total,
        rows_done: m.rows_done,
        counts: m.counts,
        report: m.report,
        attempts: m.attempts,
        created_at: m.created_at,
        updated_at: m.updated_at,
    }
}

impl Db {
    /// Stores a new import, queued.
    pub async fn insert_import(&self, new: NewImport, file: Vec<u8>, at: DateTime<Utc>) -> Result<()> {
        let model = row::ActiveModel {
            id: Set(new.id),
            subject: Set(new.subject),
            username: Set(new.username),
            kind: Set(new.kind),
            dry_run: Set(new.dry_run),
            on_error: Set(new.on_error),
            status: Set("queued".to_owned()),
            file: Set(file),
            file_name: Set(new.file_name),
            rows_total: Set(0),
            rows_done: Set(0),
            counts: Set(None),
            report: Set(None),
            lease_owner: Set(None),
            lease_until: Set(None),
            attempts: Set(0),
            created_at: Set(at),
            updated_at: Set(at),
        };
        row::Entity::insert(model).exec(&self.exec()).await.map_err(db_error)?;
        Ok(())
    }

    /// An import (without its file).
    pub async fn import_job(&self, id: Uuid) -> Result<Option<ImportJob>> {
        let found = row::Entity::find_by_id(id)
            .select_only()
            .columns([
                row::Column::Id,
                row::Column::Subject,
                row::Column::Username,
                row::Column::Kind,
                row::Column::DryRun,
                row::Column::OnError,
                row::Column::Status,
                row::Column::FileName,
                row::Column::RowsTotal,
                row::Column::RowsDone,
                row::Column::Counts,
                row::Column::Report,
                row::Column::Attempts,
                row::Column::CreatedAt,
                row::Column::UpdatedAt,
            ])
            .into_model::<JobRow>()
            .one(&self.exec())
            .await
            .map_err(db_error)?;
        Ok(found.map(job_of))
    }

    /// An import's file.
    pub async fn import_file(&self, id: Uuid) -> Result<Option<Vec<u8>>> {
        let found = row::Entity::find_by_id(id)
            .select_only()
            .column(row::Column::File)
            .into_tuple::<Vec<u8>>()
            .one(&self.exec())
            .await
            .map_err(db_error)?;
        Ok(found)
    }

    /// Takes the lease of the oldest import waiting to run (queued, or running
    /// on a replica whose lease ran out) until `until`.
    pub async fn claim_import(
        &self,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<Option<(ImportJob, ImportLease)>> {
        let waiting = || {
            Condition::any().add(row::Column::Status.eq("queued")).add(
                Condition::all()
                    .add(row::Column::Status.eq("running"))
                    .add(row::Column::LeaseUntil.lt(now)),
            )
        };
        let candidates = row::Entity::find()
            .select_only()
            .column(row::Column::Id)
            .filter(waiting())
            .order_by_asc(row::Column::CreatedAt)
            .limit(8)
            .into_tuple::<Uuid>()
            .all(&self.exec())
            .await
            .map_err(db_error)?;
        for id in candidates {
            let holder = Uuid::now_v7().to_string();
            let res = row::Entity::update_many()
                .col_expr(row::Column::Status, Expr::val("running"))
                .col_expr(row::Column::LeaseOwner, Expr::val(holder.clone()))
                .col_expr(row::Column::LeaseUntil, Expr::val(until))
                .col_expr(row::Column::Attempts, Expr::col(row::Column::Attempts).add(1))
                .col_expr(row::Column::UpdatedAt, Expr::val(now))
                .filter(row::Column::Id.eq(id))
                .filter(waiting())
                .exec(&self.exec())
                .await
                .map_err(db_error)?;
            if res.rows_affected == 1
                && let Some(job) = self.import_job(id).await?
            {
                return Ok(Some((job, ImportLease { id, holder })));
            }
        }
        Ok(None)
    }

    /// Notes how far a running import is and extends its lease; false when the lease was lost.
    pub async fn import_progress(
        &self,
        lease: &ImportLease,
        done: i64,
        total: i64,
        until: DateTime<Utc>,
    ) -> Result<bool> {
        let res = row::Entity::update_many()
            .col_expr(row::Column::RowsDone, Expr::val(done))
            .col_expr(row::Column::RowsTotal, Expr::val(total))
            .col_expr(row::Column::LeaseUntil, Expr::val(until))
            .col_expr(row::Column::UpdatedAt, Expr::val(Utc::now()))
            .filter(row::Column::Id.eq(lease.id))
            .filter(row::Column::LeaseOwner.eq(lease.holder.as_str()))
            .filter(row::Column::Status.eq("running"))
            .exec(&self.exec())
            .await
            .map_err(db_error)?;
        Ok(res.rows_affected == 1)
    }

    /// Ends a running import as `status` (`done`, `failed`, or `queued` to run
    /// again) with its counts and report; false when the lease was lost.
    pub async fn finish_import(
        &self,
        lease: &ImportLease,
        status: &str,
        rows: (i64, i64),
        counts: Option<String>,
        report: Option<String>,
    ) -> Result<bool> {
        let res = row::Entity::update_many()
            .col_expr(row::Column::Status, Expr::val(status))
            .col_expr(row::Column::RowsDone, Expr::val(rows.0))
            .col_expr(row::Column::RowsTotal, Expr::val(rows.1))
            .col_expr(row::Column::Counts, Expr::val(counts))
            .col_expr(row::Column::Report, Expr::val(report))
            .col_expr(row::Column::LeaseOwner, Expr::val(Option::<String>::None))
            .col_expr(row::Column::LeaseUntil, Expr::val(Option::<DateTime<Utc>>::None))
            .col_expr(row::Column::UpdatedAt, Expr::val(Utc::now()))
            .filter(row::Column::Id.eq(lease.id))
            .filter(row::Column::LeaseOwner.eq(lease.holder.as_str()))
            .exec(&self.exec())
            .await
            .map_err(db_error)?;
        Ok(res.rows_affected == 1)
    }
}
