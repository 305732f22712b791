//! Browsers and bandwidth: CORS for the configured origins, compressed
//! answers, 304 Not Modified for a record the client already holds, and HEAD
//! wherever GET works.

use std::io::Read;

use reqwest::header::HeaderMap;
use reqwest::{Method, Response, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{SERVICE_PATHS, TestApp, child_body, day, len_of, problem};

const ORIGIN: &str = "https://app.example.org";

/// A server whose CORS origins are `ORIGIN` and another.
async fn spawn_with_origins() -> TestApp {
    TestApp::spawn_with(|s| {
        s.serve.cors_origins = vec![ORIGIN.parse().unwrap(), "http://localhost:3000".parse().unwrap()];
    })
    .await
}

/// A server that serves pages of `ORIGIN` and grants each caller `per_minute` requests.
async fn spawn_for_origin(per_minute: u32) -> TestApp {
    TestApp::spawn_with(|s| {
        s.serve.cors_origins = vec![ORIGIN.parse().unwrap()];
        s.serve.rate_limit_per_minute = per_minute;
    })
    .await
}

/// A GET of `path` from a page of `ORIGIN`, with a token or without one.
async fn get_from_page(app: &TestApp, path: &str, token: Option<&str>) -> Response {
    let req = match token {
        Some(t) => app.request(Method::GET, path, t),
        None => app.anon(Method::GET, path),
    };
    req.header("origin", ORIGIN).send().await.unwrap()
}

/// A preflight for `method` on `path` from `origin`, asking to send `headers`.
async fn preflight(app: &TestApp, path: &str, origin: &str, method: &str, headers: &str) -> Response {
    app.client
        .request(Method::OPTIONS, app.url(path))
        .header("origin", origin)
        .header("access-control-request-method", method)
        .header("access-control-request-headers", headers)
        .send()
        .await
        .unwrap()
}

/// The comma-separated values of `name`, lowercased.
fn listed(headers: &HeaderMap, name: &str) -> Vec<String> {
    headers
        .get(name)
        .map(|v| {
            v.to_str()
                .unwrap()
                .split(',')
                .map(|s| s.trim().to_ascii_lowercase())
                .collect()
        })
        .unwrap_or_default()
}

fn has_no_cors_header(headers: &HeaderMap) -> bool {
    headers.keys().all(|k| !k.as_str().starts_with("access-control-"))
}

/// Asserts that a response to `ORIGIN` lets the page read it and its headers.
fn readable_by_the_page(res: &Response) {
    let headers = res.headers();
    assert_eq!(headers["access-control-allow-origin"], ORIGIN, "{}", res.status());
    let exposed = listed(headers, "access-control-expose-headers");
    for name in [
        "etag",
        "location",
        "ratelimit-limit",
        "ratelimit-remaining",
        "ratelimit-reset",
        "retry-after",
        "x-request-id",
        "x-client-request-id",
        "idempotent-replayed",
    ] {
        assert!(exposed.contains(&name.to_owned()), "{name} not in {exposed:?}");
    }
}

#[tokio::test]
async fn a_preflight_from_an_allowed_origin_answers_204_with_the_methods_and_headers_on_rest_and_graphql() {
    let app = spawn_for_origin(3).await;
    let asked = "authorization, content-type, if-match, if-none-match, idempotency-key, x-request-id";
    for (path, method) in [
        ("/api/v1/children", "POST"),
        ("/api/v1/children/019ac4f2-7b1e-7cc0-9a51-3f0e6d1b2c4d", "PATCH"),
        ("/graphql", "POST"),
    ] {
        let res = preflight(&app, path, ORIGIN, method, asked).await;
        assert_eq!(res.status(), StatusCode::NO_CONTENT, "{path}");
        let headers = res.headers();
        assert_eq!(headers["access-control-allow-origin"], ORIGIN, "{path}");
        let methods = listed(headers, "access-control-allow-methods");
        for m in ["get", "head", "post", "patch", "delete"] {
            assert!(methods.contains(&m.to_owned()), "{path}: {m} not in {methods:?}");
        }
        let allowed = listed(headers, "access-control-allow-headers");
        for h in asked.split(", ") {
            assert!(allowed.contains(&h.to_owned()), "{path}: {h} not in {allowed:?}");
        }
        assert!(headers.contains_key("access-control-max-age"), "{path}");
        assert!(res.bytes().await.unwrap().is_empty(), "{path}");
    }
    // Preflights need no token and count against no limit: the first real
    // request still has all but one of its three.
    let token = app.token("village").await;
    let res = app.get("/api/v1/children", &token).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["ratelimit-remaining"], "2");
}

#[tokio::test]
async fn a_preflight_from_an_origin_not_allowed_gets_no_cors_headers() {
    let app = spawn_with_origins().await;
    let res = preflight(
        &app,
        "/api/v1/children",
        "https://evil.example.com",
        "POST",
        "authorization",
    )
    .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(has_no_cors_header(res.headers()));
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["type"], "urn:shouhu:problem:cors-origin-not-allowed");

    // An allowed origin asking for a header that is not allowed is refused too, as a problem.
    problem(
        preflight(&app, "/api/v1/children", ORIGIN, "POST", "x-secret").await,
        StatusCode::BAD_REQUEST,
    )
    .await;

    // A real request from another origin is served, without any CORS header.
    let token = app.token("village").await;
    let res = app
        .request(Method::GET, "/api/v1/children", &token)
        .header("origin", "https://evil.example.com")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(!res.headers().contains_key("access-control-allow-origin"));
}

#[tokio::test]
async fn by_default_no_cors_header_is_sent_at_all() {
    let app = TestApp::spawn().await;
    let res = preflight(&app, "/api/v1/children", ORIGIN, "POST", "authorization").await;
    assert_eq!(res.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert!(has_no_cors_header(res.headers()));
    let token = app.token("village").await;
    let res = get_from_page(&app, "/api/v1/children", Some(&token)).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(has_no_cors_header(res.headers()));
}

#[tokio::test]
async fn a_page_from_an_allowed_origin_reads_the_answers_their_headers_and_the_errors() {
    let app = spawn_for_origin(4).await;
    let token = app.token("village").await;
    let res = app
        .request(Method::POST, "/api/v1/children", &token)
        .header("origin", ORIGIN)
        .json(&child_body("王小明", 1))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    readable_by_the_page(&res);
    let location = res.headers()["location"].to_str().unwrap().to_owned();

    let res = app
        .request(Method::GET, &location, &token)
        .header("origin", ORIGIN)
        .header("x-request-id", "page-1")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    readable_by_the_page(&res);
    assert_eq!(res.headers()["x-client-request-id"], "page-1");

    // 404 and 401 (and a 429) are problems the page can read too.
    let res = get_from_page(
        &app,
        "/api/v1/children/019ac4f2-7b1e-7cc0-9a51-3f0e6d1b2c4d",
        Some(&token),
    )
    .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    readable_by_the_page(&res);
    let res = get_from_page(&app, "/api/v1/children", None).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    readable_by_the_page(&res);
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    let mut last = StatusCode::OK;
    for _ in 0..3 {
        let res = get_from_page(&app, "/api/v1/children", Some(&token)).await;
        last = res.status();
        if last == StatusCode::TOO_MANY_REQUESTS {
            readable_by_the_page(&res);
            assert!(res.headers().contains_key("retry-after"));
            break;
        }
    }
    assert_eq!(last, StatusCode::TOO_MANY_REQUESTS);

    // GraphQL answers carry them as well.
    let res = app
        .request(Method::POST, "/graphql", &token)
        .header("origin", ORIGIN)
        .json(&json!({"query": "{ __typename }"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["access-control-allow-origin"], ORIGIN);
}

/// GETs `path` asking for `encoding`; returns the `Content-Encoding` and the raw bytes.
async fn fetch_encoded(app: &TestApp, path: &str, token: &str, encoding: &str) -> (Option<String>, Vec<u8>) {
    let res = app
        .request(Method::GET, path, token)
        .header("accept-encoding", encoding)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let used = res
        .headers()
        .get("content-encoding")
        .map(|v| v.to_str().unwrap().to_owned());
    (used, res.bytes().await.unwrap().to_vec())
}

#[tokio::test]
async fn answers_are_compressed_with_gzip_or_brotli_when_asked_and_decode_to_the_same_json() {
    let (app, village) = TestApp::spawn_as("village").await;
    for seq in 1..=30 {
        app.create("/api/v1/children", &village, child_body("王小明", seq))
            .await;
    }
    let path = "/api/v1/children?limit=500";
    let (used, raw) = fetch_encoded(&app, path, &village, "identity").await;
    assert_eq!(used, None);
    let plain: Value = serde_json::from_slice(&raw).unwrap();
    assert_eq!(len_of(&plain["items"]), 30);

    let (used, gzipped) = fetch_encoded(&app, path, &village, "gzip").await;
    assert_eq!(used.as_deref(), Some("gzip"));
    assert!(gzipped.len() * 3 < raw.len(), "{} vs {}", gzipped.len(), raw.len());
    let mut unzipped = Vec::new();
    flate2::read::GzDecoder::new(gzipped.as_slice())
        .read_to_end(&mut unzipped)
        .unwrap();
    assert_eq!(serde_json::from_slice::<Value>(&unzipped).unwrap(), plain);

    let (used, brotlied) = fetch_encoded(&app, path, &village, "br").await;
    assert_eq!(used.as_deref(), Some("br"));
    assert!(brotlied.len() * 3 < raw.len(), "{} vs {}", brotlied.len(), raw.len());
    let mut unbrotlied = Vec::new();
    brotli::Decompressor::new(brotlied.as_slice(), 4096)
        .read_to_end(&mut unbrotlied)
        .unwrap();
    assert_eq!(serde_json::from_slice::<Value>(&unbrotlied).unwrap(), plain);

    // A client's preference is followed; GraphQL is compressed too.
    let (used, _) = fetch_encoded(&app, path, &village, "gzip;q=0.5, br").await;
    assert_eq!(used.as_deref(), Some("br"));
    let res = app
        .request(Method::POST, "/graphql", &village)
        .header("accept-encoding", "gzip")
        .json(&json!({"query": "{ children(first: 30) { nodes { id name } } }"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-encoding"], "gzip");
}

/// The paths of one record of each kind that has a single-record GET.
async fn records(app: &TestApp, token: &str) -> Vec<String> {
    let child = app.create("/api/v1/children", token, child_body("王小明", 1)).await;
    let child_id = child["id"].as_str().unwrap().to_owned();
    let guardian = app
        .create(
            "/api/v1/guardians",
            token,
            json!({"name": "李秀英", "region_code": "522631101201"}),
        )
        .await;
    let guardianship = app
        .create(
            &format!("/api/v1/children/{child_id}/guardianships"),
            token,
            json!({"guardian_id": guardian["id"], "relationship": "grandmother"}),
        )
        .await;
    let mut paths = vec![
        format!("/api/v1/children/{child_id}"),
        format!("/api/v1/guardians/{}", guardian["id"].as_str().unwrap()),
        format!("/api/v1/guardianships/{}", guardianship["id"].as_str().unwrap()),
    ];
    let township = app.token("township").await;
    let place = app.new_care_center(&township, "关爱中心", "522631101000", None).await;
    let enrollment = app.enroll(&township, &place, &child_id, "after_school", day(-30)).await;
    let volunteer_id = app.approved_volunteer(&township, None).await;
    let pairing = app
        .create(
            &format!("/api/v1/volunteers/{volunteer_id}/pairings"),
            &township,
            json!({"child_id": child_id, "kind": "mentor"}),
        )
        .await;
    let visit = app
        .create(
            &format!("/api/v1/children/{child_id}/visits"),
            token,
            json!({"kind": "follow_up", "mode": "home", "occurred_on": day(-1), "visitor": "村干部"}),
        )
        .await;
    let starts = chrono::Utc::now() + chrono::Duration::days(7);
    let session = app.new_guardian_training(&township, "家长监护培训", starts).await;
    let attendance = app
        .create(
            &format!(
                "/api/v1/training-sessions/{}/attendance",
                session["id"].as_str().unwrap()
            ),
            &township,
            json!({"attendee_kind": "guardian", "attendee_id": guardian["id"]}),
        )
        .await;
    paths.extend([
        format!("/api/v1/care-centers/{place}"),
        format!("/api/v1/enrollments/{}", enrollment["id"].as_str().unwrap()),
        format!("/api/v1/volunteers/{volunteer_id}"),
        format!("/api/v1/pairings/{}", pairing["id"].as_str().unwrap()),
        format!("/api/v1/visits/{}", visit["id"].as_str().unwrap()),
        format!("/api/v1/training-sessions/{}", session["id"].as_str().unwrap()),
        format!("/api/v1/attendance/{}", attendance["id"].as_str().unwrap()),
    ]);
    paths
}

async fn get_with(app: &TestApp, path: &str, token: &str, if_none_match: &str) -> Response {
    app.request(Method::GET, path, token)
        .header("if-none-match", if_none_match)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_get_with_the_current_etag_answers_304_without_a_body_on_every_single_record_route() {
    let (app, village) = TestApp::spawn_as("village").await;
    let admin = app.token("admin").await;
    for path in records(&app, &village).await {
        let res = app.get(&path, &admin).await;
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        let tag = res.headers()["etag"].to_str().unwrap().to_owned();
        let body: Value = res.json().await.unwrap();

        let res = get_with(&app, &path, &admin, &tag).await;
        assert_eq!(res.status(), StatusCode::NOT_MODIFIED, "{path}");
        assert_eq!(res.headers()["etag"], tag.as_str(), "{path}");
        assert!(res.bytes().await.unwrap().is_empty(), "{path}");
        // The weak form and a list that names it match too.
        let res = get_with(&app, &path, &admin, &format!("\"77\", W/{tag}")).await;
        assert_eq!(res.status(), StatusCode::NOT_MODIFIED, "{path}");

        // A stale or malformed ETag gets the whole record.
        for stale in ["\"999\"", "garbage", "W/"] {
            let res = get_with(&app, &path, &admin, stale).await;
            assert_eq!(res.status(), StatusCode::OK, "{path} {stale}");
            assert_eq!(res.json::<Value>().await.unwrap(), body, "{path} {stale}");
        }
    }
}

#[tokio::test]
async fn after_a_change_the_old_etag_gets_the_new_record() {
    let (app, village) = TestApp::spawn_as("village").await;
    let (_, path) = app.register_child(&village, child_body("王小明", 1)).await;
    assert_eq!(
        get_with(&app, &path, &village, "\"1\"").await.status(),
        StatusCode::NOT_MODIFIED
    );
    app.patch_ok(&path, &village, 1, &json!({"grade": "三年级"})).await;
    let res = get_with(&app, &path, &village, "\"1\"").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["etag"], "\"2\"");
    assert_eq!(res.json::<Value>().await.unwrap()["grade"], "三年级");
}

/// The read-log entries written for the client request id `id`.
async fn reads_of(app: &TestApp, admin: &str, id: &str) -> usize {
    let res = app.get("/api/v1/audit-events/reads?limit=500", admin).await;
    assert_eq!(res.status(), StatusCode::OK);
    let body: Value = res.json().await.unwrap();
    body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["client_request_id"] == id)
        .count()
}

#[tokio::test]
async fn a_304_or_a_head_leaves_no_read_log_entry_while_a_200_does() {
    let (app, village) = TestApp::spawn_as("village").await;
    let admin = app.token("admin").await;
    let (_, path) = app.register_child(&village, child_body("王小明", 1)).await;
    let send = |method: Method, id: &'static str, tag: Option<&'static str>| {
        let mut req = app.request(method, &path, &village).header("x-request-id", id);
        if let Some(tag) = tag {
            req = req.header("if-none-match", tag);
        }
        req.send()
    };
    // (method, request id, If-None-Match, status, read-log entries)
    let cases = [
        (Method::GET, "fresh-read", None, StatusCode::OK, 1),
        (Method::GET, "not-modified", Some("\"1\""), StatusCode::NOT_MODIFIED, 0),
        (Method::HEAD, "head-only", None, StatusCode::OK, 0),
        (Method::GET, "stale-tag", Some("\"7\""), StatusCode::OK, 1),
    ];
    for (method, id, tag, status, entries) in cases {
        let res = send(method, id, tag).await.unwrap();
        assert_eq!(res.status(), status, "{id}");
        assert_eq!(reads_of(&app, &admin, id).await, entries, "{id}");
    }
}

#[tokio::test]
async fn head_answers_like_get_without_a_body() {
    let (app, village) = TestApp::spawn_as("village").await;
    let child = app.create("/api/v1/children", &village, child_body("王小明", 1)).await;
    let record = format!("/api/v1/children/{}", child["id"].as_str().unwrap());
    let records = [
        record.as_str(),
        "/api/v1/children",
        "/api/v1/children/019ac4f2-7b1e-7cc0-9a51-3f0e6d1b2c4d",
    ];
    for path in records.into_iter().chain(SERVICE_PATHS) {
        let get = app.get(path, &village).await;
        let head = app.request(Method::HEAD, path, &village).send().await.unwrap();
        assert_eq!(head.status(), get.status(), "{path}");
        assert_ne!(head.status(), StatusCode::METHOD_NOT_ALLOWED, "{path}");
        for name in ["content-type", "etag", "cache-control"] {
            assert_eq!(head.headers().get(name), get.headers().get(name), "{path} {name}");
        }
        if path != "/metrics" {
            assert_eq!(
                head.headers().get("content-length"),
                get.headers().get("content-length"),
                "{path}"
            );
        }
        assert!(head.bytes().await.unwrap().is_empty(), "{path}");
        assert!(!get.bytes().await.unwrap().is_empty(), "{path}");
    }
    // A route without GET says HEAD is not there either; one with GET lists it.
    let res = app
        .request(Method::HEAD, "/api/v1/auth/login", &village)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(res.headers()["allow"], "POST");
    let res = app.request(Method::PUT, "/healthz", &village).send().await.unwrap();
    assert_eq!(res.headers()["allow"], "GET, HEAD");
}
