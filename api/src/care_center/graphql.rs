//! Care places in GraphQL: the root fields and mutations (one-line calls of
//! generic resolvers), the relations that reach other records, batched across a page.

use std::collections::HashSet;
use async_graphql::{ComplexObject, Context, Result};
use shouhu_domain as domain;
use shouhu_domain::service;
use shouhu_persistence::Db;
use uuid::Uuid;

use super::dto::{CareCenter, CareCenterCreate, CareCenterFilter, CareCenterPatch};
use crate::enrollment::dto::Enrollment;
use crate::graphql::{gql_error, loaders, parse_id, parts};

crate::graphql::record::register_graphql!(
    query = CareCenterQuery, mutation = CareCenterMutation, kind = CareCenter,
    filter = CareCenterFilter, create_input = CareCenterCreate, update_input = CareCenterPatch,
    prefetch = prefetch_centers,
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

async fn prefetch_centers(ctx: &Context<'_>, page: &[domain::care_center::CareCenter]) -> Result<()> {
    let enrollments = crate::graphql::Selected::nodes(ctx).field("enrollments");
    if page.is_empty() || !enrollments.exists() {
        return Ok(());
    }
    let (state, caller) = parts(ctx)?;
    let ids: Vec<Uuid> = page.iter().map(|c| c.meta.id).collect();
    let mut found = domain::enrollment::active_in_centers(&state.db, caller, &ids)
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
        let kids = service::get_many::<domain::child::Child, Db>(&state.db, caller, &children)
            .await
            .map_err(gql_error)?;
        loaders(ctx)?.child.feed_many(kids).await;
    }
    Ok(())
}

#[ComplexObject]
impl CareCenter {
    /// The enrolments active today of children you may see (batched across the page).
    async fn enrollments(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "At most this many, 1–500 (default 100), oldest first.")] first: Option<i32>,
    ) -> Result<Vec<Enrollment>> {
        let found = loaders(ctx)?
            .center_enrollments
            .load_one(parse_id(&self.id)?)
            .await
            .map_err(gql_error)?;
        crate::graphql::bounded(found.unwrap_or_default(), first)
    }
}
