//! The census import's template (`GET /api/v1/imports/template`).

use calamine::{Data, Reader};
use reqwest::StatusCode;

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
    assert!(res.headers()["content-disposition"].to_str().unwrap().starts_with("attachment"));
    let body = res.bytes().await.unwrap().to_vec();
    let mut book: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(body)).unwrap();
    let names = book.sheet_names();
    assert_eq!(names[0], "儿童");
    assert!(names.iter().any(|n| n == "说明"), "{names:?}");
    let sheet = book.worksheet_range("儿童").unwrap();
    let rows: Vec<Vec<Data>> = sheet.rows().map(<[Data]>::to_vec).collect();
    let header: Vec<String> = rows[0].iter().map(ToString::to_string).collect();
    for h in [
        "姓名", "性别", "身份证号", "出生日期", "所在村", "留守类型", "就读学校", "学段", "年级", "就学状态", "是否寄宿", "父亲姓名",
        "父亲电话", "父亲务工地", "母亲姓名", "母亲电话", "母亲务工地", "监护人姓名", "与儿童关系", "监护人电话", "监护人身份证号",
        "责任书签订日期", "备注",
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
