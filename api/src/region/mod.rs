//! Regions: the administrative divisions (province to village) every record belongs to; read-only.

pub mod dto;
pub mod graphql;
pub mod rest;
