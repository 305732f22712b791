//! Root fields and mutations of the five register collections, the nested
//! relations, and regions.

use std::collections::HashSet;

use async_graphql::connection::{Connection, Edge};
use async_graphql::{ComplexObject, Context, ID, InputObject, Object, Result};
use serde::Serialize;
use shouhu_domain::fields::from_json;
use shouhu_domain::service;
use shouhu_persistence::Db;
use uuid::Uuid;

use super::loaders::Loaders;
use super::{connection_page, filter_params, gql_error, input_map, parts};
use crate::dto::*;
use crate::idempotent;
use crate::rest::encode_cursor;

pub(super) fn parse_id(id: &ID) -> Result<Uuid> {
    Uuid::try_parse(id.as_str()).map_err(|_| gql_error(shouhu_domain::Error::NotFound))
}

pub(super) fn loaders<'a>(ctx: &'a Context<'_>) -> Result<&'a Loaders> {
    ctx.data::<Loaders>()
        .map_err(|_| gql_error(shouhu_domain::Error::Internal("no loaders".into())))
}

/// Loads, for a whole page at once, the relations the query selects, so that a
/// page costs the same few queries whatever its size and however busy the
/// machine (the loaders' batching window alone depends on timing).
async fn prefetch_children(ctx: &Context<'_>, page: &[shouhu_domain::child::Child]) -> Result<()> {
    let ids: Vec<Uuid> = page.iter().map(|c| c.meta.id).collect();
    super::nested::prefetch_children(ctx, &ids).await?;
    let node = ctx.look_ahead().field("edges").field("node");
    let enrollments = node.field("enrollments");
    if !page.is_empty() && enrollments.exists() {
        let (state, caller) = parts(ctx)?;
        let ids: Vec<Uuid> = page.iter().map(|c| c.meta.id).collect();
        let mut found = shouhu_domain::enrollment::active_of_children(&state.db, caller, &ids)
            .await
            .map_err(gql_error)?;
        let centers: Vec<Uuid> = found
            .values()
            .flatten()
            .map(|e| e.care_center_id)
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        loaders(ctx)?
            .child_enrollments
            .feed_many(ids.iter().map(|id| (*id, found.remove(id).unwrap_or_default())))
            .await;
        if enrollments.field("careCenter").exists() && !centers.is_empty() {
            let places = service::get_many::<shouhu_domain::care_center::CareCenter, Db>(&state.db, caller, &centers)
                .await
                .map_err(gql_error)?;
            loaders(ctx)?.care_center.feed_many(places).await;
        }
    }
    let links = node.field("guardianships");
    if page.is_empty() || !links.exists() {
        return Ok(());
    }
    let (state, caller) = parts(ctx)?;
    let loaders = loaders(ctx)?;
    let ids: Vec<Uuid> = page.iter().map(|c| c.meta.id).collect();
    let mut found = service::guardianships_of_children(&state.db, caller, &ids)
        .await
        .map_err(gql_error)?;
    let guardian_ids: Vec<Uuid> = found
        .values()
        .flatten()
        .map(|g| g.guardian_id)
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let all = ids.iter().map(|id| (*id, found.remove(id).unwrap_or_default()));
    loaders.guardianships.feed_many(all).await;
    let guardian = links.field("guardian");
    if guardian.exists() && !guardian_ids.is_empty() {
        let guardians = service::get_many::<shouhu_domain::guardian::Guardian, Db>(&state.db, caller, &guardian_ids)
            .await
            .map_err(gql_error)?;
        let visible: Vec<Uuid> = guardians.keys().copied().collect();
        loaders.guardians.feed_many(guardians).await;
        if guardian.field("children").exists() {
            feed_children_of(ctx, &visible).await?;
        }
    }
    Ok(())
}

async fn prefetch_guardians(ctx: &Context<'_>, page: &[shouhu_domain::guardian::Guardian]) -> Result<()> {
    if page.is_empty() || !ctx.look_ahead().field("edges").field("node").field("children").exists() {
        return Ok(());
    }
    let ids: Vec<Uuid> = page.iter().map(|g| g.meta.id).collect();
    feed_children_of(ctx, &ids).await
}

async fn feed_children_of(ctx: &Context<'_>, guardian_ids: &[Uuid]) -> Result<()> {
    let (state, caller) = parts(ctx)?;
    let mut children = service::children_of_guardians(&state.db, caller, guardian_ids)
        .await
        .map_err(gql_error)?;
    let all = guardian_ids
        .iter()
        .map(|id| (*id, children.remove(id).unwrap_or_default()));
    loaders(ctx)?.children.feed_many(all).await;
    Ok(())
}

async fn prefetch_centers(ctx: &Context<'_>, page: &[shouhu_domain::care_center::CareCenter]) -> Result<()> {
    let enrollments = ctx.look_ahead().field("edges").field("node").field("enrollments");
    if page.is_empty() || !enrollments.exists() {
        return Ok(());
    }
    let (state, caller) = parts(ctx)?;
    let ids: Vec<Uuid> = page.iter().map(|c| c.meta.id).collect();
    let mut found = shouhu_domain::enrollment::active_in_centers(&state.db, caller, &ids)
        .await
        .map_err(gql_error)?;
    let children: Vec<Uuid> = found
        .values()
        .flatten()
        .map(|e| e.child_id)
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    loaders(ctx)?
        .center_enrollments
        .feed_many(ids.iter().map(|id| (*id, found.remove(id).unwrap_or_default())))
        .await;
    if enrollments.field("child").exists() && !children.is_empty() {
        let kids = service::get_many::<shouhu_domain::child::Child, Db>(&state.db, caller, &children)
            .await
            .map_err(gql_error)?;
        loaders(ctx)?.child.feed_many(kids).await;
    }
    Ok(())
}

macro_rules! gql_resource {
    (
        query = $query:ident, mutation = $mutation:ident, record = $record:ty, dto = $dto:ident,
        filter = $filter:ty, create_input = $create_input:ty, update_input = $update_input:ty, prefetch = $prefetch:path,
        $(#[doc = $get_doc:literal])* get = $get:ident,
        $(#[doc = $list_doc:literal])* list = $list:ident,
        $(#[doc = $create_doc:literal])* create = $create:ident,
        $(#[doc = $update_doc:literal])* update = $update:ident,
        $(#[doc = $archive_doc:literal])* archive = $archive:ident $(,)?
    ) => {
        /// Queries of one collection.
        #[derive(Default)]
        pub struct $query;

        #[Object]
        impl $query {
            $(#[doc = $get_doc])*
            async fn $get(&self, ctx: &Context<'_>, id: ID) -> Result<Option<$dto>> {
                let (state, caller) = parts(ctx)?;
                let record = service::get::<$record, Db>(&state.db, caller, parse_id(&id)?).await.map_err(gql_error)?;
                Ok(Some(record.into()))
            }

            $(#[doc = $list_doc])*
            #[graphql(complexity = "first.unwrap_or(50).clamp(1, 500) as usize * child_complexity + 1")]
            async fn $list(
                &self,
                ctx: &Context<'_>,
                #[graphql(desc = "Page size, 1–500 (default 50).")] first: Option<i32>,
                #[graphql(desc = "`endCursor` of the previous page.")] after: Option<String>,
                filter: Option<$filter>,
            ) -> Result<Connection<String, $dto>> {
                let (state, caller) = parts(ctx)?;
                let params = filter_params(ctx, &filter)?;
                let max = state.settings.serve.max_page_size;
                let page = connection_page(first, after.as_deref(), max)?;
                let page = service::list::<$record, Db>(&state.db, caller, &params, page).await.map_err(gql_error)?;
                $prefetch(ctx, &page.items).await?;
                let mut connection = Connection::new(after.is_some(), page.next_after.is_some());
                connection.edges.extend(page.items.into_iter().map(|r| Edge::new(encode_cursor(r.meta.id), $dto::from(r))));
                Ok(connection)
            }
        }

        /// Mutations of one collection.
        #[derive(Default)]
        pub struct $mutation;

        #[Object]
        impl $mutation {
            $(#[doc = $create_doc])*
            async fn $create(
                &self,
                ctx: &Context<'_>,
                input: $create_input,
                #[graphql(desc = "Makes retries safe: the same key with the same input returns the record the first request created, read as you may read it now (NOT_FOUND once it left your jurisdiction), and creates nothing new; the same key with other input is VALIDATION. Per caller, 1–255 visible ASCII characters.")]
                idempotency_key: Option<String>,
            ) -> Result<$dto> {
                let (state, caller) = parts(ctx)?;
                let map = input_map(ctx, "input", &input)?;
                let created = idempotent::create_record::<$record>(state, caller, idempotency_key.as_deref(), from_json(map)).await.map_err(gql_error)?;
                Ok(created.record.into())
            }

            $(#[doc = $update_doc])*
            async fn $update(&self, ctx: &Context<'_>, id: ID, expected_version: i64, input: $update_input) -> Result<$dto> {
                let (state, caller) = parts(ctx)?;
                let map = input_map(ctx, "input", &input)?;
                let record = service::update::<$record, Db>(&state.db, caller, parse_id(&id)?, expected_version, from_json(map))
                    .await
                    .map_err(gql_error)?;
                Ok(record.into())
            }

            $(#[doc = $archive_doc])*
            async fn $archive(&self, ctx: &Context<'_>, id: ID, expected_version: i64) -> Result<$dto> {
                let (state, caller) = parts(ctx)?;
                let record = service::archive::<$record, Db>(&state.db, caller, parse_id(&id)?, expected_version)
                    .await
                    .map_err(gql_error)?;
                Ok(record.into())
            }
        }
    };
}

/// Filters of `children`. Without `status`, archived and aged-out children are left out.
#[derive(Debug, Clone, Serialize, InputObject)]
pub struct ChildFilter {
    /// A 12-digit region code: its subtree, intersected with your jurisdiction.
    pub region: Option<String>,
    /// Changed at or after this RFC 3339 instant.
    pub updated_since: Option<String>,
    /// Name starts with this text.
    pub q: Option<String>,
    /// Lifecycle status.
    pub status: Option<ChildStatus>,
    /// School status.
    pub school_status: Option<SchoolStatus>,
    /// Stage of schooling.
    pub school_stage: Option<SchoolStage>,
    /// Left-behind type.
    pub left_behind_type: Option<LeftBehindType>,
    /// Sex.
    pub gender: Option<Gender>,
    /// Only children who do not meet this guarantee today.
    pub guarantee_unmet: Option<Guarantee>,
}

/// Filters of `guardians`.
#[derive(Debug, Clone, Serialize, InputObject)]
pub struct GuardianFilter {
    /// Region subtree.
    pub region: Option<String>,
    /// Changed at or after this instant.
    pub updated_since: Option<String>,
    /// Name starts with this text.
    pub q: Option<String>,
    /// Active or archived (default: active).
    pub status: Option<RecordStatus>,
}

/// Filters of `careCenters`.
#[derive(Debug, Clone, Serialize, InputObject)]
pub struct CareCenterFilter {
    /// Region subtree.
    pub region: Option<String>,
    /// Changed at or after this instant.
    pub updated_since: Option<String>,
    /// Name starts with this text.
    pub q: Option<String>,
    /// Kind of place.
    pub kind: Option<CareCenterKind>,
    /// Active or archived (default: active).
    pub status: Option<RecordStatus>,
}

/// Filters of `volunteers`.
#[derive(Debug, Clone, Serialize, InputObject)]
pub struct VolunteerFilter {
    /// Region subtree.
    pub region: Option<String>,
    /// Changed at or after this instant.
    pub updated_since: Option<String>,
    /// Name starts with this text.
    pub q: Option<String>,
    /// Category.
    pub category: Option<VolunteerCategory>,
    /// Vetting status.
    pub vetting_status: Option<VettingStatus>,
    /// Active or archived (default: active).
    pub status: Option<RecordStatus>,
}

/// Filters of `trainingSessions`.
#[derive(Debug, Clone, Serialize, InputObject)]
pub struct TrainingSessionFilter {
    /// Region subtree.
    pub region: Option<String>,
    /// Changed at or after this instant.
    pub updated_since: Option<String>,
    /// Title starts with this text.
    pub q: Option<String>,
    /// Kind.
    pub kind: Option<TrainingKind>,
    /// Active or archived (default: active).
    pub status: Option<RecordStatus>,
    /// Starting at or after this instant.
    pub starts_from: Option<String>,
    /// Starting before this instant.
    pub starts_before: Option<String>,
}

gql_resource!(
    query = ChildQuery, mutation = ChildMutation, record = shouhu_domain::child::Child, dto = Child,
    filter = ChildFilter, create_input = ChildCreate, update_input = ChildPatch, prefetch = prefetch_children,
    /// One child; null and NOT_FOUND when absent or outside your jurisdiction.
    get = child,
    /// Children in your jurisdiction, oldest first.
    list = children,
    /// Registers a child.
    create = create_child,
    /// Changes a child if it is still at `expectedVersion` (else VERSION_MISMATCH).
    update = update_child,
    /// Archives a child if it is still at `expectedVersion`.
    archive = archive_child,
);

gql_resource!(
    query = GuardianQuery, mutation = GuardianMutation, record = shouhu_domain::guardian::Guardian, dto = Guardian,
    filter = GuardianFilter, create_input = GuardianCreate, update_input = GuardianPatch, prefetch = prefetch_guardians,
    /// One guardian.
    get = guardian,
    /// Guardians in your jurisdiction.
    list = guardians,
    /// Registers a guardian.
    create = create_guardian,
    /// Changes a guardian at `expectedVersion`.
    update = update_guardian,
    /// Archives a guardian at `expectedVersion`.
    archive = archive_guardian,
);

gql_resource!(
    query = CareCenterQuery, mutation = CareCenterMutation, record = shouhu_domain::care_center::CareCenter, dto = CareCenter,
    filter = CareCenterFilter, create_input = CareCenterCreate, update_input = CareCenterPatch, prefetch = prefetch_centers,
    /// One care place.
    get = care_center,
    /// Care places in your jurisdiction.
    list = care_centers,
    /// Registers a care place.
    create = create_care_center,
    /// Changes a care place at `expectedVersion`.
    update = update_care_center,
    /// Archives a care place at `expectedVersion`.
    archive = archive_care_center,
);

gql_resource!(
    query = VolunteerQuery, mutation = VolunteerMutation, record = shouhu_domain::volunteer::Volunteer, dto = Volunteer,
    filter = VolunteerFilter, create_input = VolunteerCreate, update_input = VolunteerPatch, prefetch = super::nested::prefetch_volunteers,
    /// One volunteer.
    get = volunteer,
    /// Volunteers in your jurisdiction.
    list = volunteers,
    /// Registers a volunteer.
    create = create_volunteer,
    /// Changes a volunteer (vetting included) at `expectedVersion`.
    update = update_volunteer,
    /// Archives a volunteer at `expectedVersion`.
    archive = archive_volunteer,
);

gql_resource!(
    query = TrainingSessionQuery, mutation = TrainingSessionMutation,
    record = shouhu_domain::training_session::TrainingSession, dto = TrainingSession,
    filter = TrainingSessionFilter, create_input = TrainingSessionCreate, update_input = TrainingSessionPatch, prefetch = super::nested::prefetch_sessions,
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

/// Regions.
#[derive(Default)]
pub struct RegionQuery;

#[Object]
impl RegionQuery {
    /// Regions directly below `parent`, or the top-level regions loaded.
    async fn regions(&self, ctx: &Context<'_>, parent: Option<String>) -> Result<Vec<Region>> {
        let (state, _) = parts(ctx)?;
        let regions = service::regions::<Db>(&state.db, parent.as_deref())
            .await
            .map_err(gql_error)?;
        Ok(regions.into_iter().map(Region::from).collect())
    }
}

/// Notes, for the read log, that `field` of `child` goes out in this response,
/// if the caller reads it unmasked.
fn disclose(ctx: &Context<'_>, child: &ID, field: &'static str) -> Result<()> {
    let (_, caller) = parts(ctx)?;
    if shouhu_domain::child::reads_unmasked(caller, field) {
        // Fails closed: unmasked data goes out only with its read-log entry.
        let log = ctx
            .data::<std::sync::Arc<super::ReadLog>>()
            .map_err(|_| gql_error(shouhu_domain::Error::Internal("no read log".into())))?;
        log.add(parse_id(child)?, field).map_err(gql_error)?;
    }
    Ok(())
}

#[ComplexObject]
impl Child {
    /// Resident ID number; masked (`522631********0011`) for most roles.
    async fn id_number(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        if self.id_number.is_some() {
            disclose(ctx, &self.id, "id_number")?;
        }
        Ok(self.id_number.clone())
    }

    /// Health notes; only for admin, coordinator and the health and civil-affairs departments.
    async fn health_notes(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        if self.health_notes.is_some() {
            disclose(ctx, &self.id, "health_notes")?;
        }
        Ok(self.health_notes.clone())
    }

    /// The child's enrolments active today, in places you may see (batched across the page).
    async fn enrollments(&self, ctx: &Context<'_>) -> Result<Vec<Enrollment>> {
        let found = loaders(ctx)?
            .child_enrollments
            .load_one(parse_id(&self.id)?)
            .await
            .map_err(gql_error)?;
        Ok(found.unwrap_or_default().into_iter().map(Enrollment::from).collect())
    }

    /// The child's active guardianships (batched across the page).
    async fn guardianships(&self, ctx: &Context<'_>) -> Result<Vec<Guardianship>> {
        let id = parse_id(&self.id)?;
        let links = loaders(ctx)?.guardianships.load_one(id).await.map_err(gql_error)?;
        Ok(links.unwrap_or_default().into_iter().map(Guardianship::from).collect())
    }

    /// The child's active pairings with volunteers you may see (batched across the page).
    async fn pairings(&self, ctx: &Context<'_>) -> Result<Vec<Pairing>> {
        let found = loaders(ctx)?
            .child_pairings
            .load_one(parse_id(&self.id)?)
            .await
            .map_err(gql_error)?;
        Ok(found.unwrap_or_default().into_iter().map(Pairing::from).collect())
    }

    /// The child's follow-up visits and family contacts, withdrawn ones left out (batched across the page).
    async fn visits(&self, ctx: &Context<'_>) -> Result<Vec<Visit>> {
        let found = loaders(ctx)?
            .child_visits
            .load_one(parse_id(&self.id)?)
            .await
            .map_err(gql_error)?;
        Ok(found.unwrap_or_default().into_iter().map(Visit::from).collect())
    }
}

#[ComplexObject]
impl Enrollment {
    /// The child (null when you may not see it).
    async fn child(&self, ctx: &Context<'_>) -> Result<Option<Child>> {
        let child = loaders(ctx)?
            .child
            .load_one(parse_id(&self.child_id)?)
            .await
            .map_err(gql_error)?;
        Ok(child.map(Child::from))
    }

    /// The place (null when you may not see it).
    async fn care_center(&self, ctx: &Context<'_>) -> Result<Option<CareCenter>> {
        let center = loaders(ctx)?
            .care_center
            .load_one(parse_id(&self.care_center_id)?)
            .await
            .map_err(gql_error)?;
        Ok(center.map(CareCenter::from))
    }
}

#[ComplexObject]
impl CareCenter {
    /// The enrolments active today of children you may see (batched across the page).
    async fn enrollments(&self, ctx: &Context<'_>) -> Result<Vec<Enrollment>> {
        let found = loaders(ctx)?
            .center_enrollments
            .load_one(parse_id(&self.id)?)
            .await
            .map_err(gql_error)?;
        Ok(found.unwrap_or_default().into_iter().map(Enrollment::from).collect())
    }
}

#[ComplexObject]
impl Guardianship {
    /// The guardian (null when outside your jurisdiction).
    async fn guardian(&self, ctx: &Context<'_>) -> Result<Option<Guardian>> {
        let id = parse_id(&self.guardian_id)?;
        let guardian = loaders(ctx)?.guardians.load_one(id).await.map_err(gql_error)?;
        Ok(guardian.map(Guardian::from))
    }
}

#[ComplexObject]
impl Guardian {
    /// The children this guardian cares for, that you may see (batched).
    async fn children(&self, ctx: &Context<'_>) -> Result<Vec<Child>> {
        let id = parse_id(&self.id)?;
        let children = loaders(ctx)?.children.load_one(id).await.map_err(gql_error)?;
        Ok(children.unwrap_or_default().into_iter().map(Child::from).collect())
    }

    /// The guardian's training history: registrations and check-ins in sessions you may see (batched).
    async fn trainings(&self, ctx: &Context<'_>) -> Result<Vec<Attendance>> {
        let found = loaders(ctx)?
            .trainings
            .load_one(parse_id(&self.id)?)
            .await
            .map_err(gql_error)?;
        Ok(found.unwrap_or_default().into_iter().map(Attendance::from).collect())
    }
}
