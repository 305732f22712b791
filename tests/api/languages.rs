//! Chinese and English: `Accept-Language` picks the language of every text
//! for people on both APIs; codes never change; `/api/v1/meta/enums` labels
//! every enumeration value in both.

use reqwest::{Method, RequestBuilder, Response, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{TestApp, child_body, problem, problem_fields};

/// A child body with a blank name, a bad gender and an ID number whose check
/// character is wrong.
fn bad_child() -> Value {
    json!({"name": " ", "gender": "boy", "birth_date": child_body("x", 1)["birth_date"],
           "id_number": "110105194912310021", "region_code": "522631101201", "left_behind_type": "both_parents_away"})
}

async fn post_in(app: &TestApp, token: &str, language: Option<&str>, body: &Value) -> reqwest::Response {
    let mut req = app.request(Method::POST, "/api/v1/children", token);
    if let Some(l) = language {
        req = req.header("accept-language", l);
    }
    req.json(body).send().await.unwrap()
}

/// A request in `language`, with a token or without one.
fn in_language(app: &TestApp, method: Method, path: &str, token: Option<&str>, language: &str) -> RequestBuilder {
    let req = match token {
        Some(t) => app.request(method, path, t),
        None => app.anon(method, path),
    };
    req.header("accept-language", language)
}

async fn get_in(app: &TestApp, token: Option<&str>, language: &str, path: &str) -> Response {
    in_language(app, Method::GET, path, token, language)
        .send()
        .await
        .unwrap()
}

/// POSTs a GraphQL request body (`{"query": …}`) in `language`.
async fn gql_in(app: &TestApp, token: Option<&str>, language: &str, body: &Value) -> Response {
    in_language(app, Method::POST, "/graphql", token, language)
        .json(body)
        .send()
        .await
        .unwrap()
}

/// Asserts that an answer has `status` and speaks Chinese, and returns its body.
async fn chinese(res: Response, status: StatusCode) -> Value {
    assert_eq!(res.status(), status);
    assert_eq!(res.headers()["content-language"], "zh-CN");
    res.json().await.unwrap()
}

fn message_of<'a>(body: &'a Value, field: &str) -> &'a str {
    body["errors"]
        .as_array()
        .and_then(|a| a.iter().find(|e| e["field"] == field))
        .and_then(|e| e["message"].as_str())
        .unwrap_or_default()
}

fn has_chinese(s: &str) -> bool {
    s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

#[tokio::test]
async fn a_chinese_caller_gets_a_422_in_chinese_with_the_same_codes() {
    let (app, token) = TestApp::spawn_as("village").await;
    let english = post_in(&app, &token, None, &bad_child()).await;
    assert_eq!(english.headers()["content-language"], "en");
    let english: Value = english.json().await.unwrap();

    let res = post_in(&app, &token, Some("zh-CN"), &bad_child()).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(res.headers()["content-language"], "zh-CN");
    assert!(
        res.headers().get_all("vary").iter().any(|v| v
            .to_str()
            .unwrap()
            .to_ascii_lowercase()
            .contains("accept-language"))
    );
    let body: Value = res.json().await.unwrap();
    assert_eq!(problem_fields(&body), problem_fields(&english));
    assert_eq!(body["type"], english["type"]);
    assert_eq!(body["title"], "无法处理的内容");
    assert_eq!(body["detail"], "3 个字段有误");
    assert_eq!(message_of(&body, "name"), "此字段不能为空白");
    assert_eq!(message_of(&body, "id_number"), "校验码不符（GB 11643）");
    assert_eq!(message_of(&body, "gender"), "应为以下之一：male, female");
    for e in body["errors"].as_array().unwrap() {
        assert!(has_chinese(e["message"].as_str().unwrap()), "{e}");
    }
}

#[tokio::test]
async fn english_is_spoken_when_asked_for_when_nothing_is_asked_and_for_languages_not_spoken() {
    let (app, token) = TestApp::spawn_as("village").await;
    for language in [None, Some("en"), Some("fr"), Some("zh-TW"), Some("*")] {
        let res = post_in(&app, &token, language, &bad_child()).await;
        assert_eq!(res.headers()["content-language"], "en", "{language:?}");
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["title"], "Unprocessable Entity", "{language:?}");
        assert_eq!(body["detail"], "3 invalid field(s)", "{language:?}");
        assert_eq!(message_of(&body, "name"), "this field may not be blank");
        assert_eq!(
            message_of(&body, "id_number"),
            "the check character does not match (GB 11643)"
        );
    }
}

#[tokio::test]
async fn the_best_weighted_language_spoken_wins() {
    let (app, token) = TestApp::spawn_as("village").await;
    for (header, expected) in [
        ("fr;q=1, zh-CN;q=0.5", "zh-CN"),
        ("en;q=0.3, zh;q=0.9", "zh-CN"),
        ("zh-Hans-CN;q=0.2, en;q=0.8", "en"),
        ("zh-Hans", "zh-CN"),
        ("zh-CN;q=0, fr", "en"),
    ] {
        let res = post_in(&app, &token, Some(header), &bad_child()).await;
        assert_eq!(res.headers()["content-language"], expected, "{header}");
        let body: Value = res.json().await.unwrap();
        assert_eq!(
            has_chinese(body["detail"].as_str().unwrap()),
            expected == "zh-CN",
            "{header}"
        );
    }
}

#[tokio::test]
async fn a_404_and_a_401_are_in_chinese_for_a_chinese_caller() {
    let (app, token) = TestApp::spawn_as("village").await;
    let missing = format!("/api/v1/children/{}", uuid::Uuid::now_v7());
    let res = get_in(&app, Some(&token), "zh-CN", &missing).await;
    let body = chinese(res, StatusCode::NOT_FOUND).await;
    assert_eq!(body["title"], "未找到");
    assert_eq!(body["detail"], "没有此记录");

    let res = get_in(&app, None, "zh", "/api/v1/children").await;
    let body = chinese(res, StatusCode::UNAUTHORIZED).await;
    assert_eq!(body["title"], "未认证");
    assert_eq!(body["detail"], "请发送 Authorization: Bearer <访问令牌>");
    assert_eq!(body["type"], "urn:shouhu:problem:unauthenticated");

    // An unknown route, outside every handler.
    let res = get_in(&app, None, "zh-CN", "/nowhere").await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_eq!(res.json::<Value>().await.unwrap()["detail"], "没有此资源");
}

#[tokio::test]
async fn a_successful_read_names_no_language_when_it_has_no_text_for_people() {
    let (app, token) = TestApp::spawn_as("village").await;
    let res = get_in(&app, Some(&token), "zh-CN", "/api/v1/regions/522631101201").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers().get("content-language").is_none());
}

#[tokio::test]
async fn graphql_errors_are_in_chinese_with_the_same_codes_and_fields() {
    let (app, token) = TestApp::spawn_as("village").await;
    let create = "mutation($input: CreateChildInput!) { createChild(input: $input) { id } }";
    let input = json!({"name": " ", "gender": "MALE", "birthDate": child_body("x", 1)["birth_date"], "regionCode": "522631101201",
        "leftBehindType": "BOTH_PARENTS_AWAY", "idNumber": "110105194912310021"});
    let body = json!({"query": create, "variables": {"input": input}});
    let english: Value = gql_in(&app, Some(&token), "en", &body).await.json().await.unwrap();
    let res = gql_in(&app, Some(&token), "zh-CN", &body).await;
    assert_eq!(res.headers()["content-language"], "zh-CN");
    let chinese: Value = res.json().await.unwrap();
    let error = &chinese["errors"][0];
    assert_eq!(error["extensions"]["code"], "VALIDATION");
    assert_eq!(error["extensions"]["code"], english["errors"][0]["extensions"]["code"]);
    assert_eq!(error["message"], "2 个字段有误");
    assert_eq!(english["errors"][0]["message"], "2 invalid field(s)");
    let fields = error["extensions"]["fields"].as_array().unwrap();
    let english_fields = english["errors"][0]["extensions"]["fields"].as_array().unwrap();
    assert_eq!(fields.len(), english_fields.len());
    for (zh, en) in fields.iter().zip(english_fields) {
        assert_eq!(zh["field"], en["field"]);
        assert_eq!(zh["code"], en["code"]);
        assert!(has_chinese(zh["message"].as_str().unwrap()), "{zh}");
        assert!(!has_chinese(en["message"].as_str().unwrap()), "{en}");
    }
    let id_number = fields.iter().find(|f| f["field"] == "idNumber").unwrap();
    assert_eq!(id_number["message"], "校验码不符（GB 11643）");

    // A missing record and a missing token, in Chinese too.
    let missing = json!({"query": format!("{{ child(id: \"{}\") {{ id }} }}", uuid::Uuid::now_v7())});
    let res = gql_in(&app, Some(&token), "zh-CN", &missing).await;
    let body: Value = res.json().await.unwrap();
    let not_found = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["extensions"]["code"] == "NOT_FOUND");
    if let Some(e) = not_found {
        assert_eq!(e["message"], "没有此记录");
    } else {
        assert_eq!(body["data"]["child"], Value::Null, "{body}");
    }
    let res = gql_in(&app, None, "zh-CN", &json!({"query": "{ enums { name } }"})).await;
    assert_eq!(res.headers()["content-language"], "zh-CN");
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED");
    assert_eq!(body["errors"][0]["message"], "请发送 Authorization: Bearer <访问令牌>");
}

#[tokio::test]
async fn graphql_limits_are_explained_in_chinese() {
    let app = TestApp::spawn_with(|s| s.serve.graphql_max_aliases = 2).await;
    let token = app.token("village").await;
    let aliases = json!({"query": "{ a: enums { name } b: enums { name } c: enums { name } }"});
    let res = gql_in(&app, Some(&token), "zh-CN", &aliases).await;
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["errors"][0]["extensions"]["code"], "VALIDATION");
    assert_eq!(body["errors"][0]["message"], "查询含 3 个别名；最多允许 2 个");
}

#[tokio::test]
async fn the_enumeration_catalogue_labels_every_value_in_english_and_chinese() {
    let (app, token) = TestApp::spawn_as("volunteer").await;
    let res = app.get("/api/v1/meta/enums", &token).await;
    assert_eq!(res.status(), StatusCode::OK);
    let etag = res.headers()["etag"].to_str().unwrap().to_owned();
    let body: Value = res.json().await.unwrap();
    let items = body["items"].as_array().unwrap();
    let names: Vec<&str> = items.iter().map(|e| e["name"].as_str().unwrap()).collect();
    // Every enumeration the OpenAPI document declares is in the catalogue, but
    // the audit trail's own `AccessReason`, which only auditors read.
    let openapi: Value = app.json_anon("/api/openapi.json").await;
    let schemas = openapi["components"]["schemas"].as_object().unwrap();
    for (name, schema) in schemas {
        if schema.get("enum").is_some() && schema["type"] == "string" && name != "AccessReason" {
            assert!(names.contains(&name.as_str()), "{name} is not in the catalogue");
            let declared: Vec<&Value> = schema["enum"].as_array().unwrap().iter().collect();
            let item = items.iter().find(|e| e["name"] == name.as_str()).unwrap();
            let listed: Vec<&Value> = item["values"].as_array().unwrap().iter().map(|v| &v["value"]).collect();
            assert_eq!(listed, declared, "{name}");
        }
    }
    assert!(names.len() >= 19, "{names:?}");
    for e in items {
        for v in e["values"].as_array().unwrap() {
            let en = v["labels"]["en"].as_str().unwrap();
            let zh = v["labels"]["zh-CN"].as_str().unwrap();
            assert!(!en.is_empty() && !en.starts_with("enum."), "{v}");
            assert!(has_chinese(zh), "{v}");
            assert_eq!(v["graphql_value"], v["value"].as_str().unwrap().to_uppercase());
        }
    }
    let label = |enumeration: &str, value: &str| {
        let e = items.iter().find(|e| e["name"] == enumeration).unwrap();
        let v = e["values"]
            .as_array()
            .unwrap()
            .iter()
            .find(|v| v["value"] == value)
            .unwrap();
        v["labels"]["zh-CN"].as_str().unwrap().to_owned()
    };
    assert_eq!(label("Gender", "male"), "男");
    assert_eq!(label("Gender", "female"), "女");
    assert_eq!(label("LeftBehindType", "both_parents_away"), "父母双方外出务工");
    assert_eq!(label("Relationship", "grandmother"), "祖母");
    assert_eq!(label("Guarantee", "guardianship"), "监护有人");

    // Cacheable: the ETag answers 304.
    let res = app
        .request(Method::GET, "/api/v1/meta/enums", &token)
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(res.headers()["etag"].to_str().unwrap(), etag);

    // GraphQL has the same catalogue.
    let gql = app
        .gql(
            &token,
            "{ enums { name values { value graphqlValue labels { en zhCN } } } }",
            json!({}),
        )
        .await;
    assert_eq!(gql["errors"], Value::Null, "{gql}");
    let gql_items = gql["data"]["enums"].as_array().unwrap();
    assert_eq!(gql_items.len(), items.len());
    for (g, r) in gql_items.iter().zip(items) {
        assert_eq!(g["name"], r["name"]);
        for (gv, rv) in g["values"]
            .as_array()
            .unwrap()
            .iter()
            .zip(r["values"].as_array().unwrap())
        {
            assert_eq!(gv["value"], rv["value"]);
            assert_eq!(gv["graphqlValue"], rv["graphql_value"]);
            assert_eq!(gv["labels"]["en"], rv["labels"]["en"]);
            assert_eq!(gv["labels"]["zhCN"], rv["labels"]["zh-CN"]);
        }
    }
}

#[tokio::test]
async fn the_enumeration_catalogue_needs_a_token() {
    let app = TestApp::spawn().await;
    problem(app.get_anon("/api/v1/meta/enums").await, StatusCode::UNAUTHORIZED).await;
}

#[tokio::test]
async fn logins_and_token_requests_are_refused_in_chinese_with_the_same_codes() {
    let app = TestApp::spawn().await;
    let res = in_language(&app, Method::POST, "/api/v1/auth/login", None, "zh-CN")
        .json(&json!({"username": "village", "password": "not the password"}))
        .send()
        .await
        .unwrap();
    let body = chinese(res, StatusCode::UNAUTHORIZED).await;
    assert_eq!(body["type"], "urn:shouhu:problem:unauthenticated");
    assert_eq!(body["detail"], "用户名或密码错误");

    let res = in_language(&app, Method::POST, "/api/v1/auth/token", None, "zh-CN")
        .form(&[("client_id", "nobody")])
        .send()
        .await
        .unwrap();
    let body = chinese(res, StatusCode::BAD_REQUEST).await;
    assert_eq!(body["error"], "invalid_request");
    assert_eq!(body["error_description"], "grant_type 为必填项");
}

#[tokio::test]
async fn guarantee_reasons_are_in_the_callers_language_beside_their_codes() {
    let (app, token) = TestApp::spawn_as("village").await;
    let (child, path) = app.register_child(&token, child_body("王小明", 1)).await;
    let id = child["id"].as_str().unwrap();
    let english = get_in(&app, Some(&token), "en", &path).await;
    assert_eq!(english.headers()["content-language"], "en");
    let english: Value = english.json().await.unwrap();
    let chinese = get_in(&app, Some(&token), "zh-CN", &path).await;
    assert_eq!(chinese.headers()["content-language"], "zh-CN");
    let chinese: Value = chinese.json().await.unwrap();
    let reasons = |body: &Value| -> Vec<(String, String)> {
        body["guarantee_reasons"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["code"].as_str().unwrap().to_owned(),
                    r["reason"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    };
    let (en, zh) = (reasons(&english), reasons(&chinese));
    assert!(!en.is_empty());
    assert_eq!(
        en.iter().map(|(c, _)| c).collect::<Vec<_>>(),
        zh.iter().map(|(c, _)| c).collect::<Vec<_>>()
    );
    let reason =
        |list: &[(String, String)], code: &str| list.iter().find(|(c, _)| c == code).map(|(_, r)| r.clone()).unwrap();
    assert_eq!(reason(&en, "not_enrolled"), "not enrolled in any place of care");
    assert_eq!(reason(&zh, "not_enrolled"), "未在任何关爱场所入托");
    assert_eq!(reason(&zh, "no_primary_caregiver"), "没有在任的主要照料人");

    let query = json!({"query": format!("{{ child(id: \"{id}\") {{ guaranteeReasons {{ code reason }} }} }}")});
    let gql: Value = gql_in(&app, Some(&token), "zh-CN", &query).await.json().await.unwrap();
    let list = gql["data"]["child"]["guaranteeReasons"]
        .as_array()
        .expect("guarantee reasons");
    let not_enrolled = list.iter().find(|r| r["code"] == "not_enrolled").unwrap();
    assert_eq!(not_enrolled["reason"], "未在任何关爱场所入托");
}

#[tokio::test]
async fn a_403_names_the_kind_of_record_in_chinese() {
    let (app, token) = TestApp::spawn_as("volunteer").await;
    let english = post_in(&app, &token, None, &child_body("王小明", 1)).await;
    assert_eq!(english.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        english.json::<Value>().await.unwrap()["detail"],
        "your role may not create a child"
    );
    let res = post_in(&app, &token, Some("zh-CN"), &child_body("王小明", 1)).await;
    let body = chinese(res, StatusCode::FORBIDDEN).await;
    assert_eq!(body["title"], "禁止访问");
    assert_eq!(body["detail"], "您的角色无权新建儿童");
}
