//! Care centers: places of care (care centers, day-care homes, boarding schools, family rooms…), each with a capacity.

pub mod dto;
pub mod graphql;
pub mod rest;
