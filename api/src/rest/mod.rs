//! The REST surface: thin handlers over the domain services (each kind's in
//! its folder, over the generic ones in `record` and `nested`), [`Routes`],
//! which mounts every documented handler with its OpenAPI entry, and what
//! every handler shares: cursors, pages, `If-Match`, ETags.

pub mod audit;
pub mod auth;
pub mod nested;
pub mod record;

use actix_web::http::header;
use actix_web::http::{Method, StatusCode};
use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::{Map, Value};
use shouhu_domain::resource::{DEFAULT_LIMIT, PageRequest, Resource as _};
use shouhu_domain::{Error, FieldError, msg};
use uuid::Uuid;

use crate::error::{ApiError, Problem, problem_error};

/// 405 with `Allow`.
fn method_not_allowed(allow: &str) -> HttpResponse {
    let mut res = Problem::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method-not-allowed",
        msg!("problem.method_not_allowed", allowed = allow),
    )
    .response();
    if let Ok(value) = header::HeaderValue::from_str(allow) {
        res.headers_mut().insert(header::ALLOW, value);
    }
    res
}

/// The routes: each documented handler is mounted on the path and method its
/// `#[utoipa::path]` names, and its OpenAPI entry (with the schemas it
/// refers to) joins the document, so that a route is declared once; the few
/// undocumented ones are added with [`Routes::route`]. A path's other
/// methods answer 405 with `Allow`.
#[derive(Default)]
pub struct Routes {
    paths: Vec<(String, Vec<(Method, actix_web::Route)>)>,
    doc: utoipa::openapi::OpenApi,
}

impl Routes {
    /// Mounts `handler` where `doc` (the document of that one handler) says.
    pub fn add<F, Args>(&mut self, doc: utoipa::openapi::OpenApi, handler: F)
    where
        F: actix_web::Handler<Args>,
        Args: actix_web::FromRequest + 'static,
        F::Output: actix_web::Responder + 'static,
    {
        for (path, item) in &doc.paths.paths {
            let methods = [
                (Method::GET, item.get.is_some()),
                (Method::POST, item.post.is_some()),
                (Method::PUT, item.put.is_some()),
                (Method::PATCH, item.patch.is_some()),
                (Method::DELETE, item.delete.is_some()),
            ];
            for (method, _) in methods.into_iter().filter(|(_, documented)| *documented) {
                self.push(path, method, handler.clone());
            }
        }
        self.doc.merge(doc);
    }

    /// Declares the OpenAPI tag `name` (a record kind's, with its routes).
    pub fn tag(&mut self, name: &str, description: &str) {
        let tags = self.doc.tags.get_or_insert_with(Vec::new);
        if !tags.iter().any(|t| t.name == name) {
            tags.push(
                utoipa::openapi::tag::TagBuilder::new()
                    .name(name)
                    .description(Some(description))
                    .build(),
            );
        }
    }

    /// Mounts an undocumented handler (GraphQL, GraphiQL, the docs' redirect)
    /// for `method` at `path`.
    pub fn route<F, Args>(mut self, path: &str, method: Method, handler: F) -> Self
    where
        F: actix_web::Handler<Args>,
        Args: actix_web::FromRequest + 'static,
        F::Output: actix_web::Responder + 'static,
    {
        self.push(path, method, handler);
        self
    }

    fn push<F, Args>(&mut self, path: &str, method: Method, handler: F)
    where
        F: actix_web::Handler<Args>,
        Args: actix_web::FromRequest + 'static,
        F::Output: actix_web::Responder + 'static,
    {
        let route = web::method(method.clone()).to(handler);
        match self.paths.iter_mut().find(|(p, _)| p == path) {
            Some((_, routes)) => routes.push((method, route)),
            None => self.paths.push((path.to_owned(), vec![(method, route)])),
        }
    }

    /// The OpenAPI paths and schemas of every route.
    pub fn openapi(self) -> utoipa::openapi::OpenApi {
        self.doc
    }
}

impl actix_web::dev::HttpServiceFactory for Routes {
    fn register(self, config: &mut actix_web::dev::AppService) {
        for (path, routes) in self.paths {
            let allow = allow(routes.iter().map(|(method, _)| method));
            let resource = routes
                .into_iter()
                .fold(web::resource(path.as_str()), |resource, (_, route)| {
                    resource.route(route)
                })
                .default_service(web::to(move || {
                    let allow = allow.clone();
                    async move { method_not_allowed(&allow) }
                }));
            actix_web::dev::HttpServiceFactory::register(resource, config);
        }
    }
}

/// The `Allow` value of a path served for `methods`; HEAD is served wherever
/// GET is (see `transport::head_as_get`).
fn allow<'a>(methods: impl Iterator<Item = &'a Method>) -> String {
    let methods: Vec<&Method> = methods.collect();
    let order = [
        (Method::GET, "GET, HEAD"),
        (Method::POST, "POST"),
        (Method::PUT, "PUT"),
        (Method::PATCH, "PATCH"),
        (Method::DELETE, "DELETE"),
    ];
    order
        .iter()
        .filter(|(m, _)| methods.contains(&m))
        .map(|(_, name)| *name)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Adds handlers, each carrying its `#[utoipa::path]`, to a [`Routes`]: its
/// path, method and OpenAPI entry come from that attribute alone.
macro_rules! mount {
    ($routes:expr; $($handler:ident),+ $(,)?) => {
        $({
            #[derive(utoipa::OpenApi)]
            #[openapi(paths($handler))]
            struct One;
            $routes.add(<One as utoipa::OpenApi>::openapi(), $handler);
        })+
    };
}
pub(crate) use mount;

/// Every documented route of the API.
pub fn routes() -> Routes {
    let mut routes = Routes::default();
    crate::ops::routes(&mut routes);
    auth::routes(&mut routes);
    crate::registry::routes(&mut routes);
    audit::routes(&mut routes);
    crate::imports::routes::routes(&mut routes);
    routes
}

/// Encodes a keyset position as an opaque cursor.
pub fn encode_cursor(id: Uuid) -> String {
    format!("c1.{}", id.simple())
}

/// Decodes a cursor made by [`encode_cursor`].
pub fn decode_cursor(cursor: &str) -> Option<Uuid> {
    cursor
        .strip_prefix("c1.")
        .filter(|s| s.len() == 32)
        .and_then(|s| Uuid::try_parse(s).ok())
}

/// Reads a page request from `limit` and `cursor`.
pub fn page_request(limit: Option<&str>, cursor: Option<&str>, max: u64) -> Result<PageRequest, Error> {
    let mut errors = Vec::new();
    let limit = match limit {
        None => DEFAULT_LIMIT.min(max),
        Some(l) => match l.parse::<u64>() {
            Ok(n) if (1..=max).contains(&n) => n,
            _ => {
                errors.push(FieldError::new(
                    "limit",
                    "out_of_range",
                    msg!("param.invalid_limit", max = max),
                ));
                DEFAULT_LIMIT
            }
        },
    };
    let after = match cursor {
        None => None,
        Some(c) => {
            let id = decode_cursor(c);
            if id.is_none() {
                errors.push(FieldError::new(
                    "cursor",
                    "invalid_cursor",
                    msg!("param.invalid_cursor"),
                ));
            }
            id
        }
    };
    if errors.is_empty() {
        Ok(PageRequest { after, limit })
    } else {
        Err(Error::InvalidParameters(errors))
    }
}

/// A list request: filters, keyset position and page size.
pub struct ListRequest<C> {
    /// Filter parameters, as sent.
    pub filters: Vec<(String, String)>,
    /// Where the previous page ended.
    pub after: Option<C>,
    /// Page size.
    pub limit: u64,
}

/// Splits a list request's query string into filters and a page request.
pub fn list_params(req: &HttpRequest, max: u64) -> Result<(Vec<(String, String)>, PageRequest), ApiError> {
    let list = list_request(req, max, |c| {
        decode_cursor(c).ok_or_else(|| {
            Error::InvalidParameters(vec![FieldError::new(
                "cursor",
                "invalid_cursor",
                msg!("param.invalid_cursor"),
            )])
        })
    })?;
    Ok((
        list.filters,
        PageRequest {
            after: list.after,
            limit: list.limit,
        },
    ))
}

/// The query string's parameters, in order; a malformed one is 400.
pub fn query_pairs(req: &HttpRequest) -> Result<Vec<(String, String)>, Error> {
    web::Query::<Vec<(String, String)>>::from_query(req.query_string())
        .map(web::Query::into_inner)
        .map_err(|e| {
            Error::InvalidParameters(vec![FieldError::new(
                "query",
                "malformed",
                msg!("param.malformed_query", reason = e),
            )])
        })
}

/// Splits a query string into filters, a decoded cursor and a page size.
pub fn list_request<C>(
    req: &HttpRequest,
    max: u64,
    decode: impl Fn(&str) -> Result<C, Error>,
) -> Result<ListRequest<C>, ApiError> {
    let pairs = query_pairs(req)?;
    let mut filters = Vec::new();
    let mut limit = None;
    let mut cursor = None;
    for (k, v) in pairs {
        match k.as_str() {
            "limit" => limit = Some(v),
            "cursor" => cursor = Some(v),
            _ => filters.push((k, v)),
        }
    }
    let mut errors = Vec::new();
    let limit = match page_request(limit.as_deref(), None, max) {
        Ok(p) => p.limit,
        Err(Error::InvalidParameters(e)) => {
            errors.extend(e);
            DEFAULT_LIMIT.min(max)
        }
        Err(e) => return Err(e.into()),
    };
    let after = match cursor.as_deref().map(&decode).transpose() {
        Ok(a) => a,
        Err(Error::InvalidParameters(e)) => {
            errors.extend(e);
            None
        }
        Err(e) => return Err(e.into()),
    };
    if !errors.is_empty() {
        return Err(Error::InvalidParameters(errors).into());
    }
    Ok(ListRequest { filters, after, limit })
}

/// What a required `If-Match` asks for (RFC 9110 §13.1.1, strong comparison).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Precondition {
    /// `*`: whatever version is current.
    Any,
    /// One of these versions (`"3"`, or a list `"3", "4"`); a weak tag
    /// (`W/"3"`) never matches a strong comparison, so it adds none.
    Versions(Vec<i64>),
}

/// Reads a required `If-Match` header: `*`, or one or more quoted versions.
pub fn if_match(req: &HttpRequest) -> Result<Precondition, actix_web::Error> {
    let Some(value) = req.headers().get(header::IF_MATCH) else {
        return Err(problem_error(Problem::new(
            StatusCode::PRECONDITION_REQUIRED,
            "precondition-required",
            msg!("problem.precondition_required"),
        )));
    };
    let malformed = || {
        problem_error(
            Problem::new(
                StatusCode::BAD_REQUEST,
                "invalid-parameters",
                msg!("problem.invalid_if_match"),
            )
            .with_fields(vec![FieldError::new(
                "If-Match",
                "invalid_format",
                msg!("param.invalid_if_match"),
            )]),
        )
    };
    let text = value.to_str().unwrap_or("").trim();
    if text == "*" {
        return Ok(Precondition::Any);
    }
    let mut versions = Vec::new();
    for tag in text.split(',').map(str::trim) {
        let (weak, tag) = match tag.strip_prefix("W/") {
            Some(rest) => (true, rest),
            None => (false, tag),
        };
        let quoted = tag.strip_prefix('"').and_then(|t| t.strip_suffix('"'));
        let version = quoted
            .filter(|v| (1..=18).contains(&v.len()) && v.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|v| v.parse::<i64>().ok())
            .ok_or_else(malformed)?;
        if !weak {
            versions.push(version);
        }
    }
    Ok(Precondition::Versions(versions))
}

/// The version a write is based on: the one `If-Match` names; among several,
/// the current one if named; for `*`, the current one (`current` reads it).
/// A precondition that names no current version gives one that never
/// matches, so that the write answers 412 (after any 422).
pub async fn expected_version<F>(precondition: Precondition, current: F) -> Result<i64, shouhu_domain::Error>
where
    F: std::future::Future<Output = Result<i64, shouhu_domain::Error>>,
{
    match precondition {
        Precondition::Versions(v) if v.len() == 1 => Ok(v[0]),
        Precondition::Versions(v) if v.is_empty() => Ok(0),
        Precondition::Versions(v) => {
            let now = current.await?;
            Ok(if v.contains(&now) { now } else { 0 })
        }
        Precondition::Any => current.await,
    }
}

/// The answer to a GET of one record at `version` when the client already
/// holds it (`If-None-Match` names its ETag): 304 Not Modified, no body, the
/// ETag again. `None` when the record must be sent (a stale or malformed
/// `If-None-Match`, or none).
pub fn not_modified(req: &HttpRequest, version: i64) -> Option<HttpResponse> {
    let current = etag(version);
    crate::transport::holds(req, &current).then(|| {
        HttpResponse::NotModified()
            .insert_header(header::ETag(current))
            .finish()
    })
}

/// 200 with the record as `K` sends it and its version as `ETag`.
pub fn record_response<K: crate::kind::Kind>(record: K::Record) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(header::ETag(etag(record.meta().version)))
        .json(K::from(record))
}

/// 204 with the record's new version as `ETag`.
pub fn changed_response(record: &impl shouhu_domain::resource::Resource) -> HttpResponse {
    HttpResponse::NoContent()
        .insert_header(header::ETag(etag(record.meta().version)))
        .finish()
}

/// The ETag of a version.
pub fn etag(version: i64) -> header::EntityTag {
    header::EntityTag::new_strong(version.to_string())
}

/// The body as a JSON object.
pub fn object(body: Value) -> Result<Map<String, Value>, actix_web::Error> {
    match body {
        Value::Object(map) => Ok(map),
        _ => Err(crate::error::bad_request(msg!("problem.body_not_object"))),
    }
}
