//! Regions: the administrative divisions (province to village) every record belongs to; read-only.

pub use RegionQuery as Query;

use async_graphql::{SimpleObject, Context, Object, Result};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use crate::enums::RegionLevel;
use actix_web::{HttpResponse, web};
use shouhu_domain::service;
use shouhu_persistence::Db;
use crate::app::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::rest::Routes;
use crate::graphql::{gql_error, parts};
use shouhu_domain as domain;




// What the APIs send of regions, and the REST list's parameters.

/// An administrative region.
#[derive(Debug, Clone, Serialize, ToSchema, SimpleObject)]
pub struct Region {
    /// 12-digit division code.
    #[schema(example = "522631101201")]
    pub code: String,
    /// Name.
    #[schema(example = "车民村")]
    pub name: String,
    /// Level, from the code.
    pub level: RegionLevel,
    /// The parent's code.
    #[schema(example = "522631101000")]
    pub parent_code: Option<String>,
}

impl From<domain::region::Region> for Region {
    fn from(r: domain::region::Region) -> Self {
        Self {
            code: r.code,
            name: r.name,
            level: r.level.into(),
            parent_code: r.parent_code,
        }
    }
}

/// Parameters of the regions list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct RegionParams {
    /// The parent's 12-digit code; without it, the top-level regions loaded.
    #[param(pattern = r"^(?:0[1-9]|[1-9][0-9])[0-9]{10}$")]
    pub parent: Option<String>,
}


// The REST handlers of regions, read-only, and their routes.

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


// Regions in GraphQL.

/// Regions.
#[derive(Default)]
pub struct RegionQuery;

#[Object]
impl RegionQuery {
    /// Regions directly below `parent`, or the top-level regions loaded.
    async fn regions(&self, ctx: &Context<'_>, parent: Option<String>) -> Result<Vec<Region>> {
        let (state, _) = parts(ctx)?;
        let regions = service::regions::<Db>(&state.db, parent.as_deref())
            .await
            .map_err(gql_error)?;
        Ok(regions.into_iter().map(Region::from).collect())
    }
}

// What `kinds!` merges into the schema's root (regions are read-only).
