//! Enrollments: children's enrolments in places of care, within capacity.

pub mod dto;
pub mod graphql;
pub mod rest;
