//! Visits: follow-up visits and family contacts, with the concerns found and their resolution.

pub mod dto;
pub mod graphql;
pub mod rest;
