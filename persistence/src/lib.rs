//! Shouhu's storage: sea-orm entities, the migrations, and the repositories
//! that implement the domain's ports. `DbErr` ends here: everything leaving
//! this crate is a `shouhu_domain::Error`.

/// Declares each record kind's module (`<kind>.rs`: its table's entity and its row
/// mapping), from the domain's one list of kinds.
macro_rules! declare_mappings {
    ($($kind:ident: $_k:ident),+ ; $($nested:ident: $_n:ident),+) => {
        $(pub mod $kind;)+
        $(pub mod $nested;)+
    };
}
shouhu_domain::record_kinds!(declare_mappings);

mod care;
mod changes;
pub mod entities;
mod error;
mod events;
mod idempotency;
pub mod imports;
mod mapping;
pub mod migration;
mod repository;
mod sessions;
mod store;
mod webhooks;

pub use error::db_error;
pub use imports::{ImportJob, ImportLease, NewImport};
pub use mapping::Mapped;
pub use sessions::{SessionKind, ThrottleScope};
pub use store::{Db, PoolStatus, QueryCounter, SigningKeyRow};
pub use webhooks::Lease;
