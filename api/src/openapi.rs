//! The OpenAPI 3.1 document, generated from the handlers.

use utoipa::openapi::security::{
    ClientCredentials, Flow, Http, HttpAuthScheme, OAuth2, Scopes, SecurityRequirement, SecurityScheme,
};
use utoipa::{Modify, OpenApi};

struct BearerAuth;

struct AccessMatrix;

impl Modify for AccessMatrix {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let matrix = shouhu_domain::policy::matrix_markdown();
        let description = openapi.info.description.get_or_insert_with(String::new);
        description.push_str("\n\n## Access matrix\n\n");
        description.push_str(&matrix);
    }
}

/// Every authenticated operation can answer 429 (per-subject rate limit).
struct RateLimited;

/// Every operation of the document.
fn operations_mut(
    openapi: &mut utoipa::openapi::OpenApi,
) -> impl Iterator<Item = &mut utoipa::openapi::path::Operation> {
    openapi.paths.paths.values_mut().flat_map(|item| {
        [
            item.get.as_mut(),
            item.post.as_mut(),
            item.patch.as_mut(),
            item.delete.as_mut(),
            item.put.as_mut(),
            item.head.as_mut(),
        ]
        .into_iter()
        .flatten()
    })
}

/// What lint rules and generated clients expect of the document as a whole:
/// a server (the host serving the document), the licence's SPDX identifier,
/// `security: []` on the operations that need no token (health, metrics, the
/// token endpoints, the key set), and a 4xx on every operation (an operation
/// with none of its own can still answer 406 when `Accept-Encoding` refuses
/// every encoding it can send).
struct Completeness;

impl Modify for Completeness {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::{RefOr, ResponseBuilder, ServerBuilder};
        openapi.servers = Some(vec![
            ServerBuilder::new()
                .url("/")
                .description(Some("the host serving this document"))
                .build(),
        ]);
        if let Some(license) = openapi.info.license.as_mut() {
            license.identifier = Some("Apache-2.0".to_owned());
        }
        for op in operations_mut(openapi) {
            if op.security.is_none() {
                op.security = Some(Vec::new());
            }
            if !op.responses.responses.keys().any(|status| status.starts_with('4')) {
                op.responses.responses.insert(
                    "406".to_owned(),
                    RefOr::T(
                        ResponseBuilder::new()
                            .description("Accept-Encoding refuses every encoding the answer can be sent in")
                            .build(),
                    ),
                );
            }
        }
    }
}

impl Modify for RateLimited {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        use utoipa::openapi::{RefOr, header::Header};
        for op in operations_mut(openapi) {
            if op.security.is_none() {
                continue;
            }
            let Some(RefOr::T(mut limited)) = op.responses.responses.get("401").cloned() else {
                continue;
            };
            limited.description = "Too many requests from this token subject; wait as Retry-After says".to_owned();
            limited.headers.insert(
                "Retry-After".to_owned(),
                RefOr::T(Header::new(
                    ObjectBuilder::new().schema_type(Type::Integer).minimum(Some(0)),
                )),
            );
            op.responses
                .responses
                .entry("429".to_owned())
                .or_insert(RefOr::T(limited));
        }
    }
}

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let mut http = Http::new(HttpAuthScheme::Bearer);
        http.bearer_format = Some("JWT (EdDSA)".to_owned());
        http.description = Some("An access token from POST /api/v1/auth/login or POST /api/v1/auth/token".to_owned());
        components.add_security_scheme("bearer", SecurityScheme::Http(http));
        let oauth2 = OAuth2::with_description(
            [Flow::ClientCredentials(ClientCredentials::new(
                "/api/v1/auth/token",
                Scopes::new(),
            ))],
            "A client system's access token from the OAuth 2.0 client credentials grant (RFC 6749 §4.4): HTTP Basic \
(`client_secret_basic`) or `client_id` and `client_secret` in the form (`client_secret_post`). No scopes. Metadata at \
`/.well-known/oauth-authorization-server` (RFC 8414).",
        );
        components.add_security_scheme("oauth2", SecurityScheme::OAuth2(oauth2));
        // Either scheme opens every operation that takes the bearer token.
        for op in operations_mut(openapi) {
            if let Some(security) = op.security.as_mut()
                && !security.is_empty()
            {
                security.push(SecurityRequirement::new("oauth2", Vec::<String>::new()));
            }
        }
    }
}

/// The document's description and tags.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Shouhu (守护) API",
        description = "The shared register of rural left-behind children and their care: children, guardians, care places, \
volunteers and training sessions.\n\n\
Every `/api/v1` route needs `Authorization: Bearer <access token>` (from `POST /api/v1/auth/login`, or for a client \
system from the OAuth 2.0 client credentials grant at `POST /api/v1/auth/token`). A record outside your \
jurisdiction (your region's subtree) answers 404 exactly like one that does not exist. Errors are `application/problem+json` \
(RFC 9457) with every bad field listed in `errors`. Lists are keyset-paginated: pass `next_cursor` back as `cursor`. \
`PATCH` takes a JSON merge patch and `PATCH`/`DELETE` require `If-Match` with the `ETag` you read (428 without, 412 when stale). \
A `GET` of one record with `If-None-Match` naming its current `ETag` answers 304 with no body.\n\n\
Keeping a system in sync, or an app that works offline: take `GET /api/v1/changes/head`, read the lists, then follow \
`GET /api/v1/changes` from that cursor (store each page's `next_cursor` with what it applied; `left_scope` means drop \
the record); after days offline, ask again from the stored cursor, and on 410 `cursor_expired` sync again from the lists. \
Queue writes made offline and send each create with an `Idempotency-Key` (a retry after a lost answer creates nothing \
twice) and each change with the `If-Match` it was based on; a 412 carries `current_version`: read the record again, \
merge, and send the change with that version. Or subscribe to `POST /api/v1/webhooks` and be sent each change as it \
commits, signed (Standard Webhooks 1.0).\n\n\
Texts for people (problem `title`, `detail` and every `errors[].message`, GraphQL error messages, guarantee reasons) \
are in Simplified Chinese when `Accept-Language` prefers it (`zh`, `zh-CN`, `zh-Hans`, `zh-Hans-CN`, weighed by `q`) and in \
English otherwise; such a response says which in `Content-Language` (`en` or `zh-CN`) with `Vary: Accept-Language`. \
Codes (`type`, `errors[].code`, `code`) are the same in every language. `GET /api/v1/meta/enums` labels every \
enumeration value in both languages.\n\n\
`HEAD` works wherever `GET` does (same status and headers, no body). Responses are compressed when `Accept-Encoding` \
asks for `gzip` or `br`. Browser pages from the origins in `SHOUHU_CORS_ORIGINS` may call the API (CORS).\n\n\
Resident ID numbers, phones and street addresses are masked (`522631********0011`, `138****5678`) for roles \
that may not see them; health notes are left out. Who may do what is in the access matrix below; a field a role may not \
write is 403 and nothing changes.\n\n\
Every response carries `X-Request-Id`, the server's own id of the request (a UUID): the one the server's log, a 500's \
message and the audit trail (`request_id`) name. A sane `X-Request-Id` you send (1 to 128 printable ASCII characters) \
does not replace it: it is kept beside it, as `client_request_id` in the audit trail and the read log, and echoed back \
as `X-Client-Request-Id`; any other is ignored.",
        version = "1.0.0",
        license(name = "Apache-2.0")
    ),
    tags(
        (name = "regions", description = "Administrative regions"),
        (name = "auth", description = "Tokens"),
        (name = "audit", description = "The audit trail of writes"),
        (name = "meta", description = "What the API tells about itself: enumerations and their labels"),
        (name = "operations", description = "Health, readiness and metrics"),
    )
)]
pub struct ApiDoc;

/// The document: its description and tags (`ApiDoc`), every route's entry
/// (from the routes themselves, see `rest::routes`), then the entries every
/// operation shares.
pub fn document() -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    let routes = crate::rest::routes().openapi();
    // The record kinds' tags (each declared with the kind's routes) first, in
    // the order of the kinds, then the others.
    let others = doc.tags.take().unwrap_or_default();
    doc.merge(routes);
    doc.tags.get_or_insert_with(Vec::new).extend(others);
    let modifiers: [&dyn Modify; 4] = [&BearerAuth, &AccessMatrix, &RateLimited, &Completeness];
    for modifier in modifiers {
        modifier.modify(&mut doc);
    }
    doc
}

/// The document as pretty JSON.
pub fn json() -> String {
    document().to_pretty_json().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_documented_access_matrix_is_the_one_enforced() {
        let doc = include_str!("../../docs/access.md");
        assert!(
            doc.contains(&shouhu_domain::policy::matrix_markdown()),
            "docs/access.md is out of date; paste in shouhu_domain::policy::matrix_markdown()"
        );
    }
}
