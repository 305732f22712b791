//! Registrations for training sessions in GraphQL: the root fields and mutations (one-line calls of
//! generic resolvers), the relations that reach other records, batched across a page.

use async_graphql::{ComplexObject, Context, Result};

use super::dto::{Attendance, AttendanceCreate, AttendancePatch};
use crate::enums::AttendeeKind;
use crate::graphql::{gql_error, loaders, parse_id};
use crate::guardian::dto::Guardian;
use crate::volunteer::dto::Volunteer;

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
