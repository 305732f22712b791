use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, child_body};

#[tokio::test]
async fn a_township_officer_cannot_reach_a_child_of_another_township() {
    let (app, mine) = TestApp::spawn_as("township").await;
    let other = app.token("other_township").await;
    let (child, path) = app.register_child(&mine, child_body("王小明", 1)).await;
    let id = child["id"].as_str().unwrap();
    let missing = format!("/api/v1/children/{}", uuid::Uuid::now_v7());

    let absent = app.get(&missing, &other).await;
    let outside = app.get(&path, &other).await;
    assert_eq!(outside.status(), StatusCode::NOT_FOUND);
    let (absent, outside): (Value, Value) = (absent.json().await.unwrap(), outside.json().await.unwrap());
    assert_eq!(absent, outside, "outside the jurisdiction looks exactly like absent");

    assert_eq!(
        app.patch(&path, &other, 1, &json!({"grade": "一年级"})).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(app.delete(&path, &other, 1).await.status(), StatusCode::NOT_FOUND);
    for list in [
        "/api/v1/children",
        "/api/v1/children?region=522631101000",
        "/api/v1/children?region=522631101201",
        "/api/v1/children?q=%E7%8E%8B",
    ] {
        let page: Value = app.get_json(list, &other).await;
        assert_eq!(page["items"], json!([]), "{list}");
    }
    let gql = app
        .gql(&other, "query($id: ID!) { child(id: $id) { name } }", json!({"id": id}))
        .await;
    assert_eq!(gql["data"]["child"], Value::Null);
    assert_eq!(gql["errors"][0]["extensions"]["code"], "NOT_FOUND");
    let gql = app
        .gql(
            &other,
            "{ children(filter: {region: \"522631101201\"}) { edges { node { id } } } }",
            json!({}),
        )
        .await;
    assert_eq!(gql["data"]["children"]["edges"], json!([]));

    // Nothing changed, and the owner still sees it.
    let still: Value = app.get_json(&path, &mine).await;
    assert_eq!(still["version"], 1);
}

#[tokio::test]
async fn a_record_cannot_be_registered_or_moved_outside_the_callers_jurisdiction() {
    let (app, village) = TestApp::spawn_as("village").await;
    let mut body = child_body("李四", 2);
    body["region_code"] = json!("522631102201");
    let res = app.post("/api/v1/children", &village, &body).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let (_, path) = app.register_child(&village, child_body("李四", 2)).await;
    let res = app
        .patch(&path, &village, 1, &json!({"region_code": "522631102201"}))
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        app.get(&path, &village).await.json::<Value>().await.unwrap()["region_code"],
        "522631101201"
    );
}

#[tokio::test]
async fn identifiers_are_masked_and_health_notes_hidden_by_role() {
    let (app, admin) = TestApp::spawn_as("admin").await;
    let mut body = child_body("王小明", 3);
    body["health_notes"] = json!("哮喘");
    let child = app.create("/api/v1/children", &admin, body).await;
    let full = child["id_number"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/children/{}", child["id"].as_str().unwrap());
    for (user, masked, health) in [
        ("village", false, false),
        ("coordinator", false, true),
        ("civil_affairs", false, true),
        ("health", true, true),
        ("education", true, false),
        ("partner", true, false),
        ("auditor", true, false),
        ("center", true, false),
    ] {
        let token = app.token(user).await;
        let seen: Value = app.get_json(&path, &token).await;
        let id_number = seen["id_number"].as_str().unwrap();
        if masked {
            assert_eq!(id_number, format!("{}********{}", &full[..6], &full[14..]), "{user}");
        } else {
            assert_eq!(id_number, full, "{user}");
        }
        assert_eq!(seen["health_notes"] == json!("哮喘"), health, "{user}");
        let gql = app
            .gql(
                &token,
                "query($id: ID!) { child(id: $id) { idNumber healthNotes } }",
                json!({"id": child["id"]}),
            )
            .await;
        assert_eq!(gql["data"]["child"]["idNumber"], seen["id_number"], "{user} graphql");
        assert_eq!(
            gql["data"]["child"]["healthNotes"], seen["health_notes"],
            "{user} graphql"
        );
    }
}

#[tokio::test]
async fn a_department_writes_only_its_own_fields() {
    let (app, village) = TestApp::spawn_as("village").await;
    let (_, path) = app.register_child(&village, child_body("赵六", 4)).await;
    let education = app.token("education").await;
    let res = app
        .patch(
            &path,
            &education,
            1,
            &json!({"school_status": "dropped_out", "name": "别名"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        app.get(&path, &village).await.json::<Value>().await.unwrap()["version"],
        1
    );
    app.patch_ok(&path, &education, 1, &json!({"school_status": "dropped_out"}))
        .await;
    let health = app.token("health").await;
    assert_eq!(
        app.patch(&path, &health, 2, &json!({"grade": "二年级"})).await.status(),
        StatusCode::FORBIDDEN
    );
    app.patch_ok(&path, &health, 2, &json!({"health_notes": "视力下降"}))
        .await;
    let civil = app.token("civil_affairs").await;
    app.patch_ok(&path, &civil, 3, &json!({"minimum_living_allowance": true}))
        .await;
    for (user, status) in [
        ("auditor", StatusCode::FORBIDDEN),
        ("partner", StatusCode::FORBIDDEN),
        ("education", StatusCode::FORBIDDEN),
    ] {
        let token = app.token(user).await;
        assert_eq!(
            app.post("/api/v1/children", &token, &child_body("某", 5))
                .await
                .status(),
            status,
            "{user} create"
        );
        assert_eq!(app.delete(&path, &token, 4).await.status(), status, "{user} archive");
    }
}

#[tokio::test]
async fn a_volunteer_sees_no_child_and_no_guardian() {
    let (app, township) = TestApp::spawn_as("township").await;
    let child = app.create("/api/v1/children", &township, child_body("孙七", 6)).await;
    let volunteer = app.token("volunteer").await;
    let page: Value = app.get_json("/api/v1/children", &volunteer).await;
    assert_eq!(page["items"], json!([]));
    let res = app
        .get(
            &format!("/api/v1/children/{}", child["id"].as_str().unwrap()),
            &volunteer,
        )
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let page: Value = app.get_json("/api/v1/guardians", &volunteer).await;
    assert_eq!(page["items"], json!([]));
}
