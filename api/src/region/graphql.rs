//! Regions in GraphQL.

use async_graphql::{Context, Object, Result};
use shouhu_domain::service;
use shouhu_persistence::Db;

use super::dto::Region;
use crate::graphql::{gql_error, parts};

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
pub use RegionQuery as Query;
