//! 利用者管理: registration rules, uniqueness across companies (also under concurrency),
//! the master and self rules, the user limit, deletion, permissions taking effect at
//! once, tenancy, 利用者停止・解除, and the printed PDF read back.

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::{Client, TestApp, engines, field_codes, recent_history};

pub(crate) async fn admin_api(app: &TestApp, login_id: &str) -> Client {
    let mut c = app.client();
    assert_eq!(
        c.api_login(login_id, "Demo1234").await.status,
        StatusCode::OK
    );
    c
}

pub(crate) fn new_user(login_id: &str, key: &str) -> Value {
    json!({
        "login_id": login_id, "login_id_again": login_id,
        "login_password": "Shoki123", "login_password_again": "Shoki123", "force_change": true,
        "confirmation_password": "Kakunin99", "confirmation_password_again": "Kakunin99",
        "name": "田中　一郎", "email": "tanaka@example.jp", "email_again": "tanaka@example.jp",
        "admin": false, "permissions": ["inquiry.balance"], "accounts": [],
        "tx_limits": {"transfer": "1000", "bulk_transfer": 0, "salary": 0, "bonus": 0, "direct_debit": 0},
        "admin_confirmation_password": "Kakunin12", "idempotency_key": crate::support::key(key),
    })
}

pub(crate) async fn user_id(app: &TestApp, login_id: &str) -> i64 {
    app.state
        .store
        .user_by_login_key(login_id)
        .await
        .unwrap()
        .unwrap()
        .id
}

#[tokio::test]
async fn a_registered_user_logs_in_and_must_change_the_password() {
    for engine in engines() {
        let app = TestApp::new(engine).await;
        let mut c = admin_api(&app, "master01").await;
        let r = c
            .json(Method::POST, "/api/v1/users", new_user("tanaka01", "k1"))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{engine:?}: {}", r.body);
        let list = c.get("/api/v1/users").await.json();
        assert!(
            list.as_array()
                .unwrap()
                .iter()
                .any(|u| u["login_id"] == "tanaka01" && u["service_state"] == "利用可能")
        );
        let entry = &recent_history(&app, 1).await[0];
        assert_eq!(
            (entry.area.as_str(), entry.operation.as_str()),
            ("利用者管理", "利用者情報の新規登録"),
            "{engine:?}"
        );
        assert!(
            !entry.details.contains("Shoki123") && !entry.details.contains("Kakunin99"),
            "no secrets in history"
        );
        let login = app.client().login("tanaka01", "Shoki123").await;
        assert_eq!(login.location(), "/password/change", "{engine:?}");
    }
}

#[tokio::test]
async fn field_rules_with_good_and_bad_values() {
    for engine in engines() {
        let app = TestApp::new(engine).await;
        let mut c = admin_api(&app, "master01").await;
        type Edit = fn(&mut Value);
        let cases: Vec<(Edit, &str, &str)> = vec![
            (
                |b| {
                    b["login_id"] = json!("tanaka");
                    b["login_id_again"] = json!("tanaka");
                },
                "login_id",
                "VAL-0003",
            ),
            (
                |b| {
                    b["login_id"] = json!("12345678");
                    b["login_id_again"] = json!("12345678");
                },
                "login_id",
                "VAL-0003",
            ),
            (
                |b| {
                    b["login_id"] = json!("ｔａｎａｋａ１");
                    b["login_id_again"] = json!("ｔａｎａｋａ１");
                },
                "login_id",
                "VAL-0002",
            ),
            (
                |b| {
                    b["login_id"] = json!("tana1");
                    b["login_id_again"] = json!("tana1");
                },
                "login_id",
                "VAL-0002",
            ),
            (
                |b| {
                    b["login_id"] = json!("tanaka0000001");
                    b["login_id_again"] = json!("tanaka0000001");
                },
                "login_id",
                "VAL-0002",
            ),
            (
                |b| {
                    b["login_id_again"] = json!("tanaka02");
                },
                "login_id",
                "VAL-0004",
            ),
            (
                |b| {
                    b["login_password"] = json!("abcdefgh");
                    b["login_password_again"] = json!("abcdefgh");
                },
                "login_password",
                "VAL-0003",
            ),
            (
                |b| {
                    b["login_password"] = json!("Shoki12");
                    b["login_password_again"] = json!("Shoki123");
                },
                "login_password",
                "VAL-0004",
            ),
            (
                |b| {
                    b["login_password"] = json!("TANAKA01");
                    b["login_password_again"] = json!("TANAKA01");
                },
                "login_password",
                "VAL-0005",
            ),
            (
                |b| {
                    b["confirmation_password"] = json!("12345678");
                    b["confirmation_password_again"] = json!("12345678");
                },
                "confirmation_password",
                "VAL-0003",
            ),
            (
                |b| {
                    b["name"] = json!("Tanaka");
                },
                "name",
                "VAL-0008",
            ),
            (
                |b| {
                    b["name"] = json!("田".repeat(31));
                },
                "name",
                "VAL-0008",
            ),
            (
                |b| {
                    b["email"] = json!("tanaka");
                    b["email_again"] = json!("tanaka");
                },
                "email",
                "VAL-0014",
            ),
            (
                |b| {
                    b["email_again"] = json!("tanaka@example.com");
                },
                "email",
                "VAL-0004",
            ),
            (
                |b| {
                    b["tx_limits"]["bulk_transfer"] = json!("999999999999");
                },
                "limit_bulk_transfer",
                "LIM-0003",
            ),
            (
                |b| {
                    b["tx_limits"]["salary"] = json!("１");
                },
                "limit_salary",
                "VAL-0011",
            ),
            (
                |b| {
                    b["accounts"] = json!([999_999]);
                },
                "accounts",
                "REQ-0001",
            ),
        ];
        for (i, (edit, field, code)) in cases.into_iter().enumerate() {
            let mut body = new_user("tanaka01", &format!("case-{i}"));
            edit(&mut body);
            let r = c.json(Method::POST, "/api/v1/users", body).await;
            assert_eq!(
                r.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{engine:?} case {i}: {}",
                r.body
            );
            assert!(
                field_codes(&r).contains(&(field.to_owned(), code.to_owned())),
                "{engine:?} case {i}: {:?}",
                field_codes(&r)
            );
        }
        let mut ok = new_user("tanaka0000001", "ok");
        ok["login_id"] = json!("tanaka000001");
        ok["login_id_again"] = json!("tanaka000001");
        ok["name"] = json!("田".repeat(30));
        assert_eq!(
            c.json(Method::POST, "/api/v1/users", ok).await.status,
            StatusCode::OK,
            "{engine:?}: 12 characters, 30 全角"
        );
    }
}

#[tokio::test]
async fn login_ids_are_unique_across_companies_in_any_case() {
    for engine in engines() {
        let app = TestApp::new(engine).await;
        let mut other = admin_api(&app, "other01").await;
        for (i, id) in ["master01", "MASTER01", "Ippan01"].into_iter().enumerate() {
            let r = other
                .json(
                    Method::POST,
                    "/api/v1/users",
                    new_user(id, &format!("u{i}")),
                )
                .await;
            assert_eq!(
                field_codes(&r),
                vec![("login_id".to_owned(), "VAL-0007".to_owned())],
                "{engine:?}: {id}"
            );
        }
    }
}

#[tokio::test]
async fn two_admins_registering_the_same_id_at_once_exactly_one_succeeds() {
    for engine in engines() {
        let app = TestApp::new(engine).await;
        let mut tasks = Vec::new();
        for (i, admin) in ["master01", "other01", "master01", "other01"]
            .into_iter()
            .enumerate()
        {
            let mut c = admin_api(&app, admin).await;
            tasks.push(tokio::spawn(async move {
                c.json(
                    Method::POST,
                    "/api/v1/users",
                    new_user("race0001", &format!("race-{i}")),
                )
                .await
                .status
            }));
        }
        let mut ok = 0;
        for t in tasks {
            let status = t.await.unwrap();
            if status == StatusCode::OK {
                ok += 1;
            } else {
                assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{engine:?}");
            }
        }
        assert_eq!(ok, 1, "{engine:?}: exactly one registration");
    }
}

#[tokio::test]
async fn the_master_and_oneself_are_protected() {
    for engine in engines() {
        let app = TestApp::new(engine).await;
        let mut c = admin_api(&app, "master01").await;
        let master = user_id(&app, "master01").await;
        let del = |v: i64, key: &str| json!({"confirmation_password": "Kakunin12", "idempotency_key": crate::support::key(key), "version": v});
        let r = c
            .json(
                Method::DELETE,
                &format!("/api/v1/users/{master}"),
                del(1, "d1"),
            )
            .await;
        assert_eq!(
            r.json()["code"],
            "USR-0002",
            "{engine:?}: the master cannot be deleted"
        );
        // Make ippan01 an admin, then let them try to delete themselves and drop their own authority.
        let ippan = user_id(&app, "ippan01").await;
        let change = ippan_change("c1", true, version(&app, "ippan01").await);
        let r = c
            .json(
                Method::PUT,
                &format!("/api/v1/users/{ippan}"),
                change.clone(),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{engine:?}: {}", r.body);
        let mut me = admin_api(&app, "ippan01").await;
        let r = me
            .json(
                Method::DELETE,
                &format!("/api/v1/users/{ippan}"),
                del(2, "d2"),
            )
            .await;
        assert_eq!(
            r.json()["code"],
            "USR-0002",
            "{engine:?}: nobody deletes themselves"
        );
        let mut drop_own = change.clone();
        drop_own["admin"] = json!(false);
        drop_own["version"] = json!(version(&app, "ippan01").await);
        drop_own["idempotency_key"] = json!(crate::support::key("c2"));
        let r = me
            .json(Method::PUT, &format!("/api/v1/users/{ippan}"), drop_own)
            .await;
        assert_eq!(
            r.json()["code"],
            "USR-0002",
            "{engine:?}: nobody takes away their own 管理者権限"
        );
        let mut master_body = new_user("master01", "c3");
        master_body["admin"] = json!(false);
        master_body["login_password"] = json!("");
        master_body["confirmation_password"] = json!("");
        master_body["name"] = json!("山田　太郎");
        master_body["version"] = json!(version(&app, "master01").await);
        let r = me
            .json(Method::PUT, &format!("/api/v1/users/{master}"), master_body)
            .await;
        assert_eq!(
            r.json()["code"],
            "USR-0002",
            "{engine:?}: the master keeps 管理者権限"
        );
    }
}

#[tokio::test]
async fn the_user_limit_is_enforced() {
    for engine in engines() {
        let app = TestApp::with_config(engine, |c| c.max_users_per_company = 3).await;
        let mut c = admin_api(&app, "master01").await;
        assert_eq!(
            c.json(Method::POST, "/api/v1/users", new_user("third001", "a"))
                .await
                .status,
            StatusCode::OK
        );
        let r = c
            .json(Method::POST, "/api/v1/users", new_user("fourth01", "b"))
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{engine:?}");
        assert_eq!(r.json()["code"], "USR-0001");
        assert!(r.json()["message"].as_str().unwrap().contains("3名まで"));
    }
}

#[tokio::test]
async fn deleting_ends_sessions_keeps_history_and_never_frees_the_id() {
    for engine in engines() {
        let app = TestApp::new(engine).await;
        let mut victim = app.logged_in("ippan01").await;
        let mut c = admin_api(&app, "master01").await;
        let ippan = user_id(&app, "ippan01").await;
        let v = version(&app, "ippan01").await;
        let r = c.json(Method::DELETE, &format!("/api/v1/users/{ippan}"), json!({"confirmation_password": "Kakunin12", "idempotency_key": crate::support::key("del"), "version": v})).await;
        assert_eq!(r.status, StatusCode::OK, "{engine:?}: {}", r.body);
        assert_eq!(
            victim.get("/top").await.location(),
            "/login?reason=login",
            "{engine:?}: the session ended at once"
        );
        assert_eq!(
            app.client().login("ippan01", "Demo1234").await.status,
            StatusCode::UNAUTHORIZED
        );
        let history = app
            .state
            .store
            .history(&madoguchi_store::HistoryFilter {
                company_id: None,
                user_id: Some(ippan),
                limit: 50,
            })
            .await
            .unwrap();
        assert!(!history.is_empty(), "the deleted user's history stays");
        let r = c
            .json(Method::POST, "/api/v1/users", new_user("ippan01", "reuse"))
            .await;
        assert_eq!(
            field_codes(&r),
            vec![("login_id".to_owned(), "VAL-0007".to_owned())],
            "{engine:?}: never reused"
        );
        assert!(!c.get("/api/v1/users").await.body.contains("ippan01"));
    }
}

#[tokio::test]
async fn permission_changes_apply_to_open_sessions_at_the_next_request() {
    for engine in engines() {
        let app = TestApp::new(engine).await;
        let mut ippan = app.logged_in("ippan01").await;
        assert_eq!(ippan.get("/company").await.status, StatusCode::FORBIDDEN);
        let mut c = admin_api(&app, "master01").await;
        let id = user_id(&app, "ippan01").await;
        let current = c.get(&format!("/api/v1/users/{id}")).await.json();
        let mut body = ippan_change("grant", true, current["version"].as_i64().unwrap());
        assert_eq!(
            c.json(Method::PUT, &format!("/api/v1/users/{id}"), body.clone())
                .await
                .status,
            StatusCode::OK
        );
        assert_eq!(
            ippan.get("/company").await.status,
            StatusCode::OK,
            "{engine:?}: granted without logging in again"
        );
        body["admin"] = json!(false);
        body["version"] = json!(current["version"].as_i64().unwrap() + 1);
        body["idempotency_key"] = json!(crate::support::key("revoke"));
        assert_eq!(
            c.json(Method::PUT, &format!("/api/v1/users/{id}"), body)
                .await
                .status,
            StatusCode::OK
        );
        assert_eq!(
            ippan.get("/company").await.status,
            StatusCode::FORBIDDEN,
            "{engine:?}: revoked at once"
        );
    }
}

#[tokio::test]
async fn another_companys_admin_cannot_see_or_touch_our_users() {
    for engine in engines() {
        let app = TestApp::new(engine).await;
        let mut other = admin_api(&app, "other01").await;
        let ippan = user_id(&app, "ippan01").await;
        assert_eq!(
            other.get(&format!("/api/v1/users/{ippan}")).await.status,
            StatusCode::NOT_FOUND,
            "{engine:?}"
        );
        let r = other
            .json(
                Method::DELETE,
                &format!("/api/v1/users/{ippan}"),
                json!({"confirmation_password": "Kakunin12", "idempotency_key": crate::support::key("x"), "version": 1}),
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let r = other
            .json(
                Method::POST,
                &format!("/api/v1/users/{ippan}/release"),
                json!({"confirmation_password": "Kakunin12", "idempotency_key": crate::support::key("y")}),
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert!(!other.get("/api/v1/users").await.body.contains("ippan01"));
        let mut general = admin_api(&app, "ippan01").await;
        assert_eq!(
            general.get("/api/v1/users").await.json()["code"],
            "PERM-0001"
        );
    }
}

#[tokio::test]
async fn an_admin_releases_a_lock_and_can_issue_new_passwords() {
    for engine in engines() {
        let app = TestApp::new(engine).await;
        crate::support::lock_out(&app, "ippan01").await;
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
        let mut c = admin_api(&app, "master01").await;
        let id = user_id(&app, "ippan01").await;
        let v = version(&app, "ippan01").await;
        let r = c.json(Method::POST, &format!("/api/v1/users/{id}/release"), json!({"confirmation_password": "Kakunin12", "idempotency_key": crate::support::key("r1"), "service_state": "available", "reissue": "login", "version": v})).await;
        assert_eq!(r.status, StatusCode::OK, "{engine:?}: {}", r.body);
        let new_password = r.json()["new_login_password"].as_str().unwrap().to_owned();
        assert_eq!(
            app.client().login("ippan01", "Demo1234").await.status,
            StatusCode::UNAUTHORIZED,
            "the old password is replaced"
        );
        assert_eq!(
            app.client()
                .login("ippan01", &new_password)
                .await
                .location(),
            "/password/change",
            "{engine:?}"
        );
        let master = user_id(&app, "master01").await;
        let own = c
            .json(
                Method::POST,
                &format!("/api/v1/users/{master}/release"),
                json!({"confirmation_password": "Kakunin12", "idempotency_key": crate::support::key("r2")}),
            )
            .await;
        assert_eq!(
            own.json()["code"],
            "USR-0002",
            "{engine:?}: not one's own lock"
        );
        let entry = recent_history(&app, 5)
            .await
            .into_iter()
            .find(|e| e.operation == "利用者停止・解除")
            .unwrap();
        assert!(
            !entry.details.contains(&new_password),
            "the new password is not in the history"
        );
    }
}

pub(crate) async fn version(app: &TestApp, login_id: &str) -> i64 {
    app.state
        .store
        .user_by_login_key(login_id)
        .await
        .unwrap()
        .unwrap()
        .version
}

/// A change of the demo's ippan01 that keeps the passwords, with 管理者権限 `admin`.
pub(crate) fn ippan_change(key: &str, admin: bool, version: i64) -> Value {
    let mut body = new_user("ippan01", key);
    body["name"] = json!("佐藤　花子");
    body["email"] = json!("sato@apparel.example.jp");
    body["email_again"] = json!("sato@apparel.example.jp");
    body["login_password"] = json!("");
    body["confirmation_password"] = json!("");
    body["force_change"] = json!(false);
    body["admin"] = json!(admin);
    body["version"] = json!(version);
    body
}
