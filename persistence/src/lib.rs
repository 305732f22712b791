//! Shouhu's storage: sea-orm entities, the migrations, and the repositories
//! that implement the domain's ports. `DbErr` ends here: everything leaving
//! this crate is a `shouhu_domain::Error`.

mod attendance;
mod care;
mod care_center;
mod child;
mod enrollment;
pub mod entities;
mod error;
mod events;
mod guardian;
mod guardianship;
mod idempotency;
mod mapping;
pub mod migration;
mod pairing;
mod repository;
mod sessions;
mod store;
mod training_session;
mod visit;
mod volunteer;

pub use error::db_error;
pub use mapping::Mapped;
pub use sessions::{SessionKind, ThrottleScope};
pub use store::{Db, PoolStatus, QueryCounter, SigningKeyRow};
