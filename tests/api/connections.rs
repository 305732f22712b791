//! GraphQL connections count what they hold, and nested lists stay bounded.

use serde_json::{Value, json};

use crate::helpers::{TestApp, child_body, day, gql_code, len_of};

/// Three children in village 522631101201 and one in 522631102201.
async fn four_children(app: &TestApp) -> Vec<String> {
    let village = app.token("village").await;
    let other = app.token("other_village").await;
    let mut ids = Vec::new();
    for seq in 1..=3 {
        let c = app
            .create("/api/v1/children", &village, child_body(&format!("张{seq}"), seq))
            .await;
        ids.push(c["id"].as_str().unwrap().to_owned());
    }
    let mut far = child_body("李四", 9);
    far["region_code"] = json!("522631102201");
    let c = app.create("/api/v1/children", &other, far).await;
    ids.push(c["id"].as_str().unwrap().to_owned());
    ids
}

#[tokio::test]
async fn total_count_counts_every_page_of_the_filtered_list_within_the_callers_jurisdiction() {
    let app = TestApp::spawn().await;
    four_children(&app).await;
    let query = "query($f: ChildFilter) { children(first: 1, filter: $f) { totalCount nodes { id } pageInfo { hasNextPage } } }";
    for (who, filter, expected) in [
        ("admin", json!(null), 4),
        ("township", json!(null), 3),
        ("other_township", json!(null), 1),
        ("village", json!(null), 3),
        ("admin", json!({"region": "522631102000"}), 1),
        ("township", json!({"region": "522631102000"}), 0),
        ("volunteer", json!(null), 0),
    ] {
        let token = app.token(who).await;
        let res = app.gql(&token, query, json!({ "f": filter })).await;
        assert!(res["errors"].is_null(), "{who}: {res}");
        let page = &res["data"]["children"];
        assert_eq!(page["totalCount"], expected, "{who} {filter}: {res}");
        assert_eq!(page["pageInfo"]["hasNextPage"], expected > 1, "{who}: {res}");
    }

    // Paging through gives as many as the count says.
    let admin = app.token("admin").await;
    let mut seen = 0;
    let mut after: Option<String> = None;
    loop {
        let res = app
            .gql(
                &admin,
                "query($a: String) { children(first: 3, after: $a) { totalCount nodes { id } pageInfo { hasNextPage endCursor } } }",
                json!({ "a": after }),
            )
            .await;
        let page = &res["data"]["children"];
        assert_eq!(page["totalCount"], 4, "{res}");
        seen += len_of(&page["nodes"]);
        if page["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = page["pageInfo"]["endCursor"].as_str().map(str::to_owned);
    }
    assert_eq!(seen, 4);

    // A bad filter is refused before anything is counted.
    let res = app
        .gql(
            &admin,
            "{ children(filter: {region: \"5226\"}) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(gql_code(&res), "VALIDATION", "{res}");
    // Every register connection has it.
    let res = app
        .gql(
            &admin,
            "{ guardians { totalCount } careCenters { totalCount } volunteers { totalCount } trainingSessions { totalCount } }",
            json!({}),
        )
        .await;
    assert!(res["errors"].is_null(), "{res}");
    assert_eq!(res["data"]["guardians"]["totalCount"], 0, "{res}");
}

#[tokio::test]
async fn a_nested_list_gives_at_most_first_oldest_first_and_refuses_a_first_out_of_range() {
    let (app, village) = TestApp::spawn_as("village").await;
    let kid = four_children(&app).await.remove(0);
    let mut visits = Vec::new();
    for n in 1..=3 {
        let v = app
            .create(
                &format!("/api/v1/children/{kid}/visits"),
                &village,
                json!({"kind": "follow_up", "mode": "home", "occurred_on": day(-n), "visitor": "村儿童主任"}),
            )
            .await;
        visits.push(v["id"].clone());
    }
    let query = "query($id: ID!, $n: Int) { child(id: $id) { visits(first: $n) { id } } }";
    let res = app.gql(&village, query, json!({"id": kid, "n": 2})).await;
    assert_eq!(
        res["data"]["child"]["visits"],
        json!([{"id": visits[0]}, {"id": visits[1]}]),
        "{res}"
    );
    let res = app.gql(&village, query, json!({"id": kid, "n": null})).await;
    assert_eq!(len_of(&res["data"]["child"]["visits"]), 3, "{res}");
    for n in [0, -1, 501] {
        let res = app.gql(&village, query, json!({"id": kid, "n": n})).await;
        assert_eq!(gql_code(&res), "VALIDATION", "{n}: {res}");
        assert_eq!(res["errors"][0]["extensions"]["fields"][0]["field"], "first", "{res}");
    }
}

#[tokio::test]
async fn relation_lists_page_with_limit_and_cursor_like_every_list() {
    let (app, village) = TestApp::spawn_as("village").await;
    let kid = four_children(&app).await.remove(0);
    let path = format!("/api/v1/children/{kid}/visits");
    let mut made = Vec::new();
    for n in 1..=5 {
        let v = app
            .create(
                &path,
                &village,
                json!({"kind": "follow_up", "mode": "phone", "occurred_on": day(-n), "visitor": "村儿童主任"}),
            )
            .await;
        made.push(v["id"].as_str().unwrap().to_owned());
    }
    let mut seen = Vec::new();
    let mut next = format!("{path}?limit=2");
    let mut pages = 0;
    loop {
        let res = app.get(&next, &village).await;
        assert_eq!(res.status(), reqwest::StatusCode::OK);
        let page: Value = res.json().await.unwrap();
        pages += 1;
        assert!(len_of(&page["items"]) <= 2, "{page}");
        seen.extend(
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v["id"].as_str().unwrap().to_owned()),
        );
        match page["next_cursor"].as_str() {
            Some(c) => next = format!("{path}?limit=2&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(seen, made, "every visit once, oldest first");
    assert_eq!(pages, 3);

    // Without limit: the first 50.
    let all: Value = app.get_json(&path, &village).await;
    assert_eq!(len_of(&all["items"]), 5);
    assert_eq!(all["next_cursor"], Value::Null);

    // Bad paging, or a filter this list does not have: 400 naming it.
    for (query, field, code) in [
        ("limit=0", "limit", "out_of_range"),
        ("limit=501", "limit", "out_of_range"),
        ("cursor=nope", "cursor", "invalid_cursor"),
        ("status=active", "status", "unknown_parameter"),
    ] {
        let res = app.get(&format!("{path}?{query}"), &village).await;
        assert_eq!(res.status(), reqwest::StatusCode::BAD_REQUEST, "{query}");
        let problem: Value = res.json().await.unwrap();
        assert_eq!(
            crate::helpers::problem_fields(&problem),
            vec![(field.to_owned(), code.to_owned())],
            "{query}: {problem}"
        );
    }

    // The lists of what concerns a child page the same way.
    for rel in ["enrollments", "pairings"] {
        let res = app
            .get(&format!("/api/v1/children/{kid}/{rel}?limit=1"), &village)
            .await;
        assert_eq!(res.status(), reqwest::StatusCode::OK, "{rel}");
        let page: Value = res.json().await.unwrap();
        assert!(page.get("next_cursor").is_some(), "{rel}: {page}");
    }
    // Another township's officer gets 404, as for the child itself.
    let other = app.token("other_township").await;
    assert_eq!(
        app.get(&format!("{path}?limit=2"), &other).await.status(),
        reqwest::StatusCode::NOT_FOUND
    );
}
