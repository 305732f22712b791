//! Each role sees what its work needs: the care places that serve a village,
//! a child's enrolments wherever the place is, and nothing it cannot read.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::TestApp;

async fn place(app: &TestApp, admin: &str, name: &str, region: &str) -> String {
    app.create(
        "/api/v1/care-centers",
        admin,
        json!({"name": name, "kind": "care_center", "region_code": region}),
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn ids(list: &Value) -> Vec<String> {
    list["items"]
        .as_array()
        .unwrap_or_else(|| panic!("{list}"))
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_owned())
        .collect()
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
    let app = TestApp::spawn().await;
    let admin = app.token("admin").await;
    let township_place = place(&app, &admin, "古州镇关爱中心", "522631101000").await;
    let county_place = place(&app, &admin, "县儿童之家", "522631000000").await;
    let village_place = place(&app, &admin, "车民村儿童之家", "522631101201").await;
    let elsewhere = place(&app, &admin, "另一个镇的中心", "522631102000").await;
    let village = app.token("village").await;

    let list: Value = app.get("/api/v1/care-centers", &village).await.json().await.unwrap();
    let mut seen = ids(&list);
    seen.sort();
    let mut expected = vec![township_place.clone(), county_place.clone(), village_place.clone()];
    expected.sort();
    assert_eq!(seen, expected, "{list}");
    // A region filter narrows what serves the village to its subtree.
    let list: Value = app
        .get("/api/v1/care-centers?region=522631101000", &village)
        .await
        .json()
        .await
        .unwrap();
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
    let place: Value = app.get(&url, &admin).await.json().await.unwrap();
    assert_eq!(place["version"], 1, "nothing changed: {place}");
    let res = app
        .patch(
            &format!("/api/v1/care-centers/{township_place}"),
            &township,
            1,
            &json!({"capacity": 10}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
}
