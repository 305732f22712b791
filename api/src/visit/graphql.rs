//! Visits and family contacts in GraphQL: the root fields and mutations (one-line calls of
//! generic resolvers), the relations that reach other records, batched across a page.

use async_graphql::{ComplexObject, Context, Result};

use super::dto::{Visit, VisitCreate, VisitPatch};
use crate::graphql::{gql_error, loaders, parse_id};
use crate::guardian::dto::Guardian;

crate::graphql::nested::nested_graphql!(
    query = VisitQuery, mutation = VisitMutation, kind = Visit,
    create_input = VisitCreate, update_input = VisitPatch,
    parent_arg = child_id,
    /// One visit or family contact, through its child.
    get = visit,
    /// Records a follow-up visit or a family contact with a parent.
    create = create_visit,
    /// Changes a visit if it is still at `expectedVersion`; set `resolvedOn` to close its concerns.
    update = update_visit,
    /// Withdraws a visit recorded by mistake; it stays in the history and counts for nothing.
    end = withdraw_visit,
);

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
