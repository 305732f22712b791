//! Children: the register of left-behind children, with their five guarantees (五有) decided on every read.

pub mod dto;
pub mod graphql;
pub mod rest;
