//! Creation with an optional idempotency key, for both surfaces: the same key
//! and input answer again with the record first created, read as the caller
//! may read it now; nothing is created twice.

use std::future::Future;

use chrono::Duration;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use shouhu_domain::fields::canonical_json;
use shouhu_domain::idempotency::{self, Claim, KeyStore};
use shouhu_domain::nested::{self, Nested};
use shouhu_domain::resource::Resource;
use shouhu_domain::{Ctx, Error, Result, service};
use shouhu_persistence::{Db, Mapped};
use uuid::Uuid;

use crate::app::AppState;

/// A created (or replayed) record, as the caller may read it.
pub struct Created<T> {
    /// The record.
    pub record: T,
    /// True when this answers again an earlier request with the same key.
    pub replayed: bool,
}

/// Runs `make(id)` under an idempotency key: `make` creates the record with
/// the id reserved for the key; `fetch(id)` reads it back as the caller, for a
/// replay and when an earlier attempt died after creating it. `request` is the
/// typed input as JSON (see `shouhu_domain::fields::canonical_json`), with the
/// parent's id for a nested record: a key reused with another request is refused.
/// `ident` tells a made thing's id and version, which the key keeps.
#[allow(clippy::too_many_arguments)]
pub async fn create<T, M, MF, F, FF>(
    state: &AppState,
    ctx: &Ctx,
    key: Option<&str>,
    operation: &str,
    request: &Value,
    make: M,
    fetch: F,
    ident: fn(&T) -> (Uuid, i64),
) -> Result<Created<T>>
where
    M: FnOnce(Uuid) -> MF,
    MF: Future<Output = Result<T>>,
    F: FnOnce(Uuid) -> FF,
    FF: Future<Output = Result<T>>,
{
    let db = &state.db;
    let Some(key) = key else {
        return Ok(Created {
            record: make(Uuid::now_v7()).await?,
            replayed: false,
        });
    };
    let hash = Sha256::digest(idempotency::canonical(request).as_bytes());
    let hash: String = hash.iter().map(|b| format!("{b:02x}")).collect();
    let ttl = Duration::hours(state.settings.serve.idempotency_ttl_hours);
    let id = match idempotency::claim(db, ctx, key, operation, &hash, ttl).await? {
        Claim::Replay(id) => {
            // The first answer is not sent again as it was: the record is read
            // again as the caller now reads it (404 once it left the caller's
            // jurisdiction, masked as the caller's role is now).
            let record = fetch(id).await?;
            return Ok(Created { record, replayed: true });
        }
        Claim::Resume(id) => match fetch(id).await {
            // An earlier attempt created the record but died before marking the key done.
            Ok(record) => {
                db.complete_key(&ctx.subject, key, &done(ident(&record))).await?;
                return Ok(Created { record, replayed: true });
            }
            Err(Error::NotFound) => id,
            Err(e) => return Err(e),
        },
        Claim::Create(id) => id,
    };
    match make(id).await {
        Ok(record) => {
            db.complete_key(&ctx.subject, key, &done(ident(&record))).await?;
            Ok(Created {
                record,
                replayed: false,
            })
        }
        Err(e) => {
            // Nothing was created: free the key so that a corrected retry may use it.
            db.release_key(&ctx.subject, key).await?;
            Err(e)
        }
    }
}

/// What a completed key keeps: which record it created, never its data (a
/// replay reads the record again).
fn done((id, version): (Uuid, i64)) -> String {
    json!({"id": id, "version": version}).to_string()
}

/// A record's id and version, as its key keeps them.
fn record_ident<T: Resource>(record: &T) -> (Uuid, i64) {
    (record.meta().id, record.meta().version)
}

/// Registers a top-level record from `input`; with `key`, at most once per caller and key.
pub async fn create_record<T: Mapped>(
    state: &AppState,
    ctx: &Ctx,
    key: Option<&str>,
    input: T::Input,
) -> Result<Created<T>> {
    let db = &state.db;
    let request = canonical_json(&input);
    let operation = format!("create:{}", T::KIND.as_str());
    create(
        state,
        ctx,
        key,
        &operation,
        &request,
        |id| service::create_with_id::<T, Db>(db, ctx, input, id),
        |id| service::get::<T, Db>(db, ctx, id),
        record_ident::<T>,
    )
    .await
}

/// Records a nested record under `parent` from `input`; with `key`, at most
/// once per caller and key (the parent is part of the request).
pub async fn create_nested<T>(
    state: &AppState,
    ctx: &Ctx,
    key: Option<&str>,
    parent: Uuid,
    input: T::Input,
) -> Result<Created<T>>
where
    T: Nested + Mapped,
    T::Parent: Mapped,
{
    let db = &state.db;
    let mut request = canonical_json(&input);
    if let Value::Object(map) = &mut request {
        map.insert(T::PARENT_COLUMN.to_owned(), Value::String(parent.to_string()));
    }
    let operation = format!("create:{}", T::KIND.as_str());
    create(
        state,
        ctx,
        key,
        &operation,
        &request,
        |id| nested::create::<T, Db>(db, ctx, parent, input, id),
        |id| nested::get::<T, Db>(db, ctx, id),
        record_ident::<T>,
    )
    .await
}
