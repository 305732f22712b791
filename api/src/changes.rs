//! The changes feed (contract §8): `GET /api/v1/changes`, `GET /api/v1/changes/head`
//! and GraphQL `changes`, `changesHead`, over `shouhu_domain::changes`.

pub use ChangesQuery as Query;

use actix_web::{HttpRequest, HttpResponse, web};
use async_graphql::connection::{Connection, Edge};
use async_graphql::{Context, Enum, ID, Object, Result, SimpleObject, Union};
use chrono::{DateTime, Utc};
use serde::Serialize;
use shouhu_domain::changes::{self, ChangeRequest, Cursor};
use shouhu_domain::{AnyRecord, Error, FieldError, msg};
use utoipa::openapi::schema::{AnyOfBuilder, ObjectBuilder, Schema, Type};
use utoipa::openapi::Ref;
use utoipa::{IntoParams, ToSchema};

use crate::app::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::graphql::{gql_error, parts};
use crate::rest::Routes;

/// Declares, from the domain's list of kinds, the feed's kind names and the
/// record a change carries, in both APIs.
macro_rules! change_kinds {
    ($($module:ident: $kind:ident),+ ; $($nmodule:ident: $nkind:ident),+) => {
        /// The kind of record a change is about.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema, Enum)]
        #[serde(rename_all = "snake_case")]
        pub enum ChangeType {
            $(
                #[doc = concat!("`", stringify!($module), "`")]
                $kind,
            )+
            $(
                #[doc = concat!("`", stringify!($nmodule), "`")]
                $nkind,
            )+
        }

        impl From<shouhu_domain::resource::ResourceKind> for ChangeType {
            fn from(k: shouhu_domain::resource::ResourceKind) -> Self {
                use shouhu_domain::resource::ResourceKind as K;
                match k {
                    $(K::$kind => Self::$kind,)+
                    $(K::$nkind => Self::$nkind,)+
                }
            }
        }

        impl crate::enums::Catalogued for ChangeType {
            const NAME: &'static str = "ChangeType";
            fn rest_values() -> Vec<&'static str> {
                <shouhu_domain::resource::ResourceKind as shouhu_domain::enums::StrEnum>::ALL
                    .iter()
                    .map(|k| k.as_str())
                    .collect()
            }
        }

        impl From<ChangeType> for shouhu_domain::resource::ResourceKind {
            fn from(k: ChangeType) -> Self {
                match k {
                    $(ChangeType::$kind => Self::$kind,)+
                    $(ChangeType::$nkind => Self::$nkind,)+
                }
            }
        }

        /// The record a change carries, as you read it with `GET`.
        #[derive(Debug, Clone, Serialize, Union)]
        #[serde(untagged)]
        pub enum ChangeRecord {
            $($kind(crate::$module::$kind),)+
            $($nkind(crate::$nmodule::$nkind),)+
        }

        impl From<AnyRecord> for ChangeRecord {
            fn from(r: AnyRecord) -> Self {
                match r {
                    $(AnyRecord::$kind(r) => Self::$kind((*r).into()),)+
                    $(AnyRecord::$nkind(r) => Self::$nkind((*r).into()),)+
                }
            }
        }

        /// `record`'s schema: one of the kinds' records, or null for `left_scope`.
        fn change_record_schema() -> Schema {
            let mut any = AnyOfBuilder::new();
            $(any = any.item(Ref::from_schema_name(stringify!($kind)));)+
            $(any = any.item(Ref::from_schema_name(stringify!($nkind)));)+
            any.item(ObjectBuilder::new().schema_type(Type::Null))
                .description(Some("The record as you would read it with `GET` (masked likewise); null for `left_scope`."))
                .into()
        }
    };
}
shouhu_domain::record_kinds!(change_kinds);

pub use crate::enums::ChangeAction;

/// One change of the feed.
#[derive(Debug, Clone, Serialize, ToSchema, SimpleObject)]
pub struct Change {
    /// Its place in the feed; a valid `after`.
    #[schema(example = "f1.1042", pattern = r"^f1\.(0|[1-9][0-9]{0,17})$")]
    pub position: String,
    /// The kind of record.
    #[serde(rename = "type")]
    #[graphql(name = "type")]
    pub change_type: ChangeType,
    /// The record's id.
    #[schema(value_type = String, format = Uuid)]
    pub id: ID,
    /// The record's version after the change; for a record that came into your
    /// scope (`created`), its version now.
    pub version: i64,
    /// What happened.
    pub action: ChangeAction,
    /// The fields set: every field for `created`, the changed ones for `updated`,
    /// `["status"]` for `archived`, `restored` and `ended`, none for `left_scope`.
    pub changed: Vec<String>,
    /// When it was committed.
    pub at: DateTime<Utc>,
    /// The record as you would read it with `GET` (masked likewise); null for `left_scope`.
    #[schema(schema_with = change_record_schema)]
    pub record: Option<ChangeRecord>,
}

impl From<changes::Change> for Change {
    fn from(c: changes::Change) -> Self {
        Self {
            position: c.cursor.encode(),
            change_type: c.kind.into(),
            id: ID(c.id.to_string()),
            version: c.version,
            action: c.action.into(),
            changed: c.changed,
            at: c.at,
            record: c.record.map(ChangeRecord::from),
        }
    }
}

/// A page of the feed.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChangeList {
    /// The changes you may see, in commit order (a page may hold fewer than
    /// `limit`, or none, and still not be the last).
    pub items: Vec<Change>,
    /// Pass as `after` to continue; given on every page, the last and empty ones too.
    #[schema(example = "f1.1042", pattern = r"^f1\.(0|[1-9][0-9]{0,17})$")]
    pub next_cursor: String,
}

/// Where the feed stands.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChangesHead {
    /// The position now: take it before a full sync, then follow the feed from it.
    #[schema(example = "f1.1042", pattern = r"^f1\.(0|[1-9][0-9]{0,17})$")]
    pub cursor: String,
}

/// Parameters of the feed.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct ChangeParams {
    /// Continue after this cursor (a `next_cursor`, a change's `position` or
    /// the head's `cursor`); without it, from the oldest change kept.
    #[param(pattern = r"^f1\.(0|[1-9][0-9]{0,17})$")]
    after: Option<String>,
    /// Only these kinds, comma-separated (`child,guardian`).
    #[param(style = Form, explode = false, min_items = 1)]
    types: Option<Vec<ChangeType>>,
    /// Page size, 1–1000 (default 100).
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<u32>,
}

/// Reads `after`, `types` and `limit`; anything else, or a repeated one, is 400.
fn change_request(req: &HttpRequest) -> std::result::Result<ChangeRequest, Error> {
    let pairs = crate::rest::query_pairs(req)?;
    let mut errors = Vec::new();
    let (mut after, mut types, mut limit) = (None, None, None);
    let mut seen = std::collections::HashSet::new();
    for (k, v) in pairs {
        if !seen.insert(k.clone()) {
            errors.push(FieldError::new(&k, "repeated", msg!("param.repeated")));
            continue;
        }
        match k.as_str() {
            "after" => match Cursor::parse(&v, "after") {
                Ok(c) => after = Some(c),
                Err(Error::InvalidParameters(e)) => errors.extend(e),
                Err(e) => return Err(e),
            },
            "types" => match changes::kinds_named(&v, "types") {
                Ok(kinds) => types = Some(kinds),
                Err(Error::InvalidParameters(e)) => errors.extend(e),
                Err(e) => return Err(e),
            },
            "limit" => match v.parse::<i64>() {
                Ok(n) => limit = Some(n),
                Err(_) => errors.push(FieldError::new(
                    "limit",
                    "out_of_range",
                    msg!("param.invalid_limit", max = changes::MAX_LIMIT),
                )),
            },
            _ => errors.push(FieldError::new(&k, "unknown_parameter", msg!("param.unknown"))),
        }
    }
    match ChangeRequest::read(after, types, limit, ("types", "limit")) {
        Ok(request) if errors.is_empty() => Ok(request),
        Ok(_) => Err(Error::InvalidParameters(errors)),
        Err(Error::InvalidParameters(e)) => {
            errors.extend(e);
            Err(Error::InvalidParameters(errors))
        }
        Err(e) => Err(e),
    }
}

/// Lists what changed, in commit order, as you may see it.
///
/// Every write to a record you may read, in the order the writes committed: a
/// consumer that stores `next_cursor` and asks again never misses and never
/// repeats a change, whatever the number of writers and replicas. Each change
/// carries the record as you would read it now with `GET` (masked likewise). A
/// record that leaves your jurisdiction or reach (moved to another township, a
/// volunteer's pairing ended) is listed once as `left_scope`, without data, so
/// that a mirror drops it, with the records seen through it; one that comes in
/// is listed as `created`. A change to a record outside your reach is not
/// listed, and nothing tells that it happened. Changes are kept
/// `SHOUHU_CHANGES_RETENTION_DAYS` days (90 by default); an older cursor is
/// 410 `cursor_expired`: sync again from the lists, starting from the head.
#[utoipa::path(get, path = "/api/v1/changes", tag = "changes", operation_id = "list_changes",
    params(ChangeParams), security(("bearer" = [])),
    responses(
        (status = 200, description = "Changes in commit order", body = ChangeList),
        (status = 400, description = "A malformed cursor, an unknown type, a bad limit or another parameter, each named", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
        (status = 410, description = "The cursor is older than the changes kept (`cursor_expired`): sync again", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_changes(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
) -> std::result::Result<HttpResponse, actix_web::Error> {
    let request = change_request(&req).map_err(ApiError)?;
    let page = changes::changes(&state.db, &caller.0, &request).await.map_err(ApiError)?;
    Ok(HttpResponse::Ok().json(ChangeList {
        next_cursor: page.next.encode(),
        items: page.items.into_iter().map(Change::from).collect(),
    }))
}

/// Reads where the feed stands now.
///
/// Take it before a full sync from the lists, then follow the feed from it:
/// nothing committed after it is missed.
#[utoipa::path(get, path = "/api/v1/changes/head", tag = "changes", operation_id = "get_changes_head",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The feed's position now", body = ChangesHead),
        (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_changes_head(
    state: web::Data<AppState>,
    _caller: Caller,
) -> std::result::Result<HttpResponse, actix_web::Error> {
    let head = changes::head(&state.db).await.map_err(ApiError)?;
    Ok(HttpResponse::Ok().json(ChangesHead { cursor: head.encode() }))
}

/// Mounts the routes, with their OpenAPI entries.
pub fn routes(routes: &mut Routes) {
    routes.tag(
        "changes",
        "What changed, in commit order: the feed departmental systems and mirrors follow",
    );
    crate::rest::mount!(routes; list_changes, get_changes_head);
}

/// What a changes connection has beside its edges.
#[derive(SimpleObject)]
pub struct ChangeTotals {
    /// Pass as `after` to continue; given on every page, the last and empty ones too.
    pub next_cursor: String,
}

/// The changes feed in GraphQL.
#[derive(Default)]
pub struct ChangesQuery;

#[Object]
impl ChangesQuery {
    /// What changed, in commit order, as you may see it (the rules of `GET /api/v1/changes`):
    /// pass `nextCursor` (or an edge's cursor, or `changesHead`) as `after` to continue.
    async fn changes(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Continue after this cursor; from the oldest change kept without it.")] after: Option<
            String,
        >,
        #[graphql(desc = "Only these kinds.")] types: Option<Vec<ChangeType>>,
        #[graphql(desc = "At most this many, 1–1000 (default 100).")] first: Option<i32>,
    ) -> Result<Connection<String, Change, ChangeTotals>> {
        let (state, caller) = parts(ctx)?;
        let after = after.map(|a| Cursor::parse(&a, "after")).transpose().map_err(gql_error)?;
        let types = types.map(|t| t.into_iter().map(Into::into).collect());
        let request =
            ChangeRequest::read(after, types, first.map(i64::from), ("types", "first")).map_err(gql_error)?;
        let page = changes::changes(&state.db, caller, &request).await.map_err(gql_error)?;
        let mut connection = Connection::with_additional_fields(
            request.after.is_some(),
            page.more,
            ChangeTotals {
                next_cursor: page.next.encode(),
            },
        );
        connection.edges.extend(page.items.into_iter().map(|c| {
            let change = Change::from(c);
            Edge::new(change.position.clone(), change)
        }));
        Ok(connection)
    }

    /// Where the feed stands now (a cursor to pass as `after`).
    async fn changes_head(&self, ctx: &Context<'_>) -> Result<String> {
        let (state, _) = parts(ctx)?;
        Ok(changes::head(&state.db).await.map_err(gql_error)?.encode())
    }
}
