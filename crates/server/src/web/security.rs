//! Protections every request passes through: same-origin checks on anything that could
//! change state, and the security headers on every response.

use axum::extract::{Request, State};
use axum::http::header::{HeaderName, HeaderValue};
use axum::http::{HeaderMap, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use madoguchi_domain::{Error, HistoryArea};

use crate::state::AppState;
use crate::web::actor::Rejection;
use crate::web::client::ClientInfo;

/// Refuses a non-GET request that a browser says came from another site
/// (`Sec-Fetch-Site`), or whose `Origin` is not this server. Clients that send neither
/// (curl, API integrations) pass; browsers always send them. Each refusal is recorded.
pub async fn same_origin_only(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS)
        || is_same_origin(req.headers())
    {
        return next.run(req).await;
    }
    let (parts, _) = req.into_parts();
    let client = ClientInfo::from_parts(&parts, &state.trusted_proxies);
    let err = Error::CrossOriginRejected;
    let draft = state
        .draft(&client, HistoryArea::Auth, "他サイトからの要求")
        .failed(err.code())
        .details(serde_json::json!({
            "method": parts.method.as_str(),
            "path": parts.uri.path(),
            "origin": header(&parts.headers, "origin"),
            "sec_fetch_site": header(&parts.headers, "sec-fetch-site"),
        }));
    if let Err(e) = state
        .limits
        .record_unauthenticated(state.store.as_ref(), draft)
        .await
    {
        tracing::error!(error = ?e, "could not record a refused request");
    }
    Rejection::new(&parts, err).into_response()
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> &'a str {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

fn is_same_origin(headers: &HeaderMap) -> bool {
    match header(headers, "sec-fetch-site") {
        "" => {}
        "same-origin" | "none" => return true,
        _ => return false,
    }
    let origin = header(headers, "origin");
    if origin.is_empty() {
        return true;
    }
    let host = header(headers, "host");
    origin == format!("http://{host}") || origin == format!("https://{host}")
}

const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                   object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";
/// Swagger UI styles itself inline; it gets its own, still script-strict, policy.
const CSP_DOCS: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
                        img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

/// Adds the security headers to every response.
pub async fn security_headers(req: Request, next: Next) -> Response {
    let docs = req.uri().path().starts_with("/api/docs");
    let is_static = req.uri().path().starts_with("/static/");
    let mut response = next.run(req).await;
    let headers = response.headers_mut();
    let set = |headers: &mut HeaderMap, name: &'static str, value: &'static str| {
        headers.insert(
            HeaderName::from_static(name),
            HeaderValue::from_static(value),
        );
    };
    set(
        headers,
        "content-security-policy",
        if docs { CSP_DOCS } else { CSP },
    );
    set(headers, "x-content-type-options", "nosniff");
    set(headers, "x-frame-options", "DENY");
    set(headers, "referrer-policy", "no-referrer");
    set(headers, "cross-origin-opener-policy", "same-origin");
    set(headers, "strict-transport-security", "max-age=31536000");
    if !is_static {
        set(headers, "cache-control", "no-store");
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(HeaderName::from_static(k), HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn origin_rules() {
        assert!(is_same_origin(&headers(&[])));
        assert!(is_same_origin(&headers(&[(
            "sec-fetch-site",
            "same-origin"
        )])));
        assert!(!is_same_origin(&headers(&[(
            "sec-fetch-site",
            "cross-site"
        )])));
        assert!(!is_same_origin(&headers(&[(
            "sec-fetch-site",
            "same-site"
        )])));
        assert!(is_same_origin(&headers(&[
            ("origin", "http://bank.example"),
            ("host", "bank.example")
        ])));
        assert!(!is_same_origin(&headers(&[
            ("origin", "http://evil.example"),
            ("host", "bank.example")
        ])));
    }
}
