//! Nobody but the マスターユーザ itself changes, stops, releases or deletes the master, in
//! the web or the API; the bank's operator does it through the CLI. (Found by attack: an
//! administrator changed the master's login password through the API and logged in as it.)

use axum::http::{Method, StatusCode};
use serde_json::json;

use crate::support::{Client, TestApp, engines, key, recent_history};
use crate::users::{admin_api, new_user, user_id, version};

/// A second administrator of アパレル株式会社, logged in through the API.
pub(crate) async fn second_admin(app: &TestApp) -> Client {
    let mut master = admin_api(app, "master01").await;
    let mut body = new_user("kanri001", "second-admin");
    body["admin"] = json!(true);
    body["force_change"] = json!(false);
    let r = master.json(Method::POST, "/api/v1/users", body).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let mut c = app.client();
    let login = c.api_login("kanri001", "Shoki123").await;
    assert_eq!(login.status, StatusCode::OK, "{}", login.body);
    c
}

/// The body of a change of master01 that sets a new login password.
fn takeover(v: i64) -> serde_json::Value {
    let mut body = new_user("master01", "takeover");
    body["admin_confirmation_password"] = json!("Kakunin99");
    body["name"] = json!("山田　太郎");
    body["email"] = json!("yamada@apparel.example.jp");
    body["email_again"] = json!("yamada@apparel.example.jp");
    body["admin"] = json!(true);
    body["change_login_password"] = json!(true);
    body["login_password"] = json!("Hijack123");
    body["login_password_again"] = json!("Hijack123");
    body["confirmation_password"] = json!("");
    body["force_change"] = json!(false);
    body["version"] = json!(v);
    body
}

#[tokio::test]
async fn an_administrator_cannot_take_over_the_master() {
    for engine in engines() {
        let app = TestApp::new(engine).await;
        let mut admin = second_admin(&app).await;
        let master = user_id(&app, "master01").await;
        let v = version(&app, "master01").await;

        let change = admin
            .json(Method::PUT, &format!("/api/v1/users/{master}"), takeover(v))
            .await;
        assert_eq!(
            change.status,
            StatusCode::FORBIDDEN,
            "{engine:?}: {}",
            change.body
        );
        assert_eq!(change.json()["code"], "USR-0002");

        crate::support::lock_out(&app, "master01").await;
        let release = admin
            .json(
                Method::POST,
                &format!("/api/v1/users/{master}/release"),
                json!({"confirmation_password": "Kakunin99", "idempotency_key": key("release-master"),
                       "service_state": "available", "reissue": "both", "version": version(&app, "master01").await}),
            )
            .await;
        assert_eq!(
            release.status,
            StatusCode::FORBIDDEN,
            "{engine:?}: {}",
            release.body
        );
        assert!(release.json()["new_login_password"].is_null());

        let delete = admin
            .json(
                Method::DELETE,
                &format!("/api/v1/users/{master}"),
                json!({"confirmation_password": "Kakunin99", "idempotency_key": key("delete-master"),
                       "version": version(&app, "master01").await}),
            )
            .await;
        assert_eq!(delete.status, StatusCode::FORBIDDEN, "{engine:?}");

        // Nothing changed: the master is still locked with its own password.
        let stored = app
            .state
            .store
            .user_by_login_key("master01")
            .await
            .unwrap()
            .unwrap();
        assert!(stored.login_locked && !stored.deleted, "{engine:?}");
        assert_eq!(stored.version, version(&app, "master01").await);
        app.state
            .store
            .unlock_user(
                stored.id,
                madoguchi_store::UnlockWhich::Both,
                app.state.draft(
                    &madoguchi_server::web::client::ClientInfo::operator_cli(),
                    madoguchi_domain::HistoryArea::Operator,
                    "利用停止解除",
                ),
            )
            .await
            .unwrap();
        assert_eq!(
            app.client().login("master01", "Hijack123").await.status,
            StatusCode::UNAUTHORIZED,
            "{engine:?}: the takeover password was never set"
        );
        let refusals = recent_history(&app, 30)
            .await
            .into_iter()
            .filter(|e| e.login_id == "kanri001" && e.error_code == "USR-0002")
            .count();
        assert_eq!(refusals, 3, "{engine:?}: each refusal is recorded");

        // The screens refuse it too, before any input.
        let mut screens = app.client();
        screens.login("kanri001", "Shoki123").await;
        for path in [
            format!("/users/edit?user={master}"),
            format!("/users/locks/{master}"),
            format!("/users/delete?user={master}"),
        ] {
            let r = screens.get(&path).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{engine:?}: {path}");
            assert!(r.body.contains("USR-0002"), "{engine:?}: {path}");
        }
    }
}

#[tokio::test]
async fn the_master_changes_itself_but_keeps_its_authority() {
    for engine in engines() {
        let app = TestApp::new(engine).await;
        let mut master = admin_api(&app, "master01").await;
        let id = user_id(&app, "master01").await;
        let mut body = takeover(version(&app, "master01").await);
        body["admin_confirmation_password"] = json!("Kakunin12");
        body["login_password"] = json!("Jibun1234");
        body["login_password_again"] = json!("Jibun1234");
        let r = master
            .json(Method::PUT, &format!("/api/v1/users/{id}"), body.clone())
            .await;
        assert_eq!(r.status, StatusCode::OK, "{engine:?}: {}", r.body);
        assert_eq!(
            master.get("/api/v1/me").await.status,
            StatusCode::OK,
            "{engine:?}: the session that made the change goes on"
        );
        assert_eq!(
            app.client().login("master01", "Jibun1234").await.status,
            StatusCode::SEE_OTHER
        );
        body["admin"] = json!(false);
        body["version"] = json!(version(&app, "master01").await);
        body["idempotency_key"] = json!(key("drop-admin"));
        body["change_login_password"] = json!(false);
        let drop = master
            .json(Method::PUT, &format!("/api/v1/users/{id}"), body)
            .await;
        assert_eq!(drop.json()["code"], "USR-0002", "{engine:?}");
    }
}
