//! Each role sees what its work needs: the care places that serve a village,
//! a child's enrolments wherever the place is, and nothing it cannot read.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, child_body, day, enrollment, ids};

async fn place(app: &TestApp, admin: &str, name: &str, region: &str) -> String {
    app.new_care_center(admin, name, region, None).await
}

fn gql_ids(res: &Value, field: &str) -> Vec<String> {
    res["data"][field]["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("{res}"))
        .iter()
        .map(|e| e["node"]["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn a_village_officer_reads_the_care_places_of_its_township_and_county_and_changes_none_of_them() {
    let (app, admin) = TestApp::spawn_as("admin").await;
    let township_place = place(&app, &admin, "古州镇关爱中心", "522631101000").await;
    let county_place = place(&app, &admin, "县儿童之家", "522631000000").await;
    let village_place = place(&app, &admin, "车民村儿童之家", "522631101201").await;
    let elsewhere = place(&app, &admin, "另一个镇的中心", "522631102000").await;
    let village = app.token("village").await;

    let list: Value = app.get_json("/api/v1/care-centers", &village).await;
    let mut seen = ids(&list);
    seen.sort();
    let mut expected = vec![township_place.clone(), county_place.clone(), village_place.clone()];
    expected.sort();
    assert_eq!(seen, expected, "{list}");
    // A region filter narrows what serves the village to its subtree.
    let list: Value = app.get_json("/api/v1/care-centers?region=522631101000", &village).await;
    let mut seen = ids(&list);
    seen.sort();
    let mut expected = vec![township_place.clone(), village_place.clone()];
    expected.sort();
    assert_eq!(seen, expected, "{list}");
    for id in [&township_place, &county_place] {
        let res = app.get(&format!("/api/v1/care-centers/{id}"), &village).await;
        assert_eq!(res.status(), StatusCode::OK);
    }
    let res = app.get(&format!("/api/v1/care-centers/{elsewhere}"), &village).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);

    let res = app
        .gql(&village, "{ careCenters { edges { node { id } } } }", json!({}))
        .await;
    let mut seen = gql_ids(&res, "careCenters");
    seen.sort();
    let mut expected = vec![township_place.clone(), county_place.clone(), village_place.clone()];
    expected.sort();
    assert_eq!(seen, expected, "{res}");
    let res = app
        .gql(
            &village,
            "query($id: ID!) { careCenter(id: $id) { id } }",
            json!({"id": elsewhere}),
        )
        .await;
    assert_eq!(res["errors"][0]["extensions"]["code"], "NOT_FOUND", "{res}");

    // A township officer, who changes its township's places, reads the county's but changes it not.
    let township = app.token("township").await;
    let url = format!("/api/v1/care-centers/{county_place}");
    assert_eq!(app.get(&url, &township).await.status(), StatusCode::OK);
    let res = app.patch(&url, &township, 1, &json!({"capacity": 10})).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.delete(&url, &township, 1).await.status(), StatusCode::FORBIDDEN);
    let res = app
        .gql(
            &township,
            "mutation($id: ID!) { updateCareCenter(id: $id, expectedVersion: 1, input: {capacity: 10}) { id } }",
            json!({"id": county_place}),
        )
        .await;
    assert_eq!(res["errors"][0]["extensions"]["code"], "FORBIDDEN", "{res}");
    let place: Value = app.get_json(&url, &admin).await;
    assert_eq!(place["version"], 1, "nothing changed: {place}");
    app.patch_ok(
        &format!("/api/v1/care-centers/{township_place}"),
        &township,
        1,
        &json!({"capacity": 10}),
    )
    .await;
}

#[tokio::test]
async fn a_village_officer_enrols_its_child_at_its_township_and_reads_every_enrolment_of_its_children() {
    let (app, admin) = TestApp::spawn_as("admin").await;
    let township_place = place(&app, &admin, "古州镇关爱中心", "522631101000").await;
    let county_place = place(&app, &admin, "县寄宿学校", "522631000000").await;
    let elsewhere = place(&app, &admin, "另一个镇的中心", "522631102000").await;
    let village = app.token("village").await;
    let child = app.create("/api/v1/children", &village, child_body("王小明", 1)).await;
    let child = child["id"].as_str().unwrap().to_owned();

    let res = app
        .post(
            &format!("/api/v1/care-centers/{township_place}/enrollments"),
            &village,
            &enrollment(&child, "after_school", day(-30)),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED, "{}", res.text().await.unwrap());
    let res = app
        .gql(
            &village,
            "mutation($p: ID!, $c: ID!, $d: NaiveDate!) { createEnrollment(careCenterId: $p, input: {childId: $c, kind: BOARDING, since: $d}) { id careCenterId } }",
            json!({"p": county_place, "c": child, "d": day(-20)}),
        )
        .await;
    assert_eq!(
        res["data"]["createEnrollment"]["careCenterId"],
        county_place.as_str(),
        "{res}"
    );
    // A place outside the village's reach, where the child is enrolled too.
    let far = app.enroll(&admin, &elsewhere, &child, "day", day(-10)).await;
    let far = far["id"].as_str().unwrap().to_owned();

    let list: Value = app
        .get_json(&format!("/api/v1/children/{child}/enrollments"), &village)
        .await;
    let places: Vec<&str> = list["items"]
        .as_array()
        .unwrap_or_else(|| panic!("{list}"))
        .iter()
        .map(|e| e["care_center_id"].as_str().unwrap())
        .collect();
    assert_eq!(
        places,
        vec![township_place.as_str(), county_place.as_str(), elsewhere.as_str()],
        "{list}"
    );
    assert_eq!(
        app.get(&format!("/api/v1/enrollments/{far}"), &village).await.status(),
        StatusCode::OK
    );
    // The place itself stays outside the village's reach.
    assert_eq!(
        app.get(&format!("/api/v1/care-centers/{elsewhere}"), &village)
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    let res = app
        .gql(
            &village,
            "query($c: ID!) { child(id: $c) { enrollments { careCenterId } } }",
            json!({"c": child}),
        )
        .await;
    assert_eq!(
        res["data"]["child"]["enrollments"].as_array().map(Vec::len),
        Some(3),
        "{res}"
    );

    // Another village reads none of it.
    let other = app.token("other_village").await;
    assert_eq!(
        app.get(&format!("/api/v1/children/{child}/enrollments"), &other)
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get(&format!("/api/v1/enrollments/{far}"), &other).await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn what_a_role_cannot_read_is_absent_in_nested_lists_too() {
    let (app, township) = TestApp::spawn_as("township").await;
    let child = app.create("/api/v1/children", &township, child_body("李小红", 2)).await;
    let child = child["id"].as_str().unwrap().to_owned();
    let account = app.account_id("volunteer").await;
    let v = app.approved_volunteer(&township, Some(&account)).await;
    app.create(
        &format!("/api/v1/volunteers/{v}/pairings"),
        &township,
        json!({"child_id": child, "kind": "mentor"}),
    )
    .await;
    let volunteer = app.token("volunteer").await;
    // The volunteer reads its paired child, but no pairing: the list is absent, not empty.
    assert_eq!(
        app.get(&format!("/api/v1/children/{child}"), &volunteer).await.status(),
        StatusCode::OK
    );
    for path in [
        format!("/api/v1/children/{child}/pairings"),
        format!("/api/v1/children/{child}/guardianships"),
        format!("/api/v1/children/{child}/visits"),
    ] {
        let res = app.get(&path, &volunteer).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{path}");
    }
    // Its enrolments it reads (the places the child attends).
    assert_eq!(
        app.get(&format!("/api/v1/children/{child}/enrollments"), &volunteer)
            .await
            .status(),
        StatusCode::OK
    );
}
