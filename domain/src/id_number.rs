//! Resident ID numbers (居民身份证号码, GB 11643-1999): 6-digit address code,
//! 8-digit birth date, 3-digit sequence (odd for men, even for women) and an
//! ISO 7064 MOD 11-2 check character.

use crate::message::Message;
use crate::msg;
use chrono::NaiveDate;

use crate::enums::Gender;

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];

/// A resident ID number that passed the format and check-digit test.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdNumber {
    text: String,
    birth_date: NaiveDate,
    gender: Gender,
}

/// Why an ID number was refused; `code()` is the field error code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdNumberError {
    /// Not 17 digits followed by a digit or `X`.
    Format,
    /// The check character does not match.
    CheckDigit,
    /// The embedded birth date is not a calendar date.
    BirthDate,
}

impl IdNumberError {
    /// The field error code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Format => "invalid_format",
            Self::CheckDigit => "invalid_check_digit",
            Self::BirthDate => "invalid_birth_date",
        }
    }
    /// A human-readable message.
    pub fn message(self) -> Message {
        match self {
            Self::Format => msg!("id_number.invalid_format"),
            Self::CheckDigit => msg!("id_number.invalid_check_digit"),
            Self::BirthDate => msg!("id_number.invalid_birth_date"),
        }
    }
}

/// The check character for the first 17 digits.
pub fn check_char(first17: &str) -> Option<char> {
    if first17.len() != 17 || !first17.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let sum: u32 = first17.bytes().zip(WEIGHTS).map(|(b, w)| u32::from(b - b'0') * w).sum();
    CHECK.get((sum % 11) as usize).copied()
}

impl IdNumber {
    /// Parses and checks an ID number; a lowercase `x` is accepted and stored uppercase.
    pub fn parse(input: &str) -> Result<Self, IdNumberError> {
        let text = input.trim().to_ascii_uppercase();
        if text.len() != 18 || !text.is_ascii() {
            return Err(IdNumberError::Format);
        }
        let (first17, last) = text.split_at(17);
        let expected = check_char(first17).ok_or(IdNumberError::Format)?;
        let last = last.chars().next().ok_or(IdNumberError::Format)?;
        if !(last.is_ascii_digit() || last == 'X') {
            return Err(IdNumberError::Format);
        }
        if last != expected {
            return Err(IdNumberError::CheckDigit);
        }
        let birth_date = NaiveDate::parse_from_str(&text[6..14], "%Y%m%d").map_err(|_| IdNumberError::BirthDate)?;
        let sequence = text.as_bytes()[16] - b'0';
        let gender = if sequence % 2 == 1 {
            Gender::Male
        } else {
            Gender::Female
        };
        Ok(Self {
            text,
            birth_date,
            gender,
        })
    }

    /// The normalised 18 characters.
    pub fn as_str(&self) -> &str {
        &self.text
    }
    /// The birth date it encodes.
    pub fn birth_date(&self) -> NaiveDate {
        self.birth_date
    }
    /// The gender it encodes.
    pub fn gender(&self) -> Gender {
        self.gender
    }
}

/// Builds a valid ID number from its parts (demo and synthetic data, tests).
pub fn compose(area: &str, birth_date: NaiveDate, sequence: u16, gender: Gender) -> String {
    let seq = match gender {
        Gender::Male if sequence.is_multiple_of(2) => sequence + 1,
        Gender::Female if !sequence.is_multiple_of(2) => sequence + 1,
        _ => sequence,
    } % 1000;
    let first17 = format!("{area:0>6.6}{}{seq:03}", birth_date.format("%Y%m%d"));
    let check = check_char(&first17).unwrap_or('0');
    format!("{first17}{check}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_published_sample_number_is_accepted() {
        // The sample number of GB 11643-1999's appendix.
        let id = IdNumber::parse("11010519491231002X").map_err(|e| e.code());
        assert_eq!(id.as_ref().map(|i| i.gender()), Ok(Gender::Female));
        assert_eq!(
            id.map(|i| i.birth_date()),
            Ok(NaiveDate::from_ymd_opt(1949, 12, 31).unwrap_or_default())
        );
    }

    #[test]
    fn a_lowercase_x_is_normalised() {
        assert_eq!(
            IdNumber::parse("11010519491231002x").map(|i| i.as_str().to_owned()),
            Ok("11010519491231002X".to_owned())
        );
    }

    #[test]
    fn a_wrong_check_digit_is_refused() {
        assert_eq!(IdNumber::parse("110105194912310021"), Err(IdNumberError::CheckDigit));
    }

    #[test]
    fn wrong_lengths_and_letters_are_refused() {
        assert_eq!(IdNumber::parse("1101051949123100"), Err(IdNumberError::Format));
        assert_eq!(IdNumber::parse("11010519491231002Y"), Err(IdNumberError::Format));
        assert_eq!(IdNumber::parse("1101051949123100２X"), Err(IdNumberError::Format));
    }

    #[test]
    fn an_impossible_birth_date_is_refused() {
        let n = compose(
            "110105",
            NaiveDate::from_ymd_opt(2015, 2, 28).unwrap_or_default(),
            12,
            Gender::Male,
        );
        let bad17 = format!("{}0230{}", &n[..10], &n[14..17]);
        let bad = format!("{bad17}{}", check_char(&bad17).unwrap_or('0'));
        assert_eq!(IdNumber::parse(&bad), Err(IdNumberError::BirthDate));
    }

    #[test]
    fn composed_numbers_carry_their_birth_date_and_gender() {
        let d = NaiveDate::from_ymd_opt(2016, 7, 9).unwrap_or_default();
        for (g, seq) in [(Gender::Male, 10), (Gender::Female, 11), (Gender::Male, 999)] {
            let id = IdNumber::parse(&compose("522631", d, seq, g));
            assert_eq!(id.as_ref().map(|i| i.gender()), Ok(g));
            assert_eq!(id.map(|i| i.birth_date()), Ok(d));
        }
    }
}
