//! Login, token refresh, logout and the public keys.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};
use base64::Engine;
use chrono::{Duration, Utc};
use serde::{Deserialize, Serialize};

use shouhu_domain::account::Account;
use shouhu_domain::ports::AccountStore;
use shouhu_domain::{Message, msg};
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
    /// Absent for client credentials (never null).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = String, required = false)]
    pub refresh_token: Option<String>,
}

/// A token request (RFC 6749 §4.4 client credentials, §6 refresh), sent as
/// `application/x-www-form-urlencoded` (or as a JSON object of strings).
#[derive(Debug, ToSchema)]
#[schema(example = json!({"grant_type": "client_credentials", "client_id": "cl_019ac4f27b1e7cc09a513f0e6d1b2c4d", "client_secret": "…"}))]
pub struct TokenRequest {
    /// `client_credentials` or `refresh_token`.
    #[schema(example = "client_credentials")]
    pub grant_type: String,
    /// The refresh token, for `grant_type=refresh_token`.
    #[schema(value_type = String, required = false)]
    pub refresh_token: Option<String>,
    /// The client id (`client_secret_post`); leave it out when sending HTTP Basic (`client_secret_basic`).
    #[schema(value_type = String, required = false)]
    pub client_id: Option<String>,
    /// The client secret (`client_secret_post`); never together with HTTP Basic.
    #[schema(value_type = String, required = false)]
    pub client_secret: Option<String>,
    /// This server defines no scopes: leave it out.
    #[schema(value_type = String, required = false)]
    pub scope: Option<String>,
}

/// An OAuth 2.0 error (RFC 6749 §5.2).
#[derive(Debug, Serialize, ToSchema)]
pub struct OAuthError {
    /// `invalid_request`, `invalid_client`, `invalid_grant`, `unauthorized_client`,
    /// `unsupported_grant_type` or `invalid_scope`.
    #[schema(example = "invalid_grant")]
    pub error: String,
    /// What went wrong, for people.
    #[schema(example = "the refresh token is unknown, spent, revoked or expired")]
    pub error_description: String,
}

/// A logout request.
#[derive(Debug, Deserialize, ToSchema)]
pub struct LogoutRequest {
    /// The refresh token to revoke (with every token issued from the same login).
    pub refresh_token: String,
}

fn unauthorized(detail: shouhu_domain::Message) -> actix_web::Error {
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

/// Logs in with a user name and password.
///
/// Failed attempts are counted per user name and source address (on every replica): after
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
    // A name no account can have is not worth a query (and NUL bytes upset PostgreSQL).
    let plausible = !username.is_empty() && username.len() <= 64 && !username.chars().any(char::is_control);
    let checked = check_credentials(
        &state,
        &req,
        ThrottleScope::Login,
        username,
        plausible,
        &body.password,
        |a| !a.is_client,
    )
    .await
    .map_err(ApiError)?;
    match checked {
        Checked::Valid(a) => Ok(HttpResponse::Ok().json(issue(&state, &a, None).await?)),
        Checked::Wait(seconds) => Err(too_many_attempts(seconds)),
        Checked::Refused => Err(unauthorized(shouhu_domain::msg!("auth.wrong_password"))),
    }
}

/// What a throttled check of a name and secret found.
enum Checked {
    /// The secret is right and the account enabled and of the right kind.
    Valid(Account),
    /// Wrong name, wrong secret, disabled or of the wrong kind: one answer for all.
    Refused,
    /// This name from this source address must wait so many seconds.
    Wait(u64),
}

/// Checks `secret` for the account named `name`, counting the attempt per
/// name and source address (per replica, and in the database for every
/// replica); a success forgets the failures. Unknown and implausible names are
/// checked against a dummy hash, so every answer takes as long.
async fn check_credentials(
    state: &AppState,
    req: &HttpRequest,
    scope: ThrottleScope,
    name: &str,
    plausible: bool,
    secret: &str,
    of_kind: impl Fn(&Account) -> bool,
) -> Result<Checked, shouhu_domain::Error> {
    let checked = check_credentials_once(state, req, scope, name, plausible, secret, of_kind).await?;
    state.metrics.login(match checked {
        Checked::Valid(_) => "ok",
        Checked::Refused => "refused",
        Checked::Wait(_) => "locked",
    });
    Ok(checked)
}

async fn check_credentials_once(
    state: &AppState,
    req: &HttpRequest,
    scope: ThrottleScope,
    name: &str,
    plausible: bool,
    secret: &str,
    of_kind: impl Fn(&Account) -> bool,
) -> Result<Checked, shouhu_domain::Error> {
    let source = source_address(req, &state.settings.serve.trusted_proxies);
    let subject = throttle_subject(name);
    let limiter_key = match scope {
        ThrottleScope::Client => format!("client:{subject}"),
        ThrottleScope::Login => subject.clone(),
    };
    if let Decision::Limited { retry_after, .. } = state.limiters.login(&limiter_key, &source) {
        return Ok(Checked::Wait(retry_after));
    }
    let now = Utc::now();
    let throttle = state.settings.throttle();
    if let Some(until) = state
        .db
        .begin_auth_attempt(scope, &subject, &source, &throttle, now)
        .await?
    {
        return Ok(Checked::Wait(seconds_until(until, now)));
    }
    let account = if plausible {
        state.db.account_by_username(name).await?
    } else {
        None
    };
    let hash = account.as_ref().map_or(dummy_hash(), |a| a.password_hash.as_str());
    let secret_ok = verify_password(secret, hash);
    match account {
        Some(a) if secret_ok && !a.disabled && of_kind(&a) => {
            state.db.clear_auth_failures(scope, &subject, &source).await?;
            Ok(Checked::Valid(a))
        }
        _ => Ok(Checked::Refused),
    }
}

/// A 429 whose body says nothing about the name tried, so that known and
/// unknown names get the same bytes.
fn too_many_attempts(retry_after: u64) -> actix_web::Error {
    let mut response = Problem::new(
        StatusCode::TOO_MANY_REQUESTS,
        "rate-limited",
        shouhu_domain::msg!("auth.too_many_attempts"),
    )
    .response();
    if let Ok(v) = actix_web::http::header::HeaderValue::from_str(&retry_after.to_string()) {
        response.headers_mut().insert(actix_web::http::header::RETRY_AFTER, v);
    }
    actix_web::error::InternalError::from_response("rate limited", response).into()
}

/// The largest token request body read.
const TOKEN_BODY_LIMIT: usize = 16 * 1024;

/// The parameters this endpoint knows; any other is ignored (RFC 6749 §3.2).
const TOKEN_PARAMS: [&str; 5] = ["grant_type", "refresh_token", "client_id", "client_secret", "scope"];

/// Why a token request gets no token.
enum Refusal {
    /// An OAuth 2.0 error (RFC 6749 §5.2), with the seconds to wait on a 429.
    OAuth {
        status: StatusCode,
        error: &'static str,
        description: String,
        retry_after: Option<u64>,
    },
    /// A failure of the server's, answered as a problem.
    Internal(actix_web::Error),
}

impl Refusal {
    /// The response. A 401 challenges for HTTP Basic, the client
    /// authentication this endpoint takes in a header.
    fn response(self) -> HttpResponse {
        let (status, error, description, retry_after) = match self {
            Self::OAuth {
                status,
                error,
                description,
                retry_after,
            } => (status, error, description, retry_after),
            Self::Internal(e) => return e.error_response(),
        };
        let mut res = HttpResponse::build(status);
        if status == StatusCode::UNAUTHORIZED {
            res.insert_header((
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Basic realm=\"shouhu\""),
            ));
        }
        if let Some(seconds) = retry_after {
            res.insert_header((header::RETRY_AFTER, seconds));
        }
        res.json(OAuthError {
            error: error.to_owned(),
            error_description: description,
        })
    }
}

fn oauth_error(status: StatusCode, error: &'static str, description: Message) -> Refusal {
    Refusal::OAuth {
        status,
        error,
        description: crate::i18n::render(&description),
        retry_after: None,
    }
}

fn invalid_request(description: Message) -> Refusal {
    oauth_error(StatusCode::BAD_REQUEST, "invalid_request", description)
}

fn invalid_client(description: Message) -> Refusal {
    oauth_error(StatusCode::UNAUTHORIZED, "invalid_client", description)
}

fn invalid_scope() -> Refusal {
    oauth_error(StatusCode::BAD_REQUEST, "invalid_scope", msg!("oauth.no_scopes"))
}

/// A throttled client: 429 with `Retry-After`, as an OAuth error whose body
/// says nothing about the client id tried.
fn client_throttled(retry_after: u64) -> Refusal {
    Refusal::OAuth {
        status: StatusCode::TOO_MANY_REQUESTS,
        error: "invalid_client",
        description: crate::i18n::render(&msg!("auth.too_many_attempts")),
        retry_after: Some(retry_after),
    }
}

fn internal(e: shouhu_domain::Error) -> Refusal {
    Refusal::Internal(ApiError(e).into())
}

/// Issues tokens for a client system or in exchange for a refresh token.
///
/// RFC 6749 §4.4 (`grant_type=client_credentials`) and §6
/// (`grant_type=refresh_token`), with the parameters as
/// `application/x-www-form-urlencoded` (a JSON object of strings is taken too).
///
/// `client_credentials`: a client system (see `shouhu client add`)
/// authenticates with HTTP Basic (`client_secret_basic`: the id and the secret,
/// each form-urlencoded) or with `client_id` and `client_secret` in the body
/// (`client_secret_post`), never both, and gets an access token without a
/// refresh token. Wrong secrets are throttled per client id and source address
/// like failed logins: a throttled client is answered 429 with `Retry-After`
/// and an `invalid_client` error, even with the right secret.
///
/// `refresh_token`: the refresh token of a login rotates; each works once, and
/// presenting a spent one (also when several requests race with one token: one
/// wins) ends that login, the newest tokens included: its access tokens are
/// refused within `SHOUHU_SESSION_CHECK_SECONDS` (2) on every replica. A client
/// system that authenticates here is `unauthorized_client`: it has no refresh
/// tokens.
///
/// Errors are RFC 6749 §5.2 objects (`{"error", "error_description"}`), and
/// every answer, token or error, carries `Cache-Control: no-store` and
/// `Pragma: no-cache`. The server defines no scopes: a `scope` is
/// `invalid_scope`.
#[utoipa::path(post, path = "/api/v1/auth/token", tag = "auth", operation_id = "issue_token",
    request_body(content(
        (TokenRequest = "application/x-www-form-urlencoded"),
        (TokenRequest = "application/json"),
    )),
    responses(
        (status = 200, description = "New tokens", body = TokenResponse,
            headers(("Cache-Control" = String, description = "no-store"), ("Pragma" = String, description = "no-cache"))),
        (status = 400, description = "`invalid_request` (a missing or repeated parameter, a body that is neither a form nor a JSON object, two client authentication methods), \
`invalid_grant` (an unknown, spent, revoked or expired refresh token, or a disabled account), `unauthorized_client` (a client system asking to refresh), \
`unsupported_grant_type` or `invalid_scope`", body = OAuthError),
        (status = 401, description = "`invalid_client`: no client authentication, an unknown client, a wrong secret or a disabled client (one answer for all)", body = OAuthError,
            headers(("WWW-Authenticate" = String, description = "Basic realm=\"shouhu\""))),
        (status = 413, description = "`invalid_request`: a body over 16 KiB", body = OAuthError),
        (status = 429, description = "`invalid_client`: too many wrong secrets for this client id from this address, or too many attempts; see Retry-After", body = OAuthError,
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
    ))]
pub async fn token(state: web::Data<AppState>, req: HttpRequest, payload: web::Payload) -> HttpResponse {
    let mut res = token_reply(&state, &req, payload)
        .await
        .unwrap_or_else(Refusal::response);
    // RFC 6749 §5.1: no cache may keep a token response, nor an error.
    let headers = res.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    res
}

async fn token_reply(state: &AppState, req: &HttpRequest, payload: web::Payload) -> Result<HttpResponse, Refusal> {
    let body = read_body(payload).await?;
    let params = TokenParams::parse(req, &body)?;
    let auth = ClientAuth::of(req, &params)?;
    match params.get("grant_type") {
        None => Err(invalid_request(msg!("oauth.grant_type_required"))),
        Some("client_credentials") => client_grant(state, req, &params, auth).await,
        Some("refresh_token") => refresh_grant(state, req, &params, auth).await,
        Some(_) => Err(oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            msg!("oauth.unsupported_grant_type"),
        )),
    }
}

async fn read_body(mut payload: web::Payload) -> Result<web::BytesMut, Refusal> {
    use futures::StreamExt;
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|_| invalid_request(msg!("problem.unreadable_body")))?;
        if body.len() + chunk.len() > TOKEN_BODY_LIMIT {
            return Err(oauth_error(
                StatusCode::PAYLOAD_TOO_LARGE,
                "invalid_request",
                msg!("oauth.too_large"),
            ));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// The known parameters of a token request, each at most once; an empty one
/// counts as absent (RFC 6749 §3.2).
struct TokenParams(Vec<(&'static str, String)>);

impl TokenParams {
    fn parse(req: &HttpRequest, body: &[u8]) -> Result<Self, Refusal> {
        let mime = req.headers().get(header::CONTENT_TYPE).map(|v| {
            v.to_str()
                .unwrap_or("")
                .split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        });
        let pairs: Vec<(String, String)> = match mime.as_deref() {
            Some("application/x-www-form-urlencoded") => {
                if std::str::from_utf8(body).is_err() {
                    return Err(invalid_request(msg!("oauth.not_utf8")));
                }
                form_urlencoded::parse(body).into_owned().collect()
            }
            Some(m) if m == "application/json" || m.ends_with("+json") => {
                let object: serde_json::Map<String, serde_json::Value> =
                    serde_json::from_slice(body).map_err(|_| invalid_request(msg!("oauth.not_an_object")))?;
                let mut pairs = Vec::new();
                for (name, value) in object {
                    match value {
                        serde_json::Value::String(v) => pairs.push((name, v)),
                        serde_json::Value::Null => {}
                        _ if TOKEN_PARAMS.contains(&name.as_str()) => {
                            return Err(invalid_request(msg!("oauth.not_a_string", name = name)));
                        }
                        _ => {}
                    }
                }
                pairs
            }
            None if body.is_empty() => Vec::new(),
            _ => {
                return Err(invalid_request(msg!("oauth.unsupported_media_type")));
            }
        };
        let mut known: Vec<(&'static str, String)> = Vec::new();
        for (name, value) in pairs {
            let Some(&name) = TOKEN_PARAMS.iter().find(|p| **p == name) else {
                continue;
            };
            if value.is_empty() {
                continue;
            }
            if known.iter().any(|(n, _)| *n == name) {
                return Err(invalid_request(msg!("oauth.repeated", name = name)));
            }
            known.push((name, value));
        }
        Ok(Self(known))
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().find(|(n, _)| *n == name).map(|(_, v)| v.as_str())
    }
}

/// How a token request authenticates its client (RFC 6749 §2.3.1).
enum ClientAuth {
    /// No client authentication (a bare `client_id` is no authentication).
    None,
    /// `client_secret_basic` or `client_secret_post`: an id and a secret.
    Secret { id: String, secret: String },
}

impl ClientAuth {
    fn of(req: &HttpRequest, params: &TokenParams) -> Result<Self, Refusal> {
        // Other schemes (a Bearer token sent along) are not client authentication.
        let basic = match req.headers().get(header::AUTHORIZATION) {
            Some(value) => match value.to_str().unwrap_or("").split_once(' ') {
                Some((scheme, credentials)) if scheme.eq_ignore_ascii_case("basic") => {
                    Some(decode_basic(credentials).ok_or_else(|| invalid_client(msg!("oauth.malformed_basic")))?)
                }
                _ => None,
            },
            None => None,
        };
        match (basic, params.get("client_id"), params.get("client_secret")) {
            (Some(_), _, Some(_)) => Err(invalid_request(msg!("oauth.two_methods"))),
            (Some((basic_id, _)), Some(id), None) if id != basic_id => {
                Err(invalid_request(msg!("oauth.client_id_differs")))
            }
            (Some((id, secret)), _, None) => Ok(Self::Secret { id, secret }),
            (None, Some(id), Some(secret)) => Ok(Self::Secret {
                id: id.to_owned(),
                secret: secret.to_owned(),
            }),
            (None, None, Some(_)) => Err(invalid_request(msg!("oauth.secret_without_id"))),
            (None, _, None) => Ok(Self::None),
        }
    }
}

/// HTTP Basic client credentials: base64 of the form-urlencoded id, `:`, and
/// the form-urlencoded secret (RFC 6749 §2.3.1).
fn decode_basic(credentials: &str) -> Option<(String, String)> {
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(credentials.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (id, secret) = text.split_once(':')?;
    let unescape = |s: &str| {
        percent_encoding::percent_decode_str(&s.replace('+', " "))
            .decode_utf8()
            .ok()
            .map(|s| s.into_owned())
    };
    Some((unescape(id)?, unescape(secret)?))
}

/// Checks a client's id and secret, throttled per client id and source
/// address like logins; known and unknown ids get the same answers.
async fn authenticate_client(state: &AppState, req: &HttpRequest, id: &str, secret: &str) -> Result<Account, Refusal> {
    let plausible =
        id.starts_with("cl_") && id.len() <= 64 && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    let checked = check_credentials(state, req, ThrottleScope::Client, id, plausible, secret, |a| {
        a.is_client
    })
    .await
    .map_err(internal)?;
    match checked {
        Checked::Valid(a) => Ok(a),
        Checked::Wait(seconds) => Err(client_throttled(seconds)),
        Checked::Refused => Err(invalid_client(msg!("oauth.wrong_secret"))),
    }
}

async fn client_grant(
    state: &AppState,
    req: &HttpRequest,
    params: &TokenParams,
    auth: ClientAuth,
) -> Result<HttpResponse, Refusal> {
    let ClientAuth::Secret { id, secret } = auth else {
        return Err(invalid_client(msg!("oauth.client_authentication_required")));
    };
    let account = authenticate_client(state, req, &id, &secret).await?;
    if params.get("scope").is_some() {
        return Err(invalid_scope());
    }
    state.keys.reload().await.map_err(internal)?;
    // Each grant is a session of its own, so that disabling the client ends it.
    let session = Uuid::now_v7();
    state
        .db
        .insert_session(session, account.id, SessionKind::Client, Utc::now())
        .await
        .map_err(internal)?;
    let ttl = state.settings.serve.access_token_ttl;
    let access_token = state.keys.issue(&account, session, ttl).map_err(internal)?;
    Ok(HttpResponse::Ok().json(TokenResponse {
        access_token,
        token_type: "Bearer".to_owned(),
        expires_in: ttl,
        refresh_token: None,
    }))
}

async fn refresh_grant(
    state: &AppState,
    req: &HttpRequest,
    params: &TokenParams,
    auth: ClientAuth,
) -> Result<HttpResponse, Refusal> {
    if let ClientAuth::Secret { id, secret } = auth {
        authenticate_client(state, req, &id, &secret).await?;
        return Err(oauth_error(
            StatusCode::BAD_REQUEST,
            "unauthorized_client",
            msg!("oauth.no_refresh_for_clients"),
        ));
    }
    let Some(token) = params.get("refresh_token") else {
        return Err(invalid_request(msg!("oauth.refresh_token_required")));
    };
    // Checked before the token is spent, so that a refused request costs nothing.
    if params.get("scope").is_some() {
        return Err(invalid_scope());
    }
    let spent = state
        .db
        .spend_refresh_token(&refresh_hash(token), Utc::now())
        .await
        .map_err(internal)?;
    let invalid_grant = |d: Message| oauth_error(StatusCode::BAD_REQUEST, "invalid_grant", d);
    let Some((account_id, family)) = spent else {
        return Err(invalid_grant(msg!("oauth.invalid_refresh_token")));
    };
    match state.db.account(account_id).await.map_err(internal)? {
        Some(a) if !a.disabled => {
            let tokens = issue(state, &a, Some(family)).await.map_err(Refusal::Internal)?;
            Ok(HttpResponse::Ok().json(tokens))
        }
        _ => Err(invalid_grant(msg!("oauth.account_disabled"))),
    }
}

/// OAuth 2.0 authorization server metadata (RFC 8414).
#[derive(Debug, Serialize, ToSchema)]
pub struct ServerMetadata {
    /// The issuer identifier: the server's base URL.
    #[schema(example = "https://shouhu.example.gov.cn")]
    pub issuer: String,
    /// The token endpoint.
    #[schema(example = "https://shouhu.example.gov.cn/api/v1/auth/token")]
    pub token_endpoint: String,
    /// The public keys that verify access tokens.
    #[schema(example = "https://shouhu.example.gov.cn/.well-known/jwks.json")]
    pub jwks_uri: String,
    /// `client_credentials` and `refresh_token`.
    pub grant_types_supported: Vec<String>,
    /// `client_secret_basic` and `client_secret_post`.
    pub token_endpoint_auth_methods_supported: Vec<String>,
    /// Empty: there is no authorization endpoint, so no response type.
    pub response_types_supported: Vec<String>,
    /// The scopes: none.
    pub scopes_supported: Vec<String>,
    /// The API's documentation (Swagger UI).
    pub service_documentation: String,
}

/// OAuth 2.0 authorization server metadata (RFC 8414).
///
/// For OAuth client libraries that discover the token endpoint. No token needed. The URLs are
/// absolute, on `SHOUHU_PUBLIC_URL` when set, otherwise on the request's
/// `Host` (and, from a proxy in `SHOUHU_TRUSTED_PROXIES`, its
/// `X-Forwarded-Proto` and `X-Forwarded-Host`).
#[utoipa::path(get, path = "/.well-known/oauth-authorization-server", tag = "auth", operation_id = "get_oauth_metadata",
    responses((status = 200, description = "Authorization server metadata", body = ServerMetadata)))]
pub async fn oauth_metadata(state: web::Data<AppState>, req: HttpRequest) -> HttpResponse {
    let base = base_url(&req, &state.settings.serve);
    let strings = |items: &[&str]| items.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
    HttpResponse::Ok().json(ServerMetadata {
        token_endpoint: format!("{base}/api/v1/auth/token"),
        jwks_uri: format!("{base}/.well-known/jwks.json"),
        service_documentation: format!("{base}/docs/"),
        grant_types_supported: strings(&["client_credentials", "refresh_token"]),
        token_endpoint_auth_methods_supported: strings(&["client_secret_basic", "client_secret_post"]),
        response_types_supported: Vec::new(),
        scopes_supported: Vec::new(),
        issuer: base,
    })
}

/// The server's base URL, as its clients see it.
fn base_url(req: &HttpRequest, serve: &crate::config::ServeArgs) -> String {
    if let Some(url) = &serve.public_url {
        return url.clone();
    }
    let from_proxy = req
        .peer_addr()
        .is_some_and(|a| serve.trusted_proxies.iter().any(|r| r.contains(a.ip().to_canonical())));
    let (scheme, host) = if from_proxy {
        let info = req.connection_info();
        (info.scheme().to_owned(), info.host().to_owned())
    } else {
        let host = req
            .headers()
            .get(header::HOST)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
            .or_else(|| req.uri().authority().map(|a| a.to_string()))
            .unwrap_or_default();
        ("http".to_owned(), host)
    };
    let scheme = if scheme.eq_ignore_ascii_case("https") {
        "https"
    } else {
        "http"
    };
    let sane = !host.is_empty()
        && host.len() <= 255
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-.:[]_".contains(&b));
    let host = if sane { host } else { serve.bind.clone() };
    format!("{scheme}://{host}")
}

/// Ends the login a refresh token belongs to.
///
/// Its refresh tokens are refused at once, its access tokens within
/// `SHOUHU_SESSION_CHECK_SECONDS` (2) on every replica. An unknown, spent or
/// revoked refresh token answers 204 as well: the answer says nothing about it.
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
///
/// Ed25519 keys (`OKP`, RFC 8037), the one that signs new tokens first, each
/// named by the `kid` a token's header carries. No token needed.
#[utoipa::path(get, path = "/.well-known/jwks.json", tag = "auth", operation_id = "get_jwks",
    responses((status = 200, description = "JSON Web Key Set", body = Object)))]
pub async fn jwks(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok().json(state.keys.jwks())
}

/// Mounts the token endpoints and the key set, with their OpenAPI entries.
pub fn routes(routes: &mut crate::rest::Routes) {
    crate::rest::mount!(routes; login, token, logout, jwks, oauth_metadata);
}
