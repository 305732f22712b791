//! Guardians: the parents and caregivers of children.

pub mod dto;
pub mod graphql;
pub mod rest;
