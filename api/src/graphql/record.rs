//! The register collections' root fields and mutations, as generic functions
//! over a [`Register`] kind (get, update and archive over any [`Kind`]: nested
//! kinds' resolvers call them too), and the macro that writes each kind's
//! documented one-line resolvers.

use std::future::Future;

use async_graphql::connection::{Connection, Edge};
use async_graphql::{Context, ID, Result, SimpleObject};
use serde::Serialize;
use shouhu_domain::resource::Resource;

use super::{connection_page, filter_params, gql_error, parse_id, parts};
use crate::idempotent;
use crate::kind::{Access as _, Kind, Register};
use crate::rest::encode_cursor;

/// A register kind listed in GraphQL, with the relations a page loads at once.
pub trait Listed: Register {
    /// Loads, for a whole page at once, the relations the query selects, so
    /// that a page costs the same few queries whatever its size and however
    /// busy the machine (the loaders' batching window alone depends on timing).
    fn prefetch(ctx: &Context<'_>, page: &[Self::Record]) -> impl Future<Output = Result<()>> + Send;
}

/// One record; NOT_FOUND when absent or outside the caller's jurisdiction
/// (for a nested kind: when the caller may not see it through its parent).
pub async fn get<K: Kind>(ctx: &Context<'_>, id: ID) -> Result<Option<K>> {
    let (state, caller) = parts(ctx)?;
    let record = K::Access::read(&state.db, caller, parse_id(&id)?)
        .await
        .map_err(gql_error)?;
    K::Access::sent(&state.db, caller, &record).await.map_err(gql_error)?;
    Ok(Some(record.into()))
}

/// What a register connection has beside its page.
#[derive(Debug, SimpleObject)]
pub struct ListTotals {
    /// How many records the list holds across all its pages: with the same
    /// filter, within your jurisdiction, exact. It costs one count query, run
    /// only when this field is selected.
    #[graphql(complexity = 10)]
    pub total_count: u64,
}

/// A page of a register connection.
pub type Page<K> = Connection<String, K, ListTotals>;

/// A page of records, filtered like a REST list.
pub async fn list<K: Listed, F: Serialize>(
    ctx: &Context<'_>,
    first: Option<i32>,
    after: Option<String>,
    filter: Option<F>,
) -> Result<Page<K>> {
    let (state, caller) = parts(ctx)?;
    let params = filter_params(&filter);
    let max = state.settings.serve.max_page_size;
    let page = connection_page(first, after.as_deref(), max)?;
    let total_count = if ctx.look_ahead().field("totalCount").exists() {
        shouhu_domain::service::count::<K::Record, shouhu_persistence::Db>(&state.db, caller, &params)
            .await
            .map_err(gql_error)?
    } else {
        0
    };
    let page = shouhu_domain::service::list::<K::Record, shouhu_persistence::Db>(&state.db, caller, &params, page)
        .await
        .map_err(gql_error)?;
    K::prefetch(ctx, &page.items).await?;
    let mut connection =
        Connection::with_additional_fields(after.is_some(), page.next_after.is_some(), ListTotals { total_count });
    connection.edges.extend(
        page.items
            .into_iter()
            .map(|r| Edge::new(encode_cursor(r.meta().id), K::from(r))),
    );
    Ok(connection)
}

/// Registers a record from the `input` argument, at most once per idempotency key.
pub async fn create<K: Register>(
    ctx: &Context<'_>,
    input: impl Into<<K::Record as Resource>::Input>,
    idempotency_key: Option<String>,
) -> Result<K> {
    let (state, caller) = parts(ctx)?;
    let created = idempotent::create_record::<K::Record>(state, caller, idempotency_key.as_deref(), input.into())
        .await
        .map_err(gql_error)?;
    Ok(created.record.into())
}

/// Changes a record from the `input` argument if it is still at `expected_version`.
pub async fn update<K: Kind>(
    ctx: &Context<'_>,
    id: ID,
    expected_version: i64,
    input: impl Into<<K::Record as Resource>::Input>,
) -> Result<K> {
    let (state, caller) = parts(ctx)?;
    let record = K::Access::update(&state.db, caller, parse_id(&id)?, expected_version, input.into())
        .await
        .map_err(gql_error)?;
    Ok(record.into())
}

/// Archives a register record, or ends (withdraws, cancels) a nested one, if
/// it is still at `expected_version`.
pub async fn retire<K: Kind>(ctx: &Context<'_>, id: ID, expected_version: i64) -> Result<K> {
    let (state, caller) = parts(ctx)?;
    let record = K::Access::retire(&state.db, caller, parse_id(&id)?, expected_version)
        .await
        .map_err(gql_error)?;
    Ok(record.into())
}

/// Writes a register kind's query and mutation objects, each field a one-line
/// call of the generic function above, and its [`Listed`] impl, which calls
/// the kind's `prefetch` function.
macro_rules! register_graphql {
    (
        query = $query:ident, mutation = $mutation:ident, kind = $kind:ident,
        filter = $filter:ty, create_input = $create_input:ty, update_input = $update_input:ty,
        prefetch = $prefetch:path,
        $(#[doc = $get_doc:literal])* get = $get:ident,
        $(#[doc = $list_doc:literal])* list = $list:ident,
        $(#[doc = $create_doc:literal])* create = $create:ident,
        $(#[doc = $update_doc:literal])* update = $update:ident,
        $(#[doc = $archive_doc:literal])* archive = $archive:ident $(,)?
    ) => {
        impl $crate::graphql::record::Listed for $kind {
            fn prefetch(
                ctx: &async_graphql::Context<'_>,
                page: &[<$kind as $crate::kind::Kind>::Record],
            ) -> impl ::std::future::Future<Output = async_graphql::Result<()>> + Send {
                $prefetch(ctx, page)
            }
        }

        /// Queries of one collection.
        #[derive(Default)]
        pub struct $query;

        #[async_graphql::Object]
        impl $query {
            $(#[doc = $get_doc])*
            async fn $get(&self, ctx: &async_graphql::Context<'_>, id: async_graphql::ID) -> async_graphql::Result<Option<$kind>> {
                $crate::graphql::record::get::<$kind>(ctx, id).await
            }

            $(#[doc = $list_doc])*
            #[graphql(complexity = "first.unwrap_or(50).clamp(1, 500) as usize * child_complexity + 1")]
            async fn $list(
                &self,
                ctx: &async_graphql::Context<'_>,
                #[graphql(desc = "Page size, 1–500 (default 50).")] first: Option<i32>,
                #[graphql(desc = "`endCursor` of the previous page.")] after: Option<String>,
                filter: Option<$filter>,
            ) -> async_graphql::Result<$crate::graphql::record::Page<$kind>> {
                $crate::graphql::record::list::<$kind, _>(ctx, first, after, filter).await
            }
        }

        /// Mutations of one collection.
        #[derive(Default)]
        pub struct $mutation;

        #[async_graphql::Object]
        impl $mutation {
            $(#[doc = $create_doc])*
            async fn $create(
                &self,
                ctx: &async_graphql::Context<'_>,
                input: $create_input,
                #[graphql(desc = "Makes retries safe: the same key with the same input returns the record the first request created, read as you may read it now (NOT_FOUND once it left your jurisdiction), and creates nothing new; the same key with other input is VALIDATION. Per caller, 1–255 visible ASCII characters.")]
                idempotency_key: Option<String>,
            ) -> async_graphql::Result<$kind> {
                $crate::graphql::record::create::<$kind>(ctx, input, idempotency_key).await
            }

            $(#[doc = $update_doc])*
            async fn $update(&self, ctx: &async_graphql::Context<'_>, id: async_graphql::ID, expected_version: i64, input: $update_input) -> async_graphql::Result<$kind> {
                $crate::graphql::record::update::<$kind>(ctx, id, expected_version, input).await
            }

            $(#[doc = $archive_doc])*
            async fn $archive(&self, ctx: &async_graphql::Context<'_>, id: async_graphql::ID, expected_version: i64) -> async_graphql::Result<$kind> {
                $crate::graphql::record::retire::<$kind>(ctx, id, expected_version).await
            }
        }

        // What `kinds!` merges into the schema's roots.
        pub use $mutation as Mutation;
        pub use $query as Query;
    };
}
pub(crate) use register_graphql;
