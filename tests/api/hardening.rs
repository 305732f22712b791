//! What an attacker finds closed: fields written only by those who read them,
//! a trail that cannot be rewritten, protective headers, masks that mask.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, child_body, len_of};

#[tokio::test]
async fn a_role_that_cannot_read_health_notes_can_neither_set_nor_clear_them() {
    let (app, admin) = TestApp::spawn_as("admin").await;
    let village = app.token("village").await;
    let mut body = child_body("王小明", 1);
    body["health_notes"] = json!("哮喘");
    let child = app.create("/api/v1/children", &admin, body).await;
    let id = child["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/children/{id}");

    for patch in [
        json!({"health_notes": null}),
        json!({"health_notes": "无"}),
        json!({"name": "王小明", "health_notes": null}),
    ] {
        let res = app.patch(&path, &village, 1, &patch).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{patch}");
        let problem: Value = res.json().await.unwrap();
        assert!(
            problem["detail"].as_str().unwrap().contains("health_notes"),
            "{problem}"
        );
    }
    let res = app
        .gql(
            &village,
            "mutation($id: ID!) { updateChild(id: $id, expectedVersion: 1, input: {healthNotes: null}) { version } }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(res["errors"][0]["extensions"]["code"], "FORBIDDEN", "{res}");
    let mut body = child_body("李四", 2);
    body["health_notes"] = json!("过敏");
    assert_eq!(
        app.post("/api/v1/children", &village, &body).await.status(),
        StatusCode::FORBIDDEN,
        "nor set them on a new record"
    );

    let read: Value = app.get_json(&path, &admin).await;
    assert_eq!(read["health_notes"], "哮喘");
    assert_eq!(read["version"], 1);
    // What the village officer does see, it still changes; the health department writes its notes.
    app.patch_ok(&path, &village, 1, &json!({"grade": "三年级"})).await;
    let health = app.token("health").await;
    app.patch_ok(&path, &health, 2, &json!({"health_notes": null})).await;
}

#[tokio::test]
async fn the_trail_refuses_replacing_inserts_and_truncation() {
    use sea_orm::ConnectionTrait;
    let (app, village) = TestApp::spawn_as("village").await;
    let child = app.create("/api/v1/children", &village, child_body("王小明", 1)).await;
    let coordinator = app.token("coordinator").await;
    let id = child["id"].as_str().unwrap();
    app.get(&format!("/api/v1/children/{id}"), &coordinator).await;
    let auditor = app.token("auditor").await;
    let trail_before: Value = app.get_json("/api/v1/audit-events", &auditor).await;
    let reads_before: Value = app.get_json("/api/v1/audit-events/reads", &auditor).await;
    assert!(!reads_before["items"].as_array().unwrap().is_empty(), "{reads_before}");
    let conn = app.db.connection();
    let attempts: &[&str] = if app.db.is_sqlite() {
        &[
            "INSERT OR REPLACE INTO events SELECT * FROM events",
            "REPLACE INTO access_events SELECT * FROM access_events",
            "INSERT OR REPLACE INTO access_event_children SELECT * FROM access_event_children",
        ]
    } else {
        &[
            "TRUNCATE events",
            "TRUNCATE access_events CASCADE",
            "TRUNCATE access_event_children",
        ]
    };
    for sql in attempts {
        assert!(conn.execute_unprepared(sql).await.is_err(), "{sql} was allowed");
    }
    // Rewriting a recorded event through a replacing insert is refused too.
    if app.db.is_sqlite() {
        let forged = "INSERT OR REPLACE INTO events (seq, id, occurred_at, actor, actor_role, request_id, \
                      resource_kind, resource_id, region_code, action, version, changes) \
                      SELECT seq, id, occurred_at, 'someone else', actor_role, request_id, \
                      resource_kind, resource_id, region_code, action, version, changes FROM events";
        assert!(conn.execute_unprepared(forged).await.is_err());
    }
    let trail: Value = app.get_json("/api/v1/audit-events", &auditor).await;
    assert_eq!(trail, trail_before);
    assert_eq!(len_of(&trail["items"]), 1, "{trail}");
    let reads: Value = app.get_json("/api/v1/audit-events/reads", &auditor).await;
    assert_eq!(reads, reads_before);
}

#[tokio::test]
async fn responses_are_never_cached_sniffed_or_framed() {
    let (app, token) = TestApp::spawn_as("village").await;
    let login = app.login_attempt("village", crate::helpers::PASSWORD).await;
    let child = app.post("/api/v1/children", &token, &child_body("王小明", 1)).await;
    let list = app.get("/api/v1/children", &token).await;
    let gql = app
        .request(reqwest::Method::POST, "/graphql", &token)
        .json(&json!({"query": "{ children(first: 1) { nodes { idNumber } } }"}))
        .send()
        .await
        .unwrap();
    for res in [&login, &child, &list, &gql] {
        let h = res.headers();
        assert_eq!(h["cache-control"], "no-store", "{}", res.url());
        assert_eq!(h["x-content-type-options"], "nosniff", "{}", res.url());
    }
    for page in ["/docs/", "/graphql"] {
        let res = app.get_anon(page).await;
        assert_eq!(res.status(), StatusCode::OK, "{page}");
        let csp = res.headers()["content-security-policy"].to_str().unwrap().to_owned();
        assert!(csp.contains("frame-ancestors 'none'"), "{page}: {csp}");
        assert_eq!(res.headers()["x-content-type-options"], "nosniff");
    }
}

#[tokio::test]
async fn a_masked_address_shows_no_house_number_and_at_most_half() {
    let (app, township) = TestApp::spawn_as("township").await;
    let place = app
        .create(
            "/api/v1/care-centers",
            &township,
            json!({"name": "新村儿童之家", "kind": "children_home", "region_code": "522631101000", "address": "新村5号"}),
        )
        .await;
    let id = place["id"].as_str().unwrap();
    let partner = app.token("partner").await;
    let read: Value = app.get_json(&format!("/api/v1/care-centers/{id}"), &partner).await;
    assert_eq!(read["address"], "新村**");
    let res = app
        .gql(
            &partner,
            "query($id: ID!) { careCenter(id: $id) { address } }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(res["data"]["careCenter"]["address"], "新村**", "{res}");
    let read: Value = app.get_json(&format!("/api/v1/care-centers/{id}"), &township).await;
    assert_eq!(read["address"], "新村5号", "officers read it whole");
}

#[tokio::test]
async fn an_id_number_registered_elsewhere_is_a_409_that_auditors_see_and_that_runs_out() {
    let app = TestApp::spawn_with(|s| s.serve.id_number_matches_per_day = 2).await;
    let township = app.token("township").await;
    let ours = app.create("/api/v1/children", &township, child_body("王小明", 1)).await;
    let taken = ours["id_number"].as_str().unwrap().to_owned();
    let prober = app.token("other_township").await;
    let elsewhere = |seq: u16| {
        let mut body = child_body("探", seq);
        body["region_code"] = json!("522631102201");
        body
    };
    let auditor = app.token("auditor").await;
    let matches = || async {
        let page: Value = app
            .get_json(
                &format!("/api/v1/audit-events/reads?child_id={}", ours["id"].as_str().unwrap()),
                &auditor,
            )
            .await;
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["reason"] == "id_number_match")
            .cloned()
            .collect::<Vec<Value>>()
    };

    // The first probe: the 409 stays, and the trail shows it as an access to our child.
    let mut probe = elsewhere(2);
    probe["id_number"] = json!(taken);
    let res = app.post("/api/v1/children", &prober, &probe).await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let found = matches().await;
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0]["fields"], json!(["id_number"]));
    assert_eq!(found[0]["channel"], "POST /api/v1/children");
    assert_eq!(found[0]["actor_role"], "township_officer");

    // A duplicate inside the caller's own jurisdiction discloses nothing new and counts for nothing.
    let own = app.create("/api/v1/children", &prober, elsewhere(3)).await;
    let res = app.post("/api/v1/children", &prober, &elsewhere(3)).await;
    assert_eq!(res.status(), StatusCode::CONFLICT);

    // The second probe, through GraphQL, then the allowance is spent.
    let create = "mutation($input: CreateChildInput!) { createChild(input: $input) { id } }";
    let input = json!({"input": {"name": "探", "gender": "MALE", "birthDate": probe["birth_date"], "regionCode": "522631102201",
        "leftBehindType": "BOTH_PARENTS_AWAY", "idNumber": taken}});
    let res = app.gql(&prober, create, input).await;
    assert_eq!(res["errors"][0]["extensions"]["code"], "CONFLICT", "{res}");
    assert_eq!(matches().await.len(), 2);

    let res = app.post("/api/v1/children", &prober, &elsewhere(4)).await;
    assert_eq!(
        res.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "even a free ID number waits"
    );
    let wait: u64 = res.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!(wait > 0 && wait <= 24 * 3600, "{wait}");
    let own_path = format!("/api/v1/children/{}", own["id"].as_str().unwrap());
    let res = app.patch(&own_path, &prober, 1, &json!({"id_number": taken})).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let input = json!({"input": {"name": "探", "gender": "MALE", "birthDate": probe["birth_date"], "regionCode": "522631102201",
        "leftBehindType": "BOTH_PARENTS_AWAY", "idNumber": elsewhere(5)["id_number"]}});
    let res = app.gql(&prober, create, input).await;
    assert_eq!(res["errors"][0]["extensions"]["code"], "RATE_LIMITED", "{res}");
    assert_eq!(matches().await.len(), 2, "refused probes disclose nothing");

    // Writes without an ID number go on; other officers are not affected.
    let mut plain = elsewhere(6);
    plain.as_object_mut().unwrap().remove("id_number");
    assert_eq!(
        app.post("/api/v1/children", &prober, &plain).await.status(),
        StatusCode::CREATED
    );
    app.patch_ok(&own_path, &prober, 1, &json!({"grade": "三年级"})).await;
    app.create("/api/v1/children", &township, child_body("李四", 7)).await;
}

/// Sends `head` as raw bytes (no client tidies it) and returns the whole answer.
async fn raw_exchange(app: &TestApp, head: &[u8]) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = app.url("").trim_start_matches("http://").to_owned();
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream.write_all(head).await.unwrap();
    let mut answer = Vec::new();
    // The server closes the connection after a request it cannot parse.
    stream.read_to_end(&mut answer).await.unwrap();
    String::from_utf8_lossy(&answer).into_owned()
}

#[tokio::test]
async fn a_raw_utf8_query_string_gets_problem_details_saying_how_to_encode_it() {
    let app = TestApp::spawn().await;
    let answer = raw_exchange(&app, "GET /api/v1/children?q=张 HTTP/1.1\r\nHost: x\r\n\r\n".as_bytes()).await;
    let (head, body) = answer.split_once("\r\n\r\n").unwrap();
    assert!(head.starts_with("HTTP/1.1 400"), "{answer}");
    assert!(
        head.to_ascii_lowercase()
            .contains("content-type: application/problem+json"),
        "{answer}"
    );
    let problem: Value = serde_json::from_str(body).unwrap();
    assert_eq!(problem["status"], 400, "{problem}");
    assert_eq!(problem["type"], "urn:shouhu:problem:malformed-request", "{problem}");
    assert!(problem["detail"].as_str().unwrap().contains("%E5%BC%A0"), "{problem}");

    // The same query, percent-encoded, is an ordinary request.
    let token = app.token("admin").await;
    let res = app.get("/api/v1/children?q=%E5%BC%A0", &token).await;
    assert_eq!(res.status(), StatusCode::OK);
}
