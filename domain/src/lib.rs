//! Shouhu's rules: the register's records, their validation, who may see and
//! change what, and the services both APIs call. No IO happens here; storage is
//! reached through the traits in [`ports`].

pub mod account;
pub mod attendance;
pub mod audit;
pub mod care_center;
pub mod child;
pub mod ctx;
pub mod enrollment;
pub mod enums;
pub mod error;
pub mod fields;
pub mod guarantee;
pub mod guardian;
pub mod guardianship;
pub mod id_number;
pub mod idempotency;
pub mod message;
pub mod nested;
pub mod pairing;
pub mod policy;
pub mod ports;
pub mod region;
pub mod resource;
pub mod service;
pub mod training_session;
pub mod uniqueness;
pub mod visit;
pub mod volunteer;

pub use ctx::Ctx;
pub use error::{Error, FieldError, Result};
pub use message::Message;
