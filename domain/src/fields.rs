//! A record's input, typed: every field of a create or a merge patch is a
//! [`Patch`] that knows whether it was left out, sent as `null` or sent with a
//! value. REST bodies are read into these types by serde (a value of the wrong
//! type becomes [`Patch::Invalid`], so that every bad field is reported at
//! once); GraphQL input objects are turned into them field by field. The
//! record then reads its input through [`Fields`], which applies the rules
//! every field shares (required, trimmed, lengths, no control characters) and
//! collects every problem instead of stopping at the first.

use std::collections::BTreeSet;

use chrono::{DateTime, NaiveDate, SubsecRound, Utc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::enums::StrEnum;
use crate::error::{Error, FieldError};
use crate::message::Message;
use crate::msg;

/// Whether the input creates a record or patches one (RFC 7396 merge patch).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Required fields must be present.
    Create,
    /// Absent fields stay as they are; `null` clears an optional field.
    Patch,
}

/// One field of an input.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum Patch<T> {
    /// Left out: keeps its default (create) or its current value (patch).
    #[default]
    Absent,
    /// Sent as `null`: clears an optional field.
    Null,
    /// Sent with a value.
    Value(T),
    /// Sent with a value of the wrong type (REST only): the problem, reported
    /// when the record reads the field, and the value as sent.
    Invalid(Problem, Value),
}

impl<T> Patch<T> {
    /// Whether the field was left out.
    pub fn is_absent(&self) -> bool {
        matches!(self, Self::Absent)
    }

    /// A value or `null` from an optional value.
    pub fn or_null(value: Option<T>) -> Self {
        value.map_or(Self::Null, Self::Value)
    }

    /// A value, or left out.
    pub fn or_absent(value: Option<T>) -> Self {
        value.map_or(Self::Absent, Self::Value)
    }

    /// The same field with its value converted.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Patch<U> {
        match self {
            Self::Absent => Patch::Absent,
            Self::Null => Patch::Null,
            Self::Value(v) => Patch::Value(f(v)),
            Self::Invalid(p, raw) => Patch::Invalid(p, raw),
        }
    }
}

/// Why a value sent for a field cannot be read: a code and a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// A stable code, such as `invalid_type`.
    pub code: &'static str,
    /// What was expected.
    pub message: Message,
}

fn problem(code: &'static str, message: Message) -> Problem {
    Problem { code, message }
}

/// A type a field's value can be read as from JSON.
pub trait FieldValue: Sized {
    /// Reads the value, or says what was expected.
    fn from_json(value: &Value) -> Result<Self, Problem>;
}

impl FieldValue for String {
    fn from_json(value: &Value) -> Result<Self, Problem> {
        match value {
            Value::String(s) => Ok(s.clone()),
            _ => Err(problem("invalid_type", msg!("field.expected_string"))),
        }
    }
}

impl FieldValue for Vec<String> {
    fn from_json(value: &Value) -> Result<Self, Problem> {
        value
            .as_array()
            .and_then(|items| items.iter().map(|i| i.as_str().map(str::to_owned)).collect())
            .ok_or_else(|| problem("invalid_type", msg!("field.expected_strings")))
    }
}

impl FieldValue for bool {
    fn from_json(value: &Value) -> Result<Self, Problem> {
        value
            .as_bool()
            .ok_or_else(|| problem("invalid_type", msg!("field.expected_boolean")))
    }
}

impl FieldValue for i64 {
    fn from_json(value: &Value) -> Result<Self, Problem> {
        value
            .as_i64()
            .ok_or_else(|| problem("invalid_type", msg!("field.expected_integer")))
    }
}

impl FieldValue for NaiveDate {
    fn from_json(value: &Value) -> Result<Self, Problem> {
        match value {
            Value::String(s) => parse_date(s).ok_or_else(|| problem("invalid_date", msg!("field.expected_date"))),
            _ => Err(problem("invalid_type", msg!("field.expected_date"))),
        }
    }
}

impl FieldValue for DateTime<Utc> {
    fn from_json(value: &Value) -> Result<Self, Problem> {
        match value {
            Value::String(s) => {
                parse_instant(s).ok_or_else(|| problem("invalid_instant", msg!("field.expected_instant_example")))
            }
            _ => Err(problem("invalid_type", msg!("field.expected_instant"))),
        }
    }
}

impl FieldValue for Uuid {
    fn from_json(value: &Value) -> Result<Self, Problem> {
        match value {
            Value::String(s) => Uuid::try_parse(s).map_err(|_| problem("invalid_id", msg!("field.expected_uuid"))),
            _ => Err(problem("invalid_type", msg!("field.expected_uuid_string"))),
        }
    }
}

impl<E: StrEnum> FieldValue for E {
    fn from_json(value: &Value) -> Result<Self, Problem> {
        match value {
            Value::String(s) => E::parse(s)
                .ok_or_else(|| problem("invalid_value", msg!("field.expected_one_of", values = E::expected()))),
            _ => Err(problem(
                "invalid_type",
                msg!("field.expected_one_of", values = E::expected()),
            )),
        }
    }
}

impl<E: StrEnum> FieldValue for Vec<E> {
    fn from_json(value: &Value) -> Result<Self, Problem> {
        let Value::Array(items) = value else {
            return Err(problem(
                "invalid_type",
                msg!("field.expected_array_of", values = E::expected()),
            ));
        };
        items
            .iter()
            .map(|item| item.as_str().and_then(E::parse))
            .collect::<Option<Vec<E>>>()
            .ok_or_else(|| {
                problem(
                    "invalid_value",
                    msg!("field.expected_values_among", values = E::expected()),
                )
            })
    }
}

impl<'de, T: FieldValue> Deserialize<'de> for Patch<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        Ok(match value {
            Value::Null => Self::Null,
            value => match T::from_json(&value) {
                Ok(v) => Self::Value(v),
                Err(p) => Self::Invalid(p, value),
            },
        })
    }
}

/// An input's fields serialise as sent; an input skips its absent fields
/// (`#[serde(skip_serializing_if = "Patch::is_absent")]` on each).
impl<T: Serialize> Serialize for Patch<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Absent | Self::Null => serializer.serialize_none(),
            Self::Value(v) => v.serialize(serializer),
            Self::Invalid(_, raw) => raw.serialize(serializer),
        }
    }
}

/// Fields sent that the record does not have (REST only), kept to be reported.
pub type Unknown = Map<String, Value>;

/// A record's typed input: a create or a merge patch. Implementors are plain
/// structs of [`Patch`] fields, read from REST bodies by serde, with the fields
/// the record does not know collected in a flattened [`Unknown`].
pub trait Input: Serialize + DeserializeOwned + Default + Send + Sync + 'static {
    /// Takes the fields sent that the record does not have.
    fn take_unknown(&mut self) -> Unknown;
}

/// Reads a REST body (a JSON object) into a record's input. It cannot fail:
/// values of the wrong type and unknown fields are kept to be reported with
/// every other problem.
pub fn from_json<I: Input>(body: Map<String, Value>) -> I {
    serde_json::from_value(Value::Object(body)).unwrap_or_default()
}

/// The input as JSON (left-out fields absent, `null` ones null, unknown ones
/// as sent), for hashing an idempotent request: equal inputs give equal JSON
/// whichever surface they came through.
pub fn canonical_json<I: Input>(input: &I) -> Value {
    serde_json::to_value(input).unwrap_or(Value::Null)
}

/// Reads a record's input field by field, collecting every problem.
pub struct Fields {
    mode: Mode,
    present: BTreeSet<&'static str>,
    unknown: Unknown,
    errors: Vec<FieldError>,
}

/// Fields every record has and no client may write.
pub const READ_ONLY: &[&str] = &["id", "version", "created_at", "updated_at"];

impl Fields {
    /// Starts reading an input; `unknown` are the fields sent that the record
    /// does not have.
    pub fn new(mode: Mode, unknown: Unknown) -> Self {
        Self {
            mode,
            present: BTreeSet::new(),
            unknown,
            errors: Vec::new(),
        }
    }

    /// The mode this reader works in.
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// The names of the fields read so far that the input carries (sent as a
    /// value or as `null`).
    pub fn present(&self) -> Vec<&'static str> {
        self.present.iter().copied().collect()
    }

    /// Whether a problem was already found with `field`.
    pub fn has_error(&self, field: &str) -> bool {
        self.errors.iter().any(|e| e.field == field)
    }

    /// Adds an error found by a cross-field rule.
    pub fn reject(&mut self, field: &str, code: &str, message: Message) {
        self.errors.push(FieldError::new(field, code, message));
    }

    /// Ends reading: unknown and read-only fields are errors too.
    pub fn finish(mut self) -> Result<(), Error> {
        for key in self.unknown.keys() {
            if READ_ONLY.contains(&key.as_str()) || key == "guarantees" {
                self.errors
                    .push(FieldError::new(key, "read_only", msg!("field.read_only")));
            } else {
                self.errors
                    .push(FieldError::new(key, "unknown_field", msg!("field.unknown")));
            }
        }
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(Error::Validation(self.errors))
        }
    }

    /// The field's value: `Some(Some(v))` sets it, `Some(None)` clears it,
    /// `None` leaves it (absent, or a problem was reported).
    fn take<T>(&mut self, name: &'static str, value: Patch<T>, required: bool) -> Option<Option<T>> {
        if !value.is_absent() {
            self.present.insert(name);
        }
        match value {
            Patch::Absent => {
                if required && self.mode == Mode::Create {
                    self.errors
                        .push(FieldError::new(name, "required", msg!("field.required")));
                }
                None
            }
            Patch::Null if required => {
                self.errors
                    .push(FieldError::new(name, "required", msg!("field.required")));
                None
            }
            Patch::Null => Some(None),
            Patch::Value(v) => Some(Some(v)),
            Patch::Invalid(p, _) => {
                self.errors.push(FieldError::new(name, p.code, p.message));
                None
            }
        }
    }

    /// A string field. Surrounding white space is trimmed; an empty string
    /// clears an optional field.
    fn string(
        &mut self,
        name: &'static str,
        value: Patch<String>,
        required: bool,
        max_chars: usize,
    ) -> Option<Option<String>> {
        let Some(s) = self.take(name, value, required)? else {
            return Some(None);
        };
        let s = s.trim();
        if s.is_empty() {
            if required {
                self.errors.push(FieldError::new(name, "blank", msg!("field.blank")));
                return None;
            }
            return Some(None);
        }
        if s.chars().count() > max_chars {
            self.errors.push(FieldError::new(
                name,
                "too_long",
                msg!("field.too_long", max = max_chars),
            ));
            return None;
        }
        if s.chars().any(|c| c.is_control()) {
            self.errors.push(FieldError::new(
                name,
                "invalid_characters",
                msg!("field.control_characters"),
            ));
            return None;
        }
        Some(Some(s.to_owned()))
    }

    /// A required text field.
    pub fn text(&mut self, name: &'static str, value: Patch<String>, max_chars: usize) -> Option<String> {
        self.string(name, value, true, max_chars).flatten()
    }

    /// An optional text field.
    pub fn opt_text(&mut self, name: &'static str, value: Patch<String>, max_chars: usize) -> Option<Option<String>> {
        self.string(name, value, false, max_chars)
    }

    /// An optional text field that must satisfy `parse`, which returns the stored form
    /// or an error code and message.
    pub fn opt_checked(
        &mut self,
        name: &'static str,
        value: Patch<String>,
        parse: impl FnOnce(&str) -> Result<String, (&'static str, Message)>,
    ) -> Option<Option<String>> {
        match self.string(name, value, false, 100)? {
            None => Some(None),
            Some(s) => match parse(&s) {
                Ok(v) => Some(Some(v)),
                Err((code, message)) => {
                    self.errors.push(FieldError::new(name, code, message));
                    None
                }
            },
        }
    }

    /// A required value (an enumeration, a date, an instant, an id).
    pub fn required<T>(&mut self, name: &'static str, value: Patch<T>) -> Option<T> {
        self.take(name, value, true).flatten()
    }

    /// An optional value: `Some(None)` clears it.
    pub fn optional<T>(&mut self, name: &'static str, value: Patch<T>) -> Option<Option<T>> {
        self.take(name, value, false)
    }

    /// A value that may be left out (keeping its default or current value) but
    /// not set to null.
    pub fn if_given<T>(&mut self, name: &'static str, value: Patch<T>) -> Option<T> {
        match self.take(name, value, false)? {
            Some(v) => Some(v),
            None => {
                self.errors
                    .push(FieldError::new(name, "required", msg!("field.not_null")));
                None
            }
        }
    }

    /// A set of enumeration values (null or `[]` clear it); returned without
    /// repeats, in the enumeration's order.
    pub fn enum_set<E: StrEnum + PartialEq>(&mut self, name: &'static str, value: Patch<Vec<E>>) -> Option<Vec<E>> {
        let given = self.take(name, value, false)?.unwrap_or_default();
        Some(E::ALL.iter().copied().filter(|v| given.contains(v)).collect())
    }

    /// Refuses a field that may be set only at creation.
    pub fn refuse_if_present<T>(&mut self, name: &'static str, value: &Patch<T>, code: &str, message: Message) {
        if !value.is_absent() {
            self.present.insert(name);
            self.errors.push(FieldError::new(name, code, message));
        }
    }

    /// A boolean that cannot be null (its default applies on create).
    pub fn boolean(&mut self, name: &'static str, value: Patch<bool>) -> Option<bool> {
        self.if_given(name, value)
    }

    /// An optional whole number within `min..=max`.
    pub fn opt_int(&mut self, name: &'static str, value: Patch<i64>, min: i64, max: i64) -> Option<Option<i32>> {
        match self.take(name, value, false)? {
            None => Some(None),
            Some(v) if (min..=max).contains(&v) => Some(Some(i32::try_from(v).unwrap_or(i32::MAX))),
            Some(_) => {
                self.errors.push(FieldError::new(
                    name,
                    "out_of_range",
                    msg!("field.out_of_range", min = min, max = max),
                ));
                None
            }
        }
    }
}

/// Parses `YYYY-MM-DD`.
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    if s.len() != 10 {
        return None;
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

/// Parses an RFC 3339 instant and normalises it to UTC, to the microsecond (what
/// both databases keep).
pub fn parse_instant(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|t| t.with_timezone(&Utc).trunc_subsecs(6))
}

/// A mainland mobile number: 11 digits starting with 1 and 3–9. A `+86` or `86`
/// prefix, spaces and hyphens are accepted and dropped.
pub fn parse_mobile(s: &str) -> Result<String, (&'static str, Message)> {
    let digits: String = s.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
    let digits = digits
        .strip_prefix("+86")
        .or_else(|| digits.strip_prefix("0086"))
        .unwrap_or(&digits);
    let digits = if digits.len() == 13 {
        digits.strip_prefix("86").unwrap_or(digits)
    } else {
        digits
    };
    let ok = digits.len() == 11
        && digits.bytes().all(|b| b.is_ascii_digit())
        && digits.as_bytes()[0] == b'1'
        && (b'3'..=b'9').contains(&digits.as_bytes()[1]);
    if ok {
        Ok(digits.to_owned())
    } else {
        Err(("invalid_phone", msg!("field.invalid_phone")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::enums::Gender;
    use serde_json::json;

    #[derive(Debug, Default, Serialize, Deserialize)]
    #[serde(default)]
    struct Sample {
        #[serde(skip_serializing_if = "Patch::is_absent")]
        name: Patch<String>,
        #[serde(skip_serializing_if = "Patch::is_absent")]
        gender: Patch<Gender>,
        #[serde(skip_serializing_if = "Patch::is_absent")]
        birth_date: Patch<NaiveDate>,
        #[serde(skip_serializing_if = "Patch::is_absent")]
        region_code: Patch<String>,
        #[serde(skip_serializing_if = "Patch::is_absent")]
        school_name: Patch<String>,
        #[serde(flatten)]
        unknown: Unknown,
    }

    impl Input for Sample {
        fn take_unknown(&mut self) -> Unknown {
            std::mem::take(&mut self.unknown)
        }
    }

    fn sample(v: Value) -> Sample {
        from_json(v.as_object().cloned().unwrap_or_default())
    }

    #[test]
    fn every_bad_field_is_reported_at_once() {
        let mut s = sample(json!({"name": "", "gender": "boy", "birth_date": "2020-13-01", "id": "x", "colour": 1}));
        let mut f = Fields::new(Mode::Create, s.take_unknown());
        f.text("name", s.name, 50);
        f.required("gender", s.gender);
        f.required("birth_date", s.birth_date);
        f.text("region_code", s.region_code, 12);
        let fields: Vec<_> = match f.finish() {
            Err(Error::Validation(e)) => e.into_iter().map(|e| (e.field, e.code)).collect(),
            other => panic!("expected validation errors, got {other:?}"),
        };
        let expected: Vec<(String, String)> = [
            ("name", "blank"),
            ("gender", "invalid_value"),
            ("birth_date", "invalid_date"),
            ("region_code", "required"),
            ("colour", "unknown_field"),
            ("id", "read_only"),
        ]
        .iter()
        .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
        .collect();
        assert_eq!(fields, expected);
    }

    #[test]
    fn a_patch_leaves_absent_fields_and_clears_null_ones() {
        let s = sample(json!({"school_name": null}));
        let mut f = Fields::new(Mode::Patch, Unknown::new());
        assert_eq!(f.text("name", s.name, 50), None);
        assert_eq!(f.opt_text("school_name", s.school_name, 50), Some(None));
        assert_eq!(f.opt_text("region_code", s.region_code, 50), None);
        assert_eq!(f.present(), vec!["school_name"]);
        assert!(f.finish().is_ok());
    }

    #[test]
    fn a_required_field_cannot_be_nulled_by_a_patch() {
        let s = sample(json!({"name": null}));
        let mut f = Fields::new(Mode::Patch, Unknown::new());
        f.text("name", s.name, 50);
        assert!(matches!(f.finish(), Err(Error::Validation(e)) if e[0].code == "required"));
    }

    #[test]
    fn equal_inputs_serialise_equally_and_absent_fields_are_left_out() {
        let s = sample(json!({"gender": "female", "school_name": null, "name": 7}));
        assert_eq!(
            canonical_json(&s),
            json!({"gender": "female", "school_name": null, "name": 7})
        );
    }

    #[test]
    fn mobile_numbers_are_normalised_or_refused() {
        assert_eq!(parse_mobile("+86 138-0013-8000"), Ok("13800138000".to_owned()));
        assert_eq!(parse_mobile("13800138000"), Ok("13800138000".to_owned()));
        assert!(parse_mobile("12800138000").is_err());
        assert!(parse_mobile("1380013800").is_err());
        assert!(parse_mobile("0851-8888888").is_err());
    }

    #[test]
    fn instants_are_normalised_to_utc_microseconds() {
        let t = parse_instant("2026-05-01T17:00:00.1234567+08:00").map(|t| t.to_rfc3339());
        assert_eq!(t.as_deref(), Some("2026-05-01T09:00:00.123456+00:00"));
        assert!(parse_instant("2026-05-01 09:00").is_none());
    }
}
