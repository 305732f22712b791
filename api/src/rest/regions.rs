//! Administrative regions, read-only.

use actix_web::{HttpResponse, web};
use serde::Deserialize;
use shouhu_domain::service;
use shouhu_persistence::Db;
use utoipa::IntoParams;

use crate::app::AppState;
use crate::auth::Caller;
use crate::dto::Region;
use crate::error::{ApiError, Problem};

/// Parameters of the regions list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct RegionParams {
    /// The parent's 12-digit code; without it, the top-level regions loaded.
    #[param(pattern = r"^[0-9]{12}$")]
    pub parent: Option<String>,
}

/// Lists the regions directly below `parent` (the tree is public administrative
/// data, readable by every authenticated caller).
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
