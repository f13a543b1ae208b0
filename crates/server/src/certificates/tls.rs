//! The TLS listener (rustls): a server certificate given by the operator (`tls_cert`,
//! `tls_key`) or issued at start by the bank's CA for `tls_names`; client certificates
//! asked for and verified by [`Pki`](super::pki::Pki) but not required (companies on
//! password login connect without one). Every request of a connection carries the
//! connection's address and, when one was presented, its [`PresentedCertificate`].

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto::Builder;
use rustls::ServerConfig;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;
use tower::ServiceExt;

use super::pki::{PEER, Pki};
use super::presented::PresentedCertificate;
use crate::config::Config;

/// How long a client may take over its handshake.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// The listener's certificate chain and key.
fn server_identity(
    config: &Config,
    pki: &Pki,
    now: i64,
) -> anyhow::Result<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>)> {
    match (&config.tls_cert, &config.tls_key) {
        (Some(cert), Some(key)) => {
            let chain = CertificateDer::pem_file_iter(cert)
                .map_err(|e| anyhow::anyhow!("{}: {e}", cert.display()))?
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| anyhow::anyhow!("{}: {e}", cert.display()))?;
            let key = PrivateKeyDer::from_pem_file(key)
                .map_err(|e| anyhow::anyhow!("{}: {e}", key.display()))?;
            Ok((chain, key))
        }
        (None, None) => {
            let (cert, key) = pki.ca().server_certificate(&config.tls_names, now)?;
            Ok((vec![cert, pki.ca().cert_der().clone()], key))
        }
        _ => anyhow::bail!("tls_cert and tls_key are given together, or neither"),
    }
}

/// The rustls configuration of the listener.
pub fn server_config(config: &Config, pki: &Pki, now: i64) -> anyhow::Result<Arc<ServerConfig>> {
    let (chain, key) = server_identity(config, pki, now)?;
    let mut tls = ServerConfig::builder_with_provider(pki.provider().clone())
        .with_safe_default_protocol_versions()?
        .with_client_cert_verifier(pki.verifier())
        .with_single_cert(chain, key)?;
    tls.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(Arc::new(tls))
}

/// Serves `app` over TLS until `shutdown` completes.
pub async fn serve(
    listener: TcpListener,
    tls: Arc<ServerConfig>,
    app: Router,
    shutdown: impl std::future::Future<Output = ()>,
) -> anyhow::Result<()> {
    let acceptor = TlsAcceptor::from(tls);
    tokio::pin!(shutdown);
    loop {
        let (tcp, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(e) => {
                    tracing::warn!(error = %e, "accept failed");
                    continue;
                }
            },
            () = &mut shutdown => return Ok(()),
        };
        let acceptor = acceptor.clone();
        let app = app.clone();
        tokio::spawn(async move {
            let handshake = PEER.scope(peer.ip(), acceptor.accept(tcp));
            let stream = match tokio::time::timeout(HANDSHAKE_TIMEOUT, handshake).await {
                Ok(Ok(stream)) => stream,
                Ok(Err(e)) => {
                    tracing::debug!(%peer, error = %e, "TLS handshake failed");
                    return;
                }
                Err(_) => return,
            };
            let presented = stream
                .get_ref()
                .1
                .peer_certificates()
                .and_then(|chain| chain.first())
                .and_then(|leaf| PresentedCertificate::from_der(leaf));
            let service =
                hyper::service::service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
                    let mut req = req.map(axum::body::Body::new);
                    req.extensions_mut().insert(ConnectInfo(peer));
                    if let Some(p) = &presented {
                        req.extensions_mut().insert(p.clone());
                    }
                    app.clone().oneshot(req)
                });
            if let Err(e) = Builder::new(TokioExecutor::new())
                .serve_connection_with_upgrades(TokioIo::new(stream), service)
                .await
            {
                tracing::debug!(%peer, error = %e, "connection ended with an error");
            }
        });
    }
}
