//! The REST handlers of enrolments, each a documented one-line call of a
//! generic handler, and their routes.

use actix_web::{HttpResponse, web};
use uuid::Uuid;

use super::dto::{Enrollment, EnrollmentCreate, EnrollmentList, EnrollmentPatch};
use crate::app::AppState;
use crate::auth::Caller;
use crate::error::Problem;

crate::rest::nested::nested_rest!(
    kind = Enrollment, list_body = EnrollmentList,
    create_body = EnrollmentCreate, patch_body = EnrollmentPatch,
    collection = "/api/v1/care-centers/{id}/enrollments", item = "/api/v1/enrollments/{id}",
    tag = "enrollments",
    parent = "The place's id",
    limit_409 = "The place is full: its capacity is taken on some day of the new enrolment's span",
    end = "Ended: its last day becomes yesterday (or its first day); it stays in the history",
    /// Lists a place's enrolments, current and past, of the children you may see.
    list = list_enrollments,
    /// Enrols a child in a place; a child may be in several places at once.
    create = create_enrollment,
    /// Reads one enrolment, if you may see its child (wherever the place is).
    get = get_enrollment,
    /// Changes an enrolment's kind or shortens it (JSON merge patch, If-Match required); a longer stay is a new enrolment.
    update = update_enrollment,
    /// Ends an enrolment; it stays in the history.
    end = end_enrollment,
    also = [child_enrollments],
);

/// Lists a child's enrolments, current and ended, oldest first.
///
/// Every place counts, also one outside your jurisdiction (whose own record stays 404 to you).
#[utoipa::path(get, path = "/api/v1/children/{id}/enrollments", tag = "enrollments", operation_id = "list_child_enrollments",
    params(("id" = Uuid, Path, description = "The child's id"), crate::rest::nested::PageParams), security(("bearer" = [])),
    responses(
        (status = 200, description = "The child's enrolments, oldest first", body = EnrollmentList),
        (status = 400, description = "The id is not a UUID, or a bad limit, cursor or other parameter", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such child in your jurisdiction, or your role may not read enrolments", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn child_enrollments(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    req: actix_web::HttpRequest,
) -> Result<HttpResponse, actix_web::Error> {
    let page = crate::rest::nested::page_params(&req, state.settings.serve.max_page_size)?;
    crate::rest::nested::list_response::<Enrollment>(
        shouhu_domain::enrollment::of_child(&state.db, &caller.0, id.into_inner(), page).await,
    )
}
