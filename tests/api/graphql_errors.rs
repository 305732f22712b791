//! GraphQL errors as the specs and client libraries expect them: a code on
//! every error, arguments named as the schema names them, limits in GraphQL's
//! shape.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_gql_error, gql_code, problem};

#[tokio::test]
async fn every_graphql_error_carries_a_code() {
    let app = TestApp::spawn_with(|s| {
        s.serve.graphql_max_depth = 4;
        s.serve.graphql_max_complexity = 300;
    })
    .await;
    let token = app.token("coordinator").await;
    for (query, variables, code) in [
        (
            "{ children(first: 1) { nodes { name } ",
            json!({}),
            "GRAPHQL_PARSE_FAILED",
        ),
        ("{ nope }", json!({}), "GRAPHQL_VALIDATION_FAILED"),
        (
            "{ children(first: 1) { nodes { nickname } } }",
            json!({}),
            "GRAPHQL_VALIDATION_FAILED",
        ),
        (
            "{ children(sort: NAME) { nodes { name } } }",
            json!({}),
            "GRAPHQL_VALIDATION_FAILED",
        ),
        (
            "query($x: Int) { children(first: $y) { nodes { name } } }",
            json!({}),
            "GRAPHQL_VALIDATION_FAILED",
        ),
        (
            "{ children(first: 1, filter: {status: BOGUS}) { nodes { name } } }",
            json!({}),
            "GRAPHQL_VALIDATION_FAILED",
        ),
        (
            "{ children(first: \"one\") { nodes { name } } }",
            json!({}),
            "GRAPHQL_VALIDATION_FAILED",
        ),
        (
            "query($n: Int) { children(first: $n) { nodes { name } } }",
            json!({"n": "lots"}),
            "GRAPHQL_VALIDATION_FAILED",
        ),
    ] {
        let res = app.gql(&token, query, variables).await;
        let errors = res["errors"].as_array().unwrap_or_else(|| panic!("{query}: {res}"));
        assert!(!errors.is_empty(), "{query}: {res}");
        for e in errors {
            assert!(e["extensions"]["code"].is_string(), "{query}: {e}");
        }
        assert_eq!(gql_code(&res), code, "{query}: {res}");
    }
    let deep = "{ children(first: 1) { nodes { guardianships { guardian { children { name } } } } } }";
    let res = app.gql(&token, deep, json!({})).await;
    assert_gql_error(&res, "VALIDATION", "depth limit is 4");
    let wide = "{ children(first: 500) { nodes { name } } }";
    let res = app.gql(&token, wide, json!({})).await;
    assert_gql_error(&res, "VALIDATION", "complexity limit is 300");
    // What is fine still answers.
    let res = app
        .gql(&token, "{ children(first: 2) { nodes { name } } }", json!({}))
        .await;
    assert_eq!(res["errors"], Value::Null, "{res}");
}

#[tokio::test]
async fn connection_arguments_are_refused_under_their_graphql_names() {
    let (app, token) = TestApp::spawn_as("coordinator").await;
    let res = app
        .gql(&token, "{ children(first: 1000) { nodes { name } } }", json!({}))
        .await;
    assert_eq!(gql_code(&res), "VALIDATION", "{res}");
    assert_eq!(res["errors"][0]["extensions"]["fields"][0]["field"], "first", "{res}");
    let res = app
        .gql(
            &token,
            "{ guardians(first: 0, after: \"nonsense\") { nodes { name } } }",
            json!({}),
        )
        .await;
    let fields: Vec<&str> = res["errors"][0]["extensions"]["fields"]
        .as_array()
        .unwrap_or_else(|| panic!("{res}"))
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["first", "after"], "{res}");
}

#[tokio::test]
async fn a_rate_limited_graphql_request_answers_in_graphqls_shape() {
    let app = TestApp::spawn_with(|s| s.serve.rate_limit_per_minute = 2).await;
    let token = app.token("coordinator").await;
    let mut last = None;
    for _ in 0..4 {
        let res = app
            .request(Method::POST, "/graphql", &token)
            .json(&json!({"query": "{ regions { code } }"}))
            .send()
            .await
            .unwrap();
        if res.status() == StatusCode::TOO_MANY_REQUESTS {
            last = Some(res);
            break;
        }
    }
    let res = last.expect("the budget of 2 per minute runs out within 4 requests");
    assert!(res.headers().contains_key("retry-after"));
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["data"], Value::Null);
    assert_eq!(body["errors"][0]["extensions"]["code"], "RATE_LIMITED", "{body}");
    assert!(body["errors"][0]["extensions"]["retryAfter"].as_u64().unwrap() > 0);
    // REST keeps problem+json.
    problem(app.get("/api/v1/children", &token).await, StatusCode::TOO_MANY_REQUESTS).await;
}

/// Asserts that `keys` are written in `text` in this order.
fn assert_written_in_order(text: &str, keys: &[&str]) {
    let mut from = 0;
    for k in keys {
        let found = text[from..]
            .find(&format!("\"{k}\":"))
            .unwrap_or_else(|| panic!("{k} not after position {from} in {text}"));
        from += found + k.len();
    }
}

#[tokio::test]
async fn responses_keep_the_selection_order_and_the_keys_of_failed_fields() {
    let (app, admin) = TestApp::spawn_as("admin").await;
    shouhu_api::demo::load_register(&app.db).await.unwrap();
    let query = "{ b: regions { code } ...F a: children(first: 1) { nodes { guardianships { relationship } name \
                 enrollments { kind } idNumber pairings { kind } birthDate } } broken: child(id: \"nope\") { name } } \
                 fragment F on QueryRoot { c: regions { name } }";
    let text = app
        .request(Method::POST, "/graphql", &admin)
        .json(&json!({"query": query}))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_written_in_order(
        &text,
        &[
            "b",
            "c",
            "a",
            "guardianships",
            "name",
            "enrollments",
            "idNumber",
            "pairings",
            "birthDate",
            "broken",
        ],
    );
    let body: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(body["data"]["broken"], Value::Null, "{text}");
    assert!(body["data"].as_object().unwrap().contains_key("broken"), "{text}");
    assert!(body["errors"][0]["extensions"]["code"].is_string(), "{text}");
    // A skipped field stays out.
    let res = app
        .gql(&admin, "{ regions { code name @skip(if: true) } }", json!({}))
        .await;
    assert!(
        !res["data"]["regions"][0].as_object().unwrap().contains_key("name"),
        "{res}"
    );
}
