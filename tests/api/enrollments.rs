use futures::future::join_all;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_conflict, assert_fields, day, enrollment, len_of};

async fn center(app: &TestApp, token: &str, capacity: Option<i64>) -> String {
    app.new_care_center(token, "关爱中心", "522631101000", capacity).await
}

async fn child(app: &TestApp, token: &str, seq: u16) -> String {
    app.new_child(token, seq).await
}

#[tokio::test]
async fn children_are_enrolled_within_capacity_and_in_several_places_at_once() {
    let (app, township) = TestApp::spawn_as("township").await;
    let small = center(&app, &township, Some(2)).await;
    let other = center(&app, &township, None).await;
    let path = format!("/api/v1/care-centers/{small}/enrollments");
    let kids = [
        child(&app, &township, 1).await,
        child(&app, &township, 2).await,
        child(&app, &township, 3).await,
    ];

    let res = app
        .post(&path, &township, &enrollment(&kids[0], "after_school", day(-90)))
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    let first: Value = res.json().await.unwrap();
    assert_eq!(
        location,
        format!("/api/v1/enrollments/{}", first["id"].as_str().unwrap())
    );
    app.create(&path, &township, enrollment(&kids[1], "day", day(-90)))
        .await;
    let res = app.post(&path, &township, &enrollment(&kids[2], "day", day(-90))).await;
    assert_conflict(res, "care_center_id", "two places, both taken").await;
    // A child may be in several places at once.
    app.enroll(&township, &other, &kids[0], "boarding", day(-90)).await;
    // Ending one frees its place.
    assert_eq!(
        app.delete(&location, &township, 1).await.status(),
        StatusCode::NO_CONTENT
    );
    let ended: Value = app.get_json(&location, &township).await;
    assert!(ended["until"].is_string());
    app.create(&path, &township, enrollment(&kids[2], "day", day(30))).await;
    let list: Value = app.get_json(&path, &township).await;
    assert_eq!(len_of(&list["items"]), 3, "the history stays");

    // GraphQL: active enrolments from both sides.
    let res = app
        .gql(
            &township,
            "query($id: ID!) { child(id: $id) { enrollments { kind careCenter { name } } } }",
            json!({"id": kids[0]}),
        )
        .await;
    assert_eq!(
        res["data"]["child"]["enrollments"],
        json!([{"kind": "BOARDING", "careCenter": {"name": "关爱中心"}}]),
        "{res}"
    );
    let res = app
        .gql(
            &township,
            "query($id: ID!) { careCenter(id: $id) { enrollments { child { name } } } }",
            json!({"id": small}),
        )
        .await;
    assert_eq!(
        res["data"]["careCenter"]["enrollments"],
        json!([{"child": {"name": "童2"}}]),
        "{res}"
    );
}

#[tokio::test]
async fn concurrent_enrolments_never_exceed_capacity() {
    let app = TestApp::spawn_with(|s| s.serve.rate_limit_per_minute = 0).await;
    let township = app.token("township").await;
    let place = center(&app, &township, Some(3)).await;
    let mut kids = Vec::new();
    for i in 0..8 {
        kids.push(child(&app, &township, 10 + i).await);
    }
    let path = format!("/api/v1/care-centers/{place}/enrollments");
    let bodies: Vec<Value> = kids.iter().map(|k| enrollment(k, "day", day(-90))).collect();
    let requests = bodies.iter().map(|b| app.post(&path, &township, b));
    let statuses: Vec<StatusCode> = join_all(requests).await.into_iter().map(|r| r.status()).collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == StatusCode::CREATED).count(),
        3,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == StatusCode::CONFLICT).count(),
        5,
        "{statuses:?}"
    );
}

#[tokio::test]
async fn enrolments_are_validated_bounded_and_seen_only_with_their_child() {
    let (app, township) = TestApp::spawn_as("township").await;
    let admin = app.token("admin").await;
    let place = center(&app, &township, None).await;
    let path = format!("/api/v1/care-centers/{place}/enrollments");
    let kid = child(&app, &township, 20).await;
    let res = app
        .post(
            &path,
            &township,
            &json!({"child_id": uuid::Uuid::now_v7(), "kind": "hourly", "since": day(-90), "until": day(-120)}),
        )
        .await;
    assert_fields(
        &res.json().await.unwrap(),
        &[
            ("child_id", "unknown_child"),
            ("kind", "invalid_value"),
            ("until", "before_since"),
        ],
    );
    let e = app
        .create(
            &path,
            &township,
            json!({"child_id": kid, "kind": "day", "since": day(-90), "until": day(200)}),
        )
        .await;
    let item = format!("/api/v1/enrollments/{}", e["id"].as_str().unwrap());
    let res = app.patch(&item, &township, 1, &json!({"until": day(390)})).await;
    assert_eq!(
        res.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "no widening past capacity checks"
    );
    app.patch_ok(&item, &township, 1, &json!({"until": day(60), "kind": "after_school"}))
        .await;
    for (i, user) in ["education", "partner", "volunteer"].into_iter().enumerate() {
        let token = app.token(user).await;
        let other = child(&app, &admin, 30 + i as u16).await;
        let res = app.post(&path, &token, &enrollment(&other, "day", day(-90))).await;
        assert!(
            matches!(res.status(), StatusCode::FORBIDDEN | StatusCode::NOT_FOUND),
            "{user}: {}",
            res.status()
        );
    }
    let other = app.token("other_township").await;
    assert_eq!(app.get(&path, &other).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(app.get(&item, &other).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        app.patch(&item, &other, 2, &json!({"kind": "day"})).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(app.delete(&item, &other, 2).await.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn pages_with_their_enrolments_cost_a_constant_number_of_queries() {
    let app = TestApp::spawn_with(|s| s.serve.rate_limit_per_minute = 0).await;
    let township = app.token("township").await;
    let place = center(&app, &township, None).await;
    let mut kids = Vec::new();
    for i in 0..30 {
        let kid = child(&app, &township, 100 + i).await;
        app.enroll(&township, &place, &kid, "day", day(-330)).await;
        kids.push(kid);
    }
    let coordinator = app.token("coordinator").await;
    let query = |n: usize| {
        format!(
            "{{ children(first: {n}) {{ edges {{ node {{ name enrollments {{ kind careCenter {{ name }} }} }} }} }} }}"
        )
    };
    let costs = app
        .page_costs(&coordinator, "children", &[3, 30], query, |res, edges| {
            assert!(
                edges
                    .iter()
                    .all(|e| e["node"]["enrollments"][0]["careCenter"]["name"] == "关爱中心"),
                "{res}"
            );
        })
        .await;
    assert_eq!(costs[0], costs[1], "children with their enrolments: {costs:?}");
    let (res, cost) = app
        .gql_cost(
            &coordinator,
            "{ careCenters { edges { node { enrollments { child { name } } } } } }",
        )
        .await;
    assert_eq!(
        len_of(&res["data"]["careCenters"]["edges"][0]["node"]["enrollments"]),
        30,
        "{res}"
    );
    assert!(cost <= 10, "a place with 30 children: {cost} queries");
}
