//! What the APIs send of regions, and the REST list's parameters.

use async_graphql::SimpleObject;
use serde::{Deserialize, Serialize};
use shouhu_domain as domain;
use utoipa::{IntoParams, ToSchema};

use crate::enums::RegionLevel;

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
