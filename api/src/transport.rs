//! What HTTP itself offers on every route: CORS for the configured origins,
//! `HEAD` wherever `GET` works, and conditional GETs (`If-None-Match`).

use actix_cors::Cors;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, HttpRequest, web};

use crate::app::AppState;

use crate::config::CorsOrigin;
use crate::error::Problem;
use shouhu_domain::msg;

/// The request headers a browser page may send.
pub const ALLOWED_HEADERS: [&str; 6] = [
    "authorization",
    "content-type",
    "if-match",
    "if-none-match",
    "idempotency-key",
    "x-request-id",
];

/// The response headers a browser page may read.
pub const EXPOSED_HEADERS: [&str; 9] = [
    "etag",
    "location",
    "ratelimit-limit",
    "ratelimit-remaining",
    "ratelimit-reset",
    "retry-after",
    "x-request-id",
    "x-client-request-id",
    "idempotent-replayed",
];

/// The methods a browser page may use.
const ALLOWED_METHODS: [Method; 5] = [Method::GET, Method::HEAD, Method::POST, Method::PATCH, Method::DELETE];

/// How long a browser may keep a preflight's answer, in seconds.
const PREFLIGHT_MAX_AGE: usize = 600;

/// CORS for `origins`: their preflights are answered, their requests get
/// `Access-Control-Allow-Origin` and the exposed headers; any other origin's
/// requests are served without them (a browser then refuses the page the
/// answer), and its preflights are refused.
pub fn cors(origins: &[CorsOrigin]) -> Cors {
    origins
        .iter()
        .fold(Cors::default(), |cors, origin| cors.allowed_origin(origin.as_str()))
        .allowed_methods(ALLOWED_METHODS)
        .allowed_headers(ALLOWED_HEADERS.map(HeaderName::from_static))
        .expose_headers(EXPOSED_HEADERS.map(HeaderName::from_static))
        .max_age(PREFLIGHT_MAX_AGE)
}

/// Whether the request is a CORS preflight.
fn is_preflight(req: &ServiceRequest) -> bool {
    req.method() == Method::OPTIONS && req.headers().contains_key(header::ACCESS_CONTROL_REQUEST_METHOD)
}

/// Wraps [`cors`]: an accepted preflight answers 204 No Content, and a refused
/// one a problem (403 for an origin not allowed, 400 for methods or headers
/// not allowed) rather than plain text.
pub async fn preflight_answers(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    if !is_preflight(&req) {
        return Ok(next.call(req).await?.map_into_boxed_body());
    }
    let allowed = req
        .app_data::<web::Data<AppState>>()
        .zip(req.headers().get(header::ORIGIN).and_then(|o| o.to_str().ok()))
        .is_some_and(|(state, o)| state.settings.serve.cors_origins.iter().any(|a| a.as_str() == o));
    let mut res = next.call(req).await?.map_into_boxed_body();
    match res.status() {
        StatusCode::OK => {
            *res.response_mut().status_mut() = StatusCode::NO_CONTENT;
            Ok(res)
        }
        StatusCode::BAD_REQUEST => {
            let problem = if allowed {
                Problem::new(
                    StatusCode::BAD_REQUEST,
                    "cors-not-allowed",
                    msg!(
                        "problem.cors_not_allowed",
                        methods = ALLOWED_METHODS.map(|m| m.to_string()).join(", "),
                        headers = ALLOWED_HEADERS.join(", ")
                    ),
                )
            } else {
                Problem::new(
                    StatusCode::FORBIDDEN,
                    "cors-origin-not-allowed",
                    msg!("problem.cors_origin_not_allowed"),
                )
            };
            Ok(res.into_response(problem.response()).map_into_boxed_body())
        }
        _ => Ok(res),
    }
}

/// Marks a `HEAD` request served as a `GET` (see [`head_as_get`]).
#[derive(Debug, Clone, Copy)]
pub struct Head;

/// Serves `HEAD` wherever `GET` is served: the request is routed and handled
/// as a `GET` (marked with [`Head`]) and the connection sends the same status
/// and headers without the body.
pub async fn head_as_get(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    if req.method() == Method::HEAD {
        req.head_mut().method = Method::GET;
        req.extensions_mut().insert(Head);
    }
    next.call(req).await
}

/// Whether the request came as a `HEAD` (no body will be sent).
pub fn is_head(req: &HttpRequest) -> bool {
    req.extensions().get::<Head>().is_some()
}

/// Whether the request's `If-None-Match` names `current` (or is `*`): the
/// client holds this version and needs no body. A malformed header names
/// nothing.
pub fn holds(req: &HttpRequest, current: &header::EntityTag) -> bool {
    match req.get_header::<header::IfNoneMatch>() {
        Some(header::IfNoneMatch::Any) => true,
        Some(header::IfNoneMatch::Items(tags)) => tags.iter().any(|t| t.weak_eq(current)),
        None => false,
    }
}
