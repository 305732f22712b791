//! Enrolments in GraphQL: the root fields and mutations (one-line calls of
//! generic resolvers), the relations that reach other records, batched across a page.

use async_graphql::{ComplexObject, Context, Result};

use super::dto::{Enrollment, EnrollmentCreate, EnrollmentPatch};
use crate::care_center::dto::CareCenter;
use crate::child::dto::Child;
use crate::graphql::{gql_error, loaders, parse_id};

crate::graphql::nested::nested_graphql!(
    query = EnrollmentQuery, mutation = EnrollmentMutation, kind = Enrollment, create_input = EnrollmentCreate, update_input = EnrollmentPatch,
    parent_arg = care_center_id,
    /// One enrolment, if you may see its place and its child.
    get = enrollment,
    /// Enrols a child in a place (CONFLICT when the place is full).
    create = create_enrollment,
    /// Changes an enrolment's kind or shortens it, if it is still at `expectedVersion`.
    update = update_enrollment,
    /// Ends an enrolment if it is still at `expectedVersion`.
    end = end_enrollment,
);

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
