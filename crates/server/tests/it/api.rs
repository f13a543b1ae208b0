//! The JSON API skeleton and its OpenAPI description.

use axum::http::{Method, StatusCode};

use crate::support::{Engine, TestApp, engines};

#[tokio::test]
async fn login_me_logout() {
    for engine in engines() {
        let app = TestApp::new(engine).await;
        let mut c = app.client();
        let r = c.api_login("master01", "Demo1234").await;
        assert_eq!(r.status, StatusCode::OK, "{engine:?}");
        let body = r.json();
        assert_eq!(body["name"], "山田　太郎");
        assert_eq!(body["must_change_password"], false);
        let me = c.get("/api/v1/me").await.json();
        assert_eq!(me["company"], "アパレル株式会社");
        assert_eq!(me["is_master"], true);
        assert_eq!(me["is_admin"], true);
        let r = c
            .json(Method::POST, "/api/v1/logout", serde_json::json!({}))
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT);
        let r = c.get("/api/v1/me").await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        assert_eq!(r.json()["code"], "AUTH-0005");
        assert!(r.json()["message"].as_str().unwrap().contains("ログイン"));
    }
}

#[tokio::test]
async fn general_users_are_not_admins() {
    let app = TestApp::new(Engine::Sqlite).await;
    let mut c = app.client();
    c.api_login("ippan01", "Demo1234").await;
    let me = c.get("/api/v1/me").await.json();
    assert_eq!(me["is_admin"], false);
    assert_eq!(me["is_master"], false);
}

#[tokio::test]
async fn openapi_and_swagger_ui_are_served() {
    let app = TestApp::new(Engine::Sqlite).await;
    let mut c = app.client();
    let spec = c.get("/api/openapi.json").await;
    assert_eq!(spec.status, StatusCode::OK);
    let spec = spec.json();
    for path in ["/api/v1/login", "/api/v1/logout", "/api/v1/me"] {
        assert!(spec["paths"][path].is_object(), "OpenAPI lacks {path}");
    }
    assert!(spec["components"]["schemas"]["ErrorBody"].is_object());
    let docs = c.get("/api/docs/").await;
    assert_eq!(docs.status, StatusCode::OK);
    assert!(docs.body.contains("swagger"));
}
