//! Guardianships: links between a child and its guardians, kept with their history.

use crate::graphql::input::{given_parsed, parsed, patch};
use async_graphql::{MaybeUndefined, ID, InputObject, SimpleObject, ComplexObject, Context, Result};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use shouhu_domain::fields::Patch;
use utoipa::ToSchema;
use crate::enums::Relationship;
use crate::graphql::{gql_error, loaders, parse_id};
use crate::guardian::Guardian;
use shouhu_domain as domain;




// What the APIs send and receive of guardianships: one type per record serves both
// surfaces (serde gives REST its `snake_case`, async-graphql gives GraphQL its camelCase).
// Inputs are REST request bodies and GraphQL input objects alike; both reach
// the same domain reader, which validates every field.

/// A child↔guardian link. Ended links stay, with `ended_on`, as the child's history.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, SimpleObject)]
#[graphql(complex)]
pub struct Guardianship {
    /// UUID v7.
    #[schema(value_type = String, format = Uuid)]
    pub id: ID,
    /// Version.
    pub version: i64,
    /// Linked.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
    /// The child.
    #[schema(value_type = String, format = Uuid)]
    pub child_id: ID,
    /// The guardian.
    #[schema(value_type = String, format = Uuid)]
    pub guardian_id: ID,
    /// Relationship to the child.
    pub relationship: Relationship,
    /// Raises the child day to day.
    pub is_primary_caregiver: bool,
    /// Lives with the child.
    pub lives_with_child: bool,
    /// When the responsibility agreement was signed.
    pub agreement_signed_on: Option<NaiveDate>,
    /// When the link ended; null while it holds.
    pub ended_on: Option<NaiveDate>,
}

impl From<domain::guardianship::Guardianship> for Guardianship {
    fn from(g: domain::guardianship::Guardianship) -> Self {
        Self {
            id: ID(g.meta.id.to_string()),
            version: g.meta.version,
            created_at: g.meta.created_at,
            updated_at: g.meta.updated_at,
            child_id: ID(g.child_id.to_string()),
            guardian_id: ID(g.guardian_id.to_string()),
            relationship: g.relationship.into(),
            is_primary_caregiver: g.is_primary_caregiver,
            lives_with_child: g.lives_with_child,
            agreement_signed_on: g.agreement_signed_on,
            ended_on: g.ended_on,
        }
    }
}

/// A guardian to link to a child.
#[derive(Debug, Clone, ToSchema, InputObject)]
#[graphql(name = "CreateGuardianshipInput")]
#[schema(example = json!({"guardian_id": "019ac4f2-7b1e-7cc0-9a51-3f0e6d1b2c4d", "relationship": "grandmother",
    "is_primary_caregiver": true, "lives_with_child": true, "agreement_signed_on": "2026-03-01"}))]
#[serde(deny_unknown_fields)]
pub struct GuardianshipCreate {
    /// A guardian in your jurisdiction, not archived; one active link per child and guardian.
    #[schema(value_type = String, format = Uuid)]
    pub guardian_id: ID,
    /// How the guardian is related to the child.
    #[schema(value_type = Relationship)]
    pub relationship: Relationship,
    /// Raises the child day to day; at most one active primary caregiver per child (409 otherwise). Default false.
    #[schema(value_type = bool, required = false)]
    pub is_primary_caregiver: MaybeUndefined<bool>,
    /// Lives with the child (default false).
    #[schema(value_type = bool, required = false)]
    pub lives_with_child: MaybeUndefined<bool>,
    /// When the responsibility agreement was signed; not in the future.
    #[schema(value_type = Option<String>, format = Date)]
    pub agreement_signed_on: MaybeUndefined<NaiveDate>,
}

/// A JSON merge patch of a guardianship (the guardian cannot change: end the link and make another).
#[derive(Debug, Clone, ToSchema, InputObject)]
#[serde(deny_unknown_fields)]
#[graphql(name = "UpdateGuardianshipInput")]
#[schema(example = json!({"agreement_signed_on": "2026-03-01"}))]
pub struct GuardianshipPatch {
    /// Relationship.
    #[schema(value_type = Relationship, required = false)]
    pub relationship: MaybeUndefined<Relationship>,
    /// Primary caregiver.
    #[schema(value_type = bool, required = false)]
    pub is_primary_caregiver: MaybeUndefined<bool>,
    /// Lives with the child.
    #[schema(value_type = bool, required = false)]
    pub lives_with_child: MaybeUndefined<bool>,
    /// Agreement signing date.
    #[schema(value_type = Option<String>, format = Date)]
    pub agreement_signed_on: MaybeUndefined<NaiveDate>,
}

crate::kind::nested_kind!(
    Guardianship,
    list = GuardianshipList,
    record = domain::guardianship::Guardianship,
    collection = "/api/v1/guardianships",
);

impl From<GuardianshipCreate> for domain::guardianship::GuardianshipInput {
    fn from(i: GuardianshipCreate) -> Self {
        Self {
            guardian_id: given_parsed(i.guardian_id.0),
            relationship: Patch::Value(i.relationship.into()),
            is_primary_caregiver: patch(i.is_primary_caregiver, |v| v),
            lives_with_child: patch(i.lives_with_child, |v| v),
            agreement_signed_on: parsed(i.agreement_signed_on),
            ..Self::default()
        }
    }
}

impl From<GuardianshipPatch> for domain::guardianship::GuardianshipInput {
    fn from(i: GuardianshipPatch) -> Self {
        Self {
            relationship: patch(i.relationship, Into::into),
            is_primary_caregiver: patch(i.is_primary_caregiver, |v| v),
            lives_with_child: patch(i.lives_with_child, |v| v),
            agreement_signed_on: parsed(i.agreement_signed_on),
            ..Self::default()
        }
    }
}


// The REST handlers of guardianships, each a documented one-line call of a
// generic handler, and their routes.

crate::rest::nested::nested_rest!(
    kind = Guardianship, list_body = GuardianshipList,
    create_body = GuardianshipCreate, patch_body = GuardianshipPatch,
    collection = "/api/v1/children/{id}/guardianships", item = "/api/v1/guardianships/{id}",
    tag = "guardianships",
    about = "Links between a child and its guardians, with their history",
    parent = "The child's id",
    limit_409 = "The child already has an active primary caregiver, or this guardian is already linked to the child",
    end = "Ended today: `ended_on` is set and the link stays in the child's history",
    /// Lists a child's guardianships, active and ended, oldest first.
    list = list_guardianships,
    /// Links a guardian to a child (at most one active primary caregiver per child, one active link per guardian).
    create = create_guardianship,
    /// Reads one guardianship, through its child.
    get = get_guardianship,
    /// Changes a guardianship (JSON merge patch, If-Match required); the guardian cannot change.
    update = update_guardianship,
    /// Ends a guardianship today; it stays in the child's history.
    end = end_guardianship,
);


// Guardianships in GraphQL: the root fields and mutations (one-line calls of
// generic resolvers), the relations that reach other records, batched across a page.

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
