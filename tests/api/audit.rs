use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, child_body, len_of, strs};

#[tokio::test]
async fn every_write_is_in_the_audit_trail_with_its_changes() {
    let (app, village) = TestApp::spawn_as("village").await;
    let res = app
        .request(reqwest::Method::POST, "/api/v1/children", &village)
        .header("x-request-id", "req-create-1")
        .json(&child_body("王小明", 1))
        .send()
        .await
        .unwrap();
    let child: Value = res.json().await.unwrap();
    let id = child["id"].as_str().unwrap();
    let path = format!("/api/v1/children/{id}");
    app.patch(&path, &village, 1, &json!({"grade": "三年级"})).await;
    app.delete(&path, &village, 2).await;
    app.create("/api/v1/children", &village, child_body("李四", 2)).await;

    let auditor = app.token("auditor").await;
    let trail: Value = app
        .get_json(&format!("/api/v1/audit-events?child_id={id}"), &auditor)
        .await;
    let items = trail["items"].as_array().unwrap();
    let actions: Vec<&str> = items.iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["created", "updated", "archived"]);
    assert_eq!(items[0]["client_request_id"], "req-create-1");
    assert_eq!(items[0]["actor_role"], "village_officer");
    assert_eq!(items[0]["changes"]["name"]["after"], "王小明");
    assert_eq!(
        items[1]["changes"],
        json!({"grade": {"before": null, "after": "三年级"}})
    );
    assert_eq!(
        items[2]["changes"]["status"],
        json!({"before": "active", "after": "archived"})
    );
    assert_eq!(items[2]["version"], 3);

    let actor = items[0]["actor"].as_str().unwrap();
    let all: Value = app
        .get_json(&format!("/api/v1/audit-events?actor={actor}&limit=2"), &auditor)
        .await;
    assert_eq!(len_of(&all["items"]), 2);
    let next = all["next_cursor"].as_str().unwrap();
    let rest: Value = app
        .get_json(
            &format!("/api/v1/audit-events?actor={actor}&limit=2&cursor={next}"),
            &auditor,
        )
        .await;
    assert_eq!(len_of(&rest["items"]), 2);
    assert_eq!(rest["next_cursor"], Value::Null);
    let later: Value = app
        .get_json("/api/v1/audit-events?since=2999-01-01T00:00:00Z", &auditor)
        .await;
    assert_eq!(later["items"], json!([]));

    for bad in ["child_id=x", "since=soon", "cursor=zz", "colour=red"] {
        assert_eq!(
            app.get(&format!("/api/v1/audit-events?{bad}"), &auditor).await.status(),
            StatusCode::BAD_REQUEST,
            "{bad}"
        );
    }
    for user in ["village", "township", "coordinator", "partner"] {
        let token = app.token(user).await;
        assert_eq!(
            app.get("/api/v1/audit-events", &token).await.status(),
            StatusCode::FORBIDDEN,
            "{user}"
        );
    }
}

#[tokio::test]
async fn the_database_refuses_to_change_or_delete_the_trail() {
    use sea_orm::ConnectionTrait;
    let (app, village) = TestApp::spawn_as("village").await;
    app.create("/api/v1/children", &village, child_body("王小明", 1)).await;
    let conn = app.db.connection();
    assert!(
        conn.execute_unprepared("UPDATE events SET actor = 'someone else'")
            .await
            .is_err()
    );
    assert!(conn.execute_unprepared("DELETE FROM events").await.is_err());
    let auditor = app.token("auditor").await;
    let trail: Value = app.get_json("/api/v1/audit-events", &auditor).await;
    assert_eq!(len_of(&trail["items"]), 1);
    assert_ne!(trail["items"][0]["actor"], "someone else");
}

#[tokio::test]
async fn every_response_with_unmasked_child_data_is_in_the_access_log() {
    let (app, village) = TestApp::spawn_as("village").await;
    let mut body = child_body("王小明", 1);
    body["health_notes"] = json!("哮喘");
    let admin = app.token("admin").await;
    let child = app.create("/api/v1/children", &admin, body).await;
    let other = app.create("/api/v1/children", &admin, child_body("李四", 2)).await;
    let id = child["id"].as_str().unwrap();
    let auditor = app.token("auditor").await;
    let reads = |filter: String| {
        let app = &app;
        let auditor = auditor.clone();
        async move {
            let res = app.get(&format!("/api/v1/audit-events/reads{filter}"), &auditor).await;
            assert_eq!(res.status(), StatusCode::OK);
            res.json::<Value>().await.unwrap()["items"].as_array().unwrap().clone()
        }
    };
    // A create answers the record: one entry each.
    assert_eq!(
        reads(format!("?actor={}", log_actor(&app, "admin").await)).await.len(),
        2
    );
    assert_eq!(reads(format!("?child_id={id}")).await.len(), 1);

    app.request(reqwest::Method::GET, &format!("/api/v1/children/{id}"), &village)
        .header("x-request-id", "read-1")
        .send()
        .await
        .unwrap();
    let log = reads(format!("?child_id={id}")).await;
    assert_eq!(log.len(), 2);
    assert_eq!(
        log[1]["fields"],
        json!(["id_number"]),
        "a village officer does not see health notes"
    );
    assert_eq!(log[1]["channel"], "GET /api/v1/children/{id}");
    assert_eq!(log[1]["client_request_id"], "read-1");
    assert_eq!(log[1]["actor_role"], "village_officer");

    // Masked readers leave no trace; the health department reads health notes only.
    let partner = app.token("partner").await;
    app.get(&format!("/api/v1/children/{id}"), &partner).await;
    assert_eq!(reads(format!("?child_id={id}")).await.len(), 2);
    let health = app.token("health").await;
    app.get(&format!("/api/v1/children/{id}"), &health).await;
    let log = reads(format!("?child_id={id}")).await;
    assert_eq!(log[2]["fields"], json!(["health_notes"]));

    // A list is one entry naming every child it carried; GraphQL is logged too.
    let coordinator = app.token("coordinator").await;
    app.get("/api/v1/children", &coordinator).await;
    let log = reads(format!("?actor={}", log_actor(&app, "coordinator").await)).await;
    assert_eq!(log.len(), 1);
    let mut listed: Vec<&str> = strs(&log[0]["child_ids"]);
    listed.sort();
    let mut expected = vec![id, other["id"].as_str().unwrap()];
    expected.sort();
    assert_eq!(listed, expected);
    assert_eq!(log[0]["fields"], json!(["health_notes", "id_number"]));
    app.gql(&coordinator, "{ children { edges { node { name } } } }", json!({}))
        .await;
    let log = reads(format!("?actor={}", log_actor(&app, "coordinator").await)).await;
    assert_eq!(log.len(), 1, "names alone are no disclosure");
    app.gql(&coordinator, "{ children { edges { node { idNumber } } } }", json!({}))
        .await;
    let log = reads(format!("?actor={}", log_actor(&app, "coordinator").await)).await;
    assert_eq!(log[1]["channel"], "POST /graphql");
    assert_eq!(log[1]["fields"], json!(["id_number"]));

    assert_eq!(
        app.get("/api/v1/audit-events/reads", &village).await.status(),
        StatusCode::FORBIDDEN
    );
    use sea_orm::ConnectionTrait;
    assert!(
        app.db
            .connection()
            .execute_unprepared("DELETE FROM access_event_children")
            .await
            .is_err()
    );
    assert!(
        app.db
            .connection()
            .execute_unprepared("UPDATE access_events SET actor = 'x'")
            .await
            .is_err()
    );
}

/// The account id (token subject) of a user.
async fn log_actor(app: &TestApp, user: &str) -> String {
    let token = app.token(user).await;
    let claims = token.split('.').nth(1).unwrap();
    use base64::Engine;
    let claims: Value =
        serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(claims).unwrap()).unwrap();
    claims["sub"].as_str().unwrap().to_owned()
}
