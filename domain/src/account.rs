//! Accounts of people and client systems.

use crate::msg;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::ctx::Ctx;
use crate::enums::{Department, Role};
use crate::error::{Error, FieldError, Result};
use crate::region;

/// A person's or a system's account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// Account id, the tokens' subject.
    pub id: Uuid,
    /// Login name, unique.
    pub username: String,
    /// PHC string of the argon2 hash of the password or client secret.
    pub password_hash: String,
    /// Role.
    pub role: Role,
    /// Department, for `department` accounts.
    pub department: Option<Department>,
    /// Organisation.
    pub organization_id: Option<Uuid>,
    /// The region the account is bound to.
    pub region_code: String,
    /// A disabled account cannot log in, refresh or use any access token.
    pub disabled: bool,
    /// A client system (client credentials) rather than a person (password).
    pub is_client: bool,
    /// A client's name.
    pub display_name: Option<String>,
    /// Created.
    pub created_at: DateTime<Utc>,
}

impl Account {
    /// Checks a new account's fields.
    pub fn validate(&self) -> Result<()> {
        let mut errors = Vec::new();
        let name_ok = (3..=64).contains(&self.username.len())
            && self
                .username
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"._-@".contains(&b));
        if !name_ok {
            errors.push(FieldError::new(
                "username",
                "invalid_format",
                msg!("account.invalid_username"),
            ));
        }
        if !region::is_valid_code(&self.region_code) {
            errors.push(FieldError::new("region", "invalid_format", msg!("region.invalid_code")));
        }
        match (self.role, self.department) {
            (Role::Department, None) => errors.push(FieldError::new(
                "department",
                "required",
                msg!("account.department_required"),
            )),
            (Role::Department, Some(_)) | (_, None) => {}
            (_, Some(_)) => errors.push(FieldError::new(
                "department",
                "not_allowed",
                msg!("account.department_not_allowed"),
            )),
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(Error::Validation(errors))
        }
    }

    /// The context of a request made by this account.
    pub fn ctx(&self, request_id: &str, channel: &str) -> Ctx {
        Ctx {
            subject: self.id.to_string(),
            role: self.role,
            department: self.department,
            organization_id: self.organization_id,
            region_code: self.region_code.clone(),
            request_id: request_id.to_owned(),
            client_request_id: None,
            channel: channel.to_owned(),
            rules: crate::guarantee::Rules::default(),
            volunteer_children: Vec::new(),
            service_logs_reads: true,
        }
    }
}

/// The shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 10;

/// Checks a new password.
pub fn validate_password(password: &str) -> Result<()> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(Error::invalid(
            "password",
            "too_short",
            msg!("account.password_too_short", min = MIN_PASSWORD_CHARS),
        ));
    }
    Ok(())
}

/// How failed authentications slow down: each (name, source) pair gets
/// `free_failures` failures in a row without waiting; after that it waits
/// `first_delay_seconds`, doubling with each further failure up to
/// `max_delay_seconds`. A success clears the pair. Keyed on the pair, so that
/// nobody can slow down a name from another source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Throttle {
    /// Failures in a row that cost nothing.
    pub free_failures: u32,
    /// The first wait, in seconds.
    pub first_delay_seconds: u64,
    /// The longest wait, in seconds.
    pub max_delay_seconds: u64,
}

impl Default for Throttle {
    fn default() -> Self {
        Self {
            free_failures: 5,
            first_delay_seconds: 1,
            max_delay_seconds: 900,
        }
    }
}

impl Throttle {
    /// The wait in seconds imposed once `failures` attempts in a row have
    /// been counted, if any (at least one second).
    pub fn delay_after(&self, failures: u32) -> Option<u64> {
        let beyond = failures.checked_sub(self.free_failures)?;
        let factor = 1u64.checked_shl(beyond.min(63)).unwrap_or(u64::MAX);
        Some(
            self.first_delay_seconds
                .saturating_mul(factor)
                .min(self.max_delay_seconds)
                .max(1),
        )
    }
}

/// A previously counted failure this old is forgotten: the pair starts afresh.
pub const THROTTLE_MEMORY_HOURS: i64 = 24;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_cost_nothing_at_first_then_double_up_to_the_cap() {
        let t = Throttle {
            free_failures: 3,
            first_delay_seconds: 2,
            max_delay_seconds: 60,
        };
        let waits: Vec<_> = (0..=10).map(|n| t.delay_after(n)).collect();
        assert_eq!(
            waits,
            [
                None,
                None,
                None,
                Some(2),
                Some(4),
                Some(8),
                Some(16),
                Some(32),
                Some(60),
                Some(60),
                Some(60)
            ]
        );
        assert_eq!(t.delay_after(u32::MAX), Some(60));
    }
}
