//! The bank's CA at work in a running server: the client-certificate verifier the TLS
//! listener (and the load-balancer mode) uses, the CRL it publishes, and their refresh.
//!
//! A verifier is immutable, so [`Pki`] holds the current one behind a lock and swaps it
//! whole when the revocations change: after every revocation made by this server at once,
//! and within `certificate_poll_seconds` of one made by another server on the same
//! database (each server compares the count and time of the revocations it built its CRL
//! from with the database's). A handshake after the swap is judged by the new CRL; no
//! restart, no dropped connection.
//!
//! A handshake the verifier refuses (revoked, expired, another CA) never reaches the
//! application, so the verifier reports it here and a task writes it to the 操作履歴.

use std::net::IpAddr;
use std::sync::{Arc, Mutex, RwLock};

use rustls::client::danger::HandshakeSignatureValid;
use rustls::server::WebPkiClientVerifier;
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::{
    CertificateError, DigitallySignedStruct, DistinguishedName, RootCertStore, SignatureScheme,
};
use rustls_pki_types::{CertificateDer, CertificateRevocationListDer, UnixTime};
use tokio::sync::mpsc;

use madoguchi_domain::Error;
use madoguchi_store::{RevocationMark, Store};

use super::ca::BankCa;
use super::presented::{PresentedCertificate, Refusal};
use crate::web::error::from_store;

tokio::task_local! {
    /// The client address of the connection whose handshake is being judged.
    pub static PEER: IpAddr;
}

/// Refusals waiting to be written; beyond this many the newest are only logged.
const REFUSALS_QUEUED: usize = 1024;

/// The CA, its current CRL and the verifier built from it.
pub struct Pki {
    ca: BankCa,
    provider: Arc<rustls::crypto::CryptoProvider>,
    verifier: Arc<SwappableVerifier>,
    current: RwLock<Current>,
    refresh: tokio::sync::Mutex<()>,
    refusals: mpsc::Sender<Refusal>,
    receiver: Mutex<Option<mpsc::Receiver<Refusal>>>,
}

struct Current {
    crl: CertificateRevocationListDer<'static>,
    mark: RevocationMark,
    built_at: i64,
}

fn reason_of(e: &rustls::Error) -> &'static str {
    match e {
        rustls::Error::InvalidCertificate(c) => match c {
            CertificateError::Revoked => "revoked",
            CertificateError::Expired | CertificateError::ExpiredContext { .. } => "expired",
            CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => {
                "not_yet_valid"
            }
            CertificateError::UnknownIssuer => "unknown_issuer",
            CertificateError::BadEncoding => "malformed",
            _ => "invalid",
        },
        _ => "invalid",
    }
}

fn verifier_for(
    ca: &BankCa,
    crl: CertificateRevocationListDer<'static>,
    provider: &Arc<rustls::crypto::CryptoProvider>,
) -> Result<Arc<dyn ClientCertVerifier>, Error> {
    let mut roots = RootCertStore::empty();
    roots.add(ca.cert_der().clone()).map_err(|e| {
        tracing::error!(error = %e, "the bank's CA certificate is not a trust anchor");
        Error::Internal
    })?;
    WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider.clone())
        .with_crls(vec![crl])
        .allow_unauthenticated()
        .build()
        .map_err(|e| {
            tracing::error!(error = %e, "the client-certificate verifier could not be built");
            Error::Internal
        })
}

impl Pki {
    /// The CA with an empty CRL: [`Pki::refresh`] fills it from the store before the
    /// listener takes its first connection.
    pub fn new(ca: BankCa, now: i64) -> anyhow::Result<Arc<Self>> {
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let crl = ca
            .crl(&[], crl_number(now), now)
            .map_err(anyhow::Error::msg)?;
        let inner = verifier_for(&ca, crl.clone(), &provider).map_err(anyhow::Error::msg)?;
        let (refusals, receiver) = mpsc::channel(REFUSALS_QUEUED);
        let verifier = Arc::new(SwappableVerifier {
            hints: inner.root_hint_subjects().to_vec(),
            inner: RwLock::new(inner),
            refusals: refusals.clone(),
        });
        Ok(Arc::new(Self {
            ca,
            provider,
            verifier,
            current: RwLock::new(Current {
                crl,
                // Never equal to a store's mark with revocations: the first poll builds.
                mark: RevocationMark {
                    count: -1,
                    latest: -1,
                },
                built_at: now,
            }),
            refresh: tokio::sync::Mutex::new(()),
            refusals,
            receiver: Mutex::new(Some(receiver)),
        }))
    }

    pub fn ca(&self) -> &BankCa {
        &self.ca
    }

    pub fn provider(&self) -> &Arc<rustls::crypto::CryptoProvider> {
        &self.provider
    }

    /// The verifier the TLS listener is configured with (it swaps its inside).
    pub fn verifier(&self) -> Arc<dyn ClientCertVerifier> {
        self.verifier.clone()
    }

    /// The CRL as published (DER).
    pub fn crl(&self) -> Vec<u8> {
        self.current
            .read()
            .map(|c| c.crl.to_vec())
            .unwrap_or_default()
    }

    /// Rebuilds the CRL and swaps the verifier, from what the store holds now.
    pub async fn refresh(&self, store: &dyn Store, now: i64) -> Result<(), Error> {
        let _one_at_a_time = self.refresh.lock().await;
        // The mark first: a revocation landing between the two reads makes the next poll
        // build again, never miss it.
        let mark = store.revocation_mark().await.map_err(from_store)?;
        let revoked = store.revoked_certificates(now).await.map_err(from_store)?;
        let crl = self.ca.crl(&revoked, crl_number(now), now)?;
        let inner = verifier_for(&self.ca, crl.clone(), &self.provider)?;
        if let Ok(mut slot) = self.verifier.inner.write() {
            *slot = inner;
        }
        if let Ok(mut current) = self.current.write() {
            *current = Current {
                crl,
                mark,
                built_at: now,
            };
        }
        tracing::info!(revoked = revoked.len(), "published a new CRL");
        Ok(())
    }

    /// Refreshes when another server revoked a certificate since the last build, or the
    /// CRL is older than an hour (it is valid for a day).
    pub async fn poll(&self, store: &dyn Store, now: i64) -> Result<(), Error> {
        let mark = store.revocation_mark().await.map_err(from_store)?;
        let stale = self
            .current
            .read()
            .map(|c| c.mark != mark || now - c.built_at > 3_600_000_000)
            .unwrap_or(true);
        if stale {
            self.refresh(store, now).await?;
        }
        Ok(())
    }

    /// Verifies a certificate forwarded by a trusted proxy as the handshake would; a
    /// refusal is reported.
    pub fn verify(
        &self,
        der: &CertificateDer<'_>,
        client: Option<IpAddr>,
    ) -> Option<PresentedCertificate> {
        let inner = self.verifier.inner.read().ok()?.clone();
        match inner.verify_client_cert(der, &[], UnixTime::now()) {
            Ok(_) => PresentedCertificate::from_der(der),
            Err(e) => {
                self.report(Refusal {
                    client,
                    serial: PresentedCertificate::from_der(der).map(|p| p.serial),
                    reason: reason_of(&e),
                });
                None
            }
        }
    }

    pub fn report(&self, refusal: Refusal) {
        report(&self.refusals, refusal);
    }

    /// The refusals to write (taken once, by the server's writer task).
    pub fn take_refusals(&self) -> Option<mpsc::Receiver<Refusal>> {
        self.receiver.lock().ok()?.take()
    }
}

/// CRL numbers only grow: the time of the build in microseconds.
fn crl_number(now: i64) -> u64 {
    u64::try_from(now).unwrap_or(0)
}

fn report(queue: &mpsc::Sender<Refusal>, refusal: Refusal) {
    tracing::info!(serial = ?refusal.serial, reason = refusal.reason, client = ?refusal.client,
        "refused a client certificate");
    let _ = queue.try_send(refusal);
}

/// The verifier handed to rustls once; the WebPKI verifier inside is replaced whole.
#[derive(Debug)]
struct SwappableVerifier {
    hints: Vec<DistinguishedName>,
    inner: RwLock<Arc<dyn ClientCertVerifier>>,
    refusals: mpsc::Sender<Refusal>,
}

impl SwappableVerifier {
    fn current(&self) -> Result<Arc<dyn ClientCertVerifier>, rustls::Error> {
        self.inner
            .read()
            .map(|v| v.clone())
            .map_err(|_| rustls::Error::General("verifier unavailable".to_owned()))
    }
}

impl ClientCertVerifier for SwappableVerifier {
    fn offer_client_auth(&self) -> bool {
        true
    }

    fn client_auth_mandatory(&self) -> bool {
        // Companies on password login connect without one; 電子証明書方式 is decided at
        // the login of each user.
        false
    }

    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        &self.hints
    }

    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        now: UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        let verdict = self
            .current()?
            .verify_client_cert(end_entity, intermediates, now);
        if let Err(e) = &verdict {
            report(
                &self.refusals,
                Refusal {
                    client: PEER.try_with(|p| *p).ok(),
                    serial: PresentedCertificate::from_der(end_entity).map(|p| p.serial),
                    reason: reason_of(e),
                },
            );
        }
        verdict
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.current()?.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.current()?.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.current()
            .map(|v| v.supported_verify_schemes())
            .unwrap_or_default()
    }
}
