use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{PASSWORD, TestApp};

#[tokio::test]
async fn a_subject_over_its_request_budget_gets_429_with_retry_after() {
    let app = TestApp::spawn_with(|s| s.serve.rate_limit_per_minute = 5).await;
    let token = app.token("village").await;
    let mut remaining = Vec::new();
    for _ in 0..5 {
        let res = app.get("/api/v1/children", &token).await;
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.headers()["ratelimit-limit"], "5");
        remaining.push(res.headers()["ratelimit-remaining"].to_str().unwrap().to_owned());
    }
    assert_eq!(remaining, ["4", "3", "2", "1", "0"]);
    let res = app.get("/api/v1/children", &token).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    let wait: u64 = res.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    let res = app.gql(&token, "{ regions { code } }", json!({})).await;
    assert!(
        res.get("data").is_none() || res["data"].is_null(),
        "GraphQL counts too: {res}"
    );
    // Another subject has a budget of its own.
    let other = app.token("township").await;
    assert_eq!(app.get("/api/v1/children", &other).await.status(), StatusCode::OK);
}

async fn login(app: &TestApp, username: &str, password: &str) -> (StatusCode, Value) {
    let res = app.login_attempt(username, password).await;
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn logins_are_throttled_per_user_name() {
    let app = TestApp::spawn_with(|s| s.serve.login_limit_per_user = 3).await;
    for _ in 0..3 {
        assert_eq!(login(&app, "nobody", "guess").await.0, StatusCode::UNAUTHORIZED);
    }
    let res = app.login_attempt("NOBODY", "x").await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(res.headers().get("retry-after").is_some());
    assert_eq!(
        login(&app, "village", PASSWORD).await.0,
        StatusCode::OK,
        "other names are not affected"
    );
}

#[tokio::test]
async fn repeated_failures_make_that_name_wait_from_that_address_without_saying_whether_it_exists() {
    let app = TestApp::spawn_with_login_delay(3, 600, &[]).await;
    assert_eq!(login(&app, "township", "wrong-1").await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(
        login(&app, "township", PASSWORD).await.0,
        StatusCode::OK,
        "a success resets the count"
    );
    for _ in 0..3 {
        assert_eq!(login(&app, "township", "wrong").await.0, StatusCode::UNAUTHORIZED);
    }
    let (status, body) = login(&app, "township", PASSWORD).await;
    assert_eq!(
        status,
        StatusCode::TOO_MANY_REQUESTS,
        "even the right password waits from this address"
    );
    assert!(!body["detail"].as_str().unwrap().contains("locked until"), "{body}");
    assert_eq!(login(&app, "village", PASSWORD).await.0, StatusCode::OK);
}
