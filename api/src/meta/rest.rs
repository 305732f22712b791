//! `GET /api/v1/meta/enums`.

use std::sync::LazyLock;

use actix_web::http::header::{self, ContentType, EntityTag};
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse};
use sha2::{Digest, Sha256};

use super::dto::{ENUMERATIONS, Enumerations};
use crate::auth::Caller;
use crate::error::Problem;
use crate::rest::Routes;

/// The body and its ETag, made once: the catalogue changes only with the build.
static BODY: LazyLock<(Bytes, EntityTag)> = LazyLock::new(|| {
    let body = serde_json::to_vec(&*ENUMERATIONS).unwrap_or_default();
    let digest = Sha256::digest(&body);
    let tag: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
    (Bytes::from(body), EntityTag::new_strong(tag))
});

/// Lists every enumeration with its labels in English and Chinese.
///
/// Every enumeration of the API with, for each value, its REST and GraphQL
/// spellings and its labels in English and Chinese (`zh-CN`, the words of a
/// county census sheet: 男/女, 父母双方外出务工 …), for drop-downs and imports.
/// The same for every authenticated caller; send `If-None-Match` with the
/// `ETag` to get a 304 while it is unchanged.
#[utoipa::path(get, path = "/api/v1/meta/enums", tag = "meta", operation_id = "list_enums",
    params(("If-None-Match" = Option<String>, Header, description = "The ETag you hold: when it is still current, the answer is 304 with no body")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Every enumeration with its labels", body = Enumerations,
            headers(("ETag" = String, description = "The catalogue's version"))),
        (status = 304, description = "Not modified: `If-None-Match` names the current catalogue; no body, the `ETag` again",
            headers(("ETag" = String, description = "The catalogue's version"))),
        (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_enums(_caller: Caller, req: HttpRequest) -> HttpResponse {
    let (body, tag) = &*BODY;
    if crate::transport::holds(&req, tag) {
        return HttpResponse::NotModified().insert_header(header::ETag(tag.clone())).finish();
    }
    HttpResponse::Ok()
        .insert_header(header::ETag(tag.clone()))
        .content_type(ContentType::json())
        .body(body.clone())
}

/// Mounts the routes, with their OpenAPI entries.
pub fn routes(routes: &mut Routes) {
    crate::rest::mount!(routes; list_enums);
}
