//! The census import: its template (`GET /api/v1/imports/template`), and
//! sheets read, checked row by row and written as the API writes.

use calamine::{Data, Reader};
use reqwest::StatusCode;
use serde_json::{Value, json};
use shouhu_api::imports::run::{self, Failure, OnError, Options, Report};
use shouhu_domain::guarantee::Rules;

use crate::helpers::{TestApp, assert_only_field, problem};

#[tokio::test]
async fn the_template_is_the_census_sheet_to_fill_in() {
    let (app, village) = TestApp::spawn_as("village").await;
    let res = app.get("/api/v1/imports/template?kind=children", &village).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        res.headers()["content-type"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    assert!(
        res.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    let body = res.bytes().await.unwrap().to_vec();
    let mut book: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(body)).unwrap();
    let names = book.sheet_names();
    assert_eq!(names[0], "儿童");
    assert!(names.iter().any(|n| n == "说明"), "{names:?}");
    let sheet = book.worksheet_range("儿童").unwrap();
    let rows: Vec<Vec<Data>> = sheet.rows().map(<[Data]>::to_vec).collect();
    let header: Vec<String> = rows[0].iter().map(ToString::to_string).collect();
    for h in [
        "姓名",
        "性别",
        "身份证号",
        "出生日期",
        "所在村",
        "留守类型",
        "就读学校",
        "学段",
        "年级",
        "就学状态",
        "是否寄宿",
        "父亲姓名",
        "父亲电话",
        "父亲务工地",
        "母亲姓名",
        "母亲电话",
        "母亲务工地",
        "监护人姓名",
        "与儿童关系",
        "监护人电话",
        "监护人身份证号",
        "责任书签订日期",
        "备注",
    ] {
        assert!(header.iter().any(|x| x == h), "{h} not in {header:?}");
    }
    let example = &rows[1];
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    assert_eq!(example[col("姓名")], "王小明");
    assert_eq!(example[col("性别")], "男");
    // The ID number is text: all 18 digits kept.
    assert!(matches!(&example[col("身份证号")], Data::String(s) if s.len() == 18));
    let notes = book.worksheet_range("说明").unwrap();
    assert!(notes.rows().count() > 5);
}

#[tokio::test]
async fn the_template_refuses_bad_parameters_each_named() {
    let (app, admin) = TestApp::spawn_as("admin").await;
    for (query, field, code) in [
        ("", "kind", "required"),
        ("?kind=guardians", "kind", "invalid_value"),
        ("?kind=children&kind=children", "kind", "repeated"),
        ("?kind=children&colour=red", "colour", "unknown_parameter"),
    ] {
        let res = app.get(&format!("/api/v1/imports/template{query}"), &admin).await;
        let body = problem(res, StatusCode::BAD_REQUEST).await;
        assert_only_field(&body, field, code);
    }
    let res = app.get_anon("/api/v1/imports/template?kind=children").await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}

/// Runs an import of `csv` as `username`.
async fn import(app: &TestApp, username: &str, csv: &str, dry_run: bool, on_error: OnError) -> Report {
    let ctx = run::ctx_of_account(&app.db, username, Rules::default(), "test import")
        .await
        .unwrap()
        .unwrap();
    let options = Options { dry_run, on_error };
    match run::import(&app.db, &ctx, csv.as_bytes(), options, &|_, _| {}).await {
        Ok(report) => report,
        Err(Failure::Unreadable(lines)) => panic!("unreadable: {lines:?}"),
        Err(Failure::Store(e)) => panic!("store: {e}"),
    }
}

/// The problems of a report as (row, column, code).
fn problems(report: &Report) -> Vec<(u32, &str, &str)> {
    report
        .lines
        .iter()
        .map(|l| (l.row, l.column.as_str(), l.code.as_str()))
        .collect()
}

const HEADER: &str = "姓名,性别,身份证号,出生日期,所在村,留守类型,就读学校,学段,是否寄宿,父亲姓名,父亲电话,父亲务工地,母亲姓名,母亲务工地,监护人姓名,与儿童关系,监护人电话,责任书签订日期,民族";

/// A census row of a boy born on 2016-07-09 with the sequence `seq`.
fn census_row(name: &str, seq: u16, village: &str, school: &str) -> String {
    let birth = chrono::NaiveDate::from_ymd_opt(2016, 7, 9).unwrap();
    let id = shouhu_domain::id_number::compose("522631", birth, seq * 2, shouhu_domain::enums::Gender::Male);
    format!(
        "{name},男,{id},2016/7/9,{village},父母双方外出务工,{school},小学,否,{name}父,13800138{seq:03},广东东莞,{name}母,浙江义乌,{name}奶奶,奶奶,13900139{seq:03},2026-03-01,苗族"
    )
}

#[tokio::test]
async fn a_census_sheet_is_checked_row_by_row_and_written_as_the_api_writes() {
    let (app, township) = TestApp::spawn_as("township").await;
    let good = [
        census_row("王小明", 1, "古州车民村", "古州小学"),
        census_row("王小红", 2, "522631101202", "古州小学"),
    ];
    let bad = [
        // Not in the township's jurisdiction, a bad check digit, a date that is none.
        census_row("李一", 3, "忠诚车民村", "x"),
        census_row("李二", 4, "古州车民村", "x").replace(",男,", ",女,"),
        census_row("李三", 5, "古州车民村", "x").replace("2016/7/9", "2016/13/9"),
        // The same ID number as row 2.
        census_row("王小明", 1, "古州车民村", "古州小学"),
    ];
    let csv = format!("{HEADER}\n{}\n{}\n\n{}\n", good.join("\n"), bad[..3].join("\n"), bad[3]);
    // A dry run checks all and writes nothing.
    let report = import(&app, "township", &csv, true, OnError::SkipRow).await;
    assert_eq!(report.ignored, vec!["民族".to_owned()]);
    assert_eq!(
        problems(&report),
        vec![
            (4, "所在村", "unknown_village"),
            (5, "身份证号", "gender_mismatch"),
            (6, "出生日期", "invalid_date"),
            (8, "身份证号", "duplicate_in_file"),
        ],
        "{:?}",
        report.lines
    );
    assert_eq!(
        (
            report.counts.rows,
            report.counts.valid,
            report.counts.created,
            report.counts.rejected
        ),
        (6, 2, 2, 4)
    );
    assert!(!report.written);
    assert_eq!(app.get_json("/api/v1/children", &township).await["items"], json!([]));
    // reject_all with a bad row writes nothing either.
    let report = import(&app, "township", &csv, false, OnError::RejectAll).await;
    assert!(!report.written);
    assert_eq!(app.get_json("/api/v1/children", &township).await["items"], json!([]));
    // skip_row writes the good rows, their parents and caregiver.
    let report = import(&app, "township", &csv, false, OnError::SkipRow).await;
    assert!(report.written);
    assert_eq!((report.counts.created, report.counts.rejected), (2, 4));
    let children = app.get_json("/api/v1/children?limit=500", &township).await;
    let names: Vec<&str> = children["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
    let child = children["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "王小明")
        .unwrap();
    assert_eq!(child["region_code"], "522631101201");
    assert_eq!(child["school_name"], "古州小学");
    let id = child["id"].as_str().unwrap();
    let links = app
        .get_json(&format!("/api/v1/children/{id}/guardianships"), &township)
        .await;
    let links = links["items"].as_array().unwrap();
    assert_eq!(links.len(), 3, "{links:?}");
    let primary: Vec<&Value> = links.iter().filter(|l| l["is_primary_caregiver"] == true).collect();
    assert_eq!(primary.len(), 1);
    assert_eq!(primary[0]["relationship"], "grandmother");
    assert_eq!(primary[0]["agreement_signed_on"], "2026-03-01");
    let guardians = app.get_json("/api/v1/guardians?limit=500", &township).await;
    let father = guardians["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["name"] == "王小明父")
        .unwrap();
    assert_eq!(father["is_working_away"], true);
    assert_eq!(father["work_location"], "广东东莞");
    assert_eq!(father["gender"], "male");

    // The same sheet again changes nothing; a changed school updates that child only.
    let good_only = format!("{HEADER}\n{}\n", good.join("\n"));
    let report = import(&app, "township", &good_only, false, OnError::RejectAll).await;
    assert_eq!(
        (report.counts.unchanged, report.counts.updated, report.counts.created),
        (2, 0, 0),
        "{:?}",
        report.lines
    );
    let changed = good_only.replacen("古州小学", "月亮山小学", 1);
    let report = import(&app, "township", &changed, false, OnError::RejectAll).await;
    assert_eq!(
        (report.counts.unchanged, report.counts.updated),
        (1, 1),
        "{:?}",
        report.lines
    );
    let after = app.get_json(&format!("/api/v1/children/{id}"), &township).await;
    assert_eq!(after["school_name"], "月亮山小学");
    assert_eq!(after["version"], child["version"].as_i64().unwrap() + 1);
    let guardians_after = app.get_json("/api/v1/guardians?limit=500", &township).await;
    assert_eq!(
        guardians_after["items"].as_array().unwrap().len(),
        guardians["items"].as_array().unwrap().len()
    );
}

#[tokio::test]
async fn a_child_registered_elsewhere_is_refused_without_saying_where_and_noted() {
    let (app, admin) = TestApp::spawn_as("admin").await;
    let mut body = crate::helpers::child_body("外乡童", 9);
    body["region_code"] = json!("522631102201");
    let birth = chrono::NaiveDate::from_ymd_opt(2016, 7, 9).unwrap();
    body["birth_date"] = json!(birth.to_string());
    body["id_number"] = json!(shouhu_domain::id_number::compose(
        "522631",
        birth,
        18,
        shouhu_domain::enums::Gender::Male
    ));
    app.create("/api/v1/children", &admin, body).await;
    let csv = format!("{HEADER}\n{}\n", census_row("外乡童", 9, "古州车民村", "x"));
    let report = import(&app, "township", &csv, true, OnError::RejectAll).await;
    assert_eq!(problems(&report), vec![(2, "身份证号", "registered_elsewhere")]);
    let text = run::line_text(&report.lines[0]);
    assert!(!text.contains("忠诚"), "{text}");
    let log = app.get_json("/api/v1/audit-events/reads?limit=500", &admin).await;
    assert!(
        log["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["reason"] == "id_number_match"),
        "{log}"
    );
}

#[tokio::test]
async fn an_export_read_back_changes_nothing() {
    let (app, township) = TestApp::spawn_as("township").await;
    let csv = format!(
        "{HEADER}\n{}\n{}\n",
        census_row("甲", 11, "古州车民村", "古州小学"),
        census_row("乙", 12, "古州月亮山村", "=1+1")
    );
    let report = import(&app, "township", &csv, false, OnError::RejectAll).await;
    assert_eq!(report.counts.created, 2, "{:?}", report.lines);
    let exported = app
        .get("/api/v1/children/export", &township)
        .await
        .text()
        .await
        .unwrap();
    let before = app.get_json("/api/v1/children?limit=500", &township).await;
    let report = import(&app, "township", &exported, false, OnError::RejectAll).await;
    assert_eq!(
        (report.counts.rows, report.counts.unchanged),
        (2, 2),
        "{:?}",
        report.lines
    );
    assert!(report.ignored.iter().any(|h| h == "编号"));
    let after = app.get_json("/api/v1/children?limit=500", &township).await;
    assert_eq!(before, after);
}

#[tokio::test]
async fn a_row_without_an_id_number_finds_the_child_of_that_name_and_birth_date_in_its_village() {
    let (app, township) = TestApp::spawn_as("township").await;
    let row = census_row("无证童", 21, "古州车民村", "古州小学");
    let id = row.split(',').nth(2).unwrap().to_owned();
    let csv = format!("{HEADER}\n{}\n", row.replace(&id, ""));
    let first = import(&app, "township", &csv, false, OnError::RejectAll).await;
    assert_eq!(first.counts.created, 1, "{:?}", first.lines);
    let again = import(&app, "township", &csv, false, OnError::RejectAll).await;
    assert_eq!(
        (again.counts.created, again.counts.unchanged),
        (0, 1),
        "{:?}",
        again.lines
    );
    // Elsewhere in the township, the same name and birth date is another child.
    let other = format!(
        "{HEADER}\n{}\n",
        row.replace(&id, "").replace("古州车民村", "古州高岩村")
    );
    let third = import(&app, "township", &other, false, OnError::RejectAll).await;
    assert_eq!(third.counts.created, 1, "{:?}", third.lines);
    let children = app.get_json("/api/v1/children?limit=500", &township).await;
    assert_eq!(children["items"].as_array().unwrap().len(), 2);
}

/// Sends `file` to `POST /api/v1/imports` with the form `fields`.
async fn send(app: &TestApp, token: &str, file: &[u8], fields: &[(&str, &str)]) -> reqwest::Response {
    let boundary = "shouhu-test-boundary-7f3a";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\ncontent-disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").as_bytes(),
        );
    }
    if !file.is_empty() {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\ncontent-disposition: form-data; name=\"file\"; filename=\"census.csv\"\r\ncontent-type: text/csv\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(file);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    app.request(reqwest::Method::POST, "/api/v1/imports", token)
        .header("content-type", format!("multipart/form-data; boundary={boundary}"))
        .body(body)
        .send()
        .await
        .unwrap()
}

/// Sends an import and waits (polling its status) until it ends; its status.
async fn finished(app: &TestApp, token: &str, file: &[u8], fields: &[(&str, &str)]) -> Value {
    let res = send(app, token, file, fields).await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    let accepted: Value = res.json().await.unwrap();
    assert_eq!(accepted["status"], "queued");
    assert_eq!(
        location,
        format!("/api/v1/imports/{}", accepted["id"].as_str().unwrap())
    );
    for _ in 0..600 {
        let status = app.get_json(&location, token).await;
        if status["status"] == "done" || status["status"] == "failed" {
            return status;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the import did not end");
}

#[tokio::test]
async fn an_import_through_the_api_runs_in_the_background_and_reports_row_by_row() {
    let app = TestApp::spawn_with(|s| s.serve.import_poll_ms = 100).await;
    let township = app.token("township").await;
    let csv = format!(
        "{HEADER}\n{}\n{}\n",
        census_row("接口童", 31, "古州车民村", "古州小学"),
        census_row("坏童", 32, "不存在村", "x")
    );
    let dry = finished(&app, &township, csv.as_bytes(), &[("kind", "children")]).await;
    assert_eq!(
        (dry["status"].clone(), dry["mode"].clone(), dry["written"].clone()),
        (json!("done"), json!("dry_run"), json!(false))
    );
    assert_eq!(
        dry["counts"],
        json!({"rows": 2, "valid": 1, "created": 1, "updated": 0, "unchanged": 0, "rejected": 1})
    );
    assert_eq!(dry["progress"], 1.0);
    assert_eq!(app.get_json("/api/v1/children", &township).await["items"], json!([]));
    let id = dry["id"].as_str().unwrap();
    // The report, in the reader's language, and as the sheet with an error column.
    let res = app
        .request(reqwest::Method::GET, &format!("/api/v1/imports/{id}/report"), &township)
        .header("accept-language", "zh-CN")
        .send()
        .await
        .unwrap();
    let report: Value = res.json().await.unwrap();
    assert_eq!(report["items"][0]["row"], 3);
    assert_eq!(report["items"][0]["column"], "所在村");
    assert_eq!(report["items"][0]["code"], "unknown_village");
    assert!(report["items"][0]["message"].as_str().unwrap().contains("不存在村"));
    assert_eq!(report["ignored_columns"], json!(["民族"]));
    let res = app
        .get(&format!("/api/v1/imports/{id}/report?format=xlsx"), &township)
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let body = res.bytes().await.unwrap().to_vec();
    let mut book: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(body)).unwrap();
    let sheet = book.worksheet_range_at(0).unwrap().unwrap();
    let rows: Vec<Vec<Data>> = sheet.rows().map(<[Data]>::to_vec).collect();
    assert_eq!(rows[0].last().unwrap().to_string(), "错误");
    assert!(rows[2].last().unwrap().to_string().contains("所在村"));
    assert_eq!(rows[1].last().unwrap().to_string(), "");

    // Committed, skipping the bad row.
    let done = finished(
        &app,
        &township,
        csv.as_bytes(),
        &[("kind", "children"), ("mode", "commit"), ("on_error", "skip_row")],
    )
    .await;
    assert_eq!(
        (done["written"].clone(), done["counts"]["created"].clone()),
        (json!(true), json!(1))
    );
    let children = app.get_json("/api/v1/children", &township).await;
    assert_eq!(children["items"].as_array().unwrap().len(), 1);

    // Someone else's import is not there for anyone else.
    let coordinator = app.token("coordinator").await;
    for path in [format!("/api/v1/imports/{id}"), format!("/api/v1/imports/{id}/report")] {
        assert_eq!(app.get(&path, &coordinator).await.status(), StatusCode::NOT_FOUND);
    }
}

#[tokio::test]
async fn a_bad_import_gets_a_clear_refusal() {
    let app = TestApp::spawn_with(|s| {
        s.serve.import_max_bytes = 4096;
        s.serve.import_poll_ms = 100;
    })
    .await;
    let township = app.token("township").await;
    // A PDF renamed: accepted, then failed with the reason.
    let failed = finished(&app, &township, b"%PDF-1.7 not a sheet", &[("kind", "children")]).await;
    assert_eq!(failed["status"], "failed");
    let report = app
        .get_json(
            &format!("/api/v1/imports/{}/report", failed["id"].as_str().unwrap()),
            &township,
        )
        .await;
    assert_eq!(report["items"][0]["code"], "not_a_sheet");
    // Too large, no file, bad fields.
    let big = vec![b'a'; 5000];
    let res = send(&app, &township, &big, &[("kind", "children")]).await;
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    for (fields, field, code) in [
        (vec![("kind", "children")], "file", "required"),
        (vec![("kind", "guardians")], "kind", "invalid_value"),
        (vec![("kind", "children"), ("mode", "now")], "mode", "invalid_value"),
        (vec![("kind", "children"), ("colour", "red")], "colour", "unknown_field"),
    ] {
        let file: &[u8] = if field == "file" { b"" } else { b"a,b\n1,2\n" };
        let res = send(&app, &township, file, &fields).await;
        let body = problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_only_field(&body, field, code);
    }
    let res = app
        .post("/api/v1/imports", &township, &json!({"kind": "children"}))
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    // A role that may not register children may not import them.
    let volunteer = app.token("volunteer").await;
    let res = send(&app, &volunteer, b"a\n1\n", &[("kind", "children")]).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    // An import that is not there is 404.
    let res = app
        .get(&format!("/api/v1/imports/{}", uuid::Uuid::now_v7()), &township)
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn rows_of_one_sheet_are_written_as_one_after_another_would_be() {
    let (app, township) = TestApp::spawn_as("township").await;
    // Two brothers of one family (the same father and grandmother, by name and
    // phone in their village), a child of another village whose father has the
    // same name, and a child whose agreement date is still to come.
    let sibling = |name: &str, seq: u16| {
        census_row(name, seq, "古州车民村", "古州小学")
            .replace(&format!("{name}父,13800138{seq:03}"), "张父,13800138999")
            .replace(&format!("{name}奶奶,奶奶,13900139{seq:03}"), "张奶奶,奶奶,13900139999")
    };
    let elsewhere = census_row("张三", 33, "古州月亮山村", "古州小学").replace("张三父,", "张父,");
    let later = census_row("赵四", 34, "古州车民村", "古州小学").replace("2026-03-01", "2999-01-01");
    let csv = format!(
        "{HEADER}\n{}\n{}\n{elsewhere}\n{later}\n{}\n",
        sibling("张大", 31),
        sibling("张二", 32),
        census_row("钱五", 35, "古州月亮山村", "古州小学")
    );
    let report = import(&app, "township", &csv, false, OnError::SkipRow).await;
    assert_eq!(problems(&report), vec![(5, "责任书签订日期", "in_future")]);
    assert_eq!((report.counts.created, report.counts.rejected), (4, 1));
    let guardians = app.get_json("/api/v1/guardians?limit=500", &township).await;
    let named = |name: &str| -> Vec<Value> {
        guardians["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|g| g["name"] == name)
            .cloned()
            .collect()
    };
    // The brothers share their father and grandmother; the other village's 张父 is another man.
    assert_eq!(named("张父").len(), 2, "{guardians}");
    assert_eq!(named("张奶奶").len(), 1);
    assert!(named("赵四父").is_empty(), "nothing of a refused row is written");
    let children = app.get_json("/api/v1/children?limit=500", &township).await;
    let child = |name: &str| -> Value {
        children["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == name)
            .cloned()
            .unwrap_or_else(|| panic!("{name} not registered"))
    };
    assert!(
        children["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["name"] != "赵四")
    );
    let grandmother = named("张奶奶")[0]["id"].clone();
    for name in ["张大", "张二"] {
        let id = child(name)["id"].as_str().unwrap().to_owned();
        let links = app
            .get_json(&format!("/api/v1/children/{id}/guardianships"), &township)
            .await;
        let links = links["items"].as_array().unwrap();
        assert_eq!(links.len(), 3, "{links:?}");
        let primary: Vec<&Value> = links.iter().filter(|l| l["is_primary_caregiver"] == true).collect();
        assert_eq!(primary.len(), 1);
        assert_eq!(primary[0]["guardian_id"], grandmother);
    }
    let id = child("钱五")["id"].as_str().unwrap().to_owned();
    let links = app
        .get_json(&format!("/api/v1/children/{id}/guardianships"), &township)
        .await;
    assert_eq!(links["items"].as_array().unwrap().len(), 3);
    // Every write is on the feed, once.
    let events = app.get_json("/api/v1/changes?limit=500", &township).await;
    let created = events["items"].as_array().unwrap().len();
    // 4 children; 3 + 1 + 3 + 3 guardians (the brothers' mothers, with no
    // phone to be matched by, are two); 12 guardianships.
    assert_eq!(created, 4 + 10 + 12);
}
