//! Volunteers and their vetting.

pub mod dto;
pub mod graphql;
pub mod rest;
