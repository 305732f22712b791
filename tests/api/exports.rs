//! Exports (`GET /api/v1/<collection>/export`): the list's records, whole,
//! masked as the caller reads them, as CSV, xlsx or NDJSON, streamed; one
//! entry of the read log with the count.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_only_field, child_body, problem};

/// The body of a successful export, checking its headers.
async fn export(app: &TestApp, path: &str, token: &str, content_type: &str) -> Vec<u8> {
    let res = app.get(path, token).await;
    assert_eq!(res.status(), StatusCode::OK, "{path}");
    let headers = res.headers().clone();
    assert!(
        headers["content-type"].to_str().unwrap().starts_with(content_type),
        "{path}: {:?}",
        headers["content-type"]
    );
    let disposition = headers["content-disposition"].to_str().unwrap();
    assert!(disposition.starts_with("attachment; filename=\""), "{disposition}");
    assert_eq!(headers["cache-control"], "no-store");
    res.bytes().await.unwrap().to_vec()
}

/// The records of an NDJSON export.
async fn ndjson(app: &TestApp, path: &str, token: &str) -> Vec<Value> {
    let body = export(app, path, token, "application/x-ndjson").await;
    String::from_utf8(body)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

/// The rows of a CSV export, without its BOM (which it must start with).
async fn csv_rows(app: &TestApp, path: &str, token: &str) -> Vec<Vec<String>> {
    let body = export(app, path, token, "text/csv").await;
    assert!(body.starts_with(b"\xEF\xBB\xBF"), "no BOM");
    let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(&body[3..]);
    reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

/// Registers three children in the first township (one a girl, one whose
/// school name a spreadsheet would run as a formula) and one in the second.
async fn register(app: &TestApp, admin: &str) -> Vec<String> {
    let mut ids = Vec::new();
    for (seq, extra) in [
        (1, json!({})),
        (2, json!({"gender": "female", "id_number": null})),
        (3, json!({"school_name": "=HYPERLINK(\"http://x\",\"点\")"})),
        (4, json!({"region_code": "522631102201"})),
    ] {
        let mut body = child_body(&format!("导出童{seq}"), seq);
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        ids.push(app.create_id("/api/v1/children", admin, body).await);
    }
    ids
}

#[tokio::test]
async fn an_export_holds_what_the_list_holds_for_every_role() {
    let (app, admin) = TestApp::spawn_as("admin").await;
    let ids = register(&app, &admin).await;
    let account = app.account_id("volunteer").await;
    let volunteer_record = app.approved_volunteer(&admin, Some(&account)).await;
    app.create(
        &format!("/api/v1/volunteers/{volunteer_record}/pairings"),
        &admin,
        json!({"child_id": ids[0], "kind": "mentor"}),
    )
    .await;
    for role in [
        "admin",
        "coordinator",
        "education",
        "health",
        "township",
        "village",
        "center",
        "volunteer",
        "partner",
        "auditor",
    ] {
        let token = app.token(role).await;
        let list = app.get("/api/v1/children?limit=500", &token).await;
        let export = app.get("/api/v1/children/export?format=ndjson", &token).await;
        assert_eq!(export.status(), list.status(), "{role}");
        if list.status() != StatusCode::OK {
            continue;
        }
        let items = list.json::<Value>().await.unwrap()["items"].clone();
        let text = export.text().await.unwrap();
        let records: Vec<Value> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        assert_eq!(Value::Array(records), items, "{role}");
    }
    // The volunteer reads its one child, minimal, and the CSV says no more.
    let volunteer = app.token("volunteer").await;
    let rows = csv_rows(&app, "/api/v1/children/export", &volunteer).await;
    assert_eq!(rows.len(), 2, "{rows:?}");
    let birth = rows[0].iter().position(|h| h == "出生日期").unwrap();
    let id_number = rows[0].iter().position(|h| h == "身份证号").unwrap();
    assert_eq!(rows[1][birth], "");
    assert_eq!(rows[1][id_number], "");
    // The township sees its own township only.
    let township = app.token("township").await;
    let records = ndjson(&app, "/api/v1/children/export?format=ndjson", &township).await;
    assert_eq!(records.len(), 3);
}

#[tokio::test]
async fn a_csv_export_speaks_chinese_honours_the_filters_and_neutralises_formulas() {
    let (app, admin) = TestApp::spawn_as("admin").await;
    register(&app, &admin).await;
    let coordinator = app.token("coordinator").await;
    let rows = csv_rows(&app, "/api/v1/children/export", &coordinator).await;
    assert_eq!(rows.len(), 5);
    let header = &rows[0];
    for h in [
        "姓名",
        "性别",
        "身份证号",
        "出生日期",
        "所在村",
        "留守类型",
        "学段",
        "就学状态",
        "学业有教",
    ] {
        assert!(header.iter().any(|x| x == h), "{h} not in {header:?}");
    }
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let by_name = |name: &str| rows.iter().find(|r| r[col("姓名")] == name).unwrap().clone();
    let first = by_name("导出童1");
    assert_eq!(first[col("性别")], "男");
    assert_eq!(first[col("留守类型")], "父母双方外出务工");
    assert_eq!(first[col("所在村")], "522631101201");
    assert_eq!(first[col("是否寄宿")], "否");
    assert_eq!(first[col("身份证号")].len(), 18);
    assert_eq!(by_name("导出童2")[col("性别")], "女");
    assert_eq!(by_name("导出童3")[col("就读学校")], "'=HYPERLINK(\"http://x\",\"点\")");

    // English headers: the REST names and values.
    let rows = csv_rows(&app, "/api/v1/children/export?headers=en&gender=female", &coordinator).await;
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0][1], "name");
    let gender = rows[0].iter().position(|h| h == "gender").unwrap();
    assert_eq!(rows[1][gender], "female");

    // Every list filter, the region included.
    let rows = csv_rows(&app, "/api/v1/children/export?region=522631102000", &coordinator).await;
    assert_eq!(rows.len(), 2);
    let list = app
        .get_json(
            "/api/v1/children?school_stage=primary&gender=male&limit=500",
            &coordinator,
        )
        .await;
    let rows = csv_rows(
        &app,
        "/api/v1/children/export?school_stage=primary&gender=male",
        &coordinator,
    )
    .await;
    assert_eq!(rows.len() - 1, list["items"].as_array().unwrap().len());

    // The other collections export too.
    for collection in ["guardians", "care-centers", "volunteers", "training-sessions"] {
        let rows = csv_rows(&app, &format!("/api/v1/{collection}/export"), &coordinator).await;
        assert!(!rows.is_empty() && !rows[0].is_empty(), "{collection}");
    }
}

#[tokio::test]
async fn an_xlsx_export_is_one_sheet_of_the_records() {
    use calamine::{Data, Reader};
    let (app, admin) = TestApp::spawn_as("admin").await;
    register(&app, &admin).await;
    let body = export(
        &app,
        "/api/v1/children/export?format=xlsx",
        &admin,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    .await;
    let mut book: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(body)).unwrap();
    let sheet = book.worksheet_range_at(0).unwrap().unwrap();
    let rows: Vec<Vec<Data>> = sheet.rows().map(<[Data]>::to_vec).collect();
    assert_eq!(rows.len(), 5);
    let header: Vec<String> = rows[0].iter().map(ToString::to_string).collect();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let first = rows.iter().find(|r| r[col("姓名")] == "导出童1").unwrap();
    // The ID number stays text (18 digits would lose their last ones as a number).
    assert!(matches!(&first[col("身份证号")], Data::String(s) if s.len() == 18));
    assert!(matches!(first[col("出生日期")], Data::DateTime(_)));
    assert_eq!(first[col("性别")].to_string(), "男");
    // A text that looks like a formula is text in xlsx, never a formula.
    let third = rows.iter().find(|r| r[col("姓名")] == "导出童3").unwrap();
    assert!(matches!(&third[col("就读学校")], Data::String(s) if s.starts_with("=HYPERLINK")));
    let formulas = book.worksheet_formula(&book.sheet_names()[0]).unwrap();
    assert!(formulas.used_cells().all(|(_, _, f)| f.is_empty()));
}

#[tokio::test]
async fn an_export_is_one_entry_of_the_read_log_with_its_count() {
    let (app, admin) = TestApp::spawn_as("admin").await;
    let ids = register(&app, &admin).await;
    let civil = app.token("civil_affairs").await;
    let records = ndjson(&app, "/api/v1/children/export?format=ndjson", &civil).await;
    assert_eq!(records.len(), 4);
    let auditor = app.token("auditor").await;
    let log = app.get_json("/api/v1/audit-events/reads?limit=500", &auditor).await;
    let exports: Vec<&Value> = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["reason"] == "export")
        .collect();
    assert_eq!(exports.len(), 1, "{log}");
    let entry = exports[0];
    assert_eq!(entry["channel"], "GET /api/v1/children/export");
    assert_eq!(entry["rows"], 4);
    assert_eq!(entry["complete"], true);
    assert_eq!(entry["actor_role"], "department");
    assert_eq!(entry["fields"], json!(["id_number", "health_notes"]));
    // The fields it reads unmasked; the children whose ID number went out
    // unmasked: all but the girl, registered without one.
    let mut named: Vec<&str> = entry["child_ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    named.sort_unstable();
    let mut expected: Vec<&str> = ids
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != 1)
        .map(|(_, id)| id.as_str())
        .collect();
    expected.sort_unstable();
    assert_eq!(named, expected);
    // The education department reads ID numbers masked: its export is an entry with no child named.
    let education = app.token("education").await;
    let records = ndjson(&app, "/api/v1/children/export?format=ndjson", &education).await;
    assert!(
        records
            .iter()
            .any(|r| r["id_number"].as_str().is_some_and(|n| n.contains('*')))
    );
    let log = app.get_json("/api/v1/audit-events/reads?limit=500", &auditor).await;
    let masked = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["reason"] == "export")
        .nth(1)
        .cloned()
        .unwrap();
    assert_eq!(
        (masked["rows"].clone(), masked["child_ids"].clone()),
        (json!(4), json!([]))
    );
    // An export of nothing unmasked (a volunteer's) is still one entry, for its region's auditors.
    let volunteer = app.token("volunteer").await;
    csv_rows(&app, "/api/v1/children/export", &volunteer).await;
    let log = app.get_json("/api/v1/audit-events/reads?limit=500", &auditor).await;
    let volunteer_entry = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["reason"] == "export" && e["actor_role"] == "volunteer")
        .cloned()
        .unwrap_or_else(|| panic!("{log}"));
    assert_eq!(volunteer_entry["rows"], 0);
    assert_eq!(volunteer_entry["child_ids"], json!([]));
}

#[tokio::test]
async fn an_export_refuses_bad_parameters_each_named() {
    let (app, admin) = TestApp::spawn_as("admin").await;
    for (query, field, code) in [
        ("format=pdf", "format", "invalid_value"),
        ("format=csv&format=xlsx", "format", "repeated"),
        ("headers=fr", "headers", "invalid_value"),
        ("limit=10", "limit", "unknown_parameter"),
        ("cursor=abc", "cursor", "unknown_parameter"),
        ("colour=red", "colour", "unknown_parameter"),
        ("gender=robot", "gender", "invalid_value"),
    ] {
        let res = app.get(&format!("/api/v1/children/export?{query}"), &admin).await;
        let body = problem(res, StatusCode::BAD_REQUEST).await;
        assert_only_field(&body, field, code);
    }
    let res = app.get_anon("/api/v1/children/export").await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    // `export` is a path of its own, never taken for a record's id.
    let res = app.get("/api/v1/guardians/export?format=ndjson", &admin).await;
    assert_eq!(res.status(), StatusCode::OK);
}
