//! sea-orm entities, one per table. A record kind's entity lives beside its
//! row mapping (`crate::<kind>`, from the one list of kinds, `shouhu_domain::record_kinds!`) and is named here too; the other tables' are declared here.

/// Names each record kind's module, which is its table's entity.
macro_rules! name_entities {
    ($($kind:ident: $_k:ident),+ ; $($nested:ident: $_n:ident),+) => {
        $(pub use crate::$kind;)+
        $(pub use crate::$nested;)+
    };
}
shouhu_domain::record_kinds!(name_entities);

pub mod access_event;
pub mod access_event_child;
pub mod access_event_total;
pub mod account;
pub mod auth_throttle;
pub mod change;
pub mod event;
pub mod feed_head;
pub mod idempotency_key;
pub mod import;
pub mod organization;
pub mod refresh_token;
pub mod region;
pub mod session;
pub mod signing_key;
pub mod webhook_attempt;
pub mod webhook_delivery;
pub mod webhook_subscription;
