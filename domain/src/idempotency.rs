//! Idempotent creation: a client that retries a create with the same
//! `Idempotency-Key` gets the first answer again, and nothing is created twice —
//! across retries, concurrent duplicates and server replicas, because the keys
//! live in the database.

use crate::message::Message;
use crate::msg;
use std::future::Future;

use chrono::{DateTime, Duration, Utc};
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::ctx::Ctx;
use crate::error::{Error, FieldError, Result};

/// How long a key is remembered by default.
pub const DEFAULT_TTL_HOURS: i64 = 7 * 24;
/// How long a request holds its key before a retry may take over (the request
/// died between reserving the key and finishing).
pub const LOCK_SECONDS: i64 = 30;

/// A stored key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyRecord {
    /// Whose key (token subject): keys are scoped per caller.
    pub subject: String,
    /// The key.
    pub key: String,
    /// What it was used for, such as `create:child`.
    pub operation: String,
    /// SHA-256 of the canonical request body, hex.
    pub request_hash: String,
    /// The id the created record gets (reserved with the key).
    pub record_id: Uuid,
    /// The response, once the request finished: the created record as JSON.
    pub response: Option<String>,
    /// Until when the reserving request owns the key.
    pub locked_until: DateTime<Utc>,
    /// When the key is forgotten.
    pub expires_at: DateTime<Utc>,
}

/// Storage of idempotency keys.
pub trait KeyStore: Send + Sync {
    /// Inserts the key unless one with this subject and key exists (an expired
    /// one is replaced); returns the stored key when it was there already.
    fn reserve_key(
        &self,
        record: &KeyRecord,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<Option<KeyRecord>>> + Send;
    /// Takes over a pending key whose lock expired; true if this caller got it.
    fn take_over_key(
        &self,
        subject: &str,
        key: &str,
        now: DateTime<Utc>,
        locked_until: DateTime<Utc>,
    ) -> impl Future<Output = Result<bool>> + Send;
    /// Stores the response of a finished request.
    fn complete_key(&self, subject: &str, key: &str, response: &str) -> impl Future<Output = Result<()>> + Send;
    /// Forgets a pending key (the request failed and created nothing).
    fn release_key(&self, subject: &str, key: &str) -> impl Future<Output = Result<()>> + Send;
}

/// What a request holding a key should do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// Create the record with this id.
    Create(Uuid),
    /// A previous attempt died after reserving this id: create it unless it exists.
    Resume(Uuid),
    /// The request with this key finished and created this record: answer with
    /// the record as the caller may read it now (the same record, today's rules).
    Replay(Uuid),
}

fn key_error(code: &str, message: Message) -> Error {
    Error::Validation(vec![FieldError::new("Idempotency-Key", code, message)])
}

/// Checks a key: 1 to 255 visible ASCII characters.
pub fn validate_key(key: &str) -> Result<()> {
    if key.is_empty() || key.len() > 255 || !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(Error::InvalidParameters(vec![FieldError::new(
            "Idempotency-Key",
            "invalid_format",
            msg!("idempotency.invalid_key"),
        )]));
    }
    Ok(())
}

/// The body in a canonical form (keys sorted at every level), for hashing.
pub fn canonical(value: &Value) -> String {
    fn sort(v: &Value) -> Value {
        match v {
            Value::Object(m) => {
                let mut keys: Vec<&String> = m.keys().collect();
                keys.sort();
                Value::Object(
                    keys.into_iter()
                        .map(|k| (k.clone(), sort(&m[k])))
                        .collect::<Map<_, _>>(),
                )
            }
            Value::Array(a) => Value::Array(a.iter().map(sort).collect()),
            other => other.clone(),
        }
    }
    sort(value).to_string()
}

/// Claims `key` for `operation` with a body whose hash is `request_hash`.
pub async fn claim<S: KeyStore>(
    store: &S,
    ctx: &Ctx,
    key: &str,
    operation: &str,
    request_hash: &str,
    ttl: Duration,
) -> Result<Claim> {
    validate_key(key)?;
    let now = Utc::now();
    let record = KeyRecord {
        subject: ctx.subject.clone(),
        key: key.to_owned(),
        operation: operation.to_owned(),
        request_hash: request_hash.to_owned(),
        record_id: Uuid::now_v7(),
        response: None,
        locked_until: now + Duration::seconds(LOCK_SECONDS),
        expires_at: now + ttl,
    };
    let Some(existing) = store.reserve_key(&record, now).await? else {
        return Ok(Claim::Create(record.record_id));
    };
    if existing.operation != operation || existing.request_hash != request_hash {
        return Err(key_error("reused", msg!("idempotency.reused")));
    }
    if existing.response.is_some() {
        return Ok(Claim::Replay(existing.record_id));
    }
    if existing.locked_until > now || !store.take_over_key(&ctx.subject, key, now, record.locked_until).await? {
        return Err(Error::Conflict {
            field: None,
            message: msg!("idempotency.in_progress"),
        });
    }
    Ok(Claim::Resume(existing.record_id))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_canonical_form_ignores_key_order() {
        assert_eq!(
            canonical(&json!({"b": 1, "a": {"d": 2, "c": 3}})),
            canonical(&json!({"a": {"c": 3, "d": 2}, "b": 1}))
        );
        assert_ne!(canonical(&json!({"a": 1})), canonical(&json!({"a": 2})));
    }

    #[test]
    fn keys_are_visible_ascii() {
        assert!(validate_key("2f1c-retry_01").is_ok());
        assert!(validate_key("").is_err());
        assert!(validate_key("with space").is_err());
        assert!(validate_key(&"k".repeat(256)).is_err());
    }
}
