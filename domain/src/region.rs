//! Administrative regions: 12-digit division codes (省2 市2 县2 乡3 村3).

use serde::{Deserialize, Serialize};

use crate::enums::RegionLevel;

/// An administrative region.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Region {
    /// The 12-digit division code.
    pub code: String,
    /// The official name.
    pub name: String,
    /// Level, derived from the code.
    pub level: RegionLevel,
    /// The parent's code, derived from the code; `None` for a province.
    pub parent_code: Option<String>,
}

/// Checks that `code` is a well-formed 12-digit division code.
pub fn is_valid_code(code: &str) -> bool {
    code.len() == 12 && code.bytes().all(|b| b.is_ascii_digit()) && &code[..2] != "00"
}

/// The level a well-formed code names.
pub fn level_of(code: &str) -> RegionLevel {
    let zeros = |from: usize| code[from..].bytes().all(|b| b == b'0');
    if zeros(2) {
        RegionLevel::Province
    } else if zeros(4) {
        RegionLevel::City
    } else if zeros(6) {
        RegionLevel::County
    } else if zeros(9) {
        RegionLevel::Township
    } else {
        RegionLevel::Village
    }
}

/// The significant prefix of a code: every region in its subtree starts with it.
pub fn prefix_of(code: &str) -> &str {
    match level_of(code) {
        RegionLevel::Province => &code[..2],
        RegionLevel::City => &code[..4],
        RegionLevel::County => &code[..6],
        RegionLevel::Township => &code[..9],
        RegionLevel::Village => code,
    }
}

/// The code of the region one level up, if any.
pub fn parent_of(code: &str) -> Option<String> {
    let pad = |keep: usize| format!("{}{}", &code[..keep], "0".repeat(12 - keep));
    match level_of(code) {
        RegionLevel::Province => None,
        RegionLevel::City => Some(pad(2)),
        RegionLevel::County => Some(pad(4)),
        RegionLevel::Township => Some(pad(6)),
        RegionLevel::Village => Some(pad(9)),
    }
}

impl Region {
    /// Builds a region from a code and a name, deriving level and parent.
    /// `None` when the code is malformed or the name blank.
    pub fn new(code: &str, name: &str) -> Option<Self> {
        let name = name.trim();
        if !is_valid_code(code) || name.is_empty() || name.chars().count() > 100 {
            return None;
        }
        Some(Self {
            code: code.to_owned(),
            name: name.to_owned(),
            level: level_of(code),
            parent_code: parent_of(code),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_and_parents_follow_from_the_code() {
        assert_eq!(level_of("522631000000"), RegionLevel::County);
        assert_eq!(level_of("522631101000"), RegionLevel::Township);
        assert_eq!(level_of("522631101201"), RegionLevel::Village);
        assert_eq!(level_of("520000000000"), RegionLevel::Province);
        assert_eq!(level_of("522600000000"), RegionLevel::City);
        assert_eq!(parent_of("522631101201").as_deref(), Some("522631101000"));
        assert_eq!(parent_of("522631101000").as_deref(), Some("522631000000"));
        assert_eq!(parent_of("520000000000"), None);
    }

    #[test]
    fn a_subtree_is_a_prefix() {
        assert_eq!(prefix_of("522631000000"), "522631");
        assert_eq!(prefix_of("522631101000"), "522631101");
        assert_eq!(prefix_of("522631101201"), "522631101201");
    }

    #[test]
    fn malformed_codes_are_refused() {
        assert!(!is_valid_code("52263110120"));
        assert!(!is_valid_code("52263110120x"));
        assert!(!is_valid_code("000000000000"));
        assert!(Region::new("522631101201", "  ").is_none());
    }
}
