//! Shouhu's HTTP surface: REST handlers, the GraphQL schema, the OpenAPI
//! document, authentication, configuration and the command-line tools.
//!
//! Each record kind has its folder (`child/`, `guardian/`, …, `region/`):
//! its DTOs, its REST handlers and routes, its GraphQL objects. What the
//! kinds share is in `kind` (what a kind is), `enums`, `rest::{record, nested}`
//! and `graphql::{record, nested}` (the generic handlers and resolvers).

pub mod app;
pub mod attendance;
pub mod auth;
pub mod care_center;
pub mod child;
pub mod cli;
pub mod config;
pub mod demo;
pub mod enrollment;
pub mod enums;
pub mod error;
pub mod graphql;
pub mod guardian;
pub mod guardianship;
pub mod idempotent;
pub mod kind;
pub mod limits;
pub mod openapi;
pub mod ops;
pub mod pairing;
pub mod records;
pub mod region;
pub mod rest;
pub mod training_session;
pub mod transport;
pub mod visit;
pub mod volunteer;

pub use app::Application;
pub use config::Settings;
