//! The OpenAPI document's request examples are requests the server accepts:
//! each record body's example, sent as "Try it out" would send it (ids of other
//! records replaced by records made for the purpose), succeeds.

use std::collections::HashMap;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::TestApp;

/// The example of an operation's request body, from the schema it refers to.
fn example(doc: &Value, path: &str, method: &str) -> Option<Value> {
    let content = doc["paths"][path][method]["requestBody"]["content"].as_object()?;
    let media = content.values().next()?;
    if let Some(e) = media.get("example") {
        return Some(e.clone());
    }
    let name = media["schema"]["$ref"].as_str()?.rsplit('/').next()?;
    doc["components"]["schemas"][name].get("example").cloned()
}

/// The record kind a path's `{id}` names.
fn kind_of(path: &str) -> &str {
    path.trim_start_matches("/api/v1/")
        .split('/')
        .next()
        .unwrap_or_default()
}

#[tokio::test]
async fn every_record_request_example_in_the_openapi_document_succeeds() {
    let (app, admin) = TestApp::spawn_as("admin").await;
    let doc: Value = app.get_json("/api/openapi.json", &admin).await;
    let paths: Vec<String> = doc["paths"].as_object().unwrap().keys().cloned().collect();
    // The record made for each collection, as (id, version).
    let mut made: HashMap<String, (String, i64)> = HashMap::new();
    let mut sent = 0;

    // Top-level creates first, then creates under a parent, then patches.
    let creates = paths
        .iter()
        .filter(|p| !p.contains("{id}") && p.starts_with("/api/v1/") && !p.starts_with("/api/v1/auth"));
    let nested = paths.iter().filter(|p| !p.ends_with("{id}") && p.contains("{id}/"));
    let patches = paths.iter().filter(|p| p.ends_with("/{id}"));
    for path in creates {
        let Some(body) = example(&doc, path, "post") else {
            continue;
        };
        let res = app.post(path, &admin, &body).await;
        let status = res.status();
        let record: Value = res.json().await.unwrap();
        assert_eq!(status, StatusCode::CREATED, "POST {path} {body}: {record}");
        made.insert(
            kind_of(path).to_owned(),
            (
                record["id"].as_str().unwrap().to_owned(),
                record["version"].as_i64().unwrap(),
            ),
        );
        sent += 1;
    }
    // A pairing is made with an approved volunteer.
    let (volunteer, version) = made["volunteers"].clone();
    app.patch_ok(
        &format!("/api/v1/volunteers/{volunteer}"),
        &admin,
        version,
        &json!({"vetting_status": "approved"}),
    )
    .await;
    made.insert("volunteers".to_owned(), (volunteer, version + 1));

    for path in nested {
        let Some(mut body) = example(&doc, path, "post") else {
            continue;
        };
        let parent = &made[kind_of(path)].0;
        for (field, kind) in [
            ("child_id", "children"),
            ("guardian_id", "guardians"),
            ("attendee_id", "guardians"),
        ] {
            if body.get(field).is_some() {
                body[field] = json!(made[kind].0);
            }
        }
        let url = path.replace("{id}", parent);
        let res = app.post(&url, &admin, &body).await;
        let status = res.status();
        let record: Value = res.json().await.unwrap();
        assert_eq!(status, StatusCode::CREATED, "POST {path} {body}: {record}");
        let collection = path.rsplit('/').next().unwrap_or_default();
        made.insert(
            collection.to_owned(),
            (
                record["id"].as_str().unwrap().to_owned(),
                record["version"].as_i64().unwrap(),
            ),
        );
        sent += 1;
    }

    for path in patches {
        let Some(body) = example(&doc, path, "patch") else {
            continue;
        };
        let Some((id, version)) = made.get(kind_of(path)).cloned() else {
            panic!("no record made for {path}")
        };
        let res = app.patch(&path.replace("{id}", &id), &admin, version, &body).await;
        let status = res.status();
        let record: Value = res.json().await.unwrap();
        assert_eq!(status, StatusCode::OK, "PATCH {path} {body}: {record}");
        sent += 1;
    }
    // Every register record's create and patch has its example.
    assert_eq!(sent, 20, "examples sent");
}
