//! What the APIs send and receive of enrolments: one type per record serves both
//! surfaces (serde gives REST its `snake_case`, async-graphql gives GraphQL its camelCase).
//! Inputs are REST request bodies and GraphQL input objects alike; both reach
//! the same domain reader, which validates every field.

use crate::graphql::input::{given_parsed, parsed, patch};
use async_graphql::MaybeUndefined;
use async_graphql::{ID, InputObject, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use shouhu_domain as domain;
use shouhu_domain::fields::Patch;
use utoipa::ToSchema;

use crate::enums::EnrollmentKind;

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
