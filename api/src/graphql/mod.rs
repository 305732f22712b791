//! The GraphQL surface: the same services as REST, through resolvers as thin
//! as the handlers, with batched nested loads and bounded queries.

mod bounds;
pub mod input;
mod loaders;
pub mod nested;
mod ordered;
pub mod record;
mod transport;

use async_graphql::{Context, EmptySubscription, ErrorExtensions, ID, Schema};
use serde::Serialize;
use serde_json::Value;
use shouhu_domain::{Ctx, Error, msg};

use crate::i18n;
use uuid::Uuid;

use crate::app::AppState;
pub use loaders::Loaders;
pub use transport::{ReadLog, graphiql, graphiql_asset, graphql};

/// The schema type.
pub type ShouhuSchema = Schema<QueryRoot, MutationRoot, EmptySubscription>;

pub use crate::registry::{MutationRoot, QueryRoot};

/// An id argument; one that is not a UUID names no record.
pub(crate) fn parse_id(id: &ID) -> async_graphql::Result<Uuid> {
    Uuid::try_parse(id.as_str()).map_err(|_| gql_error(Error::NotFound))
}

/// What a connection's query selects of each record, under `edges { node }`
/// and under `nodes` together (a page's prefetch must see both spellings).
pub(crate) struct Selected<'a>(Vec<async_graphql::Lookahead<'a>>);

impl<'a> Selected<'a> {
    /// The records of the page the resolver in `ctx` returns.
    pub(crate) fn nodes(ctx: &'a Context<'_>) -> Self {
        let page = ctx.look_ahead();
        Self(vec![page.field("edges").field("node"), page.field("nodes")])
    }

    /// A field selected under these.
    pub(crate) fn field(&self, name: &str) -> Self {
        Self(self.0.iter().map(|l| l.field(name)).collect())
    }

    /// Whether any of them is selected.
    pub(crate) fn exists(&self) -> bool {
        self.0.iter().any(async_graphql::Lookahead::exists)
    }
}

/// The batch loaders of this request.
pub(crate) fn loaders<'a>(ctx: &'a Context<'_>) -> async_graphql::Result<&'a Loaders> {
    ctx.data::<Loaders>()
        .map_err(|_| gql_error(Error::Internal("no loaders".into())))
}

/// The depth an introspection-only operation may reach: GraphiQL's own query
/// needs 13 levels; every other limit stays as configured.
const INTROSPECTION_DEPTH: usize = 20;

/// The limits for operations that select only `__schema`, `__type` and `__typename`.
pub fn introspection_limits(limits: Limits) -> Limits {
    Limits {
        depth: limits.depth.max(INTROSPECTION_DEPTH),
        ..limits
    }
}

/// Limits applied to every query.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Deepest selection.
    pub depth: usize,
    /// Highest complexity.
    pub complexity: usize,
    /// Most aliases.
    pub aliases: usize,
    /// Most field selections, counting a fragment's fields each time it is spread.
    pub fields: usize,
    /// Deepest nesting of the query text, of selections through fragment
    /// spreads, and of the variables.
    pub nesting: usize,
    /// Most directives on one field.
    pub directives: usize,
    /// Largest body in bytes.
    pub body_bytes: usize,
}

/// Builds the schema with its limits.
pub fn schema(limits: Limits) -> ShouhuSchema {
    Schema::build(QueryRoot::default(), MutationRoot::default(), EmptySubscription)
        .limit_depth(limits.depth)
        .limit_complexity(limits.complexity)
        .limit_directives(limits.directives)
        .limit_recursive_depth(limits.nesting)
        .finish()
}

/// The SDL of the schema.
pub fn sdl() -> String {
    // Limits do not show in the SDL.
    schema(Limits {
        depth: 10,
        complexity: 1,
        aliases: 1,
        fields: 1,
        nesting: 32,
        directives: 1,
        body_bytes: 1,
    })
    .sdl()
}

fn camel(field: &str) -> String {
    let mut out = String::new();
    let mut upper = false;
    for c in field.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// Maps a domain error to a GraphQL error with `extensions.code`; internals
/// never reach the client.
pub fn gql_error(err: Error) -> async_graphql::Error {
    let (code, message, fields) = match &err {
        Error::NotFound => ("NOT_FOUND", i18n::render(&msg!("problem.not_found")), None),
        Error::Validation(f) | Error::InvalidParameters(f) => (
            "VALIDATION",
            i18n::render(&msg!("problem.invalid_fields", count = f.len())),
            Some(f.clone()),
        ),
        Error::Conflict { field, message } => (
            "CONFLICT",
            i18n::render(message),
            field
                .as_ref()
                .map(|f| vec![shouhu_domain::FieldError::new(f.clone(), "duplicate", message.clone())]),
        ),
        Error::VersionMismatch { current } => (
            "VERSION_MISMATCH",
            i18n::render(&msg!("problem.version_mismatch", current = current)),
            None,
        ),
        Error::Forbidden(m) => ("FORBIDDEN", i18n::render(m), None),
        Error::Unauthenticated(m) => ("UNAUTHENTICATED", i18n::render(m), None),
        Error::TooManyRequests { message, .. } => ("RATE_LIMITED", i18n::render(message), None),
        Error::CursorExpired => ("CURSOR_EXPIRED", i18n::render(&msg!("problem.cursor_expired")), None),
        Error::Internal(detail) => {
            tracing::error!(%detail, "internal error");
            ("INTERNAL", i18n::render(&msg!("problem.internal")), None)
        }
    };
    async_graphql::Error::new(message).extend_with(|_, e| {
        e.set("code", code);
        if let Error::VersionMismatch { current } = &err {
            e.set("currentVersion", *current);
        }
        if let Error::TooManyRequests { retry_after, .. } = &err {
            e.set("retryAfter", *retry_after);
        }
        if let Some(fields) = &fields {
            let list: Vec<async_graphql::Value> = fields
                .iter()
                .map(|f| {
                    let mut m = async_graphql::indexmap::IndexMap::new();
                    m.insert(
                        async_graphql::Name::new("field"),
                        async_graphql::Value::from(camel(&f.field)),
                    );
                    m.insert(
                        async_graphql::Name::new("code"),
                        async_graphql::Value::from(f.code.clone()),
                    );
                    m.insert(
                        async_graphql::Name::new("message"),
                        async_graphql::Value::from(i18n::render(&f.message)),
                    );
                    async_graphql::Value::Object(m)
                })
                .collect();
            e.set("fields", async_graphql::Value::List(list));
        }
    })
}

/// How many items a nested list gives when its `first` is not given.
const NESTED_DEFAULT: i32 = 100;

/// The most a nested list gives at once.
const MAX_NESTED: i32 = 500;

/// The first `first` items of a nested list (default 100, 1–500; out of that
/// range it is refused naming `first`), so that a response stays bounded
/// however many records a parent holds. (What a whole page's nested list
/// loads at once is bounded too: `nested::of_many` refuses rather than
/// shortens.) The complexity limit counts a nested list's fields once, as
/// most relations hold a few records; connections count theirs `first` times.
pub(crate) fn bounded<T, U: From<T>>(items: Vec<T>, first: Option<i32>) -> async_graphql::Result<Vec<U>> {
    let page = connection_page(Some(first.unwrap_or(NESTED_DEFAULT)), None, MAX_NESTED as u64)?;
    let n = usize::try_from(page.limit).unwrap_or(usize::MAX);
    Ok(items.into_iter().take(n).map(U::from).collect())
}

/// The page a connection asks for with `first` and `after`; a bad one is
/// refused naming those arguments (REST calls them `limit` and `cursor`).
pub(crate) fn connection_page(
    first: Option<i32>,
    after: Option<&str>,
    max: u64,
) -> async_graphql::Result<shouhu_domain::resource::PageRequest> {
    crate::rest::page_request(first.map(|f| f.to_string()).as_deref(), after, max).map_err(|err| {
        gql_error(match err {
            Error::InvalidParameters(fields) => Error::InvalidParameters(
                fields
                    .into_iter()
                    .map(|mut f| {
                        match f.field.as_str() {
                            "limit" => f.field = "first".to_owned(),
                            "cursor" => {
                                f.field = "after".to_owned();
                                f.message = msg!("param.invalid_after");
                            }
                            _ => {}
                        }
                        f
                    })
                    .collect(),
            ),
            other => other,
        })
    })
}

/// The application state and the caller of a GraphQL request.
pub(crate) fn parts<'a>(ctx: &'a Context<'_>) -> async_graphql::Result<(&'a AppState, &'a Ctx)> {
    let state = ctx
        .data::<actix_web::web::Data<AppState>>()
        .map_err(|_| gql_error(Error::Internal("no state".into())))?;
    let caller = ctx
        .data::<Ctx>()
        .map_err(|_| gql_error(Error::Unauthenticated(msg!("auth.send_bearer_token"))))?;
    Ok((state.get_ref(), caller))
}

/// A filter argument as list parameters, like a REST query string (the
/// filter's fields are named as REST's parameters).
pub(crate) fn filter_params<T: Serialize>(typed: &Option<T>) -> Vec<(String, String)> {
    let Some(Value::Object(fields)) = typed.as_ref().and_then(|t| serde_json::to_value(t).ok()) else {
        return Vec::new();
    };
    fields
        .into_iter()
        .filter_map(|(k, v)| match v {
            Value::String(s) => Some((k, s)),
            Value::Null => None,
            other => Some((k, other.to_string())),
        })
        .collect()
}
