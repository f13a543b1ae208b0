//! 電子証明書 on the screens and under concurrency: 電子証明書発行 (BLGI005) gives a
//! PKCS#12 file that opens with its password and holds the certificate, its key and the
//! bank's CA; its field rules, lock-out and contract; renewal; 利用者管理 → 証明書失効
//! (BRSK018–020) with the red change, the history entry and the sessions ended; refusals
//! from a lower role, another company and a stale screen; 50 issues and 50 revocations at
//! once.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use rustls_pki_types::{CertificateDer, UnixTime};
use x509_parser::prelude::FromDer;

use crate::certificates::{certificate_on, issue_for_csr, user_id};
use crate::support::{Client, TestApp, engines, hidden_field, key, recent_history};

const FILE_PASSWORD: &str = "Import-2026";

/// 電子証明書発行 on the screen: the answer's raw bytes, or the page when refused.
async fn issue_on_screen(
    app: &TestApp,
    login_id: &str,
    password: &str,
    file: &str,
) -> (StatusCode, Vec<u8>) {
    let mut c = app.client();
    let page = c.get("/certificate").await;
    assert!(page.body.contains("BLGI005") && page.body.contains("電子証明書発行"));
    let token = hidden_field(&page.body, "form_token").unwrap();
    let body = serde_urlencoded::to_string([
        ("login_id", login_id),
        ("password", password),
        ("file_password", file),
        ("file_password_again", file),
        ("form_token", &token),
    ])
    .unwrap();
    let req = Request::builder()
        .method(Method::POST)
        .uri("/certificate")
        .header("content-type", "application/x-www-form-urlencoded")
        .header("sec-fetch-site", "same-origin")
        .body(Body::from(body))
        .unwrap();
    c.send_for_bytes(req).await
}

/// `user`'s certificate in use.
async fn in_use(app: &TestApp, user: i64) -> Option<madoguchi_store::CertificateRecord> {
    app.state.store.certificate_in_use(user).await.unwrap()
}

/// A certificate for `login_id` issued for a CSR, its serial.
async fn issued_serial(app: &TestApp, login_id: &str) -> String {
    issue_for_csr(app, login_id, "").await.unwrap().serial
}

/// A screen session of `login_id` over a connection presenting its certificate.
async fn logged_in_with_certificate(app: &TestApp, login_id: &str, serial: &str) -> Client {
    let mut c = app.client_presenting(serial);
    let r = c.login(login_id, "Demo1234").await;
    assert_eq!(r.location(), "/top", "{login_id}: {}", r.body);
    c.get("/top").await;
    c
}

#[tokio::test]
async fn the_login_screen_issues_a_pkcs12_file_that_opens_with_its_password() {
    for engine in engines() {
        let app = TestApp::new(engine).await;
        let (company, ippan) = user_id(&app, "ippan01").await;
        certificate_on(&app, company).await;
        let login = app.client().get("/login").await;
        assert!(
            login.body.contains("href=\"/certificate\""),
            "「電子証明書発行」 on the login screen"
        );

        // Field rules first: nothing issued, the login ID kept, the refusal recorded.
        let mut c = app.client();
        let page = c.get("/certificate").await;
        let token = hidden_field(&page.body, "form_token").unwrap();
        let short = c
            .post_form_raw(
                "/certificate",
                &[
                    ("login_id", "ippan01"),
                    ("password", "Demo1234"),
                    ("file_password", "short"),
                    ("file_password_again", "short"),
                    ("form_token", &token),
                ],
            )
            .await;
        assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY, "{engine:?}");
        assert!(
            short
                .body
                .contains("証明書ファイルのパスワードは半角英数字記号8文字以上32文字以内")
        );
        assert!(
            short.body.contains("value=\"ippan01\""),
            "what was typed stays"
        );
        assert!(in_use(&app, ippan).await.is_none());
        let refusal = &recent_history(&app, 1).await[0];
        assert_eq!(
            (refusal.operation.as_str(), refusal.error_code.as_str()),
            ("電子証明書発行", "VAL-0000")
        );

        let (status, file) = issue_on_screen(&app, "ippan01", "Demo1234", FILE_PASSWORD).await;
        assert_eq!(status, StatusCode::OK, "{engine:?}");
        let store = p12_keystore::KeyStore::from_pkcs12(
            &file,
            FILE_PASSWORD,
            p12_keystore::Pkcs12ImportPolicy::default(),
        )
        .unwrap();
        assert!(
            p12_keystore::KeyStore::from_pkcs12(
                &file,
                "Wrong-2026",
                p12_keystore::Pkcs12ImportPolicy::default()
            )
            .is_err(),
            "another password does not open it"
        );
        let (_, chain) = store.private_key_chain().unwrap();
        let certs = chain.certs();
        assert_eq!(certs.len(), 2, "the certificate and the bank's CA");
        let pki = app.state.pki.as_ref().unwrap();
        assert_eq!(certs[1].as_der(), pki.ca().cert_der().as_ref());
        let (_, leaf) =
            x509_parser::certificate::X509Certificate::from_der(certs[0].as_der()).unwrap();
        let cn = leaf
            .subject()
            .iter_common_name()
            .next()
            .unwrap()
            .as_str()
            .unwrap()
            .to_owned();
        assert_eq!(cn, "ippan01");
        // Its key is the certificate's.
        let key = rcgen::KeyPair::try_from(chain.key().as_der()).unwrap();
        assert_eq!(
            key.public_key_raw(),
            leaf.public_key().subject_public_key.data.as_ref()
        );
        // It is the user's certificate in use, valid to 08:59:59 JST a year and a day on.
        let record = app
            .state
            .store
            .certificate_in_use(ippan)
            .await
            .unwrap()
            .unwrap();
        let serial = madoguchi_server::certificates::ca::serial_hex(leaf.raw_serial());
        assert_eq!(record.serial, serial);
        assert_eq!(
            leaf.validity().not_after.timestamp(),
            record.not_after / 1_000_000
        );
        assert!(madoguchi_domain::jst::format_seconds(record.not_after).ends_with("08時59分59秒"));
        // The bank's verifier accepts it.
        let der = CertificateDer::from(certs[0].as_der().to_vec());
        assert!(
            pki.verifier()
                .verify_client_cert(&der, &[], UnixTime::now())
                .is_ok()
        );
        let entry = recent_history(&app, 10)
            .await
            .into_iter()
            .find(|e| e.operation == "電子証明書発行" && e.error_code.is_empty())
            .unwrap();
        assert!(
            entry.details.contains(&serial),
            "{engine:?}: the serial is recorded"
        );

        // Renewal: a new file, the previous certificate revoked.
        let (status, _) = issue_on_screen(&app, "ippan01", "Demo1234", FILE_PASSWORD).await;
        assert_eq!(status, StatusCode::OK);
        let old = app
            .state
            .store
            .certificate_by_serial(&serial)
            .await
            .unwrap()
            .unwrap();
        assert!(old.revoked_at.is_some(), "one certificate in use per user");
        assert!(
            recent_history(&app, 3)
                .await
                .iter()
                .any(|e| e.operation == "電子証明書更新")
        );
        crate::support::assert_chain_intact(&app).await;
    }
}

#[tokio::test]
async fn issuing_counts_wrong_passwords_like_a_login_and_needs_the_contract() {
    for engine in engines() {
        let app = TestApp::new(engine).await;
        let (company, ippan) = user_id(&app, "ippan01").await;
        certificate_on(&app, company).await;
        for _ in 0..5 {
            let (status, _) = issue_on_screen(&app, "ippan01", "Wrong9999", FILE_PASSWORD).await;
            assert_eq!(status, StatusCode::UNAUTHORIZED);
        }
        // Locked: the right password no longer issues anything, nor logs in.
        let (status, _) = issue_on_screen(&app, "ippan01", "Demo1234", FILE_PASSWORD).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{engine:?}");
        assert!(in_use(&app, ippan).await.is_none());
        let locked = app.client().login("ippan01", "Demo1234").await;
        assert_ne!(locked.location(), "/top");

        // A company on password login is not issued certificates.
        let (status, page) = issue_on_screen(&app, "other01", "Demo1234", FILE_PASSWORD).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{engine:?}");
        assert!(String::from_utf8_lossy(&page).contains("電子証明書方式をご利用になっていない"));
    }
}

#[tokio::test]
async fn an_administrator_revokes_a_certificate_on_brsk018_to_020() {
    for engine in engines() {
        let app = TestApp::new(engine).await;
        let (company, ippan) = user_id(&app, "ippan01").await;
        certificate_on(&app, company).await;
        let master_serial = issued_serial(&app, "master01").await;
        let ippan_serial = issued_serial(&app, "ippan01").await;
        let mut victim = logged_in_with_certificate(&app, "ippan01", &ippan_serial).await;
        let mut master = logged_in_with_certificate(&app, "master01", &master_serial).await;

        let menu = master.get("/users").await;
        assert!(menu.body.contains("証明書失効"), "{engine:?}");
        let list = master.get("/users/certificates").await;
        for text in [
            "BRSK018",
            "ご利用者一覧",
            "証明書状態",
            "証明書有効期限",
            "発行済み",
            "08時59分59秒",
            ">失効<",
        ] {
            assert!(list.body.contains(text), "{engine:?}: {text}");
        }
        // 「失効」 without choosing anyone.
        let none = master.get("/users/certificates/confirm").await;
        assert_eq!(none.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(none.body.contains("利用者を選択してください"));

        let confirm = master
            .get(&format!("/users/certificates/confirm?user={ippan}"))
            .await;
        for text in [
            "BRSK019",
            "証明書失効確認",
            "ippan01",
            "佐藤　花子",
            "発行済み",
            "失効済み",
            "確認用パスワード",
            "実行",
        ] {
            assert!(confirm.body.contains(text), "{engine:?}: {text}");
        }
        assert!(
            confirm.body.contains("class=\"changed"),
            "証明書状態 is marked as changed"
        );
        let idempotency = hidden_field(&confirm.body, "idempotency_key").unwrap();
        let action = format!("/users/certificates/{ippan}");
        let wrong = master
            .post_form(
                &action,
                &[
                    ("idempotency_key", &idempotency),
                    ("confirmation_password", "Wrong9999"),
                ],
            )
            .await;
        assert!(
            wrong.body.contains("確認用パスワードが正しくありません"),
            "{engine:?}"
        );
        assert!(in_use(&app, ippan).await.is_some());

        let done = master
            .post_form(
                &action,
                &[
                    ("idempotency_key", &idempotency),
                    ("confirmation_password", "Kakunin12"),
                ],
            )
            .await;
        assert!(
            done.location().starts_with("/users/certificates/result"),
            "{engine:?}: {}",
            done.body
        );
        let result = master.get(done.location()).await;
        for text in [
            "BRSK020",
            "証明書失効結果",
            "失効済み",
            "「閉じる」ボタンを押して、ブラウザを閉じてください。",
            "閉じる",
        ] {
            assert!(result.body.contains(text), "{engine:?}: {text}");
        }
        assert!(in_use(&app, ippan).await.is_none());
        let entry = recent_history(&app, 5)
            .await
            .into_iter()
            .find(|e| e.operation == "証明書失効")
            .unwrap();
        assert!(entry.error_code.is_empty() && entry.details.contains(&ippan_serial));
        // The user's session ended with it.
        assert_ne!(
            victim.get("/top").await.status,
            StatusCode::OK,
            "{engine:?}"
        );
        // The same 実行 again shows the same 結果; a new one finds nothing to revoke.
        let again = master
            .post_form(
                &action,
                &[
                    ("idempotency_key", &idempotency),
                    ("confirmation_password", "Kakunin12"),
                ],
            )
            .await;
        assert!(again.location().starts_with("/users/certificates/result"));
        let stale = master
            .get(&format!("/users/certificates/confirm?user={ippan}"))
            .await;
        assert_eq!(
            stale.status,
            StatusCode::FORBIDDEN,
            "{engine:?}: already revoked"
        );
        assert!(
            master
                .get("/users/certificates")
                .await
                .body
                .contains("失効済み")
        );

        // A lower role and another company.
        let ippan_again = issued_serial(&app, "ippan01").await;
        let mut general = logged_in_with_certificate(&app, "ippan01", &ippan_again).await;
        let refused = general.get("/users/certificates").await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
        let mut other = app.client();
        assert_eq!(
            other.api_login("other01", "Demo1234").await.status,
            StatusCode::OK
        );
        let foreign = other
            .json(
                Method::POST,
                &format!("/api/v1/users/{ippan}/certificate/revoke"),
                serde_json::json!({"confirmation_password": "Kakunin12", "idempotency_key": key("foreign")}),
            )
            .await;
        assert_eq!(foreign.status, StatusCode::NOT_FOUND, "{engine:?}");
        assert!(in_use(&app, ippan).await.is_some());

        // One's own certificate: revoked, and this session is over.
        let (_, master_id) = user_id(&app, "master01").await;
        let own = master
            .get(&format!("/users/certificates/confirm?user={master_id}"))
            .await;
        let idempotency = hidden_field(&own.body, "idempotency_key").unwrap();
        let gone = master
            .post_form(
                &format!("/users/certificates/{master_id}"),
                &[
                    ("idempotency_key", &idempotency),
                    ("confirmation_password", "Kakunin12"),
                ],
            )
            .await;
        assert_eq!(gone.location(), "/login?reason=certificate_revoked");
        assert_ne!(master.get("/top").await.status, StatusCode::OK);
        crate::support::assert_chain_intact(&app).await;
    }
}

#[tokio::test]
async fn fifty_issues_at_once_leave_one_certificate_in_use_and_fifty_revocations_one_success() {
    for engine in engines() {
        let app = TestApp::new(engine).await;
        let (company, ippan) = user_id(&app, "ippan01").await;
        certificate_on(&app, company).await;
        let issues = (0..50).map(|_| issue_with_code(&app, "ippan01", ""));
        let results = futures_util::future::join_all(issues).await;
        let issued: Vec<&String> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
        for e in results.iter().filter_map(|r| r.as_ref().err()) {
            // Beyond the attempts one account may have in flight, a login is turned away.
            assert_eq!(e.code(), "AUTH-0001", "{engine:?}: {e:?}");
        }
        assert!(!issued.is_empty());
        let all = app.state.store.certificates_of(company).await.unwrap();
        let mine: Vec<_> = all.iter().filter(|c| c.user_id == ippan).collect();
        assert_eq!(
            mine.len(),
            issued.len(),
            "{engine:?}: every success is recorded, nothing else"
        );
        let active = mine.iter().filter(|c| c.revoked_at.is_none()).count();
        assert_eq!(active, 1, "{engine:?}: one certificate in use");

        // Fifty administrators' 実行 at once (distinct keys): one revokes, the rest are refused.
        let master_serial = issued_serial(&app, "master01").await;
        let master = logged_in_with_certificate(&app, "master01", &master_serial).await;
        let revokes = (0..50).map(|i| {
            let mut c = master_clone(&app, &master, &master_serial);
            tokio::spawn(async move {
                c.json(
                    Method::POST,
                    &format!("/api/v1/users/{ippan}/certificate/revoke"),
                    serde_json::json!({"confirmation_password": "Kakunin12", "idempotency_key": format!("test-key-many-{i:03}")}),
                )
                .await
                .status
            })
        });
        let statuses: Vec<StatusCode> = futures_util::future::join_all(revokes)
            .await
            .into_iter()
            .map(|r| r.unwrap())
            .collect();
        let ok = statuses.iter().filter(|s| **s == StatusCode::OK).count();
        assert_eq!(ok, 1, "{engine:?}: {statuses:?}");
        assert!(
            statuses
                .iter()
                .all(|s| *s != StatusCode::INTERNAL_SERVER_ERROR)
        );
        assert!(in_use(&app, ippan).await.is_none());
        let successes = recent_history(&app, 200)
            .await
            .into_iter()
            .filter(|e| e.operation == "証明書失効" && e.error_code.is_empty())
            .count();
        assert_eq!(successes, 1);
    }
}

/// Another API client on `master`'s session and certificate.
fn master_clone(app: &TestApp, master: &Client, serial: &str) -> Client {
    let mut c = app.client_presenting(serial);
    c.copy_session_from(master);
    c.csrf = master.csrf.clone();
    c
}

/// 電子証明書発行 of `login_id` for a CSR with `one_time_password`: its serial.
async fn issue_with_code(
    app: &TestApp,
    login_id: &str,
    code: &str,
) -> Result<String, madoguchi_domain::Error> {
    issue_for_csr(app, login_id, code).await.map(|i| i.serial)
}

#[tokio::test]
async fn a_user_with_a_token_also_gives_the_one_time_password_and_each_code_once() {
    for engine in engines() {
        let app = TestApp::new(engine).await;
        let (company, ippan) = user_id(&app, "ippan01").await;
        crate::otp::otp_on(&app, "ippan01").await;
        let (_, secret) = crate::otp::register(&app, "ippan01").await;
        certificate_on(&app, company).await;

        let missing = issue_with_code(&app, "ippan01", "").await.unwrap_err();
        assert_eq!(missing.code(), "VAL-0000", "{engine:?}: {missing:?}");
        let wrong = issue_with_code(&app, "ippan01", "000000")
            .await
            .unwrap_err();
        assert!(
            matches!(wrong.code(), "AUTH-0010" | "AUTH-0012"),
            "{wrong:?}"
        );
        assert!(in_use(&app, ippan).await.is_none());
        let right = crate::otp::code(&app, &secret, 0);
        assert!(
            issue_with_code(&app, "ippan01", &right).await.is_ok(),
            "{engine:?}"
        );
        let again = issue_with_code(&app, "ippan01", &right).await.unwrap_err();
        assert_eq!(
            again.code(),
            "AUTH-0012",
            "{engine:?}: a code is accepted once"
        );
        // The master has no token yet: the password alone issues theirs (the token is
        // registered at the first login, which needs the certificate).
        assert!(issue_with_code(&app, "master01", "").await.is_ok());
    }
}

#[tokio::test]
async fn the_top_page_says_when_the_certificate_expires_in_its_last_thirty_days() {
    for engine in engines() {
        let app = TestApp::new(engine).await;
        let (company, _) = user_id(&app, "ippan01").await;
        certificate_on(&app, company).await;
        let serial = issued_serial(&app, "ippan01").await;
        let mut c = logged_in_with_certificate(&app, "ippan01", &serial).await;
        assert!(
            !c.get("/top").await.body.contains("電子証明書の有効期限は"),
            "{engine:?}"
        );
        app.clock.advance_secs(340 * 86_400);
        let mut c2 = logged_in_with_certificate(&app, "ippan01", &serial).await;
        let top = c2.get("/top").await;
        assert!(top.body.contains("電子証明書の有効期限は"), "{engine:?}");
        assert!(
            top.body.contains("08時59分59秒") && top.body.contains("「電子証明書発行」から更新")
        );
    }
}
