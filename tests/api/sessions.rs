//! Tokens end when their login ends, and throttling slows guessing down
//! without letting anyone keep a user out.

use std::time::{Duration, Instant};

use futures::future::join_all;
use reqwest::{Method, RequestBuilder, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{PASSWORD, TestApp};

async fn refused_by_rest(app: &TestApp, token: &str) -> bool {
    app.get("/api/v1/children", token).await.status() == StatusCode::UNAUTHORIZED
}

async fn refused_by_graphql(app: &TestApp, token: &str) -> bool {
    let res = app.gql(token, "{ regions { code } }", json!({})).await;
    res["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED" && res["data"].is_null()
}

/// Whether `token` is refused by REST and by GraphQL alike.
async fn refused_everywhere(app: &TestApp, token: &str) -> bool {
    let (rest, gql) = (refused_by_rest(app, token).await, refused_by_graphql(app, token).await);
    assert_eq!(rest, gql, "REST and GraphQL disagree");
    rest
}

/// Whether `token` is accepted by REST and by GraphQL alike.
async fn accepted_everywhere(app: &TestApp, token: &str) -> bool {
    let rest = app.get("/api/v1/children", token).await.status();
    let gql = app.gql(token, "{ regions { code } }", json!({})).await;
    rest == StatusCode::OK && gql["errors"].is_null() && gql["data"]["regions"].is_array()
}

async fn refresh(app: &TestApp, refresh_token: &Value) -> reqwest::Response {
    app.refresh_grant(refresh_token).await
}

fn access(tokens: &Value) -> &str {
    tokens["access_token"].as_str().unwrap()
}

#[tokio::test]
async fn after_logout_the_old_access_token_is_refused_on_rest_and_graphql_within_five_seconds() {
    // The production default: each process trusts its last look for 2 s.
    let app = TestApp::spawn_with(|s| s.serve.session_check_seconds = 2).await;
    let tokens = app.login_response("village").await;
    assert!(
        accepted_everywhere(&app, access(&tokens)).await,
        "the check is cached now"
    );
    let res = app.logout(&tokens["refresh_token"]).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let logged_out = Instant::now();
    // Polled separately: the cached look may lapse between a REST and a GraphQL request.
    let (mut by_rest, mut by_graphql) = (false, false);
    loop {
        by_rest = by_rest || refused_by_rest(&app, access(&tokens)).await;
        by_graphql = by_graphql || refused_by_graphql(&app, access(&tokens)).await;
        if by_rest && by_graphql {
            break;
        }
        assert!(
            logged_out.elapsed() < Duration::from_secs(5),
            "still accepted 5 s after logout (REST refused: {by_rest}, GraphQL refused: {by_graphql})"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(refused_everywhere(&app, access(&tokens)).await, "and it stays refused");
    assert_eq!(
        refresh(&app, &tokens["refresh_token"]).await.status(),
        StatusCode::BAD_REQUEST
    );
    // Another login of the same account is not affected.
    assert!(accepted_everywhere(&app, &app.token("village").await).await);
}

#[tokio::test]
async fn a_reused_refresh_token_ends_the_login_and_refuses_the_winners_access_token() {
    let app = TestApp::spawn().await;
    let first = app.login_response("township").await;
    let other_login = app.login_response("township").await;
    let res = refresh(&app, &first["refresh_token"]).await;
    assert_eq!(res.status(), StatusCode::OK);
    let second: Value = res.json().await.unwrap();
    assert!(accepted_everywhere(&app, access(&second)).await);
    // The spent token comes back: whoever holds it, the login is over.
    let res = refresh(&app, &first["refresh_token"]).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert_eq!(res.headers()["content-type"], "application/json");
    assert!(
        refused_everywhere(&app, access(&second)).await,
        "the winner's access token"
    );
    assert!(refused_everywhere(&app, access(&first)).await, "the first access token");
    assert_eq!(
        refresh(&app, &second["refresh_token"]).await.status(),
        StatusCode::BAD_REQUEST
    );
    assert!(
        accepted_everywhere(&app, access(&other_login)).await,
        "another login lives on"
    );
}

#[tokio::test]
async fn ten_concurrent_refreshes_with_one_token_give_exactly_one_new_token_and_no_server_error() {
    let app = TestApp::spawn().await;
    let tokens = app.login_response("coordinator").await;
    let requests = (0..10).map(|_| refresh(&app, &tokens["refresh_token"]));
    let mut winners = Vec::new();
    let mut statuses = Vec::new();
    for res in join_all(requests).await {
        let status = res.status();
        statuses.push(status);
        if status == StatusCode::OK {
            winners.push(res.json::<Value>().await.unwrap());
        }
    }
    assert!(statuses.iter().all(|s| !s.is_server_error()), "{statuses:?}");
    assert_eq!(winners.len(), 1, "{statuses:?}");
    assert_eq!(
        statuses.iter().filter(|s| **s == StatusCode::BAD_REQUEST).count(),
        9,
        "{statuses:?}"
    );
    // The nine others presented a spent token: reuse, which ends the login, winner included.
    let winner = &winners[0];
    assert!(refused_everywhere(&app, access(winner)).await);
    assert_eq!(
        refresh(&app, &winner["refresh_token"]).await.status(),
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test]
async fn disabling_an_account_refuses_its_existing_tokens_and_enabling_it_revives_none() {
    let app = TestApp::spawn().await;
    let tokens = app.login_response("center").await;
    assert!(accepted_everywhere(&app, access(&tokens)).await);
    shouhu_api::cli::set_disabled(&app.db, "center", true).await.unwrap();
    assert!(refused_everywhere(&app, access(&tokens)).await);
    shouhu_api::cli::set_disabled(&app.db, "center", false).await.unwrap();
    assert!(
        refused_everywhere(&app, access(&tokens)).await,
        "enabling revives no token"
    );
    assert_eq!(
        refresh(&app, &tokens["refresh_token"]).await.status(),
        StatusCode::BAD_REQUEST
    );
    assert!(
        accepted_everywhere(&app, &app.token("center").await).await,
        "a new login works"
    );

    // A client system: its access tokens (it has no refresh token) end the same way.
    let (id, secret) = shouhu_api::cli::create_client(&app.db, "县民政局救助系统", "partner", "522631000000", None)
        .await
        .unwrap();
    let client_token = || async {
        let res = app.client_grant(&id, &secret).await;
        (res.status(), res.json::<Value>().await.unwrap())
    };
    let (status, body) = client_token().await;
    assert_eq!(status, StatusCode::OK);
    let old = access(&body).to_owned();
    assert!(accepted_everywhere(&app, &old).await);
    shouhu_api::cli::set_disabled(&app.db, &id, true).await.unwrap();
    assert!(refused_everywhere(&app, &old).await);
    assert_eq!(client_token().await.0, StatusCode::UNAUTHORIZED);
    shouhu_api::cli::set_disabled(&app.db, &id, false).await.unwrap();
    assert!(refused_everywhere(&app, &old).await, "enabling revives no client token");
    let (status, body) = client_token().await;
    assert_eq!(status, StatusCode::OK);
    assert!(accepted_everywhere(&app, access(&body)).await);
}

fn login_from(app: &TestApp, username: &str, password: &str, forwarded_for: Option<&str>) -> RequestBuilder {
    let req = app
        .anon(Method::POST, "/api/v1/auth/login")
        .json(&json!({"username": username, "password": password}));
    match forwarded_for {
        Some(address) => req.header("x-forwarded-for", address),
        None => req,
    }
}

async fn status_of(req: RequestBuilder) -> StatusCode {
    req.send().await.unwrap().status()
}

/// Logs in `times` times with a wrong `password` from `forwarded_for`,
/// asserting each is refused as unauthenticated.
async fn wrong_logins(app: &TestApp, username: &str, password: &str, forwarded_for: Option<&str>, times: usize) {
    for _ in 0..times {
        assert_eq!(
            status_of(login_from(app, username, password, forwarded_for)).await,
            StatusCode::UNAUTHORIZED
        );
    }
}

/// A wait long enough that no test outlives it.
const LONG_WAIT: u64 = 600;

#[tokio::test]
async fn wrong_passwords_from_one_source_do_not_keep_the_right_password_out_from_another() {
    let app = TestApp::spawn_with_login_delay(3, LONG_WAIT, &["127.0.0.1"]).await;
    let attacker = Some("203.0.113.7");
    wrong_logins(&app, "admin", "guess", attacker, 3).await;
    let res = login_from(&app, "admin", "guess", attacker).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    let wait: u64 = res.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((LONG_WAIT - 60..=LONG_WAIT).contains(&wait), "{wait}");
    assert_eq!(
        status_of(login_from(&app, "admin", PASSWORD, attacker)).await,
        StatusCode::TOO_MANY_REQUESTS,
        "from the guessing source even the right password waits"
    );
    // The real administrator, behind the same proxy from another address, and the proxy's own address.
    assert_eq!(
        status_of(login_from(&app, "admin", PASSWORD, Some("198.51.100.2"))).await,
        StatusCode::OK
    );
    assert_eq!(
        status_of(login_from(&app, "admin", PASSWORD, Some("10.1.1.1, 198.51.100.3"))).await,
        StatusCode::OK,
        "the nearest untrusted hop counts, not the leftmost one"
    );
    assert_eq!(
        status_of(login_from(&app, "admin", PASSWORD, None)).await,
        StatusCode::OK
    );

    // A success starts the count of its source afresh.
    let office = Some("198.51.100.2");
    wrong_logins(&app, "village", "typo", office, 2).await;
    assert_eq!(
        status_of(login_from(&app, "village", PASSWORD, office)).await,
        StatusCode::OK
    );
    wrong_logins(&app, "village", "typo", office, 3).await;
    assert_eq!(
        status_of(login_from(&app, "village", PASSWORD, office)).await,
        StatusCode::TOO_MANY_REQUESTS
    );
}

#[tokio::test]
async fn a_forged_x_forwarded_for_from_an_untrusted_peer_earns_no_fresh_attempts() {
    let app = TestApp::spawn_with_login_delay(3, LONG_WAIT, &[]).await;
    for n in 0..3 {
        let forged = format!("192.0.2.{n}");
        assert_eq!(
            status_of(login_from(&app, "township", "guess", Some(&forged))).await,
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        status_of(login_from(&app, "township", "guess", Some("192.0.2.99"))).await,
        StatusCode::TOO_MANY_REQUESTS
    );
}

async fn answer(req: RequestBuilder) -> (StatusCode, String, bool, Vec<u8>) {
    let res = req.send().await.unwrap();
    let status = res.status();
    let content_type = res.headers()["content-type"].to_str().unwrap().to_owned();
    let retry_after = res.headers().contains_key("retry-after");
    (status, content_type, retry_after, res.bytes().await.unwrap().to_vec())
}

#[tokio::test]
async fn known_and_unknown_user_names_get_byte_identical_answers() {
    let app = TestApp::spawn_with_login_delay(2, LONG_WAIT, &[]).await;
    let mut answers = Vec::new();
    for name in ["village", "no-such-user"] {
        let mut of_name = Vec::new();
        for _ in 0..3 {
            of_name.push(answer(login_from(&app, name, "wrong password", None)).await);
        }
        answers.push(of_name);
    }
    assert_eq!(answers[0], answers[1]);
    let statuses: Vec<_> = answers[0].iter().map(|a| a.0).collect();
    assert_eq!(
        statuses,
        [
            StatusCode::UNAUTHORIZED,
            StatusCode::UNAUTHORIZED,
            StatusCode::TOO_MANY_REQUESTS
        ]
    );
    assert!(answers[0][2].2, "a 429 says when to retry");
    // A disabled account with its right password answers like a wrong password.
    shouhu_api::cli::set_disabled(&app.db, "center", true).await.unwrap();
    assert_eq!(answer(login_from(&app, "center", PASSWORD, None)).await, answers[0][0]);
}

#[tokio::test]
async fn unlock_forgets_the_failures_of_a_user_from_every_source() {
    let app = TestApp::spawn_with_login_delay(2, LONG_WAIT, &["127.0.0.0/8"]).await;
    for source in ["203.0.113.1", "203.0.113.2"] {
        for _ in 0..2 {
            login_from(&app, "Village", "guess", Some(source)).send().await.unwrap();
        }
        assert_eq!(
            status_of(login_from(&app, "village", PASSWORD, Some(source))).await,
            StatusCode::TOO_MANY_REQUESTS,
            "user names count case-insensitively"
        );
    }
    for _ in 0..2 {
        login_from(&app, "township", "guess", None).send().await.unwrap();
    }
    shouhu_api::cli::unlock(&app.db, "village").await.unwrap();
    for source in ["203.0.113.1", "203.0.113.2"] {
        assert_eq!(
            status_of(login_from(&app, "village", PASSWORD, Some(source))).await,
            StatusCode::OK
        );
    }
    assert_eq!(
        status_of(login_from(&app, "township", PASSWORD, None)).await,
        StatusCode::TOO_MANY_REQUESTS,
        "other users stay as they were"
    );
    assert!(shouhu_api::cli::unlock(&app.db, "nobody").await.is_err());
}

#[tokio::test]
async fn wrong_client_secrets_get_429_after_the_limit_and_other_clients_are_unaffected() {
    let app = TestApp::spawn_with_login_delay(3, LONG_WAIT, &[]).await;
    let (id, secret) = shouhu_api::cli::create_client(&app.db, "县教育局学籍系统", "partner", "522631000000", None)
        .await
        .unwrap();
    let (other_id, other_secret) =
        shouhu_api::cli::create_client(&app.db, "县卫健局系统", "partner", "522631000000", None)
            .await
            .unwrap();
    let grant = |id: &str, secret: &str| {
        app.token_request().form(&[
            ("grant_type", "client_credentials"),
            ("client_id", id),
            ("client_secret", secret),
        ])
    };
    for _ in 0..3 {
        assert_eq!(status_of(grant(&id, "wrong")).await, StatusCode::UNAUTHORIZED);
    }
    let res = grant(&id, "wrong").send().await.unwrap();
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(res.headers().contains_key("retry-after"));
    assert_eq!(res.headers()["content-type"], "application/json");
    assert_eq!(res.json::<Value>().await.unwrap()["error"], "invalid_client");
    assert_eq!(status_of(grant(&id, &secret)).await, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(status_of(grant(&other_id, &other_secret)).await, StatusCode::OK);
    shouhu_api::cli::unlock(&app.db, &id).await.unwrap();
    assert_eq!(status_of(grant(&id, &secret)).await, StatusCode::OK);
}

#[tokio::test]
async fn concurrent_wrong_passwords_are_counted_one_by_one() {
    let app = TestApp::spawn_with_login_delay(3, LONG_WAIT, &[]).await;
    let attempts = (0..10).map(|_| status_of(login_from(&app, "admin", "guess", None)));
    let statuses = join_all(attempts).await;
    assert!(statuses.iter().all(|s| !s.is_server_error()), "{statuses:?}");
    let checked = statuses.iter().filter(|s| **s == StatusCode::UNAUTHORIZED).count();
    assert_eq!(
        checked, 3,
        "only the free attempts reach the password check: {statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == StatusCode::TOO_MANY_REQUESTS).count(),
        7,
        "{statuses:?}"
    );
}
