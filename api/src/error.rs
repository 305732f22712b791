//! Errors leave the server in one shape: RFC 9457 problem details.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use shouhu_domain::{Error, FieldError, Message, msg};

use crate::i18n;
use utoipa::ToSchema;

/// The media type of problem details.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// One rejected field.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProblemField {
    /// The field or parameter, as the client named it.
    #[schema(example = "id_number")]
    pub field: String,
    /// A stable code.
    #[schema(example = "invalid_check_digit")]
    pub code: String,
    /// What is wrong.
    #[schema(example = "the check character does not match (GB 11643)")]
    pub message: String,
}

/// An error, as RFC 9457 problem details.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem.
    #[serde(rename = "type")]
    #[schema(example = "urn:shouhu:problem:validation")]
    pub problem_type: String,
    /// A short summary.
    #[schema(example = "Unprocessable Content")]
    pub title: String,
    /// The HTTP status.
    #[schema(example = 422)]
    pub status: u16,
    /// What happened, for people.
    #[schema(example = "2 fields are invalid")]
    pub detail: String,
    /// Every bad field, when fields are to blame.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ProblemField>,
    /// The current version, on a 412 (left out otherwise).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub current_version: Option<i64>,
}

impl Problem {
    /// A problem with no field list, its title and detail in the caller's language.
    pub fn new(status: StatusCode, slug: &str, detail: Message) -> Self {
        Self {
            problem_type: format!("urn:shouhu:problem:{slug}"),
            title: i18n::title(status),
            status: status.as_u16(),
            detail: i18n::render(&detail),
            errors: Vec::new(),
            current_version: None,
        }
    }

    /// Adds the fields to blame.
    pub fn with_fields(mut self, fields: Vec<FieldError>) -> Self {
        self.errors = fields
            .into_iter()
            .map(|f| ProblemField {
                field: f.field,
                message: i18n::render(&f.message),
                code: f.code,
            })
            .collect();
        self
    }

    /// The response carrying this problem.
    pub fn response(&self) -> HttpResponse {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut res = HttpResponse::build(status);
        res.insert_header((header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON)));
        if status == StatusCode::UNAUTHORIZED {
            res.insert_header((header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer")));
        }
        res.body(serde_json::to_string(self).unwrap_or_default())
    }
}

/// A domain error on its way to a REST client.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ApiError(pub Error);

impl From<Error> for ApiError {
    fn from(e: Error) -> Self {
        Self(e)
    }
}

/// The problem a domain error becomes.
pub fn problem_of(err: &Error) -> Problem {
    match err {
        Error::NotFound => Problem::new(StatusCode::NOT_FOUND, "not-found", msg!("problem.not_found")),
        Error::Validation(fields) => Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation",
            msg!("problem.invalid_fields", count = fields.len()),
        )
        .with_fields(fields.clone()),
        Error::InvalidParameters(fields) => Problem::new(
            StatusCode::BAD_REQUEST,
            "invalid-parameters",
            msg!("problem.invalid_parameters", count = fields.len()),
        )
        .with_fields(fields.clone()),
        Error::Conflict { field, message } => {
            let p = Problem::new(StatusCode::CONFLICT, "conflict", message.clone());
            match field {
                Some(f) => p.with_fields(vec![FieldError::new(f.clone(), "duplicate", message.clone())]),
                None => p,
            }
        }
        Error::VersionMismatch { current } => {
            let mut p = Problem::new(
                StatusCode::PRECONDITION_FAILED,
                "version-mismatch",
                msg!("problem.version_mismatch", current = current),
            );
            p.current_version = Some(*current);
            p
        }
        Error::Forbidden(msg) => Problem::new(StatusCode::FORBIDDEN, "forbidden", msg.clone()),
        Error::Unauthenticated(msg) => Problem::new(StatusCode::UNAUTHORIZED, "unauthenticated", msg.clone()),
        Error::TooManyRequests { message, .. } => {
            Problem::new(StatusCode::TOO_MANY_REQUESTS, "rate-limited", message.clone())
        }
        Error::CursorExpired => {
            Problem::new(StatusCode::GONE, "cursor-expired", msg!("problem.cursor_expired")).with_fields(vec![
                FieldError::new("after", "cursor_expired", msg!("problem.cursor_expired")),
            ])
        }
        Error::Internal(_) => Problem::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", msg!("problem.internal")),
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(problem_of(&self.0).status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    fn error_response(&self) -> HttpResponse {
        if let Error::Internal(detail) = &self.0 {
            tracing::error!(%detail, "internal error");
        }
        let mut response = problem_of(&self.0).response();
        if let Error::TooManyRequests { retry_after, .. } = &self.0
            && let Ok(v) = HeaderValue::from_str(&retry_after.to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, v);
        }
        response
    }
}

/// A 400 for a request actix could not parse (bad JSON, path or query).
pub fn bad_request(detail: Message) -> actix_web::Error {
    let problem = Problem::new(StatusCode::BAD_REQUEST, "bad-request", detail);
    actix_web::error::InternalError::from_response("bad request", problem.response()).into()
}

/// A problem response as an actix error.
pub fn problem_error(problem: Problem) -> actix_web::Error {
    actix_web::error::InternalError::from_response(problem.detail.clone(), problem.response()).into()
}

/// Turns actix's JSON body errors into problems: 413, 415 or 400.
pub fn json_error(err: actix_web::error::JsonPayloadError, _req: &actix_web::HttpRequest) -> actix_web::Error {
    use actix_web::error::JsonPayloadError as E;
    let problem = match &err {
        E::OverflowKnownLength { .. } | E::Overflow { .. } => {
            Problem::new(StatusCode::PAYLOAD_TOO_LARGE, "too-large", msg!("problem.too_large"))
        }
        E::ContentType => Problem::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-media-type",
            msg!("problem.unsupported_media_type"),
        ),
        E::Deserialize(e) => Problem::new(
            StatusCode::BAD_REQUEST,
            "malformed-json",
            msg!("problem.malformed_json", reason = e),
        ),
        _ => Problem::new(
            StatusCode::BAD_REQUEST,
            "malformed-json",
            msg!("problem.unreadable_json"),
        ),
    };
    problem_error(problem)
}

/// Turns actix's query-string errors into 400 problems.
pub fn query_error(err: actix_web::error::QueryPayloadError, _req: &actix_web::HttpRequest) -> actix_web::Error {
    bad_request(msg!("problem.malformed_query", reason = err))
}

/// Turns actix's path errors into 400 problems (an id that is not a UUID).
pub fn path_error(err: actix_web::error::PathError, _req: &actix_web::HttpRequest) -> actix_web::Error {
    bad_request(msg!("problem.malformed_path", reason = err))
}
