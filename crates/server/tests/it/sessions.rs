//! Sessions and web security: timeouts, cookie flags, CSRF, cross-site refusals, headers,
//! body limits.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};

use crate::support::{TestApp, engines, recent_history};

#[tokio::test]
async fn idle_sessions_end_after_ten_minutes_with_a_message() {
    for engine in engines() {
        let app = TestApp::new(engine).await;
        let mut c = app.logged_in("master01").await;
        app.clock.advance_secs(9 * 60);
        assert_eq!(
            c.get("/top").await.status,
            StatusCode::OK,
            "{engine:?}: 9 minutes is fine"
        );
        app.clock.advance_secs(9 * 60);
        assert_eq!(
            c.get("/menu").await.status,
            StatusCode::OK,
            "{engine:?}: activity pushed it back"
        );
        app.clock.advance_secs(10 * 60 + 1);
        let resp = c.get("/top").await;
        assert_eq!(resp.location(), "/login?reason=idle", "{engine:?}");
        let login = c.get(resp.location()).await;
        assert!(
            login
                .body
                .contains("一定時間操作が行われなかったため、ログアウトしました。")
        );
        assert_eq!(
            c.get("/top").await.location(),
            "/login?reason=login",
            "the session is gone"
        );
        let entry = &recent_history(&app, 1).await[0];
        assert_eq!(entry.operation, "セッションタイムアウト(無操作)");
        assert_eq!(entry.error_code, "AUTH-0006");
    }
}

#[tokio::test]
async fn sessions_end_eight_hours_after_login_even_when_active() {
    for engine in engines() {
        let app = TestApp::new(engine).await;
        let mut c = app.logged_in("master01").await;
        let mut minutes = 0;
        let resp = loop {
            app.clock.advance_secs(9 * 60);
            minutes += 9;
            let resp = c.get("/top").await;
            if resp.status != StatusCode::OK {
                break resp;
            }
        };
        assert_eq!(resp.location(), "/login?reason=expired", "{engine:?}");
        assert!(
            (8 * 60..8 * 60 + 9).contains(&minutes),
            "ended after {minutes} minutes"
        );
    }
}

#[tokio::test]
async fn api_timeouts_answer_with_codes() {
    for engine in engines() {
        let app = TestApp::new(engine).await;
        let mut c = app.client();
        c.api_login("master01", "Demo1234").await;
        app.clock.advance_secs(11 * 60);
        let r = c.get("/api/v1/me").await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        assert_eq!(r.json()["code"], "AUTH-0006", "{engine:?}");
        let r = c.get("/api/v1/me").await;
        assert_eq!(r.json()["code"], "AUTH-0005");
    }
}

#[tokio::test]
async fn the_session_cookie_is_hardened() {
    for engine in engines() {
        let app = TestApp::new(engine).await;
        let resp = app.client().login("master01", "Demo1234").await;
        let cookie = resp
            .set_cookies()
            .into_iter()
            .find(|c| c.starts_with("__Host-madoguchi_session="))
            .unwrap();
        for attr in ["Path=/", "HttpOnly", "SameSite=Strict", "Secure"] {
            assert!(cookie.contains(attr), "{engine:?}: {cookie} lacks {attr}");
        }
        assert!(!cookie.contains("Domain="));
    }
}

#[tokio::test]
async fn forms_without_the_csrf_token_are_refused_and_recorded() {
    for engine in engines() {
        let app = TestApp::new(engine).await;
        let mut c = app.logged_in("master01").await;
        let forged = c.post_form_raw("/logout", &[("csrf", "forged")]).await;
        assert_eq!(forged.status, StatusCode::FORBIDDEN, "{engine:?}");
        assert!(forged.body.contains("不正な画面遷移"));
        assert_eq!(
            c.get("/top").await.status,
            StatusCode::OK,
            "the forged logout did nothing"
        );
        let entry = &recent_history(&app, 1).await[0];
        assert_eq!(entry.error_code, "SEC-0001", "{engine:?}");
        assert_eq!(entry.login_id, "master01");

        // The login form has its own token, bound to a cookie.
        let mut fresh = app.client();
        let r = fresh
            .post_form_raw(
                "/login",
                &[
                    ("login_id", "master01"),
                    ("password", "Demo1234"),
                    ("form_token", "x"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert!(!fresh.has_cookie("__Host-madoguchi_session"));

        // API calls that change something need the X-CSRF-Token header.
        let mut api = app.client();
        api.api_login("master01", "Demo1234").await;
        api.csrf = None;
        let r = api
            .json(Method::POST, "/api/v1/logout", serde_json::json!({}))
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert_eq!(r.json()["code"], "SEC-0001");
    }
}

#[tokio::test]
async fn cross_site_posts_are_refused_and_recorded() {
    for engine in engines() {
        let app = TestApp::new(engine).await;
        let mut c = app.logged_in("master01").await;
        let csrf = c.csrf.clone().unwrap();
        let req = Request::builder()
            .method(Method::POST)
            .uri("/logout")
            .header("content-type", "application/x-www-form-urlencoded")
            .header("sec-fetch-site", "cross-site")
            .body(Body::from(format!("csrf={csrf}")))
            .unwrap();
        let r = c.send(req).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{engine:?}");
        let req = Request::builder()
            .method(Method::POST)
            .uri("/api/v1/logout")
            .header("origin", "http://evil.example")
            .header("host", "bank.example")
            .header("x-csrf-token", &csrf)
            .body(Body::empty())
            .unwrap();
        let r = c.send(req).await;
        assert_eq!(r.json()["code"], "SEC-0002", "{engine:?}");
        let entry = &recent_history(&app, 1).await[0];
        assert_eq!(entry.operation, "他サイトからの要求");
        assert!(entry.details.contains("evil.example"));
        assert_eq!(c.get("/top").await.status, StatusCode::OK);
    }
}

#[tokio::test]
async fn security_headers_and_body_limit() {
    let app = TestApp::new(crate::support::Engine::Sqlite).await;
    let mut c = app.client();
    let r = c.get("/login").await;
    let csp = r
        .headers
        .get("content-security-policy")
        .unwrap()
        .to_str()
        .unwrap();
    assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"));
    assert!(csp.contains("frame-ancestors 'none'"));
    assert_eq!(r.headers.get("x-content-type-options").unwrap(), "nosniff");
    assert_eq!(r.headers.get("referrer-policy").unwrap(), "no-referrer");
    assert!(r.headers.get("strict-transport-security").is_some());
    assert!(r.headers.get("x-request-id").is_some());
    let big = "a".repeat(200 * 1024);
    let r = c.post_form_raw("/login", &[("login_id", &big)]).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
}
