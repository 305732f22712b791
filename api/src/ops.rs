//! Operations: request ids, one log line per request, Prometheus metrics,
//! health and readiness.

use std::time::{Duration, Instant};

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, HttpResponse, web};
use prometheus::{
    Encoder, Histogram, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, IntGaugeVec, Opts, Registry,
    TextEncoder,
};

use crate::app::AppState;
use crate::auth;
use crate::error::Problem;
use crate::limits::Decision;
use shouhu_domain::msg;

/// The request id header: the server's id of the request, on every response.
pub const REQUEST_ID: &str = "x-request-id";

/// The header that echoes the client's own sane `X-Request-Id` back.
pub const CLIENT_REQUEST_ID: &str = "x-client-request-id";

/// The ids of the request being served: the server's own, and the client's
/// `X-Request-Id` when it sent a sane one.
#[derive(Debug, Clone, Default)]
pub struct RequestId {
    /// The server's id (a UUID v7): the one the trail and the log go by.
    pub server: String,
    /// The client's `X-Request-Id`, kept beside the server's.
    pub client: Option<String>,
}

/// The server's metrics, in a registry of its own (no global state). Each
/// replica counts its own; Prometheus sums them.
#[derive(Clone)]
pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    in_flight: IntGauge,
    queries: IntCounter,
    query_errors: IntCounter,
    query_latency: Histogram,
    pool: IntGaugeVec,
    graphql: IntCounterVec,
    graphql_names: std::sync::Arc<std::sync::Mutex<std::collections::HashSet<String>>>,
    logins: IntCounterVec,
}

/// Most distinct GraphQL operation names counted by name; later names count
/// as `other`, so that clients cannot grow the metrics without bound.
const MAX_OPERATION_NAMES: usize = 200;

impl Metrics {
    /// Registers the metrics.
    pub fn new() -> Result<Self, prometheus::Error> {
        let registry = Registry::new();
        let requests = IntCounterVec::new(
            Opts::new(
                "shouhu_http_requests_total",
                "HTTP requests by route pattern, method and status",
            ),
            &["method", "route", "status"],
        )?;
        let latency = HistogramVec::new(
            HistogramOpts::new(
                "shouhu_http_request_duration_seconds",
                "HTTP request latency by route pattern",
            ),
            &["method", "route"],
        )?;
        let in_flight = IntGauge::new("shouhu_http_requests_in_flight", "HTTP requests being served")?;
        let queries = IntCounter::new("shouhu_db_queries_total", "SQL statements executed")?;
        let query_errors = IntCounter::new("shouhu_db_query_errors_total", "SQL statements that failed")?;
        let query_latency = Histogram::with_opts(
            HistogramOpts::new("shouhu_db_query_duration_seconds", "SQL statement latency").buckets(vec![
                0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
            ]),
        )?;
        let pool = IntGaugeVec::new(
            Opts::new(
                "shouhu_db_pool_connections",
                "Database pool connections: the most it opens (max), open now (size), serving a statement (in_use), idle",
            ),
            &["state"],
        )?;
        let graphql = IntCounterVec::new(
            Opts::new(
                "shouhu_graphql_operations_total",
                "GraphQL operations by operation name (anonymous, or other past the first names seen) and outcome \
                 (ok, or the first error's extensions.code)",
            ),
            &["operation", "code"],
        )?;
        let logins = IntCounterVec::new(
            Opts::new(
                "shouhu_logins_total",
                "Sign-ins (password logins and client credentials) by outcome: ok, refused, locked (throttled)",
            ),
            &["outcome"],
        )?;
        let build = IntGaugeVec::new(
            Opts::new("shouhu_build_info", "The running build: its version (always 1)"),
            &["version"],
        )?;
        build.with_label_values(&[env!("CARGO_PKG_VERSION")]).set(1);
        for metric in [
            Box::new(requests.clone()) as Box<dyn prometheus::core::Collector>,
            Box::new(latency.clone()),
            Box::new(in_flight.clone()),
            Box::new(queries.clone()),
            Box::new(query_errors.clone()),
            Box::new(query_latency.clone()),
            Box::new(pool.clone()),
            Box::new(graphql.clone()),
            Box::new(logins.clone()),
            Box::new(build),
            Box::new(crate::pool_waits::histogram()?),
        ] {
            registry.register(metric)?;
        }
        #[cfg(target_os = "linux")]
        registry.register(Box::new(prometheus::process_collector::ProcessCollector::for_self()))?;
        Ok(Self {
            registry,
            requests,
            latency,
            in_flight,
            queries,
            query_errors,
            query_latency,
            pool,
            graphql,
            graphql_names: Default::default(),
            logins,
        })
    }

    /// How many requests are being served now, on every worker.
    pub fn requests_in_flight(&self) -> i64 {
        self.in_flight.get()
    }

    /// Counts one SQL statement and its latency.
    pub fn query_done(&self, elapsed: Duration, failed: bool) {
        self.queries.inc();
        self.query_latency.observe(elapsed.as_secs_f64());
        if failed {
            self.query_errors.inc();
        }
    }

    /// Counts one GraphQL operation by name and outcome (`ok` or an error code).
    pub fn graphql_operation(&self, name: Option<&str>, code: &str) {
        let name = match name {
            None => "anonymous".to_owned(),
            Some(n) if n.len() <= 64 && n.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') => {
                let mut names = self
                    .graphql_names
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                if names.contains(n) || names.len() < MAX_OPERATION_NAMES {
                    names.insert(n.to_owned());
                    n.to_owned()
                } else {
                    "other".to_owned()
                }
            }
            Some(_) => "other".to_owned(),
        };
        self.graphql.with_label_values(&[&name, code]).inc();
    }

    /// Counts one sign-in by outcome: `ok`, `refused` or `locked`.
    pub fn login(&self, outcome: &str) {
        self.logins.with_label_values(&[outcome]).inc();
    }

    fn render(&self, db: &shouhu_persistence::Db) -> String {
        let pool = db.pool_status();
        for (state, value) in [
            ("max", pool.max),
            ("size", pool.size),
            ("in_use", pool.size.saturating_sub(pool.idle)),
            ("idle", pool.idle),
        ] {
            self.pool.with_label_values(&[state]).set(i64::from(value));
        }
        let mut buf = Vec::new();
        if let Err(e) = TextEncoder::new().encode(&self.registry.gather(), &mut buf) {
            tracing::error!(error = %e, "encoding metrics");
        }
        String::from_utf8(buf).unwrap_or_default()
    }
}

/// The client's `X-Request-Id`, if sane: 1 to 128 printable ASCII characters.
fn client_request_id(req: &ServiceRequest) -> Option<String> {
    req.headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty() && v.len() <= 128 && v.bytes().all(|b| b.is_ascii_graphic()))
        .map(str::to_owned)
}

/// Gives each request an id of the server's own, always (a client cannot choose
/// the id the trail and the log go by), and keeps the client's `X-Request-Id`,
/// if sane, beside it; verifies the bearer token once, and on the way out sets
/// `X-Request-Id` (and `X-Client-Request-Id`), logs one line and counts it. A
/// 500 leaves with the request id only, never internals.
pub async fn observe(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let request_id = uuid::Uuid::now_v7().to_string();
    let client_id = client_request_id(&req);
    req.extensions_mut().insert(RequestId {
        server: request_id.clone(),
        client: client_id.clone(),
    });
    let state = req.app_data::<web::Data<AppState>>().cloned();
    if let Some(state) = &state
        && let Some(outcome) = auth::authenticate(state, &req).await
    {
        req.extensions_mut().insert(outcome);
    }
    let method = req.method().to_string();
    let path = req.path().to_owned();
    let route = req.match_pattern().unwrap_or_else(|| "unmatched".to_owned());
    let (subject, role) = match req.extensions().get::<auth::Authenticated>() {
        Some(auth::Authenticated(Ok(ctx))) => (Some(ctx.subject.clone()), Some(ctx.role.to_string())),
        _ => (None, None),
    };
    // A client system's tokens name it as their subject.
    let client = subject.clone().filter(|s| s.starts_with("cl_"));
    let traceparent = traceparent(&req);
    let _in_flight = state.as_ref().map(|s| InFlight::new(&s.metrics.in_flight));
    let logged_subject = subject.clone();
    // Health, metrics, the documents and the key set never use up a caller's budget.
    let decision = state
        .as_ref()
        .zip(subject)
        .filter(|_| !is_unmetered(&method, &route))
        .and_then(|(s, subject)| s.limiters.request(&subject));
    let res = match decision {
        Some(Decision::Limited { retry_after, .. }) => {
            let detail = shouhu_domain::msg!("problem.rate_limited", seconds = retry_after);
            // A GraphQL client reads errors in GraphQL's shape.
            let mut response = if route == "/graphql" {
                HttpResponse::TooManyRequests().json(serde_json::json!({
                    "data": null,
                    "errors": [{"message": crate::i18n::render(&detail), "extensions": {"code": "RATE_LIMITED", "retryAfter": retry_after}}],
                }))
            } else {
                Problem::new(StatusCode::TOO_MANY_REQUESTS, "rate-limited", detail).response()
            };
            if let Ok(v) = HeaderValue::from_str(&retry_after.to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, v);
            }
            req.into_response(response).map_into_boxed_body()
        }
        _ => next.call(req).await?.map_into_boxed_body(),
    };
    let mut res = if res.status() == StatusCode::INTERNAL_SERVER_ERROR {
        let problem = Problem::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            shouhu_domain::msg!("problem.internal_with_id", request_id = &request_id),
        );
        res.into_response(problem.response()).map_into_boxed_body()
    } else {
        res.map_into_boxed_body()
    };
    if let Ok(v) = HeaderValue::from_str(&request_id) {
        res.headers_mut().insert(HeaderName::from_static(REQUEST_ID), v);
    }
    if let Some(v) = client_id.as_deref().and_then(|c| HeaderValue::from_str(c).ok()) {
        res.headers_mut().insert(HeaderName::from_static(CLIENT_REQUEST_ID), v);
    }
    protective_headers(res.headers_mut());
    rate_limit_headers(&mut res, decision);
    let status = res.status().as_u16();
    let elapsed = started.elapsed();
    if let Some(state) = &state {
        state
            .metrics
            .requests
            .with_label_values(&[&method, &route, &status.to_string()])
            .inc();
        state
            .metrics
            .latency
            .with_label_values(&[&method, &route])
            .observe(elapsed.as_secs_f64());
    }
    tracing::info!(
        request_id = %request_id,
        client_request_id = client_id.as_deref(),
        method = %method,
        route = %route,
        path = %path,
        status,
        subject = logged_subject.as_deref(),
        role = role.as_deref(),
        client = client.as_deref(),
        traceparent = traceparent.as_deref(),
        duration_ms = elapsed.as_secs_f64() * 1000.0,
        "request"
    );
    Ok(res)
}

/// Counts a request in flight for as long as it lives (also when it fails).
struct InFlight(IntGauge);

impl InFlight {
    fn new(gauge: &IntGauge) -> Self {
        gauge.inc();
        Self(gauge.clone())
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.dec();
    }
}

/// The W3C `traceparent` header, when it is well formed
/// (`00-<32 hex>-<16 hex>-<2 hex>`), for the log line.
fn traceparent(req: &ServiceRequest) -> Option<String> {
    let value = req.headers().get("traceparent")?.to_str().ok()?;
    let parts: Vec<&str> = value.split('-').collect();
    let hex = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase());
    (parts.len() == 4 && hex(parts[0], 2) && hex(parts[1], 32) && hex(parts[2], 16) && hex(parts[3], 2))
        .then(|| value.to_owned())
}

/// Routes that never count against a caller's rate limit: health, metrics,
/// the documentation (and GraphiQL's page and files), the key set and the
/// authorization server's metadata.
fn is_unmetered(method: &str, route: &str) -> bool {
    matches!(
        route,
        "/healthz"
            | "/readyz"
            | "/metrics"
            | "/api/openapi.json"
            | "/docs"
            | "/graphql/assets/{name}"
            | "/.well-known/jwks.json"
            | "/.well-known/oauth-authorization-server"
    ) || route.starts_with("/docs/")
        || (route == "/graphql" && matches!(method, "GET" | "HEAD"))
}

/// Headers every response carries: no caching of anything that did not ask for
/// it (responses carry personal data and tokens), no content sniffing, and no
/// framing of the documentation and GraphiQL pages by other sites.
fn protective_headers(headers: &mut actix_web::http::header::HeaderMap) {
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("frame-ancestors 'none'"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
}

/// `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset` (IETF draft),
/// per token subject.
fn rate_limit_headers<B>(res: &mut ServiceResponse<B>, decision: Option<Decision>) {
    let (limit, remaining, reset) = match decision {
        Some(Decision::Allowed { limit, remaining }) => (limit, remaining, 60),
        Some(Decision::Limited { limit, retry_after }) => (limit, 0, retry_after),
        None => return,
    };
    let headers = res.headers_mut();
    for (name, value) in [
        ("ratelimit-limit", u64::from(limit)),
        ("ratelimit-remaining", u64::from(remaining)),
        ("ratelimit-reset", reset),
    ] {
        if let Ok(v) = HeaderValue::from_str(&value.to_string()) {
            headers.insert(HeaderName::from_static(name), v);
        }
    }
}

/// Liveness: 200 while the process lives.
///
/// No token needed and no database call: for a liveness probe. It never
/// counts against a rate limit.
#[utoipa::path(get, path = "/healthz", tag = "operations", operation_id = "get_health",
    responses((status = 200, description = "The process is alive", body = String, example = "ok")))]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().content_type("text/plain").body("ok")
}

/// `/docs` without its slash: the documentation is at `/docs/`.
pub async fn docs_redirect() -> HttpResponse {
    HttpResponse::PermanentRedirect()
        .insert_header((header::LOCATION, "/docs/"))
        .finish()
}

/// Readiness: 200 when the database answers, else 503.
///
/// No token needed: for a readiness probe, which keeps a replica out of
/// service while its database does not answer. It never counts against a rate limit.
#[utoipa::path(get, path = "/readyz", tag = "operations", operation_id = "get_readiness",
    responses((status = 200, description = "The database answers", body = String, example = "ready"),
              (status = 503, description = "The database does not answer", body = Problem, content_type = "application/problem+json")))]
pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    if state.db.ping().await {
        HttpResponse::Ok().content_type("text/plain").body("ready")
    } else {
        Problem::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            msg!("problem.database_unavailable"),
        )
        .response()
    }
}

/// Metrics in the Prometheus text format.
///
/// This replica's counters and histograms: HTTP requests by route and status
/// and their durations, requests in flight, database queries, their errors and
/// durations, pool connections, GraphQL operations, logins, and the build.
/// No token needed; it never counts against a rate limit.
#[utoipa::path(get, path = "/metrics", tag = "operations", operation_id = "get_metrics",
    responses((status = 200, description = "Prometheus text exposition", body = String)))]
pub async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(state.metrics.render(&state.db))
}

/// Anything no route matches: a 404 problem.
pub async fn not_found() -> HttpResponse {
    Problem::new(StatusCode::NOT_FOUND, "not-found", msg!("problem.no_such_resource")).response()
}

/// Mounts health, readiness and metrics, with their OpenAPI entries.
pub fn routes(routes: &mut crate::rest::Routes) {
    crate::rest::mount!(routes; healthz, readyz, metrics);
}
