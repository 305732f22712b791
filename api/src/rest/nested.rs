//! Records seen through another (a child's guardianships, a place's
//! enrolments, a volunteer's pairings, a child's visits, a session's
//! attendance): their list and create handlers as generic functions over a
//! [`Nested`] kind (get, patch and end are `rest::record`'s, as for every
//! kind), and the macro that writes each kind's documented one-line handlers.

use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::Value;
use shouhu_domain::fields::from_json;
use shouhu_domain::nested;
use shouhu_persistence::Db;
use uuid::Uuid;

use crate::app::AppState;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::idempotent;
use crate::kind::Nested;
use crate::rest::record::{created_response, idempotency_key};
use crate::rest::{encode_cursor, list_params, object};
use shouhu_domain::resource::{Page, PageRequest};

/// Lists a page of the records of a parent, current and ended.
pub async fn list<K: Nested>(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    req: HttpRequest,
) -> Result<HttpResponse, actix_web::Error> {
    let page = page_params(&req, state.settings.serve.max_page_size)?;
    list_response::<K>(nested::list_of::<K::Record, Db>(&state.db, &caller.0, id.into_inner(), page).await)
}

/// The parameters of a relation list (a parent's records, a child's pairings …).
#[derive(Debug, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// Page size, 1–500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
    /// `next_cursor` of the previous page.
    #[param(pattern = r"^c1\.[0-9a-f]{32}$")]
    pub cursor: Option<String>,
}

/// The page a relation list asks for: `limit` and `cursor` only (a relation
/// list has no filters; any other parameter is 400 `unknown_parameter`).
pub fn page_params(req: &HttpRequest, max: u64) -> Result<PageRequest, ApiError> {
    let (filters, page) = list_params(req, max)?;
    if filters.is_empty() {
        return Ok(page);
    }
    Err(ApiError(shouhu_domain::Error::InvalidParameters(
        filters
            .into_iter()
            .map(|(name, _)| {
                shouhu_domain::FieldError::new(name, "unknown_parameter", shouhu_domain::msg!("param.relation_only"))
            })
            .collect(),
    )))
}

/// 200 with a page of the records found, as REST lists them: a parent's, or
/// those of another record they concern (a child's pairings, a guardian's training).
pub fn list_response<K: Nested>(
    found: shouhu_domain::Result<Page<K::Record>>,
) -> Result<HttpResponse, actix_web::Error> {
    let page = found.map_err(ApiError)?;
    Ok(HttpResponse::Ok().json(K::list(
        page.items.into_iter().map(K::from).collect(),
        page.next_after.map(encode_cursor),
    )))
}

/// Records a new record of a parent, at most once per `Idempotency-Key`.
pub async fn create<K: Nested>(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    req: HttpRequest,
    body: web::Json<Value>,
) -> Result<HttpResponse, actix_web::Error> {
    let key = idempotency_key(&req)?;
    let input = from_json(object(body.into_inner())?);
    let created = idempotent::create_nested::<K::Record>(&state, &caller.0, key.as_deref(), id.into_inner(), input)
        .await
        .map_err(ApiError)?;
    Ok(created_response::<K>(created))
}

/// Writes a nested kind's five documented handlers, each a one-line call of
/// a generic function (above, or `rest::record`'s), and its `routes`, which
/// also mount the kind's own documented handlers named in `also`.
macro_rules! nested_rest {
    (
        kind = $kind:ident, list_body = $list_body:ident,
        create_body = $create_body:ty, patch_body = $patch_body:ty,
        collection = $collection:literal, item = $item:literal, tag = $tag:literal, about = $about:literal,
        parent = $parent:literal, limit_409 = $limit_409:literal, end = $end:literal,
        $(#[doc = $list_doc:literal])* list = $list_fn:ident,
        $(#[doc = $create_doc:literal])* create = $create_fn:ident,
        $(#[doc = $get_doc:literal])* get = $get_fn:ident,
        $(#[doc = $update_doc:literal])* update = $update_fn:ident,
        $(#[doc = $end_doc:literal])* end = $end_fn:ident
        $(, also = [$($also:ident),+ $(,)?])? $(,)?
    ) => {
        $(#[doc = $list_doc])*
        #[utoipa::path(get, path = $collection, tag = $tag, description = "A page of the records under one parent (limit, cursor, next_cursor, as every list), oldest first; 404 when the parent is not one you may see.",
            params(("id" = ::uuid::Uuid, Path, description = $parent), $crate::rest::nested::PageParams), security(("bearer" = [])),
            responses(
                (status = 200, description = "A page of the records, oldest first", body = $list_body),
                (status = 400, description = "The id is not a UUID, or a bad limit, cursor or other parameter", body = $crate::error::Problem, content_type = "application/problem+json"),
                (status = 401, description = "No or bad token", body = $crate::error::Problem, content_type = "application/problem+json"),
                (status = 404, description = "No such parent record in your jurisdiction, or your role may not read these records", body = $crate::error::Problem, content_type = "application/problem+json"),
            ))]
        pub async fn $list_fn(state: ::actix_web::web::Data<$crate::app::AppState>, caller: $crate::auth::Caller, id: ::actix_web::web::Path<::uuid::Uuid>, req: ::actix_web::HttpRequest) -> Result<::actix_web::HttpResponse, ::actix_web::Error> {
            $crate::rest::nested::list::<$kind>(state, caller, id, req).await
        }

        $(#[doc = $create_doc])*
        #[utoipa::path(post, path = $collection, tag = $tag, description = "The body is checked as a whole: every bad field is named in one 422, unknown and read-only fields included. A body that matches the schema can still break a rule that needs the register's data or today's date, which a schema cannot state: a referenced record (child, guardian, volunteer, attendee) must exist in your jurisdiction and not be archived; dates keep their order and stay out of the future where the field says so; the parent must accept it (an approved volunteer, a session that has not ended). Those are 422 too, each field named with its code. With `Idempotency-Key`, a retry answers again with the record the first request made instead of recording it twice.", request_body = $create_body,
            params(("id" = ::uuid::Uuid, Path, description = $parent),
                   ("Idempotency-Key" = Option<String>, Header, pattern = r"^[!-~]{1,255}$", description = "Makes retries safe, as for every create")),
            security(("bearer" = [])),
            responses(
                (status = 201, description = "Recorded; `Location` names it, `ETag` is its version", body = $kind,
                    headers(("Location" = String, description = "The record's URL"), ("ETag" = String, description = "The version"),
                            ("Idempotent-Replayed" = String, description = "`true` for a replayed answer"))),
                (status = 400, description = "Malformed JSON or id", body = $crate::error::Problem, content_type = "application/problem+json"),
                (status = 401, description = "No or bad token", body = $crate::error::Problem, content_type = "application/problem+json"),
                (status = 403, description = "The role may not record this", body = $crate::error::Problem, content_type = "application/problem+json"),
                (status = 404, description = "No such parent record in your jurisdiction", body = $crate::error::Problem, content_type = "application/problem+json"),
                (status = 409, description = $limit_409, body = $crate::error::Problem, content_type = "application/problem+json"),
                (status = 413, description = "Body too large", body = $crate::error::Problem, content_type = "application/problem+json"),
                (status = 415, description = "Not JSON", body = $crate::error::Problem, content_type = "application/problem+json"),
                (status = 422, description = "Invalid fields, each named: also a well-formed value the register refuses (a referenced record that does not exist in your jurisdiction or is archived, a date out of order or in the future), and an `Idempotency-Key` already used with another body", body = $crate::error::Problem, content_type = "application/problem+json"),
            ))]
        pub async fn $create_fn(
            state: ::actix_web::web::Data<$crate::app::AppState>,
            caller: $crate::auth::Caller,
            id: ::actix_web::web::Path<::uuid::Uuid>,
            req: ::actix_web::HttpRequest,
            body: ::actix_web::web::Json<::serde_json::Value>,
        ) -> Result<::actix_web::HttpResponse, ::actix_web::Error> {
            $crate::rest::nested::create::<$kind>(state, caller, id, req, body).await
        }

        $(#[doc = $get_doc])*
        #[utoipa::path(get, path = $item, tag = $tag, description = "404 when the record, or the record it belongs to, is not one you may see. With `If-None-Match` naming the current `ETag`, the answer is 304 with no body.",
            params(("id" = ::uuid::Uuid, Path, description = "The record's id"), ("If-None-Match" = Option<String>, Header, description = "The ETag of the version you hold, such as \"3\": when it is still the current one, the answer is 304 with no body")),
            security(("bearer" = [])),
            responses(
                (status = 200, description = "The record", body = $kind, headers(("ETag" = String, description = "The version"))),
                (status = 304, description = "Not modified: `If-None-Match` names the current version; no body, the `ETag` again",
                    headers(("ETag" = String, description = "The version, quoted"))),
                (status = 400, description = "The id is not a UUID", body = $crate::error::Problem, content_type = "application/problem+json"),
                (status = 401, description = "No or bad token", body = $crate::error::Problem, content_type = "application/problem+json"),
                (status = 404, description = "No such record that you may see", body = $crate::error::Problem, content_type = "application/problem+json"),
            ))]
        pub async fn $get_fn(state: ::actix_web::web::Data<$crate::app::AppState>, caller: $crate::auth::Caller, id: ::actix_web::web::Path<::uuid::Uuid>, req: ::actix_web::HttpRequest) -> Result<::actix_web::HttpResponse, ::actix_web::Error> {
            $crate::rest::record::get::<$kind>(state, caller, id, req).await
        }

        $(#[doc = $update_doc])*
        #[utoipa::path(patch, path = $item, tag = $tag, description = "A JSON merge patch (RFC 7396): fields left out keep their value, `null` clears a field the schema makes nullable and is 422 `required` for one it does not. `If-Match` must name the version you read: 428 without it, 412 when the record changed since; nothing changes then. The rules of its creation apply (dates in order, not in the future where the field says so), and an ended record cannot change: 422, each field named.",
            request_body(content = $patch_body, content_type = "application/merge-patch+json"),
            params(("id" = ::uuid::Uuid, Path, description = "The record's id"),
                   ("If-Match" = String, Header, description = "The ETag of the version you read, such as \"3\", compared strongly (a weak W/\"3\" never matches: 412); several may be listed; * bases the write on whatever version is current", pattern = r#"^(\*|(W/)?"[0-9]{1,18}"( *, *(W/)?"[0-9]{1,18}")*)$"#)),
            security(("bearer" = [])),
            responses(
                (status = 200, description = "The changed record", body = $kind, headers(("ETag" = String, description = "The new version"))),
                (status = 400, description = "Malformed JSON or If-Match", body = $crate::error::Problem, content_type = "application/problem+json"),
                (status = 401, description = "No or bad token", body = $crate::error::Problem, content_type = "application/problem+json"),
                (status = 403, description = "The role may not change this", body = $crate::error::Problem, content_type = "application/problem+json"),
                (status = 404, description = "No such record", body = $crate::error::Problem, content_type = "application/problem+json"),
                (status = 409, description = "The change collides with another record in force (for a guardianship: a second primary caregiver of the child)", body = $crate::error::Problem, content_type = "application/problem+json"),
                (status = 412, description = "The record changed since that version", body = $crate::error::Problem, content_type = "application/problem+json"),
                (status = 415, description = "Not JSON", body = $crate::error::Problem, content_type = "application/problem+json"),
                (status = 422, description = "Invalid fields, each named: also a well-formed value the register refuses (a referenced record that does not exist in your jurisdiction or is archived, a date out of order or in the future), and an `Idempotency-Key` already used with another body; an ended record cannot change", body = $crate::error::Problem, content_type = "application/problem+json"),
                (status = 428, description = "If-Match is missing", body = $crate::error::Problem, content_type = "application/problem+json"),
            ))]
        pub async fn $update_fn(
            state: ::actix_web::web::Data<$crate::app::AppState>,
            caller: $crate::auth::Caller,
            id: ::actix_web::web::Path<::uuid::Uuid>,
            req: ::actix_web::HttpRequest,
            body: ::actix_web::web::Json<::serde_json::Value>,
        ) -> Result<::actix_web::HttpResponse, ::actix_web::Error> {
            $crate::rest::record::update::<$kind>(state, caller, id, req, body).await
        }

        $(#[doc = $end_doc])*
        #[utoipa::path(delete, path = $item, tag = $tag, description = "`If-Match` must name the version you read: 428 without it, 412 when the record changed since. The record stays in the history.",
            params(("id" = ::uuid::Uuid, Path, description = "The record's id"),
                   ("If-Match" = String, Header, description = "The ETag of the version you read, such as \"3\", compared strongly (a weak W/\"3\" never matches: 412); several may be listed; * bases the write on whatever version is current", pattern = r#"^(\*|(W/)?"[0-9]{1,18}"( *, *(W/)?"[0-9]{1,18}")*)$"#)),
            security(("bearer" = [])),
            responses(
                (status = 204, description = $end, headers(("ETag" = String, description = "The new version"))),
                (status = 400, description = "Malformed If-Match", body = $crate::error::Problem, content_type = "application/problem+json"),
                (status = 401, description = "No or bad token", body = $crate::error::Problem, content_type = "application/problem+json"),
                (status = 403, description = "The role may not change this", body = $crate::error::Problem, content_type = "application/problem+json"),
                (status = 404, description = "No such record", body = $crate::error::Problem, content_type = "application/problem+json"),
                (status = 412, description = "The record changed since that version", body = $crate::error::Problem, content_type = "application/problem+json"),
                (status = 428, description = "If-Match is missing", body = $crate::error::Problem, content_type = "application/problem+json"),
            ))]
        pub async fn $end_fn(state: ::actix_web::web::Data<$crate::app::AppState>, caller: $crate::auth::Caller, id: ::actix_web::web::Path<::uuid::Uuid>, req: ::actix_web::HttpRequest) -> Result<::actix_web::HttpResponse, ::actix_web::Error> {
            $crate::rest::record::retire::<$kind>(state, caller, id, req).await
        }

        /// Mounts the routes, with their OpenAPI entries.
        pub fn routes(routes: &mut $crate::rest::Routes) {
            routes.tag($tag, $about);
            $crate::rest::mount!(routes; $list_fn, $create_fn, $get_fn, $update_fn, $end_fn $($(, $also)+)?);
        }
    };
}
pub(crate) use nested_rest;

/// Writes a documented handler that lists, a page at a time, records of a
/// nested kind found through another record than their parent (a child's
/// enrolments, a guardian's training history), as `load` reads them.
macro_rules! relation_rest {
    (
        $(#[doc = $doc:literal])*
        $name:ident: $kind:ident, list = $list:ident, path = $path:literal, tag = $tag:literal, operation_id = $op:literal,
        id = $id:literal, found = $found:literal, not_found = $not_found:literal, load = $load:path $(,)?
    ) => {
        $(#[doc = $doc])*
        #[utoipa::path(get, path = $path, tag = $tag, operation_id = $op,
            params(("id" = Uuid, Path, description = $id), $crate::rest::nested::PageParams), security(("bearer" = [])),
            responses(
                (status = 200, description = $found, body = $list),
                (status = 400, description = "The id is not a UUID, or a bad limit, cursor or other parameter", body = $crate::error::Problem, content_type = "application/problem+json"),
                (status = 401, description = "No or bad token", body = $crate::error::Problem, content_type = "application/problem+json"),
                (status = 404, description = $not_found, body = $crate::error::Problem, content_type = "application/problem+json"),
            ))]
        pub async fn $name(
            state: ::actix_web::web::Data<$crate::app::AppState>,
            caller: $crate::auth::Caller,
            id: ::actix_web::web::Path<::uuid::Uuid>,
            req: ::actix_web::HttpRequest,
        ) -> Result<::actix_web::HttpResponse, ::actix_web::Error> {
            let page = $crate::rest::nested::page_params(&req, state.settings.serve.max_page_size)?;
            $crate::rest::nested::list_response::<$kind>($load(&state.db, &caller.0, id.into_inner(), page).await)
        }
    };
}
pub(crate) use relation_rest;
