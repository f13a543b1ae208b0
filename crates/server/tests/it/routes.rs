//! Every route of the router (screens and API, every method) as every role — anonymous, a
//! general user, an administrator, the master and another company's master — against one
//! policy table. A route missing from the table, or an entry for a route that does not
//! exist, fails the test (deny by default); each refusal of missing authority is recorded.

use std::collections::BTreeSet;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};

use crate::support::{Client, Engine, Resp, TestApp, engines, recent_history};

/// Who may use a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Access {
    /// Anyone, before login.
    Public,
    /// A session in any stage (ログアウト, who is logged in).
    Session,
    /// Only a session waiting for パスワード強制変更; a finished login is sent to /top.
    PasswordChange,
    /// Only a session waiting for the one-time password (認証, 利用登録); a finished login
    /// is sent to /top (the API: AUTH-0009).
    OtpStage,
    /// Any user whose login is finished.
    User,
    /// マスターユーザ and 管理者 only.
    Admin,
    /// Any user whose login is finished, as their サービス利用権限 allow (the master has
    /// every one; others may be refused with PERM-0001).
    Permitted,
}

use Access::{Admin, OtpStage, PasswordChange, Permitted, Public, Session, User};

const POLICY: &[(&str, &str, Access)] = &[
    ("GET", "/", Public),
    ("GET", "/login", Public),
    ("POST", "/login", Public),
    ("POST", "/logout", Session),
    ("GET", "/password/change", PasswordChange),
    ("POST", "/password/change", PasswordChange),
    ("GET", "/login/otp", OtpStage),
    ("POST", "/login/otp", OtpStage),
    ("GET", "/login/otp/register", OtpStage),
    ("POST", "/login/otp/register", OtpStage),
    ("POST", "/api/v1/login", Public),
    ("POST", "/api/v1/login/otp", OtpStage),
    ("GET", "/api/v1/login/otp/registration", OtpStage),
    ("POST", "/api/v1/login/otp/registration", OtpStage),
    ("POST", "/api/v1/logout", Session),
    ("GET", "/api/v1/me", Session),
    ("GET", "/top", User),
    ("GET", "/menu", User),
    ("GET", "/history", User),
    ("GET", "/history/print", User),
    ("GET", "/history/csv", User),
    ("GET", "/history/{seq}", User),
    ("GET", "/api/v1/history", User),
    ("GET", "/api/v1/history/print", User),
    ("GET", "/api/v1/history/csv", User),
    ("GET", "/api/v1/history/{seq}", User),
    ("GET", "/company", Admin),
    ("GET", "/company/info", Admin),
    ("POST", "/company/info", Admin),
    ("POST", "/company/info/back", Admin),
    ("POST", "/company/info/execute", Admin),
    ("GET", "/company/info/result", Admin),
    ("GET", "/api/v1/company/settings", Admin),
    ("PUT", "/api/v1/company/settings", Admin),
    ("GET", "/company/fees/simulate", Admin),
    ("GET", "/company/fees/{kind}", Admin),
    ("POST", "/company/fees/{kind}", Admin),
    ("POST", "/company/fees/{kind}/load", Admin),
    ("POST", "/company/fees/{kind}/back", Admin),
    ("POST", "/company/fees/{kind}/execute", Admin),
    ("GET", "/company/fees/{kind}/result", Admin),
    ("GET", "/company/fees/{kind}/view", Admin),
    ("GET", "/api/v1/company/fees/simulate", Admin),
    ("GET", "/api/v1/company/fees/standard", Admin),
    ("GET", "/api/v1/company/fees/{kind}", Admin),
    ("PUT", "/api/v1/company/fees/{kind}", Admin),
    ("GET", "/users", Admin),
    ("GET", "/users/list", Admin),
    ("POST", "/users/list/back", Admin),
    ("GET", "/users/view", Admin),
    ("GET", "/users/new", Admin),
    ("POST", "/users/new", Admin),
    ("POST", "/users/new/back", Admin),
    ("POST", "/users/new/execute", Admin),
    ("GET", "/users/edit", Admin),
    ("POST", "/users/{id}/edit", Admin),
    ("POST", "/users/{id}/edit/back", Admin),
    ("POST", "/users/{id}/edit/execute", Admin),
    ("GET", "/users/delete", Admin),
    ("POST", "/users/{id}/delete", Admin),
    ("GET", "/users/result", Admin),
    ("GET", "/users/result/print", Admin),
    ("GET", "/users/locks", Admin),
    ("GET", "/users/locks/{id}", Admin),
    ("POST", "/users/locks/{id}", Admin),
    ("GET", "/api/v1/users", Admin),
    ("POST", "/api/v1/users", Admin),
    ("GET", "/api/v1/users/{id}", Admin),
    ("PUT", "/api/v1/users/{id}", Admin),
    ("DELETE", "/api/v1/users/{id}", Admin),
    ("POST", "/api/v1/users/{id}/release", Admin),
    ("GET", "/users/otp/locks", Admin),
    ("POST", "/users/otp/locks/back", Admin),
    ("GET", "/users/otp/locks/{id}", Admin),
    ("POST", "/users/otp/locks/{id}", Admin),
    ("GET", "/users/otp/tokens", Admin),
    ("POST", "/users/otp/tokens/back", Admin),
    ("GET", "/users/otp/tokens/{id}", Admin),
    ("POST", "/users/otp/tokens/{id}", Admin),
    ("GET", "/users/otp/result", Admin),
    ("GET", "/api/v1/users/otp", Admin),
    ("POST", "/api/v1/users/{id}/otp/release", Admin),
    ("POST", "/api/v1/users/{id}/otp/revoke", Admin),
    ("GET", "/api/v1/transfers/payees", Permitted),
    ("POST", "/api/v1/transfers/payees", Permitted),
    ("POST", "/api/v1/transfers/payees/{id}/delete", Permitted),
    ("GET", "/api/v1/transfers/form", Permitted),
    ("GET", "/api/v1/transfers", Permitted),
    ("POST", "/api/v1/transfers", Permitted),
    ("GET", "/api/v1/transfers/{id}", Permitted),
    ("PUT", "/api/v1/transfers/{id}", Permitted),
    ("POST", "/api/v1/transfers/{id}/{act}", Permitted),
    ("POST", "/api/v1/bulk/{business}/files", Permitted),
    ("GET", "/api/v1/bulk/{business}/orders", Permitted),
    ("GET", "/api/v1/bulk/{business}/orders/{id}", Permitted),
    (
        "POST",
        "/api/v1/bulk/{business}/orders/{id}/{act}",
        Permitted,
    ),
    (
        "GET",
        "/api/v1/bulk/{business}/orders/{id}/results",
        Permitted,
    ),
    ("GET", "/bulk/{business}/orders/{id}/results", Permitted),
    ("GET", "/api/v1/bulk/{business}/payees", Permitted),
    ("POST", "/api/v1/bulk/{business}/payees", Permitted),
    ("POST", "/api/v1/bulk/{business}/payees/import", Permitted),
    ("GET", "/api/v1/bulk/{business}/payees/csv", Permitted),
    (
        "POST",
        "/api/v1/bulk/{business}/payees/{id}/delete",
        Permitted,
    ),
    ("POST", "/api/v1/bulk/{business}/entries", Permitted),
    ("GET", "/bulk/{business}/entry", Permitted),
    ("POST", "/bulk/{business}/entry", Permitted),
    ("GET", "/bulk/{business}/payees", Permitted),
    ("GET", "/bulk/{business}/payees/new", Permitted),
    ("POST", "/bulk/{business}/payees/new", Permitted),
    ("POST", "/bulk/{business}/payees/new/back", Permitted),
    ("POST", "/bulk/{business}/payees/new/execute", Permitted),
    ("GET", "/bulk/{business}/payees/import", Permitted),
    ("POST", "/bulk/{business}/payees/import", Permitted),
    ("POST", "/bulk/{business}/payees/import/execute", Permitted),
    ("GET", "/bulk/{business}/payees/download", Permitted),
    ("POST", "/bulk/{business}/payees/back", Permitted),
    ("GET", "/bulk/{business}/payees/result", Permitted),
    ("GET", "/bulk/{business}/payees/{id}/edit", Permitted),
    ("POST", "/bulk/{business}/payees/{id}/edit", Permitted),
    ("POST", "/bulk/{business}/payees/{id}/edit/back", Permitted),
    (
        "POST",
        "/bulk/{business}/payees/{id}/edit/execute",
        Permitted,
    ),
    ("PUT", "/api/v1/bulk/{business}/payees/{id}", Permitted),
    ("GET", "/bulk/{business}/payees/{id}/delete", Permitted),
    ("POST", "/bulk/{business}/payees/{id}/delete", Permitted),
    ("GET", "/bulk/{business}", User),
    ("GET", "/bulk/{business}/upload", Permitted),
    ("POST", "/bulk/{business}/upload", Permitted),
    ("GET", "/bulk/{business}/approvals", Permitted),
    ("GET", "/bulk/{business}/status", Permitted),
    ("GET", "/bulk/{business}/done", Permitted),
    ("GET", "/bulk/{business}/orders/{id}", Permitted),
    ("GET", "/bulk/{business}/orders/{id}/{act}", Permitted),
    ("POST", "/bulk/{business}/orders/{id}/{act}", Permitted),
    ("GET", "/transfers", User),
    ("GET", "/transfers/new", Permitted),
    ("POST", "/transfers/new", Permitted),
    ("POST", "/transfers/new/back", Permitted),
    ("POST", "/transfers/new/execute", Permitted),
    ("GET", "/transfers/result", Permitted),
    ("GET", "/transfers/payees", Permitted),
    ("GET", "/transfers/payees/new", Permitted),
    ("POST", "/transfers/payees/new", Permitted),
    ("POST", "/transfers/payees/new/back", Permitted),
    ("POST", "/transfers/payees/new/execute", Permitted),
    ("POST", "/transfers/payees/back", Permitted),
    ("GET", "/transfers/payees/result", Permitted),
    ("GET", "/transfers/payees/{id}/delete", Permitted),
    ("POST", "/transfers/payees/{id}/delete", Permitted),
    ("GET", "/transfers/approvals", Permitted),
    ("GET", "/transfers/status", Permitted),
    ("GET", "/transfers/done", Permitted),
    ("GET", "/transfers/{id}", Permitted),
    ("GET", "/transfers/{id}/edit", Permitted),
    ("POST", "/transfers/{id}/edit", Permitted),
    ("POST", "/transfers/{id}/edit/back", Permitted),
    ("POST", "/transfers/{id}/edit/execute", Permitted),
    ("GET", "/transfers/{id}/{act}", Permitted),
    ("POST", "/transfers/{id}/{act}", Permitted),
    ("GET", "/api/v1/banks", User),
    ("GET", "/api/v1/banks/{code}/branches", User),
    ("GET", "/certificate", Public),
    ("POST", "/certificate", Public),
    ("POST", "/api/v1/certificates", Public),
    ("GET", "/ca/crl", Public),
    ("GET", "/ca/certificate", Public),
    ("GET", "/users/certificates", Admin),
    ("POST", "/users/certificates/back", Admin),
    ("GET", "/users/certificates/confirm", Admin),
    ("GET", "/users/certificates/result", Admin),
    ("POST", "/users/certificates/{id}", Admin),
    ("GET", "/api/v1/users/certificates", Admin),
    ("POST", "/api/v1/users/{id}/certificate/revoke", Admin),
    ("GET", "/api/openapi.json", Public),
    ("GET", "/api/docs", Public),
    ("GET", "/api/docs/", Public),
    ("GET", "/api/docs/{*rest}", Public),
    ("GET", "/static/app.css", Public),
    ("GET", "/static/forms.js", Public),
    ("GET", "/healthz", Public),
];

const METHODS: [&str; 5] = ["GET", "POST", "PUT", "DELETE", "PATCH"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Anonymous,
    General,
    Administrator,
    Master,
    OtherCompanysMaster,
}

const ROLES: [Role; 5] = [
    Role::Anonymous,
    Role::General,
    Role::Administrator,
    Role::Master,
    Role::OtherCompanysMaster,
];

async fn session(app: &TestApp, role: Role) -> Option<Client> {
    let (id, password) = match role {
        Role::Anonymous => return None,
        Role::General => ("ippan01", "Demo1234"),
        Role::Administrator => ("kanri001", "Shoki123"),
        Role::Master => ("master01", "Demo1234"),
        Role::OtherCompanysMaster => ("other01", "Demo1234"),
    };
    let mut c = app.client();
    assert_eq!(c.api_login(id, password).await.status, StatusCode::OK);
    Some(c)
}

/// `path` with its parameters filled: a user of アパレル株式会社, a fee kind, a file.
fn concrete(path: &str, user: i64) -> String {
    path.replace("{id}", &user.to_string())
        .replace("{kind}", "payee-transfer")
        .replace("{*rest}", "index.html")
        .replace("{seq}", "1")
        .replace("{code}", "0001")
        .replace("{act}", "approve")
        .replace("{business}", "bulk_transfer")
}

async fn send(app: &TestApp, client: Option<&mut Client>, method: &str, path: &str) -> Resp {
    let api = path.starts_with("/api/");
    let mut builder = Request::builder()
        .method(Method::from_bytes(method.as_bytes()).unwrap())
        .uri(path)
        .header("sec-fetch-site", "same-origin");
    let csrf = client
        .as_ref()
        .and_then(|c| c.csrf.clone())
        .unwrap_or_default();
    let body = if method == "GET" {
        Body::empty()
    } else if api {
        builder = builder
            .header("content-type", "application/json")
            .header("x-csrf-token", &csrf);
        Body::from("{}")
    } else {
        builder = builder.header("content-type", "application/x-www-form-urlencoded");
        Body::from(format!("csrf={csrf}"))
    };
    let req = builder.body(body).unwrap();
    match client {
        Some(c) => c.send(req).await,
        None => app.client().send(req).await,
    }
}

fn refused_as_anonymous(r: &Resp) -> bool {
    r.status == StatusCode::UNAUTHORIZED || r.location() == "/login?reason=login"
}

fn refused_authority(r: &Resp) -> bool {
    r.status == StatusCode::FORBIDDEN && r.body.contains("PERM-0001")
}

fn check(engine: Engine, role: Role, access: Access, method: &str, path: &str, r: &Resp) {
    let at = format!(
        "{engine:?} {role:?} {method} {path}: {} {}",
        r.status,
        r.location()
    );
    assert_ne!(r.status, StatusCode::INTERNAL_SERVER_ERROR, "{at}");
    match (access, role) {
        (Public, _) => assert!(!refused_as_anonymous(r), "{at}"),
        (_, Role::Anonymous) => assert!(refused_as_anonymous(r), "{at}"),
        (PasswordChange, _) => assert_eq!(r.location(), "/top", "{at}"),
        (OtpStage, _) if path.starts_with("/api/") => {
            assert!(r.body.contains("AUTH-0009"), "{at}")
        }
        (OtpStage, _) => assert_eq!(r.location(), "/top", "{at}"),
        (Session | User, _) | (Permitted, Role::Master) => {
            assert!(!refused_as_anonymous(r) && !refused_authority(r), "{at}")
        }
        (Permitted, _) => assert!(!refused_as_anonymous(r), "{at}"),
        (Admin, Role::General) => assert!(refused_authority(r), "{at}"),
        (Admin, Role::OtherCompanysMaster) if path_has_user(path) => {
            assert!(r.status.is_client_error(), "{at}: another company's user");
            if method == "GET" {
                assert_eq!(r.status, StatusCode::NOT_FOUND, "{at}");
            }
        }
        (Admin, _) => assert!(!refused_as_anonymous(r) && !refused_authority(r), "{at}"),
    }
}

fn path_has_user(path: &str) -> bool {
    path.contains("{id}")
}

#[tokio::test]
async fn every_route_as_every_role_matches_the_policy() {
    for engine in engines() {
        let app = TestApp::new(engine).await;
        crate::master_rules::second_admin(&app).await;
        let routed: BTreeSet<&str> = madoguchi_server::app::routes()
            .paths()
            .iter()
            .copied()
            .collect();
        let listed: BTreeSet<&str> = POLICY.iter().map(|(_, p, _)| *p).collect();
        assert_eq!(
            routed, listed,
            "every path of the router is in the policy, and only those"
        );
        let user = crate::users::user_id(&app, "ippan01").await;
        let mut sessions = Vec::new();
        for role in ROLES {
            sessions.push((role, session(&app, role).await));
        }
        let mut seen = BTreeSet::new();
        for path in &routed {
            for method in METHODS {
                let url = concrete(path, user);
                let probe = send(&app, None, method, &url).await;
                let entry = POLICY.iter().find(|(m, p, _)| *m == method && p == path);
                if probe.status == StatusCode::METHOD_NOT_ALLOWED {
                    assert!(
                        entry.is_none(),
                        "{method} {path} is in the policy but not routed"
                    );
                    continue;
                }
                let Some((_, _, access)) = entry else {
                    panic!("{method} {path} is routed but missing from the policy");
                };
                seen.insert((method, *path));
                for (role, client) in sessions.iter_mut() {
                    let logs_out = path.ends_with("/logout");
                    let mut fresh = if logs_out {
                        session(&app, *role).await
                    } else {
                        None
                    };
                    let c = if logs_out {
                        fresh.as_mut()
                    } else {
                        client.as_mut()
                    };
                    let before = refusals(&app).await;
                    let r = send(&app, c, method, &url).await;
                    check(engine, *role, *access, method, path, &r);
                    if refused_authority(&r) {
                        assert_eq!(
                            refusals(&app).await,
                            before + 1,
                            "{method} {path}: recorded"
                        );
                    }
                }
            }
        }
        assert_eq!(
            seen.len(),
            POLICY.len(),
            "{engine:?}: every policy entry was exercised"
        );
    }
}

async fn refusals(app: &TestApp) -> usize {
    recent_history(app, 3000)
        .await
        .iter()
        .filter(|e| e.error_code == "PERM-0001")
        .count()
}
