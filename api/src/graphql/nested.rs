//! Records seen through another in GraphQL: their create, as a generic
//! function over a [`Nested`] kind (their get, update and end are
//! `graphql::record`'s, as for every kind), and the macro that writes each
//! kind's documented one-line resolvers.

use async_graphql::dataloader::Loader;
use async_graphql::{Context, ID, Result};
use shouhu_domain::resource::Resource;
use uuid::Uuid;

use super::{Selected, gql_error, loaders, parse_id, parts};
use crate::idempotent;
use crate::kind::Nested;

/// Records a record under `parent` from the `input` argument, at most once per idempotency key.
pub async fn create<K: Nested>(
    ctx: &Context<'_>,
    parent: &ID,
    input: impl Into<<K::Record as Resource>::Input>,
    idempotency_key: Option<String>,
) -> Result<K> {
    let (state, caller) = parts(ctx)?;
    let parent = parse_id(parent)?;
    let created =
        idempotent::create_nested::<K::Record>(state, caller, idempotency_key.as_deref(), parent, input.into())
            .await
            .map_err(gql_error)?;
    Ok(created.record.into())
}

/// A parent's current records of a nested kind, at most `first` (the
/// relation `Child.visits`), batched across the page: a parent's relation field
/// is a one-line call of this.
pub async fn of_parent<K: Nested>(ctx: &Context<'_>, parent: &ID, first: Option<i32>) -> Result<Vec<K>> {
    let found = loaders(ctx)?
        .of_parents::<K::Record>()
        .load_one(parse_id(parent)?)
        .await
        .map_err(gql_error)?;
    super::bounded(found.unwrap_or_default(), first)
}

/// Reads, for a page of parents, their records of a nested kind when the query
/// selects `field` (`visits`), so that [`of_parent`] finds them loaded.
pub async fn prefetch<K: Nested>(ctx: &Context<'_>, parents: &[Uuid], field: &str) -> Result<()> {
    if parents.is_empty() || !Selected::nodes(ctx).field(field).exists() {
        return Ok(());
    }
    let loader = loaders(ctx)?.of_parents::<K::Record>();
    let mut found = loader.loader().load(parents).await.map_err(gql_error)?;
    loader
        .feed_many(parents.iter().map(|id| (*id, found.remove(id).unwrap_or_default())))
        .await;
    Ok(())
}

/// Writes a nested kind's query and mutation objects, each field a one-line
/// call of a generic function (above, or `graphql::record`'s).
macro_rules! nested_graphql {
    (
        query = $query:ident, mutation = $mutation:ident, kind = $kind:ident,
        create_input = $create_input:ty, update_input = $update_input:ty, parent_arg = $parent_arg:ident,
        $(#[doc = $get_doc:literal])* get = $get:ident,
        $(#[doc = $create_doc:literal])* create = $create:ident,
        $(#[doc = $update_doc:literal])* update = $update:ident,
        $(#[doc = $end_doc:literal])* end = $end:ident $(,)?
    ) => {
        /// Queries of one nested collection.
        #[derive(Default)]
        pub struct $query;

        #[async_graphql::Object]
        impl $query {
            $(#[doc = $get_doc])*
            async fn $get(&self, ctx: &async_graphql::Context<'_>, id: async_graphql::ID) -> async_graphql::Result<Option<$kind>> {
                $crate::graphql::record::get::<$kind>(ctx, id).await
            }
        }

        /// Mutations of one nested collection.
        #[derive(Default)]
        pub struct $mutation;

        #[async_graphql::Object]
        impl $mutation {
            $(#[doc = $create_doc])*
            async fn $create(
                &self,
                ctx: &async_graphql::Context<'_>,
                $parent_arg: async_graphql::ID,
                input: $create_input,
                #[graphql(desc = "Makes retries safe, as for every create.")] idempotency_key: Option<String>,
            ) -> async_graphql::Result<$kind> {
                $crate::graphql::nested::create::<$kind>(ctx, &$parent_arg, input, idempotency_key).await
            }

            $(#[doc = $update_doc])*
            async fn $update(&self, ctx: &async_graphql::Context<'_>, id: async_graphql::ID, expected_version: i64, input: $update_input) -> async_graphql::Result<$kind> {
                $crate::graphql::record::update::<$kind>(ctx, id, expected_version, input).await
            }

            $(#[doc = $end_doc])*
            async fn $end(&self, ctx: &async_graphql::Context<'_>, id: async_graphql::ID, expected_version: i64) -> async_graphql::Result<$kind> {
                $crate::graphql::record::retire::<$kind>(ctx, id, expected_version).await
            }
        }

        // What `kinds!` merges into the schema's roots.
        pub use $mutation as Mutation;
        pub use $query as Query;
    };
}
pub(crate) use nested_graphql;
