//! Input an attacker sends: another company's login IDs, invisible and spoofing
//! characters, NUL bytes, malformed and reused idempotency keys, CR/LF in a screen's key,
//! malformed API bodies — each refused clearly, the same on both engines, with nothing
//! saved and every refusal recorded.

use axum::http::{Method, StatusCode};
use serde_json::json;

use crate::support::{TestApp, engines, field_codes, key, recent_history};
use crate::users::{admin_api, new_user, user_id, version};

#[tokio::test]
async fn another_companys_login_id_is_told_only_after_the_confirmation_password() {
    for engine in engines() {
        let app = TestApp::with_config(engine, |c| c.login_id_taken_per_hour = 2).await;
        let mut c = admin_api(&app, "master01").await;
        // 確認 (the screens' preview) does not tell.
        let mut screens = app.logged_in("master01").await;
        let mut body = new_user("other01", "probe");
        body["admin_confirmation_password"] = json!("Wrong9999");
        let wrong = c.json(Method::POST, "/api/v1/users", body.clone()).await;
        assert_eq!(
            wrong.json()["code"],
            "AUTH-0003",
            "{engine:?}: {}",
            wrong.body
        );

        body["admin_confirmation_password"] = json!("Kakunin12");
        let taken = c.json(Method::POST, "/api/v1/users", body.clone()).await;
        assert_eq!(
            field_codes(&taken),
            vec![("login_id".to_owned(), "VAL-0007".to_owned())],
            "{engine:?}"
        );
        let recorded = recent_history(&app, 3).await;
        assert!(
            recorded
                .iter()
                .any(|e| e.operation == "利用者情報の新規登録" && e.error_code == "VAL-0007"),
            "{engine:?}: the answer is recorded"
        );
        body["idempotency_key"] = json!(key("probe-2"));
        body["login_id"] = json!("OTHER01");
        body["login_id_again"] = json!("OTHER01");
        c.json(Method::POST, "/api/v1/users", body.clone()).await;
        body["idempotency_key"] = json!(key("probe-3"));
        let throttled = c.json(Method::POST, "/api/v1/users", body).await;
        assert_eq!(
            throttled.status,
            StatusCode::TOO_MANY_REQUESTS,
            "{engine:?}"
        );
        assert_eq!(throttled.json()["code"], "SEC-0004");
        assert!(throttled.headers.contains_key("retry-after"));
        // While throttled, even a free ID is refused: the answer tells nothing.
        let free = c
            .json(Method::POST, "/api/v1/users", new_user("jiyuu001", "free"))
            .await;
        assert_eq!(free.status, StatusCode::TOO_MANY_REQUESTS, "{engine:?}");
        assert!(
            app.state
                .store
                .user_by_login_key("jiyuu001")
                .await
                .unwrap()
                .is_none()
        );
        assert!(screens.get("/users").await.status.is_success());
    }
}

#[tokio::test]
async fn names_refuse_emoji_bidi_zero_width_and_private_use_characters() {
    for engine in engines() {
        let app = TestApp::new(engine).await;
        let mut c = admin_api(&app, "master01").await;
        for (i, name) in [
            "山田\u{202E}郎太",
            "山田\u{200B}太郎",
            "山田😀",
            "山田\u{E000}",
            "山田\u{0}",
            "山田\u{FEFF}",
        ]
        .iter()
        .enumerate()
        {
            let mut body = new_user(&format!("spoof{i:03}"), &format!("spoof-{i}"));
            body["name"] = json!(name);
            let r = c.json(Method::POST, "/api/v1/users", body).await;
            assert_eq!(
                field_codes(&r),
                vec![("name".to_owned(), "VAL-0018".to_owned())],
                "{engine:?}: {name:?}"
            );
            assert!(
                r.json()["fields"][0]["message"]
                    .as_str()
                    .unwrap()
                    .contains("使用できない文字（U+"),
                "{engine:?}"
            );
        }
        let saved = app
            .state
            .store
            .users_of(1)
            .await
            .unwrap()
            .iter()
            .filter(|u| u.login_id.starts_with("spoof"))
            .count();
        assert_eq!(saved, 0, "{engine:?}");
    }
}

#[tokio::test]
async fn nul_bytes_get_the_same_clear_refusal_on_both_engines() {
    for engine in engines() {
        let app = TestApp::new(engine).await;
        let r = app.client().api_login("master\u{0}01", "Demo1234").await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{engine:?}: {}", r.body);
        assert_eq!(r.json()["code"], "AUTH-0001");
        let entry = &recent_history(&app, 1).await[0];
        assert_eq!(
            entry.operation, "ログイン",
            "{engine:?}: every login is recorded"
        );
        assert_eq!(entry.login_id, "master\u{FFFD}01");
        let page = app.client().login("\u{0}", "x").await;
        assert_eq!(page.status, StatusCode::UNAUTHORIZED, "{engine:?}");

        let mut c = admin_api(&app, "master01").await;
        let mut body = c.get("/api/v1/company/settings").await.json();
        body["confirmation_password"] = json!("Kakunin12");
        body["idempotency_key"] = json!(format!("{}\u{0}", "a".repeat(20)));
        let r = c.json(Method::PUT, "/api/v1/company/settings", body).await;
        assert_eq!(
            field_codes(&r),
            vec![("idempotency_key".to_owned(), "REQ-0004".to_owned())],
            "{engine:?}"
        );
        crate::support::assert_chain_intact(&app).await;
    }
}

#[tokio::test]
async fn idempotency_keys_have_a_shape_and_belong_to_one_request() {
    for engine in engines() {
        let app = TestApp::new(engine).await;
        let mut c = admin_api(&app, "master01").await;
        let settings = c.get("/api/v1/company/settings").await.json();
        let put = |k: String| {
            let mut body = settings.clone();
            body["confirmation_password"] = json!("Kakunin12");
            body["idempotency_key"] = json!(k);
            body
        };
        for bad in [String::new(), "k".repeat(60_000), "short".to_owned()] {
            let r = c
                .json(Method::PUT, "/api/v1/company/settings", put(bad))
                .await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{engine:?}");
            assert_eq!(field_codes(&r)[0].1, "REQ-0004", "{engine:?}");
        }
        let shared = key("settings-once");
        let first = c
            .json(Method::PUT, "/api/v1/company/settings", put(shared.clone()))
            .await;
        assert_eq!(first.status, StatusCode::OK, "{engine:?}: {}", first.body);
        let again = c
            .json(Method::PUT, "/api/v1/company/settings", put(shared.clone()))
            .await;
        assert_eq!(
            again.json()["repeated"],
            true,
            "{engine:?}: the same request"
        );

        // The same key for a deletion is refused, and nothing is deleted.
        let ippan = user_id(&app, "ippan01").await;
        let delete = c
            .json(
                Method::DELETE,
                &format!("/api/v1/users/{ippan}"),
                json!({"confirmation_password": "Kakunin12", "idempotency_key": shared,
                       "version": version(&app, "ippan01").await}),
            )
            .await;
        assert_eq!(
            delete.status,
            StatusCode::CONFLICT,
            "{engine:?}: {}",
            delete.body
        );
        assert_eq!(delete.json()["code"], "REQ-0005");
        assert!(
            !app.state
                .store
                .user_by_login_key("ippan01")
                .await
                .unwrap()
                .unwrap()
                .deleted,
            "{engine:?}"
        );
        // The same key with other input for the same operation is refused too.
        let mut other = put(key("settings-once"));
        other["approval"]["transfer"] = json!("single");
        let r = c.json(Method::PUT, "/api/v1/company/settings", other).await;
        assert_eq!(r.json()["code"], "REQ-0005", "{engine:?}");
        assert!(
            recent_history(&app, 5)
                .await
                .iter()
                .any(|e| e.error_code == "REQ-0005"),
            "{engine:?}: recorded"
        );
    }
}

#[tokio::test]
async fn a_crlf_in_a_screens_key_is_refused_before_anything_changes() {
    for engine in engines() {
        let app = TestApp::new(engine).await;
        let mut c = app.logged_in("master01").await;
        let mut fields = crate::company::open_input(&mut c).await;
        let before = app.state.store.company_settings(1).await.unwrap().version;
        fields.insert("confirmation_password".into(), "Kakunin12".into());
        fields.insert(
            "idempotency_key".into(),
            format!("{}\r\nSet-Cookie: x=1", "a".repeat(20)),
        );
        let r = crate::company::post(&mut c, "/company/info/execute", &fields).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{engine:?}: {}",
            r.body
        );
        assert!(
            r.headers
                .get("set-cookie")
                .is_none_or(|v| !v.to_str().unwrap_or("").contains("x=1"))
        );
        assert_eq!(
            app.state.store.company_settings(1).await.unwrap().version,
            before,
            "{engine:?}: nothing committed"
        );
    }
}

#[tokio::test]
async fn api_errors_name_the_field_with_a_code_never_serde_text() {
    for engine in engines() {
        let app = TestApp::new(engine).await;
        let mut c = admin_api(&app, "master01").await;
        let r = c
            .json(Method::POST, "/api/v1/users", json!({"login_id": "abc"}))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{engine:?}");
        assert_eq!(
            field_codes(&r),
            vec![("login_id_again".to_owned(), "VAL-0015".to_owned())]
        );
        for text in ["line", "column", "`", "missing field"] {
            assert!(!r.body.contains(text), "{engine:?}: {}", r.body);
        }
        let typed = c
            .json(
                Method::PUT,
                "/api/v1/company/settings",
                json!({"version": "one", "approval": {}, "accounts": [], "company_limits": {},
                       "confirmation_password": "x", "idempotency_key": key("x")}),
            )
            .await;
        assert_eq!(
            field_codes(&typed)[0].1,
            "VAL-0016",
            "{engine:?}: {}",
            typed.body
        );
        let broken = c.json(Method::POST, "/api/v1/login", json!("{")).await;
        assert_eq!(broken.status, StatusCode::UNPROCESSABLE_ENTITY);
        let path = c.get("/api/v1/users/abc").await;
        assert_eq!(path.status, StatusCode::NOT_FOUND, "{engine:?}");
        assert_eq!(path.json()["code"], "REQ-0001");
    }
}
