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
}

impl Message {
    /// A message without arguments (allocates nothing).
    pub const fn new(key: &'static str) -> Self {
        Self { key, args: Vec::new() }
    }

    /// The message with one more argument.
    pub fn with(mut self, name: &'static str, value: impl ToString) -> Self {
        self.args.push((name, value.to_string()));
        self
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

/// A [`Message`]: `msg!("field.too_long", max = max_chars)`.
#[macro_export]
macro_rules! msg {
    ($key:literal $(, $name:ident = $value:expr)* $(,)?) => {
        $crate::message::Message::new($key)$(.with(stringify!($name), $value))*
    };
}
