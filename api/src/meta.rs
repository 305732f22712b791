//! What the API tells about itself for apps: every enumeration with its
//! labels in each language (`GET /api/v1/meta/enums`, GraphQL `enums`), for
//! drop-downs and for reading census sheets by their Chinese labels. Read-only,
//! the same for every caller, built once from the locale files.

pub use MetaQuery as Query;

use std::sync::LazyLock;
use async_graphql::{SimpleObject, Context, Object, Result};
use serde::Serialize;
use utoipa::ToSchema;
use crate::enums::CATALOGUE;
use crate::i18n::{Lang, text_in};
use actix_web::http::header::{self, ContentType, EntityTag};
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse};
use sha2::{Digest, Sha256};
use crate::auth::Caller;
use crate::error::Problem;
use crate::rest::Routes;
use crate::graphql::parts;




// The enumeration catalogue both APIs send.

/// A value's label in each language the server speaks.
#[derive(Debug, Clone, Serialize, ToSchema, SimpleObject)]
pub struct Labels {
    /// English.
    #[schema(example = "Female")]
    pub en: String,
    /// Simplified Chinese, as county census sheets write it.
    #[serde(rename = "zh-CN")]
    #[graphql(name = "zhCN")]
    #[schema(example = "女")]
    pub zh_cn: String,
}

/// One value of an enumeration.
#[derive(Debug, Clone, Serialize, ToSchema, SimpleObject)]
pub struct EnumValue {
    /// The value as REST sends and takes it (`snake_case`).
    #[schema(example = "female")]
    pub value: String,
    /// The value as GraphQL sends and takes it (`SCREAMING_CASE`).
    #[schema(example = "FEMALE")]
    pub graphql_value: String,
    /// What people read for it.
    pub labels: Labels,
}

/// One enumeration of the API and its values, in declaration order.
#[derive(Debug, Clone, Serialize, ToSchema, SimpleObject)]
pub struct Enumeration {
    /// Its name, as in the OpenAPI document's schemas and the GraphQL schema.
    #[schema(example = "Gender")]
    pub name: String,
    /// Its values.
    pub values: Vec<EnumValue>,
}

/// Every enumeration of the API.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"items": [{"name": "Gender", "values": [
    {"value": "male", "graphql_value": "MALE", "labels": {"en": "Male", "zh-CN": "男"}},
    {"value": "female", "graphql_value": "FEMALE", "labels": {"en": "Female", "zh-CN": "女"}}
]}]}))]
pub struct Enumerations {
    /// The enumerations, in the order the API declares them.
    pub items: Vec<Enumeration>,
}

/// `LeftBehindType` → `left_behind_type`, as the locale files name it.
fn snake(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// The catalogue, built once from the enumerations and the locale files.
pub static ENUMERATIONS: LazyLock<Enumerations> = LazyLock::new(|| Enumerations {
    items: CATALOGUE
        .iter()
        .map(|(name, values)| {
            let file_name = snake(name);
            Enumeration {
                name: (*name).to_owned(),
                values: values()
                    .into_iter()
                    .map(|v| {
                        let key = format!("enum.{file_name}.{v}");
                        let [en, zh_cn] = Lang::ALL.map(|lang| text_in(lang, &key));
                        EnumValue {
                            value: v.to_owned(),
                            graphql_value: v.to_ascii_uppercase(),
                            labels: Labels { en, zh_cn },
                        }
                    })
                    .collect(),
            }
        })
        .collect(),
});



// `GET /api/v1/meta/enums`.

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


// The enumeration catalogue in GraphQL.

/// What the API tells about itself.
#[derive(Default)]
pub struct MetaQuery;

#[Object]
impl MetaQuery {
    /// Every enumeration of the API with, for each value, its REST and GraphQL
    /// spellings and its labels in English and Chinese (`zhCN`), as
    /// `GET /api/v1/meta/enums` sends them.
    async fn enums(&self, ctx: &Context<'_>) -> Result<Vec<Enumeration>> {
        parts(ctx)?;
        Ok(ENUMERATIONS.items.clone())
    }
}

// What `kinds!` merges into the schema's root (read-only).

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_value_of_every_enumeration_has_a_label_in_each_language() {
        assert_eq!(ENUMERATIONS.items.len(), CATALOGUE.len());
        for e in &ENUMERATIONS.items {
            for v in &e.values {
                // A missing entry renders as its key.
                assert!(!v.labels.en.starts_with("enum."), "{} {}", e.name, v.value);
                assert!(!v.labels.zh_cn.starts_with("enum."), "{} {}", e.name, v.value);
            }
        }
    }
}
