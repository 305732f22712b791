//! The read log (`/audit-events/reads`) and the masked audit trail: every
//! response that carried a child's unmasked personal data is one entry, with
//! the fields actually sent; nothing else is; readers see only their
//! jurisdiction, and the trail's changes as they read the records.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use shouhu_domain::account::Account;
use shouhu_domain::enums::{Gender, Role};
use shouhu_domain::ports::{AccountStore, RegionStore};
use shouhu_domain::region::Region;

use crate::helpers::{PASSWORD, TestApp, child_body, len_of, strs};

/// Adds an auditor bound to another county (522632), with its region.
async fn add_auditor_of_another_county(app: &TestApp) {
    let regions = [
        Region::new("522632000000", "另一县").unwrap(),
        Region::new("522632101000", "另一镇").unwrap(),
        Region::new("522632101201", "另一村").unwrap(),
    ];
    app.db.upsert_regions(&regions).await.unwrap();
    app.db
        .insert_account(&Account {
            id: uuid::Uuid::now_v7(),
            username: "far_auditor".to_owned(),
            password_hash: shouhu_api::auth::hash_password(PASSWORD).unwrap(),
            role: Role::Auditor,
            department: None,
            organization_id: None,
            region_code: "522632000000".to_owned(),
            disabled: false,
            is_client: false,
            display_name: None,
            created_at: chrono::Utc::now(),
        })
        .await
        .unwrap();
}

/// The token subject (account id) of a token.
fn subject(token: &str) -> String {
    use base64::Engine;
    let claims = token.split('.').nth(1).unwrap();
    let claims: Value =
        serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(claims).unwrap()).unwrap();
    claims["sub"].as_str().unwrap().to_owned()
}

/// The read log as `token` reads it, with `filter` (such as `?actor=…`).
async fn reads(app: &TestApp, token: &str, filter: &str) -> Vec<Value> {
    let res = app.get(&format!("/api/v1/audit-events/reads{filter}"), token).await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json::<Value>().await.unwrap()["items"].as_array().unwrap().clone()
}

/// The entries of the read log written for the request `request_id`.
async fn entries_of(app: &TestApp, admin: &str, request_id: &str) -> Vec<Value> {
    reads(app, admin, "?limit=500")
        .await
        .into_iter()
        .filter(|e| e["client_request_id"] == request_id)
        .collect()
}

/// Asserts that `request_id` left exactly one entry, with these fields and children.
async fn one_entry(app: &TestApp, admin: &str, request_id: &str, fields: &[&str], children: &[&str]) -> Value {
    let found = entries_of(app, admin, request_id).await;
    assert_eq!(found.len(), 1, "{request_id}: {found:?}");
    assert_eq!(found[0]["fields"], json!(fields), "{request_id}");
    let mut expected: Vec<&str> = children.to_vec();
    expected.sort();
    let mut got: Vec<&str> = strs(&found[0]["child_ids"]);
    got.sort();
    assert_eq!(got, expected, "{request_id}");
    found[0].clone()
}

async fn no_entry(app: &TestApp, admin: &str, request_id: &str) {
    let found = entries_of(app, admin, request_id).await;
    assert!(found.is_empty(), "{request_id}: {found:?}");
}

/// Runs a GraphQL operation with a request id.
async fn gql(app: &TestApp, token: &str, request_id: &str, query: &str, variables: Value) -> Value {
    app.request(Method::POST, "/graphql", token)
        .header("x-request-id", request_id)
        .json(&json!({"query": query, "variables": variables}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// The id of the child a createChild answer created, asserting it has no error.
fn created(res: Value) -> String {
    assert_eq!(res["errors"], Value::Null, "{res}");
    res["data"]["createChild"]["id"].as_str().unwrap().to_owned()
}

fn guardian_id_number(seq: u16) -> String {
    let birth = chrono::NaiveDate::from_ymd_opt(1988, 3, 1).unwrap();
    shouhu_domain::id_number::compose("522631", birth, seq * 2, Gender::Male)
}

#[tokio::test]
async fn an_auditor_reads_the_changes_of_children_and_guardians_masked_as_everywhere_else() {
    let (app, coordinator) = TestApp::spawn_as("coordinator").await;
    let mut body = child_body("王小明", 1);
    body["health_notes"] = json!("哮喘");
    let child = app.create("/api/v1/children", &coordinator, body).await;
    let id = child["id"].as_str().unwrap();
    let id_number = child["id_number"].as_str().unwrap().to_owned();
    let new_id_number = child_body("x", 2)["id_number"].as_str().unwrap().to_owned();
    app.patch_ok(
        &format!("/api/v1/children/{id}"),
        &coordinator,
        1,
        &json!({"id_number": new_id_number, "health_notes": "哮喘，已好转"}),
    )
    .await;
    // A guardian registered through GraphQL, then changed through REST.
    let res = app
        .gql(
            &coordinator,
            "mutation($input: CreateGuardianInput!) { createGuardian(input: $input) { id } }",
            json!({"input": {"name": "王建国", "regionCode": "522631101201", "phone": "13812345678",
                "idNumber": guardian_id_number(1), "gender": "MALE"}}),
        )
        .await;
    assert_eq!(res["errors"], Value::Null, "{res}");
    let guardian = res["data"]["createGuardian"]["id"].as_str().unwrap().to_owned();
    app.patch_ok(
        &format!("/api/v1/guardians/{guardian}"),
        &coordinator,
        1,
        &json!({"phone": "13987654321"}),
    )
    .await;

    let trail = |token: String, record: String| {
        let app = &app;
        async move {
            let res = app.get("/api/v1/audit-events?limit=500", &token).await;
            assert_eq!(res.status(), StatusCode::OK);
            let all: Value = res.json().await.unwrap();
            all["items"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|e| e["resource_id"] == record.as_str())
                .cloned()
                .collect::<Vec<Value>>()
        }
    };
    let auditor = app.token("auditor").await;
    let seen = trail(auditor.clone(), id.to_owned()).await;
    assert_eq!(seen.len(), 2);
    let created = &seen[0]["changes"];
    assert_eq!(created["name"]["after"], "王小明");
    assert_eq!(created["id_number"]["after"], mask(&id_number));
    assert_eq!(
        created.get("health_notes"),
        None,
        "an auditor does not read health notes"
    );
    let changed = &seen[1]["changes"];
    assert_eq!(
        changed["id_number"],
        json!({"before": mask(&id_number), "after": mask(&new_id_number)})
    );
    assert_eq!(changed.get("health_notes"), None);
    let text = serde_json::to_string(&seen).unwrap();
    assert!(!text.contains(&id_number) && !text.contains(&new_id_number) && !text.contains("哮喘"));

    let seen = trail(auditor, guardian.clone()).await;
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[0]["changes"]["phone"]["after"], "138****5678");
    assert_eq!(seen[0]["changes"]["id_number"]["after"], mask(&guardian_id_number(1)));
    assert_eq!(
        seen[1]["changes"]["phone"],
        json!({"before": "138****5678", "after": "139****4321"})
    );
    let text = serde_json::to_string(&seen).unwrap();
    assert!(!text.contains("13812345678") && !text.contains(&guardian_id_number(1)));

    // An administrator reads them as they are.
    let admin = app.token("admin").await;
    let seen = trail(admin.clone(), id.to_owned()).await;
    assert_eq!(seen[0]["changes"]["id_number"]["after"], id_number.as_str());
    assert_eq!(seen[1]["changes"]["health_notes"]["after"], "哮喘，已好转");
    let seen = trail(admin, guardian).await;
    assert_eq!(seen[1]["changes"]["phone"]["before"], "13812345678");
}

fn mask(id_number: &str) -> String {
    format!("{}********{}", &id_number[..6], &id_number[14..])
}

#[tokio::test]
async fn an_auditor_of_another_county_sees_none_of_our_reads() {
    let app = TestApp::spawn().await;
    add_auditor_of_another_county(&app).await;
    let village = app.token("village").await;
    let child = app.create("/api/v1/children", &village, child_body("王小明", 1)).await;
    let id = child["id"].as_str().unwrap();
    app.get(&format!("/api/v1/children/{id}"), &village).await;
    let res = app
        .gql(
            &village,
            "query($id: ID!) { child(id: $id) { idNumber } }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(res["errors"], Value::Null, "{res}");

    let ours = app.token("auditor").await;
    assert_eq!(reads(&app, &ours, &format!("?child_id={id}")).await.len(), 3);
    let far = app.token("far_auditor").await;
    assert_eq!(reads(&app, &far, "").await, Vec::<Value>::new());
    assert_eq!(reads(&app, &far, &format!("?child_id={id}")).await, Vec::<Value>::new());
    assert_eq!(
        reads(&app, &far, &format!("?actor={}", subject(&village))).await,
        Vec::<Value>::new()
    );
    // The writes are bounded likewise.
    let res: Value = app.get_json("/api/v1/audit-events", &far).await;
    assert_eq!(res["items"], json!([]));

    // One response about children of both counties shows to each auditor
    // naming only the children of its own county.
    let admin = app.token("admin").await;
    let mut body = child_body("李四", 2);
    body["region_code"] = json!("522632101201");
    body["id_number"] = json!(shouhu_domain::id_number::compose(
        "522632",
        crate::helpers::birth_date(),
        4,
        Gender::Male
    ));
    let theirs = app.create("/api/v1/children", &admin, body).await;
    let theirs = theirs["id"].as_str().unwrap();
    app.request(Method::GET, "/api/v1/children", &admin)
        .header("x-request-id", "both-counties")
        .send()
        .await
        .unwrap();
    let named = |entries: Vec<Value>| {
        entries
            .into_iter()
            .filter(|e| e["client_request_id"] == "both-counties")
            .map(|e| e["child_ids"].clone())
            .collect::<Vec<Value>>()
    };
    assert_eq!(named(reads(&app, &admin, "").await).len(), 1);
    assert_eq!(named(reads(&app, &ours, "").await), vec![json!([id])]);
    assert_eq!(named(reads(&app, &far, "").await), vec![json!([theirs])]);
    assert_eq!(reads(&app, &far, &format!("?child_id={id}")).await, Vec::<Value>::new());
}

/// Sends a REST request with a request id (and a JSON body, an `If-Match`, an `Idempotency-Key`).
async fn send(
    app: &TestApp,
    method: Method,
    path: &str,
    token: &str,
    request_id: &str,
    body: Option<&Value>,
    headers: &[(&str, String)],
) -> reqwest::Response {
    let mut req = app.request(method, path, token).header("x-request-id", request_id);
    for (name, value) in headers {
        req = req.header(*name, value.as_str());
    }
    if let Some(body) = body {
        req = req.json(body);
    }
    req.send().await.unwrap()
}

fn if_match(version: i64) -> (&'static str, String) {
    ("if-match", format!("\"{version}\""))
}

/// POSTs a child as `token` under the request id `request_id`, with `headers`.
async fn post_child(
    app: &TestApp,
    token: &str,
    request_id: &str,
    body: &Value,
    headers: &[(&str, String)],
) -> reqwest::Response {
    send(
        app,
        Method::POST,
        "/api/v1/children",
        token,
        request_id,
        Some(body),
        headers,
    )
    .await
}

/// [`post_child`], asserting 201; returns the child.
async fn created_child(
    app: &TestApp,
    token: &str,
    request_id: &str,
    body: &Value,
    headers: &[(&str, String)],
) -> Value {
    let res = post_child(app, token, request_id, body, headers).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    res.json().await.unwrap()
}

/// PATCHes `path` at `version` as `token` under the request id `request_id`.
async fn patch_as(
    app: &TestApp,
    path: &str,
    token: &str,
    request_id: &str,
    body: &Value,
    version: i64,
) -> reqwest::Response {
    send(
        app,
        Method::PATCH,
        path,
        token,
        request_id,
        Some(body),
        &[if_match(version)],
    )
    .await
}

#[tokio::test]
async fn every_rest_response_with_unmasked_child_data_is_one_entry_of_the_read_log() {
    let (app, admin) = TestApp::spawn_as("admin").await;
    let village = app.token("village").await;
    let body = child_body("王小明", 1);
    let child = created_child(&app, &village, "post-1", &body, &[]).await;
    let id = child["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/children/{id}");
    let entry = one_entry(&app, &admin, "post-1", &["id_number"], &[&id]).await;
    assert_eq!(entry["channel"], "POST /api/v1/children");
    assert_eq!(entry["actor"], subject(&village).as_str());
    assert_eq!(entry["actor_role"], "village_officer");

    let patch = json!({"grade": "三年级"});
    let res = patch_as(&app, &path, &village, "patch-1", &patch, 1).await;
    assert_eq!(res.status(), StatusCode::OK);
    let entry = one_entry(&app, &admin, "patch-1", &["id_number"], &[&id]).await;
    assert_eq!(entry["channel"], "PATCH /api/v1/children/{id}");
    // An empty patch at the current version answers the whole record.
    let res = patch_as(&app, &path, &village, "patch-empty", &json!({}), 2).await;
    assert_eq!(res.status(), StatusCode::OK);
    one_entry(&app, &admin, "patch-empty", &["id_number"], &[&id]).await;
    // A refused patch carries nothing.
    let res = patch_as(&app, &path, &village, "patch-stale", &patch, 1).await;
    assert_eq!(res.status(), StatusCode::PRECONDITION_FAILED);
    no_entry(&app, &admin, "patch-stale").await;

    // The health department writes and reads health notes, not ID numbers.
    let health = app.token("health").await;
    let notes = json!({"health_notes": "哮喘，已好转"});
    let res = patch_as(&app, &path, &health, "health-patch", &notes, 2).await;
    assert_eq!(res.status(), StatusCode::OK);
    let entry = one_entry(&app, &admin, "health-patch", &["health_notes"], &[&id]).await;
    assert_eq!(entry["actor_role"], "department");

    // An idempotent create and its replay: one entry each.
    let key = [("idempotency-key", "create-2".to_owned())];
    let second = child_body("李四", 2);
    let other = created_child(&app, &village, "keyed-1", &second, &key).await;
    let other = other["id"].as_str().unwrap().to_owned();
    one_entry(&app, &admin, "keyed-1", &["id_number"], &[&other]).await;
    let res = post_child(&app, &village, "keyed-2", &second, &key).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    assert_eq!(res.headers()["idempotent-replayed"], "true");
    one_entry(&app, &admin, "keyed-2", &["id_number"], &[&other]).await;

    // Masked readers leave no entry; an archive answers no body.
    let education = app.token("education").await;
    let res = send(&app, Method::GET, &path, &education, "education-get", None, &[]).await;
    assert_eq!(res.status(), StatusCode::OK);
    let read: Value = res.json().await.unwrap();
    assert!(read["id_number"].as_str().unwrap().contains('*'));
    no_entry(&app, &admin, "education-get").await;
    send(
        &app,
        Method::GET,
        "/api/v1/children",
        &education,
        "education-list",
        None,
        &[],
    )
    .await;
    no_entry(&app, &admin, "education-list").await;

    // A list is one entry naming every child it carried unmasked.
    let coordinator = app.token("coordinator").await;
    send(&app, Method::GET, "/api/v1/children", &coordinator, "list-1", None, &[]).await;
    one_entry(&app, &admin, "list-1", &["health_notes", "id_number"], &[&id, &other]).await;

    let res = send(&app, Method::DELETE, &path, &village, "delete-1", None, &[if_match(3)]).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    no_entry(&app, &admin, "delete-1").await;
}

const CREATE_PLAIN: &str = "mutation($input: CreateChildInput!) { createChild(input: $input) { id name } }";
const CREATE_FULL: &str = "mutation($input: CreateChildInput!, $key: String) { createChild(input: $input, idempotencyKey: $key) { id idNumber healthNotes } }";

/// A GraphQL child input, as any officer may send it.
fn gql_child(name: &str, seq: u16) -> Value {
    let body = child_body("x", seq);
    json!({"name": name, "gender": "MALE", "birthDate": body["birth_date"], "regionCode": "522631101201",
        "leftBehindType": "BOTH_PARENTS_AWAY", "idNumber": body["id_number"]})
}

/// A GraphQL child input with health notes, for a role that reads (and so writes) them.
fn gql_child_with_notes(name: &str, seq: u16) -> Value {
    let mut input = gql_child(name, seq);
    input["healthNotes"] = json!("哮喘");
    input
}

#[tokio::test]
async fn every_graphql_response_with_unmasked_child_data_is_one_entry_with_the_fields_it_sent() {
    let (app, admin) = TestApp::spawn_as("admin").await;
    let coordinator = app.token("coordinator").await;
    let input = json!({"input": gql_child_with_notes("王小明", 1)});
    let first = created(gql(&app, &coordinator, "g-create-plain", CREATE_PLAIN, input).await);
    no_entry(&app, &admin, "g-create-plain").await;

    let input = json!({"input": gql_child_with_notes("李四", 2)});
    let second = created(gql(&app, &coordinator, "g-create", CREATE_FULL, input).await);
    let entry = one_entry(&app, &admin, "g-create", &["health_notes", "id_number"], &[&second]).await;
    assert_eq!(entry["channel"], "POST /graphql");
    assert_eq!(entry["actor_role"], "coordinator");
    assert_eq!(entry["actor"], subject(&coordinator).as_str());

    let keyed = json!({"input": gql_child_with_notes("张三", 3), "key": "g-key"});
    let third = created(gql(&app, &coordinator, "g-key-1", CREATE_FULL, keyed.clone()).await);
    one_entry(&app, &admin, "g-key-1", &["health_notes", "id_number"], &[&third]).await;
    let res = gql(&app, &coordinator, "g-key-2", CREATE_FULL, keyed).await;
    assert_eq!(res["data"]["createChild"]["id"], third.as_str(), "{res}");
    one_entry(&app, &admin, "g-key-2", &["health_notes", "id_number"], &[&third]).await;

    let update = "mutation($id: ID!, $v: Int!, $input: UpdateChildInput!) { updateChild(id: $id, expectedVersion: $v, input: $input) { version idNumber } }";
    let change = json!({"id": first, "v": 1, "input": {"grade": "三年级"}});
    let res = gql(&app, &coordinator, "g-update", update, change).await;
    assert_eq!(res["data"]["updateChild"]["version"], 2, "{res}");
    one_entry(&app, &admin, "g-update", &["id_number"], &[&first]).await;
    let empty = json!({"id": first, "v": 2, "input": {}});
    let res = gql(&app, &coordinator, "g-update-empty", update, empty).await;
    assert_eq!(res["data"]["updateChild"]["version"], 2, "{res}");
    one_entry(&app, &admin, "g-update-empty", &["id_number"], &[&first]).await;
    let health = app.token("health").await;
    let notes = "mutation($id: ID!, $v: Int!) { updateChild(id: $id, expectedVersion: $v, input: {healthNotes: \"已好转\"}) { healthNotes idNumber } }";
    let res = gql(&app, &health, "g-health", notes, json!({"id": first, "v": 2})).await;
    assert_eq!(res["data"]["updateChild"]["healthNotes"], "已好转", "{res}");
    one_entry(&app, &admin, "g-health", &["health_notes"], &[&first]).await;

    // Only what was selected counts; masked values count for nothing.
    let one = "query($id: ID!) { child(id: $id) { name } }";
    let res = gql(&app, &coordinator, "g-name", one, json!({"id": first})).await;
    assert_eq!(res["data"]["child"]["name"], "王小明", "{res}");
    no_entry(&app, &admin, "g-name").await;
    let res = gql(
        &app,
        &coordinator,
        "g-list-names",
        "{ children { edges { node { name } } } }",
        json!({}),
    )
    .await;
    assert_eq!(res["errors"], Value::Null, "{res}");
    no_entry(&app, &admin, "g-list-names").await;
    let education = app.token("education").await;
    let masked = "query($id: ID!) { child(id: $id) { idNumber healthNotes } }";
    let res = gql(&app, &education, "g-education", masked, json!({"id": first})).await;
    assert!(
        res["data"]["child"]["idNumber"].as_str().unwrap().contains('*'),
        "{res}"
    );
    no_entry(&app, &admin, "g-education").await;

    // A child reached twice (through a guardian and directly) is one entry, once.
    let guardian = app
        .create(
            "/api/v1/guardians",
            &coordinator,
            json!({"name": "王建国", "gender": "male", "region_code": "522631101201"}),
        )
        .await;
    let guardian = guardian["id"].as_str().unwrap().to_owned();
    for child in [&first, &second] {
        app.create(
            &format!("/api/v1/children/{child}/guardianships"),
            &coordinator,
            json!({"guardian_id": guardian, "relationship": "grandfather"}),
        )
        .await;
    }
    let nested = "query($id: ID!) { guardian(id: $id) { children { idNumber } } }";
    let res = gql(&app, &coordinator, "g-nested", nested, json!({"id": guardian})).await;
    assert_eq!(len_of(&res["data"]["guardian"]["children"]), 2, "{res}");
    one_entry(&app, &admin, "g-nested", &["id_number"], &[&first, &second]).await;
    let deep =
        "{ children { edges { node { idNumber guardianships { guardian { children { idNumber healthNotes } } } } } } }";
    let res = gql(&app, &coordinator, "g-deep", deep, json!({})).await;
    assert_eq!(res["errors"], Value::Null, "{res}");
    one_entry(
        &app,
        &admin,
        "g-deep",
        &["health_notes", "id_number"],
        &[&first, &second, &third],
    )
    .await;

    let archive = "mutation($id: ID!) { archiveChild(id: $id, expectedVersion: 1) { status idNumber } }";
    let res = gql(&app, &coordinator, "g-archive", archive, json!({"id": third})).await;
    assert_eq!(res["data"]["archiveChild"]["status"], "ARCHIVED", "{res}");
    one_entry(&app, &admin, "g-archive", &["id_number"], &[&third]).await;
}

#[tokio::test]
async fn a_replay_reads_the_record_again_as_the_caller_may_read_it_now() {
    let (app, admin) = TestApp::spawn_as("admin").await;
    let township = app.token("township").await;
    let coordinator = app.token("coordinator").await;
    let key = [("idempotency-key", "move-1".to_owned())];
    let body = child_body("王小明", 1);
    let child = created_child(&app, &township, "move-1", &body, &key).await;
    let id = child["id"].as_str().unwrap().to_owned();
    // Through GraphQL as well.
    let create = "mutation($input: CreateChildInput!) { createChild(input: $input, idempotencyKey: \"move-2\") { id idNumber } }";
    let input = json!({"input": gql_child("李四", 2)});
    let other = created(gql(&app, &township, "move-2", create, input.clone()).await);

    // Both move to a village of another township.
    for moved in [&id, &other] {
        app.patch_ok(
            &format!("/api/v1/children/{moved}"),
            &coordinator,
            1,
            &json!({"region_code": "522631102201"}),
        )
        .await;
    }
    let res = post_child(&app, &township, "move-1-again", &body, &key).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let problem: Value = res.json().await.unwrap();
    assert!(!problem.to_string().contains(&id), "{problem}");
    no_entry(&app, &admin, "move-1-again").await;
    let res = gql(&app, &township, "move-2-again", create, input).await;
    assert_eq!(res["errors"][0]["extensions"]["code"], "NOT_FOUND", "{res}");
    assert_eq!(res["data"], Value::Null, "{res}");
    no_entry(&app, &admin, "move-2-again").await;

    // A caller whose role changed since reads the replay masked as it reads now.
    let village = app.token("village").await;
    let key = [("idempotency-key", "mask-1".to_owned())];
    let body = child_body("张三", 3);
    let first = created_child(&app, &village, "mask-1", &body, &key).await;
    assert_eq!(first["id_number"], body["id_number"]);
    let gql_key = "mutation($input: CreateChildInput!) { createChild(input: $input, idempotencyKey: \"mask-2\") { id idNumber } }";
    let input = json!({"input": gql_child("赵六", 4)});
    let res = gql(&app, &village, "mask-2", gql_key, input.clone()).await;
    assert_eq!(
        res["data"]["createChild"]["idNumber"], input["input"]["idNumber"],
        "{res}"
    );
    use sea_orm::ConnectionTrait;
    app.db
        .connection()
        .execute_unprepared(
            "UPDATE accounts SET role = 'department', department = 'education' WHERE username = 'village'",
        )
        .await
        .unwrap();
    let now_education = app.token("village").await;
    assert_eq!(subject(&now_education), subject(&village));
    let res = post_child(&app, &now_education, "mask-1-again", &body, &key).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    assert_eq!(res.headers()["idempotent-replayed"], "true");
    let replayed: Value = res.json().await.unwrap();
    assert_eq!(replayed["id"], first["id"]);
    assert_eq!(
        replayed["id_number"],
        mask(body["id_number"].as_str().unwrap()).as_str()
    );
    no_entry(&app, &admin, "mask-1-again").await;
    let res = gql(&app, &now_education, "mask-2-again", gql_key, input.clone()).await;
    assert_eq!(
        res["data"]["createChild"]["idNumber"],
        mask(input["input"]["idNumber"].as_str().unwrap()).as_str(),
        "{res}"
    );
    no_entry(&app, &admin, "mask-2-again").await;
}
