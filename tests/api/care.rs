//! Pairings, visits and family contacts, training attendance, the five
//! guarantees and the lifecycle that follows the parents — through REST and
//! GraphQL.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{
    TestApp, assert_conflict, assert_fields, assert_only_field, child_body, day, ids, len_of, problem_fields, strs_of,
};

async fn child(app: &TestApp, token: &str, seq: u16) -> String {
    app.new_child(token, seq).await
}

async fn guardian(app: &TestApp, token: &str, name: &str, away: bool) -> String {
    app.create_id(
        "/api/v1/guardians",
        token,
        json!({"name": name, "region_code": "522631101201", "is_working_away": away, "guardianship_capable": true}),
    )
    .await
}

/// A child with two guardians: a father working away, who is no primary
/// caregiver, and `carer` (name, relationship), at home and the primary
/// caregiver. Returns the child's id, the father's and the carer's.
async fn family(app: &TestApp, token: &str, seq: u16, carer: (&str, &str)) -> (String, String, String) {
    let kid = child(app, token, seq).await;
    let father = guardian(app, token, "王建国", true).await;
    let other = guardian(app, token, carer.0, false).await;
    link(app, token, &kid, &father, "father", false).await;
    link(app, token, &kid, &other, carer.1, true).await;
    (kid, father, other)
}

/// Registers the care place `place` (a name and a kind, in township
/// 522631101000) and enrols `child` there after school since `since`.
async fn enrolled_after_school(app: &TestApp, token: &str, place: (&str, &str), child: &str, since: String) {
    let place = app
        .create_id(
            "/api/v1/care-centers",
            token,
            json!({"name": place.0, "kind": place.1, "region_code": "522631101000"}),
        )
        .await;
    app.enroll(token, &place, child, "after_school", since).await;
}

async fn link(app: &TestApp, token: &str, child: &str, guardian: &str, relationship: &str, primary: bool) -> Value {
    let mut body = json!({"guardian_id": guardian, "relationship": relationship, "is_primary_caregiver": primary});
    if primary {
        body["agreement_signed_on"] = json!(day(-270));
    }
    app.create(&format!("/api/v1/children/{child}/guardianships"), token, body)
        .await
}

#[tokio::test]
async fn volunteers_are_paired_within_vetting_and_cap_and_see_only_their_children() {
    let app = TestApp::spawn_with(|s| s.serve.max_active_pairings = 2).await;
    let township = app.token("township").await;
    let kids = [
        child(&app, &township, 1).await,
        child(&app, &township, 2).await,
        child(&app, &township, 3).await,
    ];
    let pending = app
        .create(
            "/api/v1/volunteers",
            &township,
            json!({"name": "张同学", "region_code": "522631101000", "category": "student"}),
        )
        .await;
    let res = app
        .post(
            &format!("/api/v1/volunteers/{}/pairings", pending["id"].as_str().unwrap()),
            &township,
            &json!({"child_id": kids[0], "kind": "mentor"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_only_field(&res.json().await.unwrap(), "volunteer_id", "not_approved");
    // Linking an account that is not a volunteer's is refused.
    let res = app
        .post(
            "/api/v1/volunteers",
            &township,
            &json!({"name": "王", "region_code": "522631101000", "category": "other", "account_id": app.account_id("village").await}),
        )
        .await;
    assert_only_field(&res.json().await.unwrap(), "account_id", "not_a_volunteer");

    let account = app.account_id("volunteer").await;
    let v = app.approved_volunteer(&township, Some(&account)).await;
    let me = app.token("volunteer").await;
    let list: Value = app.get_json("/api/v1/children", &me).await;
    assert!(ids(&list).is_empty(), "no pairing yet: no child");

    let path = format!("/api/v1/volunteers/{v}/pairings");
    let res = app
        .post(
            &path,
            &township,
            &json!({"child_id": kids[0], "kind": "surrogate_parent", "since": day(-90)}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    let res = app
        .post(&path, &township, &json!({"child_id": kids[0], "kind": "mentor"}))
        .await;
    assert_conflict(res, "child_id", "one active pairing per child").await;
    app.create(&path, &township, json!({"child_id": kids[1], "kind": "peer"}))
        .await;
    let res = app
        .post(&path, &township, &json!({"child_id": kids[2], "kind": "mentor"}))
        .await;
    assert_conflict(res, "volunteer_id", "the cap is 2 here").await;

    // The volunteer sees their two children, with minimal fields only.
    let list: Value = app.get_json("/api/v1/children", &me).await;
    let mut seen = ids(&list);
    seen.sort();
    let mut expected = vec![kids[0].clone(), kids[1].clone()];
    expected.sort();
    assert_eq!(seen, expected);
    let one = &list["items"][0];
    assert!(
        one["name"].is_string() && one["age"].is_u64() && one["guarantees"].is_object(),
        "{one}"
    );
    for hidden in [
        "birth_date",
        "id_number",
        "left_behind_type",
        "health_notes",
        "minimum_living_allowance",
    ] {
        assert!(one[hidden].is_null(), "{hidden} is hidden from a volunteer: {one}");
    }
    assert_eq!(
        app.get(&format!("/api/v1/children/{}", kids[2]), &me).await.status(),
        StatusCode::NOT_FOUND
    );
    let res = app
        .gql(
            &me,
            "{ children { edges { node { name birthDate guarantees { safety } } } } }",
            json!({}),
        )
        .await;
    assert_eq!(len_of(&res["data"]["children"]["edges"]), 2, "{res}");
    assert!(res["data"]["children"]["edges"][0]["node"]["birthDate"].is_null());
    assert_eq!(
        app.get(&format!("/api/v1/volunteers/{v}"), &me).await.status(),
        StatusCode::NOT_FOUND,
        "volunteers do not read the volunteer register"
    );
    // …but they see the places their children attend (the contract's "centre").
    enrolled_after_school(&app, &township, ("托管家园", "daycare_home"), &kids[1], day(-90)).await;
    let res = app
        .gql(
            &me,
            "query($c: ID!) { child(id: $c) { enrollments { kind careCenter { name } } guardianships { id } visits { id } } }",
            json!({"c": kids[1]}),
        )
        .await;
    assert_eq!(
        res["data"]["child"],
        json!({"enrollments": [{"kind": "AFTER_SCHOOL", "careCenter": {"name": "托管家园"}}], "guardianships": [], "visits": []}),
        "{res}"
    );

    // GraphQL sees the pairings from both sides.
    let res = app
        .gql(
            &township,
            "query($v: ID!, $c: ID!) { volunteer(id: $v) { pairings { kind child { name } } }
               child(id: $c) { pairings { kind volunteer { name } } } }",
            json!({"v": v, "c": kids[0]}),
        )
        .await;
    assert_eq!(len_of(&res["data"]["volunteer"]["pairings"]), 2, "{res}");
    assert_eq!(
        res["data"]["child"]["pairings"],
        json!([{"kind": "SURROGATE_PARENT", "volunteer": {"name": "李老师"}}])
    );

    // Ending keeps the history and takes the child out of the volunteer's sight at once.
    assert_eq!(
        app.delete(&location, &township, 1).await.status(),
        StatusCode::NO_CONTENT
    );
    let ended: Value = app.get_json(&location, &township).await;
    assert!(ended["ended_on"].is_string());
    let history: Value = app.get_json(&path, &township).await;
    assert_eq!(ids(&history).len(), 2);
    let of_child: Value = app
        .get_json(&format!("/api/v1/children/{}/pairings", kids[0]), &township)
        .await;
    assert_eq!(ids(&of_child).len(), 1, "the child's history too");
    assert_eq!(
        app.get(&format!("/api/v1/children/{}", kids[0]), &me).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.patch(&location, &township, 2, &json!({"notes": "x"}))
            .await
            .status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "an ended pairing is history"
    );
    // With a place free again, GraphQL pairs the third child.
    let res = app
        .gql(
            &township,
            "mutation($v: ID!, $c: ID!) { createPairing(volunteerId: $v, input: {childId: $c, kind: MENTOR}) { kind childId } }",
            json!({"v": v, "c": kids[2]}),
        )
        .await;
    assert_eq!(res["data"]["createPairing"]["kind"], "MENTOR", "{res}");

    // A suspended volunteer sees no child.
    let current: Value = app.get_json(&format!("/api/v1/volunteers/{v}"), &township).await;
    app.patch_ok(
        &format!("/api/v1/volunteers/{v}"),
        &township,
        current["version"].as_i64().unwrap(),
        &json!({"vetting_status": "suspended"}),
    )
    .await;
    let list: Value = app.get_json("/api/v1/children", &me).await;
    assert!(ids(&list).is_empty(), "{list}");

    // Another township reaches nothing of this one.
    let other = app.token("other_township").await;
    assert_eq!(app.get(&path, &other).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(app.get(&location, &other).await.status(), StatusCode::NOT_FOUND);
    let partner = app.token("partner").await;
    assert_eq!(
        app.post(&path, &partner, &json!({"child_id": kids[0], "kind": "peer"}))
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn visits_and_family_contacts_are_recorded_resolved_and_withdrawn() {
    let (app, village) = TestApp::spawn_as("village").await;
    let (kid, father, grandmother) = family(&app, &village, 40, ("李秀英", "grandmother")).await;
    let path = format!("/api/v1/children/{kid}/visits");

    let res = app
        .post(
            &path,
            &village,
            &json!({"kind": "follow_up", "mode": "home", "occurred_on": day(1), "concerns": ["fear"]}),
        )
        .await;
    assert_fields(
        &res.json().await.unwrap(),
        &[
            ("occurred_on", "in_future"),
            ("concerns", "invalid_value"),
            ("visitor", "required"),
        ],
    );
    let res = app
        .post(
            &path,
            &village,
            &json!({"kind": "family_contact", "mode": "school", "occurred_on": day(-30), "guardian_id": grandmother}),
        )
        .await;
    assert_fields(&res.json().await.unwrap(), &[("mode", "invalid_value")]);
    let res = app
        .post(
            &path,
            &village,
            &json!({"kind": "family_contact", "mode": "phone", "occurred_on": day(-30), "guardian_id": grandmother}),
        )
        .await;
    assert_only_field(&res.json().await.unwrap(), "guardian_id", "not_a_parent");
    let res = app
        .post(
            &path,
            &village,
            &json!({"kind": "family_contact", "mode": "phone", "occurred_on": day(-30)}),
        )
        .await;
    assert_only_field(&res.json().await.unwrap(), "guardian_id", "required");

    let today = chrono::Utc::now().date_naive().to_string();
    let res = app
        .post(
            &path,
            &village,
            &json!({"kind": "follow_up", "mode": "home", "occurred_on": today, "visitor": "儿童主任 杨丽",
                    "concerns": ["safety", "emotional", "safety"], "follow_up_needed": true, "notes": "放学后独自在家"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let visit = res.headers()["location"].to_str().unwrap().to_owned();
    let body: Value = res.json().await.unwrap();
    assert_eq!(
        body["concerns"],
        json!(["safety", "emotional"]),
        "a set, in a fixed order"
    );
    assert!(body["recorded_by"].is_string());
    // Centre staff record family phone calls; the education department does not record visits.
    let center = app.token("center").await;
    let contact = app
        .create(
            &path,
            &center,
            json!({"kind": "family_contact", "mode": "video", "occurred_on": today, "guardian_id": father}),
        )
        .await;
    let education = app.token("education").await;
    assert_eq!(
        app.post(
            &path,
            &education,
            &json!({"kind": "follow_up", "mode": "school", "occurred_on": today, "visitor": "x"})
        )
        .await
        .status(),
        StatusCode::FORBIDDEN
    );

    // Resolving closes the concern; withdrawing keeps the record but it counts for nothing.
    app.patch_ok(
        &visit,
        &village,
        1,
        &json!({"resolved_on": today, "follow_up_needed": false}),
    )
    .await;
    let res = app.patch(&visit, &village, 2, &json!({"kind": "family_contact"})).await;
    assert_only_field(&res.json().await.unwrap(), "kind", "read_only");
    let contact_url = format!("/api/v1/visits/{}", contact["id"].as_str().unwrap());
    assert_eq!(
        app.delete(&contact_url, &village, 1).await.status(),
        StatusCode::NO_CONTENT
    );
    let all: Value = app.get_json(&path, &village).await;
    assert_eq!(ids(&all).len(), 2, "withdrawn records stay in the list");
    assert!(all["items"][1]["withdrawn_on"].is_string());

    // GraphQL: record and read back, withdrawn ones left out of Child.visits.
    let res = app
        .gql(
            &village,
            "mutation($c: ID!, $g: ID!, $d: NaiveDate!) { createVisit(childId: $c, input: {kind: FAMILY_CONTACT, mode: PHONE, occurredOn: $d, guardianId: $g}) { kind } }",
            json!({"c": kid, "g": father, "d": today}),
        )
        .await;
    assert_eq!(res["data"]["createVisit"]["kind"], "FAMILY_CONTACT", "{res}");
    let res = app
        .gql(
            &village,
            "query($c: ID!) { child(id: $c) { visits { kind mode concerns resolvedOn guardian { name } } } }",
            json!({"c": kid}),
        )
        .await;
    let visits = res["data"]["child"]["visits"]
        .as_array()
        .unwrap_or_else(|| panic!("{res}"));
    assert_eq!(visits.len(), 2, "{res}");
    assert_eq!(visits[0]["concerns"], json!(["SAFETY", "EMOTIONAL"]));
    assert_eq!(visits[1]["guardian"]["name"], "王建国");

    let other = app.token("other_township").await;
    assert_eq!(app.get(&path, &other).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(app.get(&visit, &other).await.status(), StatusCode::NOT_FOUND);
    let volunteer = app.token("volunteer").await;
    assert_eq!(app.get(&visit, &volunteer).await.status(), StatusCode::NOT_FOUND);
}

fn guarantees(child: &Value) -> [bool; 5] {
    let g = &child["guarantees"];
    ["education", "guardianship", "safety", "affection", "activity"]
        .map(|k| g[k].as_bool().unwrap_or_else(|| panic!("guarantees.{k} in {child}")))
}

#[tokio::test]
async fn the_five_guarantees_follow_the_records_and_filter_lists() {
    let (app, township) = TestApp::spawn_as("township").await;
    let cared = child(&app, &township, 60).await;
    let alone = child(&app, &township, 61).await;
    let read = |id: String| {
        let app = &app;
        let token = township.clone();
        async move {
            app.get(&format!("/api/v1/children/{id}"), &token)
                .await
                .json::<Value>()
                .await
                .unwrap()
        }
    };
    let fresh = read(cared.clone()).await;
    assert_eq!(guarantees(&fresh), [true, false, false, false, false], "{fresh}");
    let reasons: Vec<&str> = strs_of(&fresh["guarantee_reasons"], "guarantee");
    assert_eq!(reasons, ["guardianship", "safety", "affection", "activity"]);

    // A primary caregiver with a signed agreement, a visit, a call with the father, a care place.
    let father = guardian(&app, &township, "王建国", true).await;
    let grandmother = guardian(&app, &township, "李秀英", false).await;
    link(&app, &township, &cared, &father, "father", false).await;
    link(&app, &township, &cared, &grandmother, "grandmother", true).await;
    let today = chrono::Utc::now().date_naive().to_string();
    let visits = format!("/api/v1/children/{cared}/visits");
    app.create(
        &visits,
        &township,
        json!({"kind": "follow_up", "mode": "home", "occurred_on": today, "visitor": "杨丽"}),
    )
    .await;
    app.create(
        &visits,
        &township,
        json!({"kind": "family_contact", "mode": "video", "occurred_on": today, "guardian_id": father}),
    )
    .await;
    enrolled_after_school(&app, &township, ("关爱中心", "care_center"), &cared, day(-330)).await;
    let full = read(cared.clone()).await;
    assert_eq!(guarantees(&full), [true; 5], "{full}");
    assert_eq!(full["guarantee_reasons"], json!([]));

    // An open safety concern fails safety until it is resolved.
    let concern = app
        .create(
            &visits,
            &township,
            json!({"kind": "follow_up", "mode": "school", "occurred_on": today, "visitor": "班主任", "concerns": ["safety"]}),
        )
        .await;
    let worried = read(cared.clone()).await;
    assert!(!guarantees(&worried)[2]);
    assert_eq!(
        worried["guarantee_reasons"],
        json!([{"guarantee": "safety", "code": "open_safety_concern", "reason": "a safety concern is open"}])
    );

    // The list filter agrees on both surfaces.
    for (g, expected) in [
        ("safety", vec![alone.clone(), cared.clone()]),
        ("guardianship", vec![alone.clone()]),
        ("activity", vec![alone.clone()]),
        ("education", vec![]),
    ] {
        let list: Value = app
            .get_json(&format!("/api/v1/children?guarantee_unmet={g}"), &township)
            .await;
        let mut got = ids(&list);
        got.sort();
        let mut want = expected.clone();
        want.sort();
        assert_eq!(got, want, "guarantee_unmet={g}");
        let res = app
            .gql(
                &township,
                &format!("{{ children(filter: {{guaranteeUnmet: {}}}) {{ edges {{ node {{ id guarantees {{ {g} }} }} }} }} }}", g.to_uppercase()),
                json!({}),
            )
            .await;
        let edges = res["data"]["children"]["edges"]
            .as_array()
            .unwrap_or_else(|| panic!("{res}"));
        assert_eq!(edges.len(), want.len(), "{res}");
        assert!(edges.iter().all(|e| e["node"]["guarantees"][g] == false), "{res}");
    }
    let res = app.get("/api/v1/children?guarantee_unmet=happiness", &township).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);

    app.patch_ok(
        &format!("/api/v1/visits/{}", concern["id"].as_str().unwrap()),
        &township,
        1,
        &json!({"resolved_on": today}),
    )
    .await;
    assert!(guarantees(&read(cared.clone()).await)[2]);

    // A surrogate parent gives affection; a primary caregiver who cannot act as guardian fails guardianship.
    let v = app.approved_volunteer(&township, None).await;
    app.create(
        &format!("/api/v1/volunteers/{v}/pairings"),
        &township,
        json!({"child_id": alone, "kind": "surrogate_parent"}),
    )
    .await;
    assert_eq!(
        guarantees(&read(alone.clone()).await),
        [true, false, false, true, false]
    );
    let g: Value = app
        .get_json(&format!("/api/v1/guardians/{grandmother}"), &township)
        .await;
    app.patch(
        &format!("/api/v1/guardians/{grandmother}"),
        &township,
        g["version"].as_i64().unwrap(),
        &json!({"guardianship_capable": false}),
    )
    .await;
    let res = app
        .gql(
            &township,
            "query($c: ID!) { child(id: $c) { guarantees { guardianship } guaranteeReasons { guarantee reason } } }",
            json!({"c": cared}),
        )
        .await;
    assert_eq!(
        res["data"]["child"],
        json!({"guarantees": {"guardianship": false},
               "guaranteeReasons": [{"guarantee": "GUARDIANSHIP", "reason": "the primary caregiver cannot act as guardian"}]}),
        "{res}"
    );
}

#[tokio::test]
async fn left_behind_type_and_exit_follow_the_parents() {
    let (app, village) = TestApp::spawn_as("village").await;
    let (kid, father, _) = family(&app, &village, 80, ("陈春花", "mother")).await;
    let url = format!("/api/v1/children/{kid}");

    let res = app
        .patch(&url, &village, 1, &json!({"left_behind_type": "both_parents_away"}))
        .await;
    assert_eq!(
        problem_fields(&res.json().await.unwrap()),
        vec![("left_behind_type".to_owned(), "parent_at_home".to_owned())],
        "the mother is at home"
    );
    let res = app
        .patch(&url, &village, 1, &json!({"left_behind_type": "one_parent_away"}))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["status"], "active");

    // The father comes home for good: the child is exited, without anyone editing it.
    app.patch(
        &format!("/api/v1/guardians/{father}"),
        &village,
        1,
        &json!({"is_working_away": false}),
    )
    .await;
    let now: Value = app.get_json(&url, &village).await;
    assert_eq!(now["status"], "exited", "{now}");
    assert_eq!(now["version"], 2, "the record itself did not change");
    let exited: Value = app.get_json("/api/v1/children?status=exited", &village).await;
    assert_eq!(ids(&exited), vec![kid.clone()]);
    let active: Value = app.get_json("/api/v1/children?status=active", &village).await;
    assert!(ids(&active).is_empty(), "{active}");
    let default: Value = app.get_json("/api/v1/children", &village).await;
    assert_eq!(
        ids(&default),
        vec![kid.clone()],
        "exited children stay in default lists"
    );
    let res = app
        .gql(
            &village,
            "{ children(filter: {status: EXITED}) { edges { node { status } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        res["data"]["children"]["edges"],
        json!([{"node": {"status": "EXITED"}}]),
        "{res}"
    );
    let res = app
        .patch(&url, &village, 2, &json!({"left_behind_type": "both_parents_away"}))
        .await;
    assert_only_field(&res.json().await.unwrap(), "left_behind_type", "no_parent_away");
    // Other changes to the child still go through.
    app.patch_ok(&url, &village, 2, &json!({"grade": "五年级"})).await;
}

#[tokio::test]
async fn training_attendance_within_capacity_with_check_ins_and_history() {
    let (app, township) = TestApp::spawn_as("township").await;
    let starts = chrono::Utc::now() - chrono::Duration::hours(1);
    let session = app
        .new_guardian_training(&township, "春节返乡家长监护培训", starts)
        .await;
    let sid = session["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/training-sessions/{sid}/attendance");
    let people = [
        guardian(&app, &township, "王建国", true).await,
        guardian(&app, &township, "李秀英", false).await,
        guardian(&app, &township, "陈春花", false).await,
    ];
    let register = |who: &str| json!({"attendee_kind": "guardian", "attendee_id": who});
    let res = app.post(&path, &township, &register(&people[0])).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let first = res.headers()["location"].to_str().unwrap().to_owned();
    let res = app.post(&path, &township, &register(&people[0])).await;
    assert_eq!(res.status(), StatusCode::CONFLICT, "once per session");
    let second = app.create(&path, &township, register(&people[1])).await;
    let res = app.post(&path, &township, &register(&people[2])).await;
    assert_conflict(res, "training_session_id", "two places").await;
    let second_url = format!("/api/v1/attendance/{}", second["id"].as_str().unwrap());
    assert_eq!(
        app.delete(&second_url, &township, 1).await.status(),
        StatusCode::NO_CONTENT
    );
    app.create(&path, &township, register(&people[2])).await;

    let res = app
        .post(
            &path,
            &township,
            &json!({"attendee_kind": "volunteer", "attendee_id": people[1]}),
        )
        .await;
    assert_eq!(
        problem_fields(&res.json().await.unwrap()),
        vec![("attendee_id".to_owned(), "unknown_attendee".to_owned())],
        "a guardian's id is no volunteer's"
    );
    let res = app
        .patch(
            &first,
            &township,
            1,
            &json!({"checked_in_at": (starts - chrono::Duration::days(1)).to_rfc3339()}),
        )
        .await;
    assert_only_field(&res.json().await.unwrap(), "checked_in_at", "outside_session");
    app.patch_ok(
        &first,
        &township,
        1,
        &json!({"checked_in_at": chrono::Utc::now().to_rfc3339()}),
    )
    .await;

    let list: Value = app.get_json(&path, &township).await;
    assert_eq!(ids(&list).len(), 3, "the cancelled registration stays");
    let history: Value = app
        .get_json(&format!("/api/v1/guardians/{}/attendance", people[0]), &township)
        .await;
    assert_eq!(ids(&history).len(), 1);
    assert!(history["items"][0]["checked_in_at"].is_string());

    let res = app
        .gql(
            &township,
            "query($s: ID!, $g: ID!) { trainingSession(id: $s) { attendance { attendeeKind cancelledOn guardian { name } } }
               guardian(id: $g) { trainings { checkedInAt } } }",
            json!({"s": sid, "g": people[0]}),
        )
        .await;
    assert_eq!(len_of(&res["data"]["trainingSession"]["attendance"]), 3, "{res}");
    assert_eq!(
        res["data"]["trainingSession"]["attendance"][0]["guardian"]["name"],
        "王建国"
    );
    assert!(
        res["data"]["guardian"]["trainings"][0]["checkedInAt"].is_string(),
        "{res}"
    );
    let res = app
        .gql(
            &township,
            "mutation($a: ID!) { cancelAttendance(id: $a, expectedVersion: 1) { cancelledOn } }",
            json!({"a": second["id"]}),
        )
        .await;
    assert_eq!(res["errors"][0]["extensions"]["code"], "VERSION_MISMATCH", "{res}");

    let other = app.token("other_township").await;
    assert_eq!(app.get(&path, &other).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(app.get(&first, &other).await.status(), StatusCode::NOT_FOUND);
    let education = app.token("education").await;
    assert_eq!(
        app.post(&path, &education, &register(&people[1])).await.status(),
        StatusCode::FORBIDDEN,
        "the education department reads sessions but does not run them"
    );
}

#[tokio::test]
async fn care_relations_cost_a_constant_number_of_queries_per_page() {
    let app = TestApp::spawn_with(|s| s.serve.rate_limit_per_minute = 0).await;
    shouhu_api::demo::load_register(&app.db).await.unwrap();
    let token = app.token("coordinator").await;
    let query = |n: usize| {
        format!(
            "{{ children(first: {n}) {{ edges {{ node {{ status guarantees {{ safety affection }} pairings {{ kind volunteer {{ name }} }} visits {{ kind mode }} }} }} }} }}"
        )
    };
    let costs = app.page_costs(&token, "children", &[5, 60], query, |_, _| {}).await;
    assert_eq!(costs[0], costs[1], "children with pairings and visits: {costs:?}");
    for q in [
        "{ volunteers(first: 2) { edges { node { pairings { kind child { name guarantees { activity } } } } } } }",
        "{ trainingSessions(first: 2) { edges { node { attendance { checkedInAt guardian { name } } } } } }",
    ] {
        let (res, small) = app.gql_cost(&token, q).await;
        assert!(res["errors"].is_null(), "{res}");
        let (res, large) = app.gql_cost(&token, &q.replace("first: 2", "first: 10")).await;
        assert!(res["errors"].is_null(), "{res}");
        assert_eq!(small, large, "{q}");
    }
}

#[tokio::test]
async fn the_demo_county_has_every_guarantee_met_and_unmet() {
    let app = TestApp::spawn().await;
    shouhu_api::demo::load_register(&app.db).await.unwrap();
    let token = app.token("admin").await;
    let all: Value = app.get_json("/api/v1/children?limit=500", &token).await;
    let total = ids(&all).len();
    for g in ["education", "guardianship", "safety", "affection", "activity"] {
        let unmet: Value = app
            .get_json(&format!("/api/v1/children?limit=500&guarantee_unmet={g}"), &token)
            .await;
        let n = ids(&unmet).len();
        assert!(n > 0 && n < total, "{g}: {n} of {total} unmet");
        let listed = all["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["guarantees"][g] == false)
            .count();
        assert_eq!(listed, n, "the filter and the verdicts agree on {g}");
    }
    let exited: Value = app.get_json("/api/v1/children?status=exited", &token).await;
    assert!(!ids(&exited).is_empty(), "some fathers came home");
    let res = app
        .gql(
            &token,
            "{ volunteers(filter: {vettingStatus: APPROVED}) { edges { node { pairings { kind } } } }
               trainingSessions(first: 1) { edges { node { attendance { checkedInAt } } } } }",
            json!({}),
        )
        .await;
    assert!(
        !res["data"]["volunteers"]["edges"][0]["node"]["pairings"]
            .as_array()
            .unwrap()
            .is_empty(),
        "{res}"
    );
    assert!(
        !res["data"]["trainingSessions"]["edges"][0]["node"]["attendance"]
            .as_array()
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn concurrent_pairings_never_exceed_a_volunteers_cap() {
    let app = TestApp::spawn_with(|s| s.serve.rate_limit_per_minute = 0).await;
    let township = app.token("township").await;
    let v = app.approved_volunteer(&township, None).await;
    let mut kids = Vec::new();
    for i in 0..8 {
        kids.push(child(&app, &township, 200 + i).await);
    }
    let path = format!("/api/v1/volunteers/{v}/pairings");
    let bodies: Vec<Value> = kids.iter().map(|k| json!({"child_id": k, "kind": "mentor"})).collect();
    let requests = bodies.iter().map(|b| app.post(&path, &township, b));
    let statuses: Vec<StatusCode> = futures::future::join_all(requests)
        .await
        .into_iter()
        .map(|r| r.status())
        .collect();
    let created = statuses.iter().filter(|s| **s == StatusCode::CREATED).count();
    let refused = statuses.iter().filter(|s| **s == StatusCode::CONFLICT).count();
    assert_eq!((created, refused), (5, 3), "the default cap is 5: {statuses:?}");
}

#[tokio::test]
async fn demo_names_agree_with_the_gender_on_record() {
    use shouhu_api::demo::{BOYS_GIVEN, GIRLS_GIVEN, MEN_GIVEN, WOMEN_GIVEN};
    let app = TestApp::spawn().await;
    shouhu_api::demo::load_register(&app.db).await.unwrap();
    let token = app.token("admin").await;
    let given = |name: &str| name.chars().skip(1).collect::<String>();
    for (path, male, female) in [
        ("/api/v1/children?limit=500", BOYS_GIVEN, GIRLS_GIVEN),
        ("/api/v1/guardians?limit=500", MEN_GIVEN, WOMEN_GIVEN),
    ] {
        let page: Value = app.get_json(path, &token).await;
        let items = page["items"].as_array().unwrap();
        assert!(items.len() > 100, "{path}");
        for item in items {
            let name = given(item["name"].as_str().unwrap());
            let names = if item["gender"] == "male" { male } else { female };
            assert!(
                names.contains(&name.as_str()),
                "{path}: {} is {}",
                item["name"],
                item["gender"]
            );
        }
    }
}

#[tokio::test]
async fn a_status_that_follows_from_the_records_cannot_be_patched_away() {
    let (app, village) = TestApp::spawn_as("village").await;
    let kid = child(&app, &village, 81).await;
    let father = guardian(&app, &village, "王建国", false).await;
    link(&app, &village, &kid, &father, "father", true).await;
    let url = format!("/api/v1/children/{kid}");
    let now: Value = app.get_json(&url, &village).await;
    assert_eq!(now["status"], "exited", "the only parent on record is home");
    let res = app.patch(&url, &village, 1, &json!({"status": "active"})).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_only_field(&res.json().await.unwrap(), "status", "derived_status");
    let res = app
        .gql(
            &village,
            "mutation($id: ID!) { updateChild(id: $id, expectedVersion: 1, input: {status: ACTIVE}) { status } }",
            json!({"id": kid}),
        )
        .await;
    assert_eq!(
        res["errors"][0]["extensions"]["fields"][0]["code"], "derived_status",
        "{res}"
    );

    // Sixteen and older: aged out, whatever is sent.
    let born = crate::helpers::today() - chrono::Duration::days(365 * 16 + 30);
    let mut body = child_body("年长", 82);
    body["birth_date"] = json!(born.to_string());
    body["id_number"] = json!(shouhu_domain::id_number::compose(
        "522631",
        born,
        164,
        shouhu_domain::enums::Gender::Male
    ));
    let older = app.create("/api/v1/children", &village, body).await;
    assert_eq!(older["status"], "aged_out");
    let path = format!("/api/v1/children/{}", older["id"].as_str().unwrap());
    for status in ["active", "exited"] {
        let res = app.patch(&path, &village, 1, &json!({"status": status})).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{status}");
        assert_only_field(&res.json().await.unwrap(), "status", "derived_status");
    }
    // What may be set still is.
    let away = guardian(&app, &village, "李志强", true).await;
    link(&app, &village, &kid, &away, "mother", false).await;
    app.patch_ok(&url, &village, 1, &json!({"status": "exited"})).await;
}

#[tokio::test]
async fn unmet_guarantees_carry_a_stable_code_beside_the_reason_on_both_apis() {
    let (app, village) = TestApp::spawn_as("village").await;
    let kid = child(&app, &village, 91).await;
    let rest: Value = app.get_json(&format!("/api/v1/children/{kid}"), &village).await;
    let codes: Vec<(&str, &str)> = rest["guarantee_reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["guarantee"].as_str().unwrap(), r["code"].as_str().unwrap()))
        .collect();
    assert_eq!(
        codes,
        vec![
            ("guardianship", "no_primary_caregiver"),
            ("safety", "no_recent_visit"),
            ("affection", "no_recent_parent_contact"),
            ("activity", "not_enrolled"),
        ],
        "{rest}"
    );
    let res = app
        .gql(
            &village,
            "query($c: ID!) { child(id: $c) { guaranteeReasons { guarantee code } } }",
            json!({"c": kid}),
        )
        .await;
    assert_eq!(
        res["data"]["child"]["guaranteeReasons"][1],
        json!({"guarantee": "SAFETY", "code": "no_recent_visit"}),
        "{res}"
    );
}
