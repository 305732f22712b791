//! Shouhu's HTTP surface: REST handlers, the GraphQL schema, the OpenAPI
//! document, authentication, configuration and the command-line tools.
//!
//! Each record kind has its module (`child.rs`, `guardian.rs`, …, `region.rs`):
//! its DTOs, its REST handlers and routes, its GraphQL objects; the kinds come
//! from the domain's one list (`shouhu_domain::record_kinds!`). What the kinds share is in `kind` (what a kind is),
//! `records` (how the domain reaches one record), `enums`, `rest::{record,
//! nested}` and `graphql::{record, nested}` (the generic handlers and resolvers).

pub mod app;
pub mod auth;
pub mod cli;
pub mod config;
pub mod demo;
pub mod enums;
pub mod error;
pub mod export;
pub mod graphql;
pub mod i18n;
pub mod idempotent;
pub mod imports;
pub mod kind;
pub mod limits;
pub mod openapi;
pub mod ops;
pub mod pool_waits;
pub mod records;
pub mod rest;
pub mod transport;

// The record kinds, from the domain's one list (each a module of the same name
// here), and the read-only surfaces that are not records.
/// Declares the record kinds given by the domain's list, with `region` and `meta`
/// between the register's own kinds and those seen through a parent, then the
/// changes feed and webhooks.
macro_rules! kinds_and_more {
    ($($kind:ident: $_k:ident),+ ; $($nested:ident: $_n:ident),+) => {
        kind::kinds! { $($kind,)+ region(read_only), meta(read_only), $($nested,)+ changes(read_only), webhooks }
    };
}
shouhu_domain::record_kinds!(kinds_and_more);

pub use app::Application;
pub use config::Settings;
