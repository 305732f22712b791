//! Attendance: registrations for training sessions, their check-ins, a guardian's training history.

pub mod dto;
pub mod graphql;
pub mod rest;
