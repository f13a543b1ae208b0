//! The load-balancer mode of 電子証明書: a trusted proxy forwards the client certificate it
//! verified in `client_certificate_header`; madoguchi checks it again (bank CA, CRL,
//! owner), and ignores the header from anyone else.

use axum::http::{Method, Request, StatusCode};
use madoguchi_server::auth::certificate::Delivered;

use crate::certificates::{certificate_on, issue_for_csr, user_id};
use crate::support::{Client, TestApp, engines, recent_history};

const HEADER: &str = "x-client-cert";

/// What nginx's `$ssl_client_escaped_cert` makes of a PEM.
fn escaped(pem: &str) -> String {
    pem.replace('%', "%25")
        .replace('\n', "%0A")
        .replace(' ', "%20")
        .replace('+', "%2B")
}

async fn issue_pem(app: &TestApp, login_id: &str) -> String {
    match issue_for_csr(app, login_id, "").await.unwrap().delivered {
        Delivered::Pem(pem) => pem,
        Delivered::Pkcs12(_) => unreachable!("a CSR is answered with PEM"),
    }
}

/// `req` with the forwarded certificate `header` (if any), as the proxy sends it.
fn through_proxy(
    req: axum::http::request::Builder,
    header: Option<&str>,
    body: serde_json::Value,
) -> Request<axum::body::Body> {
    let req = req.header("content-type", "application/json");
    let req = match header {
        Some(h) => req.header(HEADER, h),
        None => req,
    };
    req.body(axum::body::Body::from(body.to_string())).unwrap()
}

/// An API login of `login_id` with `header` (if any): the answer (the client keeps the
/// session and its CSRF token).
async fn login_resp(c: &mut Client, login_id: &str, header: Option<&str>) -> crate::support::Resp {
    let body = serde_json::json!({"login_id": login_id, "password": "Demo1234"});
    let req = Request::builder().method(Method::POST).uri("/api/v1/login");
    let r = c.send(through_proxy(req, header, body)).await;
    c.csrf = r.json()["csrf_token"].as_str().map(str::to_owned);
    r
}

/// The status and error code of an API login.
async fn login(c: &mut Client, login_id: &str, header: Option<&str>) -> (StatusCode, String) {
    let r = login_resp(c, login_id, header).await;
    (r.status, r.json()["code"].as_str().unwrap_or("").to_owned())
}

#[tokio::test]
async fn a_certificate_forwarded_by_a_trusted_proxy_is_checked_again() {
    for engine in engines() {
        let app = TestApp::with_config(engine, |c| {
            c.client_certificate_header = Some(HEADER.to_owned());
            c.trusted_proxies = vec!["192.0.2.10".to_owned()];
        })
        .await;
        // The writer of refusals and the CRL, as `serve` starts them.
        assert!(
            madoguchi_server::app::start_certificates(&app.state)
                .await
                .unwrap()
                .is_none()
        );
        let (company, ippan) = user_id(&app, "ippan01").await;
        certificate_on(&app, company).await;
        let pem = issue_pem(&app, "ippan01").await;

        // Through the proxy (192.0.2.10) with the certificate.
        let (status, _) = login(&mut app.client(), "ippan01", Some(&escaped(&pem))).await;
        assert_eq!(status, StatusCode::OK, "{engine:?}");
        // Without it, or from a peer that is not the proxy: no certificate.
        assert_eq!(
            login(&mut app.client(), "ippan01", None).await.1,
            "AUTH-0016"
        );
        let direct = login(
            &mut app.client_from([203, 0, 113, 5]),
            "ippan01",
            Some(&escaped(&pem)),
        )
        .await;
        assert_eq!(
            direct.1, "AUTH-0016",
            "{engine:?}: a header from anyone else is ignored"
        );
        // Garbage in the header.
        assert_eq!(
            login(&mut app.client(), "ippan01", Some("not-a-certificate"))
                .await
                .1,
            "AUTH-0017"
        );

        // Revoked: the proxy may not know yet; madoguchi does.
        let serial = app
            .state
            .store
            .certificate_in_use(ippan)
            .await
            .unwrap()
            .unwrap()
            .serial;
        let master_pem = escaped(&issue_pem(&app, "master01").await);
        let mut admin = app.client();
        let r = login_resp(&mut admin, "master01", Some(&master_pem)).await;
        assert_eq!(r.status, StatusCode::OK);
        let revoke = Request::builder()
            .method(Method::POST)
            .uri(format!("/api/v1/users/{ippan}/certificate/revoke"))
            .header("x-csrf-token", admin.csrf.clone().unwrap());
        let body = serde_json::json!({"confirmation_password": "Kakunin12", "idempotency_key": "test-key-proxy-1"});
        let r = admin
            .send(through_proxy(revoke, Some(&master_pem), body))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{engine:?}: {}", r.body);
        let (_, code) = login(&mut app.client(), "ippan01", Some(&escaped(&pem))).await;
        assert_eq!(code, "AUTH-0017", "{engine:?}");
        let mut found = None;
        for _ in 0..50 {
            found = recent_history(&app, 20)
                .await
                .into_iter()
                .find(|e| e.operation == "電子証明書の検証" && e.details.contains("revoked"));
            if found.is_some() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        let entry = found.expect("the refusal is recorded");
        assert!(entry.details.contains(&serial));
        assert_eq!(entry.login_id, "ippan01");
    }
}
