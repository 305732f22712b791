//! Words for people, named rather than written: a [`Message`] is a stable key
//! with its arguments, and the API renders it in the caller's language from
//! the locale files (`api/locales/`). The domain never holds a sentence.

use std::fmt;

use serde::Serialize;

/// A message for people: a key of the locale files and the values of its
/// `%{name}` placeholders.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Message {
    /// The key in the locale files, such as `field.required`.
    pub key: &'static str,
    /// The placeholders' values, by name.
    pub args: Vec<(&'static str, String)>,
    /// Arguments that are values of an enumeration (the argument's name and the
    /// enumeration's key prefix in the locale files, `enum.school_status`): a
    /// text may write `%{name_label}` for the value's label in its language
    /// instead of `%{name}`, the value as the API spells it.
    pub labels: Vec<(&'static str, &'static str)>,
}

impl Message {
    /// A message without arguments (allocates nothing).
    pub const fn new(key: &'static str) -> Self {
        Self {
            key,
            args: Vec::new(),
            labels: Vec::new(),
        }
    }

    /// The message with one more argument.
    pub fn with(mut self, name: &'static str, value: impl ToString) -> Self {
        self.args.push((name, value.to_string()));
        self
    }

    /// The message with one more argument, a value of the enumeration whose
    /// labels the locale files keep under `enumeration` (`enum.school_status`).
    pub fn with_label(mut self, name: &'static str, value: impl ToString, enumeration: &'static str) -> Self {
        self.labels.push((name, enumeration));
        self.with(name, value)
    }

    /// The value of one argument.
    pub fn arg(&self, name: &str) -> Option<&str> {
        self.args.iter().find(|(n, _)| *n == name).map(|(_, v)| v.as_str())
    }
}

/// For logs: the key and its arguments, `field.too_long(max=50)`.
impl fmt::Display for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key)?;
        if !self.args.is_empty() {
            f.write_str("(")?;
            for (i, (name, value)) in self.args.iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                write!(f, "{name}={value}")?;
            }
            f.write_str(")")?;
        }
        Ok(())
    }
}

/// A [`Message`]: `msg!("field.too_long", max = max_chars)`; an argument that
/// is a value of an enumeration names its labels: `status = s => "enum.school_status"`.
#[macro_export]
macro_rules! msg {
    (@arg $m:expr, $name:ident, $value:expr) => {
        $m.with(stringify!($name), $value)
    };
    (@arg $m:expr, $name:ident, $value:expr, $enumeration:literal) => {
        $m.with_label(stringify!($name), $value, $enumeration)
    };
    ($key:literal $(, $name:ident = $value:expr $(=> $enumeration:literal)?)* $(,)?) => {{
        let m = $crate::message::Message::new($key);
        $(let m = $crate::msg!(@arg m, $name, $value $(, $enumeration)?);)*
        m
    }};
}
