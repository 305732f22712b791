//! Pairings, visits and attendance in GraphQL: their queries and mutations
//! (one macro, over `shouhu_domain::nested`), and the relations that reach
//! them, each batched across a page.

use std::collections::HashSet;

use async_graphql::{ComplexObject, Context, ID, Object, Result};
use shouhu_domain::fields::from_json;
use shouhu_domain::nested;
use shouhu_domain::{Ctx, service};
use shouhu_persistence::Db;
use uuid::Uuid;

use super::resources::{loaders, parse_id};
use super::{gql_error, input_map, parts};
use crate::dto::*;
use crate::idempotent;

macro_rules! gql_nested {
    (
        query = $query:ident, mutation = $mutation:ident, record = $record:ty, dto = $dto:ident,
        create_input = $create_input:ty, update_input = $update_input:ty,
        parent_arg = $parent_arg:ident, parent_field = $parent_field:literal, scope = $scope:literal,
        $(#[doc = $get_doc:literal])* get = $get:ident,
        $(#[doc = $create_doc:literal])* create = $create:ident,
        $(#[doc = $update_doc:literal])* update = $update:ident,
        $(#[doc = $end_doc:literal])* end = $end:ident $(,)?
    ) => {
        /// Queries of one nested collection.
        #[derive(Default)]
        pub struct $query;

        #[Object]
        impl $query {
            $(#[doc = $get_doc])*
            async fn $get(&self, ctx: &Context<'_>, id: ID) -> Result<Option<$dto>> {
                let (state, caller) = parts(ctx)?;
                let r = nested::get::<$record, Db>(&state.db, caller, parse_id(&id)?).await.map_err(gql_error)?;
                Ok(Some(r.into()))
            }
        }

        /// Mutations of one nested collection.
        #[derive(Default)]
        pub struct $mutation;

        #[Object]
        impl $mutation {
            $(#[doc = $create_doc])*
            async fn $create(
                &self,
                ctx: &Context<'_>,
                $parent_arg: ID,
                input: $create_input,
                #[graphql(desc = "Makes retries safe, as for every create.")] idempotency_key: Option<String>,
            ) -> Result<$dto> {
                let (state, caller) = parts(ctx)?;
                let parent = parse_id(&$parent_arg)?;
                let map = input_map(ctx, "input", &input)?;
                let created = idempotent::create_nested::<$record>(state, caller, idempotency_key.as_deref(), parent, from_json(map))
                    .await
                    .map_err(gql_error)?;
                Ok(created.record.into())
            }

            $(#[doc = $update_doc])*
            async fn $update(&self, ctx: &Context<'_>, id: ID, expected_version: i64, input: $update_input) -> Result<$dto> {
                let (state, caller) = parts(ctx)?;
                let map = input_map(ctx, "input", &input)?;
                let r = nested::update::<$record, Db>(&state.db, caller, parse_id(&id)?, expected_version, from_json(map))
                    .await
                    .map_err(gql_error)?;
                Ok(r.into())
            }

            $(#[doc = $end_doc])*
            async fn $end(&self, ctx: &Context<'_>, id: ID, expected_version: i64) -> Result<$dto> {
                let (state, caller) = parts(ctx)?;
                let r = nested::end::<$record, Db>(&state.db, caller, parse_id(&id)?, expected_version)
                    .await
                    .map_err(gql_error)?;
                Ok(r.into())
            }
        }
    };
}

gql_nested!(
    query = GuardianshipQuery, mutation = GuardianshipMutation, record = shouhu_domain::guardianship::Guardianship,
    dto = Guardianship, create_input = GuardianshipCreate, update_input = GuardianshipPatch,
    parent_arg = child_id, parent_field = "child_id", scope = "create:guardianship",
    /// One guardianship, through its child; null and NOT_FOUND when the child is not yours to see.
    get = guardianship,
    /// Links a guardian to a child (at most one active primary caregiver per child: CONFLICT).
    create = create_guardianship,
    /// Changes a guardianship if it is still at `expectedVersion`.
    update = update_guardianship,
    /// Ends a guardianship today if it is still at `expectedVersion`; it stays in the child's history.
    end = end_guardianship,
);

gql_nested!(
    query = EnrollmentQuery, mutation = EnrollmentMutation, record = shouhu_domain::enrollment::Enrollment,
    dto = Enrollment, create_input = EnrollmentCreate, update_input = EnrollmentPatch,
    parent_arg = care_center_id, parent_field = "care_center_id", scope = "create:enrollment",
    /// One enrolment, if you may see its place and its child.
    get = enrollment,
    /// Enrols a child in a place (CONFLICT when the place is full).
    create = create_enrollment,
    /// Changes an enrolment's kind or shortens it, if it is still at `expectedVersion`.
    update = update_enrollment,
    /// Ends an enrolment if it is still at `expectedVersion`.
    end = end_enrollment,
);

gql_nested!(
    query = PairingQuery, mutation = PairingMutation, record = shouhu_domain::pairing::Pairing, dto = Pairing,
    create_input = PairingCreate, update_input = PairingPatch,
    parent_arg = volunteer_id, parent_field = "volunteer_id", scope = "create:pairing",
    /// One pairing, if you may see its volunteer and its child.
    get = pairing,
    /// Pairs an approved volunteer with a child (VALIDATION `not_approved`; CONFLICT at the cap of active pairings).
    create = create_pairing,
    /// Changes a pairing if it is still at `expectedVersion`.
    update = update_pairing,
    /// Ends a pairing if it is still at `expectedVersion`; it stays in the history.
    end = end_pairing,
);

gql_nested!(
    query = VisitQuery, mutation = VisitMutation, record = shouhu_domain::visit::Visit, dto = Visit,
    create_input = VisitCreate, update_input = VisitPatch,
    parent_arg = child_id, parent_field = "child_id", scope = "create:visit",
    /// One visit or family contact, through its child.
    get = visit,
    /// Records a follow-up visit or a family contact with a parent.
    create = create_visit,
    /// Changes a visit if it is still at `expectedVersion`; set `resolvedOn` to close its concerns.
    update = update_visit,
    /// Withdraws a visit recorded by mistake; it stays in the history and counts for nothing.
    end = withdraw_visit,
);

gql_nested!(
    query = AttendanceQuery, mutation = AttendanceMutation, record = shouhu_domain::attendance::Attendance, dto = Attendance,
    create_input = AttendanceCreate, update_input = AttendancePatch,
    parent_arg = training_session_id, parent_field = "training_session_id", scope = "create:attendance",
    /// One registration, through its session.
    get = attendance,
    /// Registers a guardian or a volunteer for a session (CONFLICT when full or already registered).
    create = create_attendance,
    /// Records a check-in if the registration is still at `expectedVersion`.
    update = update_attendance,
    /// Cancels a registration; it stays in the history and frees its place.
    end = cancel_attendance,
);

/// Prefetches, for a page of children, the pairings and visits the query selects.
pub(crate) async fn prefetch_children(ctx: &Context<'_>, ids: &[Uuid]) -> Result<()> {
    let node = ctx.look_ahead().field("edges").field("node");
    let (state, caller) = parts(ctx)?;
    if ids.is_empty() {
        return Ok(());
    }
    let pairings = node.field("pairings");
    if pairings.exists() {
        let mut found = shouhu_domain::pairing::of_children(&state.db, caller, ids, false)
            .await
            .map_err(gql_error)?;
        let volunteers: Vec<Uuid> = found.values().flatten().map(|p| p.volunteer_id).collect();
        loaders(ctx)?
            .child_pairings
            .feed_many(ids.iter().map(|id| (*id, found.remove(id).unwrap_or_default())))
            .await;
        if pairings.field("volunteer").exists() {
            feed_volunteers(ctx, caller, &volunteers).await?;
        }
    }
    if node.field("visits").exists() {
        let mut found = shouhu_domain::visit::of_children(&state.db, caller, ids)
            .await
            .map_err(gql_error)?;
        loaders(ctx)?
            .child_visits
            .feed_many(ids.iter().map(|id| (*id, found.remove(id).unwrap_or_default())))
            .await;
    }
    Ok(())
}

async fn feed_volunteers(ctx: &Context<'_>, caller: &Ctx, ids: &[Uuid]) -> Result<()> {
    let unique: Vec<Uuid> = ids.iter().copied().collect::<HashSet<_>>().into_iter().collect();
    if unique.is_empty() {
        return Ok(());
    }
    let (state, _) = parts(ctx)?;
    let found = service::get_many::<shouhu_domain::volunteer::Volunteer, Db>(&state.db, caller, &unique)
        .await
        .map_err(gql_error)?;
    loaders(ctx)?.volunteer.feed_many(found).await;
    Ok(())
}

async fn feed_children(ctx: &Context<'_>, caller: &Ctx, ids: &[Uuid]) -> Result<()> {
    let unique: Vec<Uuid> = ids.iter().copied().collect::<HashSet<_>>().into_iter().collect();
    if unique.is_empty() {
        return Ok(());
    }
    let (state, _) = parts(ctx)?;
    let found = service::get_many::<shouhu_domain::child::Child, Db>(&state.db, caller, &unique)
        .await
        .map_err(gql_error)?;
    loaders(ctx)?.child.feed_many(found).await;
    Ok(())
}

/// Prefetches, for a page of volunteers, their active pairings (and children).
pub(crate) async fn prefetch_volunteers(ctx: &Context<'_>, page: &[shouhu_domain::volunteer::Volunteer]) -> Result<()> {
    let pairings = ctx.look_ahead().field("edges").field("node").field("pairings");
    if page.is_empty() || !pairings.exists() {
        return Ok(());
    }
    let (state, caller) = parts(ctx)?;
    let ids: Vec<Uuid> = page.iter().map(|v| v.meta.id).collect();
    let mut found = shouhu_domain::pairing::of_volunteers(&state.db, caller, &ids, false)
        .await
        .map_err(gql_error)?;
    let children: Vec<Uuid> = found.values().flatten().map(|p| p.child_id).collect();
    loaders(ctx)?
        .volunteer_pairings
        .feed_many(ids.iter().map(|id| (*id, found.remove(id).unwrap_or_default())))
        .await;
    if pairings.field("child").exists() {
        feed_children(ctx, caller, &children).await?;
    }
    Ok(())
}

/// Prefetches, for a page of sessions, their registrations.
pub(crate) async fn prefetch_sessions(
    ctx: &Context<'_>,
    page: &[shouhu_domain::training_session::TrainingSession],
) -> Result<()> {
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
    let mut found = shouhu_domain::attendance::of_sessions(&state.db, caller, &ids)
        .await
        .map_err(gql_error)?;
    loaders(ctx)?
        .session_attendance
        .feed_many(ids.iter().map(|id| (*id, found.remove(id).unwrap_or_default())))
        .await;
    Ok(())
}

#[ComplexObject]
impl Pairing {
    /// The volunteer (null when you may not see them).
    async fn volunteer(&self, ctx: &Context<'_>) -> Result<Option<Volunteer>> {
        let found = loaders(ctx)?
            .volunteer
            .load_one(parse_id(&self.volunteer_id)?)
            .await
            .map_err(gql_error)?;
        Ok(found.map(Volunteer::from))
    }

    /// The child (null when you may not see it).
    async fn child(&self, ctx: &Context<'_>) -> Result<Option<Child>> {
        let found = loaders(ctx)?
            .child
            .load_one(parse_id(&self.child_id)?)
            .await
            .map_err(gql_error)?;
        Ok(found.map(Child::from))
    }
}

#[ComplexObject]
impl Visit {
    /// The parent in contact, or the guardian met (null when none or not yours to see).
    async fn guardian(&self, ctx: &Context<'_>) -> Result<Option<Guardian>> {
        let Some(id) = &self.guardian_id else {
            return Ok(None);
        };
        let found = loaders(ctx)?
            .guardians
            .load_one(parse_id(id)?)
            .await
            .map_err(gql_error)?;
        Ok(found.map(Guardian::from))
    }
}

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

#[ComplexObject]
impl Volunteer {
    /// The volunteer's active pairings with children you may see (batched across the page).
    async fn pairings(&self, ctx: &Context<'_>) -> Result<Vec<Pairing>> {
        let found = loaders(ctx)?
            .volunteer_pairings
            .load_one(parse_id(&self.id)?)
            .await
            .map_err(gql_error)?;
        Ok(found.unwrap_or_default().into_iter().map(Pairing::from).collect())
    }
}

#[ComplexObject]
impl TrainingSession {
    /// The session's registrations and check-ins, cancelled ones included (batched across the page).
    async fn attendance(&self, ctx: &Context<'_>) -> Result<Vec<Attendance>> {
        let found = loaders(ctx)?
            .session_attendance
            .load_one(parse_id(&self.id)?)
            .await
            .map_err(gql_error)?;
        Ok(found.unwrap_or_default().into_iter().map(Attendance::from).collect())
    }
}
