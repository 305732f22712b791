//! A child's guardianships: `/api/v1/children/{id}/guardianships` and `/api/v1/guardianships/{id}`.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;
use serde_json::Value;
use shouhu_domain::guardianship as links;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::app::AppState;
use crate::auth::Caller;
use crate::dto::{Guardianship, GuardianshipCreate, GuardianshipPatch};
use crate::error::{ApiError, Problem};
use crate::idempotent;
use crate::rest::{etag, if_match, object};

/// A child's guardianships, active and ended, oldest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct GuardianshipList {
    /// The links.
    pub items: Vec<Guardianship>,
}

/// Lists a child's guardianships, active and ended (the history stays).
#[utoipa::path(get, path = "/api/v1/children/{id}/guardianships", tag = "guardianships",
    params(("id" = Uuid, Path, description = "The child's id")), security(("bearer" = [])),
    responses(
        (status = 200, description = "The child's links", body = GuardianshipList),
        (status = 400, description = "The id is not a UUID", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such child in your jurisdiction", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_guardianships(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, actix_web::Error> {
    let found = links::guardianships_of(&state.db, &caller.0, id.into_inner())
        .await
        .map_err(ApiError)?;
    Ok(HttpResponse::Ok().json(GuardianshipList {
        items: found.into_iter().map(Guardianship::from).collect(),
    }))
}

/// Links a guardian to a child.
#[utoipa::path(post, path = "/api/v1/children/{id}/guardianships", tag = "guardianships", request_body = GuardianshipCreate,
    params(("id" = Uuid, Path, description = "The child's id"),
           ("Idempotency-Key" = Option<String>, Header, pattern = r"^[!-~]{1,255}$", description = "Makes retries safe, as for every create")),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Linked", body = Guardianship,
            headers(("Location" = String, description = "The link's URL"), ("ETag" = String, description = "The version"),
                    ("Idempotent-Replayed" = String, description = "`true` for a replayed answer"))),
        (status = 400, description = "Malformed JSON or id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The role may not change this child's guardianships", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such child in your jurisdiction", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "A second active primary caregiver, or the guardian is already linked", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields (an unknown guardian among them), each named", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_guardianship(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    req: HttpRequest,
    body: web::Json<Value>,
) -> Result<HttpResponse, actix_web::Error> {
    let key = crate::rest::resources::idempotency_key(&req)?;
    let input = object(body.into_inner())?;
    let child_id = id.into_inner();
    let mut hashed = input.clone();
    hashed.insert("child_id".to_owned(), Value::String(child_id.to_string()));
    let (db, ctx) = (&state.db, &caller.0);
    let render = |g: links::Guardianship| {
        serde_json::to_value(Guardianship::from(g)).map_err(|e| shouhu_domain::Error::Internal(e.to_string()))
    };
    let created = idempotent::create_with(
        &state,
        ctx,
        key.as_deref(),
        "create:guardianship",
        &hashed,
        |link_id| async move {
            links::create_guardianship(db, ctx, child_id, &input, link_id)
                .await
                .and_then(render)
        },
        |link_id| async move { links::get_guardianship(db, ctx, link_id).await.and_then(render) },
    )
    .await
    .map_err(ApiError)?;
    Ok(crate::rest::resources::created_response(
        "/api/v1/guardianships",
        created,
    ))
}

/// Reads one guardianship.
#[utoipa::path(get, path = "/api/v1/guardianships/{id}", tag = "guardianships",
    params(("id" = Uuid, Path, description = "The link's id")), security(("bearer" = [])),
    responses(
        (status = 200, description = "The link", body = Guardianship, headers(("ETag" = String, description = "The version"))),
        (status = 400, description = "The id is not a UUID", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such link to a child in your jurisdiction", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_guardianship(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, actix_web::Error> {
    let link = links::get_guardianship(&state.db, &caller.0, id.into_inner())
        .await
        .map_err(ApiError)?;
    Ok(HttpResponse::Ok()
        .insert_header(header::ETag(etag(link.meta.version)))
        .json(Guardianship::from(link)))
}

/// Changes a guardianship (JSON merge patch, If-Match required); an ended one cannot change.
#[utoipa::path(patch, path = "/api/v1/guardianships/{id}", tag = "guardianships",
    request_body(content = GuardianshipPatch, content_type = "application/merge-patch+json"),
    params(("id" = Uuid, Path, description = "The link's id"),
           ("If-Match" = String, Header, description = "The ETag of the version you read, such as \"3\"", pattern = r#"^(W/)?"[0-9]{1,18}"$"#)),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The changed link", body = Guardianship, headers(("ETag" = String, description = "The new version"))),
        (status = 400, description = "Malformed JSON or If-Match", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The role may not change this child's guardianships", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such link to a child in your jurisdiction", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "A second active primary caregiver", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The link changed since that version", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, each named", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match is missing", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn update_guardianship(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    req: HttpRequest,
    body: web::Json<Value>,
) -> Result<HttpResponse, actix_web::Error> {
    let expected = if_match(&req)?;
    let patch = object(body.into_inner())?;
    let link = links::update_guardianship(&state.db, &caller.0, id.into_inner(), expected, &patch)
        .await
        .map_err(ApiError)?;
    Ok(HttpResponse::Ok()
        .insert_header(header::ETag(etag(link.meta.version)))
        .json(Guardianship::from(link)))
}

/// Ends a guardianship today; it stays in the child's history.
#[utoipa::path(delete, path = "/api/v1/guardianships/{id}", tag = "guardianships",
    params(("id" = Uuid, Path, description = "The link's id"),
           ("If-Match" = String, Header, description = "The ETag of the version you read", pattern = r#"^(W/)?"[0-9]{1,18}"$"#)),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Ended", headers(("ETag" = String, description = "The new version"))),
        (status = 400, description = "Malformed If-Match", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The role may not change this child's guardianships", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such link to a child in your jurisdiction", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The link changed since that version", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match is missing", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn end_guardianship(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    req: HttpRequest,
) -> Result<HttpResponse, actix_web::Error> {
    let expected = if_match(&req)?;
    let link = links::end_guardianship(&state.db, &caller.0, id.into_inner(), expected)
        .await
        .map_err(ApiError)?;
    Ok(HttpResponse::NoContent()
        .insert_header(header::ETag(etag(link.meta.version)))
        .finish())
}
