//! Pairings in GraphQL: the root fields and mutations (one-line calls of
//! generic resolvers), the relations that reach other records, batched across a page.

use async_graphql::{ComplexObject, Context, Result};

use super::dto::{Pairing, PairingCreate, PairingPatch};
use crate::child::dto::Child;
use crate::graphql::{gql_error, loaders, parse_id};
use crate::volunteer::dto::Volunteer;

crate::graphql::nested::nested_graphql!(
    query = PairingQuery, mutation = PairingMutation, kind = Pairing,
    create_input = PairingCreate, update_input = PairingPatch,
    parent_arg = volunteer_id,
    /// One pairing, if you may see its volunteer and its child.
    get = pairing,
    /// Pairs an approved volunteer with a child (VALIDATION `not_approved`; CONFLICT at the cap of active pairings).
    create = create_pairing,
    /// Changes a pairing if it is still at `expectedVersion`.
    update = update_pairing,
    /// Ends a pairing if it is still at `expectedVersion`; it stays in the history.
    end = end_pairing,
);

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
