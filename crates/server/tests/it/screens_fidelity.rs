//! The screens say what the manual says: 企業名 and 企業名(カナ) changed by an administrator
//! (rules, red on 確認, in the 操作履歴, the header at once), 利用者停止・解除 that can stop
//! a user (refused at login, sessions ended, released again; never oneself, the master or
//! another company's user), and nothing chosen for the clerk on 利用者一覧.

use axum::http::{Method, StatusCode};
use serde_json::json;

use crate::support::{TestApp, engines, field_codes, key, recent_history};
use crate::users::{admin_api, user_id, version};

#[tokio::test]
async fn an_administrator_changes_the_company_name_and_kana() {
    for engine in engines() {
        let app = TestApp::new(engine).await;
        let mut c = admin_api(&app, "master01").await;
        let mut screen = app.logged_in("ippan01").await;
        let settings = c.get("/api/v1/company/settings").await.json();
        assert_eq!(settings["name"], "アパレル株式会社", "{engine:?}");
        assert_eq!(settings["name_kana"], "ｱﾊﾟﾚﾙ(ｶ)");

        let put = |name: &str, kana: &str, k: &str| {
            let mut body = settings.clone();
            body["name"] = json!(name);
            body["name_kana"] = json!(kana);
            body["confirmation_password"] = json!("Kakunin12");
            body["idempotency_key"] = json!(key(k));
            body
        };
        for (i, (kana, code)) in [
            ("あぱれる", "VAL-0009"),
            ("ｧﾊﾟﾚﾙ", "VAL-0009"),
            ("", "VAL-0001"),
        ]
        .into_iter()
        .enumerate()
        {
            let k = format!("bad-kana-{i}");
            let r = c
                .json(
                    Method::PUT,
                    "/api/v1/company/settings",
                    put("新社名株式会社", kana, &k),
                )
                .await;
            assert_eq!(
                field_codes(&r),
                vec![("company_kana".to_owned(), code.to_owned())],
                "{engine:?}: {kana:?}"
            );
        }
        let r = c
            .json(
                Method::PUT,
                "/api/v1/company/settings",
                put("新社名\u{202E}株式会社", "ｼﾝｼﾔﾒｲ(ｶ", "bidi"),
            )
            .await;
        assert_eq!(
            field_codes(&r)[0],
            ("company_name".to_owned(), "VAL-0018".to_owned())
        );
        assert_eq!(
            app.state.store.company(1).await.unwrap().unwrap().name,
            "アパレル株式会社",
            "{engine:?}: nothing saved"
        );

        let r = c
            .json(
                Method::PUT,
                "/api/v1/company/settings",
                put("ＡＮＳアパレル株式会社", "ｴｲｴﾇｴｽｱﾊﾟﾚﾙ(ｶ", "rename"),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{engine:?}: {}", r.body);
        let changes = r.json()["changes"].clone();
        assert_eq!(
            changes.as_array().map(Vec::len),
            Some(2),
            "{engine:?}: {changes}"
        );
        let entry = recent_history(&app, 1).await.remove(0);
        assert_eq!(entry.operation, "企業情報の変更");
        assert!(
            entry.details.contains("ＡＮＳアパレル株式会社")
                && entry.details.contains("アパレル株式会社")
        );
        let top = screen.get("/top").await;
        assert!(
            top.body.contains("ＡＮＳアパレル株式会社") && top.body.contains("ｴｲｴﾇｴｽｱﾊﾟﾚﾙ(ｶ"),
            "{engine:?}: the header shows the new name at the next page"
        );
        assert!(
            !app.client()
                .api_login("other01", "Demo1234")
                .await
                .body
                .contains("ＡＮＳ"),
            "another company is untouched"
        );
    }
}

#[tokio::test]
async fn the_company_name_on_the_screens_marks_only_itself() {
    for engine in engines() {
        let app = TestApp::new(engine).await;
        let mut c = app.logged_in("master01").await;
        let mut fields = crate::company::open_input(&mut c).await;
        assert_eq!(fields["company_name"], "アパレル株式会社", "{engine:?}");
        fields.insert("company_name".into(), "アパレル工業株式会社".into());
        let confirm = crate::company::post(&mut c, "/company/info", &fields).await;
        assert!(
            confirm.body.contains("BKGK003"),
            "{engine:?}: {}",
            confirm.body
        );
        assert_eq!(
            confirm.body.matches("class=\"changed-mark\"").count(),
            1,
            "{engine:?}"
        );
        let mut exec: std::collections::BTreeMap<String, String> =
            crate::support::hidden_fields(&confirm.body)
                .into_iter()
                .collect();
        exec.insert("csrf".into(), c.csrf.clone().unwrap());
        exec.insert("confirmation_password".into(), "Kakunin12".into());
        let done = crate::company::post(&mut c, "/company/info/execute", &exec).await;
        assert_eq!(
            done.status,
            StatusCode::SEE_OTHER,
            "{engine:?}: {}",
            done.body
        );
        let result = c.get(done.location()).await;
        assert!(result.body.contains("BKGK004") && result.body.contains("変更完了"));
        assert_eq!(
            result.body.matches("class=\"changed-mark\"").count(),
            1,
            "{engine:?}"
        );
        assert!(
            result
                .body
                .contains("<span class=\"company\">アパレル工業株式会社</span>"),
            "{engine:?}: the header shows the new name"
        );
    }
}

/// 利用者停止・解除 by the API.
async fn set_state(
    c: &mut crate::support::Client,
    app: &TestApp,
    login_id: &str,
    to: &str,
    k: &str,
) -> crate::support::Resp {
    let id = user_id(app, login_id).await;
    c.json(
        Method::POST,
        &format!("/api/v1/users/{id}/release"),
        json!({"confirmation_password": "Kakunin12", "idempotency_key": key(k),
               "service_state": to, "version": version(app, login_id).await}),
    )
    .await
}

#[tokio::test]
async fn a_stopped_user_cannot_log_in_until_released() {
    for engine in engines() {
        let app = TestApp::new(engine).await;
        let mut ippan = app.logged_in("ippan01").await;
        let mut master = admin_api(&app, "master01").await;
        let r = set_state(&mut master, &app, "ippan01", "stopped", "stop").await;
        assert_eq!(r.status, StatusCode::OK, "{engine:?}: {}", r.body);
        assert_eq!(
            ippan.get("/top").await.location(),
            "/login?reason=login",
            "{engine:?}: the session ended at once"
        );
        let login = app.client().login("ippan01", "Demo1234").await;
        assert_eq!(login.status, StatusCode::UNAUTHORIZED, "{engine:?}");
        let list = app.logged_in("master01").await.get("/users/locks").await;
        assert!(list.body.contains("管理者による利用停止"), "{engine:?}");
        let stopped = recent_history(&app, 5)
            .await
            .into_iter()
            .find(|e| e.operation == "利用者停止・解除")
            .unwrap();
        assert!(stopped.details.contains("管理者による利用停止"));

        let r = set_state(&mut master, &app, "ippan01", "available", "release").await;
        assert_eq!(r.status, StatusCode::OK, "{engine:?}: {}", r.body);
        assert_eq!(
            app.client().login("ippan01", "Demo1234").await.status,
            StatusCode::SEE_OTHER,
            "{engine:?}: released"
        );
    }
}

#[tokio::test]
async fn stopping_is_refused_for_oneself_the_master_and_other_companies() {
    for engine in engines() {
        let app = TestApp::new(engine).await;
        let mut master = admin_api(&app, "master01").await;
        let own = set_state(&mut master, &app, "master01", "stopped", "self").await;
        assert_eq!(own.json()["code"], "USR-0002", "{engine:?}: not oneself");
        let mut admin = crate::master_rules::second_admin(&app).await;
        let r = set_state(&mut admin, &app, "master01", "stopped", "master").await;
        assert_eq!(r.json()["code"], "USR-0002", "{engine:?}: not the master");
        let mut other = admin_api(&app, "other01").await;
        let r = set_state(&mut other, &app, "ippan01", "stopped", "other").await;
        assert_eq!(
            r.status,
            StatusCode::NOT_FOUND,
            "{engine:?}: another company's user"
        );
        let bad = set_state(&mut master, &app, "ippan01", "paused", "bad").await;
        assert_eq!(
            field_codes(&bad),
            vec![("service_state".to_owned(), "VAL-0012".to_owned())]
        );
        let id = user_id(&app, "ippan01").await;
        let both = master
            .json(
                Method::POST,
                &format!("/api/v1/users/{id}/release"),
                json!({"confirmation_password": "Kakunin12", "idempotency_key": key("both"),
                       "service_state": "stopped", "reissue": "both",
                       "version": version(&app, "ippan01").await}),
            )
            .await;
        assert_eq!(field_codes(&both)[0].0, "reissue", "{engine:?}");
        for login_id in ["master01", "ippan01"] {
            let u = app
                .state
                .store
                .user_by_login_key(login_id)
                .await
                .unwrap()
                .unwrap();
            assert!(!u.stopped, "{engine:?}: {login_id} not stopped");
        }
        // The screens offer no button for oneself or the master.
        let list = app.logged_in("master01").await.get("/users/locks").await;
        assert!(list.body.contains("ippan01を選択") && !list.body.contains("master01を選択"));
    }
}

#[tokio::test]
async fn nobody_is_chosen_for_the_clerk_on_the_user_list() {
    for engine in engines() {
        let app = TestApp::new(engine).await;
        let mut c = app.logged_in("master01").await;
        let list = c.get("/users/list").await;
        assert!(
            !list.body.contains(" checked"),
            "{engine:?}: no user pre-selected"
        );
        for path in ["/users/view", "/users/edit", "/users/delete"] {
            let r = c.get(path).await;
            assert_eq!(
                r.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{engine:?}: {path}"
            );
            assert!(
                r.body.contains("利用者を選択してください。") && r.body.contains("BRSK005"),
                "{engine:?}: {path}"
            );
        }
    }
}
