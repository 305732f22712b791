//! Accounts of people and client systems.

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
    /// A disabled account cannot log in or refresh.
    pub disabled: bool,
    /// Locked after repeated failed logins until this instant.
    pub locked_until: Option<DateTime<Utc>>,
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
                "3 to 64 letters, digits or . _ - @",
            ));
        }
        if !region::is_valid_code(&self.region_code) {
            errors.push(FieldError::new(
                "region",
                "invalid_format",
                "expected a 12-digit division code",
            ));
        }
        match (self.role, self.department) {
            (Role::Department, None) => errors.push(FieldError::new(
                "department",
                "required",
                "a department account names its department",
            )),
            (Role::Department, Some(_)) | (_, None) => {}
            (_, Some(_)) => errors.push(FieldError::new(
                "department",
                "not_allowed",
                "only department accounts have a department",
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
            format!("at least {MIN_PASSWORD_CHARS} characters"),
        ));
    }
    Ok(())
}
