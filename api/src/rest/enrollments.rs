//! Enrolments: `/api/v1/care-centers/{id}/enrollments` and `/api/v1/enrollments/{id}`.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;
use serde_json::Value;
use shouhu_domain::enrollment as enrol;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::app::AppState;
use crate::auth::Caller;
use crate::dto::{Enrollment, EnrollmentCreate, EnrollmentPatch};
use crate::error::{ApiError, Problem};
use crate::idempotent;
use crate::rest::{etag, if_match, object};

/// A place's enrolments, current and past, oldest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct EnrollmentList {
    /// The enrolments of children you may see.
    pub items: Vec<Enrollment>,
}

/// Lists a place's enrolments, current and past, of the children you may see.
#[utoipa::path(get, path = "/api/v1/care-centers/{id}/enrollments", tag = "enrollments",
    params(("id" = Uuid, Path, description = "The place's id")), security(("bearer" = [])),
    responses(
        (status = 200, description = "The enrolments", body = EnrollmentList),
        (status = 400, description = "The id is not a UUID", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such place in your jurisdiction", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_enrollments(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, actix_web::Error> {
    let found = enrol::enrollments_of_center(&state.db, &caller.0, id.into_inner())
        .await
        .map_err(ApiError)?;
    Ok(HttpResponse::Ok().json(EnrollmentList {
        items: found.into_iter().map(Enrollment::from).collect(),
    }))
}

/// Enrols a child in a place. A child may be in several places at once; a place
/// takes no more enrolments overlapping the new one's span than its capacity (409).
#[utoipa::path(post, path = "/api/v1/care-centers/{id}/enrollments", tag = "enrollments", request_body = EnrollmentCreate,
    params(("id" = Uuid, Path, description = "The place's id"),
           ("Idempotency-Key" = Option<String>, Header, pattern = r"^[!-~]{1,255}$", description = "Makes retries safe, as for every create")),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Enrolled", body = Enrollment,
            headers(("Location" = String, description = "The enrolment's URL"), ("ETag" = String, description = "The version"),
                    ("Idempotent-Replayed" = String, description = "`true` for a replayed answer"))),
        (status = 400, description = "Malformed JSON or id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The role may not enrol children", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such place in your jurisdiction", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The place is full", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields (an unknown child among them), each named", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_enrollment(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    req: HttpRequest,
    body: web::Json<Value>,
) -> Result<HttpResponse, actix_web::Error> {
    let key = crate::rest::resources::idempotency_key(&req)?;
    let input = object(body.into_inner())?;
    let center = id.into_inner();
    let mut hashed = input.clone();
    hashed.insert("care_center_id".to_owned(), Value::String(center.to_string()));
    let (db, ctx) = (&state.db, &caller.0);
    let render = |e: enrol::Enrollment| {
        serde_json::to_value(Enrollment::from(e)).map_err(|e| shouhu_domain::Error::Internal(e.to_string()))
    };
    let created = idempotent::create_with(
        &state,
        ctx,
        key.as_deref(),
        "create:enrollment",
        &hashed,
        |eid| async move {
            enrol::create_enrollment(db, ctx, center, &input, eid)
                .await
                .and_then(render)
        },
        |eid| async move { enrol::get_enrollment(db, ctx, eid).await.and_then(render) },
    )
    .await
    .map_err(ApiError)?;
    Ok(crate::rest::resources::created_response("/api/v1/enrollments", created))
}

/// Reads one enrolment.
#[utoipa::path(get, path = "/api/v1/enrollments/{id}", tag = "enrollments",
    params(("id" = Uuid, Path, description = "The enrolment's id")), security(("bearer" = [])),
    responses(
        (status = 200, description = "The enrolment", body = Enrollment, headers(("ETag" = String, description = "The version"))),
        (status = 400, description = "The id is not a UUID", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such enrolment of a place and child you may see", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_enrollment(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, actix_web::Error> {
    let e = enrol::get_enrollment(&state.db, &caller.0, id.into_inner())
        .await
        .map_err(ApiError)?;
    Ok(HttpResponse::Ok()
        .insert_header(header::ETag(etag(e.meta.version)))
        .json(Enrollment::from(e)))
}

/// Changes an enrolment's kind or shortens it (JSON merge patch, If-Match required).
#[utoipa::path(patch, path = "/api/v1/enrollments/{id}", tag = "enrollments",
    request_body(content = EnrollmentPatch, content_type = "application/merge-patch+json"),
    params(("id" = Uuid, Path, description = "The enrolment's id"),
           ("If-Match" = String, Header, description = "The ETag of the version you read, such as \"3\"", pattern = r#"^(W/)?"[0-9]{1,18}"$"#)),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The changed enrolment", body = Enrollment, headers(("ETag" = String, description = "The new version"))),
        (status = 400, description = "Malformed JSON or If-Match", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The role may not enrol children", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such enrolment", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The enrolment changed since that version", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, each named (a longer span among them)", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match is missing", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn update_enrollment(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    req: HttpRequest,
    body: web::Json<Value>,
) -> Result<HttpResponse, actix_web::Error> {
    let expected = if_match(&req)?;
    let patch = object(body.into_inner())?;
    let e = enrol::update_enrollment(&state.db, &caller.0, id.into_inner(), expected, &patch)
        .await
        .map_err(ApiError)?;
    Ok(HttpResponse::Ok()
        .insert_header(header::ETag(etag(e.meta.version)))
        .json(Enrollment::from(e)))
}

/// Ends an enrolment: its last day becomes yesterday (or its first day); it stays in the history.
#[utoipa::path(delete, path = "/api/v1/enrollments/{id}", tag = "enrollments",
    params(("id" = Uuid, Path, description = "The enrolment's id"),
           ("If-Match" = String, Header, description = "The ETag of the version you read", pattern = r#"^(W/)?"[0-9]{1,18}"$"#)),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Ended", headers(("ETag" = String, description = "The new version"))),
        (status = 400, description = "Malformed If-Match", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The role may not enrol children", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such enrolment", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The enrolment changed since that version", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match is missing", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn end_enrollment(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    req: HttpRequest,
) -> Result<HttpResponse, actix_web::Error> {
    let expected = if_match(&req)?;
    let e = enrol::end_enrollment(&state.db, &caller.0, id.into_inner(), expected)
        .await
        .map_err(ApiError)?;
    Ok(HttpResponse::NoContent()
        .insert_header(header::ETag(etag(e.meta.version)))
        .finish())
}
