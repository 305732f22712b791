//! Training sessions: guardian training, parent-school classes and other sessions.

use crate::graphql::input::{given_parsed, parsed, patch};
use async_graphql::{MaybeUndefined, ID, InputObject, SimpleObject, ComplexObject, Context, Result};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use shouhu_domain::fields::Patch;
use utoipa::{IntoParams, ToSchema};
use crate::enums::{RecordStatus, TrainingKind};
use uuid::Uuid;
use crate::attendance::Attendance;
use crate::graphql::{gql_error, loaders, parse_id, parts};
use shouhu_domain as domain;




// What the APIs send and receive of training sessions: one type per record serves both
// surfaces (serde gives REST its `snake_case`, async-graphql gives GraphQL its camelCase).
// Inputs are REST request bodies and GraphQL input objects alike; both reach
// the same domain reader, which validates every field.

/// A training session.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, SimpleObject)]
#[graphql(complex)]
pub struct TrainingSession {
    /// UUID v7.
    #[schema(value_type = String, format = Uuid)]
    pub id: ID,
    /// Version.
    pub version: i64,
    /// Registered.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
    /// Title.
    #[schema(example = "春节返乡家长监护培训")]
    pub title: String,
    /// Kind.
    pub kind: TrainingKind,
    /// Region holding it.
    pub region_code: String,
    /// Start.
    pub starts_at: DateTime<Utc>,
    /// End.
    pub ends_at: Option<DateTime<Utc>>,
    /// Places.
    pub capacity: Option<i32>,
    /// Venue.
    pub venue: Option<String>,
    /// Active or archived.
    pub status: RecordStatus,
}

impl From<domain::training_session::TrainingSession> for TrainingSession {
    fn from(t: domain::training_session::TrainingSession) -> Self {
        Self {
            id: ID(t.meta.id.to_string()),
            version: t.meta.version,
            created_at: t.meta.created_at,
            updated_at: t.meta.updated_at,
            title: t.title,
            kind: t.kind.into(),
            region_code: t.region_code,
            starts_at: t.starts_at,
            ends_at: t.ends_at,
            capacity: t.capacity,
            venue: t.venue,
            status: t.status.into(),
        }
    }
}

/// A training session to register.
#[derive(Debug, Clone, ToSchema, InputObject)]
#[graphql(name = "CreateTrainingSessionInput")]
#[schema(example = json!({"title": "春节返乡家长监护培训", "kind": "guardian_training", "region_code": "522631101000",
    "starts_at": "2026-05-01T01:00:00Z", "ends_at": "2026-05-01T04:00:00Z", "capacity": 80, "venue": "镇政府会议室"}))]
#[serde(deny_unknown_fields)]
pub struct TrainingSessionCreate {
    /// Title, up to 200 characters.
    #[schema(value_type = String, pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000](?:[^\x00-\x1f\x7f-\x9f]{0,198}[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000])?[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$")]
    pub title: String,
    /// Kind.
    #[schema(value_type = TrainingKind)]
    pub kind: TrainingKind,
    /// An existing region in the caller's jurisdiction.
    #[schema(value_type = String, pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*(?:0[1-9]|[1-9][0-9])[0-9]{10}[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$")]
    pub region_code: String,
    /// RFC 3339 instant.
    #[schema(value_type = String, format = DateTime)]
    pub starts_at: DateTime<Utc>,
    /// RFC 3339 instant after `starts_at`.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub ends_at: MaybeUndefined<DateTime<Utc>>,
    /// Places, 1–100000.
    #[schema(value_type = Option<i32>, minimum = 1, maximum = 100000)]
    pub capacity: MaybeUndefined<i32>,
    /// Venue.
    #[schema(value_type = Option<String>, pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*(?:[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000](?:[^\x00-\x1f\x7f-\x9f]{0,198}[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000])?)?[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$")]
    pub venue: MaybeUndefined<String>,
}

/// A JSON merge patch of a training session.
#[derive(Debug, Clone, ToSchema, InputObject)]
#[serde(deny_unknown_fields)]
#[graphql(name = "UpdateTrainingSessionInput")]
#[schema(example = json!({"venue": "镇文化站", "capacity": 100}))]
pub struct TrainingSessionPatch {
    /// Title.
    #[schema(value_type = String, pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000](?:[^\x00-\x1f\x7f-\x9f]{0,198}[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000])?[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$", required = false)]
    pub title: MaybeUndefined<String>,
    /// Kind.
    #[schema(value_type = TrainingKind, required = false)]
    pub kind: MaybeUndefined<TrainingKind>,
    /// Region.
    #[schema(value_type = String, pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*(?:0[1-9]|[1-9][0-9])[0-9]{10}[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$", required = false)]
    pub region_code: MaybeUndefined<String>,
    /// Start.
    #[schema(value_type = String, format = DateTime, required = false)]
    pub starts_at: MaybeUndefined<DateTime<Utc>>,
    /// End.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub ends_at: MaybeUndefined<DateTime<Utc>>,
    /// Places.
    #[schema(value_type = Option<i32>, minimum = 1, maximum = 100000)]
    pub capacity: MaybeUndefined<i32>,
    /// Venue.
    #[schema(value_type = Option<String>, pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*(?:[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000](?:[^\x00-\x1f\x7f-\x9f]{0,198}[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000])?)?[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$")]
    pub venue: MaybeUndefined<String>,
}

/// Filters of the training-sessions list.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TrainingSessionParams {
    #[param(inline)]
    #[allow(missing_docs)]
    pub kind: Option<TrainingKind>,
    #[param(inline)]
    #[allow(missing_docs)]
    pub status: Option<RecordStatus>,
    /// Sessions starting at or after this RFC 3339 instant.
    #[param(format = DateTime)]
    pub starts_from: Option<String>,
    /// Sessions starting before this RFC 3339 instant.
    #[param(format = DateTime)]
    pub starts_before: Option<String>,
}

/// Filters of `trainingSessions`.
#[derive(Debug, Clone, Serialize, InputObject)]
pub struct TrainingSessionFilter {
    /// Region subtree.
    pub region: Option<String>,
    /// Changed at or after this instant.
    pub updated_since: Option<DateTime<Utc>>,
    /// Title starts with this text.
    pub q: Option<String>,
    /// Kind.
    pub kind: Option<TrainingKind>,
    /// Active or archived (default: active).
    pub status: Option<RecordStatus>,
    /// Starting at or after this instant.
    pub starts_from: Option<DateTime<Utc>>,
    /// Starting before this instant.
    pub starts_before: Option<DateTime<Utc>>,
}

crate::kind::register_kind!(
    TrainingSession,
    list = TrainingSessionList,
    record = domain::training_session::TrainingSession,
    collection = "/api/v1/training-sessions"
);

impl From<TrainingSessionCreate> for domain::training_session::TrainingSessionInput {
    fn from(i: TrainingSessionCreate) -> Self {
        Self {
            title: Patch::Value(i.title),
            kind: Patch::Value(i.kind.into()),
            region_code: Patch::Value(i.region_code),
            starts_at: given_parsed(i.starts_at),
            ends_at: parsed(i.ends_at),
            capacity: patch(i.capacity, i64::from),
            venue: patch(i.venue, |v| v),
            ..Self::default()
        }
    }
}

impl From<TrainingSessionPatch> for domain::training_session::TrainingSessionInput {
    fn from(i: TrainingSessionPatch) -> Self {
        Self {
            title: patch(i.title, |v| v),
            kind: patch(i.kind, Into::into),
            region_code: patch(i.region_code, |v| v),
            starts_at: parsed(i.starts_at),
            ends_at: parsed(i.ends_at),
            capacity: patch(i.capacity, i64::from),
            venue: patch(i.venue, |v| v),
            ..Self::default()
        }
    }
}


// The REST handlers of training sessions, each a documented one-line call of a
// generic handler, and their routes.

crate::rest::record::register_rest!(
    kind = TrainingSession, list_body = TrainingSessionList,
    create_body = TrainingSessionCreate, patch_body = TrainingSessionPatch, params = TrainingSessionParams,
    collection = "/api/v1/training-sessions", item = "/api/v1/training-sessions/{id}", tag = "training-sessions",
    about = "Guardian training, parent-school classes and other sessions",
    /// Lists training sessions in your jurisdiction.
    list = list_training_sessions,
    /// Registers a training session.
    create = create_training_session,
    /// Reads one training session.
    get = get_training_session,
    /// Changes a training session (JSON merge patch, If-Match required).
    update = update_training_session,
    /// Archives a training session.
    archive = archive_training_session,
    export_path = "/api/v1/training-sessions/export",
    /// Exports the training sessions as one file (csv, xlsx or ndjson), filtered like the list.
    export = export_training_sessions,
);

/// The columns of a training sessions export, in order.
impl crate::export::Exported for TrainingSession {
    const FILE: &'static str = "training-sessions";
    const COLUMNS: &'static [crate::export::Column] = &[
    crate::export::column("id", "编号", crate::export::Form::Text),
    crate::export::column("title", "名称", crate::export::Form::Text),
    crate::export::column("kind", "类型", crate::export::Form::Choice("enum.training_kind")),
    crate::export::column("region_code", "所在地", crate::export::Form::Text),
    crate::export::column("starts_at", "开始时间", crate::export::Form::Text),
    crate::export::column("ends_at", "结束时间", crate::export::Form::Text),
    crate::export::column("capacity", "名额", crate::export::Form::Number),
    crate::export::column("venue", "地点", crate::export::Form::Text),
    crate::export::column("status", "状态", crate::export::Form::Choice("enum.record_status")),
    crate::export::column("version", "版本", crate::export::Form::Number),
    crate::export::column("created_at", "登记时间", crate::export::Form::Text),
    crate::export::column("updated_at", "更新时间", crate::export::Form::Text),
    ];
}



// Training sessions in GraphQL: the root fields and mutations (one-line calls of
// generic resolvers), the relations that reach other records, batched across a page.

crate::graphql::record::register_graphql!(
    query = TrainingSessionQuery, mutation = TrainingSessionMutation,
    kind = TrainingSession,
    filter = TrainingSessionFilter, create_input = TrainingSessionCreate, update_input = TrainingSessionPatch,
    prefetch = prefetch_sessions,
    /// One training session.
    get = training_session,
    /// Training sessions in your jurisdiction.
    list = training_sessions,
    /// Registers a training session.
    create = create_training_session,
    /// Changes a training session at `expectedVersion`.
    update = update_training_session,
    /// Archives a training session at `expectedVersion`.
    archive = archive_training_session,
);

/// Prefetches, for a page of sessions, their registrations.
async fn prefetch_sessions(ctx: &Context<'_>, page: &[domain::training_session::TrainingSession]) -> Result<()> {
    if page.is_empty()
        || !ctx
            .look_ahead()
            .field("edges")
            .field("node")
            .field("attendance")
            .exists()
    {
        return Ok(());
    }
    let (state, caller) = parts(ctx)?;
    let ids: Vec<Uuid> = page.iter().map(|s| s.meta.id).collect();
    let mut found = domain::attendance::of_sessions(&state.db, caller, &ids)
        .await
        .map_err(gql_error)?;
    loaders(ctx)?
        .session_attendance
        .feed_many(ids.iter().map(|id| (*id, found.remove(id).unwrap_or_default())))
        .await;
    Ok(())
}

#[ComplexObject]
impl TrainingSession {
    /// The session's registrations and check-ins, cancelled ones included (batched across the page).
    async fn attendance(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "At most this many, 1–500 (default 100), oldest first.")] first: Option<i32>,
    ) -> Result<Vec<Attendance>> {
        let found = loaders(ctx)?
            .session_attendance
            .load_one(parse_id(&self.id)?)
            .await
            .map_err(gql_error)?;
        crate::graphql::bounded(found.unwrap_or_default(), first)
    }
}
