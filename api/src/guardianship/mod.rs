//! Guardianships: links between a child and its guardians, kept with their history.

pub mod dto;
pub mod graphql;
pub mod rest;
