//! GraphQL over HTTP: `POST /graphql` (one operation per request, JSON, bounded
//! body, authenticated) and GraphiQL at `GET /graphql`, served from the binary.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, ContentType};
use actix_web::{HttpMessage, HttpRequest, HttpResponse, web};
use async_graphql::parser::types::ExecutableDocument;
use futures::StreamExt;
use serde_json::json;
use shouhu_domain::Error;
use shouhu_domain::audit::{self, Disclosed};
use std::sync::{Arc, Mutex};
use uuid::Uuid;

use super::bounds::{self, Refusal};
use super::ordered;
use super::{Limits, Loaders};
use crate::app::AppState;
use crate::auth::Authenticated;
use crate::error::Problem;
use crate::i18n;
use shouhu_domain::{Message, msg};

fn gql_failure(status: StatusCode, code: &str, message: &Message) -> HttpResponse {
    let message = i18n::render(message);
    HttpResponse::build(status)
        .content_type(ContentType::json())
        .json(json!({"data": null, "errors": [{"message": message, "extensions": {"code": code}}]}))
}

/// Why a request was refused before execution.
enum Refused {
    /// Over a limit; the message names it.
    Limit(Message),
    /// The query is not GraphQL.
    Parse(async_graphql::parser::Error),
}

/// Applies the bounds async-graphql does not have (see [`bounds`]) and hands
/// over the parsed document, so the query is parsed once.
fn bounded(
    mut request: async_graphql::Request,
    limits: &Limits,
) -> Result<(async_graphql::Request, ExecutableDocument), Refused> {
    if bounds::query_nesting(&request.query, limits.nesting) > limits.nesting {
        return Err(Refused::Limit(msg!("graphql.text_too_nested", limit = limits.nesting)));
    }
    let doc = async_graphql::parser::parse_query(&request.query).map_err(Refused::Parse)?;
    let shape = match bounds::shape(&doc, limits.nesting) {
        Ok(shape) => shape,
        Err(Refusal::Cycle(name)) => {
            return Err(Refused::Limit(msg!("graphql.fragment_cycle", name = name)));
        }
        Err(Refusal::TooDeep) => {
            return Err(Refused::Limit(msg!(
                "graphql.selections_too_nested",
                limit = limits.nesting
            )));
        }
    };
    if shape.fields > limits.fields {
        let message = if shape.fields == usize::MAX {
            msg!("graphql.too_many_fields_uncounted", limit = limits.fields)
        } else {
            msg!("graphql.too_many_fields", count = shape.fields, limit = limits.fields)
        };
        return Err(Refused::Limit(message));
    }
    if shape.aliases > limits.aliases {
        return Err(Refused::Limit(msg!(
            "graphql.too_many_aliases",
            count = shape.aliases,
            limit = limits.aliases
        )));
    }
    request.set_parsed_query(doc.clone());
    Ok((request, doc))
}

/// Executes one GraphQL operation.
pub async fn graphql(state: web::Data<AppState>, req: HttpRequest, mut payload: web::Payload) -> HttpResponse {
    let is_json = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(';')
                .next()
                .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"))
        });
    if !is_json {
        return Problem::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-media-type",
            msg!("graphql.unsupported_media_type"),
        )
        .response();
    }
    let limit = state.graphql_limits.body_bytes;
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let Ok(chunk) = chunk else {
            return Problem::new(StatusCode::BAD_REQUEST, "bad-request", msg!("problem.unreadable_body")).response();
        };
        if body.len() + chunk.len() > limit {
            return Problem::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "too-large",
                msg!("graphql.too_large", limit = limit),
            )
            .response();
        }
        body.extend_from_slice(&chunk);
    }
    let caller = match req.extensions().get::<Authenticated>().cloned() {
        Some(Authenticated(Ok(ctx))) => ctx,
        Some(Authenticated(Err(msg))) => return gql_failure(StatusCode::UNAUTHORIZED, "UNAUTHENTICATED", &msg),
        None => {
            return gql_failure(
                StatusCode::UNAUTHORIZED,
                "UNAUTHENTICATED",
                &msg!("auth.send_authorization"),
            );
        }
    };
    let nesting = state.graphql_limits.nesting;
    // The request object is level 1; what lies deeper is variables and extensions.
    if bounds::json_nesting(&body, nesting + 1) > nesting + 1 {
        return gql_failure(
            StatusCode::OK,
            "VALIDATION",
            &msg!("graphql.variables_too_nested", limit = nesting),
        );
    }
    let request: async_graphql::Request = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => {
            return gql_failure(
                StatusCode::BAD_REQUEST,
                "BAD_REQUEST",
                &msg!("graphql.bad_request", reason = e),
            );
        }
    };
    let operation_name = request.operation_name.clone();
    let (request, doc) = match bounded(request, &state.graphql_limits) {
        Ok(bounded) => bounded,
        Err(Refused::Limit(message)) => {
            state.metrics.graphql_operation(operation_name.as_deref(), "VALIDATION");
            return gql_failure(StatusCode::OK, "VALIDATION", &message);
        }
        Err(Refused::Parse(e)) => {
            state
                .metrics
                .graphql_operation(operation_name.as_deref(), "GRAPHQL_PARSE_FAILED");
            let mut error = async_graphql::ServerError::from(e);
            error
                .extensions
                .get_or_insert_with(Default::default)
                .set("code", "GRAPHQL_PARSE_FAILED");
            let response = async_graphql::Response::from_errors(vec![error]);
            return HttpResponse::Ok().content_type(ContentType::json()).json(response);
        }
    };
    // The read log records what the response actually carries (the resolved
    // fields), once per response, instead of what the services returned.
    let mut caller = caller;
    caller.service_logs_reads = false;
    let read_log = Arc::new(ReadLog::default());
    let loaders = Loaders::new(&state.db, &caller);
    let request = request
        .data(state.clone())
        .data(caller.clone())
        .data(loaders)
        .data(read_log.clone());
    let schema = if introspects_only(&doc, operation_name.as_deref()) {
        &state.introspection_schema
    } else {
        &state.schema
    };
    let mut response = coded(schema.execute(request).await, &state.graphql_limits);
    let outcome = response
        .errors
        .first()
        .and_then(|e| e.extensions.as_ref())
        .and_then(|x| x.get("code"))
        .and_then(|code| match code {
            async_graphql::Value::String(c) => Some(c.clone()),
            _ => None,
        });
    // A document with one named operation names it without `operationName`.
    let named = operation_name.clone().or_else(|| match &doc.operations {
        async_graphql::parser::types::DocumentOperations::Multiple(ops) if ops.len() == 1 => {
            ops.keys().next().map(|n| n.to_string())
        }
        _ => None,
    });
    state
        .metrics
        .graphql_operation(named.as_deref(), outcome.as_deref().unwrap_or("ok"));
    ordered::in_selection_order(&mut response.data, &doc, operation_name.as_deref());
    let logged = match read_log.take() {
        Ok(disclosed) => audit::record_disclosed(&state.db, &caller, &disclosed).await,
        Err(e) => Err(e),
    };
    if let Err(e) = logged {
        // Unmasked data goes out only with its entry in the read log.
        tracing::error!(error = %e, request_id = %caller.request_id, "could not record a read");
        return gql_failure(StatusCode::INTERNAL_SERVER_ERROR, "INTERNAL", &msg!("problem.internal"));
    }
    HttpResponse::Ok().content_type(ContentType::json()).json(response)
}

/// Whether the operation selects only the schema's own description.
fn introspects_only(doc: &ExecutableDocument, operation_name: Option<&str>) -> bool {
    use async_graphql::parser::types::Selection;
    ordered::operation(doc, operation_name).is_some_and(|set| {
        !set.items.is_empty()
            && set.items.iter().all(|item| {
                matches!(&item.node, Selection::Field(f)
                    if matches!(f.node.name.node.as_str(), "__schema" | "__type" | "__typename"))
            })
    })
}

/// Gives every error an `extensions.code`: the services' errors have theirs;
/// async-graphql's own are its depth and complexity limits (`VALIDATION`,
/// naming the limit), the document's validation (`GRAPHQL_VALIDATION_FAILED`:
/// unknown fields, arguments or variables, wrong types, bad enum values) and,
/// with a path, values it could not take as an argument (`BAD_USER_INPUT`).
fn coded(mut response: async_graphql::Response, limits: &Limits) -> async_graphql::Response {
    for error in &mut response.errors {
        if error.extensions.as_ref().is_some_and(|e| e.get("code").is_some()) {
            continue;
        }
        let code = match error.message.as_str() {
            "Query is nested too deep." => {
                error.message = i18n::render(&msg!("graphql.too_deep", limit = limits.depth));
                "VALIDATION"
            }
            "Query is too complex." => {
                error.message = i18n::render(&msg!("graphql.too_complex", limit = limits.complexity));
                "VALIDATION"
            }
            _ if error.path.is_empty() => "GRAPHQL_VALIDATION_FAILED",
            _ => "BAD_USER_INPUT",
        };
        error.extensions.get_or_insert_with(Default::default).set("code", code);
    }
    response
}

/// What one GraphQL response carries unmasked, collected by the resolvers of
/// the personal fields as they resolve.
#[derive(Debug, Default)]
pub struct ReadLog(Mutex<Disclosed>);

impl ReadLog {
    /// Notes that `field` of `child` went out unmasked.
    pub fn add(&self, child: Uuid, field: &'static str) -> Result<(), Error> {
        self.0
            .lock()
            .map_err(|_| Error::Internal("read log poisoned".into()))?
            .add(child, field);
        Ok(())
    }

    /// Everything noted.
    fn take(&self) -> Result<Disclosed, Error> {
        Ok(std::mem::take(
            &mut *self.0.lock().map_err(|_| Error::Internal("read log poisoned".into()))?,
        ))
    }
}

const GRAPHIQL_HTML: &str = include_str!("../../assets/graphiql/index.html");

/// GraphiQL, served from the binary (no CDN).
pub async fn graphiql() -> HttpResponse {
    HttpResponse::Ok().content_type(ContentType::html()).body(GRAPHIQL_HTML)
}

/// GraphiQL's static files.
pub async fn graphiql_asset(name: web::Path<String>) -> HttpResponse {
    let (body, mime): (&'static [u8], &str) = match name.as_str() {
        "graphiql.min.js" => (
            include_bytes!("../../../vendor/graphiql/graphiql.min.js"),
            "text/javascript",
        ),
        "graphiql.min.css" => (include_bytes!("../../../vendor/graphiql/graphiql.min.css"), "text/css"),
        "react.production.min.js" => (
            include_bytes!("../../../vendor/graphiql/react.production.min.js"),
            "text/javascript",
        ),
        "react-dom.production.min.js" => (
            include_bytes!("../../../vendor/graphiql/react-dom.production.min.js"),
            "text/javascript",
        ),
        _ => return Problem::new(StatusCode::NOT_FOUND, "not-found", msg!("problem.no_such_asset")).response(),
    };
    HttpResponse::Ok()
        .content_type(mime)
        .insert_header((header::CACHE_CONTROL, "public, max-age=86400"))
        .body(body)
}
