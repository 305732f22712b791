//! The five register collections: list, create, get, patch, archive. One
//! macro writes each collection's handlers so that they cannot drift apart.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;
use serde_json::Value;
use shouhu_domain::fields::from_json;
use shouhu_domain::resource::Resource;
use shouhu_domain::service;
use shouhu_persistence::Db;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::app::AppState;
use crate::auth::Caller;
use crate::dto::*;
use crate::error::{ApiError, Problem};
use crate::idempotent::{self, Created};
use crate::rest::{encode_cursor, etag, if_match, list_params, not_modified, object};
use crate::transport::is_head;

macro_rules! rest_resource {
    (
        record = $record:ty, dto = $dto:ident, list_body = $list_body:ident,
        create_body = $create_body:ty, patch_body = $patch_body:ty, params = $params:ty,
        collection = $collection:literal, item = $item:literal, tag = $tag:literal,
        $(#[doc = $list_doc:literal])* list = $list_fn:ident,
        $(#[doc = $create_doc:literal])* create = $create_fn:ident,
        $(#[doc = $get_doc:literal])* get = $get_fn:ident,
        $(#[doc = $update_doc:literal])* update = $update_fn:ident,
        $(#[doc = $archive_doc:literal])* archive = $archive_fn:ident $(,)?
    ) => {
        /// One page of the collection.
        #[derive(Debug, Serialize, ToSchema)]
        pub struct $list_body {
            /// The records, oldest first.
            pub items: Vec<$dto>,
            /// Pass as `cursor` for the next page; `null` on the last page.
            #[schema(example = "c1.019ac4f27b1e7cc09a513f0e6d1b2c4d")]
            pub next_cursor: Option<String>,
        }

        $(#[doc = $list_doc])*
        #[utoipa::path(get, path = $collection, tag = $tag, params(CommonParams, $params), security(("bearer" = [])),
            responses(
                (status = 200, description = "A page of records", body = $list_body),
                (status = 400, description = "A bad parameter, each named", body = Problem, content_type = "application/problem+json"),
                (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
            ))]
        pub async fn $list_fn(state: web::Data<AppState>, caller: Caller, req: HttpRequest) -> Result<HttpResponse, actix_web::Error> {
            let (params, page) = list_params(&req, state.settings.serve.max_page_size)?;
            let page = service::list::<$record, Db>(&state.db, &caller.0, &params, page).await.map_err(ApiError)?;
            Ok(HttpResponse::Ok().json($list_body {
                items: page.items.into_iter().map($dto::from).collect(),
                next_cursor: page.next_after.map(encode_cursor),
            }))
        }

        $(#[doc = $create_doc])*
        #[utoipa::path(post, path = $collection, tag = $tag, request_body = $create_body, security(("bearer" = [])),
            params(("Idempotency-Key" = Option<String>, Header, pattern = r"^[!-~]{1,255}$", description = "Makes retries safe: the same key with the same body answers again with the record the first request created (with `Idempotent-Replayed: true`), read as you may read it now (404 once it left your jurisdiction), and creates nothing new; the same key with another body is 422. Keys are per caller, 1–255 visible ASCII characters, kept 7 days by default.")),
            responses(
                (status = 201, description = "Registered (or, with `Idempotent-Replayed: true`, registered earlier with this key); `Location` names it, `ETag` is its version", body = $dto,
                    headers(("Location" = String, description = "The new record's URL"), ("ETag" = String, description = "The version, quoted"),
                            ("Idempotent-Replayed" = String, description = "`true` when this answers again an earlier request with the same key (its record, read as you may read it now)"))),
                (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
                (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
                (status = 403, description = "The role may not register this", body = Problem, content_type = "application/problem+json"),
                (status = 409, description = "A unique value (an ID number) is already registered, or a request with this Idempotency-Key is still in progress", body = Problem, content_type = "application/problem+json"),
                (status = 413, description = "Body too large", body = Problem, content_type = "application/problem+json"),
                (status = 415, description = "Not application/json", body = Problem, content_type = "application/problem+json"),
                (status = 422, description = "Invalid fields, each named", body = Problem, content_type = "application/problem+json"),
            ))]
        pub async fn $create_fn(state: web::Data<AppState>, caller: Caller, req: HttpRequest, body: web::Json<Value>) -> Result<HttpResponse, actix_web::Error> {
            let key = idempotency_key(&req)?;
            let input = from_json(object(body.into_inner())?);
            let created = idempotent::create_record::<$record>(&state, &caller.0, key.as_deref(), input).await.map_err(ApiError)?;
            Ok(created_response::<$record, $dto>($collection, created))
        }

        $(#[doc = $get_doc])*
        #[utoipa::path(get, path = $item, tag = $tag,
            params(("id" = Uuid, Path, description = "The record's id"), ("If-None-Match" = Option<String>, Header, description = "The ETag of the version you hold, such as \"3\": when it is still the current one, the answer is 304 with no body")),
            security(("bearer" = [])),
            responses(
                (status = 200, description = "The record; `ETag` is its version", body = $dto,
                    headers(("ETag" = String, description = "The version, quoted"))),
                (status = 304, description = "Not modified: `If-None-Match` names the current version; no body, the `ETag` again (and no read-log entry)",
                    headers(("ETag" = String, description = "The version, quoted"))),
                (status = 400, description = "The id is not a UUID", body = Problem, content_type = "application/problem+json"),
                (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
                (status = 404, description = "No such record in your jurisdiction", body = Problem, content_type = "application/problem+json"),
            ))]
        pub async fn $get_fn(state: web::Data<AppState>, caller: Caller, id: web::Path<Uuid>, req: HttpRequest) -> Result<HttpResponse, actix_web::Error> {
            let record = service::get_unsent::<$record, Db>(&state.db, &caller.0, id.into_inner()).await.map_err(ApiError)?;
            if let Some(res) = not_modified(&req, record.meta.version) {
                return Ok(res);
            }
            // A HEAD sends no body, so it discloses nothing to log.
            if !is_head(&req) {
                service::sent(&state.db, &caller.0, &record).await.map_err(ApiError)?;
            }
            Ok(HttpResponse::Ok().insert_header(header::ETag(etag(record.meta.version))).json($dto::from(record)))
        }

        $(#[doc = $update_doc])*
        #[utoipa::path(patch, path = $item, tag = $tag, request_body(content = $patch_body, content_type = "application/merge-patch+json"),
            params(("id" = Uuid, Path, description = "The record's id"),
                   ("If-Match" = String, Header, description = "The ETag of the version you read, such as \"3\"", pattern = r#"^(W/)?"[0-9]{1,18}"$"#)),
            security(("bearer" = [])),
            responses(
                (status = 200, description = "The changed record", body = $dto, headers(("ETag" = String, description = "The new version"))),
                (status = 400, description = "Malformed JSON or If-Match", body = Problem, content_type = "application/problem+json"),
                (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
                (status = 403, description = "The role may not change this record or one of these fields; nothing changed", body = Problem, content_type = "application/problem+json"),
                (status = 404, description = "No such record in your jurisdiction", body = Problem, content_type = "application/problem+json"),
                (status = 409, description = "A unique value is already registered", body = Problem, content_type = "application/problem+json"),
                (status = 412, description = "The record changed since that version; nothing changed", body = Problem, content_type = "application/problem+json"),
                (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
                (status = 422, description = "Invalid fields, each named; nothing changed", body = Problem, content_type = "application/problem+json"),
                (status = 428, description = "If-Match is missing", body = Problem, content_type = "application/problem+json"),
            ))]
        pub async fn $update_fn(
            state: web::Data<AppState>,
            caller: Caller,
            id: web::Path<Uuid>,
            req: HttpRequest,
            body: web::Json<Value>,
        ) -> Result<HttpResponse, actix_web::Error> {
            let expected = if_match(&req)?;
            let patch = from_json(object(body.into_inner())?);
            let record = service::update::<$record, Db>(&state.db, &caller.0, id.into_inner(), expected, patch).await.map_err(ApiError)?;
            Ok(HttpResponse::Ok().insert_header(header::ETag(etag(record.meta.version))).json($dto::from(record)))
        }

        $(#[doc = $archive_doc])*
        #[utoipa::path(delete, path = $item, tag = $tag,
            params(("id" = Uuid, Path, description = "The record's id"),
                   ("If-Match" = String, Header, description = "The ETag of the version you read, such as \"3\"", pattern = r#"^(W/)?"[0-9]{1,18}"$"#)),
            security(("bearer" = [])),
            responses(
                (status = 204, description = "Archived (kept, hidden from default lists)", headers(("ETag" = String, description = "The new version"))),
                (status = 400, description = "Malformed If-Match", body = Problem, content_type = "application/problem+json"),
                (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
                (status = 403, description = "The role may not archive this", body = Problem, content_type = "application/problem+json"),
                (status = 404, description = "No such record in your jurisdiction", body = Problem, content_type = "application/problem+json"),
                (status = 412, description = "The record changed since that version", body = Problem, content_type = "application/problem+json"),
                (status = 428, description = "If-Match is missing", body = Problem, content_type = "application/problem+json"),
            ))]
        pub async fn $archive_fn(state: web::Data<AppState>, caller: Caller, id: web::Path<Uuid>, req: HttpRequest) -> Result<HttpResponse, actix_web::Error> {
            let expected = if_match(&req)?;
            let record = service::archive::<$record, Db>(&state.db, &caller.0, id.into_inner(), expected).await.map_err(ApiError)?;
            Ok(HttpResponse::NoContent().insert_header(header::ETag(etag(record.meta.version))).finish())
        }
    };
}

/// The `Idempotency-Key` header, if sent.
pub fn idempotency_key(req: &HttpRequest) -> Result<Option<String>, actix_web::Error> {
    match req.headers().get("idempotency-key") {
        None => Ok(None),
        Some(v) => match v.to_str() {
            Ok(s) => Ok(Some(s.to_owned())),
            Err(_) => Err(crate::error::bad_request("Idempotency-Key must be visible ASCII")),
        },
    }
}

/// 201 with `Location`, `ETag` and, for a replay, `Idempotent-Replayed: true`.
pub fn created_response<T: Resource, D: From<T> + Serialize>(collection: &str, created: Created<T>) -> HttpResponse {
    let meta = created.record.meta();
    let mut res = HttpResponse::Created();
    res.insert_header((header::LOCATION, format!("{collection}/{}", meta.id)))
        .insert_header(header::ETag(etag(meta.version)));
    if created.replayed {
        res.insert_header(("Idempotent-Replayed", "true"));
    }
    res.json(D::from(created.record))
}

/// Filters of every list.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CommonParams {
    /// Page size, 1–500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
    /// `next_cursor` of the previous page.
    #[param(pattern = r"^c1\.[0-9a-f]{32}$")]
    pub cursor: Option<String>,
    /// A 12-digit region code: only records in its subtree (intersected with your jurisdiction).
    #[param(pattern = r"^[0-9]{12}$")]
    pub region: Option<String>,
    /// Only records changed at or after this RFC 3339 instant.
    #[param(format = DateTime)]
    pub updated_since: Option<String>,
    /// Name starts with this text (no control characters).
    #[param(min_length = 1, max_length = 50, pattern = r"^[^\x00-\x1f\x7f]*\S[^\x00-\x1f\x7f]*$")]
    pub q: Option<String>,
}

/// Filters of the children list. Without `status`, archived and aged-out children are left out.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ChildParams {
    #[param(inline)]
    #[allow(missing_docs)]
    pub status: Option<ChildStatus>,
    #[param(inline)]
    #[allow(missing_docs)]
    pub school_status: Option<SchoolStatus>,
    #[param(inline)]
    #[allow(missing_docs)]
    pub school_stage: Option<SchoolStage>,
    #[param(inline)]
    #[allow(missing_docs)]
    pub left_behind_type: Option<LeftBehindType>,
    #[param(inline)]
    #[allow(missing_docs)]
    pub gender: Option<Gender>,
    /// Only children who do not meet this guarantee today (the rules are under `Guarantees`).
    #[param(inline)]
    pub guarantee_unmet: Option<Guarantee>,
}

/// Filters of the guardians list. Without `status`, archived guardians are left out.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct GuardianParams {
    #[param(inline)]
    #[allow(missing_docs)]
    pub status: Option<RecordStatus>,
}

/// Filters of the care-centers list.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CareCenterParams {
    #[param(inline)]
    #[allow(missing_docs)]
    pub kind: Option<CareCenterKind>,
    #[param(inline)]
    #[allow(missing_docs)]
    pub status: Option<RecordStatus>,
}

/// Filters of the volunteers list.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct VolunteerParams {
    #[param(inline)]
    #[allow(missing_docs)]
    pub category: Option<VolunteerCategory>,
    #[param(inline)]
    #[allow(missing_docs)]
    pub vetting_status: Option<VettingStatus>,
    #[param(inline)]
    #[allow(missing_docs)]
    pub status: Option<RecordStatus>,
}

/// Filters of the training-sessions list.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TrainingSessionParams {
    #[param(inline)]
    #[allow(missing_docs)]
    pub kind: Option<TrainingKind>,
    #[param(inline)]
    #[allow(missing_docs)]
    pub status: Option<RecordStatus>,
    /// Sessions starting at or after this RFC 3339 instant.
    #[param(format = DateTime)]
    pub starts_from: Option<String>,
    /// Sessions starting before this RFC 3339 instant.
    #[param(format = DateTime)]
    pub starts_before: Option<String>,
}

rest_resource!(
    record = shouhu_domain::child::Child, dto = Child, list_body = ChildList,
    create_body = ChildCreate, patch_body = ChildPatch, params = ChildParams,
    collection = "/api/v1/children", item = "/api/v1/children/{id}", tag = "children",
    /// Lists children in your jurisdiction, oldest first, filtered.
    list = list_children,
    /// Registers a child.
    create = create_child,
    /// Reads one child.
    get = get_child,
    /// Changes a child (JSON merge patch, If-Match required).
    update = update_child,
    /// Archives a child (kept for the record, hidden from default lists).
    archive = archive_child,
);

rest_resource!(
    record = shouhu_domain::guardian::Guardian, dto = Guardian, list_body = GuardianList,
    create_body = GuardianCreate, patch_body = GuardianPatch, params = GuardianParams,
    collection = "/api/v1/guardians", item = "/api/v1/guardians/{id}", tag = "guardians",
    /// Lists guardians in your jurisdiction.
    list = list_guardians,
    /// Registers a guardian.
    create = create_guardian,
    /// Reads one guardian.
    get = get_guardian,
    /// Changes a guardian (JSON merge patch, If-Match required).
    update = update_guardian,
    /// Archives a guardian.
    archive = archive_guardian,
);

rest_resource!(
    record = shouhu_domain::care_center::CareCenter, dto = CareCenter, list_body = CareCenterList,
    create_body = CareCenterCreate, patch_body = CareCenterPatch, params = CareCenterParams,
    collection = "/api/v1/care-centers", item = "/api/v1/care-centers/{id}", tag = "care-centers",
    /// Lists care places in your jurisdiction.
    list = list_care_centers,
    /// Registers a care place.
    create = create_care_center,
    /// Reads one care place.
    get = get_care_center,
    /// Changes a care place (JSON merge patch, If-Match required).
    update = update_care_center,
    /// Archives a care place.
    archive = archive_care_center,
);

rest_resource!(
    record = shouhu_domain::volunteer::Volunteer, dto = Volunteer, list_body = VolunteerList,
    create_body = VolunteerCreate, patch_body = VolunteerPatch, params = VolunteerParams,
    collection = "/api/v1/volunteers", item = "/api/v1/volunteers/{id}", tag = "volunteers",
    /// Lists volunteers in your jurisdiction.
    list = list_volunteers,
    /// Registers a volunteer (vetting starts pending).
    create = create_volunteer,
    /// Reads one volunteer.
    get = get_volunteer,
    /// Changes a volunteer, vetting included (JSON merge patch, If-Match required).
    update = update_volunteer,
    /// Archives a volunteer.
    archive = archive_volunteer,
);

rest_resource!(
    record = shouhu_domain::training_session::TrainingSession, dto = TrainingSession, list_body = TrainingSessionList,
    create_body = TrainingSessionCreate, patch_body = TrainingSessionPatch, params = TrainingSessionParams,
    collection = "/api/v1/training-sessions", item = "/api/v1/training-sessions/{id}", tag = "training-sessions",
    /// Lists training sessions in your jurisdiction.
    list = list_training_sessions,
    /// Registers a training session.
    create = create_training_session,
    /// Reads one training session.
    get = get_training_session,
    /// Changes a training session (JSON merge patch, If-Match required).
    update = update_training_session,
    /// Archives a training session.
    archive = archive_training_session,
);

/// Mounts every collection's routes.
pub fn routes(cfg: &mut web::ServiceConfig) {
    use crate::rest::resource;
    cfg.service(
        resource("/api/v1/children", "GET, POST")
            .get(list_children)
            .post(create_child),
    )
    .service(
        resource("/api/v1/children/{id}", "GET, PATCH, DELETE")
            .get(get_child)
            .patch(update_child)
            .delete(archive_child),
    )
    .service(
        resource("/api/v1/guardians", "GET, POST")
            .get(list_guardians)
            .post(create_guardian),
    )
    .service(
        resource("/api/v1/guardians/{id}", "GET, PATCH, DELETE")
            .get(get_guardian)
            .patch(update_guardian)
            .delete(archive_guardian),
    )
    .service(
        resource("/api/v1/care-centers", "GET, POST")
            .get(list_care_centers)
            .post(create_care_center),
    )
    .service(
        resource("/api/v1/care-centers/{id}", "GET, PATCH, DELETE")
            .get(get_care_center)
            .patch(update_care_center)
            .delete(archive_care_center),
    )
    .service(
        resource("/api/v1/volunteers", "GET, POST")
            .get(list_volunteers)
            .post(create_volunteer),
    )
    .service(
        resource("/api/v1/volunteers/{id}", "GET, PATCH, DELETE")
            .get(get_volunteer)
            .patch(update_volunteer)
            .delete(archive_volunteer),
    )
    .service(
        resource("/api/v1/training-sessions", "GET, POST")
            .get(list_training_sessions)
            .post(create_training_session),
    )
    .service(
        resource("/api/v1/training-sessions/{id}", "GET, PATCH, DELETE")
            .get(get_training_session)
            .patch(update_training_session)
            .delete(archive_training_session),
    );
}
