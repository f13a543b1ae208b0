//! 電子証明書 over real TLS handshakes on 127.0.0.1 (rustls on both ends, reqwest as the
//! client with an identity): issue for a CSR, login with the certificate, another user's
//! certificate, a foreign CA, an expired one, 証明書失効 refusing the next handshake at
//! once, 再発行, the session bound to its certificate, a company on password login, and a
//! second server on the same database picking the revocation up.

use std::net::SocketAddr;
use std::time::Duration;

use madoguchi_server::app;
use madoguchi_server::certificates::ca::ClientSubject;
use madoguchi_server::certificates::tls;
use madoguchi_server::state::AppState;
use rcgen::{CertificateParams, DistinguishedName, DnType, KeyPair};
use reqwest::StatusCode;
use serde_json::json;

use crate::support::{TestApp, engines};

/// A TLS listener of `state`, stopped when dropped.
pub struct TlsServer {
    pub base: String,
    pub ca_pem: String,
    _stop: tokio::sync::oneshot::Sender<()>,
}

pub async fn serve_tls(state: &AppState) -> TlsServer {
    let tls = app::start_certificates(state).await.unwrap().unwrap();
    let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(tls::serve(
        listener,
        tls,
        app::router(state.clone()),
        async {
            let _ = stopped.await;
        },
    ));
    TlsServer {
        base: format!("https://{addr}"),
        ca_pem: state.pki.as_ref().unwrap().ca().cert_pem().to_owned(),
        _stop: stop,
    }
}

/// A client key with its certificate (PEM), as a browser would hold them.
#[derive(Clone)]
pub struct Identity {
    pub cert: String,
    pub key: String,
    pub serial: String,
}

/// A new key and its PKCS#10 request.
pub fn key_and_csr(cn: &str) -> (KeyPair, String) {
    let key = KeyPair::generate().unwrap();
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, cn);
    params.distinguished_name = dn;
    let csr = params.serialize_request(&key).unwrap().pem().unwrap();
    (key, csr)
}

/// 電子証明書発行 of `login_id` for a new key's CSR, in-process (no TLS needed to issue).
pub async fn issue_for_csr(
    app: &TestApp,
    login_id: &str,
    one_time_password: &str,
) -> Result<madoguchi_server::auth::certificate::IssuedCertificate, madoguchi_domain::Error> {
    let (_, csr) = key_and_csr(login_id);
    madoguchi_server::auth::certificate::issue(
        &app.state,
        &madoguchi_server::web::client::ClientInfo::operator_cli(),
        login_id,
        &madoguchi_domain::Password::typed("Demo1234".to_owned()),
        one_time_password,
        madoguchi_server::auth::certificate::Delivery::Csr(csr),
    )
    .await
}

/// A client that trusts only the bank's CA; a new connection (handshake) per client.
pub fn client(server: &TlsServer, identity: Option<&Identity>) -> reqwest::Client {
    let ca = reqwest::Certificate::from_pem(server.ca_pem.as_bytes()).unwrap();
    let mut builder = reqwest::Client::builder()
        .tls_certs_only([ca])
        .pool_max_idle_per_host(0);
    if let Some(id) = identity {
        let pem = format!("{}{}", id.cert, id.key);
        builder = builder.identity(reqwest::Identity::from_pem(pem.as_bytes()).unwrap());
    }
    builder.build().unwrap()
}

/// 電子証明書発行 through the API for a new key.
pub async fn issue(server: &TlsServer, login_id: &str) -> Identity {
    let (key, csr) = key_and_csr(login_id);
    let r = client(server, None)
        .post(format!("{}/api/v1/certificates", server.base))
        .json(&json!({"login_id": login_id, "password": "Demo1234", "csr": csr}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "issue for {login_id}");
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["login_id"], login_id);
    Identity {
        cert: body["certificate"].as_str().unwrap().to_owned(),
        key: key.serialize_pem(),
        serial: body["serial"].as_str().unwrap().to_owned(),
    }
}

/// An API session: its cookie and CSRF token.
pub struct Session {
    pub cookie: String,
    pub csrf: String,
}

/// ログイン through the API: the status, the error code, and the session when in.
pub async fn login(
    http: &reqwest::Client,
    server: &TlsServer,
    login_id: &str,
) -> Result<Session, (StatusCode, String)> {
    let r = http
        .post(format!("{}/api/v1/login", server.base))
        .json(&json!({"login_id": login_id, "password": "Demo1234"}))
        .send()
        .await
        .map_err(|e| (StatusCode::from_u16(599).unwrap(), format!("{e:?}")))?;
    let status = r.status();
    let cookie = r
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .unwrap_or("")
        .to_owned();
    let body: serde_json::Value = r.json().await.unwrap();
    if status != StatusCode::OK {
        return Err((status, body["code"].as_str().unwrap_or("").to_owned()));
    }
    Ok(Session {
        cookie,
        csrf: body["csrf_token"].as_str().unwrap().to_owned(),
    })
}

/// Whether a handshake with `identity` is refused (the request never gets an answer).
pub async fn handshake_refused(server: &TlsServer, identity: &Identity) -> bool {
    client(server, Some(identity))
        .get(format!("{}/healthz", server.base))
        .send()
        .await
        .is_err()
}

pub async fn certificate_on(app: &TestApp, company_id: i64) {
    madoguchi_server::operator::set_certificate(&app.state, company_id, true)
        .await
        .unwrap();
}

pub async fn user_id(app: &TestApp, login_id: &str) -> (i64, i64) {
    let u = app
        .state
        .store
        .user_by_login_key(login_id)
        .await
        .unwrap()
        .unwrap();
    (u.company_id, u.id)
}

/// The newest 操作履歴 entry that `wanted`, waiting up to five seconds for it (refused
/// handshakes are written by a task).
async fn entry_where(
    app: &TestApp,
    wanted: impl Fn(&madoguchi_store::HistoryEntry) -> bool,
) -> madoguchi_store::HistoryEntry {
    for _ in 0..50 {
        let newest = crate::support::recent_history(app, 50).await;
        if let Some(e) = newest.into_iter().find(|e| wanted(e)) {
            return e;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("no such entry");
}

async fn entry_of(app: &TestApp, operation: &str) -> madoguchi_store::HistoryEntry {
    entry_where(app, |e| e.operation == operation).await
}

#[tokio::test]
async fn a_certificate_logs_in_over_tls_and_its_revocation_refuses_the_next_handshake() {
    for engine in engines() {
        let app = TestApp::with_config(engine, |c| c.tls = true).await;
        let (company, ippan) = user_id(&app, "ippan01").await;
        certificate_on(&app, company).await;
        let server = serve_tls(&app.state).await;

        // Without a certificate: a right password is not enough, and the answer says why.
        let err = login(&client(&server, None), &server, "ippan01")
            .await
            .err()
            .unwrap();
        assert_eq!(
            err,
            (StatusCode::UNAUTHORIZED, "AUTH-0016".to_owned()),
            "{engine:?}"
        );

        let ippan_cert = issue(&server, "ippan01").await;
        let master_cert = issue(&server, "master01").await;
        let with_ippan = client(&server, Some(&ippan_cert));
        let session = login(&with_ippan, &server, "ippan01").await.unwrap();
        let login_entry = crate::support::recent_history(&app, 5)
            .await
            .into_iter()
            .find(|e| e.operation == "ログイン" && e.error_code.is_empty())
            .unwrap();
        assert_eq!(
            details(&login_entry)["certificate_serial"],
            ippan_cert.serial.as_str()
        );

        // The session works over a connection with its certificate, not without it.
        let me = |http: reqwest::Client, cookie: String| {
            let url = format!("{}/api/v1/me", server.base);
            async move {
                http.get(url)
                    .header("cookie", cookie)
                    .send()
                    .await
                    .unwrap()
                    .status()
            }
        };
        assert_eq!(
            me(with_ippan.clone(), session.cookie.clone()).await,
            StatusCode::OK
        );
        assert_eq!(
            me(client(&server, None), session.cookie.clone()).await,
            StatusCode::UNAUTHORIZED,
            "a session cookie is of no use without its certificate"
        );
        assert_eq!(
            me(client(&server, Some(&master_cert)), session.cookie.clone()).await,
            StatusCode::UNAUTHORIZED,
            "nor with another user's"
        );

        // Another user's certificate with this login ID.
        let err = login(&client(&server, Some(&master_cert)), &server, "ippan01")
            .await
            .err()
            .unwrap();
        assert_eq!(err.1, "AUTH-0017");
        let refused = entry_of(&app, "ログイン").await;
        assert_eq!(details(&refused)["reason"], "another_users_certificate");

        // A company on password login is unaffected.
        assert!(
            login(&client(&server, None), &server, "other01")
                .await
                .is_ok()
        );

        // 証明書失効 by the master (logged in with their own certificate).
        let with_master = client(&server, Some(&master_cert));
        let admin = login(&with_master, &server, "master01").await.unwrap();
        let r = with_master
            .post(format!("{}/api/v1/users/{ippan}/certificate/revoke", server.base))
            .header("cookie", &admin.cookie)
            .header("x-csrf-token", &admin.csrf)
            .json(&json!({"confirmation_password": "Kakunin12", "idempotency_key": "test-key-revoke-1"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{engine:?}");
        // At once: the next handshake with it is refused, and its session is gone.
        assert!(handshake_refused(&server, &ippan_cert).await, "{engine:?}");
        let entry = entry_of(&app, "電子証明書の検証").await;
        assert_eq!(details(&entry)["reason"], "revoked");
        assert_eq!(details(&entry)["serial"], ippan_cert.serial.as_str());
        assert_eq!(
            entry.login_id, "ippan01",
            "the refusal names whose certificate it was"
        );
        let sessions = app.state.store.end_sessions_of_user(ippan).await.unwrap();
        assert_eq!(sessions, 0, "the revocation ended the sessions itself");
        // The CRL published says so.
        let crl = client(&server, None)
            .get(format!("{}/ca/crl", server.base))
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        let (_, crl) =
            x509_parser::revocation_list::CertificateRevocationList::from_der(&crl).unwrap();
        let listed: Vec<String> = crl
            .iter_revoked_certificates()
            .map(|r| madoguchi_server::certificates::ca::serial_hex(r.raw_serial()))
            .collect();
        assert_eq!(listed, vec![ippan_cert.serial.clone()]);

        // 再発行: a new certificate works, the revoked one stays refused.
        let again = issue(&server, "ippan01").await;
        assert_ne!(again.serial, ippan_cert.serial);
        assert!(
            login(&client(&server, Some(&again)), &server, "ippan01")
                .await
                .is_ok()
        );
        assert!(handshake_refused(&server, &ippan_cert).await);
    }
}

use x509_parser::prelude::FromDer;

/// An entry's details, parsed.
fn details(entry: &madoguchi_store::HistoryEntry) -> serde_json::Value {
    serde_json::from_str(&entry.details).unwrap()
}

/// A certificate of `key` signed by the bank's CA with the given validity, recorded as the
/// user's certificate in use.
async fn recorded_certificate(
    app: &TestApp,
    login_id: &str,
    not_before: i64,
    not_after: i64,
) -> Identity {
    let (_, user) = user_id(app, login_id).await;
    let pki = app.state.pki.as_ref().unwrap();
    let key = KeyPair::generate().unwrap();
    let subject = ClientSubject {
        login_id,
        company: "アパレル株式会社",
        not_before,
        not_after,
    };
    let signed = pki.ca().issue_client(&subject, &key).unwrap();
    let draft = app.state.draft(
        &madoguchi_server::web::client::ClientInfo::operator_cli(),
        madoguchi_domain::HistoryArea::Auth,
        "電子証明書発行",
    );
    let version = app
        .state
        .store
        .user_by_login_key(login_id)
        .await
        .unwrap()
        .unwrap()
        .credential_version;
    app.state
        .store
        .record_certificate_issue(
            user,
            version,
            madoguchi_store::NewCertificate {
                serial: signed.serial.clone(),
                fingerprint: signed.fingerprint.clone(),
                not_before,
                not_after,
            },
            None,
            draft,
        )
        .await
        .unwrap();
    Identity {
        cert: signed.pem,
        key: key.serialize_pem(),
        serial: signed.serial,
    }
}

#[tokio::test]
async fn expired_and_foreign_certificates_are_refused() {
    for engine in engines() {
        let app = TestApp::with_config(engine, |c| c.tls = true).await;
        let (company, _) = user_id(&app, "ippan01").await;
        certificate_on(&app, company).await;
        let server = serve_tls(&app.state).await;
        let day = 86_400_000_000;
        let now = app.state.now();

        // Expired by the clock of the handshake.
        let expired = recorded_certificate(&app, "ippan01", now - 3 * day, now - day).await;
        assert!(handshake_refused(&server, &expired).await, "{engine:?}");
        assert_eq!(
            details(&entry_of(&app, "電子証明書の検証").await)["reason"],
            "expired"
        );

        // Expired by the application's clock (the handshake's still finds it valid).
        let valid = recorded_certificate(&app, "ippan01", now - day, now + 2 * day).await;
        assert!(
            login(&client(&server, Some(&valid)), &server, "ippan01")
                .await
                .is_ok()
        );
        app.clock.advance_secs(3 * 86_400);
        let err = login(&client(&server, Some(&valid)), &server, "ippan01")
            .await
            .err()
            .unwrap();
        assert_eq!(err.1, "AUTH-0017");
        let refused = crate::support::recent_history(&app, 10)
            .await
            .into_iter()
            .find(|e| e.operation == "ログイン")
            .unwrap();
        assert_eq!(details(&refused)["reason"], "expired");

        // A certificate of another CA, for the same login ID.
        let other_ca_key = KeyPair::generate().unwrap();
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
        ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        let other_ca = rcgen::CertifiedIssuer::self_signed(ca_params, other_ca_key).unwrap();
        let key = KeyPair::generate().unwrap();
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params
            .distinguished_name
            .push(DnType::CommonName, "ippan01");
        let foreign = params.signed_by(&key, &other_ca).unwrap();
        let foreign = Identity {
            cert: foreign.pem(),
            key: key.serialize_pem(),
            serial: String::new(),
        };
        assert!(handshake_refused(&server, &foreign).await);
        let entry = entry_where(&app, |e| {
            e.operation == "電子証明書の検証" && details(e)["reason"] == "unknown_issuer"
        })
        .await;
        assert_eq!(
            entry.company_id, None,
            "a foreign certificate names nobody of ours"
        );
    }
}

#[tokio::test]
async fn a_second_server_on_the_same_database_refuses_a_revocation_within_seconds() {
    for engine in engines() {
        let app = TestApp::with_config(engine, |c| {
            c.tls = true;
            c.certificate_poll_seconds = 1;
        })
        .await;
        let (company, ippan) = user_id(&app, "ippan01").await;
        certificate_on(&app, company).await;
        let first = serve_tls(&app.state).await;
        // Another process on the same database and the same CA files.
        let store = app::connect(&app.state.config).await.unwrap();
        let other = app::state_with_store(
            app.state.config.clone(),
            madoguchi_server::clock::Clock::System,
            store,
            true,
        )
        .unwrap();
        let second = serve_tls(&other).await;
        let cert = issue(&first, "ippan01").await;
        assert!(!handshake_refused(&second, &cert).await);

        let master = issue(&first, "master01").await;
        let with_master = client(&first, Some(&master));
        let admin = login(&with_master, &first, "master01").await.unwrap();
        let r = with_master
            .post(format!("{}/api/v1/users/{ippan}/certificate/revoke", first.base))
            .header("cookie", &admin.cookie)
            .header("x-csrf-token", &admin.csrf)
            .json(&json!({"confirmation_password": "Kakunin12", "idempotency_key": "test-key-revoke-2"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let mut refused_after = None;
        for tenth in 0..50 {
            if handshake_refused(&second, &cert).await {
                refused_after = Some(tenth);
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert!(
            refused_after.is_some(),
            "{engine:?}: the second server never refused it"
        );
    }
}

#[tokio::test]
async fn the_listener_serves_the_operators_own_server_certificate() {
    let dir = crate::support::TempDir::new();
    let key = KeyPair::generate().unwrap();
    let params = CertificateParams::new(vec!["127.0.0.1".to_owned()]).unwrap();
    let own = params.self_signed(&key).unwrap();
    let (cert_path, key_path) = (dir.0.join("server.pem"), dir.0.join("server.key"));
    std::fs::write(&cert_path, own.pem()).unwrap();
    std::fs::write(&key_path, key.serialize_pem()).unwrap();
    let app = TestApp::with_config(crate::support::Engine::Sqlite, |c| {
        c.tls = true;
        c.tls_cert = Some(cert_path.clone());
        c.tls_key = Some(key_path.clone());
    })
    .await;
    let mut server = serve_tls(&app.state).await;
    // The client trusts only the operator's certificate now.
    server.ca_pem = own.pem();
    let r = client(&server, None)
        .get(format!("{}/healthz", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
}
