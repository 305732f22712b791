//! Guardians in GraphQL: the root fields and mutations (one-line calls of
//! generic resolvers), the relations that reach other records, batched across a page.

use async_graphql::{ComplexObject, Context, Result};
use shouhu_domain as domain;
use shouhu_domain::service;
use uuid::Uuid;

use super::dto::{Guardian, GuardianCreate, GuardianFilter, GuardianPatch};
use crate::attendance::dto::Attendance;
use crate::child::dto::Child;
use crate::graphql::{gql_error, loaders, parse_id, parts};

crate::graphql::record::register_graphql!(
    query = GuardianQuery, mutation = GuardianMutation, kind = Guardian,
    filter = GuardianFilter, create_input = GuardianCreate, update_input = GuardianPatch,
    prefetch = prefetch_guardians,
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

async fn prefetch_guardians(ctx: &Context<'_>, page: &[domain::guardian::Guardian]) -> Result<()> {
    if page.is_empty() || !crate::graphql::Selected::nodes(ctx).field("children").exists() {
        return Ok(());
    }
    let ids: Vec<Uuid> = page.iter().map(|g| g.meta.id).collect();
    feed_children_of(ctx, &ids).await
}

/// Feeds `Guardian.children` for these guardians.
pub(crate) async fn feed_children_of(ctx: &Context<'_>, guardian_ids: &[Uuid]) -> Result<()> {
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

#[ComplexObject]
impl Guardian {
    /// The children this guardian cares for, that you may see (batched).
    async fn children(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "At most this many, 1–500 (default 100), oldest first.")] first: Option<i32>,
    ) -> Result<Vec<Child>> {
        let id = parse_id(&self.id)?;
        let children = loaders(ctx)?.children.load_one(id).await.map_err(gql_error)?;
        crate::graphql::bounded(children.unwrap_or_default(), first)
    }

    /// The guardian's training history: registrations and check-ins in sessions you may see (batched).
    async fn trainings(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "At most this many, 1–500 (default 100), oldest first.")] first: Option<i32>,
    ) -> Result<Vec<Attendance>> {
        let found = loaders(ctx)?
            .trainings
            .load_one(parse_id(&self.id)?)
            .await
            .map_err(gql_error)?;
        crate::graphql::bounded(found.unwrap_or_default(), first)
    }
}
