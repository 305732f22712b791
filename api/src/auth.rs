//! Authentication: Ed25519-signed JWT access tokens named by `kid`, each
//! naming its session, which is checked against the database; opaque rotating
//! refresh tokens stored hashed; the source address throttles count by; and
//! the caller extractor.

use std::collections::HashMap;
use std::future::{Ready, ready};
use std::net::IpAddr;
use std::sync::{Arc, RwLock};
use std::time::Instant;

use actix_web::{FromRequest, HttpMessage, HttpRequest, dev::Payload};
use argon2::Argon2;
use argon2::password_hash::rand_core::{OsRng, RngCore};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use chrono::Utc;
use ed25519_dalek::SigningKey;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use shouhu_domain::enums::{Department, Role, StrEnum};
use shouhu_domain::guarantee::Rules;
use shouhu_domain::ports::CareFacts;
use shouhu_domain::{Ctx, Error, Message, Result, msg};
use shouhu_persistence::{Db, SigningKeyRow};
use uuid::Uuid;

use crate::app::AppState;
use crate::config::ProxyRange;
use crate::ops::RequestId;

/// The issuer of every token.
pub const ISSUER: &str = "shouhu";
/// The audience of every access token.
pub const AUDIENCE: &str = "shouhu-api";
/// Clock skew tolerated on `exp` and `nbf`, in seconds.
pub const LEEWAY_SECONDS: u64 = 30;

/// The claims of an access token.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    /// Issuer.
    pub iss: String,
    /// Audience.
    pub aud: String,
    /// Subject: the account id.
    pub sub: String,
    /// Expiry (seconds since the epoch).
    pub exp: i64,
    /// Not valid before.
    pub nbf: i64,
    /// Issued at.
    pub iat: i64,
    /// Token id.
    pub jti: String,
    /// Role.
    pub role: String,
    /// Department, for department accounts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
    /// Organisation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org: Option<String>,
    /// The 12-digit code of the jurisdiction.
    pub region: String,
    /// Always `access`: a refresh token is never a JWT.
    pub typ: String,
    /// The session (a login's refresh-token family, or one client credentials
    /// grant) the token belongs to; ending the session refuses the token.
    #[serde(default)]
    pub sid: String,
}

struct LoadedKey {
    kid: String,
    encoding: EncodingKey,
    decoding: DecodingKey,
    public_b64: String,
}

/// How often a token naming an unknown key may trigger a reload of the keys.
const UNKNOWN_KID_RELOAD_INTERVAL: std::time::Duration = std::time::Duration::from_secs(5);

/// The signing keys, read from the database so every replica shares them.
#[derive(Clone)]
pub struct Keys {
    db: Db,
    inner: Arc<RwLock<Vec<Arc<LoadedKey>>>>,
    last_unknown_reload: Arc<std::sync::Mutex<Option<std::time::Instant>>>,
}

fn pkcs8_of(seed: &[u8; 32]) -> Vec<u8> {
    // PKCS#8 v1 wrapping of an Ed25519 private key (RFC 8410): a fixed prefix and the seed.
    let mut der = vec![
        0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
    ];
    der.extend_from_slice(seed);
    der
}

fn load(row: &SigningKeyRow) -> Result<LoadedKey> {
    let der = STANDARD
        .decode(&row.private_key)
        .map_err(|e| Error::Internal(format!("signing key {}: {e}", row.kid)))?;
    let public = URL_SAFE_NO_PAD
        .decode(&row.public_key)
        .map_err(|e| Error::Internal(format!("public key {}: {e}", row.kid)))?;
    Ok(LoadedKey {
        kid: row.kid.clone(),
        encoding: EncodingKey::from_ed_der(&der),
        decoding: DecodingKey::from_ed_der(&public),
        public_b64: row.public_key.clone(),
    })
}

impl Keys {
    /// Loads the keys, creating the first one if there is none.
    pub async fn load(db: &Db) -> Result<Self> {
        let keys = Self {
            db: db.clone(),
            inner: Arc::new(RwLock::new(Vec::new())),
            last_unknown_reload: Arc::default(),
        };
        if db.signing_keys().await?.is_empty() {
            keys.rotate().await?;
        }
        keys.reload().await?;
        Ok(keys)
    }

    /// Re-reads the keys from the database.
    pub async fn reload(&self) -> Result<()> {
        let rows = self.db.signing_keys().await?;
        let loaded = rows.iter().map(load).collect::<Result<Vec<_>>>()?;
        let mut guard = self
            .inner
            .write()
            .map_err(|_| Error::Internal("key lock poisoned".into()))?;
        *guard = loaded.into_iter().map(Arc::new).collect();
        Ok(())
    }

    /// Adds a new signing key; older keys keep verifying until their tokens expire.
    pub async fn rotate(&self) -> Result<String> {
        let mut seed = [0u8; 32];
        OsRng.fill_bytes(&mut seed);
        let public = SigningKey::from_bytes(&seed).verifying_key().to_bytes();
        let kid = uuid::Uuid::now_v7().simple().to_string();
        self.db
            .insert_signing_key(&SigningKeyRow {
                kid: kid.clone(),
                private_key: STANDARD.encode(pkcs8_of(&seed)),
                public_key: URL_SAFE_NO_PAD.encode(public),
                created_at: Utc::now(),
            })
            .await?;
        self.reload().await?;
        Ok(kid)
    }

    fn snapshot(&self) -> Vec<Arc<LoadedKey>> {
        self.inner.read().map(|g| g.clone()).unwrap_or_default()
    }

    /// The JSON Web Key Set of the public keys.
    pub fn jwks(&self) -> serde_json::Value {
        let keys: Vec<_> = self
            .snapshot()
            .iter()
            .map(|k| serde_json::json!({"kty": "OKP", "crv": "Ed25519", "alg": "EdDSA", "use": "sig", "kid": k.kid, "x": k.public_b64}))
            .collect();
        serde_json::json!({ "keys": keys })
    }

    /// Signs an access token for `account` in session `session_id`.
    pub fn issue(
        &self,
        account: &shouhu_domain::account::Account,
        session_id: Uuid,
        ttl_seconds: i64,
    ) -> Result<String> {
        let key = self
            .snapshot()
            .first()
            .cloned()
            .ok_or_else(|| Error::Internal("no signing key".into()))?;
        let now = Utc::now().timestamp();
        let claims = Claims {
            iss: ISSUER.to_owned(),
            aud: AUDIENCE.to_owned(),
            sub: account.id.to_string(),
            exp: now + ttl_seconds,
            nbf: now,
            iat: now,
            jti: Uuid::now_v7().to_string(),
            role: account.role.as_str().to_owned(),
            department: account.department.map(|d| d.as_str().to_owned()),
            org: account.organization_id.map(|o| o.to_string()),
            region: account.region_code.clone(),
            typ: "access".to_owned(),
            sid: session_id.to_string(),
        };
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = Some(key.kid.clone());
        jsonwebtoken::encode(&header, &claims, &key.encoding).map_err(|e| Error::Internal(format!("signing: {e}")))
    }

    /// Verifies an access token: algorithm pinned to EdDSA, a known `kid`, and
    /// `exp`, `nbf`, `iss`, `aud`, `sub` required and checked.
    pub fn verify(&self, token: &str) -> Result<Claims> {
        let unauth = Error::Unauthenticated;
        let header = jsonwebtoken::decode_header(token).map_err(|_| unauth(msg!("auth.malformed_token")))?;
        if header.alg != Algorithm::EdDSA {
            return Err(unauth(msg!("auth.unsupported_algorithm")));
        }
        let kid = header.kid.ok_or_else(|| unauth(msg!("auth.no_kid")))?;
        let key = self
            .snapshot()
            .into_iter()
            .find(|k| k.kid == kid)
            .ok_or_else(|| unauth(msg!("auth.unknown_key")))?;
        let mut validation = Validation::new(Algorithm::EdDSA);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "nbf", "iss", "aud", "sub"]);
        validation.validate_nbf = true;
        validation.leeway = LEEWAY_SECONDS;
        let data = jsonwebtoken::decode::<Claims>(token, &key.decoding, &validation)
            .map_err(|_| unauth(msg!("auth.invalid_token")))?;
        if data.claims.typ != "access" {
            return Err(unauth(msg!("auth.not_access_token")));
        }
        Ok(data.claims)
    }

    /// Whether a key with this id is loaded; unknown ids trigger one reload so
    /// that a key rotated on another replica is picked up.
    pub async fn knows_or_reloads(&self, token: &str) -> bool {
        let Ok(header) = jsonwebtoken::decode_header(token) else {
            return false;
        };
        let Some(kid) = header.kid else { return false };
        if self.snapshot().iter().any(|k| k.kid == kid) {
            return true;
        }
        // At most one reload per interval, so forged key ids cannot hammer the database.
        let due = self
            .last_unknown_reload
            .lock()
            .map(|mut last| {
                let due = last.is_none_or(|t| t.elapsed() >= UNKNOWN_KID_RELOAD_INTERVAL);
                if due {
                    *last = Some(std::time::Instant::now());
                }
                due
            })
            .unwrap_or(false);
        due && self.reload().await.is_ok() && self.snapshot().iter().any(|k| k.kid == kid)
    }
}

/// The context of claims that passed verification.
pub fn ctx_of(claims: &Claims, request_id: &RequestId, channel: &str, rules: Rules) -> Result<Ctx> {
    let unauth = || Error::Unauthenticated(msg!("auth.malformed_claims"));
    Ok(Ctx {
        subject: claims.sub.clone(),
        role: Role::parse(&claims.role).ok_or_else(unauth)?,
        department: claims
            .department
            .as_deref()
            .map(|d| Department::parse(d).ok_or_else(unauth))
            .transpose()?,
        organization_id: claims
            .org
            .as_deref()
            .map(|o| o.parse().map_err(|_| unauth()))
            .transpose()?,
        region_code: claims.region.clone(),
        request_id: request_id.server.clone(),
        client_request_id: request_id.client.clone(),
        channel: channel.to_owned(),
        rules,
        volunteer_children: Vec::new(),
        service_logs_reads: true,
    })
}

/// Hashes a password or secret with argon2id.
pub fn hash_password(password: &str) -> Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| Error::Internal(format!("hashing: {e}")))
}

/// Checks a password against a stored hash.
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

/// A fixed hash to verify against when the user does not exist, so that the
/// answer takes as long either way.
pub fn dummy_hash() -> &'static str {
    "$argon2id$v=19$m=19456,t=2,p=1$c2hvdWh1c2FsdHNhbHQ$1TQpYjU7gL4rOUVyMQy9DrIhcyrAN0fGLg3sHqCz4xk"
}

/// 32 random bytes, base64url: refresh tokens and client secrets.
pub fn new_secret() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// A new opaque refresh token and its stored hash.
pub fn new_refresh_token() -> (String, String) {
    let token = new_secret();
    let hash = refresh_hash(&token);
    (token, hash)
}

/// The stored form of a refresh token.
pub fn refresh_hash(token: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(token.as_bytes()))
}

/// The authenticated caller of a request.
#[derive(Debug, Clone)]
pub struct Caller(pub Ctx);

/// The outcome of verifying the bearer token, stored in the request by the
/// authentication middleware.
#[derive(Debug, Clone)]
pub struct Authenticated(pub std::result::Result<Ctx, Message>);

impl FromRequest for Caller {
    type Error = crate::error::ApiError;
    type Future = Ready<std::result::Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let outcome = req.extensions().get::<Authenticated>().cloned();
        ready(match outcome {
            Some(Authenticated(Ok(ctx))) => Ok(Caller(ctx)),
            Some(Authenticated(Err(msg))) => Err(Error::Unauthenticated(msg).into()),
            None => Err(Error::Unauthenticated(msg!("auth.send_authorization")).into()),
        })
    }
}

/// Verifies the request's bearer token, if any (called once per request): its
/// signature and claims, then that its session is still open and its account
/// enabled (see [`SessionCache`]). A volunteer's context also gets the children
/// paired with them now, read from the database on every request so that
/// ending a pairing or suspending the volunteer takes effect at once on every
/// replica.
pub async fn authenticate(state: &AppState, req: &actix_web::dev::ServiceRequest) -> Option<Authenticated> {
    let keys = &state.keys;
    let value = req.headers().get(actix_web::http::header::AUTHORIZATION)?;
    let request_id = req.extensions().get::<RequestId>().cloned().unwrap_or_default();
    let token = value
        .to_str()
        .ok()
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")));
    let Some(token) = token.map(str::trim) else {
        return Some(Authenticated(Err(msg!("auth.expected_bearer"))));
    };
    keys.knows_or_reloads(token).await;
    let channel = format!(
        "{} {}",
        req.method(),
        req.match_pattern().unwrap_or_else(|| req.path().to_owned())
    );
    let verified = match keys.verify(token) {
        Ok(claims) => match check_session(state, &claims).await {
            Ok(()) => ctx_of(&claims, &request_id, &channel, state.settings.rules()),
            Err(e) => Err(e),
        },
        Err(e) => Err(e),
    };
    let verified = match verified {
        Ok(mut ctx) if ctx.role == Role::Volunteer => {
            if let Ok(account) = ctx.subject.parse::<Uuid>() {
                // Fails closed: when the pairings cannot be read, the volunteer sees no child.
                match state.db.paired_children(account).await {
                    Ok(children) => ctx.volunteer_children = children,
                    Err(e) => tracing::warn!(error = %e, "could not read a volunteer's pairings"),
                }
            }
            Ok(ctx)
        }
        other => other,
    };
    Some(Authenticated(verified.map_err(|e| match e {
        Error::Unauthenticated(m) => m,
        _ => msg!("auth.invalid"),
    })))
}

/// Refuses a token whose session has ended or whose account is disabled.
/// Fails closed: when the database cannot tell, the token is refused.
async fn check_session(state: &AppState, claims: &Claims) -> Result<()> {
    let unauth = Error::Unauthenticated;
    let (Ok(session), Ok(account)) = (claims.sid.parse::<Uuid>(), claims.sub.parse::<Uuid>()) else {
        return Err(unauth(msg!("auth.no_session")));
    };
    match state.sessions.is_live(&state.db, session, account).await {
        Ok(true) => Ok(()),
        Ok(false) => Err(unauth(msg!("auth.session_ended"))),
        Err(e) => {
            tracing::warn!(error = %e, "could not check a session");
            Err(unauth(msg!("auth.session_unchecked")))
        }
    }
}

/// The most sessions a process remembers; past that it forgets the stale ones,
/// or all of them.
const SESSION_CACHE_CAPACITY: usize = 10_000;

/// What this process last learnt of each session (open, and its account
/// enabled), trusted for `SHOUHU_SESSION_CHECK_SECONDS` (0: not at all). The
/// truth is in the database, which every replica reads: a session ended on one
/// replica is refused by every other within that time.
pub struct SessionCache {
    ttl: std::time::Duration,
    seen: std::sync::Mutex<HashMap<(Uuid, Uuid), (Instant, bool)>>,
}

impl SessionCache {
    /// A cache trusting what it saw for `ttl`.
    pub fn new(ttl: std::time::Duration) -> Self {
        Self {
            ttl,
            seen: std::sync::Mutex::default(),
        }
    }

    /// Whether `session` of `account` is open and the account enabled.
    pub async fn is_live(&self, db: &Db, session: Uuid, account: Uuid) -> Result<bool> {
        if self.ttl.is_zero() {
            return db.session_is_live(session, account).await;
        }
        let cached = self.seen.lock().ok().and_then(|seen| {
            seen.get(&(session, account))
                .filter(|(at, _)| at.elapsed() < self.ttl)
                .map(|(_, live)| *live)
        });
        if let Some(live) = cached {
            return Ok(live);
        }
        let live = db.session_is_live(session, account).await?;
        if let Ok(mut seen) = self.seen.lock() {
            if seen.len() >= SESSION_CACHE_CAPACITY {
                seen.retain(|_, (at, _)| at.elapsed() < self.ttl);
                if seen.len() >= SESSION_CACHE_CAPACITY {
                    seen.clear();
                }
            }
            seen.insert((session, account), (Instant::now(), live));
        }
        Ok(live)
    }
}

/// The name a throttle counts by: trimmed, lowercased, without control
/// characters, at most 64 characters (no account has a longer name).
pub fn throttle_subject(name: &str) -> String {
    name.trim()
        .chars()
        .filter(|c| !c.is_control())
        .flat_map(char::to_lowercase)
        .take(64)
        .collect()
}

/// The address a request comes from, which throttles count by: the peer's,
/// unless the peer is one of `trusted` proxies; then the nearest address in
/// `X-Forwarded-For` (read from the right) that is not a trusted proxy. A
/// client cannot choose its address by sending the header itself.
pub fn source_address(req: &HttpRequest, trusted: &[ProxyRange]) -> String {
    let Some(peer) = req.peer_addr().map(|a| a.ip().to_canonical()) else {
        return String::new();
    };
    let is_trusted = |ip: IpAddr| trusted.iter().any(|r| r.contains(ip));
    if !is_trusted(peer) {
        return peer.to_string();
    }
    let forwarded: Vec<&str> = req
        .headers()
        .get_all("x-forwarded-for")
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect();
    let mut source = peer;
    for hop in forwarded.iter().rev() {
        // An entry the proxy did not write in a form we know: stop at the last known hop.
        let Ok(ip) = hop.parse::<IpAddr>() else { break };
        source = ip.to_canonical();
        if !is_trusted(source) {
            break;
        }
    }
    source.to_string()
}
