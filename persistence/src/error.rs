//! Storage errors, mapped into domain errors at this crate's edge.

use sea_orm::{DbErr, SqlErr};
use shouhu_domain::Error;

/// Maps a storage error into the domain's error. A unique violation is a
/// `Conflict` naming the field when the index tells it.
pub fn db_error(err: DbErr) -> Error {
    match err.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(message)) => {
            // PostgreSQL names the index, SQLite the columns.
            if message.contains("ux_guardianships_active_pair") || message.contains("guardianships.guardian_id") {
                return Error::Conflict {
                    field: Some("guardian_id".to_owned()),
                    message: "this guardian is already linked to this child".to_owned(),
                };
            }
            if message.contains("ux_guardianships_primary") || message.contains("guardianships.child_id") {
                return Error::Conflict {
                    field: Some("is_primary_caregiver".to_owned()),
                    message: "this child already has an active primary caregiver".to_owned(),
                };
            }
            if message.contains("ux_pairings_active_pair") || message.contains("pairings.volunteer_id") {
                return Error::Conflict {
                    field: Some("child_id".to_owned()),
                    message: "this volunteer is already paired with this child".to_owned(),
                };
            }
            if message.contains("ux_attendance_active") || message.contains("attendance.training_session_id") {
                return Error::Conflict {
                    field: Some("attendee_id".to_owned()),
                    message: "this person is already registered for this session".to_owned(),
                };
            }
            if message.contains("ux_volunteers_account") || message.contains("volunteers.account_id") {
                return Error::Conflict {
                    field: Some("account_id".to_owned()),
                    message: "this account already belongs to another volunteer".to_owned(),
                };
            }
            let field = ["id_number", "username", "token_hash"]
                .into_iter()
                .find(|f| message.contains(f))
                .map(str::to_owned);
            Error::Conflict {
                field,
                message: "a record with this value already exists".to_owned(),
            }
        }
        _ => {
            tracing::error!(error = %err, "database error");
            Error::Internal(err.to_string())
        }
    }
}
