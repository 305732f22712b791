use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{TestApp, child_body, len_of, strs_of};

const CREATE: &str = "mutation($input: CreateChildInput!) { createChild(input: $input) { id version name gender leftBehindType idNumber status } }";

#[tokio::test]
async fn graphql_creates_updates_and_archives_with_expected_versions() {
    let (app, token) = TestApp::spawn_as("village").await;
    let input = json!({"name": "王小明", "gender": "MALE", "birthDate": child_body("x", 1)["birth_date"], "regionCode": "522631101201",
        "leftBehindType": "BOTH_PARENTS_AWAY", "idNumber": child_body("x", 1)["id_number"]});
    let res = app.gql(&token, CREATE, json!({"input": input})).await;
    assert_eq!(res["errors"], Value::Null, "{res}");
    let child = &res["data"]["createChild"];
    assert_eq!(child["gender"], "MALE");
    assert_eq!(child["leftBehindType"], "BOTH_PARENTS_AWAY");
    assert_eq!(child["version"], 1);
    let id = child["id"].as_str().unwrap();

    // The same record through REST.
    let rest: Value = app.get_json(&format!("/api/v1/children/{id}"), &token).await;
    assert_eq!(rest["left_behind_type"], "both_parents_away");

    let update = "mutation($id: ID!, $v: Int!, $input: UpdateChildInput!) { updateChild(id: $id, expectedVersion: $v, input: $input) { version grade schoolStatus } }";
    let res = app
        .gql(
            &token,
            update,
            json!({"id": id, "v": 1, "input": {"grade": "三年级", "schoolStatus": "ENROLLED"}}),
        )
        .await;
    assert_eq!(res["data"]["updateChild"]["version"], 2, "{res}");
    assert_eq!(res["data"]["updateChild"]["schoolStatus"], "ENROLLED");
    let res = app
        .gql(&token, update, json!({"id": id, "v": 1, "input": {"grade": "四年级"}}))
        .await;
    assert_eq!(res["errors"][0]["extensions"]["code"], "VERSION_MISMATCH");
    assert_eq!(res["errors"][0]["extensions"]["currentVersion"], 2);
    // An explicit null clears the field; an absent one stays.
    let res = app
        .gql(&token, update, json!({"id": id, "v": 2, "input": {"grade": null}}))
        .await;
    assert_eq!(res["data"]["updateChild"]["grade"], Value::Null, "{res}");
    assert_eq!(res["data"]["updateChild"]["schoolStatus"], "ENROLLED");
    let res = app
        .gql(
            &token,
            "mutation($id: ID!) { archiveChild(id: $id, expectedVersion: 3) { status version } }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(res["data"]["archiveChild"]["status"], "ARCHIVED", "{res}");
}

#[tokio::test]
async fn graphql_validation_errors_name_each_field() {
    let (app, token) = TestApp::spawn_as("village").await;
    let future = (chrono::Utc::now().date_naive() + chrono::Days::new(2)).to_string();
    let input = json!({"name": "", "gender": "FEMALE", "birthDate": future, "regionCode": "522631101000",
        "leftBehindType": "ONE_PARENT_AWAY", "idNumber": "123"});
    let res = app.gql(&token, CREATE, json!({"input": input})).await;
    assert_eq!(res["data"], Value::Null);
    let ext = &res["errors"][0]["extensions"];
    assert_eq!(ext["code"], "VALIDATION");
    let fields: Vec<&str> = strs_of(&ext["fields"], "field");
    for f in ["name", "birthDate", "idNumber"] {
        assert!(fields.contains(&f), "{f} in {fields:?}");
    }
    // A value that is not a date is not a NaiveDate: refused before the resolver, coded.
    let input = json!({"name": "x", "gender": "FEMALE", "birthDate": "2016-13-01", "regionCode": "522631101000",
        "leftBehindType": "ONE_PARENT_AWAY"});
    let res = app.gql(&token, CREATE, json!({"input": input})).await;
    assert_eq!(res["data"], Value::Null, "{res}");
    assert_eq!(res["errors"][0]["extensions"]["code"], "BAD_USER_INPUT", "{res}");
    assert!(
        res["errors"][0]["message"].as_str().unwrap().contains("NaiveDate"),
        "{res}"
    );
    let res = app.gql(&token, CREATE, json!({"input": {"name": "x"}})).await;
    assert!(
        res["errors"][0]["message"].as_str().is_some(),
        "missing required input fields are refused: {res}"
    );
    let res = app.gql(&token, "{ child(id: \"nope\") { id } }", json!({})).await;
    assert_eq!(res["errors"][0]["extensions"]["code"], "NOT_FOUND");
    let partner = app.token("partner").await;
    let res = app.gql(&partner, CREATE, json!({"input": {"name": "x", "gender": "MALE", "birthDate": "2016-01-01", "regionCode": "522631101201", "leftBehindType": "ONE_PARENT_AWAY"}})).await;
    assert_eq!(res["errors"][0]["extensions"]["code"], "FORBIDDEN");
}

#[tokio::test]
async fn graphql_connections_page_with_cursors_and_filters() {
    let (app, token) = TestApp::spawn_as("township").await;
    for i in 0..5u16 {
        app.create("/api/v1/children", &token, child_body(&format!("童{i}"), 30 + i))
            .await;
    }
    let q = "query($after: String) { children(first: 2, after: $after, filter: {schoolStatus: ENROLLED}) { edges { cursor node { name } } pageInfo { hasNextPage endCursor } } }";
    let mut names = Vec::new();
    let mut after = Value::Null;
    loop {
        let res = app.gql(&token, q, json!({"after": after})).await;
        let conn = &res["data"]["children"];
        names.extend(
            conn["edges"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["node"]["name"].as_str().unwrap().to_owned()),
        );
        if conn["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = conn["pageInfo"]["endCursor"].clone();
    }
    assert_eq!(names, ["童0", "童1", "童2", "童3", "童4"]);
    let res = app
        .gql(&token, "{ children(first: 0) { edges { cursor } } }", json!({}))
        .await;
    assert_eq!(res["errors"][0]["extensions"]["code"], "VALIDATION");
    let res = app
        .gql(
            &token,
            "{ children(filter: {region: \"1\"}) { edges { cursor } } }",
            json!({}),
        )
        .await;
    assert_eq!(res["errors"][0]["extensions"]["code"], "VALIDATION");
}

#[tokio::test]
async fn a_page_of_50_children_with_guardians_costs_a_constant_number_of_queries() {
    let app = TestApp::spawn().await;
    shouhu_api::demo::load_register(&app.db).await.unwrap();
    let token = app.token("coordinator").await;
    let query = |n: usize| {
        format!(
            "{{ children(first: {n}) {{ edges {{ node {{ name guardianships {{ relationship isPrimaryCaregiver guardian {{ name phone children {{ name }} }} }} }} }} }} }}"
        )
    };
    let costs = app
        .page_costs(&token, "children", &[5, 50], query, |_, edges| {
            assert!(
                edges.iter().all(|e| len_of(&e["node"]["guardianships"]) == 2),
                "every demo child has two guardians"
            );
            let guardian = &edges[0]["node"]["guardianships"][0]["guardian"];
            assert!(guardian["name"].is_string());
            assert!(!guardian["children"].as_array().unwrap().is_empty());
        })
        .await;
    assert_eq!(costs[0], costs[1], "the cost does not grow with the page: {costs:?}");
    // Children, their guardianships, the guardians, the guardians' children, the
    // facts behind the guarantees of each level of children, and the two entries
    // of the access log for the unmasked data a coordinator sees, and the
    // check that the caller's session is still open.
    assert!(costs[1] <= 14, "a handful of queries, not one per row: {costs:?}");

    let query = |n: usize| {
        format!("{{ guardians(first: {n}) {{ edges {{ node {{ name children {{ name idNumber }} }} }} }} }}")
    };
    let costs = app
        .page_costs(&token, "guardians", &[5, 100], query, |res, edges| {
            assert!(edges.iter().all(|e| len_of(&e["node"]["children"]) == 1), "{res}");
        })
        .await;
    assert_eq!(costs[0], costs[1], "guardians with their children: {costs:?}");
}

#[tokio::test]
async fn graphql_queries_are_bounded_in_depth_aliases_size_and_batches() {
    let app = TestApp::spawn_with(|s| {
        s.serve.graphql_max_depth = 6;
        s.serve.graphql_max_directives = 1;
    })
    .await;
    let token = app.token("coordinator").await;
    let deep = "{ children { edges { node { guardianships { guardian { children { guardianships { guardian { name } } } } } } } } }";
    let res = app.gql(&token, deep, json!({})).await;
    assert!(
        res["errors"][0]["message"]
            .as_str()
            .unwrap()
            .to_lowercase()
            .contains("nested"),
        "{res}"
    );
    let aliases: String = (0..40).map(|i| format!("a{i}: regions {{ code }} ")).collect();
    let res = app.gql(&token, &format!("{{ {aliases} }}"), json!({})).await;
    assert_eq!(res["errors"][0]["extensions"]["code"], "VALIDATION");
    let res = app
        .gql(
            &token,
            "{ regions @include(if: true) @skip(if: false) { code } }",
            json!({}),
        )
        .await;
    assert!(
        res["errors"][0]["message"].as_str().is_some(),
        "too many directives: {res}"
    );
    let huge = format!("{{ regions {{ code }} }} # {}", "x".repeat(200_000));
    let res = app
        .request(Method::POST, "/graphql", &token)
        .json(&json!({"query": huge}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let res = app
        .request(Method::POST, "/graphql", &token)
        .json(&json!([{"query": "{ regions { code } }"}, {"query": "{ regions { code } }"}]))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let res = app.post_raw("/graphql", &token, "text/plain", "{}").await;
    assert_eq!(res.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let res = app.gql(&token, "{ children(first: 500) { edges { node { guardianships { guardian { children { guardianships { relationship } } } } } } } }", json!({})).await;
    assert!(res["errors"][0]["message"].as_str().is_some(), "too complex: {res}");
}

#[tokio::test]
async fn every_collection_is_reachable_through_graphql() {
    let (app, token) = TestApp::spawn_as("township").await;
    let res = app
        .gql(&token, "mutation { createGuardian(input: {name: \"王建国\", regionCode: \"522631101201\", phone: \"13812345678\", isWorkingAway: true}) { id phone isWorkingAway } }", json!({}))
        .await;
    assert_eq!(res["data"]["createGuardian"]["phone"], "13812345678", "{res}");
    let res = app
        .gql(&token, "mutation { createCareCenter(input: {name: \"亲情室\", kind: FAMILY_ROOM, regionCode: \"522631101000\", capacity: 20}) { kind capacity } }", json!({}))
        .await;
    assert_eq!(res["data"]["createCareCenter"]["kind"], "FAMILY_ROOM", "{res}");
    let res = app
        .gql(&token, "mutation { createVolunteer(input: {name: \"李老师\", category: FIVE_ELDERS, regionCode: \"522631101000\"}) { id vettingStatus } }", json!({}))
        .await;
    assert_eq!(res["data"]["createVolunteer"]["vettingStatus"], "PENDING", "{res}");
    let vid = res["data"]["createVolunteer"]["id"].clone();
    let res = app
        .gql(&token, "mutation($id: ID!) { updateVolunteer(id: $id, expectedVersion: 1, input: {vettingStatus: APPROVED}) { vettingStatus } }", json!({"id": vid}))
        .await;
    assert_eq!(res["data"]["updateVolunteer"]["vettingStatus"], "APPROVED", "{res}");
    let ahead = crate::helpers::day(40);
    let res = app
        .gql(&token, &format!("mutation {{ createTrainingSession(input: {{title: \"家长课堂\", kind: PARENT_SCHOOL_CLASS, regionCode: \"522631101000\", startsAt: \"{ahead}T02:00:00Z\"}}) {{ kind startsAt }} }}"), json!({}))
        .await;
    assert_eq!(
        res["data"]["createTrainingSession"]["startsAt"],
        format!("{ahead}T02:00:00+00:00"),
        "{res}"
    );
    let res = app
        .gql(&token, "{ guardians { edges { node { name } } } careCenters(filter: {kind: FAMILY_ROOM}) { edges { node { name } } } volunteers(filter: {vettingStatus: APPROVED}) { edges { node { name } } } trainingSessions { edges { node { title } } } regions(parent: \"522631000000\") { code level } }", json!({}))
        .await;
    assert_eq!(res["errors"], Value::Null, "{res}");
    assert_eq!(len_of(&res["data"]["guardians"]["edges"]), 1);
    assert_eq!(len_of(&res["data"]["careCenters"]["edges"]), 1);
    assert_eq!(len_of(&res["data"]["volunteers"]["edges"]), 1);
    assert_eq!(len_of(&res["data"]["trainingSessions"]["edges"]), 1);
    assert_eq!(len_of(&res["data"]["regions"]), 3);
    assert_eq!(res["data"]["regions"][0]["level"], "TOWNSHIP");
}

#[tokio::test]
async fn guardians_care_centers_and_volunteers_are_filtered_by_region_name_and_change_time_in_graphql() {
    let (app, token) = TestApp::spawn_as("admin").await;
    for (name, region) in [("王建国", "522631101201"), ("李大山", "522631102201")] {
        let res = app
            .gql(&token, &format!("mutation {{ createGuardian(input: {{name: \"{name}\", regionCode: \"{region}\"}}) {{ id }} createCareCenter(input: {{name: \"{name}之家\", kind: FAMILY_ROOM, regionCode: \"{region}\", capacity: 20}}) {{ id }} createVolunteer(input: {{name: \"{name}老师\", category: FIVE_ELDERS, regionCode: \"{region}\"}}) {{ id }} }}"), json!({}))
            .await;
        assert_eq!(res["errors"], Value::Null, "{res}");
    }
    let names = |res: &Value, list: &str| -> Vec<String> {
        res["data"][list]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["node"]["name"].as_str().unwrap().to_owned())
            .collect()
    };
    let query = "query($f: GuardianFilter, $c: CareCenterFilter, $v: VolunteerFilter) { guardians(filter: $f) { edges { node { name } } } careCenters(filter: $c) { edges { node { name } } } volunteers(filter: $v) { edges { node { name } } } }";
    let by = |filter: Value| json!({"f": filter, "c": filter, "v": filter});

    let res = app.gql(&token, query, by(json!({"q": "李"}))).await;
    assert_eq!(res["errors"], Value::Null, "{res}");
    assert_eq!(names(&res, "guardians"), ["李大山"]);
    assert_eq!(names(&res, "careCenters"), ["李大山之家"]);
    assert_eq!(names(&res, "volunteers"), ["李大山老师"]);

    let res = app.gql(&token, query, by(json!({"region": "522631101000"}))).await;
    assert_eq!(res["errors"], Value::Null, "{res}");
    assert_eq!(names(&res, "guardians"), ["王建国"]);
    assert_eq!(names(&res, "careCenters"), ["王建国之家"]);
    assert_eq!(names(&res, "volunteers"), ["王建国老师"]);

    let later = (chrono::Utc::now() + chrono::Duration::days(1)).to_rfc3339();
    let res = app
        .gql(&token, query, by(json!({"updatedSince": later, "q": "王"})))
        .await;
    assert_eq!(res["errors"], Value::Null, "{res}");
    for list in ["guardians", "careCenters", "volunteers"] {
        assert!(names(&res, list).is_empty(), "{list}: {res}");
    }
}
