//! Pairings: volunteers paired with children as mentors, surrogate parents or peers.

use crate::graphql::input::{given_parsed, parsed, patch};
use async_graphql::{MaybeUndefined, ID, InputObject, SimpleObject, ComplexObject, Context, Result};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use shouhu_domain::fields::Patch;
use utoipa::ToSchema;
use crate::enums::PairingKind;
use crate::child::Child;
use crate::graphql::{gql_error, loaders, parse_id};
use crate::volunteer::Volunteer;
use shouhu_domain as domain;




// What the APIs send and receive of pairings: one type per record serves both
// surfaces (serde gives REST its `snake_case`, async-graphql gives GraphQL its camelCase).
// Inputs are REST request bodies and GraphQL input objects alike; both reach
// the same domain reader, which validates every field.

/// A volunteer↔child pairing. Ended pairings stay, with `ended_on`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, SimpleObject)]
#[graphql(complex)]
pub struct Pairing {
    /// UUID v7.
    #[schema(value_type = String, format = Uuid)]
    pub id: ID,
    /// Version.
    pub version: i64,
    /// Recorded.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
    /// The volunteer.
    #[schema(value_type = String, format = Uuid)]
    pub volunteer_id: ID,
    /// The child.
    #[schema(value_type = String, format = Uuid)]
    pub child_id: ID,
    /// Mentor, surrogate parent or peer.
    pub kind: PairingKind,
    /// First day.
    pub since: NaiveDate,
    /// Notes.
    pub notes: Option<String>,
    /// Last day; null while it holds.
    pub ended_on: Option<NaiveDate>,
}

impl From<domain::pairing::Pairing> for Pairing {
    fn from(p: domain::pairing::Pairing) -> Self {
        Self {
            id: ID(p.meta.id.to_string()),
            version: p.meta.version,
            created_at: p.meta.created_at,
            updated_at: p.meta.updated_at,
            volunteer_id: ID(p.volunteer_id.to_string()),
            child_id: ID(p.child_id.to_string()),
            kind: p.kind.into(),
            since: p.since,
            notes: p.notes,
            ended_on: p.ended_on,
        }
    }
}

/// A child to pair with a volunteer.
#[derive(Debug, Clone, ToSchema, InputObject)]
#[serde(deny_unknown_fields)]
#[graphql(name = "CreatePairingInput")]
#[schema(example = json!({"child_id": "019ac4f2-7b1e-7cc0-9a51-3f0e6d1b2c4d", "kind": "surrogate_parent", "since": "2026-09-01"}))]
pub struct PairingCreate {
    /// A child in your jurisdiction, not archived; one active pairing per volunteer and child (409).
    #[schema(value_type = String, format = Uuid)]
    pub child_id: ID,
    /// Mentor, surrogate parent or peer.
    #[schema(value_type = PairingKind)]
    pub kind: PairingKind,
    /// First day, not in the future (default today).
    #[schema(value_type = String, format = Date, required = false)]
    pub since: MaybeUndefined<NaiveDate>,
    /// Notes, up to 2000 characters.
    #[schema(value_type = Option<String>, pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*(?:[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000](?:[^\x00-\x1f\x7f-\x9f]{0,1998}[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000])?)?[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$")]
    pub notes: MaybeUndefined<String>,
}

/// A JSON merge patch of a pairing (the child cannot change: end it and pair again).
#[derive(Debug, Clone, ToSchema, InputObject)]
#[serde(deny_unknown_fields)]
#[graphql(name = "UpdatePairingInput")]
#[schema(example = json!({"notes": "每周六辅导作业"}))]
pub struct PairingPatch {
    /// Kind.
    #[schema(value_type = PairingKind, required = false)]
    pub kind: MaybeUndefined<PairingKind>,
    /// First day.
    #[schema(value_type = String, format = Date, required = false)]
    pub since: MaybeUndefined<NaiveDate>,
    /// Notes.
    #[schema(value_type = Option<String>, pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*(?:[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000](?:[^\x00-\x1f\x7f-\x9f]{0,1998}[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000])?)?[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$")]
    pub notes: MaybeUndefined<String>,
}

crate::kind::nested_kind!(
    Pairing,
    list = PairingList,
    record = domain::pairing::Pairing,
    collection = "/api/v1/pairings",
);

impl From<PairingCreate> for domain::pairing::PairingInput {
    fn from(i: PairingCreate) -> Self {
        Self {
            child_id: given_parsed(i.child_id.0),
            kind: Patch::Value(i.kind.into()),
            since: parsed(i.since),
            notes: patch(i.notes, |v| v),
            ..Self::default()
        }
    }
}

impl From<PairingPatch> for domain::pairing::PairingInput {
    fn from(i: PairingPatch) -> Self {
        Self {
            kind: patch(i.kind, Into::into),
            since: parsed(i.since),
            notes: patch(i.notes, |v| v),
            ..Self::default()
        }
    }
}


// The REST handlers of pairings, each a documented one-line call of a
// generic handler, and their routes.

crate::rest::nested::nested_rest!(
    kind = Pairing, list_body = PairingList,
    create_body = PairingCreate, patch_body = PairingPatch,
    collection = "/api/v1/volunteers/{id}/pairings", item = "/api/v1/pairings/{id}", tag = "pairings",
    about = "Volunteers paired with children: mentors, surrogate parents, peers",
    parent = "The volunteer's id",
    limit_409 = "The volunteer already holds the most active pairings allowed (default 5), or is already paired with this child",
    end = "Ended: `ended_on` is set and the pairing stays in the history",
    /// Lists a volunteer's pairings, current and ended, with the children you may see.
    list = list_pairings,
    /// Pairs an approved volunteer with a child (422 `not_approved` otherwise).
    create = create_pairing,
    /// Reads one pairing.
    get = get_pairing,
    /// Changes a pairing's kind, start or notes (JSON merge patch, If-Match required).
    update = update_pairing,
    /// Ends a pairing; it stays in the history.
    end = end_pairing,
    also = [child_pairings],
);

crate::rest::nested::relation_rest!(
    /// Lists a child's pairings with volunteers, current and ended.
    ///
    /// Only pairings with volunteers you may see; 404 when the child is not one
    /// you may see or your role may not read pairings.
    child_pairings: Pairing, list = PairingList, path = "/api/v1/children/{id}/pairings", tag = "pairings", operation_id = "list_child_pairings",
    id = "The child's id", found = "The child's pairings with volunteers you may see, oldest first",
    not_found = "No such child in your jurisdiction, or your role may not read pairings",
    load = shouhu_domain::pairing::pairings_of_child,
);


// Pairings in GraphQL: the root fields and mutations (one-line calls of
// generic resolvers), the relations that reach other records, batched across a page.

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
