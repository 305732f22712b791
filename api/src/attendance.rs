//! Attendance: registrations for training sessions, their check-ins, a guardian's training history.

use crate::graphql::input::{given_parsed, parsed};
use async_graphql::{MaybeUndefined, ID, InputObject, SimpleObject, ComplexObject, Context, Result};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use shouhu_domain::fields::Patch;
use utoipa::ToSchema;
use crate::enums::AttendeeKind;
use crate::graphql::{gql_error, loaders, parse_id};
use crate::guardian::Guardian;
use crate::volunteer::Volunteer;
use shouhu_domain as domain;




// What the APIs send and receive of registrations for training sessions: one type per record serves both
// surfaces (serde gives REST its `snake_case`, async-graphql gives GraphQL its camelCase).
// Inputs are REST request bodies and GraphQL input objects alike; both reach
// the same domain reader, which validates every field.

/// A registration for a training session, with its check-in. Cancelled
/// registrations stay, with `cancelled_on`, and free their place.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, SimpleObject)]
#[graphql(complex)]
pub struct Attendance {
    /// UUID v7.
    #[schema(value_type = String, format = Uuid)]
    pub id: ID,
    /// Version.
    pub version: i64,
    /// Registered.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
    /// The session.
    #[schema(value_type = String, format = Uuid)]
    pub training_session_id: ID,
    /// A guardian or a volunteer.
    pub attendee_kind: AttendeeKind,
    /// The guardian's or volunteer's id.
    #[schema(value_type = String, format = Uuid)]
    pub attendee_id: ID,
    /// When they arrived; null until then.
    pub checked_in_at: Option<DateTime<Utc>>,
    /// When cancelled; null while it holds.
    pub cancelled_on: Option<NaiveDate>,
}

impl From<domain::attendance::Attendance> for Attendance {
    fn from(a: domain::attendance::Attendance) -> Self {
        Self {
            id: ID(a.meta.id.to_string()),
            version: a.meta.version,
            created_at: a.meta.created_at,
            updated_at: a.meta.updated_at,
            training_session_id: ID(a.training_session_id.to_string()),
            attendee_kind: a.attendee_kind.into(),
            attendee_id: ID(a.attendee_id.to_string()),
            checked_in_at: a.checked_in_at,
            cancelled_on: a.cancelled_on,
        }
    }
}

/// A guardian or volunteer to register for a session.
#[derive(Debug, Clone, ToSchema, InputObject)]
#[serde(deny_unknown_fields)]
#[graphql(name = "CreateAttendanceInput")]
#[schema(example = json!({"attendee_kind": "guardian", "attendee_id": "019ac4f2-7b1e-7cc0-9a51-3f0e6d1b2c4d"}))]
pub struct AttendanceCreate {
    /// Guardian or volunteer.
    #[schema(value_type = AttendeeKind)]
    pub attendee_kind: AttendeeKind,
    /// A guardian or volunteer in your jurisdiction, not archived; once per session (409).
    #[schema(value_type = String, format = Uuid)]
    pub attendee_id: ID,
    /// Check-in time, if they are already there: from two hours before the start to the end.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub checked_in_at: MaybeUndefined<DateTime<Utc>>,
}

/// A JSON merge patch of a registration: the check-in.
#[derive(Debug, Clone, ToSchema, InputObject)]
#[serde(deny_unknown_fields)]
#[graphql(name = "UpdateAttendanceInput")]
#[schema(example = json!({"checked_in_at": "2026-05-01T00:55:00Z"}))]
pub struct AttendancePatch {
    /// Check-in time; null clears it.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub checked_in_at: MaybeUndefined<DateTime<Utc>>,
}

crate::kind::nested_kind!(
    Attendance,
    list = AttendanceList,
    record = domain::attendance::Attendance,
    collection = "/api/v1/attendance",
);

impl From<AttendanceCreate> for domain::attendance::AttendanceInput {
    fn from(i: AttendanceCreate) -> Self {
        Self {
            attendee_kind: Patch::Value(i.attendee_kind.into()),
            attendee_id: given_parsed(i.attendee_id.0),
            checked_in_at: parsed(i.checked_in_at),
            ..Self::default()
        }
    }
}

impl From<AttendancePatch> for domain::attendance::AttendanceInput {
    fn from(i: AttendancePatch) -> Self {
        Self {
            checked_in_at: parsed(i.checked_in_at),
            ..Self::default()
        }
    }
}


// The REST handlers of registrations for training sessions, each a documented one-line call of a
// generic handler, and their routes.

crate::rest::nested::nested_rest!(
    kind = Attendance, list_body = AttendanceList,
    create_body = AttendanceCreate, patch_body = AttendancePatch,
    collection = "/api/v1/training-sessions/{id}/attendance", item = "/api/v1/attendance/{id}", tag = "attendance",
    about = "Registrations for training sessions, check-ins, a guardian's training history",
    parent = "The session's id",
    limit_409 = "The session is full, or the person is already registered",
    end = "Cancelled: `cancelled_on` is set, the place is freed, the registration stays in the history",
    /// Lists a session's registrations and check-ins, cancelled ones included.
    list = list_attendance,
    /// Registers a guardian or a volunteer for a session (409 when full).
    create = create_attendance,
    /// Reads one registration.
    get = get_attendance,
    /// Records a check-in (JSON merge patch, If-Match required).
    update = update_attendance,
    /// Cancels a registration; it stays in the history and frees its place.
    end = cancel_attendance,
    also = [guardian_training],
);

crate::rest::nested::relation_rest!(
    /// Lists a guardian's training history: their registrations and check-ins.
    ///
    /// Every session the guardian registered for, oldest first, cancelled
    /// registrations included; 404 when the guardian is not one you may see.
    guardian_training: Attendance, list = AttendanceList, path = "/api/v1/guardians/{id}/attendance", tag = "attendance", operation_id = "list_guardian_attendance",
    id = "The guardian's id", found = "The guardian's registrations, oldest first",
    not_found = "No such guardian in your jurisdiction",
    load = shouhu_domain::attendance::training_history,
);


// Registrations for training sessions in GraphQL: the root fields and mutations (one-line calls of
// generic resolvers), the relations that reach other records, batched across a page.

crate::graphql::nested::nested_graphql!(
    query = AttendanceQuery, mutation = AttendanceMutation, kind = Attendance,
    create_input = AttendanceCreate, update_input = AttendancePatch,
    parent_arg = training_session_id,
    /// One registration, through its session.
    get = attendance,
    /// Registers a guardian or a volunteer for a session (CONFLICT when full or already registered).
    create = create_attendance,
    /// Records a check-in if the registration is still at `expectedVersion`.
    update = update_attendance,
    /// Cancels a registration; it stays in the history and frees its place.
    end = cancel_attendance,
);

#[ComplexObject]
impl Attendance {
    /// The guardian, for a guardian's registration you may see.
    async fn guardian(&self, ctx: &Context<'_>) -> Result<Option<Guardian>> {
        if self.attendee_kind != AttendeeKind::Guardian {
            return Ok(None);
        }
        let found = loaders(ctx)?
            .guardians
            .load_one(parse_id(&self.attendee_id)?)
            .await
            .map_err(gql_error)?;
        Ok(found.map(Guardian::from))
    }

    /// The volunteer, for a volunteer's registration you may see.
    async fn volunteer(&self, ctx: &Context<'_>) -> Result<Option<Volunteer>> {
        if self.attendee_kind != AttendeeKind::Volunteer {
            return Ok(None);
        }
        let found = loaders(ctx)?
            .volunteer
            .load_one(parse_id(&self.attendee_id)?)
            .await
            .map_err(gql_error)?;
        Ok(found.map(Volunteer::from))
    }
}
