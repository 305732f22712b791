//! sea-orm entities, one per table. Plain data; the mapping to domain records
//! lives in `crate::mapping`. The record kinds' entities are declared from
//! the one list of kinds (`record_kinds!` in the crate root), the others here.

/// Declares each record kind's entity.
macro_rules! declare_entities {
    ($($kind:ident),+) => {
        $(pub mod $kind;)+
    };
}
record_kinds!(declare_entities);

pub mod access_event;
pub mod access_event_child;
pub mod account;
pub mod auth_throttle;
pub mod event;
pub mod idempotency_key;
pub mod organization;
pub mod refresh_token;
pub mod region;
pub mod session;
pub mod signing_key;
