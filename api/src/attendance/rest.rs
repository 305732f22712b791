//! The REST handlers of registrations for training sessions, each a documented one-line call of a
//! generic handler, and their routes.

use actix_web::{HttpResponse, web};
use uuid::Uuid;

use super::dto::{Attendance, AttendanceCreate, AttendanceList, AttendancePatch};
use crate::app::AppState;
use crate::auth::Caller;
use crate::error::Problem;

crate::rest::nested::nested_rest!(
    kind = Attendance, list_body = AttendanceList,
    create_body = AttendanceCreate, patch_body = AttendancePatch,
    collection = "/api/v1/training-sessions/{id}/attendance", item = "/api/v1/attendance/{id}", tag = "attendance",
    parent = "The session's id",
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
    also = [guardian_training],
);

/// Lists a guardian's training history: their registrations and check-ins.
///
/// Every session the guardian registered for, oldest first, cancelled
/// registrations included; 404 when the guardian is not one you may see.
#[utoipa::path(get, path = "/api/v1/guardians/{id}/attendance", tag = "attendance", operation_id = "list_guardian_attendance",
    params(("id" = Uuid, Path, description = "The guardian's id"), crate::rest::nested::PageParams), security(("bearer" = [])),
    responses(
        (status = 200, description = "The guardian's registrations, oldest first", body = AttendanceList),
        (status = 400, description = "The id is not a UUID, or a bad limit, cursor or other parameter", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such guardian in your jurisdiction", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn guardian_training(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    req: actix_web::HttpRequest,
) -> Result<HttpResponse, actix_web::Error> {
    let page = crate::rest::nested::page_params(&req, state.settings.serve.max_page_size)?;
    crate::rest::nested::list_response::<Attendance>(shouhu_domain::attendance::training_history(&state.db, &caller.0, id.into_inner(), page).await)
}
