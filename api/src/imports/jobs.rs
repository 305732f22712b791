//! Import jobs: each replica looks for a queued import every
//! `SHOUHU_IMPORT_POLL_MS`, takes its lease (only one replica can), runs it
//! as its importer (`run::import`), notes its progress each second while
//! renewing the lease, and stores its counts and report. A replica that dies
//! part way loses the lease; the import is then taken again and run from the
//! start: a `reject_all` or dry run wrote nothing, and a `skip_row` one finds
//! the rows it wrote already there (they count as unchanged). A storage
//! failure puts the import back in the queue, up to `MAX_ATTEMPTS` times.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use chrono::Utc;
use serde_json::json;
use shouhu_persistence::{ImportJob, ImportLease};

use super::run::{self, Failure, Line, OnError, Options};
use crate::app::AppState;
use crate::i18n::{Lang, render_in};

/// How long a lease lasts; renewed every `BEAT`.
const LEASE: Duration = Duration::from_secs(60);
/// How often a running import notes its progress.
const BEAT: Duration = Duration::from_secs(1);
/// A job that met a storage failure this many times fails.
pub const MAX_ATTEMPTS: i32 = 3;

/// Starts looking for imports to run.
pub fn spawn(state: actix_web::web::Data<AppState>) {
    let every = Duration::from_millis(state.settings.serve.import_poll_ms);
    tokio::spawn(async move {
        let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            loop {
                let now = Utc::now();
                match state.db.claim_import(now, now + lease_length()).await {
                    Ok(Some((job, lease))) => run_job(&state, job, lease).await,
                    Ok(None) => break,
                    Err(e) => {
                        tracing::warn!(error = %e, "could not look for imports");
                        break;
                    }
                }
            }
        }
    });
}

fn lease_length() -> chrono::Duration {
    chrono::Duration::from_std(LEASE).unwrap_or_else(|_| chrono::Duration::seconds(60))
}

/// A report line as stored: both languages, so that each reader reads its own.
pub fn stored_line(line: &Line) -> serde_json::Value {
    json!({
        "row": line.row,
        "column": line.column,
        "code": line.code,
        "en": render_in(Lang::En, &line.message),
        "zh-CN": render_in(Lang::ZhCn, &line.message),
    })
}

/// Runs one import whose lease this replica holds.
async fn run_job(state: &AppState, job: ImportJob, lease: ImportLease) {
    let db = &state.db;
    let finish = |status: &'static str, rows: (i64, i64), counts: Option<String>, report: Option<String>| {
        let lease = lease.clone();
        async move {
            if let Err(e) = db.finish_import(&lease, status, rows, counts, report).await {
                tracing::error!(import = %lease.id, error = %e, "could not store how an import ended");
            }
        }
    };
    let failed = |code: &str, message: shouhu_domain::Message| {
        let line = Line {
            row: 1,
            column: String::new(),
            code: code.to_owned(),
            message,
        };
        Some(json!({"ignored": [], "written": false, "lines": [stored_line(&line)]}).to_string())
    };
    let channel = "POST /api/v1/imports";
    let ctx = match run::ctx_of_account(db, &job.username, state.settings.rules(), channel).await {
        Ok(Some(mut ctx)) if ctx.subject == job.subject => {
            ctx.request_id = job.id.to_string();
            ctx
        }
        Ok(_) => {
            let report = failed("account_unavailable", shouhu_domain::msg!("import.account_unavailable"));
            return finish("failed", (0, 0), None, report).await;
        }
        Err(e) => return retry_or_fail(state, &job, &lease, &e.to_string()).await,
    };
    let file = match db.import_file(job.id).await {
        Ok(Some(file)) => file,
        Ok(None) => return,
        Err(e) => return retry_or_fail(state, &job, &lease, &e.to_string()).await,
    };
    let on_error = if job.on_error == "skip_row" {
        OnError::SkipRow
    } else {
        OnError::RejectAll
    };
    let options = Options {
        dry_run: job.dry_run,
        on_error,
    };
    let done = Arc::new(AtomicU64::new(0));
    let total = Arc::new(AtomicU64::new(0));
    let beat = {
        let (db, lease, done, total) = (db.clone(), lease.clone(), done.clone(), total.clone());
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(BEAT).await;
                let (d, t) = (done.load(Ordering::Relaxed), total.load(Ordering::Relaxed));
                let until = Utc::now() + lease_length();
                match db.import_progress(&lease, as_i64(d), as_i64(t), until).await {
                    Ok(true) => {}
                    Ok(false) => return,
                    // On SQLite a reject_all import holds the write lock: progress waits for its end.
                    Err(e) => tracing::debug!(import = %lease.id, error = %e, "could not note an import's progress"),
                }
            }
        })
    };
    let progress = {
        let (done, total) = (done.clone(), total.clone());
        move |d: u64, t: u64| {
            done.store(d, Ordering::Relaxed);
            total.store(t, Ordering::Relaxed);
        }
    };
    let outcome = run::import(db, &ctx, &file, options, &progress).await;
    beat.abort();
    let _ = beat.await;
    match outcome {
        Ok(report) => {
            let rows = as_i64(report.counts.rows);
            let stored = json!({
                "ignored": report.ignored,
                "written": report.written,
                "lines": report.lines.iter().map(stored_line).collect::<Vec<_>>(),
            });
            let counts = serde_json::to_string(&report.counts).ok();
            finish("done", (rows, rows), counts, Some(stored.to_string())).await;
        }
        Err(Failure::Unreadable(lines)) => {
            let stored = json!({
                "ignored": [],
                "written": false,
                "lines": lines.iter().map(stored_line).collect::<Vec<_>>(),
            });
            finish("failed", (0, 0), None, Some(stored.to_string())).await;
        }
        Err(Failure::Store(e)) => retry_or_fail(state, &job, &lease, &e.to_string()).await,
    }
}

fn as_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// After a storage failure: back in the queue, or failed after `MAX_ATTEMPTS`.
async fn retry_or_fail(state: &AppState, job: &ImportJob, lease: &ImportLease, error: &str) {
    tracing::error!(import = %job.id, attempt = job.attempts, error, "an import met a storage failure");
    let (status, report) = if job.attempts >= MAX_ATTEMPTS {
        let line = Line {
            row: 1,
            column: String::new(),
            code: "internal".to_owned(),
            message: shouhu_domain::msg!("census.internal"),
        };
        let report = json!({"ignored": [], "written": false, "lines": [stored_line(&line)]});
        ("failed", Some(report.to_string()))
    } else {
        ("queued", None)
    };
    if let Err(e) = state.db.finish_import(lease, status, (0, 0), None, report).await {
        tracing::error!(import = %job.id, error = %e, "could not store how an import ended");
    }
}
