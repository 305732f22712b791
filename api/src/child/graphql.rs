//! Children in GraphQL: the root fields and mutations (one-line calls of
//! generic resolvers), the relations that reach other records, batched across a page.

use std::collections::HashSet;
use async_graphql::{ComplexObject, Context, ID, Result};
use shouhu_domain as domain;
use shouhu_domain::Ctx;
use shouhu_domain::service;
use shouhu_persistence::Db;
use uuid::Uuid;

use super::dto::{Child, ChildCreate, ChildFilter, ChildPatch};
use crate::enrollment::dto::Enrollment;
use crate::graphql::{gql_error, loaders, parse_id, parts};
use crate::guardianship::dto::Guardianship;
use crate::pairing::dto::Pairing;
use crate::visit::dto::Visit;

crate::graphql::record::register_graphql!(
    query = ChildQuery, mutation = ChildMutation, kind = Child,
    filter = ChildFilter, create_input = ChildCreate, update_input = ChildPatch,
    prefetch = prefetch_children,
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

/// Loads, for a whole page at once, the relations the query selects, so that a
/// page costs the same few queries whatever its size and however busy the
/// machine (the loaders' batching window alone depends on timing).
async fn prefetch_children(ctx: &Context<'_>, page: &[domain::child::Child]) -> Result<()> {
    let ids: Vec<Uuid> = page.iter().map(|c| c.meta.id).collect();
    prefetch_pairings_and_visits(ctx, &ids).await?;
    let node = crate::graphql::Selected::nodes(ctx);
    let enrollments = node.field("enrollments");
    if !page.is_empty() && enrollments.exists() {
        let (state, caller) = parts(ctx)?;
        let ids: Vec<Uuid> = page.iter().map(|c| c.meta.id).collect();
        let mut found = domain::enrollment::active_of_children(&state.db, caller, &ids)
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
            let places = service::get_many::<domain::care_center::CareCenter, Db>(&state.db, caller, &centers)
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
        let guardians = service::get_many::<domain::guardian::Guardian, Db>(&state.db, caller, &guardian_ids)
            .await
            .map_err(gql_error)?;
        let visible: Vec<Uuid> = guardians.keys().copied().collect();
        loaders.guardians.feed_many(guardians).await;
        if guardian.field("children").exists() {
            crate::guardian::graphql::feed_children_of(ctx, &visible).await?;
        }
    }
    Ok(())
}

/// Prefetches, for a page of children, the pairings and visits the query selects.
async fn prefetch_pairings_and_visits(ctx: &Context<'_>, ids: &[Uuid]) -> Result<()> {
    let node = crate::graphql::Selected::nodes(ctx);
    let (state, caller) = parts(ctx)?;
    if ids.is_empty() {
        return Ok(());
    }
    let pairings = node.field("pairings");
    if pairings.exists() {
        let mut found = domain::pairing::of_children(&state.db, caller, ids, false)
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
        let mut found = domain::visit::of_children(&state.db, caller, ids)
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
    let found = service::get_many::<domain::volunteer::Volunteer, Db>(&state.db, caller, &unique)
        .await
        .map_err(gql_error)?;
    loaders(ctx)?.volunteer.feed_many(found).await;
    Ok(())
}

/// Notes, for the read log, that `field` of `child` goes out in this response,
/// if the caller reads it unmasked.
fn disclose(ctx: &Context<'_>, child: &ID, field: &'static str) -> Result<()> {
    let (_, caller) = parts(ctx)?;
    if domain::child::reads_unmasked(caller, field) {
        // Fails closed: unmasked data goes out only with its read-log entry.
        let log = ctx
            .data::<std::sync::Arc<crate::graphql::ReadLog>>()
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
    async fn enrollments(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "At most this many, 1–500 (default 100), oldest first.")] first: Option<i32>,
    ) -> Result<Vec<Enrollment>> {
        let found = loaders(ctx)?
            .child_enrollments
            .load_one(parse_id(&self.id)?)
            .await
            .map_err(gql_error)?;
        crate::graphql::bounded(found.unwrap_or_default(), first)
    }

    /// The child's active guardianships (batched across the page).
    async fn guardianships(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "At most this many, 1–500 (default 100), oldest first.")] first: Option<i32>,
    ) -> Result<Vec<Guardianship>> {
        let id = parse_id(&self.id)?;
        let links = loaders(ctx)?.guardianships.load_one(id).await.map_err(gql_error)?;
        crate::graphql::bounded(links.unwrap_or_default(), first)
    }

    /// The child's active pairings with volunteers you may see (batched across the page).
    async fn pairings(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "At most this many, 1–500 (default 100), oldest first.")] first: Option<i32>,
    ) -> Result<Vec<Pairing>> {
        let found = loaders(ctx)?
            .child_pairings
            .load_one(parse_id(&self.id)?)
            .await
            .map_err(gql_error)?;
        crate::graphql::bounded(found.unwrap_or_default(), first)
    }

    /// The child's follow-up visits and family contacts, withdrawn ones left out (batched across the page).
    async fn visits(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "At most this many, 1–500 (default 100), oldest first.")] first: Option<i32>,
    ) -> Result<Vec<Visit>> {
        let found = loaders(ctx)?
            .child_visits
            .load_one(parse_id(&self.id)?)
            .await
            .map_err(gql_error)?;
        crate::graphql::bounded(found.unwrap_or_default(), first)
    }
}
