//! The enumeration catalogue in GraphQL.

use async_graphql::{Context, Object, Result};

use super::dto::{ENUMERATIONS, Enumeration};
use crate::graphql::parts;

/// What the API tells about itself.
#[derive(Default)]
pub struct MetaQuery;

#[Object]
impl MetaQuery {
    /// Every enumeration of the API with, for each value, its REST and GraphQL
    /// spellings and its labels in English and Chinese (`zhCN`), as
    /// `GET /api/v1/meta/enums` sends them.
    async fn enums(&self, ctx: &Context<'_>) -> Result<Vec<Enumeration>> {
        parts(ctx)?;
        Ok(ENUMERATIONS.items.clone())
    }
}

// What `kinds!` merges into the schema's root (read-only).
pub use MetaQuery as Query;
