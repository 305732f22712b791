//! Records seen through another: a child's guardianships, a place's
//! enrolments, a volunteer's pairings, a child's visits and family contacts, a
//! session's attendance. One macro writes each collection's
//! handlers over `shouhu_domain::nested`, so that they cannot drift apart.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;
use serde_json::Value;
use shouhu_domain::fields::from_json;
use shouhu_domain::nested;
use shouhu_domain::resource::Resource;
use shouhu_persistence::Db;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::app::AppState;
use crate::auth::Caller;
use crate::dto::*;
use crate::error::{ApiError, Problem};
use crate::idempotent;
use crate::rest::resources::{created_response, idempotency_key};
use crate::rest::{etag, if_match, not_modified, object};

macro_rules! rest_nested {
    (
        record = $record:ty, dto = $dto:ident, list_body = $list_body:ident,
        create_body = $create_body:ty, patch_body = $patch_body:ty,
        collection = $collection:literal, item = $item:literal, items = $items:literal, tag = $tag:literal,
        parent = $parent:literal, parent_field = $parent_field:literal, scope = $scope:literal,
        limit_409 = $limit_409:literal, end = $end:literal,
        $(#[doc = $list_doc:literal])* list = $list_fn:ident,
        $(#[doc = $create_doc:literal])* create = $create_fn:ident,
        $(#[doc = $get_doc:literal])* get = $get_fn:ident,
        $(#[doc = $update_doc:literal])* update = $update_fn:ident,
        $(#[doc = $end_doc:literal])* end = $end_fn:ident $(,)?
    ) => {
        /// All records of the parent, current and ended, oldest first.
        #[derive(Debug, Serialize, ToSchema)]
        pub struct $list_body {
            /// The records you may see.
            pub items: Vec<$dto>,
        }

        $(#[doc = $list_doc])*
        #[utoipa::path(get, path = $collection, tag = $tag,
            params(("id" = Uuid, Path, description = $parent)), security(("bearer" = [])),
            responses(
                (status = 200, description = "The records", body = $list_body),
                (status = 400, description = "The id is not a UUID", body = Problem, content_type = "application/problem+json"),
                (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
                (status = 403, description = "The role may not read these records", body = Problem, content_type = "application/problem+json"),
                (status = 404, description = "No such parent record in your jurisdiction", body = Problem, content_type = "application/problem+json"),
            ))]
        pub async fn $list_fn(state: web::Data<AppState>, caller: Caller, id: web::Path<Uuid>) -> Result<HttpResponse, actix_web::Error> {
            let found = nested::list_of::<$record, Db>(&state.db, &caller.0, id.into_inner()).await.map_err(ApiError)?;
            Ok(HttpResponse::Ok().json($list_body { items: found.into_iter().map($dto::from).collect() }))
        }

        $(#[doc = $create_doc])*
        #[utoipa::path(post, path = $collection, tag = $tag, request_body = $create_body,
            params(("id" = Uuid, Path, description = $parent),
                   ("Idempotency-Key" = Option<String>, Header, pattern = r"^[!-~]{1,255}$", description = "Makes retries safe, as for every create")),
            security(("bearer" = [])),
            responses(
                (status = 201, description = "Recorded; `Location` names it, `ETag` is its version", body = $dto,
                    headers(("Location" = String, description = "The record's URL"), ("ETag" = String, description = "The version"),
                            ("Idempotent-Replayed" = String, description = "`true` for a replayed answer"))),
                (status = 400, description = "Malformed JSON or id", body = Problem, content_type = "application/problem+json"),
                (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
                (status = 403, description = "The role may not record this", body = Problem, content_type = "application/problem+json"),
                (status = 404, description = "No such parent record in your jurisdiction", body = Problem, content_type = "application/problem+json"),
                (status = 409, description = $limit_409, body = Problem, content_type = "application/problem+json"),
                (status = 413, description = "Body too large", body = Problem, content_type = "application/problem+json"),
                (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
                (status = 422, description = "Invalid fields, each named", body = Problem, content_type = "application/problem+json"),
            ))]
        pub async fn $create_fn(
            state: web::Data<AppState>,
            caller: Caller,
            id: web::Path<Uuid>,
            req: HttpRequest,
            body: web::Json<Value>,
        ) -> Result<HttpResponse, actix_web::Error> {
            let key = idempotency_key(&req)?;
            let input: <$record as Resource>::Input = from_json(object(body.into_inner())?);
            let created = idempotent::create_nested::<$record>(&state, &caller.0, key.as_deref(), id.into_inner(), input)
                .await
                .map_err(ApiError)?;
            Ok(created_response::<$record, $dto>($items, created))
        }

        $(#[doc = $get_doc])*
        #[utoipa::path(get, path = $item, tag = $tag,
            params(("id" = Uuid, Path, description = "The record's id"), ("If-None-Match" = Option<String>, Header, description = "The ETag of the version you hold, such as \"3\": when it is still the current one, the answer is 304 with no body")),
            security(("bearer" = [])),
            responses(
                (status = 200, description = "The record", body = $dto, headers(("ETag" = String, description = "The version"))),
                (status = 304, description = "Not modified: `If-None-Match` names the current version; no body, the `ETag` again",
                    headers(("ETag" = String, description = "The version, quoted"))),
                (status = 400, description = "The id is not a UUID", body = Problem, content_type = "application/problem+json"),
                (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
                (status = 404, description = "No such record that you may see", body = Problem, content_type = "application/problem+json"),
            ))]
        pub async fn $get_fn(state: web::Data<AppState>, caller: Caller, id: web::Path<Uuid>, req: HttpRequest) -> Result<HttpResponse, actix_web::Error> {
            let r = nested::get::<$record, Db>(&state.db, &caller.0, id.into_inner()).await.map_err(ApiError)?;
            if let Some(res) = not_modified(&req, r.meta.version) {
                return Ok(res);
            }
            Ok(HttpResponse::Ok().insert_header(header::ETag(etag(r.meta.version))).json($dto::from(r)))
        }

        $(#[doc = $update_doc])*
        #[utoipa::path(patch, path = $item, tag = $tag,
            request_body(content = $patch_body, content_type = "application/merge-patch+json"),
            params(("id" = Uuid, Path, description = "The record's id"),
                   ("If-Match" = String, Header, description = "The ETag of the version you read, such as \"3\"", pattern = r#"^(W/)?"[0-9]{1,18}"$"#)),
            security(("bearer" = [])),
            responses(
                (status = 200, description = "The changed record", body = $dto, headers(("ETag" = String, description = "The new version"))),
                (status = 400, description = "Malformed JSON or If-Match", body = Problem, content_type = "application/problem+json"),
                (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
                (status = 403, description = "The role may not change this", body = Problem, content_type = "application/problem+json"),
                (status = 404, description = "No such record", body = Problem, content_type = "application/problem+json"),
                (status = 412, description = "The record changed since that version", body = Problem, content_type = "application/problem+json"),
                (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
                (status = 422, description = "Invalid fields, each named (an ended record among them)", body = Problem, content_type = "application/problem+json"),
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
            let r = nested::update::<$record, Db>(&state.db, &caller.0, id.into_inner(), expected, patch).await.map_err(ApiError)?;
            Ok(HttpResponse::Ok().insert_header(header::ETag(etag(r.meta.version))).json($dto::from(r)))
        }

        $(#[doc = $end_doc])*
        #[utoipa::path(delete, path = $item, tag = $tag,
            params(("id" = Uuid, Path, description = "The record's id"),
                   ("If-Match" = String, Header, description = "The ETag of the version you read", pattern = r#"^(W/)?"[0-9]{1,18}"$"#)),
            security(("bearer" = [])),
            responses(
                (status = 204, description = $end, headers(("ETag" = String, description = "The new version"))),
                (status = 400, description = "Malformed If-Match", body = Problem, content_type = "application/problem+json"),
                (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
                (status = 403, description = "The role may not change this", body = Problem, content_type = "application/problem+json"),
                (status = 404, description = "No such record", body = Problem, content_type = "application/problem+json"),
                (status = 412, description = "The record changed since that version", body = Problem, content_type = "application/problem+json"),
                (status = 428, description = "If-Match is missing", body = Problem, content_type = "application/problem+json"),
            ))]
        pub async fn $end_fn(state: web::Data<AppState>, caller: Caller, id: web::Path<Uuid>, req: HttpRequest) -> Result<HttpResponse, actix_web::Error> {
            let expected = if_match(&req)?;
            let r = nested::end::<$record, Db>(&state.db, &caller.0, id.into_inner(), expected).await.map_err(ApiError)?;
            Ok(HttpResponse::NoContent().insert_header(header::ETag(etag(r.meta.version))).finish())
        }
    };
}

rest_nested!(
    record = shouhu_domain::guardianship::Guardianship, dto = Guardianship, list_body = GuardianshipList,
    create_body = GuardianshipCreate, patch_body = GuardianshipPatch,
    collection = "/api/v1/children/{id}/guardianships", item = "/api/v1/guardianships/{id}", items = "/api/v1/guardianships",
    tag = "guardianships",
    parent = "The child's id", parent_field = "child_id", scope = "create:guardianship",
    limit_409 = "The child already has an active primary caregiver, or this guardian is already linked to the child",
    end = "Ended today: `ended_on` is set and the link stays in the child's history",
    /// Lists a child's guardianships, active and ended, oldest first.
    list = list_guardianships,
    /// Links a guardian to a child (at most one active primary caregiver per child, one active link per guardian).
    create = create_guardianship,
    /// Reads one guardianship, through its child.
    get = get_guardianship,
    /// Changes a guardianship (JSON merge patch, If-Match required); the guardian cannot change.
    update = update_guardianship,
    /// Ends a guardianship today; it stays in the child's history.
    end = end_guardianship,
);

rest_nested!(
    record = shouhu_domain::enrollment::Enrollment, dto = Enrollment, list_body = EnrollmentList,
    create_body = EnrollmentCreate, patch_body = EnrollmentPatch,
    collection = "/api/v1/care-centers/{id}/enrollments", item = "/api/v1/enrollments/{id}", items = "/api/v1/enrollments",
    tag = "enrollments",
    parent = "The place's id", parent_field = "care_center_id", scope = "create:enrollment",
    limit_409 = "The place is full: its capacity is taken on some day of the new enrolment's span",
    end = "Ended: its last day becomes yesterday (or its first day); it stays in the history",
    /// Lists a place's enrolments, current and past, of the children you may see.
    list = list_enrollments,
    /// Enrols a child in a place; a child may be in several places at once.
    create = create_enrollment,
    /// Reads one enrolment, if you may see its place and its child.
    get = get_enrollment,
    /// Changes an enrolment's kind or shortens it (JSON merge patch, If-Match required); a longer stay is a new enrolment.
    update = update_enrollment,
    /// Ends an enrolment; it stays in the history.
    end = end_enrollment,
);

rest_nested!(
    record = shouhu_domain::pairing::Pairing, dto = Pairing, list_body = PairingList,
    create_body = PairingCreate, patch_body = PairingPatch,
    collection = "/api/v1/volunteers/{id}/pairings", item = "/api/v1/pairings/{id}", items = "/api/v1/pairings", tag = "pairings",
    parent = "The volunteer's id", parent_field = "volunteer_id", scope = "create:pairing",
    limit_409 = "The volunteer already holds the most active pairings allowed (default 5), or is already paired with this child",
    end = "Ended: `ended_on` is set and the pairing stays in the history",
    /// Lists a volunteer's pairings, current and ended, with the children you may see.
    list = list_pairings,
    /// Pairs an approved volunteer with a child (422 `not_approved` otherwise).
    create = create_pairing,
    /// Reads one pairing.
    get = get_pairing,
    /// Changes a pairing's kind, start or notes (JSON merge patch, If-Match required).
    update = update_pairing,
    /// Ends a pairing; it stays in the history.
    end = end_pairing,
);

rest_nested!(
    record = shouhu_domain::visit::Visit, dto = Visit, list_body = VisitList,
    create_body = VisitCreate, patch_body = VisitPatch,
    collection = "/api/v1/children/{id}/visits", item = "/api/v1/visits/{id}", items = "/api/v1/visits", tag = "visits",
    parent = "The child's id", parent_field = "child_id", scope = "create:visit",
    limit_409 = "A request with this Idempotency-Key is still in progress",
    end = "Withdrawn as a mistake: `withdrawn_on` is set, the record stays and counts for nothing",
    /// Lists a child's follow-up visits and family contacts, withdrawn ones included.
    list = list_visits,
    /// Records a follow-up visit or a family contact with a parent.
    create = create_visit,
    /// Reads one visit or contact.
    get = get_visit,
    /// Changes a visit (JSON merge patch, If-Match required); set `resolved_on` to close its concerns.
    update = update_visit,
    /// Withdraws a visit recorded by mistake; it stays in the history.
    end = withdraw_visit,
);

rest_nested!(
    record = shouhu_domain::attendance::Attendance, dto = Attendance, list_body = AttendanceList,
    create_body = AttendanceCreate, patch_body = AttendancePatch,
    collection = "/api/v1/training-sessions/{id}/attendance", item = "/api/v1/attendance/{id}", items = "/api/v1/attendance", tag = "attendance",
    parent = "The session's id", parent_field = "training_session_id", scope = "create:attendance",
    limit_409 = "The session is full, or the person is already registered",
    end = "Cancelled: `cancelled_on` is set, the place is freed, the registration stays in the history",
    /// Lists a session's registrations and check-ins, cancelled ones included.
    list = list_attendance,
    /// Registers a guardian or a volunteer for a session (409 when full).
    create = create_attendance,
    /// Reads one registration.
    get = get_attendance,
    /// Records a check-in (JSON merge patch, If-Match required).
    update = update_attendance,
    /// Cancels a registration; it stays in the history and frees its place.
    end = cancel_attendance,
);

/// A guardian's training history: their registrations and check-ins.
#[utoipa::path(get, path = "/api/v1/guardians/{id}/attendance", tag = "attendance",
    params(("id" = Uuid, Path, description = "The guardian's id")), security(("bearer" = [])),
    responses(
        (status = 200, description = "The guardian's registrations, oldest first", body = AttendanceList),
        (status = 400, description = "The id is not a UUID", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such guardian in your jurisdiction", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn guardian_training(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, actix_web::Error> {
    let found = shouhu_domain::attendance::training_history(&state.db, &caller.0, id.into_inner())
        .await
        .map_err(ApiError)?;
    let items: Vec<Attendance> = found.into_iter().map(Attendance::from).collect();
    Ok(HttpResponse::Ok().json(AttendanceList { items }))
}

/// A child's pairings with volunteers, current and ended.
#[utoipa::path(get, path = "/api/v1/children/{id}/pairings", tag = "pairings",
    params(("id" = Uuid, Path, description = "The child's id")), security(("bearer" = [])),
    responses(
        (status = 200, description = "The child's pairings with volunteers you may see, oldest first", body = PairingList),
        (status = 400, description = "The id is not a UUID", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such child in your jurisdiction", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn child_pairings(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, actix_web::Error> {
    let found = shouhu_domain::pairing::pairings_of_child(&state.db, &caller.0, id.into_inner())
        .await
        .map_err(ApiError)?;
    let items: Vec<Pairing> = found.into_iter().map(Pairing::from).collect();
    Ok(HttpResponse::Ok().json(PairingList { items }))
}

/// Mounts the routes.
pub fn routes(cfg: &mut web::ServiceConfig) {
    use crate::rest::resource;
    cfg.service(
        resource("/api/v1/children/{id}/guardianships", "GET, POST")
            .get(list_guardianships)
            .post(create_guardianship),
    )
    .service(
        resource("/api/v1/guardianships/{id}", "GET, PATCH, DELETE")
            .get(get_guardianship)
            .patch(update_guardianship)
            .delete(end_guardianship),
    )
    .service(
        resource("/api/v1/care-centers/{id}/enrollments", "GET, POST")
            .get(list_enrollments)
            .post(create_enrollment),
    )
    .service(
        resource("/api/v1/enrollments/{id}", "GET, PATCH, DELETE")
            .get(get_enrollment)
            .patch(update_enrollment)
            .delete(end_enrollment),
    )
    .service(
        resource("/api/v1/volunteers/{id}/pairings", "GET, POST")
            .get(list_pairings)
            .post(create_pairing),
    )
    .service(
        resource("/api/v1/pairings/{id}", "GET, PATCH, DELETE")
            .get(get_pairing)
            .patch(update_pairing)
            .delete(end_pairing),
    )
    .service(resource("/api/v1/children/{id}/pairings", "GET").get(child_pairings))
    .service(
        resource("/api/v1/children/{id}/visits", "GET, POST")
            .get(list_visits)
            .post(create_visit),
    )
    .service(
        resource("/api/v1/visits/{id}", "GET, PATCH, DELETE")
            .get(get_visit)
            .patch(update_visit)
            .delete(withdraw_visit),
    )
    .service(
        resource("/api/v1/training-sessions/{id}/attendance", "GET, POST")
            .get(list_attendance)
            .post(create_attendance),
    )
    .service(
        resource("/api/v1/attendance/{id}", "GET, PATCH, DELETE")
            .get(get_attendance)
            .patch(update_attendance)
            .delete(cancel_attendance),
    )
    .service(resource("/api/v1/guardians/{id}/attendance", "GET").get(guardian_training));
}
