//! The register collections' handlers (list, create, get, patch, archive), as
//! generic functions over a [`Register`] kind (get, patch and archive over any
//! [`Kind`]: nested kinds' handlers call them too), and the macro that writes
//! each kind's documented one-line handlers and mounts them.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::Value;
use shouhu_domain::fields::from_json;
use shouhu_domain::resource::Resource;
use utoipa::IntoParams;
use uuid::Uuid;

use crate::app::AppState;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::idempotent::{self, Created};
use crate::kind::{Access as _, Kind, Register};
use crate::rest::{
    changed_response, encode_cursor, etag, expected_version, if_match, list_params, not_modified, object,
    record_response,
};
use crate::transport::is_head;

/// Lists a page of records, filtered by the query string.
pub async fn list<K: Register>(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
) -> Result<HttpResponse, actix_web::Error> {
    let (params, page) = list_params(&req, state.settings.serve.max_page_size)?;
    let page = shouhu_domain::service::list::<K::Record, shouhu_persistence::Db>(&state.db, &caller.0, &params, page)
        .await
        .map_err(ApiError)?;
    Ok(HttpResponse::Ok().json(K::page(
        page.items.into_iter().map(K::from).collect(),
        page.next_after.map(encode_cursor),
    )))
}

/// Registers a record, at most once per `Idempotency-Key`.
pub async fn create<K: Register>(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    body: web::Json<Value>,
) -> Result<HttpResponse, actix_web::Error> {
    let key = idempotency_key(&req)?;
    let input = from_json(object(body.into_inner())?);
    let created = idempotent::create_record::<K::Record>(&state, &caller.0, key.as_deref(), input)
        .await
        .map_err(ApiError)?;
    Ok(created_response::<K>(created))
}

/// Reads one record (304 when `If-None-Match` names its version).
pub async fn get<K: Kind>(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    req: HttpRequest,
) -> Result<HttpResponse, actix_web::Error> {
    let record = K::Access::read(&state.db, &caller.0, id.into_inner())
        .await
        .map_err(ApiError)?;
    if let Some(res) = not_modified(&req, record.meta().version) {
        return Ok(res);
    }
    // A HEAD sends no body, so it discloses nothing to log.
    if !is_head(&req) {
        K::Access::sent(&state.db, &caller.0, &record).await.map_err(ApiError)?;
    }
    Ok(record_response::<K>(record))
}

/// Applies a JSON merge patch at the version `If-Match` names.
pub async fn update<K: Kind>(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    req: HttpRequest,
    body: web::Json<Value>,
) -> Result<HttpResponse, actix_web::Error> {
    let precondition = if_match(&req)?;
    let patch = from_json(object(body.into_inner())?);
    let id = id.into_inner();
    let expected = current_or_named::<K>(&state, &caller, id, precondition).await?;
    let record = K::Access::update(&state.db, &caller.0, id, expected, patch)
        .await
        .map_err(ApiError)?;
    Ok(record_response::<K>(record))
}

/// Archives a register record, or ends (withdraws, cancels) a nested one, at
/// the version `If-Match` names.
pub async fn retire<K: Kind>(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    req: HttpRequest,
) -> Result<HttpResponse, actix_web::Error> {
    let precondition = if_match(&req)?;
    let id = id.into_inner();
    let expected = current_or_named::<K>(&state, &caller, id, precondition).await?;
    let record = K::Access::retire(&state.db, &caller.0, id, expected)
        .await
        .map_err(ApiError)?;
    Ok(changed_response(&record))
}

/// The version `If-Match` bases a write on (see [`expected_version`]).
async fn current_or_named<K: Kind>(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
    precondition: crate::rest::Precondition,
) -> Result<i64, actix_web::Error> {
    let current = async {
        K::Access::read(&state.db, &caller.0, id)
            .await
            .map(|r| r.meta().version)
    };
    Ok(expected_version(precondition, current).await.map_err(ApiError)?)
}

/// The `Idempotency-Key` header, if sent.
pub fn idempotency_key(req: &HttpRequest) -> Result<Option<String>, actix_web::Error> {
    match req.headers().get("idempotency-key") {
        None => Ok(None),
        Some(v) => match v.to_str() {
            Ok(s) => Ok(Some(s.to_owned())),
            Err(_) => Err(crate::error::bad_request(shouhu_domain::msg!("idempotency.not_ascii"))),
        },
    }
}

/// 201 with `Location`, `ETag` and, for a replay, `Idempotent-Replayed: true`.
pub fn created_response<K: Kind>(created: Created<K::Record>) -> HttpResponse {
    let meta = created.record.meta();
    let mut res = HttpResponse::Created();
    res.insert_header((header::LOCATION, format!("{}/{}", K::COLLECTION, meta.id)))
        .insert_header(header::ETag(etag(meta.version)));
    if created.replayed {
        res.insert_header(("Idempotent-Replayed", "true"));
    }
    res.json(K::from(created.record))
}

/// The page of every list.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListPageParams {
    /// Page size, 1–500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
    /// `next_cursor` of the previous page.
    #[param(pattern = r"^c1\.[0-9a-f]{32}$")]
    pub cursor: Option<String>,
}

/// Filters of every list (and of every export).
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CommonParams {
    /// A 12-digit region code: only records in its subtree (intersected with your jurisdiction).
    #[param(pattern = r"^(?:0[1-9]|[1-9][0-9])[0-9]{10}$")]
    pub region: Option<String>,
    /// Only records changed at or after this RFC 3339 instant.
    #[param(format = DateTime)]
    pub updated_since: Option<String>,
    /// Name starts with this text: 1–50 characters once surrounding white space is trimmed, no control characters.
    #[param(
        pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000](?:[^\x00-\x1f\x7f-\x9f]{0,48}[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000])?[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
    )]
    pub q: Option<String>,
}

/// Writes a register kind's five documented handlers, each a one-line call of
/// the generic function above, and its `routes`.
macro_rules! register_rest {
    (
        kind = $kind:ident, list_body = $list_body:ident,
        create_body = $create_body:ty, patch_body = $patch_body:ty, params = $params:ty,
        collection = $collection:literal, item = $item:literal, tag = $tag:literal, about = $about:literal,
        $(#[doc = $list_doc:literal])* list = $list_fn:ident,
        $(#[doc = $create_doc:literal])* create = $create_fn:ident,
        $(#[doc = $get_doc:literal])* get = $get_fn:ident,
        $(#[doc = $update_doc:literal])* update = $update_fn:ident,
        $(#[doc = $archive_doc:literal])* archive = $archive_fn:ident,
        export_path = $export_path:literal,
        $(#[doc = $export_doc:literal])* export = $export_fn:ident $(,)?
    ) => {
        $(#[doc = $export_doc])*
        #[utoipa::path(get, path = $export_path, tag = $tag, description = "Every record the list holds with the same filters (your whole jurisdiction, masked as you read it), as one file streamed while it is read: no paging, no second request. `csv` is UTF-8 with a BOM (Excel opens it as it is), Chinese headers (`headers=en` for the REST field names and values); a text cell that a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`, a tab or a carriage return) gets a leading `'`. `xlsx` is one sheet (at most 1 048 575 records: more is 422), written whole before it is sent. `ndjson` is one record per line, exactly as the list sends it. The export is one entry of the read log (`/audit-events/reads`, reason `export`) with the record count; the children whose data goes out unmasked are noted before each batch is sent. A failure part way cuts the transfer short, so a partial file never looks complete.",
            params($crate::export::ExportParams, $crate::rest::record::CommonParams, $params), security(("bearer" = [])),
            responses(
                (status = 200, description = "The file, streamed", content(
                    (String = "text/csv"),
                    (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
                    (String = "application/x-ndjson"),
                ), headers(("Content-Disposition" = String, description = "`attachment` with a file name such as `children-20261202.csv`"))),
                (status = 400, description = "A bad parameter, each named (`limit` and `cursor` included: an export holds every page)", body = $crate::error::Problem, content_type = "application/problem+json"),
                (status = 401, description = "No or bad token", body = $crate::error::Problem, content_type = "application/problem+json"),
                (status = 422, description = "Too many records for one xlsx sheet: use csv or ndjson, or filter", body = $crate::error::Problem, content_type = "application/problem+json"),
            ))]
        pub async fn $export_fn(state: ::actix_web::web::Data<$crate::app::AppState>, caller: $crate::auth::Caller, req: ::actix_web::HttpRequest) -> Result<::actix_web::HttpResponse, ::actix_web::Error> {
            $crate::export::export::<$kind>(state, caller, req).await
        }

        $(#[doc = $list_doc])*
        #[utoipa::path(get, path = $collection, tag = $tag, description = "Only records in your jurisdiction (your region's subtree). Filters combine; a bad or repeated parameter, or one this collection does not have, is 400 with each one named. Keyset-paginated: pass `next_cursor` back as `cursor` for the next page; it is null on the last one.", params($crate::rest::record::ListPageParams, $crate::rest::record::CommonParams, $params), security(("bearer" = [])),
            responses(
                (status = 200, description = "A page of records", body = $list_body),
                (status = 400, description = "A bad parameter, each named", body = $crate::error::Problem, content_type = "application/problem+json"),
                (status = 401, description = "No or bad token", body = $crate::error::Problem, content_type = "application/problem+json"),
            ))]
        pub async fn $list_fn(state: ::actix_web::web::Data<$crate::app::AppState>, caller: $crate::auth::Caller, req: ::actix_web::HttpRequest) -> Result<::actix_web::HttpResponse, ::actix_web::Error> {
            $crate::rest::record::list::<$kind>(state, caller, req).await
        }

        $(#[doc = $create_doc])*
        #[utoipa::path(post, path = $collection, tag = $tag, description = "The body is checked as a whole: every bad field is named in one 422, unknown and read-only fields included; a body that matches the schema can still break a rule that needs the register's data or today's date, which a schema cannot state: a region that exists, lies in your jurisdiction and has the record's level; a date not in the future, or in order with another field (an end after its start); a resident ID number's GB 11643 check character, and the birth date and gender it encodes; a status change the record's lifecycle allows. Those are 422 too, each field named with its code. With `Idempotency-Key`, a retry answers again with the record the first request made instead of registering it twice.", request_body = $create_body, security(("bearer" = [])),
            params(("Idempotency-Key" = Option<String>, Header, pattern = r"^[!-~]{1,255}$", description = "Makes retries safe: the same key with the same body answers again with the record the first request created (with `Idempotent-Replayed: true`), read as you may read it now (404 once it left your jurisdiction), and creates nothing new; the same key with another body is 422. Keys are per caller, 1–255 visible ASCII characters, kept 7 days by default.")),
            responses(
                (status = 201, description = "Registered (or, with `Idempotent-Replayed: true`, registered earlier with this key); `Location` names it, `ETag` is its version", body = $kind,
                    headers(("Location" = String, description = "The new record's URL"), ("ETag" = String, description = "The version, quoted"),
                            ("Idempotent-Replayed" = String, description = "`true` when this answers again an earlier request with the same key (its record, read as you may read it now)"))),
                (status = 400, description = "Malformed JSON", body = $crate::error::Problem, content_type = "application/problem+json"),
                (status = 401, description = "No or bad token", body = $crate::error::Problem, content_type = "application/problem+json"),
                (status = 403, description = "The role may not register this", body = $crate::error::Problem, content_type = "application/problem+json"),
                (status = 409, description = "A unique value (an ID number) is already registered, or a request with this Idempotency-Key is still in progress", body = $crate::error::Problem, content_type = "application/problem+json"),
                (status = 413, description = "Body too large", body = $crate::error::Problem, content_type = "application/problem+json"),
                (status = 415, description = "Not application/json", body = $crate::error::Problem, content_type = "application/problem+json"),
                (status = 422, description = "Invalid fields, each named: also a well-formed value the register refuses (a region that does not exist or lies outside your jurisdiction, an ID number whose check character is wrong, a date out of order or in the future), and an `Idempotency-Key` already used with another body", body = $crate::error::Problem, content_type = "application/problem+json"),
            ))]
        pub async fn $create_fn(state: ::actix_web::web::Data<$crate::app::AppState>, caller: $crate::auth::Caller, req: ::actix_web::HttpRequest, body: ::actix_web::web::Json<::serde_json::Value>) -> Result<::actix_web::HttpResponse, ::actix_web::Error> {
            $crate::rest::record::create::<$kind>(state, caller, req, body).await
        }

        $(#[doc = $get_doc])*
        #[utoipa::path(get, path = $item, tag = $tag, description = "A record outside your jurisdiction is 404, exactly like one that does not exist. With `If-None-Match` naming the current `ETag`, the answer is 304 with no body.",
            params(("id" = ::uuid::Uuid, Path, description = "The record's id"), ("If-None-Match" = Option<String>, Header, description = "The ETag of the version you hold, such as \"3\": when it is still the current one, the answer is 304 with no body")),
            security(("bearer" = [])),
            responses(
                (status = 200, description = "The record; `ETag` is its version", body = $kind,
                    headers(("ETag" = String, description = "The version, quoted"))),
                (status = 304, description = "Not modified: `If-None-Match` names the current version; no body, the `ETag` again (and no read-log entry)",
                    headers(("ETag" = String, description = "The version, quoted"))),
                (status = 400, description = "The id is not a UUID", body = $crate::error::Problem, content_type = "application/problem+json"),
                (status = 401, description = "No or bad token", body = $crate::error::Problem, content_type = "application/problem+json"),
                (status = 404, description = "No such record in your jurisdiction", body = $crate::error::Problem, content_type = "application/problem+json"),
            ))]
        pub async fn $get_fn(state: ::actix_web::web::Data<$crate::app::AppState>, caller: $crate::auth::Caller, id: ::actix_web::web::Path<::uuid::Uuid>, req: ::actix_web::HttpRequest) -> Result<::actix_web::HttpResponse, ::actix_web::Error> {
            $crate::rest::record::get::<$kind>(state, caller, id, req).await
        }

        $(#[doc = $update_doc])*
        #[utoipa::path(patch, path = $item, tag = $tag, description = "A JSON merge patch (RFC 7396): fields left out keep their value, `null` clears a field the schema makes nullable and is 422 `required` for one it does not (a name, a kind). `If-Match` must name the version you read: 428 without it, 412 when the record changed since; nothing changes then. As at registration, a body that matches the schema can still break a rule that needs the register's data or today's date, which a schema cannot state: a region that exists, lies in your jurisdiction and has the record's level; a date not in the future, or in order with another field (an end after its start); a resident ID number's GB 11643 check character, and the birth date and gender it encodes; a status change the record's lifecycle allows. Those are 422 too, each field named with its code.", request_body(content = $patch_body, content_type = "application/merge-patch+json"),
            params(("id" = ::uuid::Uuid, Path, description = "The record's id"),
                   ("If-Match" = String, Header, description = "The ETag of the version you read, such as \"3\", compared strongly (a weak W/\"3\" never matches: 412); several may be listed; * bases the write on whatever version is current", pattern = r#"^(\*|(W/)?"[0-9]{1,18}"( *, *(W/)?"[0-9]{1,18}")*)$"#)),
            security(("bearer" = [])),
            responses(
                (status = 200, description = "The changed record", body = $kind, headers(("ETag" = String, description = "The new version"))),
                (status = 400, description = "Malformed JSON or If-Match", body = $crate::error::Problem, content_type = "application/problem+json"),
                (status = 401, description = "No or bad token", body = $crate::error::Problem, content_type = "application/problem+json"),
                (status = 403, description = "The role may not change this record or one of these fields; nothing changed", body = $crate::error::Problem, content_type = "application/problem+json"),
                (status = 404, description = "No such record in your jurisdiction", body = $crate::error::Problem, content_type = "application/problem+json"),
                (status = 409, description = "A unique value is already registered", body = $crate::error::Problem, content_type = "application/problem+json"),
                (status = 412, description = "The record changed since that version; nothing changed", body = $crate::error::Problem, content_type = "application/problem+json"),
                (status = 415, description = "Not JSON", body = $crate::error::Problem, content_type = "application/problem+json"),
                (status = 422, description = "Invalid fields, each named: also a well-formed value the register refuses (a region that does not exist or lies outside your jurisdiction, an ID number whose check character is wrong, a date out of order or in the future), and an `Idempotency-Key` already used with another body; nothing changed", body = $crate::error::Problem, content_type = "application/problem+json"),
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

        $(#[doc = $archive_doc])*
        #[utoipa::path(delete, path = $item, tag = $tag, description = "`If-Match` must name the version you read: 428 without it, 412 when the record changed since. The record is kept, with its history and audit trail.",
            params(("id" = ::uuid::Uuid, Path, description = "The record's id"),
                   ("If-Match" = String, Header, description = "The ETag of the version you read, such as \"3\", compared strongly (a weak W/\"3\" never matches: 412); several may be listed; * bases the write on whatever version is current", pattern = r#"^(\*|(W/)?"[0-9]{1,18}"( *, *(W/)?"[0-9]{1,18}")*)$"#)),
            security(("bearer" = [])),
            responses(
                (status = 204, description = "Archived (kept, hidden from default lists)", headers(("ETag" = String, description = "The new version"))),
                (status = 400, description = "Malformed If-Match", body = $crate::error::Problem, content_type = "application/problem+json"),
                (status = 401, description = "No or bad token", body = $crate::error::Problem, content_type = "application/problem+json"),
                (status = 403, description = "The role may not archive this", body = $crate::error::Problem, content_type = "application/problem+json"),
                (status = 404, description = "No such record in your jurisdiction", body = $crate::error::Problem, content_type = "application/problem+json"),
                (status = 412, description = "The record changed since that version", body = $crate::error::Problem, content_type = "application/problem+json"),
                (status = 428, description = "If-Match is missing", body = $crate::error::Problem, content_type = "application/problem+json"),
            ))]
        pub async fn $archive_fn(state: ::actix_web::web::Data<$crate::app::AppState>, caller: $crate::auth::Caller, id: ::actix_web::web::Path<::uuid::Uuid>, req: ::actix_web::HttpRequest) -> Result<::actix_web::HttpResponse, ::actix_web::Error> {
            $crate::rest::record::retire::<$kind>(state, caller, id, req).await
        }

        /// Mounts the routes, with their OpenAPI entries.
        pub fn routes(routes: &mut $crate::rest::Routes) {
            routes.tag($tag, $about);
            // The export's path before the record's, which would take `export` for an id.
            $crate::rest::mount!(routes; $export_fn, $list_fn, $create_fn, $get_fn, $update_fn, $archive_fn);
        }
    };
}
pub(crate) use register_rest;
