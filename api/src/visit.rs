//! Visits: follow-up visits and family contacts, with the concerns found and their resolution.

use crate::graphql::input::{given_parsed, parsed, patch};
use async_graphql::{MaybeUndefined, ID, InputObject, SimpleObject, ComplexObject, Context, Result};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use shouhu_domain::fields::Patch;
use utoipa::ToSchema;
use crate::enums::{Concern, VisitKind, VisitMode};
use crate::graphql::{gql_error, loaders, parse_id};
use crate::guardian::Guardian;
use shouhu_domain as domain;




// What the APIs send and receive of visits and family contacts: one type per record serves both
// surfaces (serde gives REST its `snake_case`, async-graphql gives GraphQL its camelCase).
// Inputs are REST request bodies and GraphQL input objects alike; both reach
// the same domain reader, which validates every field.

/// A follow-up visit or a family contact. Withdrawn records stay, with `withdrawn_on`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, SimpleObject)]
#[graphql(complex)]
pub struct Visit {
    /// UUID v7.
    #[schema(value_type = String, format = Uuid)]
    pub id: ID,
    /// Version.
    pub version: i64,
    /// Recorded.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
    /// The child.
    #[schema(value_type = String, format = Uuid)]
    pub child_id: ID,
    /// Follow-up visit or family contact.
    pub kind: VisitKind,
    /// Home, phone, video or school.
    pub mode: VisitMode,
    /// When it took place.
    pub occurred_on: NaiveDate,
    /// Who visited.
    #[schema(example = "村儿童主任 杨丽")]
    pub visitor: Option<String>,
    /// The parent in contact, or the guardian met.
    #[schema(value_type = Option<String>, format = Uuid)]
    pub guardian_id: Option<ID>,
    /// What was seen and said.
    pub notes: Option<String>,
    /// What was found worrying.
    pub concerns: Vec<Concern>,
    /// Someone must follow up.
    pub follow_up_needed: bool,
    /// When the concerns were resolved; null while open.
    pub resolved_on: Option<NaiveDate>,
    /// When withdrawn as a mistake; null while it counts.
    pub withdrawn_on: Option<NaiveDate>,
    /// The account that recorded it.
    pub recorded_by: String,
}

impl From<domain::visit::Visit> for Visit {
    fn from(v: domain::visit::Visit) -> Self {
        Self {
            id: ID(v.meta.id.to_string()),
            version: v.meta.version,
            created_at: v.meta.created_at,
            updated_at: v.meta.updated_at,
            child_id: ID(v.child_id.to_string()),
            kind: v.kind.into(),
            mode: v.mode.into(),
            occurred_on: v.occurred_on,
            visitor: v.visitor,
            guardian_id: v.guardian_id.map(|g| ID(g.to_string())),
            notes: v.notes,
            concerns: v.concerns.into_iter().map(Into::into).collect(),
            follow_up_needed: v.follow_up_needed,
            resolved_on: v.resolved_on,
            withdrawn_on: v.withdrawn_on,
            recorded_by: v.recorded_by,
        }
    }
}

/// A visit or family contact to record.
#[derive(Debug, Clone, ToSchema, InputObject)]
#[graphql(name = "CreateVisitInput")]
#[schema(example = json!({"kind": "follow_up", "mode": "home", "occurred_on": "2026-11-20", "visitor": "村儿童主任 杨丽",
    "notes": "奶奶腿脚不便, 孩子放学后独自在家", "concerns": ["safety"], "follow_up_needed": true}))]
#[serde(deny_unknown_fields)]
pub struct VisitCreate {
    /// Follow-up visit or family contact.
    #[schema(value_type = VisitKind)]
    pub kind: VisitKind,
    /// Home, phone, video or school (a family contact is not at school).
    #[schema(value_type = VisitMode)]
    pub mode: VisitMode,
    /// When it took place; not in the future.
    #[schema(value_type = String, format = Date)]
    pub occurred_on: NaiveDate,
    /// Who visited; required for a follow-up visit.
    #[schema(value_type = Option<String>, pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*(?:[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000](?:[^\x00-\x1f\x7f-\x9f]{0,98}[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000])?)?[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$")]
    pub visitor: MaybeUndefined<String>,
    /// For a family contact, required: the father or mother (an active guardianship of the child). For a follow-up, optionally the guardian met.
    #[schema(value_type = Option<String>, format = Uuid)]
    pub guardian_id: MaybeUndefined<ID>,
    /// Notes, up to 4000 characters.
    #[schema(value_type = Option<String>, pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*(?:[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000](?:[^\x00-\x1f\x7f-\x9f]{0,3998}[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000])?)?[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$")]
    pub notes: MaybeUndefined<String>,
    /// Concerns found.
    #[schema(value_type = Option<Vec<Concern>>)]
    pub concerns: MaybeUndefined<Vec<Concern>>,
    /// Someone must follow up (default false).
    #[schema(value_type = bool, required = false)]
    pub follow_up_needed: MaybeUndefined<bool>,
    /// When the concerns were resolved (not before the visit, not in the future).
    #[schema(value_type = Option<String>, format = Date)]
    pub resolved_on: MaybeUndefined<NaiveDate>,
}

/// A JSON merge patch of a visit (kind and guardian cannot change). Resolve
/// its concerns by setting `resolved_on`.
#[derive(Debug, Clone, ToSchema, InputObject)]
#[serde(deny_unknown_fields)]
#[graphql(name = "UpdateVisitInput")]
#[schema(example = json!({"resolved_on": "2026-11-28", "follow_up_needed": false}))]
pub struct VisitPatch {
    /// Mode.
    #[schema(value_type = VisitMode, required = false)]
    pub mode: MaybeUndefined<VisitMode>,
    /// Date.
    #[schema(value_type = String, format = Date, required = false)]
    pub occurred_on: MaybeUndefined<NaiveDate>,
    /// Visitor.
    #[schema(value_type = Option<String>, pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*(?:[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000](?:[^\x00-\x1f\x7f-\x9f]{0,98}[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000])?)?[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$")]
    pub visitor: MaybeUndefined<String>,
    /// Notes.
    #[schema(value_type = Option<String>, pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*(?:[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000](?:[^\x00-\x1f\x7f-\x9f]{0,3998}[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000])?)?[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$")]
    pub notes: MaybeUndefined<String>,
    /// Concerns.
    #[schema(value_type = Option<Vec<Concern>>)]
    pub concerns: MaybeUndefined<Vec<Concern>>,
    /// Follow-up needed.
    #[schema(value_type = bool, required = false)]
    pub follow_up_needed: MaybeUndefined<bool>,
    /// Resolution date.
    #[schema(value_type = Option<String>, format = Date)]
    pub resolved_on: MaybeUndefined<NaiveDate>,
}

crate::kind::nested_kind!(
    Visit,
    list = VisitList,
    record = domain::visit::Visit,
    collection = "/api/v1/visits",
);

impl From<VisitCreate> for domain::visit::VisitInput {
    fn from(i: VisitCreate) -> Self {
        Self {
            kind: Patch::Value(i.kind.into()),
            mode: Patch::Value(i.mode.into()),
            occurred_on: given_parsed(i.occurred_on),
            visitor: patch(i.visitor, |v| v),
            guardian_id: parsed(i.guardian_id.map_value(|id| id.0)),
            notes: patch(i.notes, |v| v),
            concerns: patch(i.concerns, |v| v.into_iter().map(Into::into).collect()),
            follow_up_needed: patch(i.follow_up_needed, |v| v),
            resolved_on: parsed(i.resolved_on),
            ..Self::default()
        }
    }
}

impl From<VisitPatch> for domain::visit::VisitInput {
    fn from(i: VisitPatch) -> Self {
        Self {
            mode: patch(i.mode, Into::into),
            occurred_on: parsed(i.occurred_on),
            visitor: patch(i.visitor, |v| v),
            notes: patch(i.notes, |v| v),
            concerns: patch(i.concerns, |v| v.into_iter().map(Into::into).collect()),
            follow_up_needed: patch(i.follow_up_needed, |v| v),
            resolved_on: parsed(i.resolved_on),
            ..Self::default()
        }
    }
}


// The REST handlers of visits and family contacts, each a documented one-line call of a
// generic handler, and their routes.

crate::rest::nested::nested_rest!(
    kind = Visit, list_body = VisitList,
    create_body = VisitCreate, patch_body = VisitPatch,
    collection = "/api/v1/children/{id}/visits", item = "/api/v1/visits/{id}", tag = "visits",
    about = "Follow-up visits and family contacts, with concerns and their resolution",
    parent = "The child's id",
    limit_409 = "A request with this Idempotency-Key is still in progress",
    end = "Withdrawn as a mistake: `withdrawn_on` is set, the record stays and counts for nothing",
    /// Lists a child's follow-up visits and family contacts, withdrawn ones included.
    list = list_visits,
    /// Records a follow-up visit or a family contact with a parent.
    create = create_visit,
    /// Reads one visit or contact.
    get = get_visit,
    /// Changes a visit (JSON merge patch, If-Match required); set `resolved_on` to close its concerns.
    update = update_visit,
    /// Withdraws a visit recorded by mistake; it stays in the history.
    end = withdraw_visit,
);


// Visits and family contacts in GraphQL: the root fields and mutations (one-line calls of
// generic resolvers), the relations that reach other records, batched across a page.

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
