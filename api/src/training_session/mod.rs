//! Training sessions: guardian training, parent-school classes and other sessions.

pub mod dto;
pub mod graphql;
pub mod rest;
