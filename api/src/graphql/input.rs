//! GraphQL input objects into the domain's typed inputs: a field left out is
//! [`Patch::Absent`], an explicit `null` is [`Patch::Null`], a value is a value.
//! Values GraphQL carries as strings (dates, instants, ids) are read exactly as
//! REST reads them, so that both surfaces report the same problems.

use async_graphql::{InputObject, MaybeUndefined};
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

/// A text field the domain reads as a typed value (a date, an instant, an id).
pub fn parsed<U: FieldValue>(field: MaybeUndefined<String>) -> Patch<U> {
    match field {
        MaybeUndefined::Undefined => Patch::Absent,
        MaybeUndefined::Null => Patch::Null,
        MaybeUndefined::Value(text) => given_parsed(text),
    }
}

/// A required text field the domain reads as a typed value.
pub fn given_parsed<U: FieldValue>(text: String) -> Patch<U> {
    let raw = Value::String(text);
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
    pub updated_since: Option<String>,
    /// Name starts with this text.
    pub q: Option<String>,
}
