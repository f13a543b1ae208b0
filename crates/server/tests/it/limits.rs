//! Rate limits: logins per client address and per login ID, 確認用パスワード per user, with
//! 429, `Retry-After` and a Japanese page; `trusted_proxies` deciding who the client is;
//! and refusals of unauthenticated clients that cannot grow the 操作履歴 without bound.
//! (Found by attack: 70 logins for 70 IDs from one address in a second all got 401.)

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use serde_json::json;

use crate::support::{TestApp, engines, key, recent_history};

#[tokio::test]
async fn logins_from_one_address_are_throttled_with_retry_after() {
    for engine in engines() {
        let app = TestApp::with_config(engine, |c| {
            c.login_per_address_per_minute = 30;
            c.unauthenticated_entries_per_minute = 10;
        })
        .await;
        let before = recent_history(&app, 3000).await.len();
        let mut statuses = Vec::new();
        let mut retry_after = None;
        for i in 0..70 {
            let r = app
                .client()
                .api_login(&format!("nobody{i:02}"), "Wrong9999")
                .await;
            if r.status == StatusCode::TOO_MANY_REQUESTS {
                assert_eq!(r.json()["code"], "SEC-0003", "{engine:?}");
                retry_after = r.headers.get("retry-after").cloned();
            }
            statuses.push(r.status);
        }
        let refused = statuses
            .iter()
            .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
            .count();
        assert_eq!(refused, 40, "{engine:?}: 30 judged, the rest refused");
        let wait: u64 = retry_after.unwrap().to_str().unwrap().parse().unwrap();
        assert!((1..=60).contains(&wait), "{engine:?}: {wait}");

        // 30 unknown IDs: 10 written one by one, the rest and the 40 refusals summarised.
        let written = recent_history(&app, 3000).await.len() - before;
        assert_eq!(written, 10, "{engine:?}: the budget bounds what is written");
        madoguchi_server::app::flush_limits(&app.state).await;
        let summaries: Vec<_> = recent_history(&app, 10)
            .await
            .into_iter()
            .filter(|e| e.operation == "要求の集約記録")
            .collect();
        let counted: i64 = summaries
            .iter()
            .map(|e| {
                serde_json::from_str::<serde_json::Value>(&e.details).unwrap()["count"]
                    .as_i64()
                    .unwrap()
            })
            .sum();
        assert_eq!(
            counted, 60,
            "{engine:?}: 20 beyond the budget and 40 throttled"
        );

        // The screens answer in Japanese with the same header; the limit recovers.
        let mut page = app.client();
        let r = page.login("nobody99", "Wrong9999").await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{engine:?}");
        assert!(r.body.contains("しばらく") || r.body.contains("秒ほど待って"));
        assert!(
            r.body.contains("value=\"nobody99\""),
            "the typed ID is kept"
        );
        app.clock.advance_secs(120);
        assert_eq!(
            app.client().login("master01", "Demo1234").await.status,
            StatusCode::SEE_OTHER,
            "{engine:?}: recovered"
        );
    }
}

#[tokio::test]
async fn logins_for_one_id_are_throttled_from_any_address() {
    for engine in engines() {
        let app = TestApp::with_config(engine, |c| c.login_per_id_per_minute = 3).await;
        for i in 0..3u8 {
            let r = app
                .send_from([198, 51, 100, i], "ippan01", "Wrong9999")
                .await;
            assert_eq!(r, StatusCode::UNAUTHORIZED, "{engine:?}");
        }
        let r = app
            .send_from([198, 51, 100, 9], "ippan01", "Demo1234")
            .await;
        assert_eq!(r, StatusCode::TOO_MANY_REQUESTS, "{engine:?}");
    }
}

#[tokio::test]
async fn confirmation_passwords_are_throttled_per_user() {
    for engine in engines() {
        let app = TestApp::with_config(engine, |c| {
            c.confirmation_per_user_per_minute = 2;
            c.confirmation_lock_threshold = 100;
        })
        .await;
        let mut c = crate::users::admin_api(&app, "master01").await;
        let settings = c.get("/api/v1/company/settings").await.json();
        let mut codes = Vec::new();
        for i in 0..3 {
            let mut body = settings.clone();
            body["confirmation_password"] = json!("Wrong9999");
            body["idempotency_key"] = json!(key(&format!("throttle-{i}")));
            let r = c.json(Method::PUT, "/api/v1/company/settings", body).await;
            codes.push(r.json()["code"].as_str().unwrap().to_owned());
        }
        assert_eq!(codes, ["AUTH-0003", "AUTH-0003", "SEC-0003"], "{engine:?}");
    }
}

#[tokio::test]
async fn a_trusted_proxy_names_the_client_and_an_untrusted_one_cannot() {
    for engine in engines() {
        let app = TestApp::with_config(engine, |c| {
            c.trusted_proxies = vec!["192.0.2.10".to_owned()];
        })
        .await;
        let login = |xff: &str| {
            Request::builder()
                .method(Method::POST)
                .uri("/api/v1/login")
                .header("content-type", "application/json")
                .header("x-forwarded-for", xff)
                .body(Body::from(
                    json!({"login_id": "ippan01", "password": "Wrong9999"}).to_string(),
                ))
                .unwrap()
        };
        app.client().send(login("203.0.113.7")).await;
        let entry = &recent_history(&app, 1).await[0];
        assert_eq!(
            (entry.ip.as_str(), entry.peer.as_str()),
            ("203.0.113.7", "192.0.2.10"),
            "{engine:?}"
        );
        crate::support::assert_chain_intact(&app).await;

        let untrusted = TestApp::new(engine).await;
        untrusted.client().send(login("203.0.113.7")).await;
        let entry = &recent_history(&untrusted, 1).await[0];
        assert_eq!(
            (entry.ip.as_str(), entry.peer.as_str()),
            ("192.0.2.10", ""),
            "{engine:?}: a forwarded header from anyone else is ignored"
        );
    }
}
