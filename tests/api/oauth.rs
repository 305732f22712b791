//! `/api/v1/auth/token` speaks OAuth 2.0 (RFC 6749) to off-the-shelf clients:
//! form bodies, HTTP Basic or body client authentication, §5.2 errors, no
//! caching, and RFC 8414 metadata.

use oauth2::basic::{BasicClient, BasicErrorResponse, BasicErrorResponseType, BasicTokenResponse};
use oauth2::{AuthType, ClientId, ClientSecret, HttpClientError, RequestTokenError, TokenResponse, TokenUrl};
use reqwest::{Method, RequestBuilder, Response, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{TestApp, no_redirects};

/// A client-credentials grant made by the `oauth2` library, authenticating as
/// `auth_type` says, over an HTTP client that follows no redirects (a token
/// endpoint that redirects must not be followed).
async fn library_grant(
    app: &TestApp,
    id: &str,
    secret: &str,
    auth_type: AuthType,
) -> Result<BasicTokenResponse, RequestTokenError<HttpClientError<reqwest::Error>, BasicErrorResponse>> {
    BasicClient::new(ClientId::new(id.to_owned()))
        .set_client_secret(ClientSecret::new(secret.to_owned()))
        .set_auth_type(auth_type)
        .set_token_uri(TokenUrl::new(app.url("/api/v1/auth/token")).unwrap())
        .exchange_client_credentials()
        .request_async(&no_redirects())
        .await
}

/// The authorization server metadata (RFC 8414), asked for with `headers`.
async fn metadata(app: &TestApp, headers: &[(&str, &str)]) -> Value {
    let mut req = app.anon(Method::GET, "/.well-known/oauth-authorization-server");
    for (name, value) in headers {
        req = req.header(*name, *value);
    }
    let res = req.send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

/// Asserts the headers every token response carries and returns the body.
async fn uncached_body(res: Response) -> Value {
    assert_eq!(res.headers()["cache-control"], "no-store");
    assert_eq!(res.headers()["pragma"], "no-cache");
    res.json().await.unwrap()
}

/// Whether `token` is accepted by REST and by GraphQL alike.
async fn accepted_everywhere(app: &TestApp, token: &str) -> bool {
    let rest = app.get("/api/v1/children", token).await.status();
    let gql = app.gql(token, "{ regions { code } }", json!({})).await;
    rest == StatusCode::OK && gql["errors"].is_null() && gql["data"]["regions"].is_array()
}

#[tokio::test]
async fn a_client_gets_a_token_by_form_with_http_basic_or_with_body_credentials_usable_on_rest_and_graphql() {
    let app = TestApp::spawn().await;
    let (id, secret) = app.education_client().await;
    let by_basic = app
        .token_request()
        .basic_auth(&id, Some(&secret))
        .form(&[("grant_type", "client_credentials")]);
    let by_post = app.token_request().form(&[
        ("grant_type", "client_credentials"),
        ("client_id", &id),
        ("client_secret", &secret),
    ]);
    for (how, request) in [("basic", by_basic), ("post", by_post)] {
        let res = request.send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{how}");
        assert!(
            res.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("application/json")
        );
        let body = uncached_body(res).await;
        assert_eq!(body["token_type"], "Bearer", "{how}");
        assert!(body["expires_in"].as_i64().unwrap() > 0, "{how}");
        assert!(body.get("refresh_token").is_none(), "{body}");
        assert!(
            accepted_everywhere(&app, body["access_token"].as_str().unwrap()).await,
            "{how}"
        );
    }
}

#[tokio::test]
async fn every_token_error_is_an_oauth_error_object_with_its_status_and_no_store() {
    let app = TestApp::spawn().await;
    let (id, secret) = app.education_client().await;
    let cc = ("grant_type", "client_credentials");
    let cases: Vec<(&str, RequestBuilder, StatusCode, &str)> = vec![
        (
            "no grant type",
            app.token_request().form(&[("client_id", "x")]),
            StatusCode::BAD_REQUEST,
            "invalid_request",
        ),
        (
            "grant type twice",
            app.token_request()
                .header("content-type", "application/x-www-form-urlencoded")
                .body("grant_type=client_credentials&grant_type=refresh_token"),
            StatusCode::BAD_REQUEST,
            "invalid_request",
        ),
        (
            "not a form",
            app.token_request()
                .header("content-type", "text/plain")
                .body("grant_type=client_credentials"),
            StatusCode::BAD_REQUEST,
            "invalid_request",
        ),
        (
            "two client authentications",
            app.token_request().basic_auth(&id, Some(&secret)).form(&[
                cc,
                ("client_id", &id),
                ("client_secret", &secret),
            ]),
            StatusCode::BAD_REQUEST,
            "invalid_request",
        ),
        (
            "refresh without a token",
            app.token_request().form(&[("grant_type", "refresh_token")]),
            StatusCode::BAD_REQUEST,
            "invalid_request",
        ),
        (
            "a body over 16 KiB",
            app.token_request().form(&[cc, ("padding", &"x".repeat(20_000))]),
            StatusCode::PAYLOAD_TOO_LARGE,
            "invalid_request",
        ),
        (
            "malformed basic credentials",
            app.token_request()
                .header("authorization", "Basic not*base64")
                .form(&[cc]),
            StatusCode::UNAUTHORIZED,
            "invalid_client",
        ),
        (
            "no client authentication",
            app.token_request().form(&[cc]),
            StatusCode::UNAUTHORIZED,
            "invalid_client",
        ),
        (
            "a wrong secret by basic",
            app.token_request().basic_auth(&id, Some("wrong")).form(&[cc]),
            StatusCode::UNAUTHORIZED,
            "invalid_client",
        ),
        (
            "a wrong secret in the body",
            app.token_request()
                .form(&[cc, ("client_id", &id), ("client_secret", "wrong")]),
            StatusCode::UNAUTHORIZED,
            "invalid_client",
        ),
        (
            "an unknown client",
            app.token_request().basic_auth("cl_unknown", Some(&secret)).form(&[cc]),
            StatusCode::UNAUTHORIZED,
            "invalid_client",
        ),
        (
            "an unknown refresh token",
            app.token_request()
                .form(&[("grant_type", "refresh_token"), ("refresh_token", "not-a-token")]),
            StatusCode::BAD_REQUEST,
            "invalid_grant",
        ),
        (
            "a client asking to refresh",
            app.token_request()
                .basic_auth(&id, Some(&secret))
                .form(&[("grant_type", "refresh_token"), ("refresh_token", "not-a-token")]),
            StatusCode::BAD_REQUEST,
            "unauthorized_client",
        ),
        (
            "the password grant",
            app.token_request()
                .form(&[("grant_type", "password"), ("username", "admin"), ("password", "x")]),
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
        ),
        (
            "a scope",
            app.token_request()
                .basic_auth(&id, Some(&secret))
                .form(&[cc, ("scope", "children:read")]),
            StatusCode::BAD_REQUEST,
            "invalid_scope",
        ),
    ];
    for (case, request, status, error) in cases {
        let res = request.send().await.unwrap();
        assert_eq!(res.status(), status, "{case}");
        assert_eq!(res.headers()["content-type"], "application/json", "{case}");
        if status == StatusCode::UNAUTHORIZED {
            assert_eq!(res.headers()["www-authenticate"], "Basic realm=\"shouhu\"", "{case}");
        }
        let body = uncached_body(res).await;
        assert_eq!(body["error"], error, "{case}: {body}");
        assert!(
            body["error_description"].as_str().is_some_and(|d| !d.is_empty()),
            "{case}: {body}"
        );
    }
    // None of the refusals spent anything: the client still gets its token.
    let res = app
        .token_request()
        .basic_auth(&id, Some(&secret))
        .form(&[cc])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_refresh_token_grant_by_form_rotates_the_tokens_and_a_spent_one_is_invalid_grant() {
    let app = TestApp::spawn().await;
    let first = app.login_response("township").await;
    let refresh = |token: &Value| {
        app.token_request().form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", token.as_str().unwrap()),
        ])
    };
    // A scope is refused before the token is spent.
    let res = app
        .token_request()
        .form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", first["refresh_token"].as_str().unwrap()),
            ("scope", "admin"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert_eq!(uncached_body(res).await["error"], "invalid_scope");
    let res = refresh(&first["refresh_token"]).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let second = uncached_body(res).await;
    assert_eq!(second["token_type"], "Bearer");
    assert_ne!(second["refresh_token"], first["refresh_token"]);
    assert!(accepted_everywhere(&app, second["access_token"].as_str().unwrap()).await);
    let res = refresh(&first["refresh_token"]).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert_eq!(uncached_body(res).await["error"], "invalid_grant");
}

#[tokio::test]
async fn the_authorization_server_metadata_names_the_token_endpoint_in_absolute_urls_without_a_token() {
    let app = TestApp::spawn_with(|s| s.serve.trusted_proxies = vec!["127.0.0.1".parse().unwrap()]).await;
    let res = app.get_anon("/.well-known/oauth-authorization-server").await;
    assert_eq!(res.status(), StatusCode::OK);
    let meta: Value = res.json().await.unwrap();
    assert_eq!(meta["issuer"], app.base);
    assert_eq!(meta["token_endpoint"], app.url("/api/v1/auth/token"));
    assert_eq!(meta["jwks_uri"], app.url("/.well-known/jwks.json"));
    assert_eq!(
        meta["grant_types_supported"],
        json!(["client_credentials", "refresh_token"])
    );
    assert_eq!(
        meta["token_endpoint_auth_methods_supported"],
        json!(["client_secret_basic", "client_secret_post"])
    );
    assert_eq!(meta["response_types_supported"], json!([]));
    assert!(meta.get("authorization_endpoint").is_none(), "{meta}");
    // The URLs it names answer.
    let jwks: Value = app
        .client
        .get(meta["jwks_uri"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(jwks["keys"].is_array());
    // Behind a trusted proxy, the URLs are the ones clients use.
    let meta = metadata(
        &app,
        &[
            ("x-forwarded-proto", "https"),
            ("x-forwarded-host", "shouhu.example.org"),
        ],
    )
    .await;
    assert_eq!(meta["issuer"], "https://shouhu.example.org");
    assert_eq!(meta["token_endpoint"], "https://shouhu.example.org/api/v1/auth/token");
}

#[tokio::test]
async fn the_authorization_server_metadata_follows_the_configured_public_url() {
    let app = TestApp::spawn_with(|s| s.serve.public_url = Some("https://shouhu.example.gov.cn".to_owned())).await;
    let meta = metadata(&app, &[("x-forwarded-host", "evil.example")]).await;
    assert_eq!(meta["issuer"], "https://shouhu.example.gov.cn");
    assert_eq!(
        meta["token_endpoint"],
        "https://shouhu.example.gov.cn/api/v1/auth/token"
    );
    assert_eq!(meta["jwks_uri"], "https://shouhu.example.gov.cn/.well-known/jwks.json");
}

#[tokio::test]
async fn an_oauth2_client_library_gets_a_client_credentials_token_and_lists_children_with_it() {
    let app = TestApp::spawn().await;
    let (id, secret) = app.education_client().await;
    for auth_type in [AuthType::BasicAuth, AuthType::RequestBody] {
        let token = library_grant(&app, &id, &secret, auth_type.clone())
            .await
            .unwrap_or_else(|e| panic!("{auth_type:?}: {e:?}"));
        assert!(token.expires_in().is_some_and(|d| d.as_secs() > 0));
        assert!(token.refresh_token().is_none());
        let res = app.get("/api/v1/children", token.access_token().secret()).await;
        assert_eq!(res.status(), StatusCode::OK, "{auth_type:?}");
        let page: Value = res.json().await.unwrap();
        assert!(page["items"].is_array(), "{page}");
    }
}

#[tokio::test]
async fn an_oauth2_client_library_reports_invalid_client_for_a_wrong_secret() {
    let app = TestApp::spawn().await;
    let (id, _) = app.education_client().await;
    for auth_type in [AuthType::BasicAuth, AuthType::RequestBody] {
        match library_grant(&app, &id, "wrong", auth_type.clone()).await {
            Err(RequestTokenError::ServerResponse(e)) => {
                assert_eq!(*e.error(), BasicErrorResponseType::InvalidClient, "{auth_type:?}");
                assert!(e.error_description().is_some(), "{auth_type:?}");
            }
            other => panic!("{auth_type:?}: expected invalid_client, got {other:?}"),
        }
    }
}
