use base64::Engine;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, len_of, problem};

#[tokio::test]
async fn a_login_with_the_right_password_gives_a_bearer_token_and_a_refresh_token() {
    let app = TestApp::spawn().await;
    let body = app.login_response("village").await;
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 900);
    assert!(body["refresh_token"].as_str().unwrap().len() > 20);
    let claims = decode_part(body["access_token"].as_str().unwrap(), 1);
    assert_eq!(claims["role"], "village_officer");
    assert_eq!(claims["region"], "522631101201");
    assert_eq!(claims["iss"], "shouhu");
    let header = decode_part(body["access_token"].as_str().unwrap(), 0);
    assert_eq!(header["alg"], "EdDSA");
    let jwks: Value = app.json_anon("/.well-known/jwks.json").await;
    assert_eq!(jwks["keys"][0]["kid"], header["kid"]);
}

fn decode_part(token: &str, i: usize) -> Value {
    let part = token.split('.').nth(i).unwrap();
    serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
}

#[tokio::test]
async fn a_wrong_password_or_unknown_user_is_401_problem_json() {
    let app = TestApp::spawn().await;
    for (u, p) in [("village", "wrong password"), ("nobody", "shouhu-demo-2026")] {
        problem(app.login_attempt(u, p).await, StatusCode::UNAUTHORIZED).await;
    }
}

#[tokio::test]
async fn every_api_route_and_graphql_operation_needs_a_valid_token() {
    let app = TestApp::spawn().await;
    for path in [
        "/api/v1/children",
        "/api/v1/guardians",
        "/api/v1/care-centers",
        "/api/v1/volunteers",
        "/api/v1/training-sessions",
        "/api/v1/regions",
    ] {
        let res = app.get_anon(path).await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{path}");
    }
    let res = app
        .post_anon("/graphql", &json!({"query": "{ regions { code } }"}))
        .await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED");
}

#[tokio::test]
async fn tampered_unsigned_and_foreign_tokens_are_refused() {
    let (app, token) = TestApp::spawn_as("admin").await;
    let parts: Vec<&str> = token.split('.').collect();
    let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let mut claims = decode_part(&token, 1);
    claims["region"] = json!("000000000000");
    let altered_payload = format!("{}.{}.{}", parts[0], engine.encode(claims.to_string()), parts[2]);
    let none_header = engine.encode(json!({"alg": "none", "typ": "JWT"}).to_string());
    let unsigned = format!("{none_header}.{}.", parts[1]);
    let mut sig = engine.decode(parts[2]).unwrap();
    sig[0] ^= 1;
    let altered_sig = format!("{}.{}.{}", parts[0], parts[1], engine.encode(sig));
    let hs_header =
        engine.encode(json!({"alg": "HS256", "typ": "JWT", "kid": decode_part(&token, 0)["kid"]}).to_string());
    let hs = format!("{hs_header}.{}.{}", parts[1], parts[2]);
    for bad in [altered_payload, unsigned, altered_sig, hs, "garbage".to_owned()] {
        let res = app.get("/api/v1/children", &bad).await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{bad}");
    }
}

#[tokio::test]
async fn a_refresh_token_rotates_and_a_reused_one_revokes_its_family() {
    let app = TestApp::spawn().await;
    let first = app.login_response("township").await;
    let res = app.refresh_grant(&first["refresh_token"]).await;
    assert_eq!(res.status(), StatusCode::OK);
    let second: Value = res.json().await.unwrap();
    assert_ne!(second["refresh_token"], first["refresh_token"]);
    // Presenting the spent token again is a theft signal: the whole family dies.
    let res = app.refresh_grant(&first["refresh_token"]).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST, "invalid_grant");
    let res = app.refresh_grant(&second["refresh_token"]).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST, "invalid_grant");
    // The form encoding works too, and a refresh token is never an access token.
    let third = app.login_response("township").await;
    let res = app
        .token_grant_form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", third["refresh_token"].as_str().unwrap()),
        ])
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = app
        .get("/api/v1/children", third["refresh_token"].as_str().unwrap())
        .await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn logout_revokes_the_refresh_token_and_a_disabled_account_cannot_refresh() {
    let app = TestApp::spawn().await;
    let tokens = app.login_response("village").await;
    let res = app.logout(&tokens["refresh_token"]).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let res = app.refresh_grant(&tokens["refresh_token"]).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST, "invalid_grant");

    let tokens = app.login_response("center").await;
    shouhu_api::cli::set_disabled(&app.db, "center", true).await.unwrap();
    assert!(shouhu_api::cli::set_disabled(&app.db, "nobody", true).await.is_err());
    let res = app.refresh_grant(&tokens["refresh_token"]).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST, "invalid_grant");
    let res = app.login_attempt("center", crate::helpers::PASSWORD).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}

/// Signs `claims` with the server's current key (read from its database), so
/// that each refusal below is about the one thing the test changes.
async fn forge(app: &TestApp, header_kid: Option<&str>, claims: Value) -> String {
    let keys = app.db.signing_keys().await.unwrap();
    let key = &keys[0];
    let der = base64::engine::general_purpose::STANDARD
        .decode(&key.private_key)
        .unwrap();
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::EdDSA);
    header.kid = Some(header_kid.unwrap_or(&key.kid).to_owned());
    jsonwebtoken::encode(&header, &claims, &jsonwebtoken::EncodingKey::from_ed_der(&der)).unwrap()
}

#[tokio::test]
async fn tokens_are_refused_when_expired_early_foreign_or_incomplete() {
    let (app, good) = TestApp::spawn_as("admin").await;
    let base = decode_part(&good, 1);
    let now = chrono::Utc::now().timestamp();
    let with = |k: &str, v: Value| {
        let mut c = base.clone();
        c[k] = v;
        c
    };
    let without = |k: &str| {
        let mut c = base.clone();
        c.as_object_mut().unwrap().remove(k);
        c
    };
    // The forged-but-correct token works: the refusals below are each about one change.
    let control = forge(&app, None, base.clone()).await;
    assert_eq!(app.get("/api/v1/children", &control).await.status(), StatusCode::OK);
    let cases = [
        ("expired", with("exp", json!(now - 120))),
        ("not yet valid", with("nbf", json!(now + 600))),
        ("wrong issuer", with("iss", json!("someone-else"))),
        ("wrong audience", with("aud", json!("another-api"))),
        ("no subject", without("sub")),
        ("no expiry", without("exp")),
        ("no nbf", without("nbf")),
        ("not an access token", with("typ", json!("refresh"))),
    ];
    for (what, claims) in cases {
        let token = forge(&app, None, claims).await;
        assert_eq!(
            app.get("/api/v1/children", &token).await.status(),
            StatusCode::UNAUTHORIZED,
            "{what}"
        );
    }
    // HS256 "signed" with the public key, the classic algorithm-confusion attack.
    let keys = app.db.signing_keys().await.unwrap();
    let public = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(&keys[0].public_key)
        .unwrap();
    for secret in [public.as_slice(), keys[0].public_key.as_bytes()] {
        let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256);
        header.kid = Some(keys[0].kid.clone());
        let token =
            jsonwebtoken::encode(&header, &base, &jsonwebtoken::EncodingKey::from_secret(secret).unwrap()).unwrap();
        assert_eq!(
            app.get("/api/v1/children", &token).await.status(),
            StatusCode::UNAUTHORIZED,
            "HS256"
        );
    }
    let unknown_kid = forge(&app, Some("no-such-key"), base.clone()).await;
    assert_eq!(
        app.get("/api/v1/children", &unknown_kid).await.status(),
        StatusCode::UNAUTHORIZED
    );
    // Within the 30 s leeway an expiry is still accepted.
    let lenient = forge(&app, None, with("exp", json!(now - 5))).await;
    assert_eq!(app.get("/api/v1/children", &lenient).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn after_a_key_rotation_old_tokens_stay_valid_and_new_ones_use_the_new_key() {
    let (app, old) = TestApp::spawn_as("coordinator").await;
    shouhu_api::cli::rotate_keys(&app.db).await.unwrap();
    let new = app.token("coordinator").await;
    assert_ne!(decode_part(&old, 0)["kid"], decode_part(&new, 0)["kid"]);
    for token in [&old, &new] {
        assert_eq!(app.get("/api/v1/children", token).await.status(), StatusCode::OK);
    }
    let jwks: Value = app.json_anon("/.well-known/jwks.json").await;
    assert_eq!(len_of(&jwks["keys"]), 2);
}

#[tokio::test]
async fn a_client_system_gets_an_access_token_with_its_credentials_only() {
    let app = TestApp::spawn().await;
    let (id, secret) = app.education_client().await;
    let res = app.client_grant(&id, &secret).await;
    assert_eq!(res.status(), StatusCode::OK);
    let body: Value = res.json().await.unwrap();
    assert!(body.get("refresh_token").is_none(), "{body}");
    let claims = decode_part(body["access_token"].as_str().unwrap(), 1);
    assert_eq!(claims["role"], "department");
    assert_eq!(claims["department"], "education");
    assert_eq!(
        app.get("/api/v1/children", body["access_token"].as_str().unwrap())
            .await
            .status(),
        StatusCode::OK
    );
    // HTTP Basic and the form encoding work too.
    let res = app
        .token_request()
        .basic_auth(&id, Some(&secret))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    for (cid, csecret) in [
        (id.as_str(), "wrong"),
        ("cl_unknown", secret.as_str()),
        ("village", crate::helpers::PASSWORD),
    ] {
        let res = app.client_grant(cid, csecret).await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{cid}");
    }
    // A client cannot log in with a password, and an unknown grant is 400.
    let res = app.login_attempt(&id, &secret).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let res = app.token_grant(&json!({"grant_type": "password"})).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
}
