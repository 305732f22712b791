use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{
    TestApp, assert_fields, assert_only_field, birth_date, child_body, ids, len_of, problem, problem_fields,
};

#[tokio::test]
async fn registering_a_child_returns_201_with_location_and_etag_and_it_reads_back() {
    let (app, token) = TestApp::spawn_as("village").await;
    let res = app.post("/api/v1/children", &token, &child_body("王小明", 1)).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(res.headers()["etag"], "\"1\"");
    let created: Value = res.json().await.unwrap();
    assert_eq!(
        location,
        format!("/api/v1/children/{}", created["id"].as_str().unwrap())
    );
    assert_eq!(created["version"], 1);
    assert_eq!(created["status"], "active");
    assert_eq!(created["boarding"], false);
    let res = app.get(&location, &token).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["etag"], "\"1\"");
    let read: Value = res.json().await.unwrap();
    assert_eq!(read, created);
    let uuid = uuid::Uuid::parse_str(read["id"].as_str().unwrap()).unwrap();
    assert_eq!(uuid.get_version_num(), 7);
}

#[tokio::test]
async fn every_invalid_field_is_named_in_one_422() {
    let (app, token) = TestApp::spawn_as("village").await;
    let invalid = json!({"name": " ", "gender": "boy", "birth_date": "2016-02-30", "id_number": "110105194912310021",
                         "region_code": "52263110120", "left_behind_type": 3, "school_stage": "college", "id": "x", "colour": "red"});
    let res = app.post("/api/v1/children", &token, &invalid).await;
    let body = problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_fields(
        &body,
        &[
            ("name", "blank"),
            ("gender", "invalid_value"),
            ("birth_date", "invalid_date"),
            ("id_number", "invalid_check_digit"),
            ("region_code", "invalid_format"),
            ("left_behind_type", "invalid_type"),
            ("school_stage", "invalid_value"),
            ("id", "read_only"),
            ("colour", "unknown_field"),
        ],
    );
    assert_eq!(body["status"], 422);
}

#[tokio::test]
async fn the_id_number_must_agree_with_birth_date_and_gender_and_be_unique() {
    let (app, token) = TestApp::spawn_as("village").await;
    let mut body = child_body("李雨桐", 2);
    body["birth_date"] = json!((birth_date() + chrono::Duration::days(1)).to_string());
    body["gender"] = json!("female");
    let res = app.post("/api/v1/children", &token, &body).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_fields(
        &res.json().await.unwrap(),
        &[("id_number", "birth_date_mismatch"), ("id_number", "gender_mismatch")],
    );

    app.create("/api/v1/children", &token, child_body("李雨桐", 2)).await;
    let res = app.post("/api/v1/children", &token, &child_body("李雨桐", 2)).await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert_only_field(&res.json().await.unwrap(), "id_number", "duplicate");
}

#[tokio::test]
async fn a_child_lives_in_an_existing_village_is_born_and_is_under_18() {
    let (app, token) = TestApp::spawn_as("township").await;
    let cases = [
        ("region_code", json!("522631101000"), "wrong_level"),
        ("region_code", json!("522631101299"), "unknown_region"),
        ("birth_date", json!(crate::helpers::day(1)), "in_future"),
        ("birth_date", json!("2001-01-01"), "too_old"),
    ];
    for (field, value, code) in cases {
        let mut body = child_body("张浩然", 3);
        body[field] = value;
        body.as_object_mut().unwrap().remove("id_number");
        let res = app.post("/api/v1/children", &token, &body).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{field} {code}");
        assert_fields(&res.json().await.unwrap(), &[(field, code)]);
    }
}

#[tokio::test]
async fn patch_needs_if_match_refuses_stale_versions_and_bumps_the_version() {
    let (app, token) = TestApp::spawn_as("village").await;
    let (_, path) = app.register_child(&token, child_body("陈子轩", 4)).await;
    problem(
        app.request(Method::PATCH, &path, &token)
            .json(&json!({"grade": "三年级"}))
            .send()
            .await
            .unwrap(),
        StatusCode::PRECONDITION_REQUIRED,
    )
    .await;
    let res = app
        .patch(
            &path,
            &token,
            1,
            &json!({"grade": "三年级", "school_name": "古州镇中心小学"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["etag"], "\"2\"");
    let patched: Value = res.json().await.unwrap();
    assert_eq!(patched["version"], 2);
    assert_eq!(patched["grade"], "三年级");
    assert_eq!(patched["name"], "陈子轩");
    let res = app.patch(&path, &token, 1, &json!({"grade": "四年级"})).await;
    assert_eq!(res.status(), StatusCode::PRECONDITION_FAILED);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["current_version"], 2);
    // null clears an optional field (JSON merge patch)
    app.patch_ok(&path, &token, 2, &json!({"grade": null})).await;
    let after: Value = app.get_json(&path, &token).await;
    assert_eq!(after["grade"], Value::Null);
    assert_eq!(after["version"], 3);
    let res = app.patch_if_match(&path, &token, "*", &json!({})).await;
    assert_eq!(res.status(), StatusCode::OK, "* matches the current version");
    assert_eq!(res.headers()["etag"], "\"3\"", "an empty patch changes nothing");
    let res = app.patch_if_match(&path, &token, "3", &json!({})).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST, "an ETag is quoted");
    // If-Match compares strongly: a weak tag never matches, even of the current version.
    let res = app
        .patch_if_match(&path, &token, "W/\"3\"", &json!({"grade": "五年级"}))
        .await;
    assert_eq!(res.status(), StatusCode::PRECONDITION_FAILED);
    // A list matches when it names the current version; `*` matches whatever is current.
    let res = app
        .patch_if_match(&path, &token, "\"1\", W/\"2\", \"3\"", &json!({"grade": "五年级"}))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["etag"], "\"4\"");
    let res = app
        .patch_if_match(&path, &token, "*", &json!({"grade": "六年级"}))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["etag"], "\"5\"");
    let res = app
        .patch_if_match(&path, &token, "\"1\", \"2\"", &json!({"grade": "七年级"}))
        .await;
    assert_eq!(res.status(), StatusCode::PRECONDITION_FAILED);
    // An invalid patch is 422 whatever version it names.
    let res = app.patch(&path, &token, 1, &json!({"status": "gone"})).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn a_rejected_patch_changes_nothing() {
    let (app, token) = TestApp::spawn_as("village").await;
    let (child, path) = app.register_child(&token, child_body("刘思远", 5)).await;
    for body in [
        json!({"grade": "五年级", "version": 9}),
        json!({"grade": "五年级", "name": null}),
        json!({"grade": "五年级", "status": "archived"}),
        json!({"grade": "五年级", "birth_date": "2000-01-01"}),
    ] {
        let res = app.patch(&path, &token, 1, &body).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    }
    let after: Value = app.get_json(&path, &token).await;
    assert_eq!(after, child);
}

#[tokio::test]
async fn malformed_requests_are_problem_json_400_413_and_415() {
    let app = TestApp::spawn_with(|s| s.serve.max_body_bytes = 4096).await;
    let token = app.token("village").await;
    problem(
        app.post_raw("/api/v1/children", &token, "application/json", "{\"name\": ")
            .await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    problem(
        app.post_raw("/api/v1/children", &token, "text/plain", "{}").await,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
    )
    .await;
    let res = app.post("/api/v1/children", &token, &json!([1, 2])).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let big = json!({"name": "x".repeat(10_000)});
    problem(
        app.post("/api/v1/children", &token, &big).await,
        StatusCode::PAYLOAD_TOO_LARGE,
    )
    .await;
    problem(
        app.get("/api/v1/children/not-a-uuid", &token).await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    problem(
        app.get(&format!("/api/v1/children/{}", uuid::Uuid::now_v7()), &token)
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
}

#[tokio::test]
async fn an_archived_child_leaves_default_lists_but_is_kept() {
    let (app, token) = TestApp::spawn_as("village").await;
    let (child, path) = app.register_child(&token, child_body("赵可馨", 6)).await;
    let id = child["id"].as_str().unwrap();
    let res = app.request(Method::DELETE, &path, &token).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::PRECONDITION_REQUIRED);
    let res = app.delete(&path, &token, 1).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let list: Value = app.get_json("/api/v1/children", &token).await;
    assert!(list["items"].as_array().unwrap().iter().all(|c| c["id"] != id));
    let list: Value = app.get_json("/api/v1/children?status=archived", &token).await;
    assert_eq!(list["items"][0]["id"], id);
    let kept: Value = app.get_json(&path, &token).await;
    assert_eq!(kept["status"], "archived");
    assert_eq!(kept["version"], 2);
}

#[tokio::test]
async fn lists_page_by_keyset_without_gaps_or_repeats() {
    let (app, token) = TestApp::spawn_as("village").await;
    let mut ids = Vec::new();
    for i in 0..7u16 {
        ids.push(
            app.create("/api/v1/children", &token, child_body(&format!("周博文{i}"), 10 + i))
                .await["id"]
                .clone(),
        );
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/children?limit=3&cursor={c}"),
            None => "/api/v1/children?limit=3".to_owned(),
        };
        let page: Value = app.get_json(&path, &token).await;
        let items = page["items"].as_array().unwrap();
        assert!(items.len() <= 3);
        seen.extend(items.iter().map(|c| c["id"].clone()));
        if items.len() == 3 && seen.len() == 3 {
            // a record inserted after the first page appears on a later page, once
            ids.push(app.create("/api/v1/children", &token, child_body("后来者", 40)).await["id"].clone());
        }
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    assert_eq!(seen, ids);
    for bad in [
        "limit=0",
        "limit=501",
        "limit=x",
        "cursor=abc",
        "colour=red",
        "status=gone",
        "updated_since=yesterday",
        "region=123",
    ] {
        let res = app.get(&format!("/api/v1/children?{bad}"), &token).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{bad}");
        assert_eq!(res.headers()["content-type"], "application/problem+json");
        let fields = problem_fields(&res.json().await.unwrap());
        assert_eq!(fields.len(), 1, "{bad}: {fields:?}");
    }
}

#[tokio::test]
async fn lists_filter_by_status_fields_name_region_and_update_time() {
    let (app, token) = TestApp::spawn_as("township").await;
    let a = app.create("/api/v1/children", &token, child_body("王一", 20)).await;
    let mut other = child_body("李二", 21);
    other["school_status"] = json!("dropped_out");
    other["region_code"] = json!("522631101202");
    other["left_behind_type"] = json!("one_parent_away");
    let b = app.create("/api/v1/children", &token, other).await;
    let since = format!(
        "updated_since={}",
        b["updated_at"].as_str().unwrap().replace('+', "%2B")
    );
    let (a, b) = (a["id"].as_str().unwrap(), b["id"].as_str().unwrap());
    let cases: [(&str, Vec<&str>); 6] = [
        ("school_status=dropped_out", vec![b]),
        ("left_behind_type=both_parents_away", vec![a]),
        ("q=%E7%8E%8B", vec![a]),
        ("region=522631101202", vec![b]),
        (&since, vec![b]),
        ("q=%25", vec![]),
    ];
    for (filter, expected) in cases {
        let list = app.get_json(&format!("/api/v1/children?{filter}"), &token).await;
        assert_eq!(ids(&list), expected, "{filter}");
    }
}

#[tokio::test]
async fn the_largest_page_is_configurable_on_both_surfaces() {
    let app = TestApp::spawn_with(|s| s.serve.max_page_size = 3).await;
    let token = app.token("village").await;
    for i in 0..4u16 {
        app.create("/api/v1/children", &token, child_body(&format!("页{i}"), 50 + i))
            .await;
    }
    let page: Value = app.get_json("/api/v1/children", &token).await;
    assert_eq!(len_of(&page["items"]), 3, "the default page shrinks to the maximum");
    assert_eq!(
        app.get("/api/v1/children?limit=4", &token).await.status(),
        StatusCode::BAD_REQUEST
    );
    let res = app
        .gql(&token, "{ children(first: 4) { edges { cursor } } }", json!({}))
        .await;
    assert_eq!(res["errors"][0]["extensions"]["code"], "VALIDATION");
}

#[tokio::test]
async fn a_child_of_16_is_aged_out_without_anyone_editing_the_record() {
    let (app, token) = TestApp::spawn_as("village").await;
    let today = chrono::Utc::now().date_naive();
    let sixteen = shouhu_domain::child::aged_out_born_by(today);
    let almost = sixteen.succ_opt().unwrap();
    let make = |name: &str, birth: chrono::NaiveDate| {
        let mut body = child_body(name, 0);
        body.as_object_mut().unwrap().remove("id_number");
        body["birth_date"] = json!(birth.to_string());
        body
    };
    let old = app.create("/api/v1/children", &token, make("满十六", sixteen)).await;
    let young = app.create("/api/v1/children", &token, make("差一天", almost)).await;
    assert_eq!(old["status"], "aged_out", "derived at once");
    assert_eq!(young["status"], "active");
    assert_eq!(
        ids(&app.get_json("/api/v1/children", &token).await),
        vec![young["id"].as_str().unwrap()]
    );
    assert_eq!(
        ids(&app.get_json("/api/v1/children?status=active", &token).await),
        vec![young["id"].as_str().unwrap()]
    );
    assert_eq!(
        ids(&app.get_json("/api/v1/children?status=aged_out", &token).await),
        vec![old["id"].as_str().unwrap()]
    );
    let read: Value = app
        .get_json(&format!("/api/v1/children/{}", old["id"].as_str().unwrap()), &token)
        .await;
    assert_eq!(read["status"], "aged_out");
    assert_eq!(read["version"], 1, "nobody edited it");
    let res = app
        .gql(
            &token,
            "{ children(filter: {status: AGED_OUT}) { edges { node { name status } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        res["data"]["children"]["edges"],
        json!([{"node": {"name": "满十六", "status": "AGED_OUT"}}])
    );
}

#[tokio::test]
async fn a_childs_write_reads_its_guarantee_facts_once_whatever_fields_it_changes() {
    let (app, admin) = TestApp::spawn_as("admin").await;
    let (child, path) = app.register_child(&admin, child_body("王小明", 41)).await;
    let mut version = child["version"].as_i64().unwrap();
    let mut cost = |body: serde_json::Value| {
        let app = &app;
        let admin = admin.clone();
        let path = path.clone();
        let v = version;
        version += 1;
        async move {
            let before = app.queries().await;
            let res = app.patch(&path, &admin, v, &body).await;
            assert_eq!(res.status(), StatusCode::OK, "{body}");
            app.queries().await - before
        }
    };
    // A change checked against the facts (the type against the parents on
    // record) costs what a change of a plain field costs: the facts the
    // check reads are the ones the answer's guarantees come from.
    let plain = cost(json!({"school_name": "示范小学"})).await;
    let checked = cost(json!({"left_behind_type": "one_parent_away"})).await;
    assert_eq!(checked, plain);
}
