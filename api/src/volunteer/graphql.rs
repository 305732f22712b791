//! Volunteers in GraphQL: the root fields and mutations (one-line calls of
//! generic resolvers), the relations that reach other records, batched across a page.

use std::collections::HashSet;
use async_graphql::{ComplexObject, Context, Result};
use shouhu_domain as domain;
use shouhu_domain::Ctx;
use shouhu_domain::service;
use shouhu_persistence::Db;
use uuid::Uuid;

use super::dto::{Volunteer, VolunteerCreate, VolunteerFilter, VolunteerPatch};
use crate::graphql::{gql_error, loaders, parse_id, parts};
use crate::pairing::dto::Pairing;

crate::graphql::record::register_graphql!(
    query = VolunteerQuery, mutation = VolunteerMutation, kind = Volunteer,
    filter = VolunteerFilter, create_input = VolunteerCreate, update_input = VolunteerPatch,
    prefetch = prefetch_volunteers,
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

/// Prefetches, for a page of volunteers, their active pairings (and children).
async fn prefetch_volunteers(ctx: &Context<'_>, page: &[domain::volunteer::Volunteer]) -> Result<()> {
    let pairings = crate::graphql::Selected::nodes(ctx).field("pairings");
    if page.is_empty() || !pairings.exists() {
        return Ok(());
    }
    let (state, caller) = parts(ctx)?;
    let ids: Vec<Uuid> = page.iter().map(|v| v.meta.id).collect();
    let mut found = domain::pairing::of_volunteers(&state.db, caller, &ids, false)
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

async fn feed_children(ctx: &Context<'_>, caller: &Ctx, ids: &[Uuid]) -> Result<()> {
    let unique: Vec<Uuid> = ids.iter().copied().collect::<HashSet<_>>().into_iter().collect();
    if unique.is_empty() {
        return Ok(());
    }
    let (state, _) = parts(ctx)?;
    let found = service::get_many::<domain::child::Child, Db>(&state.db, caller, &unique)
        .await
        .map_err(gql_error)?;
    loaders(ctx)?.child.feed_many(found).await;
    Ok(())
}

#[ComplexObject]
impl Volunteer {
    /// The volunteer's active pairings with children you may see (batched across the page).
    async fn pairings(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "At most this many, 1–500 (default 100), oldest first.")] first: Option<i32>,
    ) -> Result<Vec<Pairing>> {
        let found = loaders(ctx)?
            .volunteer_pairings
            .load_one(parse_id(&self.id)?)
            .await
            .map_err(gql_error)?;
        crate::graphql::bounded(found.unwrap_or_default(), first)
    }
}
