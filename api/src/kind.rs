//! What the generic handlers and resolvers know of a record kind: its domain
//! record, the DTO both surfaces send, and where REST keeps it. Each kind
//! implements these next to its DTO (`<kind>/dto.rs`).

use serde::Serialize;
use serde::de::DeserializeOwned;
use shouhu_persistence::Mapped;

/// A record kind, implemented by the DTO the APIs send.
pub trait Kind:
    From<Self::Record> + Serialize + DeserializeOwned + async_graphql::OutputType + Send + Sync + 'static
{
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
    /// The field naming the parent (kept with the input under an idempotency key).
    const PARENT_FIELD: &'static str;
    /// The operation an idempotency key is claimed for.
    const SCOPE: &'static str;
    /// A parent's records.
    fn list(items: Vec<Self>) -> Self::List;
}
