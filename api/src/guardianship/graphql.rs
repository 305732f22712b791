//! Guardianships in GraphQL: the root fields and mutations (one-line calls of
//! generic resolvers), the relations that reach other records, batched across a page.

use async_graphql::{ComplexObject, Context, Result};

use super::dto::{Guardianship, GuardianshipCreate, GuardianshipPatch};
use crate::graphql::{gql_error, loaders, parse_id};
use crate::guardian::dto::Guardian;

crate::graphql::nested::nested_graphql!(
    query = GuardianshipQuery, mutation = GuardianshipMutation, kind = Guardianship, create_input = GuardianshipCreate, update_input = GuardianshipPatch,
    parent_arg = child_id,
    /// One guardianship, through its child; null and NOT_FOUND when the child is not yours to see.
    get = guardianship,
    /// Links a guardian to a child (at most one active primary caregiver per child: CONFLICT).
    create = create_guardianship,
    /// Changes a guardianship if it is still at `expectedVersion`.
    update = update_guardianship,
    /// Ends a guardianship today if it is still at `expectedVersion`; it stays in the child's history.
    end = end_guardianship,
);

#[ComplexObject]
impl Guardianship {
    /// The guardian (null when outside your jurisdiction).
    async fn guardian(&self, ctx: &Context<'_>) -> Result<Option<Guardian>> {
        let id = parse_id(&self.guardian_id)?;
        let guardian = loaders(ctx)?.guardians.load_one(id).await.map_err(gql_error)?;
        Ok(guardian.map(Guardian::from))
    }
}
