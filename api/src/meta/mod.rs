//! What the API tells about itself for apps: every enumeration with its
//! labels in each language (`GET /api/v1/meta/enums`, GraphQL `enums`), for
//! drop-downs and for reading census sheets by their Chinese labels. Read-only,
//! the same for every caller, built once from the locale files.

pub mod dto;
pub mod graphql;
pub mod rest;
