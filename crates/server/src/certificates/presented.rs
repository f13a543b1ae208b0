//! The client certificate of a request: the one the TLS handshake verified (in-process
//! mode, put on every request of the connection by `tls.rs`), or the one a trusted load
//! balancer forwards in the configured header (`client_certificate_header`), which is
//! verified here again against the bank's CA and the current CRL. A header from any other
//! peer is ignored.

use std::net::IpAddr;

use rustls_pki_types::CertificateDer;

use super::ca;

/// A client certificate that passed verification (bank CA, validity, CRL) on this
/// connection or from the trusted proxy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PresentedCertificate {
    /// Serial number, upper-case hex (as the store names it).
    pub serial: String,
}

impl PresentedCertificate {
    /// The serial of a certificate already verified.
    pub fn from_der(der: &[u8]) -> Option<Self> {
        use x509_parser::prelude::FromDer;
        let (_, cert) = x509_parser::certificate::X509Certificate::from_der(der).ok()?;
        Some(Self {
            serial: ca::serial_hex(cert.raw_serial()),
        })
    }
}

/// A client certificate refused before the application saw it.
#[derive(Debug, Clone)]
pub struct Refusal {
    pub client: Option<IpAddr>,
    pub serial: Option<String>,
    /// revoked, expired, not_yet_valid, unknown_issuer, malformed, invalid.
    pub reason: &'static str,
}

/// A certificate the trusted proxy forwarded that did not verify (revoked, expired,
/// another CA): the login says so instead of asking for one.
#[derive(Debug, Clone, Copy)]
pub struct RefusedCertificate;

/// `%XX`-escaped text (nginx's `$ssl_client_escaped_cert`, AWS ALB's header) decoded.
fn percent_decode(text: &str) -> Option<Vec<u8>> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let hex = text.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b);
            i += 1;
        }
    }
    Some(out)
}

/// The DER of a forwarded certificate (escaped PEM, or plain PEM with its line breaks
/// turned into spaces or tabs by the proxy).
pub fn forwarded_der(value: &str) -> Option<CertificateDer<'static>> {
    let pem = percent_decode(value.trim())?;
    let pem = String::from_utf8(pem).ok()?;
    let body: String = pem
        .trim()
        .strip_prefix("-----BEGIN CERTIFICATE-----")?
        .trim_end()
        .strip_suffix("-----END CERTIFICATE-----")?
        .split_whitespace()
        .collect();
    let rebuilt = format!("-----BEGIN CERTIFICATE-----\n{body}\n-----END CERTIFICATE-----\n");
    rustls_pki_types::pem::PemObject::from_pem_slice(rebuilt.as_bytes()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_forwarded_certificate_is_read_escaped_or_folded() {
        assert_eq!(percent_decode("a%20b%0A").unwrap(), b"a b\n");
        assert!(percent_decode("bad%2").is_none());
        assert!(percent_decode("bad%zz").is_none());
        assert!(forwarded_der("not a certificate").is_none());
        let body = "MAA="; // not a real certificate, but valid base64
        let escaped =
            format!("-----BEGIN%20CERTIFICATE-----%0A{body}%0A-----END%20CERTIFICATE-----%0A");
        assert_eq!(forwarded_der(&escaped).unwrap().as_ref(), &[0x30, 0x00]);
        let folded = format!("-----BEGIN CERTIFICATE----- {body} -----END CERTIFICATE-----");
        assert_eq!(forwarded_der(&folded).unwrap().as_ref(), &[0x30, 0x00]);
    }
}
