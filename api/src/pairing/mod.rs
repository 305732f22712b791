//! Pairings: volunteers paired with children as mentors, surrogate parents or peers.

pub mod dto;
pub mod graphql;
pub mod rest;
