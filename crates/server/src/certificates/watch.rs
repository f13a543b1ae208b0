//! What a running server does around the bank's CA beyond the handshake: the
//! load-balancer mode (a middleware that reads the certificate a trusted proxy forwards),
//! and the task that writes refused certificates to the 操作履歴.

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use madoguchi_domain::{Error, HistoryArea};
use tokio::sync::mpsc;

use super::presented::{PresentedCertificate, Refusal, RefusedCertificate, forwarded_der};
use crate::state::AppState;
use crate::web::client::{ClientInfo, peer_address};

/// Middleware of the load-balancer mode: reads the header from trusted proxies only.
pub async fn from_trusted_proxy(
    State(state): State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    let (mut parts, body) = req.into_parts();
    if let (Some(header), Some(pki)) = (
        state.config.client_certificate_header.as_deref(),
        state.pki.as_ref(),
    ) {
        // Nothing but this middleware may say what was presented in this mode.
        parts.extensions.remove::<PresentedCertificate>();
        let peer = peer_address(&parts);
        let trusted = peer.is_some_and(|p| state.trusted_proxies.contains(p));
        let value = parts
            .headers
            .get(header)
            .and_then(|v| v.to_str().ok())
            .filter(|v| !v.is_empty());
        if let (true, Some(value)) = (trusted, value) {
            let client = ClientInfo::from_parts(&parts, &state.trusted_proxies);
            let client = client.ip.parse().ok();
            let verified = match forwarded_der(value) {
                Some(der) => pki.verify(&der, client),
                None => {
                    pki.report(Refusal {
                        client,
                        serial: None,
                        reason: "malformed",
                    });
                    None
                }
            };
            match verified {
                Some(presented) => {
                    parts.extensions.insert(presented);
                }
                None => {
                    parts.extensions.insert(RefusedCertificate);
                }
            }
        }
    }
    next.run(Request::from_parts(parts, body)).await
}

/// Writes the refusals to the 操作履歴 (within the budget of unauthenticated refusals),
/// naming the company and user when the certificate is one of the bank's.
pub async fn record_refusals(state: AppState, mut queue: mpsc::Receiver<Refusal>) {
    while let Some(refusal) = queue.recv().await {
        let client = ClientInfo {
            ip: refusal
                .client
                .map_or_else(|| "unknown".to_owned(), |ip| ip.to_string()),
            peer: String::new(),
            user_agent: String::new(),
        };
        let mut draft = state
            .draft(&client, HistoryArea::Auth, "電子証明書の検証")
            .failed(Error::CertificateRefused.code())
            .details(serde_json::json!({
                "serial": refusal.serial,
                "reason": refusal.reason,
            }));
        if let Some(serial) = &refusal.serial
            && let Ok(Some(cert)) = state.store.certificate_by_serial(serial).await
        {
            draft.company_id = Some(cert.company_id);
            draft.user_id = Some(cert.user_id);
            if let Ok(Some(user)) = state.store.user(cert.company_id, cert.user_id).await {
                draft.login_id = user.login_id;
            }
        }
        if let Err(e) = state
            .limits
            .record_unauthenticated(state.store.as_ref(), draft)
            .await
        {
            tracing::warn!(error = ?e, "could not record a refused client certificate");
        }
    }
}
