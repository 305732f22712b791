use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_conflict, assert_fields, assert_only_field, child_body, day};

async fn guardian(app: &TestApp, token: &str, name: &str, region: &str) -> String {
    app.create_id("/api/v1/guardians", token, json!({"name": name, "region_code": region}))
        .await
}

#[tokio::test]
async fn a_guardian_is_linked_changed_and_ended_with_the_history_kept() {
    let (app, village) = TestApp::spawn_as("village").await;
    let child = app.create("/api/v1/children", &village, child_body("王小明", 1)).await;
    let child_id = child["id"].as_str().unwrap();
    let grandma = guardian(&app, &village, "李秀英", "522631101201").await;
    let father = guardian(&app, &village, "王建国", "522631101201").await;
    let links = format!("/api/v1/children/{child_id}/guardianships");

    let res = app
        .post(
            &links,
            &village,
            &json!({"guardian_id": grandma, "relationship": "grandmother", "is_primary_caregiver": true,
            "lives_with_child": true, "agreement_signed_on": day(-270)}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    let link: Value = res.json().await.unwrap();
    assert_eq!(
        location,
        format!("/api/v1/guardianships/{}", link["id"].as_str().unwrap())
    );
    assert_eq!(link["child_id"], child_id);
    assert_eq!(link["ended_on"], Value::Null);

    // One active primary caregiver per child; one active link per guardian.
    let res = app
        .post(
            &links,
            &village,
            &json!({"guardian_id": father, "relationship": "father", "is_primary_caregiver": true}),
        )
        .await;
    assert_conflict(res, "is_primary_caregiver", "one active primary caregiver per child").await;
    let res = app
        .post(
            &links,
            &village,
            &json!({"guardian_id": grandma, "relationship": "grandmother"}),
        )
        .await;
    assert_conflict(res, "guardian_id", "one active link per guardian").await;
    let father_link = app
        .create(
            &links,
            &village,
            json!({"guardian_id": father, "relationship": "father"}),
        )
        .await;

    // GraphQL sees both, with the guardians.
    let res = app.gql(&village, "query($id: ID!) { child(id: $id) { guardianships { relationship isPrimaryCaregiver guardian { name } } } }", json!({"id": child_id})).await;
    let seen = res["data"]["child"]["guardianships"].as_array().unwrap();
    assert_eq!(seen.len(), 2, "{res}");
    assert_eq!(seen[0]["guardian"]["name"], "李秀英");

    // Changes: If-Match, no guardian swap, no signing in the future.
    let path = location.clone();
    assert_eq!(
        app.request(Method::PATCH, &path, &village)
            .json(&json!({"lives_with_child": false}))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::PRECONDITION_REQUIRED
    );
    let res = app
        .patch(
            &path,
            &village,
            1,
            &json!({"guardian_id": father, "agreement_signed_on": "2999-01-01"}),
        )
        .await;
    assert_fields(
        &res.json().await.unwrap(),
        &[("guardian_id", "read_only"), ("agreement_signed_on", "in_future")],
    );
    let res = app.patch(&path, &village, 1, &json!({"lives_with_child": false})).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["etag"], "\"2\"");

    // Ending keeps the link in the history, drops it from the child's active guardians, frees the primary role.
    assert_eq!(app.delete(&path, &village, 2).await.status(), StatusCode::NO_CONTENT);
    let history: Value = app.get_json(&links, &village).await;
    let items = history["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert!(items[0]["ended_on"].is_string());
    let res = app.patch(&path, &village, 3, &json!({"lives_with_child": true})).await;
    assert_eq!(
        res.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "an ended link is history"
    );
    let father_path = format!("/api/v1/guardianships/{}", father_link["id"].as_str().unwrap());
    app.patch_ok(&father_path, &village, 1, &json!({"is_primary_caregiver": true}))
        .await;
    let res = app
        .gql(
            &village,
            "query($id: ID!) { child(id: $id) { guardianships { relationship } } }",
            json!({"id": child_id}),
        )
        .await;
    assert_eq!(
        res["data"]["child"]["guardianships"],
        json!([{"relationship": "FATHER"}])
    );

    let auditor = app.token("auditor").await;
    let trail: Value = app
        .get_json(
            &format!("/api/v1/audit-events?child_id={}", link["id"].as_str().unwrap()),
            &auditor,
        )
        .await;
    let actions: Vec<(&str, &str)> = trail["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["resource_kind"].as_str().unwrap(), e["action"].as_str().unwrap()))
        .collect();
    assert_eq!(
        actions,
        [
            ("guardianship", "created"),
            ("guardianship", "updated"),
            ("guardianship", "archived")
        ]
    );
}

#[tokio::test]
async fn only_visible_active_guardians_are_linked_by_those_who_may_change_the_child() {
    let (app, village) = TestApp::spawn_as("village").await;
    let admin = app.token("admin").await;
    let child = app.create("/api/v1/children", &village, child_body("赵六", 2)).await;
    let links = format!("/api/v1/children/{}/guardianships", child["id"].as_str().unwrap());
    let elsewhere = guardian(&app, &admin, "外乡人", "522631102201").await;
    let archived = guardian(&app, &village, "已归档", "522631101201").await;
    assert_eq!(
        app.delete(&format!("/api/v1/guardians/{archived}"), &village, 1)
            .await
            .status(),
        StatusCode::NO_CONTENT
    );
    for (id, code) in [
        (elsewhere.clone(), "unknown_guardian"),
        (archived, "archived"),
        (uuid::Uuid::now_v7().to_string(), "unknown_guardian"),
        ("x".to_owned(), "invalid_id"),
    ] {
        let res = app
            .post(&links, &village, &json!({"guardian_id": id, "relationship": "other"}))
            .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{code}");
        assert_only_field(&res.json().await.unwrap(), "guardian_id", code);
    }
    let mine = guardian(&app, &village, "李四", "522631101201").await;
    for user in ["education", "partner", "auditor"] {
        let token = app.token(user).await;
        let res = app
            .post(&links, &token, &json!({"guardian_id": mine, "relationship": "other"}))
            .await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{user}");
    }
    let link = app
        .create(&links, &village, json!({"guardian_id": mine, "relationship": "other"}))
        .await;
    let path = format!("/api/v1/guardianships/{}", link["id"].as_str().unwrap());
    let other = app.token("other_township").await;
    assert_eq!(app.get(&links, &other).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        app.post(&links, &other, &json!({"guardian_id": mine, "relationship": "other"}))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(app.get(&path, &other).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        app.patch(&path, &other, 1, &json!({"lives_with_child": true}))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(app.delete(&path, &other, 1).await.status(), StatusCode::NOT_FOUND);
    let res = app
        .gql(
            &other,
            &format!("{{ guardianship(id: \"{}\") {{ id }} }}", link["id"].as_str().unwrap()),
            json!({}),
        )
        .await;
    assert_eq!(res["errors"][0]["extensions"]["code"], "NOT_FOUND");
    let volunteer = app.token("volunteer").await;
    assert_eq!(app.get(&path, &volunteer).await.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn graphql_links_changes_and_ends_guardianships_idempotently() {
    let (app, township) = TestApp::spawn_as("township").await;
    let child = app.create("/api/v1/children", &township, child_body("孙七", 3)).await;
    let mother = guardian(&app, &township, "周桂兰", "522631101201").await;
    let create = "mutation($c: ID!, $g: ID!) { createGuardianship(childId: $c, input: {guardianId: $g, relationship: MOTHER, isPrimaryCaregiver: true}, idempotencyKey: \"link-1\") { id version relationship } }";
    let vars = json!({"c": child["id"], "g": mother});
    let a = app.gql(&township, create, vars.clone()).await;
    let b = app.gql(&township, create, vars).await;
    assert_eq!(
        a["data"]["createGuardianship"]["id"], b["data"]["createGuardianship"]["id"],
        "{a} {b}"
    );
    let id = a["data"]["createGuardianship"]["id"].clone();
    let res = app.gql(&township, "mutation($id: ID!) { updateGuardianship(id: $id, expectedVersion: 1, input: {agreementSignedOn: \"2026-05-01\"}) { version agreementSignedOn } }", json!({"id": id})).await;
    assert_eq!(
        res["data"]["updateGuardianship"]["agreementSignedOn"], "2026-05-01",
        "{res}"
    );
    let res = app
        .gql(
            &township,
            "mutation($id: ID!) { endGuardianship(id: $id, expectedVersion: 1) { endedOn } }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(res["errors"][0]["extensions"]["code"], "VERSION_MISMATCH");
    let res = app
        .gql(
            &township,
            "mutation($id: ID!) { endGuardianship(id: $id, expectedVersion: 2) { endedOn } }",
            json!({"id": id}),
        )
        .await;
    assert!(res["data"]["endGuardianship"]["endedOn"].is_string(), "{res}");
}
