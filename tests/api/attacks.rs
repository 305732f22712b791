//! Requests crafted to crash or hang the GraphQL endpoint: each is refused with
//! a GraphQL error naming the limit, and the server keeps answering meanwhile.

use std::time::{Duration, Instant};

use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_gql_error};

/// A refused attack comes back quickly; a generous timeout turns a hang into a failure.
const ATTACK_TIMEOUT: Duration = Duration::from_secs(30);

/// A GraphQL request body, written as text (the deep ones would overflow a
/// serializer's stack as much as the server's).
fn body(query: &str, variables: &str) -> String {
    format!(
        r#"{{"query": {}, "variables": {variables}}}"#,
        Value::String(query.to_owned())
    )
}

/// An argument nested 2,200 lists deep (4.4 KB).
fn deep_argument() -> String {
    let n = 2_200;
    body(
        &format!(
            "{{ regions(parent: {}\"x\"{}) {{ code }} }}",
            "[".repeat(n),
            "]".repeat(n)
        ),
        "{}",
    )
}

/// Selections nested 2,200 levels deep.
fn deep_selection() -> String {
    let n = 2_200;
    body(&format!("{}code{}", "{ regions ".repeat(n), " }".repeat(n)), "{}")
}

/// A variable nested 2,200 lists deep.
fn deep_variable() -> String {
    let n = 2_200;
    body(
        "query($p: String) { regions(parent: $p) { code } }",
        &format!(r#"{{"p": {}"x"{}}}"#, "[".repeat(n), "]".repeat(n)),
    )
}

/// A variable nested 100 lists deep: within serde_json's own limit of 128.
fn variable_within_serde_limit() -> String {
    let n = 100;
    body(
        "query($p: String) { regions(parent: $p) { code } }",
        &format!(r#"{{"p": {}"x"{}}}"#, "[".repeat(n), "]".repeat(n)),
    )
}

/// A fragment spreading itself, twice (65 bytes of query).
fn self_spreading_fragment() -> String {
    body("query { ...F } fragment F on QueryRoot { ...F ...F }", "{}")
}

/// F0 spreads F1 twice, F1 spreads F2 twice, ...: no cycle, 2^30 fields once expanded.
fn doubling_fragment_chain() -> String {
    let mut query = String::from("query { ...F0 }");
    for i in 0..30 {
        query.push_str(&format!(" fragment F{i} on QueryRoot {{ ...F{0} ...F{0} }}", i + 1));
    }
    query.push_str(" fragment F30 on QueryRoot { regions { code } }");
    body(&query, "{}")
}

/// A chain of 200 fragments, each spreading the next once.
fn long_fragment_chain() -> String {
    let mut query = String::from("query { ...F0 }");
    for i in 0..200 {
        query.push_str(&format!(" fragment F{i} on QueryRoot {{ ...F{} }}", i + 1));
    }
    query.push_str(" fragment F200 on QueryRoot { regions { code } }");
    body(&query, "{}")
}

/// The same field 1,000 times, without aliases.
fn repeated_field() -> String {
    let field = "children(first: 1) { edges { node { id } } } ";
    body(&format!("{{ {} }}", field.repeat(1_000)), "{}")
}

/// Every attack, with the phrase its refusal must contain.
fn attacks() -> Vec<(&'static str, String, &'static str)> {
    vec![
        ("deep argument", deep_argument(), "nesting limit is 32"),
        ("deep selection", deep_selection(), "nesting limit is 32"),
        ("deep variable", deep_variable(), "nesting limit is 32"),
        (
            "variable within serde's limit",
            variable_within_serde_limit(),
            "nesting limit is 32",
        ),
        (
            "self-spreading fragment",
            self_spreading_fragment(),
            "must not form a cycle",
        ),
        (
            "doubling fragment chain",
            doubling_fragment_chain(),
            "field limit is 1000",
        ),
        ("long fragment chain", long_fragment_chain(), "nesting limit is 32"),
        ("repeated field", repeated_field(), "field limit is 1000"),
    ]
}

async fn send(client: &Client, url: &str, token: &str, body: String) -> Result<(StatusCode, Value), String> {
    let res = client
        .post(url)
        .bearer_auth(token)
        .header("content-type", "application/json")
        .body(body)
        .timeout(ATTACK_TIMEOUT)
        .send()
        .await
        .map_err(|e| format!("no answer: {e}"))?;
    let status = res.status();
    let json = res.json().await.map_err(|e| format!("not JSON: {e}"))?;
    Ok((status, json))
}

/// Sends `attack` and asserts it is refused with VALIDATION and `phrase`.
async fn assert_refused(app: &TestApp, token: &str, name: &str, attack: String, phrase: &str) {
    let (status, res) = send(&app.client, &app.url("/graphql"), token, attack)
        .await
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_eq!(res["data"], Value::Null, "{name}: {res}");
    assert_validation(name, status, &res, phrase);
}

/// Asserts that an attack's answer is a 200 with a VALIDATION error saying `phrase`.
fn assert_validation(name: &str, status: StatusCode, res: &Value, phrase: &str) {
    assert_eq!(status, StatusCode::OK, "{name}: {res}");
    assert_eq!(res["errors"][0]["extensions"]["code"], "VALIDATION", "{name}: {res}");
    let message = res["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(message.contains(phrase), "{name}: {message}");
}

/// /healthz, answered within `timeout`.
async fn healthz_within(app: &TestApp, timeout: Duration) -> reqwest::Result<reqwest::Response> {
    app.anon(reqwest::Method::GET, "/healthz").timeout(timeout).send().await
}

async fn assert_healthy(app: &TestApp) {
    let res = healthz_within(app, Duration::from_secs(5))
        .await
        .expect("the server answers /healthz");
    assert_eq!(res.status(), StatusCode::OK);
}

async fn refused_by_name(username: &str, name: &str) {
    let (app, token) = TestApp::spawn_as(username).await;
    let (_, attack, phrase) = attacks()
        .into_iter()
        .find(|(n, _, _)| *n == name)
        .expect("a known attack");
    assert_refused(&app, &token, name, attack, phrase).await;
    assert_healthy(&app).await;
}

/// One test per attack: `$name`, sent by `$username`, is refused and the
/// server stays healthy.
macro_rules! refused_attacks {
    ($($test:ident: $username:literal, $name:literal;)*) => {
        $(
            #[tokio::test]
            async fn $test() {
                refused_by_name($username, $name).await;
            }
        )*
    };
}

refused_attacks! {
    an_argument_nested_thousands_of_lists_deep_is_refused_naming_the_nesting_limit: "volunteer", "deep argument";
    selections_nested_thousands_of_levels_deep_are_refused_naming_the_nesting_limit: "partner", "deep selection";
    a_variable_nested_thousands_of_lists_deep_is_refused_naming_the_nesting_limit: "volunteer", "deep variable";
    a_variable_nested_deeper_than_the_limit_but_within_serde_json_is_refused_naming_the_nesting_limit: "partner", "variable within serde's limit";
    a_self_spreading_fragment_is_refused_as_a_cycle: "volunteer", "self-spreading fragment";
    a_chain_of_fragments_each_spread_twice_is_refused_by_the_field_limit: "partner", "doubling fragment chain";
    a_chain_of_fragments_deeper_than_the_nesting_limit_is_refused_naming_it: "volunteer", "long fragment chain";
    a_field_repeated_a_thousand_times_without_aliases_is_refused_by_the_field_limit: "partner", "repeated field";
}

#[tokio::test]
async fn the_server_answers_healthz_within_a_second_while_each_attack_is_in_flight() {
    let (app, token) = TestApp::spawn_as("volunteer").await;
    let url = app.url("/graphql");
    for (name, attack, phrase) in attacks() {
        let copies: Vec<_> = (0..6)
            .map(|_| {
                let (client, url, token, attack) = (app.client.clone(), url.clone(), token.clone(), attack.clone());
                tokio::spawn(async move { send(&client, &url, &token, attack).await })
            })
            .collect();
        let started = Instant::now();
        let health = healthz_within(&app, Duration::from_secs(2)).await;
        let elapsed = started.elapsed();
        let health = health.unwrap_or_else(|e| panic!("{name}: /healthz did not answer: {e}"));
        assert_eq!(health.status(), StatusCode::OK, "{name}");
        assert!(elapsed < Duration::from_secs(1), "{name}: /healthz took {elapsed:?}");
        for copy in copies {
            let (status, res) = copy
                .await
                .expect("the attack task")
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_validation(name, status, &res, phrase);
        }
    }
}

#[tokio::test]
async fn fragments_spread_several_times_without_a_cycle_still_work() {
    let (app, token) = TestApp::spawn_as("partner").await;
    let query = "query Places($parent: String) {
            top: regions { ...Place }
            below: regions(parent: $parent) { ...Place ...Named }
            again: regions(parent: $parent) { ...Twice }
        }
        fragment Place on Region { code ...Named level }
        fragment Named on Region { name }
        fragment Twice on Region { ...Once ...Once }
        fragment Once on Region { ...Leaf ...Leaf }
        fragment Leaf on Region { code name }";
    let res = app.gql(&token, query, json!({"parent": "522631000000"})).await;
    assert_eq!(res["errors"], Value::Null, "{res}");
    assert_eq!(res["data"]["top"][0]["code"], "522631000000", "{res}");
    assert_eq!(res["data"]["top"][0]["name"], "示范县", "{res}");
    let below = res["data"]["below"].as_array().expect("towns");
    assert_eq!(below.len(), 3, "{res}");
    assert!(
        below.iter().all(|r| r["name"].is_string() && r["level"].is_string()),
        "{res}"
    );
    // Identical fields reached through fragments merge into one.
    let again = res["data"]["again"].as_array().expect("towns");
    assert_eq!(again.len(), 3, "{res}");
    for (twice, once) in again.iter().zip(below) {
        assert_eq!(twice, &json!({"code": once["code"], "name": once["name"]}), "{res}");
    }
    // Variables and arguments nested a few levels are fine.
    let coordinator = app.token("coordinator").await;
    let res = app
        .gql(
            &coordinator,
            "query($f: ChildFilter) { children(first: 5, filter: $f) { edges { node { id } } } }",
            json!({"f": {"region": "522631101201"}}),
        )
        .await;
    assert_eq!(res["errors"], Value::Null, "{res}");
}

#[tokio::test]
async fn the_field_limit_counts_a_fragment_each_time_it_is_spread() {
    let app = TestApp::spawn_with(|s| s.serve.graphql_max_fields = 3).await;
    let token = app.token("volunteer").await;
    let once = "{ regions { ...R } } fragment R on Region { code name }";
    let res = app.gql(&token, once, json!({})).await;
    assert_eq!(res["errors"], Value::Null, "{res}");
    let twice = "{ regions { ...R ...R } } fragment R on Region { code name }";
    let res = app.gql(&token, twice, json!({})).await;
    assert_eq!(res["errors"][0]["extensions"]["code"], "VALIDATION", "{res}");
    assert_eq!(
        res["errors"][0]["message"],
        "the query has 5 field selections (a fragment's fields count each time it is spread); the field limit is 3"
    );
    let repeated = "{ regions { code code code } }";
    let res = app.gql(&token, repeated, json!({})).await;
    assert_eq!(res["errors"][0]["extensions"]["code"], "VALIDATION", "{res}");
}

#[tokio::test]
async fn values_nested_up_to_the_highest_nesting_limit_are_answered_without_a_crash() {
    let app = TestApp::spawn_with(|s| s.serve.graphql_max_nesting = 100).await;
    let token = app.token("volunteer").await;
    let n = 97;
    let argument = body(
        &format!(
            "{{ regions(parent: {}\"x\"{}) {{ code }} }}",
            "[".repeat(n),
            "]".repeat(n)
        ),
        "{}",
    );
    let variable = body(
        "query($p: String) { regions(parent: $p) { code } }",
        &format!(r#"{{"p": {}"x"{}}}"#, "[".repeat(n), "]".repeat(n)),
    );
    for (name, request) in [("argument", argument), ("variable", variable)] {
        let (status, res) = send(&app.client, &app.url("/graphql"), &token, request)
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(status, StatusCode::OK, "{name}: {res}");
        let message = res["errors"][0]["message"].as_str().unwrap_or_default();
        assert!(message.contains("expected type \"String\""), "{name}: {res}");
    }
    assert_healthy(&app).await;
}

/// graphql-js's `getIntrospectionQuery()`, as GraphiQL sends it.
const INTROSPECTION: &str = "query IntrospectionQuery {
  __schema {
    queryType { name }
    mutationType { name }
    subscriptionType { name }
    types { ...FullType }
    directives { name description locations args { ...InputValue } }
  }
}
fragment FullType on __Type {
  kind name description
  fields(includeDeprecated: true) {
    name description args { ...InputValue } type { ...TypeRef } isDeprecated deprecationReason
  }
  inputFields { ...InputValue }
  interfaces { ...TypeRef }
  enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
  possibleTypes { ...TypeRef }
}
fragment InputValue on __InputValue { name description type { ...TypeRef } defaultValue }
fragment TypeRef on __Type {
  kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType {
  kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } } } }
}";

#[tokio::test]
async fn graphiqls_introspection_query_passes_the_default_limits() {
    // Its nine `ofType` levels go deeper than the default depth of 10, which
    // bounds the data, not the schema's description.
    let (app, token) = TestApp::spawn_as("partner").await;
    let res = app.gql(&token, INTROSPECTION, json!({})).await;
    assert_eq!(res["errors"], Value::Null, "{res}");
    assert_eq!(res["data"]["__schema"]["queryType"]["name"], "QueryRoot", "{res}");
    // Data beside the introspection is bounded as always.
    let deep = "{ __schema { queryType { name } } children(first: 1) { nodes { guardianships { guardian { children { \
                guardianships { guardian { children { guardianships { guardian { name } } } } } } } } } } }";
    let res = app.gql(&token, deep, json!({})).await;
    assert_gql_error(&res, "VALIDATION", "depth limit is 10");
}
