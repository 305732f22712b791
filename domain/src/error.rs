//! The one error type of the domain. `persistence` maps storage errors into it
//! and `api` maps it, once, to problem+json and to GraphQL error codes.

use serde::Serialize;

use crate::message::Message;

/// One rejected field (or query parameter) and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// The field's name as the client wrote it (`snake_case`).
    pub field: String,
    /// A stable machine-readable code, such as `required` or `invalid_check_digit`.
    pub code: String,
    /// A human-readable explanation, rendered in the caller's language.
    pub message: Message,
}

impl FieldError {
    /// Builds a field error.
    pub fn new(field: impl Into<String>, code: &str, message: Message) -> Self {
        Self {
            field: field.into(),
            code: code.to_owned(),
            message,
        }
    }
}

/// Everything a domain operation can refuse with.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The record does not exist or lies outside the caller's jurisdiction.
    #[error("not found")]
    NotFound,
    /// The body was well formed but some fields are invalid.
    #[error("validation failed")]
    Validation(Vec<FieldError>),
    /// Query parameters could not be understood.
    #[error("invalid parameters")]
    InvalidParameters(Vec<FieldError>),
    /// The write collides with an existing record (a unique value).
    #[error("conflict: {message}")]
    Conflict {
        /// The field holding the duplicate value, if one field is to blame.
        field: Option<String>,
        /// What collided.
        message: Message,
    },
    /// The record changed since the version the caller based its write on.
    #[error("version mismatch")]
    VersionMismatch {
        /// The version the record has now.
        current: i64,
    },
    /// The caller is authenticated and may see the record, but may not do this.
    #[error("forbidden: {0}")]
    Forbidden(Message),
    /// No valid credentials.
    #[error("unauthenticated: {0}")]
    Unauthenticated(Message),
    /// The caller did this too often; it may try again after `retry_after` seconds.
    #[error("too many requests: {message}")]
    TooManyRequests {
        /// Seconds until the caller may try again.
        retry_after: u64,
        /// What was limited.
        message: Message,
    },
    /// A changes-feed cursor older than the changes kept: resync.
    #[error("cursor expired")]
    CursorExpired,
    /// Something failed on our side; the text goes to the log only.
    #[error("internal error: {0}")]
    Internal(String),
}

impl Error {
    /// A validation error naming one field.
    pub fn invalid(field: &str, code: &str, message: Message) -> Self {
        Self::Validation(vec![FieldError::new(field, code, message)])
    }
}

/// Result with the domain error.
pub type Result<T, E = Error> = std::result::Result<T, E>;
