//! ワンタイムパスワード: registration, the login's step, the code on every 確認, replay,
//! clock drift, the lock under concurrency, 利用停止解除 and トークンの失効 — on both engines.

use axum::http::{Method, StatusCode};
use madoguchi_domain::otp::TokenSecret;
use serde_json::{Value, json};

use crate::support::{Client, TestApp, engines, field_codes, key, recent_history};

const PASSWORD: &str = "Demo1234";
const CONFIRMATION: &str = "Kakunin12";

/// Turns ワンタイムパスワード on for the company of `login_id`.
pub async fn otp_on(app: &TestApp, login_id: &str) {
    let user = app
        .state
        .store
        .user_by_login_key(login_id)
        .await
        .unwrap()
        .unwrap();
    madoguchi_server::operator::set_otp(&app.state, user.company_id, true)
        .await
        .unwrap();
}

fn now_secs(app: &TestApp) -> u64 {
    u64::try_from(app.clock.now_micros() / 1_000_000).unwrap()
}

/// The code `secret` shows now, `steps` steps off.
pub fn code(app: &TestApp, secret: &TokenSecret, steps: i64) -> String {
    let t = now_secs(app).checked_add_signed(steps * 30).unwrap();
    secret.code_at(t)
}

/// A login by the API up to its one-time-password step; the answer's `next`.
async fn password_step(app: &TestApp, login_id: &str) -> (Client, String) {
    let mut c = app.client();
    let r = c.api_login(login_id, PASSWORD).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let next = r.json()["next"].as_str().unwrap().to_owned();
    (c, next)
}

async fn send_code(c: &mut Client, path: &str, code: &str) -> crate::support::Resp {
    c.json(Method::POST, path, json!({ "one_time_password": code }))
        .await
}

/// Registers a token for `login_id` (whose company uses OTP): the logged-in client and the
/// token's secret. The clock moves on a step, so the next code is a new one.
pub async fn register(app: &TestApp, login_id: &str) -> (Client, TokenSecret) {
    let (mut c, next) = password_step(app, login_id).await;
    assert_eq!(next, "otp_registration");
    let shown = c.get("/api/v1/login/otp/registration").await;
    assert_eq!(shown.status, StatusCode::OK, "{}", shown.body);
    let secret = TokenSecret::from_base32(shown.json()["secret"].as_str().unwrap()).unwrap();
    let r = send_code(
        &mut c,
        "/api/v1/login/otp/registration",
        &code(app, &secret, 0),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["next"], "active");
    app.clock.advance_secs(30);
    (c, secret)
}

/// A full login with the one-time password (the clock moves on a step after it).
async fn login_with(app: &TestApp, login_id: &str, secret: &TokenSecret) -> Client {
    let (mut c, next) = password_step(app, login_id).await;
    assert_eq!(next, "otp");
    let r = send_code(&mut c, "/api/v1/login/otp", &code(app, secret, 0)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    app.clock.advance_secs(30);
    c
}

async fn user_id(app: &TestApp, login_id: &str) -> i64 {
    app.state
        .store
        .user_by_login_key(login_id)
        .await
        .unwrap()
        .unwrap()
        .id
}

async fn otp_locked(app: &TestApp, login_id: &str) -> bool {
    app.state
        .store
        .user_by_login_key(login_id)
        .await
        .unwrap()
        .unwrap()
        .otp_locked
}

async fn operations_of(app: &TestApp, login_id: &str) -> Vec<(String, String)> {
    recent_history(app, 2000)
        .await
        .into_iter()
        .filter(|e| e.login_id == login_id)
        .map(|e| (e.operation, e.error_code))
        .collect()
}

#[tokio::test]
async fn a_token_is_registered_once_and_then_asked_at_every_login() {
    for engine in engines() {
        let app = TestApp::new(engine).await;
        // Off: the demo logins stay as they are.
        assert_eq!(password_step(&app, "ippan01").await.1, "active");
        otp_on(&app, "ippan01").await;

        let (mut c, next) = password_step(&app, "ippan01").await;
        assert_eq!(next, "otp_registration", "{engine:?}");
        // Nothing else is reachable before the step is done.
        assert_eq!(c.get("/top").await.location(), "/login/otp/register");
        let first = c.get("/api/v1/login/otp/registration").await.json();
        let again = c.get("/api/v1/login/otp/registration").await.json();
        assert_eq!(first, again, "{engine:?}: a reload shows the same token");
        assert!(first["serial"].as_str().unwrap().starts_with("SW"));
        assert!(
            first["otpauth_url"]
                .as_str()
                .unwrap()
                .starts_with("otpauth://totp/")
        );
        let secret = TokenSecret::from_base32(first["secret"].as_str().unwrap()).unwrap();
        let wrong = send_code(&mut c, "/api/v1/login/otp/registration", "000000").await;
        let wrong = if code(&app, &secret, 0) == "000000" {
            send_code(&mut c, "/api/v1/login/otp/registration", "111111").await
        } else {
            wrong
        };
        assert_eq!(wrong.json()["code"], "AUTH-0010", "{engine:?}");
        let bad = send_code(&mut c, "/api/v1/login/otp/registration", "12345").await;
        assert_eq!(
            field_codes(&bad),
            vec![("one_time_password".to_owned(), "VAL-0010".to_owned())]
        );
        let done = send_code(
            &mut c,
            "/api/v1/login/otp/registration",
            &code(&app, &secret, 0),
        )
        .await;
        assert_eq!(done.status, StatusCode::OK, "{engine:?}: {}", done.body);
        assert_eq!(c.get("/api/v1/me").await.status, StatusCode::OK);
        // The secret is never shown again.
        let after = c.get("/api/v1/login/otp/registration").await;
        assert_eq!(after.json()["code"], "AUTH-0009", "{engine:?}");
        app.clock.advance_secs(30);

        // The next login asks for the code.
        let (mut c, next) = password_step(&app, "ippan01").await;
        assert_eq!(next, "otp", "{engine:?}");
        assert_eq!(
            c.get("/api/v1/company/settings").await.json()["code"],
            "AUTH-0013"
        );
        let r = send_code(&mut c, "/api/v1/login/otp", &code(&app, &secret, 0)).await;
        assert_eq!(r.json()["next"], "active", "{engine:?}: {}", r.body);

        let ops = operations_of(&app, "ippan01").await;
        let has = |op: &str, code: &str| ops.iter().any(|(o, c)| o == op && c == code);
        assert!(
            has("ワンタイムパスワード利用登録", ""),
            "{engine:?}: {ops:?}"
        );
        assert!(has("ワンタイムパスワード利用登録", "AUTH-0010"));
        assert!(has("ワンタイムパスワード認証", ""));
        // The secret is in no entry and not in the database in clear.
        let plain = first["secret"].as_str().unwrap();
        for e in recent_history(&app, 2000).await {
            assert!(!e.details.to_string().contains(plain), "{engine:?}");
        }
        let store = app.raw_store().await;
        let sealed: Vec<String> = sqlx::query_scalar("select secret_sealed from otp_tokens")
            .fetch_all(store.pool())
            .await
            .unwrap();
        assert_eq!(sealed.len(), 1);
        assert!(sealed[0].starts_with("v1.") && !sealed[0].contains(plain));
        crate::support::assert_chain_intact(&app).await;
    }
}

#[tokio::test]
async fn one_step_of_drift_is_accepted_two_are_not_and_a_code_is_used_once() {
    for engine in engines() {
        let app = TestApp::new(engine).await;
        otp_on(&app, "ippan01").await;
        let (_, secret) = register(&app, "ippan01").await;
        for (late, early) in [(-2, -1), (2, 1)] {
            app.clock.advance_secs(300);
            let (mut c, _) = password_step(&app, "ippan01").await;
            let far = send_code(&mut c, "/api/v1/login/otp", &code(&app, &secret, late)).await;
            assert_eq!(far.json()["code"], "AUTH-0010", "{engine:?} {late} steps");
            let near = send_code(&mut c, "/api/v1/login/otp", &code(&app, &secret, early)).await;
            assert_eq!(near.status, StatusCode::OK, "{engine:?} {early} step");
        }
        // The code just accepted (one step ahead) is refused now and in the next step as
        // used, without counting as a wrong code; once out of the window it is just wrong.
        let used = code(&app, &secret, 1);
        let (mut c, _) = password_step(&app, "ippan01").await;
        let replay = send_code(&mut c, "/api/v1/login/otp", &used).await;
        assert_eq!(replay.json()["code"], "AUTH-0012", "{engine:?}: replayed");
        app.clock.advance_secs(30);
        let replay = send_code(&mut c, "/api/v1/login/otp", &used).await;
        assert_eq!(replay.json()["code"], "AUTH-0012", "{engine:?}: later");
        let user = app
            .state
            .store
            .user_by_login_key("ippan01")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            user.otp_failures, 0,
            "{engine:?}: a used code is not a wrong one"
        );
        app.clock.advance_secs(90);
        let replay = send_code(&mut c, "/api/v1/login/otp", &used).await;
        assert_eq!(
            replay.json()["code"],
            "AUTH-0010",
            "{engine:?}: out of the window"
        );
    }
}

#[tokio::test]
async fn the_same_code_sent_at_once_is_accepted_once() {
    for engine in engines() {
        let app = TestApp::new(engine).await;
        otp_on(&app, "ippan01").await;
        let (_, secret) = register(&app, "ippan01").await;
        for burst in [2, 20] {
            app.clock.advance_secs(60);
            let mut clients = Vec::new();
            for _ in 0..burst {
                clients.push(password_step(&app, "ippan01").await.0);
            }
            let same = code(&app, &secret, 0);
            let tasks: Vec<_> = clients
                .into_iter()
                .map(|mut c| {
                    let same = same.clone();
                    tokio::spawn(async move {
                        let r = send_code(&mut c, "/api/v1/login/otp", &same).await;
                        (r.status, r.json()["code"].as_str().unwrap_or("").to_owned())
                    })
                })
                .collect();
            let mut answers = Vec::new();
            for t in tasks {
                answers.push(t.await.unwrap());
            }
            let accepted = answers.iter().filter(|(s, _)| *s == StatusCode::OK).count();
            assert_eq!(accepted, 1, "{engine:?} burst {burst}: {answers:?}");
            for (status, code) in &answers {
                assert!(
                    *status == StatusCode::OK
                        || ["AUTH-0010", "AUTH-0012", "SYS-0002", "AUTH-0011"]
                            .contains(&code.as_str()),
                    "{engine:?}: {status} {code}"
                );
            }
            if otp_locked(&app, "ippan01").await {
                // A burst of 20 can spend the five attempts; release for the next one.
                madoguchi_server::operator::unlock_user(
                    &app.state,
                    "ippan01",
                    madoguchi_store::UnlockWhich::Otp,
                )
                .await
                .unwrap();
            }
        }
    }
}

#[tokio::test]
async fn wrong_codes_at_once_lock_at_exactly_the_threshold() {
    for engine in engines() {
        for right_at in [None, Some(0), Some(25)] {
            wrong_code_burst(engine, right_at).await;
        }
    }
}

/// Fifty codes at once, all wrong but the one at `right_at`.
async fn wrong_code_burst(engine: crate::support::Engine, right_at: Option<usize>) {
    {
        let app = TestApp::new(engine).await;
        otp_on(&app, "ippan01").await;
        let (mut active, secret) = register(&app, "ippan01").await;
        let mut clients = Vec::new();
        for _ in 0..50 {
            clients.push(password_step(&app, "ippan01").await.0);
        }
        let right = code(&app, &secret, 0);
        let wrong = if right == "999999" {
            "999998"
        } else {
            "999999"
        };
        let tasks: Vec<_> = clients
            .into_iter()
            .enumerate()
            .map(|(i, mut c)| {
                // One right code in the burst: it must not get in after the lock.
                let typed = if Some(i) == right_at {
                    right.clone()
                } else {
                    wrong.to_owned()
                };
                tokio::spawn(
                    async move { send_code(&mut c, "/api/v1/login/otp", &typed).await.status },
                )
            })
            .collect();
        let mut ok = 0;
        for t in tasks {
            let status = t.await.unwrap();
            assert_ne!(status, StatusCode::INTERNAL_SERVER_ERROR);
            ok += usize::from(status == StatusCode::OK);
        }
        let entries: Vec<_> = recent_history(&app, 3000)
            .await
            .into_iter()
            .rev()
            .filter(|e| e.login_id == "ippan01")
            .collect();
        let locks = entries
            .iter()
            .filter(|e| e.operation == "ワンタイムパスワード利用停止")
            .count();
        // Between two successes at most five wrong codes are judged; never a success
        // after the lock.
        let mut since = 0;
        let mut locked = false;
        for e in &entries {
            if e.operation == "ワンタイムパスワード利用停止" {
                locked = true;
            } else if e.operation == "ワンタイムパスワード認証" && e.error_code == "AUTH-0010"
            {
                since += 1;
                assert!(since <= 5, "{engine:?}: {since} judged");
            } else if e.operation == "ワンタイムパスワード認証" && e.outcome == "正常"
            {
                assert!(!locked, "{engine:?}: a success after the lock");
                since = 0;
            }
        }
        if right_at.is_none() {
            let judged = entries
                .iter()
                .filter(|e| {
                    e.operation == "ワンタイムパスワード認証" && e.error_code == "AUTH-0010"
                })
                .count();
            assert_eq!(judged, 5, "{engine:?}: exactly the threshold is judged");
        }
        if ok == 0 {
            assert_eq!(locks, 1, "{engine:?}");
            assert!(otp_locked(&app, "ippan01").await);
            // Neither log in nor act: the right password answers 423, the open session ends.
            let r = app.client().api_login("ippan01", PASSWORD).await;
            assert_eq!(r.json()["code"], "AUTH-0011", "{engine:?}");
            assert_eq!(active.get("/api/v1/me").await.json()["code"], "AUTH-0011");
            assert_eq!(
                active.get("/api/v1/me").await.status,
                StatusCode::UNAUTHORIZED
            );
        } else {
            assert_eq!(ok, 1, "{engine:?}");
            assert!(locks <= 1);
        }
    }
}

fn otp_body(secret: &TokenSecret, app: &TestApp, name: &str) -> Value {
    json!({
        "confirmation_password": CONFIRMATION,
        "one_time_password": code(app, secret, 0),
        "idempotency_key": key(name),
    })
}

/// Five wrong codes at the login: ippan01's one-time password is locked.
async fn lock_otp(app: &TestApp, login_id: &str, secret: &TokenSecret) {
    let right = code(app, secret, 0);
    let wrong = if right == "999999" {
        "999998"
    } else {
        "999999"
    };
    for _ in 0..5 {
        let (mut c, _) = password_step(app, login_id).await;
        send_code(&mut c, "/api/v1/login/otp", wrong).await;
    }
    assert!(otp_locked(app, login_id).await);
}

#[tokio::test]
async fn an_administrator_releases_another_users_lock_never_their_own() {
    for engine in engines() {
        let app = TestApp::new(engine).await;
        otp_on(&app, "master01").await;
        let (mut master, master_secret) = register(&app, "master01").await;
        let (_, secret) = register(&app, "ippan01").await;
        let ippan = user_id(&app, "ippan01").await;
        let me = user_id(&app, "master01").await;
        lock_otp(&app, "ippan01", &secret).await;
        let path = format!("/api/v1/users/{ippan}/otp/release");

        // Another company's master: not found. A general user: not an administrator.
        let mut other = app.client();
        other.api_login("other01", PASSWORD).await;
        let r = other
            .json(Method::POST, &path, otp_body(&master_secret, &app, "o"))
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{engine:?}: {}", r.body);
        // Oneself: refused.
        let own = format!("/api/v1/users/{me}/otp/release");
        let r = master
            .json(Method::POST, &own, otp_body(&master_secret, &app, "self"))
            .await;
        assert_eq!(r.json()["code"], "USR-0002", "{engine:?}: {}", r.body);
        app.clock.advance_secs(30);
        // The administrator's own one-time password is required.
        let mut body = otp_body(&master_secret, &app, "no-otp");
        body["one_time_password"] = json!("");
        let r = master.json(Method::POST, &path, body).await;
        assert!(field_codes(&r).contains(&("one_time_password".into(), "VAL-0001".into())));
        let r = master
            .json(Method::POST, &path, otp_body(&master_secret, &app, "go"))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{engine:?}: {}", r.body);
        assert!(!otp_locked(&app, "ippan01").await);
        app.clock.advance_secs(30);
        login_with(&app, "ippan01", &secret).await;
        let ops = operations_of(&app, "master01").await;
        assert!(
            ops.iter()
                .any(|(o, c)| o == "ワンタイムパスワード利用停止解除" && c.is_empty()),
            "{engine:?}"
        );
    }
}

#[tokio::test]
async fn a_general_user_cannot_release_or_revoke() {
    for engine in engines() {
        let app = TestApp::new(engine).await;
        otp_on(&app, "ippan01").await;
        let (mut c, secret) = register(&app, "ippan01").await;
        let master = user_id(&app, "master01").await;
        for op in ["release", "revoke"] {
            let r = c
                .json(
                    Method::POST,
                    &format!("/api/v1/users/{master}/otp/{op}"),
                    otp_body(&secret, &app, op),
                )
                .await;
            assert_eq!(r.json()["code"], "PERM-0001", "{engine:?} {op}");
        }
    }
}

#[tokio::test]
async fn a_revoked_token_ends_the_sessions_and_a_new_one_waits() {
    for engine in engines() {
        let app = TestApp::new(engine).await;
        otp_on(&app, "master01").await;
        let (mut master, master_secret) = register(&app, "master01").await;
        let (mut ippan_session, _) = register(&app, "ippan01").await;
        let ippan = user_id(&app, "ippan01").await;
        let r = master
            .json(
                Method::POST,
                &format!("/api/v1/users/{ippan}/otp/revoke"),
                otp_body(&master_secret, &app, "revoke"),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{engine:?}: {}", r.body);
        assert_eq!(
            ippan_session.get("/api/v1/me").await.status,
            StatusCode::UNAUTHORIZED,
            "{engine:?}: the session ended at once"
        );
        // The next login asks for a new token, but not before the wait.
        let (mut c, next) = password_step(&app, "ippan01").await;
        assert_eq!(next, "otp_registration");
        let early = c.get("/api/v1/login/otp/registration").await;
        assert_eq!(early.json()["code"], "AUTH-0015", "{engine:?}");
        assert!(early.json()["message"].as_str().unwrap().contains("以降"));
        // (Each look is a new login: a session waiting that long times out.)
        app.clock.advance_secs(29 * 60);
        let (mut c, _) = password_step(&app, "ippan01").await;
        let early = c.get("/api/v1/login/otp/registration").await;
        assert_eq!(early.json()["code"], "AUTH-0015", "{engine:?}");
        app.clock.advance_secs(60);
        let (mut c, _) = password_step(&app, "ippan01").await;
        let open = c.get("/api/v1/login/otp/registration").await;
        assert_eq!(open.status, StatusCode::OK, "{engine:?}: {}", open.body);

        // One's own token too: the acting session ends with it.
        app.clock.advance_secs(30);
        let mut master = login_with(&app, "master01", &master_secret).await;
        let me = user_id(&app, "master01").await;
        let r = master
            .json(
                Method::POST,
                &format!("/api/v1/users/{me}/otp/revoke"),
                otp_body(&master_secret, &app, "own"),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{engine:?}: {}", r.body);
        assert_eq!(
            master.get("/api/v1/me").await.status,
            StatusCode::UNAUTHORIZED
        );
        let ops = operations_of(&app, "master01").await;
        assert_eq!(
            ops.iter()
                .filter(|(o, c)| o == "トークン失効" && c.is_empty())
                .count(),
            2
        );
    }
}

#[tokio::test]
async fn every_confirm_asks_for_the_code_and_uses_it_up() {
    for engine in engines() {
        let app = TestApp::new(engine).await;
        otp_on(&app, "master01").await;
        let (mut c, secret) = register(&app, "master01").await;
        let put = async |c: &mut Client, otp: &str, k: &str| {
            let mut b = c.get("/api/v1/company/settings").await.json();
            b["confirmation_password"] = json!(CONFIRMATION);
            b["one_time_password"] = json!(otp);
            b["idempotency_key"] = json!(key(k));
            c.json(Method::PUT, "/api/v1/company/settings", b).await
        };
        let missing = put(&mut c, "", "a").await;
        assert_eq!(
            field_codes(&missing),
            vec![("one_time_password".to_owned(), "VAL-0001".to_owned())],
            "{engine:?}"
        );
        let right = code(&app, &secret, 0);
        let wrong = if right == "999999" {
            "999998"
        } else {
            "999999"
        };
        let r = put(&mut c, wrong, "b").await;
        assert_eq!(r.json()["code"], "AUTH-0010", "{engine:?}");
        let r = put(&mut c, &right, "c").await;
        assert_eq!(r.status, StatusCode::OK, "{engine:?}: {}", r.body);
        // The same code for another change is refused: it was used up.
        let reused = put(&mut c, &right, "d").await;
        assert_eq!(
            reused.json()["code"],
            "AUTH-0012",
            "{engine:?}: {}",
            reused.body
        );
        let ops = operations_of(&app, "master01").await;
        assert!(
            ops.iter()
                .any(|(o, c)| o == "企業情報の変更" && c == "AUTH-0010"),
            "{engine:?}: {ops:?}"
        );
    }
}

#[tokio::test]
async fn the_screens_register_a_token_and_ask_for_the_code() {
    for engine in engines() {
        let app = TestApp::new(engine).await;
        otp_on(&app, "ippan01").await;
        let mut c = app.client();
        let r = c.login("ippan01", PASSWORD).await;
        assert_eq!(r.location(), "/login/otp/register", "{engine:?}");
        let page = c.get("/login/otp/register").await;
        for text in [
            "BLGI004",
            "ワンタイムパスワード利用登録",
            "トークンシリアル番号",
            "<svg",
            "登録",
        ] {
            assert!(page.body.contains(text), "{engine:?}: {text}");
        }
        let shown = page
            .body
            .split("id=\"otp-secret\">")
            .nth(1)
            .and_then(|s| s.split('<').next())
            .unwrap()
            .to_owned();
        let secret = TokenSecret::from_base32(&shown).unwrap();
        let wrong = c
            .post_form("/login/otp/register", &[("one_time_password", "12a456")])
            .await;
        assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(wrong.body.contains("半角数字6桁"), "{engine:?}");
        assert!(
            wrong.body.contains(&shown),
            "{engine:?}: the same token again"
        );
        let done = c
            .post_form(
                "/login/otp/register",
                &[("one_time_password", &code(&app, &secret, 0))],
            )
            .await;
        assert_eq!(done.location(), "/top", "{engine:?}: {}", done.body);
        app.clock.advance_secs(30);
        let mut c = app.client();
        assert_eq!(c.login("ippan01", PASSWORD).await.location(), "/login/otp");
        let page = c.get("/login/otp").await;
        assert!(page.body.contains("BLGI003") && page.body.contains("認証"));
        let done = c
            .post_form(
                "/login/otp",
                &[("one_time_password", &code(&app, &secret, 0))],
            )
            .await;
        assert_eq!(done.location(), "/top", "{engine:?}: {}", done.body);
        // A 確認 screen asks for the code beside the 確認用パスワード.
        let (mut master, _) = register(&app, "master01").await;
        let ippan = user_id(&app, "ippan01").await;
        let confirm = master.get(&format!("/users/otp/tokens/{ippan}")).await;
        for text in [
            "BRSK032",
            "トークン失効確認",
            "確認用パスワード",
            "name=\"one_time_password\"",
            "失効済み",
        ] {
            assert!(confirm.body.contains(text), "{engine:?}: {text}");
        }
    }
}
