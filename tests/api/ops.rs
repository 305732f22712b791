use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{SERVICE_PATHS, TestApp, len_of, problem};

#[tokio::test]
async fn health_readiness_and_metrics_answer_without_a_token() {
    let app = TestApp::spawn().await;
    for (path, needle) in [
        ("/healthz", "ok"),
        ("/readyz", "ready"),
        ("/metrics", "shouhu_http_requests_total"),
    ] {
        let res = app.get_anon(path).await;
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        assert!(res.text().await.unwrap().contains(needle), "{path}");
    }
}

#[tokio::test]
async fn every_response_carries_the_servers_request_id_and_echoes_a_sane_client_one_beside_it() {
    let app = TestApp::spawn().await;
    let res = app.get_anon("/healthz").await;
    assert!(res.headers().get("x-request-id").is_some());
    assert!(res.headers().get("x-client-request-id").is_none());
    let res = app
        .client
        .get(app.url("/api/v1/children"))
        .header("x-request-id", "abc-123")
        .send()
        .await
        .unwrap();
    let server = res.headers()["x-request-id"].to_str().unwrap();
    assert_eq!(uuid::Uuid::parse_str(server).unwrap().get_version_num(), 7, "{server}");
    assert_eq!(res.headers()["x-client-request-id"], "abc-123");
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn unknown_routes_and_methods_answer_problem_json() {
    let app = TestApp::spawn().await;
    problem(app.get_anon("/nowhere").await, StatusCode::NOT_FOUND).await;
    let res = app.client.put(app.url("/api/v1/children")).send().await.unwrap();
    assert!(res.status().is_client_error());
    assert_eq!(res.headers()["content-type"], "application/problem+json");
}

#[tokio::test]
async fn the_docs_openapi_and_graphiql_are_served_from_the_binary() {
    let app = TestApp::spawn().await;
    let doc: Value = app.json_anon("/api/openapi.json").await;
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    assert!(doc["paths"]["/api/v1/children/{id}"]["patch"].is_object());
    let docs = app.get_anon("/docs/").await;
    assert_eq!(docs.status(), StatusCode::OK);
    let html = docs.text().await.unwrap();
    assert!(html.contains("swagger"), "swagger ui page");
    assert!(!html.contains("cdn"), "no CDN");
    let graphiql = app.text_anon("/graphql").await;
    assert!(graphiql.contains("/graphql/assets/graphiql.min.js"));
    assert!(!graphiql.contains("https://"), "no external URL in GraphiQL");
    let js = app.get_anon("/graphql/assets/graphiql.min.js").await;
    assert_eq!(js.status(), StatusCode::OK);
}

#[tokio::test]
async fn metrics_count_requests_by_route_pattern() {
    let (app, token) = TestApp::spawn_as("admin").await;
    app.get("/api/v1/children/00000000-0000-7000-8000-000000000000", &token)
        .await;
    let text = app.text_anon("/metrics").await;
    assert!(text.contains("route=\"/api/v1/children/{id}\""), "{text}");
    assert!(text.contains("shouhu_db_queries_total"));
}

#[tokio::test]
async fn control_characters_in_any_input_are_refused_never_a_500() {
    let (app, token) = TestApp::spawn_as("village").await;
    let res = app.get("/api/v1/children?q=%E7%8E%8B%00", &token).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let res = app.login_attempt("vil\u{0}lage", "x").await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let mut body = crate::helpers::child_body("王\u{0}明", 1);
    body["school_name"] = serde_json::json!("小学\u{0}");
    let res = app.post("/api/v1/children", &token, &body).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let res = app.get("/api/v1/regions/5226311012%00", &token).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let res = app
        .gql(
            &token,
            "{ children(filter: {q: \"a\\u0000\"}) { edges { cursor } } }",
            serde_json::json!({}),
        )
        .await;
    assert_eq!(res["errors"][0]["extensions"]["code"], "VALIDATION", "{res}");
}

#[tokio::test]
async fn docs_without_the_slash_redirects_to_the_docs() {
    let app = TestApp::spawn().await;
    let plain = crate::helpers::no_redirects();
    let res = plain.get(app.url("/docs")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::PERMANENT_REDIRECT);
    assert_eq!(res.headers()["location"], "/docs/");
    let followed = app.get_anon("/docs").await;
    assert_eq!(followed.status(), StatusCode::OK);
    assert!(followed.text().await.unwrap().contains("swagger"));
}

#[tokio::test]
async fn graphiql_opens_on_an_example_that_runs_and_a_way_to_log_in() {
    let app = TestApp::spawn().await;
    shouhu_api::demo::load_register(&app.db).await.unwrap();
    let html = app.text_anon("/graphql").await;
    assert!(
        html.contains("/api/v1/auth/login") && html.contains("type=\"password\""),
        "a login form"
    );
    let start = html.find("const EXAMPLE = `").expect("an example query") + "const EXAMPLE = `".len();
    let example = &html[start..start + html[start..].find('`').unwrap()];
    let token = app.token("admin").await;
    let res = app.gql(&token, example, serde_json::json!({})).await;
    assert_eq!(res["errors"], serde_json::Value::Null, "{res}");
    assert_eq!(len_of(&res["data"]["children"]["nodes"]), 5, "{res}");
}

#[tokio::test]
async fn health_metrics_and_documents_never_use_up_a_callers_budget() {
    let app = TestApp::spawn_with(|s| s.serve.rate_limit_per_minute = 2).await;
    let token = app.token("village").await;
    for path in SERVICE_PATHS.into_iter().chain([
        "/graphql/assets/graphiql.min.css",
        "/.well-known/jwks.json",
        "/.well-known/oauth-authorization-server",
    ]) {
        for _ in 0..3 {
            let res = app.get(path, &token).await;
            assert_eq!(res.status(), StatusCode::OK, "{path}");
        }
    }
    for _ in 0..2 {
        assert_eq!(app.get("/api/v1/children", &token).await.status(), StatusCode::OK);
    }
    assert_eq!(
        app.get("/api/v1/children", &token).await.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "the budget itself still holds"
    );
}

#[tokio::test]
async fn metrics_show_the_pool_query_latency_build_process_in_flight_graphql_operations_and_logins() {
    let (app, token) = TestApp::spawn_as("township").await;
    let refused = app.login_attempt("township", "not the password").await;
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    let res = app
        .gql(
            &token,
            "query Places { careCenters { edges { node { id } } } }",
            json!({}),
        )
        .await;
    assert!(res["errors"].is_null(), "{res}");
    let res = app
        .gql(&token, "query Broken { careCenters { nope } }", json!({}))
        .await;
    assert_eq!(
        res["errors"][0]["extensions"]["code"], "GRAPHQL_VALIDATION_FAILED",
        "{res}"
    );

    let text = app.text_anon("/metrics").await;
    let value = |series: &str| -> f64 {
        text.lines()
            .find_map(|l| l.strip_prefix(series).and_then(|rest| rest.trim().parse::<f64>().ok()))
            .unwrap_or_else(|| panic!("no {series} in /metrics:\n{text}"))
    };
    assert_eq!(value("shouhu_db_pool_connections{state=\"max\"}"), 5.0);
    assert!(value("shouhu_db_pool_connections{state=\"size\"}") >= 1.0);
    assert!(value("shouhu_db_pool_connections{state=\"idle\"}") >= 0.0);
    assert!(value("shouhu_db_pool_connections{state=\"in_use\"}") >= 0.0);
    assert!(value("shouhu_db_query_duration_seconds_count") > 0.0);
    // Every acquire of a pooled connection is timed (the tests' subscriber has the layer, as the binary's does).
    assert!(value("shouhu_db_pool_acquire_seconds_count") > 0.0);
    assert_eq!(
        value(&format!(
            "shouhu_build_info{{version=\"{}\"}}",
            env!("CARGO_PKG_VERSION")
        )),
        1.0
    );
    // The scrape itself is in flight.
    assert!(value("shouhu_http_requests_in_flight") >= 1.0);
    assert!(value("process_resident_memory_bytes") > 0.0);
    assert!(value("process_cpu_seconds_total") >= 0.0);
    assert_eq!(
        value("shouhu_graphql_operations_total{code=\"ok\",operation=\"Places\"}"),
        1.0
    );
    assert_eq!(
        value("shouhu_graphql_operations_total{code=\"GRAPHQL_VALIDATION_FAILED\",operation=\"Broken\"}"),
        1.0
    );
    assert!(value("shouhu_logins_total{outcome=\"ok\"}") >= 1.0);
    assert_eq!(value("shouhu_logins_total{outcome=\"refused\"}"), 1.0);
}
