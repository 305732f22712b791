//! The access matrix (docs/access.md), cell by cell, through REST and GraphQL;
//! and the BOLA suite: a caller from another township reaches nothing of this one.

use std::sync::atomic::{AtomicU16, Ordering};

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, child_body, gql_code, midnight};

const INSIDE: &str = "522631101201";
const OUTSIDE: &str = "522631102201";

struct Collection {
    path: &'static str,
    gql_one: &'static str,
    gql_name: &'static str,
}

const COLLECTIONS: [Collection; 5] = [
    Collection {
        path: "/api/v1/children",
        gql_one: "child",
        gql_name: "Child",
    },
    Collection {
        path: "/api/v1/guardians",
        gql_one: "guardian",
        gql_name: "Guardian",
    },
    Collection {
        path: "/api/v1/care-centers",
        gql_one: "careCenter",
        gql_name: "CareCenter",
    },
    Collection {
        path: "/api/v1/volunteers",
        gql_one: "volunteer",
        gql_name: "Volunteer",
    },
    Collection {
        path: "/api/v1/training-sessions",
        gql_one: "trainingSession",
        gql_name: "TrainingSession",
    },
];

/// r: read, c: create, u: change (with the role's own field), a: archive — per collection, in COLLECTIONS order.
const MATRIX: [(&str, [&str; 5]); 12] = [
    ("admin", ["rcua", "rcua", "rcua", "rcua", "rcua"]),
    ("coordinator", ["rcua", "rcua", "rcua", "rcua", "rcua"]),
    ("township", ["rcua", "rcua", "rcua", "rcua", "rcua"]),
    ("village", ["rcua", "rcua", "r", "r", "r"]),
    ("education", ["ru", "r", "r", "r", "r"]),
    ("health", ["ru", "r", "r", "r", "r"]),
    ("civil_affairs", ["ru", "r", "r", "r", "r"]),
    ("youth_league", ["r", "r", "r", "rcua", "rcua"]),
    ("center", ["r", "r", "ru", "r", "rcua"]),
    ("volunteer", ["", "", "r", "", "r"]),
    ("partner", ["r", "r", "r", "r", "r"]),
    ("auditor", ["r", "r", "r", "r", "r"]),
];

static SEQ: AtomicU16 = AtomicU16::new(1);

fn body(collection: usize, region: &str) -> Value {
    let n = SEQ.fetch_add(1, Ordering::Relaxed);
    match collection {
        0 => {
            let mut b = child_body(&format!("矩阵{n}"), n);
            b["region_code"] = json!(region);
            b
        }
        1 => json!({"name": format!("家长{n}"), "region_code": region}),
        2 => json!({"name": format!("场所{n}"), "kind": "care_center", "region_code": region}),
        3 => json!({"name": format!("志愿者{n}"), "category": "teacher", "region_code": region}),
        _ => {
            json!({"title": format!("培训{n}"), "kind": "safety_education", "region_code": region, "starts_at": midnight(30)})
        }
    }
}

/// The change each role makes: departments change their own fields.
fn change(user: &str, collection: usize) -> (Value, &'static str) {
    match (user, collection) {
        ("education", 0) => (json!({"school_status": "suspended"}), "{schoolStatus: SUSPENDED}"),
        ("health", 0) => (json!({"health_notes": "体检正常"}), "{healthNotes: \"体检正常\"}"),
        ("civil_affairs", 0) => (json!({"special_hardship": true}), "{specialHardship: true}"),
        (_, 4) => (json!({"title": "改名"}), "{title: \"改名\"}"),
        _ => (json!({"name": "改名"}), "{name: \"改名\"}"),
    }
}

fn gql_create_input(collection: usize, region: &str) -> String {
    let n = SEQ.fetch_add(1, Ordering::Relaxed);
    match collection {
        0 => {
            let body = child_body("x", n);
            let id = body["id_number"].as_str().unwrap_or_default();
            let born = body["birth_date"].as_str().unwrap_or_default();
            format!(
                "{{name: \"童{n}\", gender: MALE, birthDate: \"{born}\", idNumber: \"{id}\", regionCode: \"{region}\", leftBehindType: BOTH_PARENTS_AWAY}}"
            )
        }
        1 => format!("{{name: \"家长{n}\", regionCode: \"{region}\"}}"),
        2 => format!("{{name: \"场所{n}\", kind: CARE_CENTER, regionCode: \"{region}\"}}"),
        3 => format!("{{name: \"志愿者{n}\", category: TEACHER, regionCode: \"{region}\"}}"),
        _ => format!(
            "{{title: \"培训{n}\", kind: SAFETY_EDUCATION, regionCode: \"{region}\", startsAt: \"{}\"}}",
            midnight(30)
        ),
    }
}

/// One record a matrix cell tries over REST: its path, a change to it,
/// and where and with what body the role tries to create another.
struct Rest<'a> {
    item: &'a str,
    patch: &'a Value,
    list: &'a str,
    body: &'a Value,
    /// What a create the role may not make answers.
    create_refused: StatusCode,
}

/// Asserts that a role with the flags `can` (r, c, u, a) reads, changes,
/// ends and creates over REST exactly as its flags say. Ending an
/// unchanged record names version 1, a changed one version 2.
async fn assert_rest_cell(app: &TestApp, token: &str, cell: &str, can: &str, end_word: &str, r: &Rest<'_>) {
    let can = |flag: char| can.contains(flag);
    let denied = if can('r') {
        StatusCode::FORBIDDEN
    } else {
        StatusCode::NOT_FOUND
    };
    let read = app.get(r.item, token).await.status();
    assert_eq!(
        read,
        if can('r') {
            StatusCode::OK
        } else {
            StatusCode::NOT_FOUND
        },
        "{cell}: get"
    );
    let res = app.patch(r.item, token, 1, r.patch).await;
    assert_eq!(
        res.status(),
        if can('u') { StatusCode::OK } else { denied },
        "{cell}: patch"
    );
    let version = if can('u') { 2 } else { 1 };
    let res = app.delete(r.item, token, version).await;
    assert_eq!(
        res.status(),
        if can('a') { StatusCode::NO_CONTENT } else { denied },
        "{cell}: {end_word}"
    );
    let res = app.post(r.list, token, r.body).await;
    assert_eq!(
        res.status(),
        if can('c') {
            StatusCode::CREATED
        } else {
            r.create_refused
        },
        "{cell}: create"
    );
}

/// Asserts that `token` neither reads, nor changes, nor ends the record at `item`:
/// each is a 404, as if it were not there.
async fn assert_out_of_reach(app: &TestApp, token: &str, cell: &str, item: &str, patch: &Value, end_word: &str) {
    assert_eq!(
        app.get(item, token).await.status(),
        StatusCode::NOT_FOUND,
        "{cell}: get"
    );
    assert_eq!(
        app.patch(item, token, 1, patch).await.status(),
        StatusCode::NOT_FOUND,
        "{cell}: patch"
    );
    assert_eq!(
        app.delete(item, token, 1).await.status(),
        StatusCode::NOT_FOUND,
        "{cell}: {end_word}"
    );
}

/// The code of the first error of `query` run as `token` (`OK` when none).
async fn gql_code_of(app: &TestApp, token: &str, query: &str) -> String {
    gql_code(&app.gql(token, query, json!({})).await).to_owned()
}

/// The record a matrix cell tries over GraphQL.
struct Gql<'a> {
    /// The query that reads one, and the type's name in mutations.
    one: &'a str,
    name: &'a str,
    id: &'a str,
    /// A change (an input object), the verb that ends one, a create's arguments.
    patch: &'a str,
    end: &'a str,
    create: &'a str,
    /// What a create the role may not make answers.
    create_refused: &'a str,
}

/// [`assert_rest_cell`] over GraphQL.
async fn assert_gql_cell(app: &TestApp, token: &str, cell: &str, can: &str, end_word: &str, g: &Gql<'_>) {
    let can = |flag: char| can.contains(flag);
    let denied = if can('r') { "FORBIDDEN" } else { "NOT_FOUND" };
    let id = g.id;
    let res = app
        .gql(token, &format!("{{ {}(id: \"{id}\") {{ id }} }}", g.one), json!({}))
        .await;
    assert_eq!(
        gql_code(&res),
        if can('r') { "OK" } else { "NOT_FOUND" },
        "{cell}: graphql get {res}"
    );
    let version = if can('u') { 2 } else { 1 };
    let writes = [
        (
            "update",
            format!(
                "mutation {{ update{}(id: \"{id}\", expectedVersion: 1, input: {}) {{ version }} }}",
                g.name, g.patch
            ),
            can('u'),
            denied,
        ),
        (
            end_word,
            format!(
                "mutation {{ {}{}(id: \"{id}\", expectedVersion: {version}) {{ version }} }}",
                g.end, g.name
            ),
            can('a'),
            denied,
        ),
        (
            "create",
            format!("mutation {{ create{}({}) {{ id }} }}", g.name, g.create),
            can('c'),
            g.create_refused,
        ),
    ];
    for (what, mutation, allowed, refused) in writes {
        let res = app.gql(token, &mutation, json!({})).await;
        assert_eq!(
            gql_code(&res),
            if allowed { "OK" } else { refused },
            "{cell}: graphql {what} {res}"
        );
    }
}

#[tokio::test]
async fn every_cell_of_the_access_matrix_holds_on_both_apis() {
    let app = TestApp::spawn_with(|s| s.serve.rate_limit_per_minute = 0).await;
    let admin = app.token("admin").await;
    for (user, cells) in MATRIX {
        let token = app.token(user).await;
        for (i, c) in COLLECTIONS.iter().enumerate() {
            let can = |flag: char| cells[i].contains(flag);
            let cell = format!("{user} × {}", c.path);

            // REST
            let record = app.create(c.path, &admin, body(i, INSIDE)).await;
            let id = record["id"].as_str().unwrap().to_owned();
            let item = format!("{}/{id}", c.path);
            let list: Value = app.get_json(c.path, &token).await;
            let listed = list["items"].as_array().unwrap().iter().any(|r| r["id"] == id);
            assert_eq!(listed, can('r'), "{cell}: list");
            let (patch, gql_patch) = change(user, i);
            let rest = Rest {
                item: &item,
                patch: &patch,
                list: c.path,
                body: &body(i, INSIDE),
                create_refused: StatusCode::FORBIDDEN,
            };
            assert_rest_cell(&app, &token, &cell, cells[i], "archive", &rest).await;

            // GraphQL
            let record = app.create(c.path, &admin, body(i, INSIDE)).await;
            let gql = Gql {
                one: c.gql_one,
                name: c.gql_name,
                id: record["id"].as_str().unwrap(),
                patch: gql_patch,
                end: "archive",
                create: &format!("input: {}", gql_create_input(i, INSIDE)),
                create_refused: "FORBIDDEN",
            };
            assert_gql_cell(&app, &token, &cell, cells[i], "archive", &gql).await;
        }
        let audit = app.get("/api/v1/audit-events", &token).await.status();
        let may_audit = matches!(user, "admin" | "auditor");
        assert_eq!(
            audit,
            if may_audit {
                StatusCode::OK
            } else {
                StatusCode::FORBIDDEN
            },
            "{user}: audit trail"
        );
    }
}

#[tokio::test]
async fn a_caller_from_another_township_reaches_nothing_of_this_one() {
    let app = TestApp::spawn_with(|s| s.serve.rate_limit_per_minute = 0).await;
    let admin = app.token("admin").await;
    // Records of township 102, and a guardian there linked to nothing visible to 101.
    for user in ["township", "village", "center", "volunteer"] {
        let token = app.token(user).await;
        for (i, c) in COLLECTIONS.iter().enumerate() {
            let record = app.create(c.path, &admin, body(i, OUTSIDE)).await;
            let id = record["id"].as_str().unwrap();
            let item = format!("{}/{id}", c.path);
            let cell = format!("{user} × {}", c.path);
            assert_out_of_reach(&app, &token, &cell, &item, &change(user, i).0, "delete").await;
            for filter in [
                "",
                "?region=522631102000",
                "?region=522631102201",
                "?region=522631000000",
                "?status=archived",
            ] {
                let list: Value = app.get_json(&format!("{}{filter}", c.path), &token).await;
                assert!(
                    list["items"].as_array().unwrap().iter().all(|r| r["id"] != id),
                    "{cell}: list {filter}"
                );
            }
            let get = format!("{{ {}(id: \"{id}\") {{ id }} }}", c.gql_one);
            assert_eq!(
                gql_code_of(&app, &token, &get).await,
                "NOT_FOUND",
                "{cell}: graphql get"
            );
            let (_, gql_patch) = change(user, i);
            let update = format!(
                "mutation {{ update{}(id: \"{id}\", expectedVersion: 1, input: {gql_patch}) {{ id }} }}",
                c.gql_name
            );
            assert_eq!(
                gql_code_of(&app, &token, &update).await,
                "NOT_FOUND",
                "{cell}: graphql update"
            );
            let archive = format!(
                "mutation {{ archive{}(id: \"{id}\", expectedVersion: 1) {{ id }} }}",
                c.gql_name
            );
            assert_eq!(
                gql_code_of(&app, &token, &archive).await,
                "NOT_FOUND",
                "{cell}: graphql archive"
            );
            // Nothing changed.
            let still: Value = app.get_json(&item, &admin).await;
            assert_eq!(still["version"], 1, "{cell}");
        }
    }
    // Through nested fields: a child of township 101 whose guardian lives in 102 shows no guardian to 101,
    // and a guardian of 101 shows no child of 102.
    shouhu_api::demo::load_register(&app.db).await.unwrap();
    let township = app.token("township").await;
    let res = app
        .gql(&township, "{ children(first: 500, filter: {region: \"522631102000\"}) { edges { node { id } } } guardians(first: 500) { edges { node { children { regionCode } } } } }", json!({}))
        .await;
    assert_eq!(res["data"]["children"]["edges"], json!([]), "{res}");
    for edge in res["data"]["guardians"]["edges"].as_array().unwrap() {
        for child in edge["node"]["children"].as_array().unwrap() {
            assert!(
                child["regionCode"].as_str().unwrap().starts_with("522631101"),
                "{child}"
            );
        }
    }
}

/// Records that belong to another: r, c, u (change), a (end), per role, for
/// pairings, visits and attendance — as docs/access.md says.
const NESTED_MATRIX: [(&str, [&str; 3]); 12] = [
    ("admin", ["rcua", "rcua", "rcua"]),
    ("coordinator", ["rcua", "rcua", "rcua"]),
    ("township", ["rcua", "rcua", "rcua"]),
    ("village", ["rcua", "rcua", "r"]),
    ("education", ["r", "r", "r"]),
    ("health", ["r", "r", "r"]),
    ("civil_affairs", ["r", "r", "r"]),
    ("youth_league", ["rcua", "r", "rcua"]),
    ("center", ["r", "rcua", "rcua"]),
    ("volunteer", ["", "", ""]),
    ("partner", ["r", "r", "r"]),
    ("auditor", ["r", "r", "r"]),
];

/// What one cell of the nested matrix works on, made fresh by the admin.
struct Nest {
    /// The parent's collection of these records.
    list: String,
    /// One record, made by the admin, for reads, changes and ends over REST.
    item: String,
    /// Another, for GraphQL.
    gql_id: String,
    /// A body the role tries to create over REST.
    body: Value,
    /// The GraphQL create mutation's arguments.
    gql_create: String,
    /// A change, over REST and GraphQL.
    patch: Value,
    gql_patch: String,
    /// GraphQL names: the type and the verb that ends one.
    gql_name: &'static str,
    gql_end: &'static str,
    /// Whether a role that may not read these records still reads the parent.
    parent_readable_by_volunteer: bool,
}

async fn made(app: &TestApp, admin: &str, collection: usize) -> String {
    app.create_id(COLLECTIONS[collection].path, admin, body(collection, INSIDE))
        .await
}

async fn nest(app: &TestApp, admin: &str, kind: usize) -> Nest {
    let today = chrono::Utc::now().date_naive().to_string();
    match kind {
        0 => {
            let v = app.create("/api/v1/volunteers", admin, body(3, INSIDE)).await;
            let v = v["id"].as_str().unwrap().to_owned();
            app.patch(
                &format!("/api/v1/volunteers/{v}"),
                admin,
                1,
                &json!({"vetting_status": "approved"}),
            )
            .await;
            let list = format!("/api/v1/volunteers/{v}/pairings");
            let one = app
                .create(
                    &list,
                    admin,
                    json!({"child_id": made(app, admin, 0).await, "kind": "mentor"}),
                )
                .await;
            let two = app
                .create(
                    &list,
                    admin,
                    json!({"child_id": made(app, admin, 0).await, "kind": "peer"}),
                )
                .await;
            Nest {
                item: format!("/api/v1/pairings/{}", one["id"].as_str().unwrap()),
                gql_id: two["id"].as_str().unwrap().to_owned(),
                body: json!({"child_id": made(app, admin, 0).await, "kind": "mentor"}),
                gql_create: format!(
                    "volunteerId: \"{v}\", input: {{childId: \"{}\", kind: SURROGATE_PARENT}}",
                    made(app, admin, 0).await
                ),
                list,
                patch: json!({"notes": "每周辅导"}),
                gql_patch: "{notes: \"每周辅导\"}".to_owned(),
                gql_name: "Pairing",
                gql_end: "end",
                parent_readable_by_volunteer: false,
            }
        }
        1 => {
            let c = made(app, admin, 0).await;
            let list = format!("/api/v1/children/{c}/visits");
            let visit = json!({"kind": "follow_up", "mode": "home", "occurred_on": today, "visitor": "杨丽"});
            let one = app.create(&list, admin, visit.clone()).await;
            let two = app.create(&list, admin, visit.clone()).await;
            Nest {
                item: format!("/api/v1/visits/{}", one["id"].as_str().unwrap()),
                gql_id: two["id"].as_str().unwrap().to_owned(),
                body: visit,
                gql_create: format!(
                    "childId: \"{c}\", input: {{kind: FOLLOW_UP, mode: PHONE, occurredOn: \"{today}\", visitor: \"杨丽\"}}"
                ),
                list,
                patch: json!({"notes": "已复访"}),
                gql_patch: "{notes: \"已复访\"}".to_owned(),
                gql_name: "Visit",
                gql_end: "withdraw",
                parent_readable_by_volunteer: false,
            }
        }
        _ => {
            let mut session = body(4, INSIDE);
            let started = chrono::Utc::now() - chrono::Duration::hours(1);
            session["starts_at"] = json!(started.to_rfc3339());
            let s = app.create("/api/v1/training-sessions", admin, session).await;
            let s = s["id"].as_str().unwrap().to_owned();
            let list = format!("/api/v1/training-sessions/{s}/attendance");
            let register = |g: String| json!({"attendee_kind": "guardian", "attendee_id": g});
            let one = app.create(&list, admin, register(made(app, admin, 1).await)).await;
            let two = app.create(&list, admin, register(made(app, admin, 1).await)).await;
            Nest {
                item: format!("/api/v1/attendance/{}", one["id"].as_str().unwrap()),
                gql_id: two["id"].as_str().unwrap().to_owned(),
                body: register(made(app, admin, 1).await),
                gql_create: format!(
                    "trainingSessionId: \"{s}\", input: {{attendeeKind: GUARDIAN, attendeeId: \"{}\"}}",
                    made(app, admin, 1).await
                ),
                list,
                patch: json!({"checked_in_at": chrono::Utc::now().to_rfc3339()}),
                gql_patch: format!("{{checkedInAt: \"{}\"}}", chrono::Utc::now().to_rfc3339()),
                gql_name: "Attendance",
                gql_end: "cancel",
                parent_readable_by_volunteer: true,
            }
        }
    }
}

#[tokio::test]
async fn every_cell_of_the_nested_access_matrix_holds_on_both_apis() {
    let app = TestApp::spawn_with(|s| s.serve.rate_limit_per_minute = 0).await;
    let admin = app.token("admin").await;
    for (user, cells) in NESTED_MATRIX {
        let token = app.token(user).await;
        for (kind, cell) in cells.iter().enumerate() {
            let can = |flag: char| cell.contains(flag);
            let n = nest(&app, &admin, kind).await;
            let name = format!("{user} × {}", n.gql_name);
            let parent_readable = user != "volunteer" || n.parent_readable_by_volunteer;
            let res = app.get(&n.list, &token).await;
            // What the role cannot read is absent, even under a parent it reads.
            let expected = if can('r') {
                StatusCode::OK
            } else {
                StatusCode::NOT_FOUND
            };
            assert_eq!(res.status(), expected, "{name}: list");
            let rest = Rest {
                item: &n.item,
                patch: &n.patch,
                list: &n.list,
                body: &n.body,
                create_refused: if parent_readable {
                    StatusCode::FORBIDDEN
                } else {
                    StatusCode::NOT_FOUND
                },
            };
            assert_rest_cell(&app, &token, &name, cell, "end", &rest).await;

            let one = n.gql_name[..1].to_lowercase() + &n.gql_name[1..];
            let gql = Gql {
                one: &one,
                name: n.gql_name,
                id: &n.gql_id,
                patch: &n.gql_patch,
                end: n.gql_end,
                create: &n.gql_create,
                create_refused: if parent_readable { "FORBIDDEN" } else { "NOT_FOUND" },
            };
            assert_gql_cell(&app, &token, &name, cell, "end", &gql).await;
        }
    }
}

#[tokio::test]
async fn a_caller_from_another_township_reaches_no_pairing_visit_or_attendance() {
    let app = TestApp::spawn_with(|s| s.serve.rate_limit_per_minute = 0).await;
    let admin = app.token("admin").await;
    let other = app.token("other_township").await;
    for kind in 0..3 {
        let n = nest(&app, &admin, kind).await;
        let name = n.gql_name;
        assert_out_of_reach(&app, &other, name, &n.item, &n.patch, "end").await;
        assert_eq!(
            app.get(&n.list, &other).await.status(),
            StatusCode::NOT_FOUND,
            "{name}: list"
        );
        assert_eq!(
            app.post(&n.list, &other, &n.body).await.status(),
            StatusCode::NOT_FOUND,
            "{name}: create"
        );
        let one = name[..1].to_lowercase() + &name[1..];
        let get = format!("{{ {one}(id: \"{}\") {{ id }} }}", n.gql_id);
        assert_eq!(
            gql_code_of(&app, &other, &get).await,
            "NOT_FOUND",
            "{name}: graphql get"
        );
        let create = format!("mutation {{ create{name}({}) {{ id }} }}", n.gql_create);
        assert_eq!(
            gql_code_of(&app, &other, &create).await,
            "NOT_FOUND",
            "{name}: graphql create"
        );
        let still: Value = app.get_json(&n.item, &admin).await;
        assert_eq!(still["version"], 1, "{name}: nothing changed");
    }
    // Nor through the relations of its own records, nor the guarantees filter.
    let res = app
        .gql(
            &other,
            "{ volunteers { edges { node { pairings { id } } } } trainingSessions { edges { node { attendance { id } } } }
               children(filter: {guaranteeUnmet: SAFETY}) { edges { node { id } } } }",
            json!({}),
        )
        .await;
    assert_eq!(res["data"]["volunteers"]["edges"], json!([]), "{res}");
    assert_eq!(res["data"]["trainingSessions"]["edges"], json!([]), "{res}");
    assert_eq!(res["data"]["children"]["edges"], json!([]), "{res}");
}
