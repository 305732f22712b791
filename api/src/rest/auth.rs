//! Login, token refresh, logout and the public keys.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use base64::Engine;
use chrono::{Duration, Utc};
use serde::{Deserialize, Serialize};

use shouhu_domain::account::Account;
use shouhu_domain::ports::AccountStore;
use shouhu_persistence::{SessionKind, ThrottleScope};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::app::AppState;
use crate::auth::{dummy_hash, new_refresh_token, refresh_hash, source_address, throttle_subject, verify_password};
use crate::error::{ApiError, Problem, problem_error};
use crate::limits::Decision;

/// Credentials.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"username": "village", "password": "correct horse battery"}))]
pub struct LoginRequest {
    /// Login name.
    pub username: String,
    /// Password.
    pub password: String,
}

/// Issued tokens.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenResponse {
    /// A signed JWT (EdDSA); send it as `Authorization: Bearer …`.
    pub access_token: String,
    /// Always `Bearer`.
    #[schema(example = "Bearer")]
    pub token_type: String,
    /// Seconds until the access token expires.
    #[schema(example = 900)]
    pub expires_in: i64,
    /// Opaque; exchange it at `/api/v1/auth/token` for new tokens. It works once.
    /// Absent for client credentials.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
}

/// A token request (JSON or form).
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"grant_type": "client_credentials", "client_id": "cl_019ac4f27b1e7cc09a513f0e6d1b2c4d", "client_secret": "…"}))]
pub struct TokenRequest {
    /// `refresh_token` or `client_credentials`.
    #[schema(example = "refresh_token")]
    pub grant_type: String,
    /// The refresh token, for `grant_type=refresh_token`.
    pub refresh_token: Option<String>,
    /// The client id, for `grant_type=client_credentials` (or HTTP Basic).
    pub client_id: Option<String>,
    /// The client secret, for `grant_type=client_credentials` (or HTTP Basic).
    pub client_secret: Option<String>,
}

/// A logout request.
#[derive(Debug, Deserialize, ToSchema)]
pub struct LogoutRequest {
    /// The refresh token to revoke (with every token issued from the same login).
    pub refresh_token: String,
}

fn unauthorized(detail: &str) -> actix_web::Error {
    problem_error(Problem::new(StatusCode::UNAUTHORIZED, "unauthenticated", detail))
}

/// Signs tokens for `account`: for a new login (`family` is `None`) a new
/// session, whose id the refresh-token family shares.
async fn issue(state: &AppState, account: &Account, family: Option<Uuid>) -> Result<TokenResponse, actix_web::Error> {
    // Another process may have rotated the keys: sign with the newest.
    state.keys.reload().await.map_err(ApiError)?;
    let now = Utc::now();
    let session = match family {
        Some(family) => family,
        None => {
            let session = Uuid::now_v7();
            state
                .db
                .insert_session(session, account.id, SessionKind::Login, now)
                .await
                .map_err(ApiError)?;
            session
        }
    };
    let ttl = state.settings.serve.access_token_ttl;
    let access_token = state.keys.issue(account, session, ttl).map_err(ApiError)?;
    let (refresh, hash) = new_refresh_token();
    let expires = now + Duration::seconds(state.settings.serve.refresh_token_ttl);
    state
        .db
        .insert_refresh_token(session, account.id, &hash, expires)
        .await
        .map_err(ApiError)?;
    Ok(TokenResponse {
        access_token,
        token_type: "Bearer".to_owned(),
        expires_in: ttl,
        refresh_token: Some(refresh),
    })
}

/// Seconds from `now` until `until`, rounded up, at least one.
fn seconds_until(until: chrono::DateTime<Utc>, now: chrono::DateTime<Utc>) -> u64 {
    let ms = u64::try_from((until - now).num_milliseconds()).unwrap_or(0);
    ms.div_ceil(1000).max(1)
}

/// Logs in with a user name and password. Failed attempts are counted per
/// user name and source address (on every replica): after
/// `SHOUHU_LOGIN_FREE_FAILURES` (5) in a row that pair waits
/// `SHOUHU_LOGIN_DELAY_SECONDS` (1), doubling with each further failure up to
/// `SHOUHU_LOGIN_MAX_DELAY_SECONDS` (900), and is answered 429 with
/// `Retry-After` meanwhile, even with the right password. A success clears
/// the pair; other sources are not affected, so wrong guesses elsewhere never
/// keep a user out. Known and unknown user names get the same answers.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses(
        (status = 200, description = "Tokens", body = TokenResponse),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Wrong user name or password, or a disabled account (one answer for all)", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many failed attempts for this user name from this address, or too many attempts from this address; see Retry-After", body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn login(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Json<LoginRequest>,
) -> Result<HttpResponse, actix_web::Error> {
    let username = body.username.trim();
    let source = source_address(&req, &state.settings.serve.trusted_proxies);
    let subject = throttle_subject(username);
    if let Decision::Limited { retry_after, .. } = state.limiters.login(&subject, &source) {
        return Err(too_many_attempts(retry_after));
    }
    let now = Utc::now();
    let throttle = state.settings.throttle();
    if let Some(until) = state
        .db
        .begin_auth_attempt(ThrottleScope::Login, &subject, &source, &throttle, now)
        .await
        .map_err(ApiError)?
    {
        return Err(too_many_attempts(seconds_until(until, now)));
    }
    // A name no account can have is not worth a query (and NUL bytes upset PostgreSQL).
    let plausible = !username.is_empty() && username.len() <= 64 && !username.chars().any(char::is_control);
    let account = if plausible {
        state.db.account_by_username(username).await.map_err(ApiError)?
    } else {
        None
    };
    // Unknown names are checked against a dummy hash: the answer takes as long.
    let hash = account.as_ref().map_or(dummy_hash(), |a| a.password_hash.as_str());
    let password_ok = verify_password(&body.password, hash);
    match account {
        Some(a) if password_ok && !a.disabled && !a.is_client => {
            state
                .db
                .clear_auth_failures(ThrottleScope::Login, &subject, &source)
                .await
                .map_err(ApiError)?;
            Ok(HttpResponse::Ok().json(issue(&state, &a, None).await?))
        }
        _ => Err(unauthorized("wrong user name or password")),
    }
}

/// A 429 whose body says nothing about the name tried, so that known and
/// unknown names get the same bytes.
fn too_many_attempts(retry_after: u64) -> actix_web::Error {
    let mut response = Problem::new(
        StatusCode::TOO_MANY_REQUESTS,
        "rate-limited",
        "too many attempts; retry after the number of seconds in Retry-After",
    )
    .response();
    if let Ok(v) = actix_web::http::header::HeaderValue::from_str(&retry_after.to_string()) {
        response.headers_mut().insert(actix_web::http::header::RETRY_AFTER, v);
    }
    actix_web::error::InternalError::from_response("rate limited", response).into()
}

/// Issues tokens for a grant (JSON or `application/x-www-form-urlencoded`).
/// `refresh_token`: the refresh token rotates; each works once, and presenting
/// a spent one (also when several requests race with one token: one wins)
/// ends that login, the newest tokens included: its access tokens are refused
/// within `SHOUHU_SESSION_CHECK_SECONDS` (2) on every replica.
/// `client_credentials`: a client system's id and secret (in the body or as
/// HTTP Basic) give an access token, without a refresh token; wrong secrets
/// are throttled per client id and source address like failed logins.
#[utoipa::path(post, path = "/api/v1/auth/token", tag = "auth",
    request_body(content = TokenRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "New tokens", body = TokenResponse),
        (status = 400, description = "Unsupported grant or missing token", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Unknown, spent, revoked or expired refresh token; unknown client or wrong secret; disabled account", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many wrong secrets for this client id from this address, or too many attempts; see Retry-After", body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
    ))]
pub async fn token(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, actix_web::Error> {
    let is_form = req
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    let parsed: Result<TokenRequest, String> = if is_form {
        serde_urlencoded_from(&body)
    } else {
        serde_json::from_slice(&body).map_err(|e| e.to_string())
    };
    let request = parsed.map_err(|e| crate::error::bad_request(format!("malformed token request: {e}")))?;
    match request.grant_type.as_str() {
        "refresh_token" => refresh_grant(&state, request).await,
        "client_credentials" => client_grant(&state, &req, request).await,
        _ => Err(unsupported_grant()),
    }
}

fn serde_urlencoded_from(body: &[u8]) -> Result<TokenRequest, String> {
    let text = std::str::from_utf8(body).map_err(|e| e.to_string())?;
    let pairs = web::Query::<Vec<(String, String)>>::from_query(text)
        .map_err(|e| e.to_string())?
        .into_inner();
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    Ok(TokenRequest {
        grant_type: get("grant_type").ok_or("grant_type is required")?,
        refresh_token: get("refresh_token"),
        client_id: get("client_id"),
        client_secret: get("client_secret"),
    })
}

/// Client credentials from HTTP Basic authentication, if sent.
fn basic_credentials(req: &HttpRequest) -> Option<(String, String)> {
    let value = req.headers().get("authorization")?.to_str().ok()?;
    let encoded = value.strip_prefix("Basic ").or_else(|| value.strip_prefix("basic "))?;
    let decoded = base64::engine::general_purpose::STANDARD.decode(encoded.trim()).ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (id, secret) = text.split_once(':')?;
    Some((id.to_owned(), secret.to_owned()))
}

fn unsupported_grant() -> actix_web::Error {
    problem_error(
        Problem::new(
            StatusCode::BAD_REQUEST,
            "unsupported-grant-type",
            "grant_type must be refresh_token or client_credentials",
        )
        .with_fields(vec![shouhu_domain::FieldError::new(
            "grant_type",
            "unsupported",
            "supported: refresh_token, client_credentials",
        )]),
    )
}

async fn refresh_grant(state: &AppState, request: TokenRequest) -> Result<HttpResponse, actix_web::Error> {
    let Some(token) = request.refresh_token.filter(|t| !t.is_empty()) else {
        return Err(crate::error::bad_request("refresh_token is required"));
    };
    let spent = state
        .db
        .spend_refresh_token(&refresh_hash(&token), Utc::now())
        .await
        .map_err(ApiError)?;
    let Some((account_id, family)) = spent else {
        return Err(unauthorized("the refresh token is unknown, spent, revoked or expired"));
    };
    match state.db.account(account_id).await.map_err(ApiError)? {
        Some(a) if !a.disabled => Ok(HttpResponse::Ok().json(issue(state, &a, Some(family)).await?)),
        _ => Err(unauthorized("the account is disabled")),
    }
}

async fn client_grant(
    state: &AppState,
    req: &HttpRequest,
    request: TokenRequest,
) -> Result<HttpResponse, actix_web::Error> {
    let (id, secret) = match (request.client_id, request.client_secret) {
        (Some(id), Some(secret)) => (id, secret),
        _ => basic_credentials(req)
            .ok_or_else(|| crate::error::bad_request("client_id and client_secret are required"))?,
    };
    let source = source_address(req, &state.settings.serve.trusted_proxies);
    let subject = throttle_subject(&id);
    if let Decision::Limited { retry_after, .. } = state.limiters.login(&format!("client:{subject}"), &source) {
        return Err(too_many_attempts(retry_after));
    }
    let now = Utc::now();
    let throttle = state.settings.throttle();
    if let Some(until) = state
        .db
        .begin_auth_attempt(ThrottleScope::Client, &subject, &source, &throttle, now)
        .await
        .map_err(ApiError)?
    {
        return Err(too_many_attempts(seconds_until(until, now)));
    }
    let plausible =
        id.starts_with("cl_") && id.len() <= 64 && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    let account = if plausible {
        state.db.account_by_username(&id).await.map_err(ApiError)?
    } else {
        None
    };
    let hash = account.as_ref().map_or(dummy_hash(), |a| a.password_hash.as_str());
    let secret_ok = verify_password(&secret, hash);
    match account {
        Some(a) if secret_ok && a.is_client && !a.disabled => {
            state
                .db
                .clear_auth_failures(ThrottleScope::Client, &subject, &source)
                .await
                .map_err(ApiError)?;
            state.keys.reload().await.map_err(ApiError)?;
            // Each grant is a session of its own, so that disabling the client ends it.
            let session = Uuid::now_v7();
            state
                .db
                .insert_session(session, a.id, SessionKind::Client, now)
                .await
                .map_err(ApiError)?;
            let ttl = state.settings.serve.access_token_ttl;
            let access_token = state.keys.issue(&a, session, ttl).map_err(ApiError)?;
            Ok(HttpResponse::Ok().json(TokenResponse {
                access_token,
                token_type: "Bearer".to_owned(),
                expires_in: ttl,
                refresh_token: None,
            }))
        }
        _ => Err(unauthorized("unknown client or wrong secret")),
    }
}

/// Ends the login a refresh token belongs to: its refresh tokens are refused
/// at once, its access tokens within `SHOUHU_SESSION_CHECK_SECONDS` (2) on
/// every replica.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", request_body = LogoutRequest,
    responses(
        (status = 204, description = "Ended (also when the token was unknown)"),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn logout(
    state: web::Data<AppState>,
    body: web::Json<LogoutRequest>,
) -> Result<HttpResponse, actix_web::Error> {
    state
        .db
        .revoke_refresh_family(&refresh_hash(&body.refresh_token), Utc::now())
        .await
        .map_err(ApiError)?;
    Ok(HttpResponse::NoContent().finish())
}

/// The public keys that verify access tokens (JWKS).
#[utoipa::path(get, path = "/.well-known/jwks.json", tag = "auth",
    responses((status = 200, description = "JSON Web Key Set", body = Object)))]
pub async fn jwks(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok().json(state.keys.jwks())
}
