//! Shouhu's HTTP surface: REST handlers, the GraphQL schema, the OpenAPI
//! document, authentication, configuration and the command-line tools.

pub mod app;
pub mod auth;
pub mod cli;
pub mod config;
pub mod demo;
pub mod dto;
pub mod error;
pub mod graphql;
pub mod idempotent;
pub mod limits;
pub mod openapi;
pub mod ops;
pub mod rest;
pub mod transport;

pub use app::Application;
pub use config::Settings;
