//! ログイン: success, identical refusals, lock-outs (exact under concurrency), release.

use axum::http::{Method, StatusCode};
use madoguchi_store::UnlockWhich;

use crate::support::{TestApp, engines, recent_history};

#[tokio::test]
async fn master_logs_in_reaches_business_selection_and_logs_out() {
    for engine in engines() {
        let app = TestApp::new(engine).await;
        let mut c = app.client();
        let login_page = c.get("/login").await;
        for label in [
            "ログインID",
            "ログインパスワード",
            "ログイン",
            "BLGI001",
            "デモ環境",
        ] {
            assert!(
                login_page.body.contains(label),
                "{engine:?}: login page lacks {label}"
            );
        }
        let resp = c.login("master01", "Demo1234").await;
        assert_eq!(resp.status, StatusCode::SEE_OTHER, "{engine:?}");
        assert_eq!(resp.location(), "/top");
        let top = c.get("/top").await;
        assert_eq!(top.status, StatusCode::OK);
        for text in [
            "BTOP001",
            "アパレル株式会社",
            "山田　太郎",
            "管理",
            "ログアウト",
            "（初回ログイン）",
            "デモ環境",
        ] {
            assert!(top.body.contains(text), "{engine:?}: top page lacks {text}");
        }
        let menu = c.get("/menu").await;
        assert!(menu.body.contains("BSSK001") && menu.body.contains("業務選択"));
        let logout = c.post_form("/logout", &[]).await;
        assert_eq!(logout.status, StatusCode::SEE_OTHER);
        assert_eq!(logout.location(), "/login?reason=logout");
        let after = c.get("/top").await;
        assert_eq!(
            after.status,
            StatusCode::SEE_OTHER,
            "{engine:?}: session must be gone"
        );
        assert_eq!(after.location(), "/login?reason=login");

        let ops: Vec<String> = recent_history(&app, 5)
            .await
            .iter()
            .map(|e| e.operation.clone())
            .collect();
        assert_eq!(
            ops.first().map(String::as_str),
            Some("ログアウト"),
            "{engine:?}: {ops:?}"
        );
        assert!(ops.contains(&"ログイン".to_owned()));
    }
}

#[tokio::test]
async fn second_login_shows_the_previous_login_time_and_gets_a_new_session_id() {
    for engine in engines() {
        let app = TestApp::new(engine).await;
        let mut first = app.client();
        first.login("master01", "Demo1234").await;
        let first_cookie = first.cookie("__Host-madoguchi_session").unwrap();
        app.clock.advance_secs(3600);
        let mut second = app.client();
        second.login("master01", "Demo1234").await;
        let second_cookie = second.cookie("__Host-madoguchi_session").unwrap();
        assert_ne!(first_cookie, second_cookie);
        let top = second.get("/top").await;
        assert!(top.body.contains("前回ログイン日時"), "{engine:?}");
        assert!(
            !top.body.contains("（初回ログイン）"),
            "{engine:?}: the first login is now the previous one"
        );
        assert!(
            top.body.contains("年") && top.body.contains("時"),
            "{engine:?}: shown as 年月日 時分"
        );
    }
}

#[tokio::test]
async fn unknown_id_and_wrong_password_get_the_same_answer() {
    for engine in engines() {
        let app = TestApp::new(engine).await;
        let unknown = app.client().login("nobody99", "Demo1234").await;
        let wrong = app.client().login("master01", "Wrong9999").await;
        assert_eq!(unknown.status, StatusCode::UNAUTHORIZED, "{engine:?}");
        assert_eq!(unknown.status, wrong.status);
        let message = "ログインIDまたはログインパスワードが正しくありません。";
        assert!(unknown.body.contains(message) && wrong.body.contains(message));
        assert!(
            wrong.body.contains("value=\"master01\""),
            "the typed login ID is kept"
        );
        assert!(
            !wrong.body.contains("Wrong9999"),
            "the password is never echoed"
        );

        let api_unknown = app.client().api_login("nobody99", "Demo1234").await;
        let api_wrong = app.client().api_login("master01", "Wrong9999").await;
        assert_eq!(api_unknown.status, api_wrong.status);
        assert_eq!(api_unknown.json(), api_wrong.json());
        assert_eq!(api_wrong.json()["code"], "AUTH-0001");

        let history = recent_history(&app, 4).await;
        assert!(
            history
                .iter()
                .all(|e| e.outcome == "エラー" && e.error_code == "AUTH-0001")
        );
        assert!(
            history
                .iter()
                .any(|e| e.login_id == "nobody99" && e.company_id.is_none())
        );
    }
}

#[tokio::test]
async fn five_wrong_passwords_lock_the_login_until_released() {
    for engine in engines() {
        let app = TestApp::new(engine).await;
        for attempt in 1..=5 {
            let r = app.client().login("ippan01", "Wrong9999").await;
            assert_eq!(
                r.status,
                StatusCode::UNAUTHORIZED,
                "{engine:?}: attempt {attempt}"
            );
        }
        // Locked: the right password does not get in, and the answer is the same as for a
        // wrong one (guesses are no longer counted, so it must not tell which is right).
        let locked = app.client().login("ippan01", "Demo1234").await;
        let wrong = app.client().login("ippan01", "Wrong9999").await;
        assert_eq!(locked.status, StatusCode::UNAUTHORIZED, "{engine:?}");
        assert_eq!(locked.status, wrong.status);
        assert!(
            locked
                .body
                .contains("ログインIDまたはログインパスワードが正しくありません。")
        );
        let api_locked = app.client().api_login("ippan01", "Demo1234").await.json();
        let api_wrong = app.client().api_login("ippan01", "Wrong9999").await.json();
        assert_eq!(api_locked, api_wrong);

        let lock_entries: Vec<_> = recent_history(&app, 20)
            .await
            .into_iter()
            .filter(|e| e.operation == "ログインパスワード利用停止")
            .collect();
        assert_eq!(lock_entries.len(), 1, "{engine:?}: exactly one lock entry");
        assert_eq!(lock_entries[0].error_code, "AUTH-0002");

        madoguchi_server::operator::unlock_user(&app.state, "IPPAN01", UnlockWhich::Login)
            .await
            .unwrap();
        let after = app.client().login("ippan01", "Demo1234").await;
        assert_eq!(
            after.status,
            StatusCode::SEE_OTHER,
            "{engine:?}: released by the operator"
        );
    }
}

#[tokio::test]
async fn a_successful_login_resets_the_count() {
    for engine in engines() {
        let app = TestApp::new(engine).await;
        for _ in 0..4 {
            app.client().login("ippan01", "Wrong9999").await;
        }
        assert_eq!(
            app.client().login("ippan01", "Demo1234").await.status,
            StatusCode::SEE_OTHER
        );
        for _ in 0..4 {
            app.client().login("ippan01", "Wrong9999").await;
        }
        assert_eq!(
            app.client().login("ippan01", "Demo1234").await.status,
            StatusCode::SEE_OTHER,
            "{engine:?}: 4 + 4 failures with a success between do not lock"
        );
    }
}

#[tokio::test]
async fn the_threshold_is_configurable() {
    for engine in engines() {
        let app = TestApp::with_config(engine, |c| c.login_lock_threshold = 2).await;
        app.client().login("ippan01", "Wrong9999").await;
        app.client().login("ippan01", "Wrong9999").await;
        assert_eq!(
            app.client().login("ippan01", "Demo1234").await.status,
            StatusCode::UNAUTHORIZED,
            "locked: even the right password is refused"
        );
        assert!(
            app.state
                .store
                .user_by_login_key("ippan01")
                .await
                .unwrap()
                .unwrap()
                .login_locked
        );
    }
}

#[tokio::test]
async fn concurrent_wrong_passwords_are_each_counted_once() {
    for engine in engines() {
        let app = TestApp::with_config(engine, |c| c.login_lock_threshold = 1000).await;
        let attempts = 24;
        let mut tasks = Vec::new();
        for _ in 0..attempts {
            let mut client = app.client();
            tasks.push(tokio::spawn(async move {
                client
                    .json(
                        Method::POST,
                        "/api/v1/login",
                        serde_json::json!({"login_id": "ippan01", "password": "Wrong9999"}),
                    )
                    .await
                    .status
            }));
        }
        for task in tasks {
            assert_eq!(task.await.unwrap(), StatusCode::UNAUTHORIZED);
        }
        let user = app
            .state
            .store
            .user_by_login_key("ippan01")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            user.login_failures, attempts,
            "{engine:?}: no lost increments"
        );
    }
}

#[tokio::test]
async fn concurrent_attempts_lock_exactly_at_the_threshold() {
    for engine in engines() {
        let app = TestApp::new(engine).await;
        let mut tasks = Vec::new();
        for _ in 0..12 {
            let mut client = app.client();
            tasks.push(tokio::spawn(async move {
                client
                    .json(
                        Method::POST,
                        "/api/v1/login",
                        serde_json::json!({"login_id": "ippan01", "password": "Wrong9999"}),
                    )
                    .await
            }));
        }
        for task in tasks {
            task.await.unwrap();
        }
        let user = app
            .state
            .store
            .user_by_login_key("ippan01")
            .await
            .unwrap()
            .unwrap();
        assert!(user.login_locked);
        assert_eq!(
            user.login_failures, 5,
            "{engine:?}: counting stops at the lock"
        );
        let locks = recent_history(&app, 40)
            .await
            .into_iter()
            .filter(|e| e.operation == "ログインパスワード利用停止")
            .count();
        assert_eq!(locks, 1, "{engine:?}");
    }
}

#[tokio::test]
async fn tenants_see_only_their_own_company() {
    for engine in engines() {
        let app = TestApp::new(engine).await;
        let mut other = app.logged_in("other01").await;
        let top = other.get("/top").await;
        assert!(top.body.contains("株式会社サンプル商事"), "{engine:?}");
        assert!(!top.body.contains("アパレル"), "{engine:?}");
        let me = app.client().api_login("other01", "Demo1234").await.json();
        assert_eq!(me["login_id"], "other01");
        // A session is bound to its company: a user id of another company never resolves.
        let master = app
            .state
            .store
            .user_by_login_key("master01")
            .await
            .unwrap()
            .unwrap();
        let other_user = app
            .state
            .store
            .user_by_login_key("other01")
            .await
            .unwrap()
            .unwrap();
        assert!(
            app.state
                .store
                .user(other_user.company_id, master.id)
                .await
                .unwrap()
                .is_none()
        );
    }
}
