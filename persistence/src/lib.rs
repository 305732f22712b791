//! Shouhu's storage: sea-orm entities, the migrations, and the repositories
//! that implement the domain's ports. `DbErr` ends here: everything leaving
//! this crate is a `shouhu_domain::Error`.

/// The record kinds stored here, listed once: each has its table's entity
/// (`entities/<kind>.rs`) and its row mapping (`<kind>.rs`). Gives the list to
/// `$then`, which declares those modules (here and in `entities`) or names the
/// tables (`store`).
macro_rules! record_kinds {
    ($then:ident) => {
        $then! { attendance, care_center, child, enrollment, guardian, guardianship, pairing, training_session, visit, volunteer }
    };
}

/// Declares each record kind's row mapping.
macro_rules! declare_mappings {
    ($($kind:ident),+) => {
        $(mod $kind;)+
    };
}
record_kinds!(declare_mappings);

mod care;
pub mod entities;
mod error;
mod events;
mod idempotency;
mod mapping;
pub mod migration;
mod repository;
mod sessions;
mod store;

pub use error::db_error;
pub use mapping::Mapped;
pub use sessions::{SessionKind, ThrottleScope};
pub use store::{Db, PoolStatus, QueryCounter, SigningKeyRow};
