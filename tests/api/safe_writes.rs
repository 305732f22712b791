use futures::future::join_all;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_only_field, child_body, len_of};

async fn post_with_key(app: &TestApp, token: &str, key: &str, body: &Value) -> reqwest::Response {
    app.request(Method::POST, "/api/v1/children", token)
        .header("idempotency-key", key)
        .json(body)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_retried_create_with_the_same_key_returns_the_first_answer_and_creates_nothing() {
    let (app, token) = TestApp::spawn_as("village").await;
    let body = child_body("王小明", 1);
    let first = post_with_key(&app, &token, "retry-1", &body).await;
    assert_eq!(first.status(), StatusCode::CREATED);
    assert!(first.headers().get("idempotent-replayed").is_none());
    let location = first.headers()["location"].clone();
    let first: Value = first.json().await.unwrap();
    // The same body with its keys in another order is the same request.
    let reordered: Value = serde_json::from_str(&{
        let mut pairs: Vec<(String, Value)> = body.as_object().unwrap().clone().into_iter().collect();
        pairs.reverse();
        format!(
            "{{{}}}",
            pairs
                .iter()
                .map(|(k, v)| format!("{:?}: {v}", k))
                .collect::<Vec<_>>()
                .join(",")
        )
    })
    .unwrap();
    let again = post_with_key(&app, &token, "retry-1", &reordered).await;
    assert_eq!(again.status(), StatusCode::CREATED);
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    assert_eq!(again.headers()["location"], location);
    assert_eq!(again.json::<Value>().await.unwrap(), first);
    let list: Value = app.get_json("/api/v1/children", &token).await;
    assert_eq!(len_of(&list["items"]), 1);

    let mut other = body.clone();
    other["name"] = json!("王小红");
    let res = post_with_key(&app, &token, "retry-1", &other).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_only_field(&res.json().await.unwrap(), "Idempotency-Key", "reused");
    let res = post_with_key(&app, &token, "bad key", &other).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn keys_are_scoped_per_caller_and_freed_when_nothing_was_created() {
    let (app, village) = TestApp::spawn_as("village").await;
    let township = app.token("township").await;
    let mut bad = child_body("李四", 2);
    bad["gender"] = json!("unknown");
    assert_eq!(
        post_with_key(&app, &village, "k", &bad).await.status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let ok = post_with_key(&app, &village, "k", &child_body("李四", 2)).await;
    assert_eq!(ok.status(), StatusCode::CREATED, "a corrected retry may reuse the key");
    let other = post_with_key(&app, &township, "k", &child_body("李五", 3)).await;
    assert_eq!(other.status(), StatusCode::CREATED);
    assert!(
        other.headers().get("idempotent-replayed").is_none(),
        "another caller's key is another key"
    );
}

#[tokio::test]
async fn concurrent_requests_with_one_key_create_one_record() {
    let (app, token) = TestApp::spawn_as("village").await;
    let body = child_body("陈并发", 4);
    let requests = (0..8).map(|_| post_with_key(&app, &token, "same-key", &body));
    let statuses: Vec<StatusCode> = join_all(requests).await.into_iter().map(|r| r.status()).collect();
    assert!(
        statuses
            .iter()
            .all(|s| *s == StatusCode::CREATED || *s == StatusCode::CONFLICT),
        "{statuses:?}"
    );
    assert!(statuses.contains(&StatusCode::CREATED));
    let list: Value = app.get_json("/api/v1/children?status=active", &token).await;
    assert_eq!(len_of(&list["items"]), 1, "{statuses:?}");
}

#[tokio::test]
async fn of_concurrent_writers_holding_one_version_exactly_one_wins() {
    let (app, token) = TestApp::spawn_as("village").await;
    let (_, path) = app.register_child(&token, child_body("赵竞争", 5)).await;
    let writes = (0..8).map(|i| {
        let path = path.clone();
        let token = token.clone();
        let app = &app;
        async move {
            app.patch(&path, &token, 1, &json!({"grade": format!("{i}年级")}))
                .await
                .status()
        }
    });
    let statuses = join_all(writes).await;
    assert_eq!(
        statuses.iter().filter(|s| **s == StatusCode::OK).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses
            .iter()
            .filter(|s| **s == StatusCode::PRECONDITION_FAILED)
            .count(),
        7,
        "{statuses:?}"
    );
    let after: Value = app.get_json(&path, &token).await;
    assert_eq!(after["version"], 2);
}

#[tokio::test]
async fn graphql_creates_are_idempotent_with_a_key() {
    let (app, token) = TestApp::spawn_as("township").await;
    let q = "mutation($k: String) { createCareCenter(input: {name: \"亲情室\", kind: FAMILY_ROOM, regionCode: \"522631101000\"}, idempotencyKey: $k) { id version } }";
    let a = app.gql(&token, q, json!({"k": "gq-1"})).await;
    let b = app.gql(&token, q, json!({"k": "gq-1"})).await;
    assert_eq!(
        a["data"]["createCareCenter"]["id"], b["data"]["createCareCenter"]["id"],
        "{a} {b}"
    );
    let c = app.gql(&token, q, json!({"k": null})).await;
    assert_ne!(a["data"]["createCareCenter"]["id"], c["data"]["createCareCenter"]["id"]);
    let list: Value = app.get_json("/api/v1/care-centers", &token).await;
    assert_eq!(len_of(&list["items"]), 2);
    let q2 = "mutation { createCareCenter(input: {name: \"别的\", kind: FAMILY_ROOM, regionCode: \"522631101000\"}, idempotencyKey: \"gq-1\") { id } }";
    let d = app.gql(&token, q2, json!({})).await;
    assert_eq!(d["errors"][0]["extensions"]["code"], "VALIDATION");
}
