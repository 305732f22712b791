//! Webhooks (contract §9): a real receiver on 127.0.0.1 that verifies every
//! signature with the Standard Webhooks library, fails on purpose and comes
//! back; deliveries in feed order, retried, dead, disabled; the SSRF guard;
//! subscriptions their owners' alone; masking decided when a delivery is sent.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderValue};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use crate::helpers::*;

/// What the receiver got: each request's headers and body, and whether its
/// signature verified.
#[derive(Debug, Clone)]
struct Received {
    id: String,
    timestamp: i64,
    verified: bool,
    body: Value,
}

#[derive(Default)]
struct ReceiverState {
    got: Vec<Received>,
    /// Statuses to answer next, in order; 200 once they run out (or `always`).
    answers: Vec<u16>,
    always: Option<u16>,
    secret: Option<String>,
    in_flight: usize,
    most_in_flight: usize,
    delay: Duration,
}

/// A webhook receiver on 127.0.0.1 (plain HTTP/1.1, one request per connection).
#[derive(Clone)]
struct Receiver {
    url: String,
    state: Arc<Mutex<ReceiverState>>,
}

impl Receiver {
    async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://127.0.0.1:{}/hooks", listener.local_addr().unwrap().port());
        let state = Arc::new(Mutex::new(ReceiverState::default()));
        let shared = state.clone();
        tokio::spawn(async move {
            loop {
                let Ok((socket, _)) = listener.accept().await else {
                    return;
                };
                let state = shared.clone();
                tokio::spawn(async move { serve_one(socket, state).await });
            }
        });
        Self { url, state }
    }

    fn verify_with(&self, secret: &str) {
        self.state.lock().unwrap().secret = Some(secret.to_owned());
    }

    fn answer_next(&self, statuses: &[u16]) {
        self.state.lock().unwrap().answers.extend_from_slice(statuses);
    }

    fn answer_always(&self, status: Option<u16>) {
        self.state.lock().unwrap().always = status;
    }

    fn slow(&self, delay: Duration) {
        self.state.lock().unwrap().delay = delay;
    }

    fn got(&self) -> Vec<Received> {
        self.state.lock().unwrap().got.clone()
    }

    fn most_in_flight(&self) -> usize {
        self.state.lock().unwrap().most_in_flight
    }

    /// Waits (up to a minute) until `done` holds of what was received.
    async fn until(&self, what: &str, done: impl Fn(&[Received]) -> bool) -> Vec<Received> {
        for _ in 0..600 {
            let got = self.got();
            if done(&got) {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("the receiver never got {what}: {:#?}", self.got());
    }
}

async fn serve_one(mut socket: tokio::net::TcpStream, state: Arc<Mutex<ReceiverState>>) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let (head_end, length) = loop {
        let Ok(n) = socket.read(&mut chunk).await else { return };
        if n == 0 {
            return;
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).to_lowercase();
            let length = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse::<usize>().ok())
                .unwrap_or(0);
            break (end + 4, length);
        }
    };
    while buf.len() < head_end + length {
        let Ok(n) = socket.read(&mut chunk).await else { return };
        if n == 0 {
            return;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
    let body = buf[head_end..head_end + length].to_vec();
    let mut headers = HeaderMap::new();
    for line in head.lines().skip(1) {
        let Some((k, v)) = line.split_once(':') else { continue };
        if let (Ok(name), Ok(value)) = (
            reqwest::header::HeaderName::from_bytes(k.trim().as_bytes()),
            HeaderValue::from_str(v.trim()),
        ) {
            headers.insert(name, value);
        }
    }
    let header = |n: &str| headers.get(n).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    let (status, delay) = {
        let mut s = state.lock().unwrap();
        s.in_flight += 1;
        s.most_in_flight = s.most_in_flight.max(s.in_flight);
        let status = if s.answers.is_empty() {
            s.always.unwrap_or(200)
        } else {
            s.answers.remove(0)
        };
        (status, s.delay)
    };
    tokio::time::sleep(delay).await;
    {
        let mut s = state.lock().unwrap();
        let verified = s.secret.as_deref().is_some_and(|secret| {
            standardwebhooks::Webhook::new(secret)
                .and_then(|w| w.verify(&body, &headers))
                .is_ok()
        });
        s.got.push(Received {
            id: header("webhook-id"),
            timestamp: header("webhook-timestamp").parse().unwrap_or(0),
            verified,
            body: serde_json::from_slice(&body).unwrap_or(Value::Null),
        });
        s.in_flight -= 1;
    }
    let extra = if status / 100 == 3 {
        "location: http://127.0.0.1:9/elsewhere\r\n"
    } else {
        ""
    };
    let answer = format!("HTTP/1.1 {status} X\r\ncontent-length: 0\r\n{extra}connection: close\r\n\r\n");
    let _ = socket.write_all(answer.as_bytes()).await;
    let _ = socket.shutdown().await;
}

/// A server that may send webhooks to 127.0.0.1, looks for work often and
/// retries after 1 s, giving up after `attempts` attempts.
async fn spawn(attempts: u32) -> TestApp {
    TestApp::spawn_with(|s| {
        s.serve.webhook_allow_hosts = vec!["127.0.0.1".to_owned()];
        s.serve.webhook_poll_ms = 100;
        s.serve.webhook_retry_base_seconds = 1;
        s.serve.webhook_max_attempts = attempts;
    })
    .await
}

/// Subscribes `token` to `types` at the receiver; returns the subscription.
async fn subscribe(app: &TestApp, token: &str, receiver: &Receiver, types: &[&str]) -> Value {
    let res = app
        .post(
            "/api/v1/webhooks",
            token,
            &json!({"url": receiver.url, "event_types": types}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let body: Value = res.json().await.unwrap();
    let secret = body["secret"].as_str().unwrap();
    assert!(secret.starts_with("whsec_"), "{secret}");
    receiver.verify_with(secret);
    body
}

fn ids_and_types(got: &[Received]) -> Vec<(String, String)> {
    got.iter()
        .map(|r| {
            (
                r.body["data"]["id"].as_str().unwrap_or("").to_owned(),
                r.body["type"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect()
}

fn positions(got: &[Received]) -> Vec<u64> {
    got.iter()
        .map(|r| {
            r.body["data"]["position"]
                .as_str()
                .and_then(|p| p.strip_prefix("f1."))
                .and_then(|p| p.parse().ok())
                .unwrap_or(0)
        })
        .collect()
}

/// Reads `path` until `done` holds of it (for up to a minute).
async fn until_json(app: &TestApp, path: &str, token: &str, what: &str, done: impl Fn(&Value) -> bool) -> Value {
    for _ in 0..600 {
        let body = app.get_json(path, token).await;
        if done(&body) {
            return body;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{path} never showed {what}");
}

/// The delivery log once it holds `n` deliveries, none of them pending (the
/// receiver may have a delivery before the server has logged its answer).
async fn finished_log(app: &TestApp, token: &str, webhook: &str, n: usize) -> Vec<Value> {
    let path = format!("/api/v1/webhooks/{webhook}/deliveries");
    let what = format!("{n} finished deliveries");
    let log = until_json(app, &path, token, &what, |l| {
        l["items"]
            .as_array()
            .is_some_and(|items| items.len() == n && items.iter().all(|d| d["status"] != "pending"))
    })
    .await;
    log["items"].as_array().unwrap().clone()
}

async fn deliveries(app: &TestApp, token: &str, webhook: &str) -> Vec<Value> {
    let body = app
        .get_json(&format!("/api/v1/webhooks/{webhook}/deliveries"), token)
        .await;
    body["items"].as_array().unwrap().clone()
}

#[tokio::test]
async fn a_subscriber_gets_each_change_it_may_read_signed_in_feed_order_and_as_the_feed_shows_it() {
    let app = spawn(5).await;
    let township = app.token("township").await;
    let admin = app.token("admin").await;
    let receiver = Receiver::start().await;
    let hook = subscribe(&app, &township, &receiver, &["child.*"]).await;
    let start = app.get_json("/api/v1/changes/head", &township).await["cursor"]
        .as_str()
        .unwrap()
        .to_owned();

    let (mine, path) = app.register_child(&township, child_body("推送", 1)).await;
    let mine_id = mine["id"].as_str().unwrap().to_owned();
    let v2 = app
        .patch_ok(&path, &township, 1, &json!({"school_name": "新街小学"}))
        .await;
    // Another township's child, and a guardian: not for this subscription.
    let mut elsewhere = child_body("别处", 2);
    elsewhere["region_code"] = json!("522631102201");
    app.register_child(&admin, elsewhere).await;
    app.create(
        "/api/v1/guardians",
        &township,
        json!({"name": "王父", "region_code": "522631101201", "is_working_away": true, "guardianship_capable": true}),
    )
    .await;
    let res = app.delete(&path, &township, v2["version"].as_i64().unwrap()).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);

    let got = receiver.until("three changes", |g| g.len() >= 3).await;
    assert!(got.iter().all(|r| r.verified), "every signature verifies: {got:#?}");
    assert_eq!(
        ids_and_types(&got),
        vec![
            (mine_id.clone(), "child.created".to_owned()),
            (mine_id.clone(), "child.updated".to_owned()),
            (mine_id.clone(), "child.archived".to_owned()),
        ]
    );
    let p = positions(&got);
    assert!(p.windows(2).all(|w| w[0] < w[1]), "feed order: {p:?}");
    // The data is the change as the feed shows the same caller.
    let feed = app
        .get_json(&format!("/api/v1/changes?after={start}&types=child"), &township)
        .await;
    let feed_items = feed["items"].as_array().unwrap();
    assert_eq!(feed_items.len(), 3);
    for (r, item) in got.iter().zip(feed_items) {
        assert_eq!(r.body["data"]["position"], item["position"]);
        assert_eq!(r.body["data"]["action"], item["action"]);
        assert_eq!(r.body["data"]["record"]["id_number"], item["record"]["id_number"]);
        assert_eq!(r.body["timestamp"], item["at"]);
    }
    // The log names each delivery by the id the receiver got, with its attempt.
    let log = finished_log(&app, &township, hook["id"].as_str().unwrap(), 3).await;
    for d in &log {
        assert_eq!(d["status"], "succeeded");
        assert!(got.iter().any(|r| r.id == d["id"].as_str().unwrap()));
        assert_eq!(d["attempts"][0]["status_code"], 200);
        assert!(d["attempts"][0]["duration_ms"].as_i64().unwrap() >= 0);
    }
    assert_eq!(receiver.got().len(), 3, "nothing more was sent");
}

#[tokio::test]
async fn a_failing_receiver_gets_the_same_delivery_again_and_later_changes_wait_for_it() {
    let app = spawn(5).await;
    let township = app.token("township").await;
    let receiver = Receiver::start().await;
    let hook = subscribe(&app, &township, &receiver, &["child.created", "child.updated"]).await;
    receiver.answer_next(&[500, 503]);
    let (_, path) = app.register_child(&township, child_body("重试", 3)).await;
    app.patch_ok(&path, &township, 1, &json!({"school_name": "一小"})).await;
    app.patch_ok(&path, &township, 2, &json!({"school_name": "二小"})).await;

    let got = receiver
        .until("the first change three times, then the two others", |g| g.len() >= 5)
        .await;
    assert!(got.iter().all(|r| r.verified));
    let types: Vec<String> = got
        .iter()
        .map(|r| r.body["type"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        types,
        [
            "child.created",
            "child.created",
            "child.created",
            "child.updated",
            "child.updated"
        ]
    );
    // One delivery, one webhook-id, each attempt's own timestamp.
    assert_eq!(got[0].id, got[1].id);
    assert_eq!(got[1].id, got[2].id);
    assert!(got[0].timestamp <= got[1].timestamp && got[1].timestamp <= got[2].timestamp);
    assert_ne!(got[2].id, got[3].id);
    let p = positions(&got[2..]);
    assert!(p.windows(2).all(|w| w[0] < w[1]), "{p:?}");
    let log = deliveries(&app, &township, hook["id"].as_str().unwrap()).await;
    let first = log.iter().find(|d| d["id"] == got[0].id.as_str()).unwrap();
    assert_eq!(first["status"], "succeeded");
    assert_eq!(first["attempt_count"], 3);
    let codes: Vec<i64> = first["attempts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["status_code"].as_i64().unwrap())
        .collect();
    assert_eq!(codes, [500, 503, 200]);
}

#[tokio::test]
async fn dead_deliveries_disable_a_subscription_and_its_owner_brings_them_back() {
    let app = spawn(2).await;
    let township = app.token("township").await;
    let receiver = Receiver::start().await;
    let hook = subscribe(&app, &township, &receiver, &["child.*"]).await;
    let id = hook["id"].as_str().unwrap().to_owned();
    receiver.answer_always(Some(500));
    for seq in 10..13 {
        app.register_child(&township, child_body("死信", seq)).await;
    }
    // Two attempts each, then dead; three dead in a row disable it.
    receiver
        .until("two attempts at each of three changes", |g| g.len() >= 6)
        .await;
    let disabled = until_json(&app, &format!("/api/v1/webhooks/{id}"), &township, "disabled", |w| {
        w["status"] == "disabled"
    })
    .await;
    assert_eq!(disabled["status"], "disabled");
    assert_eq!(disabled["disabled_reason"], "dead_deliveries");
    let log = deliveries(&app, &township, &id).await;
    assert_eq!(log.len(), 3);
    assert!(
        log.iter().all(|d| d["status"] == "dead" && d["attempt_count"] == 2),
        "{log:#?}"
    );

    // Nothing is sent while disabled; the receiver comes back; the owner
    // retries the first dead delivery by hand and enables the subscription.
    receiver.answer_always(None);
    app.register_child(&township, child_body("等待", 13)).await;
    let oldest = log.last().unwrap()["id"].as_str().unwrap().to_owned();
    let res = app
        .request(
            Method::POST,
            &format!("/api/v1/webhooks/{id}/deliveries/{oldest}/retry"),
            &township,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    let queued: Value = res.json().await.unwrap();
    assert_eq!(
        (queued["status"].as_str(), queued["attempt_count"].as_i64()),
        (Some("pending"), Some(0))
    );
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(receiver.got().len(), 6);
    let res = app
        .patch(
            &format!("/api/v1/webhooks/{id}"),
            &township,
            disabled["version"].as_i64().unwrap(),
            &json!({"status": "active"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let got = receiver
        .until("the retried delivery and the change made while disabled", |g| {
            g.len() >= 8
        })
        .await;
    assert!(got[6..].iter().all(|r| r.verified));
    assert_eq!(
        got[6].id, oldest,
        "the retried delivery keeps its id and goes first, in feed order"
    );
    assert_eq!(got[7].body["type"], "child.created");
    let sub = app.get_json(&format!("/api/v1/webhooks/{id}"), &township).await;
    assert_eq!(sub["status"], "active");

    // A ping goes at once and is logged; it is not retried.
    let res = app
        .request(Method::POST, &format!("/api/v1/webhooks/{id}/ping"), &township)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let ping: Value = res.json().await.unwrap();
    assert_eq!(ping["event_type"], "webhook.ping");
    assert_eq!(ping["status"], "succeeded");
    let got = receiver
        .until("the ping", |g| g.iter().any(|r| r.body["type"] == "webhook.ping"))
        .await;
    assert!(got.iter().all(|r| r.verified));
    let res = app
        .request(
            Method::POST,
            &format!(
                "/api/v1/webhooks/{id}/deliveries/{}/retry",
                ping["id"].as_str().unwrap()
            ),
            &township,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CONFLICT);
}

#[tokio::test]
async fn webhooks_reach_only_public_https_targets_unless_the_host_is_allowed() {
    let app = TestApp::spawn().await;
    let township = app.token("township").await;
    for url in [
        "http://127.0.0.1:9/hooks",
        "https://127.0.0.1/hooks",
        "https://localhost/hooks",
        "https://[::1]/hooks",
        "https://[::ffff:127.0.0.1]/hooks",
        "https://169.254.169.254/latest/meta-data",
        "https://10.0.0.8/hooks",
        "https://2130706433/hooks",
        "https://user:secret@8.8.8.8/hooks",
        "ftp://8.8.8.8/hooks",
        "https://name-that-does-not-exist.invalid/hooks",
    ] {
        let res = app
            .post(
                "/api/v1/webhooks",
                &township,
                &json!({"url": url, "event_types": ["child.*"]}),
            )
            .await;
        let body = problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_only_field(&body, "url", "url_not_allowed");
    }
    let res = app
        .post(
            "/api/v1/webhooks",
            &township,
            &json!({"url": "not a url", "event_types": ["child.*"]}),
        )
        .await;
    assert_only_field(
        &problem(res, StatusCode::UNPROCESSABLE_ENTITY).await,
        "url",
        "invalid_format",
    );

    // Allowed: plain http to 127.0.0.1; a receiver that redirects is not followed.
    let app = spawn(1).await;
    let township = app.token("township").await;
    let receiver = Receiver::start().await;
    let hook = subscribe(&app, &township, &receiver, &["child.*"]).await;
    receiver.answer_always(Some(307));
    app.register_child(&township, child_body("跳转", 20)).await;
    receiver.until("the delivery", |g| !g.is_empty()).await;
    let id = hook["id"].as_str().unwrap();
    let path = format!("/api/v1/webhooks/{id}/deliveries");
    let log = until_json(&app, &path, &township, "a dead delivery", |l| {
        l["items"][0]["status"] == "dead"
    })
    .await;
    let log = log["items"].as_array().unwrap();
    assert_eq!(log[0]["status"], "dead", "a redirect is a failed attempt: {log:#?}");
    assert_eq!(log[0]["attempts"][0]["status_code"], 307);
    // A URL changed to an internal one is refused as when made.
    let res = app
        .patch(
            &format!("/api/v1/webhooks/{id}"),
            &township,
            1,
            &json!({"url": "https://192.168.1.1/x"}),
        )
        .await;
    assert_only_field(
        &problem(res, StatusCode::UNPROCESSABLE_ENTITY).await,
        "url",
        "url_not_allowed",
    );
}

#[tokio::test]
async fn a_subscription_is_its_owners_alone_and_covers_only_what_they_may_read() {
    let app = spawn(3).await;
    let township = app.token("township").await;
    let other = app.token("other_township").await;
    let admin = app.token("admin").await;
    let volunteer = app.token("volunteer").await;
    let receiver = Receiver::start().await;
    let hook = subscribe(&app, &township, &receiver, &["child.*", "guardian.created"]).await;
    assert_eq!(hook["event_types"], json!(["child.*", "guardian.created"]));
    let id = hook["id"].as_str().unwrap();
    let delivery = uuid::Uuid::now_v7();
    for token in [&other, &admin] {
        for (method, path) in [
            (Method::GET, format!("/api/v1/webhooks/{id}")),
            (Method::GET, format!("/api/v1/webhooks/{id}/deliveries")),
            (Method::POST, format!("/api/v1/webhooks/{id}/ping")),
            (
                Method::POST,
                format!("/api/v1/webhooks/{id}/deliveries/{delivery}/retry"),
            ),
        ] {
            let res = app.request(method.clone(), &path, token).send().await.unwrap();
            assert_eq!(res.status(), StatusCode::NOT_FOUND, "{method} {path}");
        }
        let res = app
            .patch(
                &format!("/api/v1/webhooks/{id}"),
                token,
                1,
                &json!({"description": "mine"}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        let res = app.delete(&format!("/api/v1/webhooks/{id}"), token, 1).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        let list = app.get_json("/api/v1/webhooks", token).await;
        assert_eq!(len_of(&list["items"]), 0);
    }
    assert!(receiver.got().is_empty(), "no one else's ping went out");
    // A client system owns its subscriptions as an account does.
    let (client_id, client_secret) = app.education_client().await;
    let grant: Value = app.client_grant(&client_id, &client_secret).await.json().await.unwrap();
    let client = grant["access_token"].as_str().unwrap().to_owned();
    let theirs = subscribe(&app, &client, &receiver, &["child.*"]).await;
    let mine = app.get_json("/api/v1/webhooks", &client).await;
    assert_eq!(mine["items"][0]["id"], theirs["id"]);
    assert_eq!(len_of(&mine["items"]), 1);
    let res = app.get(&format!("/api/v1/webhooks/{id}"), &client).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let education = app.token("education").await;
    let res = app
        .get(
            &format!("/api/v1/webhooks/{}", theirs["id"].as_str().unwrap()),
            &education,
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::NOT_FOUND,
        "not even the client's own department's people see it"
    );
    let list = app.get_json("/api/v1/webhooks", &township).await;
    assert_eq!(len_of(&list["items"]), 1);
    assert!(list["items"][0].get("secret").is_none(), "the secret is shown once");

    // Types the caller may not read are 403; unknown ones 422.
    let res = app
        .post(
            "/api/v1/webhooks",
            &volunteer,
            &json!({"url": receiver.url, "event_types": ["guardian.*"]}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = app
        .post(
            "/api/v1/webhooks",
            &volunteer,
            &json!({"url": receiver.url, "event_types": ["child.*"]}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    for types in [
        json!([]),
        json!(["case.referred"]),
        json!(["child.moved"]),
        json!(["child"]),
    ] {
        let res = app
            .post(
                "/api/v1/webhooks",
                &township,
                &json!({"url": receiver.url, "event_types": types}),
            )
            .await;
        let body = problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
        let fields = problem_fields(&body);
        assert!(
            !fields.is_empty() && fields.iter().all(|(f, _)| f == "event_types"),
            "{body}"
        );
    }
    let res = app
        .post(
            "/api/v1/webhooks",
            &township,
            &json!({"url": receiver.url, "event_types": ["*"], "secret": "mine"}),
        )
        .await;
    let body = problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_only_field(&body, "secret", "unknown_field");

    // Safe writes: If-Match is required and must be current.
    let res = app
        .request(Method::PATCH, &format!("/api/v1/webhooks/{id}"), &township)
        .header("content-type", "application/merge-patch+json")
        .body(r#"{"description":"x"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::PRECONDITION_REQUIRED);
    let res = app
        .patch(
            &format!("/api/v1/webhooks/{id}"),
            &township,
            7,
            &json!({"description": "x"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::PRECONDITION_FAILED);
    let res = app
        .patch(
            &format!("/api/v1/webhooks/{id}"),
            &township,
            1,
            &json!({"description": "教育局"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["etag"], "\"2\"");
    let res = app.delete(&format!("/api/v1/webhooks/{id}"), &township, 2).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let res = app.get(&format!("/api/v1/webhooks/{id}"), &township).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);

    // At most 20 per owner.
    let body = json!({"url": receiver.url, "event_types": ["child.*"]});
    for _ in 0..20 {
        assert_eq!(
            app.post("/api/v1/webhooks", &other, &body).await.status(),
            StatusCode::CREATED
        );
    }
    let res = app.post("/api/v1/webhooks", &other, &body).await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
}

#[tokio::test]
async fn what_a_delivery_carries_is_decided_when_it_is_sent() {
    let app = spawn(10).await;
    let township = app.token("township").await;
    let admin = app.token("admin").await;
    let receiver = Receiver::start().await;
    let hook = subscribe(&app, &township, &receiver, &["child.*"]).await;
    // The receiver is down while a child is changed and then moved away.
    receiver.answer_always(Some(503));
    let (child, path) = app.register_child(&township, child_body("迁出", 30)).await;
    let child_id = child["id"].as_str().unwrap().to_owned();
    receiver.until("the first attempt", |g| !g.is_empty()).await;
    let moved = app
        .patch_ok(&path, &admin, 1, &json!({"region_code": "522631102201"}))
        .await;
    assert_eq!(moved["version"], 2);
    receiver.answer_always(None);
    let got = receiver
        .until("the move, as left_scope", |g| {
            g.iter().any(|r| r.body["type"] == "child.left_scope")
        })
        .await;
    // Every attempt made while the child was the township's carried it; once
    // it had left, the creation was no longer the township's to read: not
    // sent again; the move is sent without data.
    assert!(got.iter().all(|r| r.verified));
    let (last, before) = got.split_last().unwrap();
    assert!(
        before
            .iter()
            .all(|r| r.body["type"] == "child.created" && r.body["data"]["record"]["id"] == child_id.as_str())
    );
    assert!(last.body["data"]["record"].is_null());
    let last = got.last().unwrap();
    assert_eq!(last.body["data"]["id"], child_id.as_str());
    assert_eq!(last.body["data"]["action"], "left_scope");
    let log = finished_log(&app, &township, hook["id"].as_str().unwrap(), 2).await;
    let statuses: Vec<&str> = log.iter().map(|d| d["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["succeeded", "skipped"], "newest first: {log:#?}");
}

#[tokio::test]
async fn an_unmasked_delivery_is_in_the_read_log() {
    let app = spawn(3).await;
    let admin = app.token("admin").await;
    let auditor = app.token("auditor").await;
    let receiver = Receiver::start().await;
    let hook = subscribe(&app, &admin, &receiver, &["child.created"]).await;
    let (child, _) = app.register_child(&admin, child_body("留痕", 40)).await;
    let got = receiver.until("the creation", |g| !g.is_empty()).await;
    assert_eq!(got[0].body["data"]["record"]["id_number"], child["id_number"]);
    let channel = format!("webhook {}", hook["id"].as_str().unwrap());
    // Logged before it was sent: there when the receiver has it.
    let log = app.get_json("/api/v1/audit-events/reads?limit=500", &auditor).await;
    let found = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["channel"] == channel.as_str() && e["child_ids"][0] == child["id"]);
    assert!(found, "the delivery's read is logged under its channel");
}

#[tokio::test]
async fn webhooks_work_the_same_over_graphql() {
    let app = spawn(3).await;
    let township = app.token("township").await;
    let other = app.token("other_township").await;
    let receiver = Receiver::start().await;
    let made = app
        .gql(
            &township,
            "mutation($url: String!) { createWebhook(input: {url: $url, eventTypes: [\"child.created\"], description: \"图\"}, idempotencyKey: \"k-1\") { secret webhook { id status version eventTypes } } }",
            json!({"url": receiver.url}),
        )
        .await;
    let made = &made["data"]["createWebhook"];
    let hook = &made["webhook"];
    assert_eq!(hook["status"], "ACTIVE");
    receiver.verify_with(made["secret"].as_str().unwrap());
    let id = hook["id"].as_str().unwrap();
    // The same key and input answer again with the same subscription.
    let again = app
        .gql(
            &township,
            "mutation($url: String!) { createWebhook(input: {url: $url, eventTypes: [\"child.created\"], description: \"图\"}, idempotencyKey: \"k-1\") { webhook { id } } }",
            json!({"url": receiver.url}),
        )
        .await;
    assert_eq!(again["data"]["createWebhook"]["webhook"]["id"], id);
    let refused = app
        .gql(
            &township,
            "mutation { createWebhook(input: {url: \"https://10.1.1.1/\", eventTypes: [\"child.*\"]}) { secret } }",
            json!({}),
        )
        .await;
    assert_eq!(refused["errors"][0]["extensions"]["code"], "VALIDATION");
    app.register_child(&township, child_body("图谱", 50)).await;
    let got = receiver.until("the creation", |g| !g.is_empty()).await;
    assert!(got[0].verified);
    finished_log(&app, &township, id, 1).await;
    let log = app
        .gql(
            &township,
            "query($id: ID!) { webhookDeliveries(id: $id) { edges { node { id eventType status attempts { statusCode durationMs } } } } webhooks { edges { node { id } } } }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(
        log["data"]["webhookDeliveries"]["edges"][0]["node"]["id"],
        got[0].id.as_str()
    );
    assert_eq!(
        log["data"]["webhookDeliveries"]["edges"][0]["node"]["status"],
        "SUCCEEDED"
    );
    assert_eq!(len_of(&log["data"]["webhooks"]["edges"]), 1);
    let theirs = app
        .gql(&other, "query($id: ID!) { webhook(id: $id) { id } }", json!({"id": id}))
        .await;
    assert_eq!(theirs["errors"][0]["extensions"]["code"], "NOT_FOUND");
    let pinged = app
        .gql(
            &township,
            "mutation($id: ID!) { pingWebhook(id: $id) { eventType status } }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(pinged["data"]["pingWebhook"]["status"], "SUCCEEDED");
    let stale = app
        .gql(
            &township,
            "mutation($id: ID!) { updateWebhook(id: $id, expectedVersion: 9, input: {status: DISABLED}) { status } }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(stale["errors"][0]["extensions"]["code"], "VERSION_MISMATCH");
    let off = app
        .gql(
            &township,
            "mutation($id: ID!) { updateWebhook(id: $id, expectedVersion: 1, input: {status: DISABLED, description: null}) { status description version } }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(
        off["data"]["updateWebhook"],
        json!({"status": "DISABLED", "description": null, "version": 2})
    );
    let gone = app
        .gql(
            &township,
            "mutation($id: ID!) { deleteWebhook(id: $id, expectedVersion: 2) }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(gone["data"]["deleteWebhook"], id);
}

#[tokio::test]
async fn two_replicas_send_one_subscriptions_deliveries_one_at_a_time_in_order_and_each_once() {
    let app = spawn(5).await;
    if !app.on_postgres() {
        return;
    }
    let _second = app.replica().await;
    let township = app.token("township").await;
    let receiver = Receiver::start().await;
    receiver.slow(Duration::from_millis(30));
    subscribe(&app, &township, &receiver, &["child.*"]).await;
    let mut ids = Vec::new();
    for seq in 60..80 {
        let (child, _) = app.register_child(&township, child_body("并发", seq)).await;
        ids.push(child["id"].as_str().unwrap().to_owned());
    }
    let got = receiver.until("twenty creations", |g| g.len() >= 20).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let got_now = receiver.got();
    assert_eq!(got_now.len(), 20, "each once");
    assert_eq!(receiver.most_in_flight(), 1, "one at a time across replicas");
    let sent: Vec<String> = got
        .iter()
        .map(|r| r.body["data"]["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(sent, ids, "in feed order");
}
