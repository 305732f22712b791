//! Black-box tests: each test starts the real server on 127.0.0.1:0 with a
//! fresh database and talks to it over HTTP, through REST and GraphQL.
// Tests fail loudly: a failed expectation is the point.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod abuse;
mod attacks;
mod audit;
mod auth;
mod browsers;
mod care;
mod changes;
mod children;
mod connections;
mod document;
mod enrollments;
mod examples;
mod exports;
mod graphql;
mod graphql_errors;
mod guardianships;
mod hardening;
mod helpers;
mod imports;
mod jurisdiction;
mod languages;
mod matrix;
mod oauth;
mod ops;
mod reach;
mod read_log;
mod register;
mod request_ids;
mod safe_writes;
mod sessions;
mod webhooks;
