//! Storage errors, mapped into domain errors at this crate's edge.

use sea_orm::{DbErr, SqlErr};
use shouhu_domain::{Error, msg};

/// Maps a storage error into the domain's error. A unique violation is a
/// `Conflict` naming the field when the index tells it.
pub fn db_error(err: DbErr) -> Error {
    match err.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(message)) => {
            // PostgreSQL names the index, SQLite the columns.
            if message.contains("ux_guardianships_active_pair") || message.contains("guardianships.guardian_id") {
                return Error::Conflict {
                    field: Some("guardian_id".to_owned()),
                    message: msg!("conflict.guardianship_pair"),
                };
            }
            if message.contains("ux_guardianships_primary") || message.contains("guardianships.child_id") {
                return Error::Conflict {
                    field: Some("is_primary_caregiver".to_owned()),
                    message: msg!("conflict.primary_caregiver"),
                };
            }
            if message.contains("ux_pairings_active_pair") || message.contains("pairings.volunteer_id") {
                return Error::Conflict {
                    field: Some("child_id".to_owned()),
                    message: msg!("conflict.pairing_pair"),
                };
            }
            if message.contains("ux_attendance_active") || message.contains("attendance.training_session_id") {
                return Error::Conflict {
                    field: Some("attendee_id".to_owned()),
                    message: msg!("conflict.attendance"),
                };
            }
            if message.contains("ux_volunteers_account") || message.contains("volunteers.account_id") {
                return Error::Conflict {
                    field: Some("account_id".to_owned()),
                    message: msg!("conflict.volunteer_account"),
                };
            }
            let field = ["id_number", "username", "token_hash"]
                .into_iter()
                .find(|f| message.contains(f))
                .map(str::to_owned);
            Error::Conflict {
                field,
                message: msg!("conflict.duplicate"),
            }
        }
        _ => {
            tracing::error!(error = %err, "database error");
            Error::Internal(err.to_string())
        }
    }
}
