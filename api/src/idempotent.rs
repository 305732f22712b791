//! Creation with an optional idempotency key, for both surfaces: the same key
//! and body answer again with the record first created, read as the caller
//! may read it now; nothing is created twice.

use std::future::Future;

use chrono::Duration;
use serde::Serialize;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use shouhu_domain::idempotency::{self, Claim, KeyStore};
use shouhu_domain::{Ctx, Error, Result, nested, service};
use shouhu_persistence::{Db, Mapped};
use uuid::Uuid;

use crate::app::AppState;

/// A created (or replayed) record, as the JSON the API sends.
pub struct Created {
    /// The record.
    pub body: Value,
    /// True when this answers again an earlier request with the same key.
    pub replayed: bool,
}

fn render<T, D: From<T> + Serialize>(record: T) -> Result<Value> {
    serde_json::to_value(D::from(record)).map_err(|e| Error::Internal(format!("rendering: {e}")))
}

/// Creates a register record from `input`; with `key`, at most once per caller and key.
pub async fn create<T, D>(state: &AppState, ctx: &Ctx, key: Option<&str>, input: &Map<String, Value>) -> Result<Created>
where
    T: Mapped,
    D: From<T> + Serialize,
{
    let db = &state.db;
    let operation = format!("create:{}", T::KIND.as_str());
    create_with(
        state,
        ctx,
        key,
        &operation,
        input,
        |id| async move {
            service::create_with_id::<T, Db>(db, ctx, input, id)
                .await
                .and_then(render::<T, D>)
        },
        |id| async move { service::get::<T, Db>(db, ctx, id).await.and_then(render::<T, D>) },
    )
    .await
}

/// Records a record under its parent from `input`; with `key`, at most once
/// per caller and key (the parent's id counts as part of the input).
pub async fn create_nested<K>(
    state: &AppState,
    ctx: &Ctx,
    parent: Uuid,
    key: Option<&str>,
    input: Map<String, Value>,
) -> Result<Created>
where
    K: crate::kind::Nested,
    K::Record: nested::Nested,
    <K::Record as nested::Nested>::Parent: Mapped,
{
    let mut hashed = input.clone();
    hashed.insert(K::PARENT_FIELD.to_owned(), Value::String(parent.to_string()));
    let (db, input) = (&state.db, &input);
    create_with(
        state,
        ctx,
        key,
        K::SCOPE,
        &hashed,
        |id| async move {
            nested::create::<K::Record, Db>(db, ctx, parent, input, id)
                .await
                .and_then(render::<K::Record, K>)
        },
        |id| async move {
            crate::records::get_nested::<K>(db, ctx, id)
                .await
                .and_then(render::<K::Record, K>)
        },
    )
    .await
}

/// Runs `make(id)` under an idempotency key: `make` creates the record with
/// the id reserved for the key; `fetch(id)` reads it back as the caller, for a
/// replay and when an earlier attempt died after creating it.
pub async fn create_with<M, MF, F, FF>(
    state: &AppState,
    ctx: &Ctx,
    key: Option<&str>,
    operation: &str,
    input: &Map<String, Value>,
    make: M,
    fetch: F,
) -> Result<Created>
where
    M: FnOnce(Uuid) -> MF,
    MF: Future<Output = Result<Value>>,
    F: FnOnce(Uuid) -> FF,
    FF: Future<Output = Result<Value>>,
{
    let db = &state.db;
    let Some(key) = key else {
        return Ok(Created {
            body: make(Uuid::now_v7()).await?,
            replayed: false,
        });
    };
    let hash = Sha256::digest(idempotency::canonical(&Value::Object(input.clone())).as_bytes());
    let hash: String = hash.iter().map(|b| format!("{b:02x}")).collect();
    let ttl = Duration::hours(state.settings.serve.idempotency_ttl_hours);
    let id = match idempotency::claim(db, ctx, key, operation, &hash, ttl).await? {
        Claim::Replay(id) => {
            // The first answer is not sent again as it was: the record is read
            // again as the caller now reads it (404 once it left the caller's
            // jurisdiction, masked as the caller's role is now).
            let body = fetch(id).await?;
            return Ok(Created { body, replayed: true });
        }
        Claim::Resume(id) => match fetch(id).await {
            // An earlier attempt created the record but died before storing the answer.
            Ok(body) => {
                db.complete_key(&ctx.subject, key, &body.to_string()).await?;
                return Ok(Created { body, replayed: true });
            }
            Err(Error::NotFound) => id,
            Err(e) => return Err(e),
        },
        Claim::Create(id) => id,
    };
    match make(id).await {
        Ok(body) => {
            db.complete_key(&ctx.subject, key, &body.to_string()).await?;
            Ok(Created { body, replayed: false })
        }
        Err(e) => {
            // Nothing was created: free the key so that a corrected retry may use it.
            db.release_key(&ctx.subject, key).await?;
            Err(e)
        }
    }
}
