//! The enumeration catalogue both APIs send.

use std::sync::LazyLock;

use async_graphql::SimpleObject;
use serde::Serialize;
use utoipa::ToSchema;

use crate::enums::CATALOGUE;
use crate::i18n::{Lang, text_in};

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
