//! Training sessions in GraphQL: the root fields and mutations (one-line calls of
//! generic resolvers), the relations that reach other records, batched across a page.

use async_graphql::{ComplexObject, Context, Result};
use shouhu_domain as domain;
use uuid::Uuid;

use super::dto::{TrainingSession, TrainingSessionCreate, TrainingSessionFilter, TrainingSessionPatch};
use crate::attendance::dto::Attendance;
use crate::graphql::{gql_error, loaders, parse_id, parts};

crate::graphql::record::register_graphql!(
    query = TrainingSessionQuery, mutation = TrainingSessionMutation,
    kind = TrainingSession,
    filter = TrainingSessionFilter, create_input = TrainingSessionCreate, update_input = TrainingSessionPatch,
    prefetch = prefetch_sessions,
    /// One training session.
    get = training_session,
    /// Training sessions in your jurisdiction.
    list = training_sessions,
    /// Registers a training session.
    create = create_training_session,
    /// Changes a training session at `expectedVersion`.
    update = update_training_session,
    /// Archives a training session at `expectedVersion`.
    archive = archive_training_session,
);

/// Prefetches, for a page of sessions, their registrations.
async fn prefetch_sessions(ctx: &Context<'_>, page: &[domain::training_session::TrainingSession]) -> Result<()> {
    if page.is_empty()
        || !ctx
            .look_ahead()
            .field("edges")
            .field("node")
            .field("attendance")
            .exists()
    {
        return Ok(());
    }
    let (state, caller) = parts(ctx)?;
    let ids: Vec<Uuid> = page.iter().map(|s| s.meta.id).collect();
    let mut found = domain::attendance::of_sessions(&state.db, caller, &ids)
        .await
        .map_err(gql_error)?;
    loaders(ctx)?
        .session_attendance
        .feed_many(ids.iter().map(|id| (*id, found.remove(id).unwrap_or_default())))
        .await;
    Ok(())
}

#[ComplexObject]
impl TrainingSession {
    /// The session's registrations and check-ins, cancelled ones included (batched across the page).
    async fn attendance(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "At most this many, 1–500 (default 100), oldest first.")] first: Option<i32>,
    ) -> Result<Vec<Attendance>> {
        let found = loaders(ctx)?
            .session_attendance
            .load_one(parse_id(&self.id)?)
            .await
            .map_err(gql_error)?;
        crate::graphql::bounded(found.unwrap_or_default(), first)
    }
}
