//! Enrollments: children's enrolments in places of care, within capacity.

use crate::graphql::input::{given_parsed, parsed, patch};
use async_graphql::{MaybeUndefined, ID, InputObject, SimpleObject, ComplexObject, Context, Result};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use shouhu_domain::fields::Patch;
use utoipa::ToSchema;
use crate::enums::EnrollmentKind;
use crate::care_center::CareCenter;
use crate::child::Child;
use crate::graphql::{gql_error, loaders, parse_id};
use shouhu_domain as domain;




// What the APIs send and receive of enrolments: one type per record serves both
// surfaces (serde gives REST its `snake_case`, async-graphql gives GraphQL its camelCase).
// Inputs are REST request bodies and GraphQL input objects alike; both reach
// the same domain reader, which validates every field.

/// A child's enrolment in a place of care. Past enrolments stay, with `until`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, SimpleObject)]
#[graphql(complex)]
pub struct Enrollment {
    /// UUID v7.
    #[schema(value_type = String, format = Uuid)]
    pub id: ID,
    /// Version.
    pub version: i64,
    /// Enrolled.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
    /// The place.
    #[schema(value_type = String, format = Uuid)]
    pub care_center_id: ID,
    /// The child.
    #[schema(value_type = String, format = Uuid)]
    pub child_id: ID,
    /// Day care, boarding or after school.
    pub kind: EnrollmentKind,
    /// First day.
    pub since: NaiveDate,
    /// Last day; null while open-ended.
    pub until: Option<NaiveDate>,
}

impl From<domain::enrollment::Enrollment> for Enrollment {
    fn from(e: domain::enrollment::Enrollment) -> Self {
        Self {
            id: ID(e.meta.id.to_string()),
            version: e.meta.version,
            created_at: e.meta.created_at,
            updated_at: e.meta.updated_at,
            care_center_id: ID(e.care_center_id.to_string()),
            child_id: ID(e.child_id.to_string()),
            kind: e.kind.into(),
            since: e.since,
            until: e.until,
        }
    }
}

/// A child to enrol in a place.
#[derive(Debug, Clone, ToSchema, InputObject)]
#[serde(deny_unknown_fields)]
#[graphql(name = "CreateEnrollmentInput")]
#[schema(example = json!({"child_id": "019ac4f2-7b1e-7cc0-9a51-3f0e6d1b2c4d", "kind": "after_school", "since": "2026-09-01"}))]
pub struct EnrollmentCreate {
    /// A child in your jurisdiction, not archived.
    #[schema(value_type = String, format = Uuid)]
    pub child_id: ID,
    /// Day care, boarding or after school.
    #[schema(value_type = EnrollmentKind)]
    pub kind: EnrollmentKind,
    /// First day.
    #[schema(value_type = String, format = Date)]
    pub since: NaiveDate,
    /// Last day, on or after `since`; leave out for open-ended.
    #[schema(value_type = Option<String>, format = Date)]
    pub until: MaybeUndefined<NaiveDate>,
}

/// A JSON merge patch of an enrolment: its kind, or a shorter span (to extend
/// one, enrol again so that capacity is checked).
#[derive(Debug, Clone, ToSchema, InputObject)]
#[serde(deny_unknown_fields)]
#[graphql(name = "UpdateEnrollmentInput")]
#[schema(example = json!({"kind": "day"}))]
pub struct EnrollmentPatch {
    /// Kind.
    #[schema(value_type = EnrollmentKind, required = false)]
    pub kind: MaybeUndefined<EnrollmentKind>,
    /// First day (only later).
    #[schema(value_type = String, format = Date, required = false)]
    pub since: MaybeUndefined<NaiveDate>,
    /// Last day (only earlier).
    #[schema(value_type = Option<String>, format = Date)]
    pub until: MaybeUndefined<NaiveDate>,
}

crate::kind::nested_kind!(
    Enrollment,
    list = EnrollmentList,
    record = domain::enrollment::Enrollment,
    collection = "/api/v1/enrollments",
);

impl From<EnrollmentCreate> for domain::enrollment::EnrollmentInput {
    fn from(i: EnrollmentCreate) -> Self {
        Self {
            child_id: given_parsed(i.child_id.0),
            kind: Patch::Value(i.kind.into()),
            since: given_parsed(i.since),
            until: parsed(i.until),
            ..Self::default()
        }
    }
}

impl From<EnrollmentPatch> for domain::enrollment::EnrollmentInput {
    fn from(i: EnrollmentPatch) -> Self {
        Self {
            kind: patch(i.kind, Into::into),
            since: parsed(i.since),
            until: parsed(i.until),
            ..Self::default()
        }
    }
}


// The REST handlers of enrolments, each a documented one-line call of a
// generic handler, and their routes.

crate::rest::nested::nested_rest!(
    kind = Enrollment, list_body = EnrollmentList,
    create_body = EnrollmentCreate, patch_body = EnrollmentPatch,
    collection = "/api/v1/care-centers/{id}/enrollments", item = "/api/v1/enrollments/{id}",
    tag = "enrollments",
    about = "Children's enrolments in places of care, within capacity",
    parent = "The place's id",
    limit_409 = "The place is full: its capacity is taken on some day of the new enrolment's span",
    end = "Ended: its last day becomes yesterday (or its first day); it stays in the history",
    /// Lists a place's enrolments, current and past, of the children you may see.
    list = list_enrollments,
    /// Enrols a child in a place; a child may be in several places at once.
    create = create_enrollment,
    /// Reads one enrolment, if you may see its child (wherever the place is).
    get = get_enrollment,
    /// Changes an enrolment's kind or shortens it (JSON merge patch, If-Match required); a longer stay is a new enrolment.
    update = update_enrollment,
    /// Ends an enrolment; it stays in the history.
    end = end_enrollment,
    also = [child_enrollments],
);

crate::rest::nested::relation_rest!(
    /// Lists a child's enrolments, current and ended, oldest first.
    ///
    /// Every place counts, also one outside your jurisdiction (whose own record stays 404 to you).
    child_enrollments: Enrollment, list = EnrollmentList, path = "/api/v1/children/{id}/enrollments", tag = "enrollments", operation_id = "list_child_enrollments",
    id = "The child's id", found = "The child's enrolments, oldest first",
    not_found = "No such child in your jurisdiction, or your role may not read enrolments",
    load = shouhu_domain::enrollment::of_child,
);


// Enrolments in GraphQL: the root fields and mutations (one-line calls of
// generic resolvers), the relations that reach other records, batched across a page.

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
