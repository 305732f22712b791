//! What the generic handlers and resolvers know of a record kind: its domain
//! record, the DTO both surfaces send, where REST keeps it, and how the domain
//! reaches one record. Each kind implements these next to its DTO
//! (`<kind>.rs`); the kinds themselves are listed once, in the domain, and
//! declared here by [`kinds!`].

use std::future::Future;

use serde::Serialize;
use shouhu_domain::resource::Resource;
use shouhu_domain::{Ctx, Result};
use shouhu_persistence::{Db, Mapped};
use uuid::Uuid;

/// A record kind, implemented by the DTO the APIs send.
pub trait Kind: From<Self::Record> + Serialize + async_graphql::OutputType + Send + Sync + 'static {
    /// The domain record.
    type Record: Mapped;
    /// How the domain reaches one record of this kind: [`Registered`] or
    /// [`Through`] its parent (see `records`).
    type Access: Access<Self::Record>;
    /// Where REST keeps records of this kind: `Location` is this path, a
    /// slash and the record's id.
    const COLLECTION: &'static str;
}

/// The domain calls on one record that both surfaces make, whatever the kind.
pub trait Access<R: Resource> {
    /// One record the caller may see, masked, its read not logged yet (REST
    /// may answer 304 or a `HEAD` without sending it).
    fn read(db: &Db, ctx: &Ctx, id: Uuid) -> impl Future<Output = Result<R>> + Send;
    /// Notes in the read log that `record` (from [`Access::read`]) went out
    /// in a response of its own.
    fn sent(db: &Db, ctx: &Ctx, record: &R) -> impl Future<Output = Result<()>> + Send;
    /// Applies a merge patch at `expected_version`.
    fn update(
        db: &Db,
        ctx: &Ctx,
        id: Uuid,
        expected_version: i64,
        patch: R::Input,
    ) -> impl Future<Output = Result<R>> + Send;
    /// Archives a register record, ends (withdraws, cancels) a nested one, at
    /// `expected_version`.
    fn retire(db: &Db, ctx: &Ctx, id: Uuid, expected_version: i64) -> impl Future<Output = Result<R>> + Send;
}

/// A register kind's records, reached directly.
pub struct Registered;

/// A nested kind's records, reached through their parent.
pub struct Through;

/// A register record kind: listed a page at a time, archived rather than ended.
pub trait Register: Kind {
    /// REST's page of records.
    type Page: Serialize;
    /// A page of records and the cursor of the next page.
    fn page(items: Vec<Self>, next_cursor: Option<String>) -> Self::Page;
}

/// A record kind seen through another (its parent): listed by parent, ended
/// rather than archived.
pub trait Nested: Kind<Record: shouhu_domain::nested::Nested<Parent: Mapped>> {
    /// REST's list of a parent's records.
    type List: Serialize;
    /// A page of a parent's records.
    fn list(items: Vec<Self>, next_cursor: Option<String>) -> Self::List;
}

/// Declares a register kind: its REST page (`list`) and its [`Kind`] and
/// [`Register`] impls.
macro_rules! register_kind {
    ($dto:ident, list = $list:ident, record = $record:ty, collection = $collection:literal $(,)?) => {
        /// One page of the collection.
        #[derive(Debug, serde::Serialize, utoipa::ToSchema)]
        pub struct $list {
            /// The records, oldest first.
            pub items: Vec<$dto>,
            /// Pass as `cursor` for the next page; `null` on the last page.
            #[schema(example = "c1.019ac4f27b1e7cc09a513f0e6d1b2c4d")]
            pub next_cursor: Option<String>,
        }

        impl $crate::kind::Kind for $dto {
            type Record = $record;
            type Access = $crate::kind::Registered;
            const COLLECTION: &'static str = $collection;
        }

        impl $crate::kind::Register for $dto {
            type Page = $list;
            fn page(items: Vec<Self>, next_cursor: Option<String>) -> $list {
                $list { items, next_cursor }
            }
        }
    };
}
pub(crate) use register_kind;

/// Declares a nested kind: its REST list (`list`) and its [`Kind`] and
/// [`Nested`] impls.
macro_rules! nested_kind {
    (
        $dto:ident, list = $list:ident, record = $record:ty, collection = $collection:literal $(,)?
    ) => {
        /// One page of the parent's records, current and ended, oldest first.
        #[derive(Debug, serde::Serialize, utoipa::ToSchema)]
        pub struct $list {
            /// The records you may see (a page may hold fewer than `limit` and still not be the last).
            pub items: Vec<$dto>,
            /// Pass as `cursor` for the next page; `null` on the last page.
            pub next_cursor: Option<String>,
        }

        impl $crate::kind::Kind for $dto {
            type Record = $record;
            type Access = $crate::kind::Through;
            const COLLECTION: &'static str = $collection;
        }

        impl $crate::kind::Nested for $dto {
            type List = $list;
            fn list(items: Vec<Self>, next_cursor: Option<String>) -> $list {
                $list { items, next_cursor }
            }
        }
    };
}
pub(crate) use nested_kind;

/// The record kinds, each a module (`<kind>.rs`), as the domain lists them:
/// this declares their modules, mounts their routes (`registry::routes`) and
/// merges their GraphQL queries and mutations (`registry::{QueryRoot,
/// MutationRoot}`), all in the order listed. Each kind's module has `routes`
/// and `Query` and, unless the kind is marked `(read_only)`, `Mutation`.
macro_rules! kinds {
    (@mutations [$($done:path,)*] $kind:ident (read_only), $($rest:tt)*) => {
        $crate::kind::kinds!(@mutations [$($done,)*] $($rest)*);
    };
    (@mutations [$($done:path,)*] $kind:ident, $($rest:tt)*) => {
        $crate::kind::kinds!(@mutations [$($done,)* $crate::$kind::Mutation,] $($rest)*);
    };
    (@mutations [$($done:path,)*]) => {
        /// Every mutation.
        #[derive(async_graphql::MergedObject, Default)]
        pub struct MutationRoot($($done),*);
    };
    ($($kind:ident $(($read_only:ident))?),+ $(,)?) => {
        $(pub mod $kind;)+

        /// What the record kinds add to the shared surfaces.
        pub mod registry {
            /// Mounts every kind's routes, with their OpenAPI entries.
            pub fn routes(routes: &mut $crate::rest::Routes) {
                $($crate::$kind::routes(routes);)+
            }

            /// Every query.
            #[derive(async_graphql::MergedObject, Default)]
            pub struct QueryRoot($($crate::$kind::Query),+);

            $crate::kind::kinds!(@mutations [] $($kind $(($read_only))?,)+);
        }
    };
}
pub(crate) use kinds;
