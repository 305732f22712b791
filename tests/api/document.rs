//! The OpenAPI document and the server agree on what a request body may hold:
//! unknown fields are refused where the document says `additionalProperties:
//! false`, `null` is accepted exactly where a field is nullable, and the
//! patterns accept what the server accepts and refuse what it refuses. GraphQL
//! takes its dates as the `NaiveDate` and `DateTime` scalars.

use regex::Regex;
use reqwest::StatusCode;
use serde_json::{Map, Value, json};

use crate::helpers::{TestApp, assert_only_field, child_body, day, midnight, problem_fields, strs};

/// The served document.
async fn document(app: &TestApp, token: &str) -> Value {
    app.get_json("/api/openapi.json", token).await
}

/// A component schema of the document.
fn schema<'a>(doc: &'a Value, name: &str) -> &'a Map<String, Value> {
    doc["components"]["schemas"][name]
        .as_object()
        .unwrap_or_else(|| panic!("no schema {name}"))
}

/// Whether a property schema admits `null`.
fn nullable(property: &Value) -> bool {
    let typed = property["type"] == "null"
        || property["type"]
            .as_array()
            .is_some_and(|types| types.iter().any(|t| t == "null"));
    let one_of = property["oneOf"]
        .as_array()
        .is_some_and(|alternatives| alternatives.iter().any(|a| a["type"] == "null"));
    typed || one_of
}

/// The pattern the document gives a property, compiled.
fn pattern(doc: &Value, schema_name: &str, field: &str) -> Regex {
    let text = schema(doc, schema_name)["properties"][field]["pattern"]
        .as_str()
        .unwrap_or_else(|| panic!("{schema_name}.{field} has no pattern"));
    Regex::new(text).unwrap_or_else(|e| panic!("{schema_name}.{field}: {e}"))
}

/// The document's example of a schema.
fn example(doc: &Value, name: &str) -> Value {
    schema(doc, name)["example"].clone()
}

/// `base` with `field` set to `value`.
fn with(base: &Value, field: &str, value: Value) -> Value {
    let mut body = base.clone();
    body[field] = value;
    body
}

#[tokio::test]
async fn every_record_body_refuses_unknown_fields_and_the_document_says_additional_properties_false() {
    let (app, admin) = TestApp::spawn_as("admin").await;
    let doc = document(&app, &admin).await;
    let bodies: Vec<&String> = doc["components"]["schemas"]
        .as_object()
        .unwrap()
        .keys()
        .filter(|name| name.ends_with("Create") || name.ends_with("Patch"))
        .collect();
    assert_eq!(
        bodies.len(),
        22,
        "ten record kinds and webhook subscriptions, a create and a patch each: {bodies:?}"
    );
    for name in bodies {
        assert_eq!(
            schema(&doc, name).get("additionalProperties"),
            Some(&Value::Bool(false)),
            "{name} refuses unknown fields"
        );
    }

    let res = app
        .post(
            "/api/v1/children",
            &admin,
            &with(&child_body("王小明", 1), "colour", json!("red")),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = res.json().await.unwrap();
    assert_only_field(&body, "colour", "unknown_field");

    let (_, path) = app.register_child(&admin, child_body("王小明", 1)).await;
    let res = app
        .patch(&path, &admin, 1, &json!({"grade": "四年级", "colour": 1}))
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = res.json().await.unwrap();
    assert_only_field(&body, "colour", "unknown_field");
}

#[tokio::test]
async fn a_patch_may_send_null_exactly_for_the_fields_the_document_makes_nullable() {
    let (app, admin) = TestApp::spawn_as("admin").await;
    let doc = document(&app, &admin).await;
    let child = child_body("王小明", 1);
    let records = [
        ("/api/v1/children", "ChildPatch", child),
        (
            "/api/v1/care-centers",
            "CareCenterPatch",
            example(&doc, "CareCenterCreate"),
        ),
        ("/api/v1/guardians", "GuardianPatch", example(&doc, "GuardianCreate")),
        ("/api/v1/volunteers", "VolunteerPatch", example(&doc, "VolunteerCreate")),
    ];
    for (collection, patch, body) in records {
        let record = app.create(collection, &admin, body).await;
        let path = format!("{collection}/{}", record["id"].as_str().unwrap());
        let mut version = record["version"].as_i64().unwrap();
        for (field, property) in schema(&doc, patch)["properties"].as_object().unwrap() {
            let res = app.patch(&path, &admin, version, &json!({ field: null })).await;
            let status = res.status();
            let body: Value = res.json().await.unwrap();
            if nullable(property) {
                assert_eq!(
                    status,
                    StatusCode::OK,
                    "{patch}.{field} is nullable: null clears it: {body}"
                );
                version = body["version"].as_i64().unwrap();
            } else {
                assert_eq!(
                    status,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "{patch}.{field} is not nullable: {body}"
                );
                assert_eq!(problem_fields(&body), vec![(field.clone(), "required".to_owned())]);
            }
        }
    }
    // The case the document used to get wrong.
    let name = &schema(&doc, "ChildPatch")["properties"]["name"];
    assert!(!nullable(name), "{name}");
}

#[tokio::test]
async fn a_registration_may_send_null_exactly_for_the_optional_fields_the_document_makes_nullable() {
    let (app, admin) = TestApp::spawn_as("admin").await;
    let doc = document(&app, &admin).await;
    let create = schema(&doc, "ChildCreate");
    let required: Vec<&str> = strs(&create["required"]);
    let mut seq = 1;
    for (field, property) in create["properties"].as_object().unwrap() {
        seq += 1;
        let res = app
            .post(
                "/api/v1/children",
                &admin,
                &with(&child_body("王小明", seq), field, Value::Null),
            )
            .await;
        let status = res.status();
        let body: Value = res.json().await.unwrap();
        if nullable(property) {
            assert!(!required.contains(&field.as_str()), "{field}");
            assert_eq!(status, StatusCode::CREATED, "ChildCreate.{field} is nullable: {body}");
        } else {
            assert_eq!(
                status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "ChildCreate.{field} is not nullable: {body}"
            );
            assert!(
                problem_fields(&body).contains(&(field.clone(), "required".to_owned())),
                "ChildCreate.{field}: {body}"
            );
        }
    }
}

#[tokio::test]
async fn the_documents_text_patterns_accept_what_the_server_accepts_and_refuse_what_it_refuses() {
    let (app, admin) = TestApp::spawn_as("admin").await;
    let doc = document(&app, &admin).await;
    let fifty = "名".repeat(50);
    // Surrounding white space is trimmed before the length and the characters are checked.
    let names = [
        "王小明".to_owned(),
        format!(" {fifty}\u{3000}"),
        format!("\t{fifty}\n"),
        "王\u{200b}小明".to_owned(),
        "\u{feff}王".to_owned(),
        format!("{fifty}名"),
        String::new(),
        " \u{3000} ".to_owned(),
        "王\t小明".to_owned(),
        "王\u{85}".to_owned(),
        "王\u{7f}".to_owned(),
        "\u{1c}王".to_owned(),
    ];
    let grades = [
        "三年级".to_owned(),
        String::new(),
        "   ".to_owned(),
        "年".repeat(20),
        "年".repeat(21),
        "三\n年级".to_owned(),
    ];
    let name_pattern = pattern(&doc, "ChildCreate", "name");
    let grade_pattern = pattern(&doc, "ChildCreate", "grade");
    let mut seq = 1;
    let mut cases = Vec::new();
    for name in &names {
        cases.push(("name", name, name_pattern.is_match(name)));
    }
    for grade in &grades {
        cases.push(("grade", grade, grade_pattern.is_match(grade)));
    }
    for (field, value, documented) in cases {
        seq += 1;
        let body = with(&child_body("王小明", seq), field, json!(value));
        let res = app.post("/api/v1/children", &admin, &body).await;
        let accepted = res.status() == StatusCode::CREATED;
        let answer: Value = res.json().await.unwrap();
        assert_eq!(accepted, documented, "ChildCreate.{field} = {value:?}: {answer}");
    }

    // Phones: the pattern names the plain forms, every one of which the server takes;
    // whatever it refuses, the server refuses too.
    let phone_pattern = pattern(&doc, "GuardianCreate", "phone");
    let guardian = example(&doc, "GuardianCreate");
    for phone in [
        "13812345678",
        "+8613812345678",
        " 13812345678 ",
        "",
        "12812345678",
        "1381234567",
        "138123456789",
        "0851-8888888",
    ] {
        let res = app
            .post("/api/v1/guardians", &admin, &with(&guardian, "phone", json!(phone)))
            .await;
        let accepted = res.status() == StatusCode::CREATED;
        assert_eq!(
            accepted,
            phone_pattern.is_match(phone),
            "GuardianCreate.phone = {phone:?}"
        );
    }

    // Region codes and ID numbers: a value the pattern refuses is refused; a
    // well-formed one may still be refused (a region that does not exist, a
    // wrong check character), as the 422 says.
    let region_pattern = pattern(&doc, "ChildCreate", "region_code");
    let id_pattern = pattern(&doc, "ChildCreate", "id_number");
    for region in [
        " 522631101201 ",
        "000000000000",
        "52263110120",
        "5226311012011",
        "52263110120x",
    ] {
        seq += 1;
        let body = with(&child_body("王小明", seq), "region_code", json!(region));
        let accepted = app.post("/api/v1/children", &admin, &body).await.status() == StatusCode::CREATED;
        assert!(!accepted || region_pattern.is_match(region), "region_code {region:?}");
        assert_eq!(accepted, region == " 522631101201 ", "region_code {region:?}");
    }
    seq += 1;
    let valid = child_body("王小明", seq)["id_number"].as_str().unwrap().to_owned();
    let lower = {
        seq += 1;
        child_body("王小明", seq)["id_number"].as_str().unwrap().to_lowercase()
    };
    for id in [
        valid.clone(),
        lower,
        valid[..17].to_owned(),
        format!("{valid}0"),
        "52263120160709001Y".to_owned(),
    ] {
        assert_eq!(id_pattern.is_match(&id), id.len() == 18 && !id.ends_with('Y'), "{id}");
        let mut body = child_body("王小明", 1);
        body["id_number"] = json!(id);
        let accepted = app.post("/api/v1/children", &admin, &body).await.status() == StatusCode::CREATED;
        assert!(!accepted || id_pattern.is_match(&id), "id_number {id:?}");
    }

    // Whole numbers keep to the documented range.
    let capacity = &schema(&doc, "CareCenterCreate")["properties"]["capacity"];
    assert_eq!(
        (capacity["minimum"].as_i64(), capacity["maximum"].as_i64()),
        (Some(0), Some(100_000))
    );
    let place = example(&doc, "CareCenterCreate");
    for (n, ok) in [(-1, false), (0, true), (100_000, true), (100_001, false)] {
        let res = app
            .post("/api/v1/care-centers", &admin, &with(&place, "capacity", json!(n)))
            .await;
        assert_eq!(res.status() == StatusCode::CREATED, ok, "capacity {n}");
    }
}

#[tokio::test]
async fn graphql_takes_dates_as_naive_dates_and_instants_as_date_times_and_codes_a_bad_one() {
    let (app, admin) = TestApp::spawn_as("admin").await;
    let create = "mutation($d: NaiveDate!) { createChild(input: {name: \"王小明\", gender: MALE, birthDate: $d, \
                  regionCode: \"522631101201\", leftBehindType: BOTH_PARENTS_AWAY}) { birthDate } }";
    let birth = child_body("王小明", 1)["birth_date"].clone();
    let res = app.gql(&admin, create, json!({"d": birth})).await;
    assert_eq!(res["data"]["createChild"]["birthDate"], birth, "{res}");

    let res = app.gql(&admin, create, json!({"d": "2026-13-40"})).await;
    assert_eq!(res["data"], Value::Null, "{res}");
    assert_eq!(res["errors"][0]["extensions"]["code"], "BAD_USER_INPUT", "{res}");

    // A date the scalar takes is still checked by the same rules as over REST.
    let res = app.gql(&admin, create, json!({"d": day(3)})).await;
    assert_eq!(res["errors"][0]["extensions"]["code"], "VALIDATION", "{res}");
    assert_eq!(
        res["errors"][0]["extensions"]["fields"][0]["code"], "in_future",
        "{res}"
    );

    let session = "mutation($s: DateTime!) { createTrainingSession(input: {title: \"监护培训\", kind: GUARDIAN_TRAINING, \
                   regionCode: \"522631101000\", startsAt: $s}) { startsAt } }";
    let res = app.gql(&admin, session, json!({"s": midnight(7)})).await;
    assert!(res["data"]["createTrainingSession"]["startsAt"].is_string(), "{res}");
    let res = app.gql(&admin, session, json!({"s": "next tuesday"})).await;
    assert_eq!(res["data"], Value::Null, "{res}");
    assert_eq!(res["errors"][0]["extensions"]["code"], "BAD_USER_INPUT", "{res}");
}

#[tokio::test]
async fn every_operation_has_a_one_line_summary_a_description_and_a_verb_resource_operation_id() {
    let (app, admin) = TestApp::spawn_as("admin").await;
    let doc = document(&app, &admin).await;
    let id_shape = Regex::new(
        r"^(list|get|create|update|archive|end|cancel|withdraw|issue|login|logout|delete|retry|ping|export)(_[a-z]+)*$",
    )
    .unwrap();
    let mut ids = std::collections::BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let Some(id) = op["operationId"].as_str() else {
                continue;
            };
            let summary = op["summary"].as_str().unwrap_or_default();
            assert!(
                !summary.is_empty() && !summary.contains('\n'),
                "{method} {path}: {summary:?}"
            );
            assert!(
                op["description"]
                    .as_str()
                    .is_some_and(|d| !d.trim().is_empty() && d != summary),
                "{method} {path} has a description"
            );
            assert!(id_shape.is_match(id), "{method} {path}: {id}");
            assert!(ids.insert(id.to_owned()), "{id} is used once");
        }
    }
    assert!(ids.len() > 60, "{ids:?}");
}

#[tokio::test]
async fn every_documented_text_length_is_the_length_the_server_keeps_to() {
    let (app, admin) = TestApp::spawn_as("admin").await;
    let doc = document(&app, &admin).await;
    let bound = Regex::new(r"\{0,(\d+)\}").unwrap();
    let registers = [
        ("/api/v1/children", "ChildCreate"),
        ("/api/v1/care-centers", "CareCenterCreate"),
        ("/api/v1/guardians", "GuardianCreate"),
        ("/api/v1/volunteers", "VolunteerCreate"),
        ("/api/v1/training-sessions", "TrainingSessionCreate"),
    ];
    let mut seq = 1;
    let mut checked = 0;
    for (collection, name) in registers {
        for (field, property) in schema(&doc, name)["properties"].as_object().unwrap() {
            let Some(max) = property["pattern"]
                .as_str()
                .and_then(|p| bound.captures(p))
                .and_then(|c| c[1].parse::<usize>().ok())
                .map(|inner| inner + 2)
            else {
                continue;
            };
            for (length, fits) in [(max, true), (max + 1, false)] {
                seq += 1;
                let base = if name == "ChildCreate" {
                    child_body("王小明", seq)
                } else {
                    example(&doc, name)
                };
                let body = with(&base, field, json!("字".repeat(length)));
                let res = app.post(collection, &admin, &body).await;
                let status = res.status();
                let answer: Value = res.json().await.unwrap();
                if fits {
                    assert_eq!(status, StatusCode::CREATED, "{name}.{field} of {length}: {answer}");
                } else {
                    assert_eq!(
                        problem_fields(&answer),
                        vec![(field.clone(), "too_long".to_owned())],
                        "{name}.{field} of {length}"
                    );
                }
            }
            checked += 1;
        }
    }
    assert_eq!(checked, 14, "every bounded text field of the five registers");
}
