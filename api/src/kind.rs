//! What the generic handlers and resolvers know of a record kind: its domain
//! record, the DTO both surfaces send, and where REST keeps it. Each kind
//! implements these next to its DTO (`<kind>/dto.rs`).

use serde::Serialize;
use shouhu_persistence::Mapped;

/// A record kind, implemented by the DTO the APIs send.
pub trait Kind: From<Self::Record> + Serialize + async_graphql::OutputType + Send + Sync + 'static {
    /// The domain record.
    type Record: Mapped;
    /// Where REST keeps records of this kind: `Location` is this path, a
    /// slash and the record's id.
    const COLLECTION: &'static str;
}

/// A register record kind: listed a page at a time, archived rather than ended.
pub trait Register: Kind {
    /// REST's page of records.
    type Page: Serialize;
    /// A page of records and the cursor of the next page.
    fn page(items: Vec<Self>, next_cursor: Option<String>) -> Self::Page;
}

/// A record kind seen through another (its parent): listed whole, ended
/// rather than archived.
pub trait Nested: Kind {
    /// REST's list of a parent's records.
    type List: Serialize;
    /// A parent's records.
    fn list(items: Vec<Self>) -> Self::List;
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
        /// All records of the parent, current and ended, oldest first.
        #[derive(Debug, serde::Serialize, utoipa::ToSchema)]
        pub struct $list {
            /// The records you may see.
            pub items: Vec<$dto>,
        }

        impl $crate::kind::Kind for $dto {
            type Record = $record;
            const COLLECTION: &'static str = $collection;
        }

        impl $crate::kind::Nested for $dto {
            type List = $list;
            fn list(items: Vec<Self>) -> $list {
                $list { items }
            }
        }
    };
}
pub(crate) use nested_kind;
