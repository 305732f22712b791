//! The REST handlers of regions, read-only, and their routes.

use actix_web::{HttpResponse, web};
use shouhu_domain::service;
use shouhu_persistence::Db;

use super::dto::{Region, RegionParams};
use crate::app::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::rest::Routes;

/// Lists the regions directly below `parent`.
///
/// The tree is public administrative data, readable by every authenticated
/// caller whatever their jurisdiction. Without `parent`, the top-level regions
/// loaded; a `parent` that is not a well-formed code is 400.
#[utoipa::path(get, path = "/api/v1/regions", tag = "regions", params(RegionParams), security(("bearer" = [])),
    responses(
        (status = 200, description = "Regions in code order", body = Vec<Region>),
        (status = 400, description = "Malformed parameter", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_regions(
    state: web::Data<AppState>,
    _caller: Caller,
    params: web::Query<RegionParams>,
) -> Result<HttpResponse, actix_web::Error> {
    let regions = service::regions::<Db>(&state.db, params.parent.as_deref())
        .await
        .map_err(ApiError)?;
    Ok(HttpResponse::Ok().json(regions.into_iter().map(Region::from).collect::<Vec<_>>()))
}

/// Reads one region.
///
/// Readable by every authenticated caller; a code that names no region loaded is 404.
#[utoipa::path(get, path = "/api/v1/regions/{code}", tag = "regions",
    params(("code" = String, Path, description = "12-digit division code", pattern = r"^[0-9]{12}$")), security(("bearer" = [])),
    responses(
        (status = 200, description = "The region", body = Region),
        (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such region", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_region(
    state: web::Data<AppState>,
    _caller: Caller,
    code: web::Path<String>,
) -> Result<HttpResponse, actix_web::Error> {
    let region = service::region::<Db>(&state.db, &code).await.map_err(ApiError)?;
    Ok(HttpResponse::Ok().json(Region::from(region)))
}

/// Mounts the routes, with their OpenAPI entries.
pub fn routes(routes: &mut Routes) {
    crate::rest::mount!(routes; list_regions, get_region);
}
