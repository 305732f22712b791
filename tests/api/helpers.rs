//! Spawns the real server on 127.0.0.1:0 with a fresh database per test
//! (a SQLite file, or a PostgreSQL schema when SHOUHU_TEST_DATABASE_URL is set).

use std::sync::OnceLock;

use reqwest::{Client, Method, RequestBuilder, Response, StatusCode};
use serde_json::{Value, json};
use shouhu_api::demo::{DEMO_ACCOUNTS, DEMO_PASSWORD, demo_regions};
use shouhu_api::{Application, Settings};
use shouhu_domain::account::Account;
use shouhu_domain::enums::Role;
use shouhu_domain::ports::{AccountStore, RegionStore};
use shouhu_persistence::Db;

/// The paths that serve operators and tools rather than the register: health,
/// metrics, the OpenAPI document, its viewer and GraphiQL.
pub const SERVICE_PATHS: [&str; 6] = [
    "/healthz",
    "/readyz",
    "/metrics",
    "/api/openapi.json",
    "/docs/",
    "/graphql",
];

/// The password of every test account.
pub const PASSWORD: &str = DEMO_PASSWORD;

fn password_hash() -> String {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| shouhu_api::auth::hash_password(PASSWORD).unwrap_or_default())
        .clone()
}

/// Where a test's data lives; a PostgreSQL schema is dropped when the test ends.
enum Store {
    Sqlite(#[allow(dead_code)] tempfile::TempDir),
    Postgres { admin_url: String, schema: String },
}

impl Drop for Store {
    fn drop(&mut self) {
        if let Store::Postgres { admin_url, schema } = self {
            let (url, schema) = (admin_url.clone(), schema.clone());
            // Drop runs outside any async context: use a runtime of our own.
            let _ = std::thread::spawn(move || {
                let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() else {
                    return;
                };
                rt.block_on(async {
                    if let Ok(db) = sea_orm::Database::connect(url).await {
                        use sea_orm::ConnectionTrait;
                        let _ = db
                            .execute_unprepared(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"))
                            .await;
                        let _ = db.close().await;
                    }
                });
            })
            .join();
        }
    }
}

/// A running server and a client for it.
pub struct TestApp {
    /// `http://127.0.0.1:PORT`
    pub base: String,
    /// The HTTP client.
    pub client: Client,
    /// A direct handle on the test's database.
    pub db: Db,
    settings: Settings,
    store: Store,
}

async fn database() -> (String, Store) {
    match std::env::var("SHOUHU_TEST_DATABASE_URL").ok().filter(|u| !u.is_empty()) {
        Some(admin_url) => {
            let schema = format!("t_{}", uuid::Uuid::now_v7().simple());
            let admin = sea_orm::Database::connect(admin_url.as_str())
                .await
                .expect("connect to the test PostgreSQL");
            use sea_orm::ConnectionTrait;
            admin
                .execute_unprepared(&format!("CREATE SCHEMA {schema}"))
                .await
                .expect("create schema");
            admin.close().await.ok();
            let sep = if admin_url.contains('?') { '&' } else { '?' };
            let url = format!("{admin_url}{sep}options=-c%20search_path%3D{schema}");
            (url, Store::Postgres { admin_url, schema })
        }
        None => {
            let dir = tempfile::tempdir().expect("temp dir");
            let url = format!("sqlite://{}", dir.path().join("shouhu.db").display());
            (url, Store::Sqlite(dir))
        }
    }
}

impl TestApp {
    /// A server with the demo regions and one account per demo role, plus
    /// `other_township` (bound to 522631102000).
    pub async fn spawn() -> Self {
        Self::spawn_with(|_| {}).await
    }

    /// Like [`spawn`](Self::spawn), and an access token for `username`.
    pub async fn spawn_as(username: &str) -> (Self, String) {
        let app = Self::spawn().await;
        let token = app.token(username).await;
        (app, token)
    }

    /// A server that lets each user name fail `free_failures` logins from a
    /// source before it makes that source wait `delay_seconds`, trusting the
    /// proxies `trusted_proxies` (when any) to name the source.
    pub async fn spawn_with_login_delay(free_failures: u32, delay_seconds: u64, trusted_proxies: &[&str]) -> Self {
        Self::spawn_with(|s| {
            if !trusted_proxies.is_empty() {
                s.serve.trusted_proxies = trusted_proxies
                    .iter()
                    .map(|p| p.parse().expect("a proxy range"))
                    .collect();
            }
            s.serve.login_free_failures = free_failures;
            s.serve.login_delay_seconds = delay_seconds;
        })
        .await
    }

    /// Like [`spawn`](Self::spawn), with settings adjusted first.
    pub async fn spawn_with(adjust: impl FnOnce(&mut Settings)) -> Self {
        static SUBSCRIBER: std::sync::Once = std::sync::Once::new();
        SUBSCRIBER.call_once(|| {
            use tracing_subscriber::prelude::*;
            // As in the binary: the pool's waits reach the metrics.
            let _ = tracing_subscriber::registry()
                .with(shouhu_api::pool_waits::layer())
                .try_init();
        });
        let (url, store) = database().await;
        let mut settings = Settings::new(&url, "127.0.0.1:0").expect("settings");
        settings.serve.workers = 2;
        settings.serve.db_max_connections = 5;
        // Every request checks its session in the database, so that the SQL a
        // request costs does not depend on how long ago the last check was.
        settings.serve.session_check_seconds = 0;
        // Likewise no webhook round runs beside a test's requests unless it
        // asks for webhooks (the tests of webhooks look every 100 ms).
        settings.serve.webhook_poll_ms = 60_000;
        // Nor a look for queued imports (the tests of imports look every 100 ms).
        settings.serve.import_poll_ms = 60_000;
        adjust(&mut settings);
        let application = Application::build(settings.clone())
            .await
            .expect("build the application");
        let port = application.port();
        tokio::spawn(application.run_until_stopped());
        let db = Db::connect(&url, 2, None).await.expect("connect");
        db.upsert_regions(&demo_regions()).await.expect("regions");
        let accounts = DEMO_ACCOUNTS.iter().map(|(u, r, d, reg)| (*u, *r, *d, *reg)).chain([
            ("other_township", Role::TownshipOfficer, None, "522631102000"),
            ("other_village", Role::VillageOfficer, None, "522631102201"),
        ]);
        for (username, role, department, region) in accounts {
            db.insert_account(&Account {
                id: uuid::Uuid::now_v7(),
                username: username.to_owned(),
                password_hash: password_hash(),
                role,
                department,
                organization_id: None,
                region_code: region.to_owned(),
                disabled: false,
                is_client: false,
                display_name: None,
                created_at: chrono::Utc::now(),
            })
            .await
            .expect("account");
        }
        Self {
            base: format!("http://127.0.0.1:{port}"),
            client: Client::new(),
            db,
            settings,
            store,
        }
    }

    /// The base URL of a second server on this test's database, as another
    /// replica would be (PostgreSQL only: one process per SQLite file).
    pub async fn replica(&self) -> String {
        let application = Application::build(self.settings.clone())
            .await
            .expect("build the replica");
        let port = application.port();
        tokio::spawn(application.run_until_stopped());
        format!("http://127.0.0.1:{port}")
    }

    /// Whether the test runs on PostgreSQL.
    pub fn on_postgres(&self) -> bool {
        matches!(self.store, Store::Postgres { .. })
    }

    /// The URL of `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Logs in and returns the full token response.
    pub async fn login_response(&self, username: &str) -> Value {
        let res = self.login_attempt(username, PASSWORD).await;
        assert_eq!(res.status(), StatusCode::OK, "login of {username}");
        res.json().await.expect("token json")
    }

    /// POST /api/v1/auth/login with these credentials, whatever the answer.
    pub async fn login_attempt(&self, username: &str, password: &str) -> Response {
        self.post_anon(
            "/api/v1/auth/login",
            &json!({"username": username, "password": password}),
        )
        .await
    }

    /// POST /api/v1/auth/token with a JSON body, whatever the answer.
    pub async fn token_grant(&self, body: &Value) -> Response {
        self.post_anon("/api/v1/auth/token", body).await
    }

    /// A POST to /api/v1/auth/token, without a body yet.
    pub fn token_request(&self) -> RequestBuilder {
        self.anon(Method::POST, "/api/v1/auth/token")
    }

    /// POST /api/v1/auth/token with a form body, whatever the answer.
    pub async fn token_grant_form(&self, form: &[(&str, &str)]) -> Response {
        self.token_request().form(form).send().await.expect("request")
    }

    /// A refresh-token grant (JSON) for `refresh_token`, whatever the answer.
    pub async fn refresh_grant(&self, refresh_token: &Value) -> Response {
        self.token_grant(&json!({"grant_type": "refresh_token", "refresh_token": refresh_token}))
            .await
    }

    /// A client-credentials grant (JSON), whatever the answer.
    pub async fn client_grant(&self, client_id: &str, client_secret: &str) -> Response {
        self.token_grant(
            &json!({"grant_type": "client_credentials", "client_id": client_id, "client_secret": client_secret}),
        )
        .await
    }

    /// POST /api/v1/auth/logout for `refresh_token`, whatever the answer.
    pub async fn logout(&self, refresh_token: &Value) -> Response {
        self.post_anon("/api/v1/auth/logout", &json!({"refresh_token": refresh_token}))
            .await
    }

    /// Registers the county education office's client system and returns its id and secret.
    pub async fn education_client(&self) -> (String, String) {
        shouhu_api::cli::create_client(
            &self.db,
            "县教育局学籍系统",
            "department",
            "522631000000",
            Some("education"),
        )
        .await
        .expect("client")
    }

    /// An access token for `username`.
    pub async fn token(&self, username: &str) -> String {
        self.login_response(username).await["access_token"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// A request with a bearer token.
    pub fn request(&self, method: Method, path: &str, token: &str) -> RequestBuilder {
        self.client.request(method, self.url(path)).bearer_auth(token)
    }

    /// GET with a token.
    pub async fn get(&self, path: &str, token: &str) -> Response {
        self.request(Method::GET, path, token).send().await.expect("request")
    }

    /// POST JSON with a token.
    pub async fn post(&self, path: &str, token: &str, body: &Value) -> Response {
        self.request(Method::POST, path, token)
            .json(body)
            .send()
            .await
            .expect("request")
    }

    /// PATCH JSON with `If-Match: "version"`.
    pub async fn patch(&self, path: &str, token: &str, version: i64, body: &Value) -> Response {
        self.request(Method::PATCH, path, token)
            .header("if-match", format!("\"{version}\""))
            .json(body)
            .send()
            .await
            .expect("request")
    }

    /// PATCH JSON with `If-Match: "version"`, asserting 200; returns the patched record.
    pub async fn patch_ok(&self, path: &str, token: &str, version: i64, body: &Value) -> Value {
        let res = self.patch(path, token, version, body).await;
        let status = res.status();
        let json: Value = res.json().await.unwrap_or(Value::Null);
        assert_eq!(status, StatusCode::OK, "patch {path} {body}: {json}");
        json
    }

    /// DELETE with `If-Match: "version"`.
    pub async fn delete(&self, path: &str, token: &str, version: i64) -> Response {
        self.request(Method::DELETE, path, token)
            .header("if-match", format!("\"{version}\""))
            .send()
            .await
            .expect("request")
    }

    /// Creates a record and returns its JSON, asserting 201.
    pub async fn create(&self, path: &str, token: &str, body: Value) -> Value {
        let res = self.post(path, token, &body).await;
        let status = res.status();
        let json: Value = res.json().await.unwrap_or(Value::Null);
        assert_eq!(status, StatusCode::CREATED, "create {path}: {json}");
        json
    }

    /// Creates a record, asserting 201, and returns its id.
    pub async fn create_id(&self, path: &str, token: &str, body: Value) -> String {
        let created = self.create(path, token, body).await;
        created["id"]
            .as_str()
            .unwrap_or_else(|| panic!("no id in {created}"))
            .to_owned()
    }

    /// Registers a child and returns the record and its path.
    pub async fn register_child(&self, token: &str, body: Value) -> (Value, String) {
        let child = self.create("/api/v1/children", token, body).await;
        let path = format!("/api/v1/children/{}", child["id"].as_str().unwrap_or_default());
        (child, path)
    }

    /// Registers the child 童`seq` ([`child_body`]) and returns its id.
    pub async fn new_child(&self, token: &str, seq: u16) -> String {
        self.create_id("/api/v1/children", token, child_body(&format!("童{seq}"), seq))
            .await
    }

    /// Registers a care centre (`kind` care_center) and returns its id.
    pub async fn new_care_center(&self, token: &str, name: &str, region: &str, capacity: Option<i64>) -> String {
        let mut body = json!({"name": name, "kind": "care_center", "region_code": region});
        if let Some(c) = capacity {
            body["capacity"] = json!(c);
        }
        self.create_id("/api/v1/care-centers", token, body).await
    }

    /// Registers the volunteer 李老师 (a teacher in township 522631101000),
    /// approves it, linking the account `account` when given, and returns its id.
    pub async fn approved_volunteer(&self, token: &str, account: Option<&str>) -> String {
        let id = self
            .create_id(
                "/api/v1/volunteers",
                token,
                json!({"name": "李老师", "region_code": "522631101000", "category": "teacher"}),
            )
            .await;
        let mut patch = json!({"vetting_status": "approved"});
        if let Some(a) = account {
            patch["account_id"] = json!(a);
        }
        let res = self.patch(&format!("/api/v1/volunteers/{id}"), token, 1, &patch).await;
        assert_eq!(res.status(), StatusCode::OK, "{}", res.text().await.unwrap_or_default());
        id
    }

    /// The id of the account `username`.
    pub async fn account_id(&self, username: &str) -> String {
        self.db
            .account_by_username(username)
            .await
            .expect("account")
            .expect("no such account")
            .id
            .to_string()
    }

    /// Schedules a three-hour guardian training for two in township
    /// 522631101000, starting at `starts`, and returns the record.
    pub async fn new_guardian_training(
        &self,
        token: &str,
        title: &str,
        starts: chrono::DateTime<chrono::Utc>,
    ) -> Value {
        let ends = starts + chrono::Duration::hours(3);
        self.create(
            "/api/v1/training-sessions",
            token,
            json!({"title": title, "kind": "guardian_training", "region_code": "522631101000",
                   "starts_at": starts.to_rfc3339(), "ends_at": ends.to_rfc3339(), "capacity": 2}),
        )
        .await
    }

    /// Enrols `child` at the care place `place` ([`enrollment`]), asserting 201; returns the enrolment.
    pub async fn enroll(&self, token: &str, place: &str, child: &str, kind: &str, since: String) -> Value {
        let path = format!("/api/v1/care-centers/{place}/enrollments");
        self.create(&path, token, enrollment(child, kind, since)).await
    }

    /// Runs a GraphQL operation and returns the whole response body.
    pub async fn gql(&self, token: &str, query: &str, variables: Value) -> Value {
        self.request(Method::POST, "/graphql", token)
            .json(&json!({"query": query, "variables": variables}))
            .send()
            .await
            .expect("graphql request")
            .json()
            .await
            .expect("graphql json")
    }

    /// A request without a token.
    pub fn anon(&self, method: Method, path: &str) -> RequestBuilder {
        self.client.request(method, self.url(path))
    }

    /// GET without a token.
    pub async fn get_anon(&self, path: &str) -> Response {
        self.anon(Method::GET, path).send().await.expect("request")
    }

    /// POST JSON without a token.
    pub async fn post_anon(&self, path: &str, body: &Value) -> Response {
        self.anon(Method::POST, path).json(body).send().await.expect("request")
    }

    /// The body of a GET without a token, as text.
    pub async fn text_anon(&self, path: &str) -> String {
        self.get_anon(path).await.text().await.expect("text body")
    }

    /// The body of a GET without a token, as JSON.
    pub async fn json_anon(&self, path: &str) -> Value {
        self.get_anon(path).await.json().await.expect("json body")
    }

    /// The body of a GET with a token, as JSON.
    pub async fn get_json(&self, path: &str, token: &str) -> Value {
        self.get(path, token).await.json().await.expect("json body")
    }

    /// PATCH JSON with the `If-Match` header exactly as given.
    pub async fn patch_if_match(&self, path: &str, token: &str, if_match: &str, body: &Value) -> Response {
        self.request(Method::PATCH, path, token)
            .header("if-match", if_match)
            .json(body)
            .send()
            .await
            .expect("request")
    }

    /// POST a body as it is, sent as `content_type`.
    pub async fn post_raw(&self, path: &str, token: &str, content_type: &str, body: &'static str) -> Response {
        self.request(Method::POST, path, token)
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .expect("request")
    }

    /// The database queries the server has run so far.
    pub async fn queries(&self) -> u64 {
        self.metric("shouhu_db_queries_total").await
    }

    /// Runs a GraphQL query and returns its answer and how many database queries it cost.
    pub async fn gql_cost(&self, token: &str, query: &str) -> (Value, u64) {
        let before = self.queries().await;
        let res = self.gql(token, query, json!({})).await;
        (res, self.queries().await - before)
    }

    /// Runs `query(n)` for each page size `n` of `sizes`, asserts that the
    /// connection `field` answers `n` edges that pass `check` (given the whole
    /// answer and the edges), and returns what each run cost in database queries.
    pub async fn page_costs(
        &self,
        token: &str,
        field: &str,
        sizes: &[usize],
        query: impl Fn(usize) -> String,
        check: impl Fn(&Value, &[Value]),
    ) -> Vec<u64> {
        let mut costs = Vec::new();
        for &n in sizes {
            let (res, cost) = self.gql_cost(token, &query(n)).await;
            let edges = edges(&res, field);
            assert_eq!(edges.len(), n, "{field}");
            check(&res, edges);
            costs.push(cost);
        }
        costs
    }

    /// The current value of a counter in `/metrics`.
    pub async fn metric(&self, name: &str) -> u64 {
        let text = self.text_anon("/metrics").await;
        text.lines()
            .find_map(|l| l.strip_prefix(name).and_then(|rest| rest.trim().parse::<f64>().ok()))
            .map_or(0, |v| v as u64)
    }
}

/// An HTTP client that follows no redirects.
pub fn no_redirects() -> Client {
    Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

/// Today (UTC), as the server sees it: every date a test sends is derived from it.
pub fn today() -> chrono::NaiveDate {
    chrono::Utc::now().date_naive()
}

/// The day `offset` days from today (negative: in the past), as `YYYY-MM-DD`.
pub fn day(offset: i64) -> String {
    (today() + chrono::Duration::days(offset)).to_string()
}

/// Midnight UTC of the day `offset` days from today, as RFC 3339.
pub fn midnight(offset: i64) -> String {
    format!("{}T00:00:00Z", day(offset))
}

/// The test children's birthday: 9 July ten years ago, a primary-school child whatever the day.
pub fn birth_date() -> chrono::NaiveDate {
    use chrono::Datelike;
    chrono::NaiveDate::from_ymd_opt(today().year() - 10, 7, 9).unwrap_or_default()
}

/// A child in village 522631101201 with a valid ID number.
pub fn child_body(name: &str, seq: u16) -> Value {
    let birth = birth_date();
    json!({
        "name": name,
        "gender": "male",
        "birth_date": birth.to_string(),
        "id_number": shouhu_domain::id_number::compose("522631", birth, seq * 2, shouhu_domain::enums::Gender::Male),
        "region_code": "522631101201",
        "left_behind_type": "both_parents_away",
        "school_stage": "primary",
        "school_status": "enrolled",
    })
}

/// An enrolment of `child` of `kind` since `since`.
pub fn enrollment(child: &str, kind: &str, since: String) -> Value {
    json!({"child_id": child, "kind": kind, "since": since})
}

/// The field names of a problem's `errors`.
pub fn problem_fields(body: &Value) -> Vec<(String, String)> {
    body["errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| {
                    (
                        e["field"].as_str().unwrap_or("").to_owned(),
                        e["code"].as_str().unwrap_or("").to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Asserts that a response is a problem (`application/problem+json`) with
/// `status`, and returns its body.
pub async fn problem(res: Response, status: StatusCode) -> Value {
    assert_eq!(res.status(), status);
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    res.json().await.expect("problem json")
}

/// Asserts that a problem's `errors` name each `(field, code)` of `expected`.
pub fn assert_fields(body: &Value, expected: &[(&str, &str)]) {
    let fields = problem_fields(body);
    for (field, code) in expected {
        assert!(
            fields.contains(&((*field).to_owned(), (*code).to_owned())),
            "{field:?} {code:?} missing in {fields:?}"
        );
    }
}

/// Asserts a 409 whose first error names `field`; `why` says which conflict it is.
pub async fn assert_conflict(res: Response, field: &str, why: &str) {
    assert_eq!(res.status(), StatusCode::CONFLICT, "{why}");
    let body: Value = res.json().await.expect("problem json");
    assert_eq!(problem_fields(&body)[0].0, field, "{why}: {body}");
}

/// Asserts that a problem's `errors` name exactly one field, with this code.
pub fn assert_only_field(body: &Value, field: &str, code: &str) {
    assert_eq!(
        problem_fields(body),
        vec![(field.to_owned(), code.to_owned())],
        "{body}"
    );
}

/// The length of a JSON array.
pub fn len_of(list: &Value) -> usize {
    list.as_array().unwrap_or_else(|| panic!("not an array: {list}")).len()
}

/// The strings of a JSON array.
pub fn strs(list: &Value) -> Vec<&str> {
    list.as_array()
        .unwrap_or_else(|| panic!("not an array: {list}"))
        .iter()
        .map(|v| v.as_str().unwrap_or_else(|| panic!("not a string: {v}")))
        .collect()
}

/// The string `key` of each object of a JSON array.
pub fn strs_of<'a>(list: &'a Value, key: &str) -> Vec<&'a str> {
    list.as_array()
        .unwrap_or_else(|| panic!("not an array: {list}"))
        .iter()
        .map(|v| v[key].as_str().unwrap_or_else(|| panic!("no {key} in {v}")))
        .collect()
}

/// The ids of a list's `items`.
pub fn ids(list: &Value) -> Vec<String> {
    list["items"]
        .as_array()
        .unwrap_or_else(|| panic!("{list}"))
        .iter()
        .map(|i| i["id"].as_str().unwrap_or_else(|| panic!("{i}")).to_owned())
        .collect()
}

/// The `edges` of the connection `field` in a GraphQL answer.
pub fn edges<'a>(res: &'a Value, field: &str) -> &'a [Value] {
    res["data"][field]["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("no {field} edges in {res}"))
}

/// Asserts that a GraphQL answer's first error has `code` and a message containing `phrase`.
pub fn assert_gql_error(res: &Value, code: &str, phrase: &str) {
    assert_eq!(gql_code(res), code, "{res}");
    let message = res["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(message.contains(phrase), "{phrase:?} in {res}");
}

/// The `extensions.code` of a GraphQL response's first error, or `OK` when there is none.
pub fn gql_code(res: &Value) -> &str {
    res["errors"][0]["extensions"]["code"].as_str().unwrap_or("OK")
}
