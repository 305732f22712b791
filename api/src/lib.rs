//! Shouhu's HTTP surface: REST handlers, the GraphQL schema, the OpenAPI
//! document, authentication, configuration and the command-line tools.
//!
//! Each record kind has its folder (`child/`, `guardian/`, …, `region/`):
//! its DTOs, its REST handlers and routes, its GraphQL objects; the kinds are
//! listed once, below. What the kinds share is in `kind` (what a kind is),
//! `records` (how the domain reaches one record), `enums`, `rest::{record,
//! nested}` and `graphql::{record, nested}` (the generic handlers and resolvers).

pub mod app;
pub mod auth;
pub mod cli;
pub mod config;
pub mod demo;
pub mod enums;
pub mod error;
pub mod graphql;
pub mod i18n;
pub mod idempotent;
pub mod kind;
pub mod limits;
pub mod openapi;
pub mod ops;
pub mod pool_waits;
pub mod records;
pub mod rest;
pub mod transport;

// The record kinds: adding one is one name here (and its folder).
kind::kinds! {
    child,
    guardian,
    care_center,
    volunteer,
    training_session,
    region(read_only),
    meta(read_only),
    guardianship,
    enrollment,
    pairing,
    visit,
    attendance,
}

pub use app::Application;
pub use config::Settings;
