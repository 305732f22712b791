//! The REST handlers of pairings, each a documented one-line call of a
//! generic handler, and their routes.

use actix_web::{HttpResponse, web};
use uuid::Uuid;

use super::dto::{Pairing, PairingCreate, PairingList, PairingPatch};
use crate::app::AppState;
use crate::auth::Caller;
use crate::error::Problem;

crate::rest::nested::nested_rest!(
    kind = Pairing, list_body = PairingList,
    create_body = PairingCreate, patch_body = PairingPatch,
    collection = "/api/v1/volunteers/{id}/pairings", item = "/api/v1/pairings/{id}", tag = "pairings",
    parent = "The volunteer's id",
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
    also = [child_pairings],
);

/// Lists a child's pairings with volunteers, current and ended.
///
/// Only pairings with volunteers you may see; 404 when the child is not one
/// you may see or your role may not read pairings.
#[utoipa::path(get, path = "/api/v1/children/{id}/pairings", tag = "pairings", operation_id = "list_child_pairings",
    params(("id" = Uuid, Path, description = "The child's id"), crate::rest::nested::PageParams), security(("bearer" = [])),
    responses(
        (status = 200, description = "The child's pairings with volunteers you may see, oldest first", body = PairingList),
        (status = 400, description = "The id is not a UUID, or a bad limit, cursor or other parameter", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such child in your jurisdiction, or your role may not read pairings", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn child_pairings(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    req: actix_web::HttpRequest,
) -> Result<HttpResponse, actix_web::Error> {
    let page = crate::rest::nested::page_params(&req, state.settings.serve.max_page_size)?;
    crate::rest::nested::list_response::<Pairing>(shouhu_domain::pairing::pairings_of_child(&state.db, &caller.0, id.into_inner(), page).await)
}
