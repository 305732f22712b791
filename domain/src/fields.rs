//! Reads a JSON object field by field for a create or a merge patch, collecting
//! every problem instead of stopping at the first, so that a client learns about
//! all its bad fields at once. Both REST bodies and GraphQL inputs end up here.

use std::collections::BTreeSet;

use chrono::{DateTime, NaiveDate, SubsecRound, Utc};
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::enums::StrEnum;
use crate::error::{Error, FieldError};

/// Whether the object creates a record or patches one (RFC 7396 merge patch).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Required fields must be present.
    Create,
    /// Absent fields stay as they are; `null` clears an optional field.
    Patch,
}

/// A field reader over one JSON object.
pub struct Fields<'a> {
    map: &'a Map<String, Value>,
    mode: Mode,
    known: BTreeSet<&'static str>,
    read_only: &'static [&'static str],
    errors: Vec<FieldError>,
}

/// Fields every record has and no client may write.
pub const READ_ONLY: &[&str] = &["id", "version", "created_at", "updated_at"];

impl<'a> Fields<'a> {
    /// Starts reading `map`.
    pub fn new(map: &'a Map<String, Value>, mode: Mode) -> Self {
        Self {
            map,
            mode,
            known: BTreeSet::new(),
            read_only: READ_ONLY,
            errors: Vec::new(),
        }
    }

    /// The mode this reader works in.
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// The names of the fields the object carries that this reader knows.
    pub fn present(&self) -> Vec<&'static str> {
        self.known
            .iter()
            .copied()
            .filter(|k| self.map.contains_key(*k))
            .collect()
    }

    /// Whether a problem was already found with `field`.
    pub fn has_error(&self, field: &str) -> bool {
        self.errors.iter().any(|e| e.field == field)
    }

    /// Adds an error found by a cross-field rule.
    pub fn reject(&mut self, field: &str, code: &str, message: impl Into<String>) {
        self.errors.push(FieldError::new(field, code, message));
    }

    /// Ends reading: unknown and read-only fields are errors too.
    pub fn finish(mut self) -> Result<(), Error> {
        for key in self.map.keys() {
            if self.known.contains(key.as_str()) {
                continue;
            }
            if self.read_only.contains(&key.as_str()) || key == "guarantees" {
                self.errors
                    .push(FieldError::new(key, "read_only", "this field is set by the server"));
            } else {
                self.errors
                    .push(FieldError::new(key, "unknown_field", "this field does not exist"));
            }
        }
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(Error::Validation(self.errors))
        }
    }

    /// The raw value: `None` when absent, `Some(Null)` when null.
    fn raw(&mut self, name: &'static str, required: bool) -> Option<&'a Value> {
        self.known.insert(name);
        let value = self.map.get(name);
        if required {
            let missing = match value {
                None => self.mode == Mode::Create,
                Some(Value::Null) => true,
                Some(_) => false,
            };
            if missing {
                self.errors
                    .push(FieldError::new(name, "required", "this field is required"));
                return None;
            }
        }
        value
    }

    fn wrong_type(&mut self, name: &str, expected: &str) {
        self.errors
            .push(FieldError::new(name, "invalid_type", format!("expected {expected}")));
    }

    /// A string field. `Some(Some(s))` sets it, `Some(None)` clears it, `None` leaves it.
    /// Surrounding white space is trimmed; an empty string clears an optional field.
    fn string(&mut self, name: &'static str, required: bool, max_chars: usize) -> Option<Option<String>> {
        match self.raw(name, required)? {
            Value::Null => Some(None),
            Value::String(s) => {
                let s = s.trim();
                if s.is_empty() {
                    if required {
                        self.errors
                            .push(FieldError::new(name, "blank", "this field may not be blank"));
                        return None;
                    }
                    return Some(None);
                }
                if s.chars().count() > max_chars {
                    self.errors.push(FieldError::new(
                        name,
                        "too_long",
                        format!("at most {max_chars} characters"),
                    ));
                    return None;
                }
                if s.chars().any(|c| c.is_control()) {
                    self.errors.push(FieldError::new(
                        name,
                        "invalid_characters",
                        "control characters are not allowed",
                    ));
                    return None;
                }
                Some(Some(s.to_owned()))
            }
            _ => {
                self.wrong_type(name, "a string");
                None
            }
        }
    }

    /// A required text field.
    pub fn text(&mut self, name: &'static str, max_chars: usize) -> Option<String> {
        self.string(name, true, max_chars).flatten()
    }

    /// An optional text field.
    pub fn opt_text(&mut self, name: &'static str, max_chars: usize) -> Option<Option<String>> {
        self.string(name, false, max_chars)
    }

    /// An optional text field that must satisfy `parse`, which returns the stored form
    /// or an error code and message.
    pub fn opt_checked(
        &mut self,
        name: &'static str,
        parse: impl FnOnce(&str) -> Result<String, (&'static str, String)>,
    ) -> Option<Option<String>> {
        match self.string(name, false, 100)? {
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

    fn enumeration<E: StrEnum>(&mut self, name: &'static str, required: bool) -> Option<Option<E>> {
        match self.raw(name, required)? {
            Value::Null => Some(None),
            Value::String(s) => match E::parse(s) {
                Some(v) => Some(Some(v)),
                None => {
                    self.errors.push(FieldError::new(
                        name,
                        "invalid_value",
                        format!("expected one of: {}", E::expected()),
                    ));
                    None
                }
            },
            _ => {
                self.wrong_type(name, &format!("one of: {}", E::expected()));
                None
            }
        }
    }

    /// A required enumeration.
    pub fn enum_value<E: StrEnum>(&mut self, name: &'static str) -> Option<E> {
        self.enumeration(name, true).flatten()
    }

    /// An enumeration that may be left out (keeping its default or current
    /// value) but not set to null.
    pub fn enum_if_given<E: StrEnum>(&mut self, name: &'static str) -> Option<E> {
        match self.enumeration::<E>(name, false)? {
            Some(v) => Some(v),
            None => {
                self.errors
                    .push(FieldError::new(name, "required", "this field may not be null"));
                None
            }
        }
    }

    /// An optional enumeration.
    pub fn opt_enum<E: StrEnum>(&mut self, name: &'static str) -> Option<Option<E>> {
        self.enumeration(name, false)
    }

    fn date_value(&mut self, name: &'static str, required: bool) -> Option<Option<NaiveDate>> {
        match self.raw(name, required)? {
            Value::Null => Some(None),
            Value::String(s) => match parse_date(s) {
                Some(d) => Some(Some(d)),
                None => {
                    self.errors
                        .push(FieldError::new(name, "invalid_date", "expected a date YYYY-MM-DD"));
                    None
                }
            },
            _ => {
                self.wrong_type(name, "a date YYYY-MM-DD");
                None
            }
        }
    }

    /// A required date.
    pub fn date(&mut self, name: &'static str) -> Option<NaiveDate> {
        self.date_value(name, true).flatten()
    }

    /// An optional date.
    pub fn opt_date(&mut self, name: &'static str) -> Option<Option<NaiveDate>> {
        self.date_value(name, false)
    }

    fn instant_value(&mut self, name: &'static str, required: bool) -> Option<Option<DateTime<Utc>>> {
        match self.raw(name, required)? {
            Value::Null => Some(None),
            Value::String(s) => match parse_instant(s) {
                Some(t) => Some(Some(t)),
                None => {
                    self.errors.push(FieldError::new(
                        name,
                        "invalid_instant",
                        "expected an RFC 3339 instant such as 2026-05-01T09:00:00Z",
                    ));
                    None
                }
            },
            _ => {
                self.wrong_type(name, "an RFC 3339 instant");
                None
            }
        }
    }

    /// A required instant.
    pub fn instant(&mut self, name: &'static str) -> Option<DateTime<Utc>> {
        self.instant_value(name, true).flatten()
    }

    /// An optional instant.
    pub fn opt_instant(&mut self, name: &'static str) -> Option<Option<DateTime<Utc>>> {
        self.instant_value(name, false)
    }

    /// A required id (UUID).
    pub fn id(&mut self, name: &'static str) -> Option<Uuid> {
        match self.raw(name, true)? {
            Value::String(s) => match Uuid::try_parse(s) {
                Ok(id) => Some(id),
                Err(_) => {
                    self.errors.push(FieldError::new(name, "invalid_id", "expected a UUID"));
                    None
                }
            },
            _ => {
                self.wrong_type(name, "a UUID string");
                None
            }
        }
    }

    /// An optional id: `Some(None)` clears it.
    pub fn opt_id(&mut self, name: &'static str) -> Option<Option<Uuid>> {
        match self.raw(name, false)? {
            Value::Null => Some(None),
            Value::String(s) => match Uuid::try_parse(s) {
                Ok(id) => Some(Some(id)),
                Err(_) => {
                    self.errors.push(FieldError::new(name, "invalid_id", "expected a UUID"));
                    None
                }
            },
            _ => {
                self.wrong_type(name, "a UUID string or null");
                None
            }
        }
    }

    /// A set of enumeration values, sent as an array of names (null or `[]`
    /// clear it); returned without repeats, in the enumeration's order.
    pub fn enum_set<E: StrEnum + PartialEq>(&mut self, name: &'static str) -> Option<Vec<E>> {
        let items = match self.raw(name, false)? {
            Value::Null => return Some(Vec::new()),
            Value::Array(items) => items,
            _ => {
                self.wrong_type(name, &format!("an array of: {}", E::expected()));
                return None;
            }
        };
        let mut given = Vec::new();
        for item in items {
            match item.as_str().and_then(E::parse) {
                Some(v) => given.push(v),
                None => {
                    self.errors.push(FieldError::new(
                        name,
                        "invalid_value",
                        format!("expected values among: {}", E::expected()),
                    ));
                    return None;
                }
            }
        }
        Some(E::ALL.iter().copied().filter(|v| given.contains(v)).collect())
    }

    /// Refuses a field that may be set only at creation.
    pub fn refuse_if_present(&mut self, name: &'static str, code: &str, message: &str) {
        self.known.insert(name);
        if self.map.contains_key(name) {
            self.errors.push(FieldError::new(name, code, message));
        }
    }

    /// A boolean that cannot be null (its default applies on create).
    pub fn boolean(&mut self, name: &'static str) -> Option<bool> {
        match self.raw(name, false)? {
            Value::Bool(b) => Some(*b),
            Value::Null => {
                self.errors
                    .push(FieldError::new(name, "required", "this field may not be null"));
                None
            }
            _ => {
                self.wrong_type(name, "true or false");
                None
            }
        }
    }

    /// An optional whole number within `min..=max`.
    pub fn opt_int(&mut self, name: &'static str, min: i64, max: i64) -> Option<Option<i32>> {
        match self.raw(name, false)? {
            Value::Null => Some(None),
            Value::Number(n) => match n.as_i64() {
                Some(v) if (min..=max).contains(&v) => Some(Some(i32::try_from(v).unwrap_or(i32::MAX))),
                Some(_) => {
                    self.errors.push(FieldError::new(
                        name,
                        "out_of_range",
                        format!("expected a whole number from {min} to {max}"),
                    ));
                    None
                }
                None => {
                    self.wrong_type(name, "a whole number");
                    None
                }
            },
            _ => {
                self.wrong_type(name, "a whole number");
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
pub fn parse_mobile(s: &str) -> Result<String, (&'static str, String)> {
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
        Err((
            "invalid_phone",
            "expected a mainland mobile number: 11 digits starting with 13–19".to_owned(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::enums::Gender;
    use serde_json::json;

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn every_bad_field_is_reported_at_once() {
        let m = obj(json!({"name": "", "gender": "boy", "birth_date": "2020-13-01", "id": "x", "colour": 1}));
        let mut f = Fields::new(&m, Mode::Create);
        f.text("name", 50);
        f.enum_value::<Gender>("gender");
        f.date("birth_date");
        f.text("region_code", 12);
        let fields: Vec<_> = match f.finish() {
            Err(Error::Validation(e)) => e.into_iter().map(|e| (e.field, e.code)).collect(),
            other => panic!("expected validation errors, got {other:?}"),
        };
        for expected in [
            ("name", "blank"),
            ("gender", "invalid_value"),
            ("birth_date", "invalid_date"),
            ("region_code", "required"),
            ("id", "read_only"),
            ("colour", "unknown_field"),
        ] {
            assert!(
                fields.contains(&(expected.0.to_owned(), expected.1.to_owned())),
                "{expected:?} in {fields:?}"
            );
        }
    }

    #[test]
    fn a_patch_leaves_absent_fields_and_clears_null_ones() {
        let m = obj(json!({"school_name": null}));
        let mut f = Fields::new(&m, Mode::Patch);
        assert_eq!(f.text("name", 50), None);
        assert_eq!(f.opt_text("school_name", 50), Some(None));
        assert_eq!(f.opt_text("grade", 50), None);
        assert!(f.finish().is_ok());
    }

    #[test]
    fn a_required_field_cannot_be_nulled_by_a_patch() {
        let m = obj(json!({"name": null}));
        let mut f = Fields::new(&m, Mode::Patch);
        f.text("name", 50);
        assert!(matches!(f.finish(), Err(Error::Validation(e)) if e[0].code == "required"));
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
