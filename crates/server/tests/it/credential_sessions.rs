//! Any change of a user's passwords ends all that user's other sessions, in the same
//! transaction; a session left waiting at the forced change is useless once the change
//! was made elsewhere. (Found by attack: a session waiting at the forced change set the
//! password after the real user had, and so took the account.)

use axum::http::{Method, StatusCode};
use madoguchi_server::operator;
use serde_json::json;

use crate::support::{Client, TestApp, engines, key};
use crate::users::{admin_api, user_id, version};

async fn alive(c: &mut Client) -> bool {
    c.get("/top").await.status == StatusCode::OK
}

#[tokio::test]
async fn an_administrators_password_change_ends_the_users_sessions() {
    for engine in engines() {
        let app = TestApp::new(engine).await;
        let mut screen = app.logged_in("ippan01").await;
        let mut api = app.client();
        api.api_login("ippan01", "Demo1234").await;
        let mut master = admin_api(&app, "master01").await;
        let id = user_id(&app, "ippan01").await;
        let mut body =
            crate::users::ippan_change("pw-change", false, version(&app, "ippan01").await);
        body["change_login_password"] = json!(true);
        body["login_password"] = json!("Atarashi12");
        body["login_password_again"] = json!("Atarashi12");
        let r = master
            .json(Method::PUT, &format!("/api/v1/users/{id}"), body)
            .await;
        assert_eq!(r.status, StatusCode::OK, "{engine:?}: {}", r.body);
        assert!(
            !alive(&mut screen).await,
            "{engine:?}: the screen session ended"
        );
        assert_eq!(
            api.get("/api/v1/me").await.status,
            StatusCode::UNAUTHORIZED,
            "{engine:?}: the API session ended"
        );
        assert!(
            alive(&mut app.logged_in("master01").await).await,
            "others stay"
        );
        let rows = app.state.store.end_sessions_of_user(id).await.unwrap();
        assert_eq!(rows, 0, "{engine:?}: ended in the change's own transaction");
    }
}

#[tokio::test]
async fn a_release_that_reissues_passwords_ends_the_users_sessions() {
    for engine in engines() {
        let app = TestApp::new(engine).await;
        let mut screen = app.logged_in("ippan01").await;
        let mut master = admin_api(&app, "master01").await;
        let id = user_id(&app, "ippan01").await;
        let r = master
            .json(
                Method::POST,
                &format!("/api/v1/users/{id}/release"),
                json!({"confirmation_password": "Kakunin12", "idempotency_key": key("reissue"),
                       "service_state": "available", "reissue": "both", "version": version(&app, "ippan01").await}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{engine:?}: {}", r.body);
        assert!(!alive(&mut screen).await, "{engine:?}");
    }
}

#[tokio::test]
async fn a_session_left_at_the_forced_change_is_useless_once_the_change_is_made() {
    for engine in engines() {
        let app = TestApp::new(engine).await;
        let company = operator::create_company(&app.state, "試験商事株式会社", "ｼｹﾝｼﾖｳｼﾞ(ｶ)")
            .await
            .unwrap();
        let (_, passwords) = operator::create_master(
            &app.state,
            company.id,
            "shiken01",
            "試験　花子",
            "h@example.jp",
        )
        .await
        .unwrap();
        // The attacker and the real user both log in with the handed-over password.
        let mut attacker = app.client();
        attacker.login("shiken01", &passwords.login).await;
        let mut real = app.client();
        real.login("shiken01", &passwords.login).await;
        assert_eq!(
            attacker.get("/password/change").await.status,
            StatusCode::OK
        );
        assert_eq!(real.get("/password/change").await.status, StatusCode::OK);
        let change = |login: &'static str, confirmation: &'static str| {
            vec![
                ("new_login_password", login),
                ("new_login_password_again", login),
                ("new_confirmation_password", confirmation),
                ("new_confirmation_password_again", confirmation),
            ]
        };
        let done = real
            .post_form("/password/change", &change("Honnin123", "Honnin456"))
            .await;
        assert_eq!(done.location(), "/top", "{engine:?}: {}", done.body);
        assert_eq!(real.get("/top").await.status, StatusCode::OK);

        let late = attacker
            .post_form("/password/change", &change("Nottori12", "Nottori34"))
            .await;
        assert_eq!(late.status, StatusCode::SEE_OTHER, "{engine:?}");
        assert!(late.location().starts_with("/login"), "{engine:?}");
        assert!(!alive(&mut attacker).await);
        assert_eq!(
            app.client().login("shiken01", "Nottori12").await.status,
            StatusCode::UNAUTHORIZED,
            "{engine:?}: the late change never happened"
        );
        assert_eq!(
            app.client().login("shiken01", "Honnin123").await.location(),
            "/top"
        );
        assert!(alive(&mut real).await, "{engine:?}: the real user goes on");
    }
}

#[tokio::test]
async fn two_sessions_racing_the_forced_change_let_one_through() {
    for engine in engines() {
        let app = TestApp::new(engine).await;
        let company = operator::create_company(&app.state, "競合工業株式会社", "ｷﾖｳｺﾞｳｺｳｷﾞﾖｳ(ｶ)")
            .await
            .unwrap();
        let (_, passwords) =
            operator::create_master(&app.state, company.id, "kyogo001", "競合　太郎", "")
                .await
                .unwrap();
        let mut waiting = Vec::new();
        for _ in 0..8 {
            let mut c = app.client();
            c.login("kyogo001", &passwords.login).await;
            c.get("/password/change").await;
            waiting.push(c);
        }
        let mut tasks = Vec::new();
        for (i, mut c) in waiting.into_iter().enumerate() {
            let login = format!("Racer{i:03}a");
            let confirmation = format!("Racer{i:03}b");
            tasks.push(tokio::spawn(async move {
                let fields = [
                    ("new_login_password", login.as_str()),
                    ("new_login_password_again", login.as_str()),
                    ("new_confirmation_password", confirmation.as_str()),
                    ("new_confirmation_password_again", confirmation.as_str()),
                ];
                let r = c.post_form("/password/change", &fields).await;
                (r.location() == "/top", login)
            }));
        }
        let mut winners = Vec::new();
        for t in tasks {
            let (won, login) = t.await.unwrap();
            if won {
                winners.push(login);
            }
        }
        assert_eq!(winners.len(), 1, "{engine:?}: {winners:?}");
        let after = app.client().login("kyogo001", &winners[0]).await;
        assert_eq!(after.location(), "/top", "{engine:?}: {}", after.body);
    }
}
