//! GraphQL input objects into the domain's typed inputs: a field left out is
//! [`Patch::Absent`], an explicit `null` is [`Patch::Null`], a value is a value.
//! Dates and instants arrive as GraphQL's `NaiveDate` and `DateTime` scalars
//! (a value that is not one is refused before any resolver runs, coded
//! `BAD_USER_INPUT`); they and ids are then read exactly as REST reads them,
//! so that both surfaces keep the same values and report the same problems.

use async_graphql::{InputObject, MaybeUndefined};
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use shouhu_domain::fields::{FieldValue, Patch};

/// A field that may be left out, `null` or a value, its value converted with `f`.
pub fn patch<T, U>(field: MaybeUndefined<T>, f: impl FnOnce(T) -> U) -> Patch<U> {
    match field {
        MaybeUndefined::Undefined => Patch::Absent,
        MaybeUndefined::Null => Patch::Null,
        MaybeUndefined::Value(v) => Patch::Value(f(v)),
    }
}

/// A field the domain reads as a typed value (a date, an instant, an id),
/// given as GraphQL's scalar (`NaiveDate`, `DateTime`, `ID`'s text).
pub fn parsed<T: Serialize, U: FieldValue>(field: MaybeUndefined<T>) -> Patch<U> {
    match field {
        MaybeUndefined::Undefined => Patch::Absent,
        MaybeUndefined::Null => Patch::Null,
        MaybeUndefined::Value(value) => given_parsed(value),
    }
}

/// A required field the domain reads as a typed value. The scalar's JSON form
/// is read exactly as REST reads it (an instant is kept to the microsecond, as
/// both databases keep it).
pub fn given_parsed<T: Serialize, U: FieldValue>(value: T) -> Patch<U> {
    let raw = serde_json::to_value(value).unwrap_or(Value::Null);
    match U::from_json(&raw) {
        Ok(v) => Patch::Value(v),
        Err(problem) => Patch::Invalid(problem, raw),
    }
}

/// The filters a register list of named records shares, flattened into each
/// kind's filter (REST's `region`, `updated_since` and `q` parameters).
#[derive(Debug, Clone, Default, Serialize, InputObject)]
pub struct NamedFilter {
    /// Region subtree.
    pub region: Option<String>,
    /// Changed at or after this instant.
    pub updated_since: Option<DateTime<Utc>>,
    /// Name starts with this text.
    pub q: Option<String>,
}
