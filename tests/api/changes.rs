//! The changes feed (contract §8): every write in commit order, as each caller
//! may see it; nothing skipped or repeated under concurrent writers; records
//! that leave a caller's scope listed once as `left_scope`.

use std::collections::{HashMap, HashSet};

use reqwest::StatusCode;
use serde_json::{Value, json};
use shouhu_domain::changes::ChangeStore;

use crate::helpers::*;

/// Reads the whole feed after `cursor` as `token` on `base`, page by page;
/// returns the items and the last cursor.
async fn follow(app: &TestApp, base: &str, token: &str, cursor: Option<&str>, query: &str) -> (Vec<Value>, String) {
    let mut items = Vec::new();
    let mut cursor = cursor.map(str::to_owned);
    loop {
        let mut url = format!("{base}/api/v1/changes?limit=7{query}");
        if let Some(c) = &cursor {
            url.push_str(&format!("&after={c}"));
        }
        let res = app.client.get(&url).bearer_auth(token).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let page: Value = res.json().await.unwrap();
        let next = page["next_cursor"]
            .as_str()
            .expect("next_cursor on every page")
            .to_owned();
        let got = page["items"].as_array().unwrap().clone();
        let done = got.is_empty() && cursor.as_deref() == Some(next.as_str());
        items.extend(got);
        cursor = Some(next);
        if done {
            return (items, cursor.unwrap_or_default());
        }
    }
}

async fn head(app: &TestApp, token: &str) -> String {
    let body = app.get_json("/api/v1/changes/head", token).await;
    body["cursor"].as_str().unwrap().to_owned()
}

fn position(item: &Value) -> u64 {
    item["position"]
        .as_str()
        .unwrap()
        .strip_prefix("f1.")
        .unwrap()
        .parse()
        .unwrap()
}

#[tokio::test]
async fn the_feed_lists_every_write_in_commit_order_with_the_record_as_the_caller_reads_it() {
    let (app, township) = TestApp::spawn_as("township").await;
    let admin = app.token("admin").await;
    let start = head(&app, &admin).await;
    let (child, path) = app.register_child(&township, child_body("变更", 3)).await;
    let id = child["id"].as_str().unwrap();
    app.patch_ok(&path, &township, 1, &json!({"grade": "四年级"})).await;
    assert_eq!(app.delete(&path, &township, 2).await.status(), StatusCode::NO_CONTENT);

    let (items, end) = follow(&app, &app.base, &admin, Some(&start), "").await;
    let mine: Vec<&Value> = items.iter().filter(|i| i["id"] == id).collect();
    let actions: Vec<&str> = mine.iter().map(|i| i["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["created", "updated", "archived"]);
    let versions: Vec<i64> = mine.iter().map(|i| i["version"].as_i64().unwrap()).collect();
    assert_eq!(versions, [1, 2, 3]);
    assert!(mine.iter().all(|i| i["type"] == "child"));
    assert!(strs(&mine[0]["changed"]).contains(&"name"), "{}", mine[0]);
    assert_eq!(strs(&mine[1]["changed"]), ["grade"]);
    assert_eq!(strs(&mine[2]["changed"]), ["status"]);
    // The record as the caller reads it now: archived, its ID number whole for an administrator.
    assert_eq!(mine[0]["record"]["status"], "archived");
    assert_eq!(mine[0]["record"]["id_number"], child["id_number"]);
    let positions: Vec<u64> = items.iter().map(position).collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{positions:?}");
    assert_eq!(end, head(&app, &admin).await);
    assert_eq!(end, *mine[2]["position"].as_str().unwrap());

    // Masked for a role that reads masked ID numbers.
    let partner = app.token("partner").await;
    let (items, _) = follow(&app, &app.base, &partner, Some(&start), "&types=child").await;
    let id_number = items[0]["record"]["id_number"].as_str().unwrap();
    assert!(id_number.contains('*'), "{id_number}");
    assert!(items.iter().all(|i| i["type"] == "child"));

    // An empty page still gives the cursor to resume from.
    let page = app.get_json(&format!("/api/v1/changes?after={end}"), &admin).await;
    assert_eq!(page["items"], json!([]));
    assert_eq!(page["next_cursor"], json!(end));
}

#[tokio::test]
async fn a_child_moved_to_another_township_leaves_the_old_feed_once_and_enters_the_new_one() {
    let (app, township) = TestApp::spawn_as("township").await;
    let other = app.token("other_township").await;
    let admin = app.token("admin").await;
    let (_, path) = app.register_child(&township, child_body("搬家", 5)).await;
    let here = head(&app, &township).await;
    let there = head(&app, &other).await;
    let moved = app
        .patch_ok(&path, &admin, 1, &json!({"region_code": "522631102201"}))
        .await;
    app.patch_ok(&path, &admin, 2, &json!({"grade": "五年级"})).await;

    let (items, _) = follow(&app, &app.base, &township, Some(&here), "").await;
    assert_eq!(items.len(), 1, "{items:?}");
    assert_eq!(items[0]["action"], "left_scope");
    assert_eq!(items[0]["id"], moved["id"]);
    assert_eq!(items[0]["record"], Value::Null);
    assert_eq!(items[0]["changed"], json!([]));

    let (items, _) = follow(&app, &app.base, &other, Some(&there), "").await;
    let actions: Vec<&str> = items.iter().map(|i| i["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["created", "updated"], "{items:?}");
    assert_eq!(items[0]["record"]["region_code"], "522631102201");
    assert_eq!(items[0]["record"]["grade"], "五年级");

    // From the start, the old township sees the child come and go, never its later change.
    let (items, _) = follow(&app, &app.base, &township, None, "&types=child").await;
    let actions: Vec<&str> = items.iter().map(|i| i["action"].as_str().unwrap()).collect();
    assert_eq!(
        actions,
        ["left_scope"],
        "a record it cannot read now is not listed with data"
    );
}

#[tokio::test]
async fn a_volunteer_sees_its_paired_child_come_and_leave_and_nothing_else() {
    let (app, township) = TestApp::spawn_as("township").await;
    let account = app.account_id("volunteer").await;
    let volunteer_id = app.approved_volunteer(&township, Some(&account)).await;
    let child = app.new_child(&township, 7).await;
    let stranger = app.new_child(&township, 8).await;
    let me = app.token("volunteer").await;
    let start = head(&app, &me).await;
    let pairing = app
        .create(
            &format!("/api/v1/volunteers/{volunteer_id}/pairings"),
            &township,
            json!({"child_id": child, "kind": "mentor"}),
        )
        .await;
    app.patch_ok(
        &format!("/api/v1/children/{stranger}"),
        &township,
        1,
        &json!({"grade": "二年级"}),
    )
    .await;
    let (items, cursor) = follow(&app, &app.base, &me, Some(&start), "").await;
    assert_eq!(items.len(), 1, "{items:?}");
    assert_eq!(items[0]["type"], "child");
    assert_eq!(items[0]["id"], json!(child));
    assert_eq!(items[0]["action"], "created");
    assert_eq!(
        items[0]["record"]["birth_date"],
        Value::Null,
        "minimal fields, as a volunteer reads them"
    );

    let pairing_path = format!("/api/v1/pairings/{}", pairing["id"].as_str().unwrap());
    assert_eq!(
        app.delete(&pairing_path, &township, 1).await.status(),
        StatusCode::NO_CONTENT
    );
    let (items, _) = follow(&app, &app.base, &me, Some(&cursor), "").await;
    assert_eq!(items.len(), 1, "{items:?}");
    assert_eq!(items[0]["id"], json!(child));
    assert_eq!(items[0]["action"], "left_scope");
    assert_eq!(items[0]["record"], Value::Null);
}

#[tokio::test]
async fn bad_parameters_are_400_and_a_cursor_older_than_the_changes_kept_is_410() {
    let (app, township) = TestApp::spawn_as("township").await;
    for (query, field, code) in [
        ("after=12", "after", "invalid_cursor"),
        ("after=f1.x", "after", "invalid_cursor"),
        ("types=child,dragon", "types", "invalid_value"),
        ("limit=0", "limit", "out_of_range"),
        ("limit=1001", "limit", "out_of_range"),
        ("cursor=f1.1", "cursor", "unknown_parameter"),
        ("limit=5&limit=6", "limit", "repeated"),
    ] {
        let res = app.get(&format!("/api/v1/changes?{query}"), &township).await;
        let body = problem(res, StatusCode::BAD_REQUEST).await;
        assert_only_field(&body, field, code);
    }
    app.new_child(&township, 9).await;
    let cursor = head(&app, &township).await;
    app.new_child(&township, 10).await;
    // Everything up to now is purged, as retention would after its days.
    let purged = app
        .db
        .purge_changes(chrono::Utc::now() + chrono::Duration::days(1))
        .await
        .unwrap();
    assert!(purged >= 2, "{purged}");
    let res = app.get(&format!("/api/v1/changes?after={cursor}"), &township).await;
    let body = problem(res, StatusCode::GONE).await;
    assert_only_field(&body, "after", "cursor_expired");
    let res = app
        .gql(
            &township,
            "query($a: String) { changes(after: $a) { nextCursor } }",
            json!({"a": cursor}),
        )
        .await;
    assert_eq!(gql_code(&res), "CURSOR_EXPIRED");
    // Without a cursor the feed starts at the oldest change kept: nothing, but a cursor to follow.
    let page = app.get_json("/api/v1/changes", &township).await;
    assert_eq!(page["items"], json!([]));
    assert_eq!(page["next_cursor"], json!(head(&app, &township).await));
}

#[tokio::test]
async fn graphql_follows_the_same_feed_with_the_records_selected() {
    let (app, township) = TestApp::spawn_as("township").await;
    let start = head(&app, &township).await;
    let (child, path) = app.register_child(&township, child_body("图谱", 11)).await;
    app.patch_ok(&path, &township, 1, &json!({"grade": "三年级"})).await;
    let query = "query($a: String, $t: [ChangeType!]) { changes(after: $a, types: $t, first: 1) {
        nextCursor pageInfo { hasNextPage endCursor }
        edges { cursor node { position type id version action changed record { ... on Child { name grade } } } } } }";
    let res = app.gql(&township, query, json!({"a": start, "t": ["CHILD"]})).await;
    let feed = &res["data"]["changes"];
    assert_eq!(feed["edges"].as_array().unwrap().len(), 1, "{res}");
    let node = &feed["edges"][0]["node"];
    assert_eq!(node["type"], "CHILD");
    assert_eq!(node["action"], "CREATED");
    assert_eq!(node["id"], child["id"]);
    assert_eq!(node["record"]["grade"], "三年级");
    assert_eq!(feed["pageInfo"]["hasNextPage"], true);
    assert_eq!(feed["nextCursor"], feed["edges"][0]["cursor"]);
    // REST's cursor works as `after`, and the next page holds the update.
    let res = app
        .gql(&township, query, json!({"a": feed["nextCursor"], "t": ["CHILD"]}))
        .await;
    let node = &res["data"]["changes"]["edges"][0]["node"];
    assert_eq!(node["action"], "UPDATED");
    assert_eq!(node["changed"], json!(["grade"]));
    assert_eq!(node["version"], 2);
    let res = app
        .gql(&township, "{ changes(after: \"nope\") { nextCursor } }", json!({}))
        .await;
    assert_eq!(gql_code(&res), "VALIDATION");
    // No type at all is refused, as REST refuses `types=`.
    let res = app
        .gql(&township, "{ changes(types: []) { nextCursor } }", json!({}))
        .await;
    assert_eq!(gql_code(&res), "VALIDATION");
    assert_eq!(res["errors"][0]["extensions"]["fields"][0]["field"], "types", "{res}");
    let res = app.get("/api/v1/changes?types=", &township).await;
    assert_only_field(&problem(res, StatusCode::BAD_REQUEST).await, "types", "invalid_value");
    let res = app.gql(&township, "{ changesHead }", json!({})).await;
    assert_eq!(res["data"]["changesHead"], json!(head(&app, &township).await));
}

/// A GraphQL request to the server at `base`.
async fn gql_at(client: &reqwest::Client, base: &str, token: &str, query: &str, variables: Value) -> Value {
    let res = client
        .post(format!("{base}/graphql"))
        .bearer_auth(token)
        .json(&json!({"query": query, "variables": variables}))
        .send()
        .await
        .unwrap();
    res.json().await.unwrap()
}

/// A consumer polling the children's feed on `base` as fast as it can from
/// `cursor` while `writers` write, then to the end; returns what it saw and
/// what the writers acknowledged.
async fn poll_while_they_write<T: Send + 'static>(
    app: &TestApp,
    base: &str,
    token: &str,
    mut cursor: String,
    writers: Vec<tokio::task::JoinHandle<Vec<T>>>,
) -> (Vec<Value>, Vec<T>) {
    let mut seen = Vec::new();
    while !writers.iter().all(|w| w.is_finished()) {
        let page = app
            .client
            .get(format!("{base}/api/v1/changes?after={cursor}&types=child&limit=5"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), StatusCode::OK);
        let page: Value = page.json().await.unwrap();
        seen.extend(page["items"].as_array().unwrap().clone());
        cursor = page["next_cursor"].as_str().unwrap().to_owned();
    }
    let mut acknowledged = Vec::new();
    for w in writers {
        acknowledged.extend(w.await.unwrap());
    }
    let (rest, _) = follow(app, &app.base, token, Some(&cursor), "&types=child").await;
    seen.extend(rest);
    (seen, acknowledged)
}

/// One writer's work: registers children and changes and archives them, over
/// REST and GraphQL in turn; returns every acknowledged (id, version).
async fn write_for_a_while(base: String, token: String, writer: u16) -> Vec<(String, i64)> {
    let client = reqwest::Client::new();
    let mut acknowledged = Vec::new();
    // For three seconds (at least two rounds, at most 55: the ID numbers' sequence codes run out).
    let until = std::time::Instant::now() + std::time::Duration::from_secs(3);
    for round in 0..55u16 {
        if round >= 2 && std::time::Instant::now() >= until {
            break;
        }
        let seq = 20 + writer * 55 + round;
        let body = child_body(&format!("并发{writer}_{round}"), seq);
        let id = if round % 2 == 0 {
            let res = client
                .post(format!("{base}/api/v1/children"))
                .bearer_auth(&token)
                .json(&body)
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), StatusCode::CREATED);
            let created: Value = res.json().await.unwrap();
            created["id"].as_str().unwrap().to_owned()
        } else {
            let input = json!({
                "name": body["name"], "gender": "MALE", "birthDate": body["birth_date"],
                "idNumber": body["id_number"], "regionCode": body["region_code"],
                "leftBehindType": "BOTH_PARENTS_AWAY", "schoolStage": "PRIMARY", "schoolStatus": "ENROLLED",
            });
            let res = gql_at(
                &client,
                &base,
                &token,
                "mutation($i: CreateChildInput!) { createChild(input: $i) { id } }",
                json!({"i": input}),
            )
            .await;
            res["data"]["createChild"]["id"]
                .as_str()
                .unwrap_or_else(|| panic!("{res}"))
                .to_owned()
        };
        acknowledged.push((id.clone(), 1));
        for version in 1..3 {
            let res = client
                .patch(format!("{base}/api/v1/children/{id}"))
                .bearer_auth(&token)
                .header("If-Match", format!("\"{version}\""))
                .header("Content-Type", "application/merge-patch+json")
                .body(json!({"grade": format!("{version}年级")}).to_string())
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), StatusCode::OK);
            acknowledged.push((id.clone(), version + 1));
        }
        let archive = "mutation($id: ID!) { archiveChild(id: $id, expectedVersion: 3) { version } }";
        let res = gql_at(&client, &base, &token, archive, json!({"id": id})).await;
        assert_eq!(res["data"]["archiveChild"]["version"], 4, "{res}");
        acknowledged.push((id, 4));
    }
    acknowledged
}

#[tokio::test]
async fn concurrent_writers_never_make_a_polling_consumer_skip_or_repeat_a_change() {
    // Nine clients on one token for seconds: more than its rate limit allows.
    let app = TestApp::spawn_with(|s| s.serve.rate_limit_per_minute = 0).await;
    let township = app.token("township").await;
    let start = head(&app, &township).await;
    // On PostgreSQL half the writers and the consumer go through a second replica.
    let other = if app.on_postgres() {
        app.replica().await
    } else {
        app.base.clone()
    };
    let writers: Vec<_> = (0..8u16)
        .map(|w| {
            let base = if w % 2 == 0 { app.base.clone() } else { other.clone() };
            tokio::spawn(write_for_a_while(base, township.clone(), w))
        })
        .collect();
    let (seen, acknowledged) = poll_while_they_write(&app, &other, &township, start, writers).await;

    let got: Vec<(String, i64)> = seen
        .iter()
        .map(|i| (i["id"].as_str().unwrap().to_owned(), i["version"].as_i64().unwrap()))
        .collect();
    let unique: HashSet<&(String, i64)> = got.iter().collect();
    assert_eq!(unique.len(), got.len(), "a change was listed twice");
    let expected: HashSet<&(String, i64)> = acknowledged.iter().collect();
    assert_eq!(unique, expected, "every acknowledged write, and nothing else");
    let mut last: HashMap<&str, i64> = HashMap::new();
    for (id, version) in &got {
        let before = last.insert(id, *version).unwrap_or(0);
        assert!(*version > before, "{id}: version {version} after {before}");
    }
    let positions: Vec<u64> = seen.iter().map(position).collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]));
    // Eight writers, each a create (REST or GraphQL), two patches and an archive a round, for three seconds.
    assert!(acknowledged.len() >= 8 * 2 * 4, "{}", acknowledged.len());
    eprintln!(
        "{} acknowledged writes by 8 writers, each seen once",
        acknowledged.len()
    );
}

/// Patches the record at `path` on `base` until `wanted` of its patches were
/// acknowledged, reading it again after each 412; returns the versions made.
async fn race_on(base: String, token: String, path: String, wanted: usize) -> Vec<i64> {
    let client = reqwest::Client::new();
    let mut made = Vec::new();
    while made.len() < wanted {
        let res = client
            .get(format!("{base}{path}"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let version = res.json::<Value>().await.unwrap()["version"].as_i64().unwrap();
        let res = client
            .patch(format!("{base}{path}"))
            .bearer_auth(&token)
            .header("If-Match", format!("\"{version}\""))
            .header("Content-Type", "application/merge-patch+json")
            .body(json!({"grade": format!("{version}年级")}).to_string())
            .send()
            .await
            .unwrap();
        match res.status() {
            StatusCode::OK => made.push(res.json::<Value>().await.unwrap()["version"].as_i64().unwrap()),
            StatusCode::PRECONDITION_FAILED => {}
            status => panic!("patch of version {version}: {status}"),
        }
    }
    made
}

#[tokio::test]
async fn writers_racing_on_one_record_never_make_a_consumer_see_its_versions_out_of_order() {
    let (app, township) = TestApp::spawn_as("township").await;
    let start = head(&app, &township).await;
    let (child, path) = app.register_child(&township, child_body("抢写", 12)).await;
    let other = if app.on_postgres() {
        app.replica().await
    } else {
        app.base.clone()
    };
    // Six writers patch the one child at once, each as soon as it has read its version.
    let writers: Vec<_> = (0..6)
        .map(|w| {
            let base = if w % 2 == 0 { app.base.clone() } else { other.clone() };
            tokio::spawn(race_on(base, township.clone(), path.clone(), 8))
        })
        .collect();
    let (seen, mut acknowledged) = poll_while_they_write(&app, &other, &township, start, writers).await;

    acknowledged.sort_unstable();
    let made: Vec<i64> = (2..=49).collect();
    assert_eq!(acknowledged, made, "each acknowledged patch made its own version");
    assert!(seen.iter().all(|i| i["id"] == child["id"]), "{seen:?}");
    let versions: Vec<i64> = seen.iter().map(|i| i["version"].as_i64().unwrap()).collect();
    let every: Vec<i64> = (1..=49).collect();
    assert_eq!(versions, every, "every version once, in the order they were made");
    let positions: Vec<u64> = seen.iter().map(position).collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{positions:?}");
}

#[tokio::test]
async fn a_page_of_changes_costs_the_same_statements_whatever_its_size() {
    let (app, township) = TestApp::spawn_as("township").await;
    let start = head(&app, &township).await;
    // Children and guardians in turn, so that every page holds both kinds.
    for seq in 0..40 {
        app.register_child(&township, child_body("成本", 100 + seq)).await;
        app.create(
            "/api/v1/guardians",
            &township,
            json!({"name": "成本家长", "region_code": "522631101201", "is_working_away": true, "guardianship_capable": true}),
        )
        .await;
    }
    // The first read after writes gives their positions (a few statements more, once).
    head(&app, &township).await;
    let mut rest = Vec::new();
    for limit in [4, 40, 80] {
        let path = format!("/api/v1/changes?after={start}&limit={limit}");
        let before = app.queries().await;
        let page = app.get_json(&path, &township).await;
        rest.push(app.queries().await - before);
        assert_eq!(len_of(&page["items"]), limit);
    }
    assert!(
        rest.windows(2).all(|w| w[0] == w[1]),
        "REST statements per page of 4, 40, 80: {rest:?}"
    );
    let costs = app
        .page_costs(
            &township,
            "changes",
            &[4, 40, 80],
            |n| {
                format!(
                    "{{ changes(after: \"{start}\", first: {n}) {{ edges {{ node {{ position action record {{ ... on Child {{ name status guarantees {{ education }} }} ... on Guardian {{ name }} }} }} }} }} }}"
                )
            },
            |_, edges| assert!(edges.iter().all(|e| e["node"]["record"].is_object())),
        )
        .await;
    assert!(
        costs.windows(2).all(|w| w[0] == w[1]),
        "GraphQL statements per page of 4, 40, 80: {costs:?}"
    );
}
