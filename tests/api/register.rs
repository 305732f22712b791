use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_fields, assert_only_field, day, len_of, midnight};

#[tokio::test]
async fn guardians_validate_phones_and_id_numbers_and_mask_them() {
    let (app, village) = TestApp::spawn_as("village").await;
    let res = app
        .post("/api/v1/guardians", &village, &json!({"name": "王建国", "phone": "12345", "id_number": "11010519491231002X", "gender": "male", "region_code": "522631101201"}))
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_fields(
        &res.json().await.unwrap(),
        &[("phone", "invalid_phone"), ("id_number", "gender_mismatch")],
    );
    let g = app
        .create("/api/v1/guardians", &village, json!({"name": "王建国", "phone": "+86 138-1234-5678", "gender": "female",
            "id_number": "11010519491231002x", "region_code": "522631101201", "is_working_away": true, "work_location": "广东省东莞市"}))
        .await;
    assert_eq!(g["phone"], "13812345678");
    assert_eq!(g["working_away_since"], Value::Null);
    assert_eq!(g["id_number"], "11010519491231002X");
    assert_eq!(g["guardianship_capable"], true);
    let partner = app.token("partner").await;
    let seen: Value = app
        .get_json(&format!("/api/v1/guardians/{}", g["id"].as_str().unwrap()), &partner)
        .await;
    assert_eq!(seen["phone"], "138****5678");
    assert_eq!(seen["id_number"], "110105********002X");
}

#[tokio::test]
async fn care_centers_of_every_kind_are_registered_filtered_and_bounded() {
    let (app, township) = TestApp::spawn_as("township").await;
    for kind in [
        "care_center",
        "daycare_home",
        "boarding_school",
        "family_room",
        "parent_school",
        "counseling_room",
        "children_home",
    ] {
        app.create("/api/v1/care-centers", &township, json!({"name": format!("{kind}一"), "kind": kind, "region_code": "522631101000", "capacity": 30, "address": "古州镇车民街12号"})).await;
    }
    let page: Value = app.get_json("/api/v1/care-centers?kind=family_room", &township).await;
    assert_eq!(len_of(&page["items"]), 1);
    assert_eq!(page["items"][0]["address"], "古州镇车民街12号");
    let partner = app.token("partner").await;
    let page: Value = app.get_json("/api/v1/care-centers?kind=family_room", &partner).await;
    assert_eq!(page["items"][0]["address"], "古州镇车*****");
    let res = app
        .post(
            "/api/v1/care-centers",
            &township,
            &json!({"name": "x", "kind": "hotel", "region_code": "522631101000", "capacity": -1}),
        )
        .await;
    assert_fields(
        &res.json().await.unwrap(),
        &[("kind", "invalid_value"), ("capacity", "out_of_range")],
    );
    let village = app.token("village").await;
    let res = app
        .post(
            "/api/v1/care-centers",
            &village,
            &json!({"name": "x", "kind": "care_center", "region_code": "522631101201"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn volunteer_vetting_moves_only_along_its_paths() {
    let (app, league) = TestApp::spawn_as("youth_league").await;
    let v = app
        .create(
            "/api/v1/volunteers",
            &league,
            json!({"name": "李老师", "category": "teacher", "region_code": "522631101000", "phone": "13912345678"}),
        )
        .await;
    assert_eq!(v["vetting_status"], "pending");
    let path = format!("/api/v1/volunteers/{}", v["id"].as_str().unwrap());
    app.patch_ok(&path, &league, 1, &json!({"vetting_status": "approved"}))
        .await;
    let res = app
        .patch(&path, &league, 2, &json!({"vetting_status": "pending"}))
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_only_field(&res.json().await.unwrap(), "vetting_status", "invalid_transition");
    app.patch_ok(&path, &league, 2, &json!({"vetting_status": "suspended"}))
        .await;
    let page: Value = app
        .get_json("/api/v1/volunteers?vetting_status=suspended", &league)
        .await;
    assert_eq!(page["items"][0]["id"], v["id"]);
    let res = app.get("/api/v1/volunteers?vetting_status=maybe", &league).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn training_sessions_end_after_they_start_and_filter_by_time() {
    let (app, township) = TestApp::spawn_as("township").await;
    // A session two months ahead, given in Beijing time, and one two months back.
    let ahead = day(60);
    let (starts, ends, early) = (
        format!("{ahead}T09:00:00+08:00"),
        format!("{ahead}T12:00:00+08:00"),
        format!("{ahead}T08:00:00+08:00"),
    );
    let between = midnight(30);
    let res = app
        .post(
            "/api/v1/training-sessions",
            &township,
            &json!({"title": "培训", "kind": "guardian_training", "region_code": "522631101000",
            "starts_at": starts, "ends_at": early}),
        )
        .await;
    assert_only_field(&res.json().await.unwrap(), "ends_at", "before_start");
    let s = app
        .create(
            "/api/v1/training-sessions",
            &township,
            json!({"title": "春节返乡家长监护培训", "kind": "guardian_training", "region_code": "522631101000",
            "starts_at": starts, "ends_at": ends, "capacity": 80}),
        )
        .await;
    assert_eq!(s["starts_at"], format!("{ahead}T01:00:00Z"));
    app.create("/api/v1/training-sessions", &township, json!({"title": "安全教育", "kind": "safety_education", "region_code": "522631101000", "starts_at": midnight(-60)})).await;
    let page: Value = app
        .get_json(&format!("/api/v1/training-sessions?starts_from={between}"), &township)
        .await;
    assert_eq!(len_of(&page["items"]), 1);
    assert_eq!(page["items"][0]["id"], s["id"]);
    let page: Value = app
        .get_json(
            &format!("/api/v1/training-sessions?starts_before={between}&kind=safety_education"),
            &township,
        )
        .await;
    assert_eq!(len_of(&page["items"]), 1);
    let page: Value = app
        .get_json("/api/v1/training-sessions?q=%E6%98%A5%E8%8A%82", &township)
        .await;
    assert_eq!(page["items"][0]["id"], s["id"]);
}

#[tokio::test]
async fn regions_are_a_read_only_tree() {
    let (app, token) = TestApp::spawn_as("village").await;
    let top: Value = app.get_json("/api/v1/regions", &token).await;
    assert_eq!(top[0]["code"], "522631000000");
    assert_eq!(top[0]["level"], "county");
    let towns: Value = app.get_json("/api/v1/regions?parent=522631000000", &token).await;
    assert_eq!(len_of(&towns), 3);
    let villages: Value = app.get_json("/api/v1/regions?parent=522631101000", &token).await;
    assert_eq!(len_of(&villages), 4);
    assert_eq!(villages[0]["parent_code"], "522631101000");
    assert_eq!(
        app.get("/api/v1/regions?parent=12", &token).await.status(),
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        app.get("/api/v1/regions/522631101201", &token).await.status(),
        StatusCode::OK
    );
    assert_eq!(
        app.get("/api/v1/regions/522631109999", &token).await.status(),
        StatusCode::NOT_FOUND
    );
    let res = app.post("/api/v1/regions", &token, &json!({})).await;
    assert_eq!(res.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(res.headers()["allow"], "GET, HEAD");
    assert_eq!(res.headers()["content-type"], "application/problem+json");
}

#[tokio::test]
async fn regions_import_from_csv_and_reimport_updates_names() {
    let app = TestApp::spawn().await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("regions.csv");
    std::fs::write(
        &file,
        "code,name\n522632000000,新县\n522632101000,新镇\n522632101201,新村\n",
    )
    .unwrap();
    shouhu_api::cli::import_regions(&app.db, &file).await.unwrap();
    std::fs::write(&file, "code,name\n522632101201,新村改名\n").unwrap();
    shouhu_api::cli::import_regions(&app.db, &file).await.unwrap();
    let token = app.token("admin").await;
    let v: Value = app.get_json("/api/v1/regions/522632101201", &token).await;
    assert_eq!(v["name"], "新村改名");
    assert_eq!(v["level"], "village");
    std::fs::write(&file, "code,name\n5226,坏\n").unwrap();
    assert!(shouhu_api::cli::import_regions(&app.db, &file).await.is_err());
}

#[tokio::test]
async fn a_parent_working_away_records_since_when_and_the_last_visit_home() {
    let (app, village) = TestApp::spawn_as("village").await;
    let g = app
        .create(
            "/api/v1/guardians",
            &village,
            json!({"name": "王建国", "region_code": "522631101201", "is_working_away": true,
            "work_location": "广东省东莞市", "working_away_since": "2023-02-10", "last_home_visit_on": "2026-02-01"}),
        )
        .await;
    assert_eq!(g["working_away_since"], "2023-02-10");
    assert_eq!(g["last_home_visit_on"], "2026-02-01");
    let path = format!("/api/v1/guardians/{}", g["id"].as_str().unwrap());
    let res = app
        .patch(&path, &village, 1, &json!({"last_home_visit_on": "2999-01-01"}))
        .await;
    assert_only_field(&res.json().await.unwrap(), "last_home_visit_on", "in_future");
    let res = app.patch(&path, &village, 1, &json!({"is_working_away": false})).await;
    assert_only_field(&res.json().await.unwrap(), "working_away_since", "not_working_away");
    let res = app
        .patch(
            &path,
            &village,
            1,
            &json!({"is_working_away": false, "working_away_since": null}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK, "a parent who came home");
    let res = app
        .gql(
            &village,
            "query($id: ID!) { guardian(id: $id) { isWorkingAway workingAwaySince lastHomeVisitOn } }",
            json!({"id": g["id"]}),
        )
        .await;
    assert_eq!(
        res["data"]["guardian"],
        json!({"isWorkingAway": false, "workingAwaySince": null, "lastHomeVisitOn": "2026-02-01"})
    );
}
