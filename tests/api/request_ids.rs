//! Request ids: the id in the audit trail is always the server's own; a sane
//! `X-Request-Id` a client sends is kept beside it (`client_request_id`) and
//! echoed as `X-Client-Request-Id`, never used instead of it.

use reqwest::{Method, Response, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{TestApp, child_body};

const CREATE: &str = "mutation($input: CreateChildInput!) { createChild(input: $input) { id idNumber } }";
const READ: &str = "query($id: ID!) { child(id: $id) { name idNumber } }";

/// The ids a response carries: the server's `X-Request-Id`, asserted to be a
/// UUID v7, and the echoed `X-Client-Request-Id`, if any.
fn ids_of(res: &Response) -> (String, Option<String>) {
    let server = res.headers()["x-request-id"].to_str().unwrap().to_owned();
    let parsed = uuid::Uuid::parse_str(&server).unwrap_or_else(|_| panic!("not a UUID: {server}"));
    assert_eq!(parsed.get_version_num(), 7, "{server}");
    let client = res
        .headers()
        .get("x-client-request-id")
        .map(|v| v.to_str().unwrap().to_owned());
    (server, client)
}

/// Creates a child through REST with `X-Request-Id: client_id`; its id and the
/// response's request ids.
async fn create_child(app: &TestApp, token: &str, client_id: &str, seq: u16) -> (String, (String, Option<String>)) {
    let res = app
        .request(Method::POST, "/api/v1/children", token)
        .header("x-request-id", client_id)
        .json(&child_body("王小明", seq))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let ids = ids_of(&res);
    let child: Value = res.json().await.unwrap();
    (child["id"].as_str().unwrap().to_owned(), ids)
}

/// Creates a child through GraphQL with `X-Request-Id: client_id`; its id and
/// the response's request ids.
async fn create_child_in_graphql(
    app: &TestApp,
    token: &str,
    client_id: &str,
    seq: u16,
) -> (String, (String, Option<String>)) {
    let body = child_body("x", seq);
    let input = json!({"name": "李四", "gender": "MALE", "birthDate": body["birth_date"],
        "regionCode": "522631101201", "leftBehindType": "BOTH_PARENTS_AWAY", "idNumber": body["id_number"]});
    let res = app
        .request(Method::POST, "/graphql", token)
        .header("x-request-id", client_id)
        .json(&json!({"query": CREATE, "variables": {"input": input}}))
        .send()
        .await
        .unwrap();
    let ids = ids_of(&res);
    let res: Value = res.json().await.unwrap();
    assert_eq!(res["errors"], Value::Null, "{res}");
    (res["data"]["createChild"]["id"].as_str().unwrap().to_owned(), ids)
}

/// The items of an audit list (`/audit-events` or `/audit-events/reads`) as the auditor reads it.
async fn items(app: &TestApp, path: &str) -> Vec<Value> {
    let auditor = app.token("auditor").await;
    let res = app.get(path, &auditor).await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json::<Value>().await.unwrap()["items"].as_array().unwrap().clone()
}

/// The one entry of the audit list at `path` written for the server's request id `request_id`.
async fn entry_for(app: &TestApp, path: &str, request_id: &str) -> Value {
    let found: Vec<Value> = items(app, path)
        .await
        .into_iter()
        .filter(|e| e["request_id"] == request_id)
        .collect();
    assert_eq!(found.len(), 1, "{path} for {request_id}: {found:?}");
    found[0].clone()
}

/// Asserts that the creation of child `id`, sent with the client request id
/// `mine-1` and answered under the server's `ids`, is in the audit trail and
/// in the read log under both ids; returns the read-log entry.
async fn assert_created_under_both_ids(app: &TestApp, id: &str, ids: (String, Option<String>)) -> Value {
    let (server, client) = ids;
    assert_ne!(server, "mine-1");
    assert_eq!(client.as_deref(), Some("mine-1"));

    let event = entry_for(app, &format!("/api/v1/audit-events?child_id={id}"), &server).await;
    assert_eq!(event["action"], "created");
    assert_eq!(event["client_request_id"], "mine-1");
    // The create answered the child's unmasked ID number: its read-log entry has both ids too.
    let access = entry_for(app, &format!("/api/v1/audit-events/reads?child_id={id}"), &server).await;
    assert_eq!(access["client_request_id"], "mine-1");
    access
}

#[tokio::test]
async fn a_rest_write_is_audited_under_the_servers_request_id_with_the_clients_beside_it() {
    let (app, village) = TestApp::spawn_as("village").await;
    let (id, ids) = create_child(&app, &village, "mine-1", 1).await;
    assert_created_under_both_ids(&app, &id, ids).await;
}

#[tokio::test]
async fn a_graphql_mutation_is_audited_under_the_servers_request_id_with_the_clients_beside_it() {
    let (app, village) = TestApp::spawn_as("village").await;
    let (id, ids) = create_child_in_graphql(&app, &village, "mine-1", 1).await;
    let access = assert_created_under_both_ids(&app, &id, ids).await;
    assert_eq!(access["channel"], "POST /graphql");
}

#[tokio::test]
async fn a_coordinators_unmasked_read_is_logged_under_the_servers_request_id_with_the_clients_beside_it() {
    let (app, village) = TestApp::spawn_as("village").await;
    let (id, _) = create_child(&app, &village, "setup", 1).await;
    let coordinator = app.token("coordinator").await;
    let reads = format!("/api/v1/audit-events/reads?child_id={id}");

    let res = app
        .request(Method::GET, &format!("/api/v1/children/{id}"), &coordinator)
        .header("x-request-id", "read-rest")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let (server, client) = ids_of(&res);
    assert_eq!(client.as_deref(), Some("read-rest"));
    let child: Value = res.json().await.unwrap();
    assert!(!child["id_number"].as_str().unwrap().contains('*'), "{child}");
    let access = entry_for(&app, &reads, &server).await;
    assert_eq!(access["actor_role"], "coordinator");
    assert_eq!(access["channel"], "GET /api/v1/children/{id}");
    assert_eq!(access["fields"], json!(["id_number"]));
    assert_eq!(access["client_request_id"], "read-rest");

    let res = app
        .request(Method::POST, "/graphql", &coordinator)
        .header("x-request-id", "read-graphql")
        .json(&json!({"query": READ, "variables": {"id": id}}))
        .send()
        .await
        .unwrap();
    let (server, client) = ids_of(&res);
    assert_eq!(client.as_deref(), Some("read-graphql"));
    let res: Value = res.json().await.unwrap();
    assert_eq!(res["errors"], Value::Null, "{res}");
    let access = entry_for(&app, &reads, &server).await;
    assert_eq!(access["actor_role"], "coordinator");
    assert_eq!(access["channel"], "POST /graphql");
    assert_eq!(access["client_request_id"], "read-graphql");
}

#[tokio::test]
async fn an_insane_client_request_id_is_neither_kept_nor_echoed() {
    let (app, village) = TestApp::spawn_as("village").await;
    let too_long = "a".repeat(200);
    let cases = [
        (1, too_long.as_str(), false),
        (2, "has a space", false),
        (3, "", false),
        (4, too_long.as_str(), true),
        (5, "has a space", true),
    ];
    for (seq, insane, graphql) in cases {
        let (id, (server, client)) = if graphql {
            create_child_in_graphql(&app, &village, insane, seq).await
        } else {
            create_child(&app, &village, insane, seq).await
        };
        assert_eq!(client, None, "{insane:?} (GraphQL: {graphql})");
        assert_ne!(server, insane);
        let event = entry_for(&app, &format!("/api/v1/audit-events?child_id={id}"), &server).await;
        assert_eq!(event["client_request_id"], Value::Null, "{insane:?}: {event}");
        assert!(event.as_object().unwrap().contains_key("client_request_id"));
        let access = entry_for(&app, &format!("/api/v1/audit-events/reads?child_id={id}"), &server).await;
        assert_eq!(access["client_request_id"], Value::Null, "{insane:?}: {access}");
    }
}

#[tokio::test]
async fn two_requests_with_the_same_client_request_id_get_different_server_ids() {
    let (app, village) = TestApp::spawn_as("village").await;
    let (first, (first_server, first_client)) = create_child(&app, &village, "same-1", 1).await;
    let (second, (second_server, second_client)) = create_child(&app, &village, "same-1", 2).await;
    assert_ne!(first_server, second_server);
    assert_eq!(first_client.as_deref(), Some("same-1"));
    assert_eq!(second_client.as_deref(), Some("same-1"));

    let trail = items(&app, "/api/v1/audit-events").await;
    let same: Vec<(&str, &str)> = trail
        .iter()
        .filter(|e| e["client_request_id"] == "same-1")
        .map(|e| (e["request_id"].as_str().unwrap(), e["resource_id"].as_str().unwrap()))
        .collect();
    assert_eq!(
        same,
        [
            (first_server.as_str(), first.as_str()),
            (second_server.as_str(), second.as_str())
        ]
    );
}
