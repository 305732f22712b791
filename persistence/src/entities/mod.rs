//! sea-orm entities, one per table. Plain data; the mapping to domain records
//! lives in `crate::mapping`.

pub mod access_event;
pub mod access_event_child;
pub mod account;
pub mod attendance;
pub mod auth_throttle;
pub mod care_center;
pub mod child;
pub mod enrollment;
pub mod event;
pub mod guardian;
pub mod guardianship;
pub mod idempotency_key;
pub mod organization;
pub mod pairing;
pub mod refresh_token;
pub mod region;
pub mod session;
pub mod signing_key;
pub mod training_session;
pub mod visit;
pub mod volunteer;
