//! 電子証明書, the machinery: the bank's CA (`ca`), the verifier and CRL of a running
//! server (`pki`), the TLS listener (`tls`), the certificate a request presents
//! (`presented`), the load-balancer mode and the record of refusals (`watch`), and the
//! CA's published certificate and CRL. The operations of the
//! manual live in their areas: 電子証明書発行 and the login's check in `auth`, 証明書失効
//! (BRSK018–020) in `users`.

pub mod ca;
pub mod pki;
pub mod presented;
pub mod tls;
pub mod watch;

use std::convert::Infallible;

use axum::extract::{FromRequestParts, State};
use axum::http::StatusCode;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use madoguchi_domain::Error;

pub use presented::{PresentedCertificate, RefusedCertificate};

use crate::state::AppState;
use crate::web::routes::Routes;

/// What the request presented: a verified certificate, one refused, or none.
#[derive(Debug, Clone, Default)]
pub struct ClientCertificate {
    pub presented: Option<PresentedCertificate>,
    /// A certificate was forwarded but did not verify (load-balancer mode; a handshake
    /// with such a certificate never gets this far).
    pub refused: bool,
}

impl ClientCertificate {
    pub fn serial(&self) -> Option<&str> {
        self.presented.as_ref().map(|p| p.serial.as_str())
    }

    pub fn of(parts: &Parts) -> Self {
        Self {
            presented: parts.extensions.get::<PresentedCertificate>().cloned(),
            refused: parts.extensions.get::<RefusedCertificate>().is_some(),
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for ClientCertificate {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Self::of(parts))
    }
}

/// Rebuilds the CRL and swaps the verifier after a revocation (証明書失効, or a renewal
/// that revoked the certificate in use): the next handshake with it is refused.
pub async fn publish_revocations(state: &AppState) -> Result<(), Error> {
    match state.pki.as_ref() {
        Some(pki) => pki.refresh(state.store.as_ref(), state.now()).await,
        None => Ok(()),
    }
}

pub fn router() -> Routes {
    Routes::new()
        .route("/ca/crl", get(view_crl_get))
        .route("/ca/certificate", get(view_ca_get))
}

/// GET /ca/crl — the bank's CRL (DER), for load balancers and clients that check it.
async fn view_crl_get(State(state): State<AppState>) -> Response {
    match state.pki.as_ref() {
        Some(pki) => (
            [
                (CONTENT_TYPE, "application/pkix-crl"),
                (CACHE_CONTROL, "no-cache"),
            ],
            pki.crl(),
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

/// GET /ca/certificate — the bank's CA certificate (PEM).
async fn view_ca_get(State(state): State<AppState>) -> Response {
    match state.pki.as_ref() {
        Some(pki) => (
            [(CONTENT_TYPE, "application/x-pem-file")],
            pki.ca().cert_pem().to_owned(),
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}
