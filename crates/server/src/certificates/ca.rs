//! The bank's certificate authority (認証局): its key and certificate in the data
//! directory (`bank-ca.key`, 0600, never leaving the server; `bank-ca.pem`), the client
//! certificates it issues, the server certificate of the TLS listener, and the CRL.
//!
//! Keys are ECDSA P-256. Client certificates name the login ID (CN) and the company (O),
//! carry only the client-authentication purpose, and a random 127-bit serial.

use std::path::{Path, PathBuf};

use rcgen::{
    BasicConstraints, CertificateParams, CertificateRevocationListParams,
    CertificateSigningRequestParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyIdMethod, KeyPair, KeyUsagePurpose, PublicKeyData, RevokedCertParams, SanType,
    SerialNumber,
};
use rustls_pki_types::{CertificateDer, CertificateRevocationListDer, PrivateKeyDer};
use sha2::{Digest, Sha256};

use madoguchi_domain::{Error, jst};
use madoguchi_store::Revoked;

use crate::keys;

pub const KEY_FILE: &str = "bank-ca.key";
pub const CERT_FILE: &str = "bank-ca.pem";

/// The bank's CA, loaded.
pub struct BankCa {
    key: KeyPair,
    cert_pem: String,
    cert_der: CertificateDer<'static>,
}

/// A certificate the CA signed, with what the store records of it.
pub struct Signed {
    pub der: CertificateDer<'static>,
    pub pem: String,
    pub serial: String,
    pub fingerprint: String,
}

/// Whom a client certificate is for.
pub struct ClientSubject<'a> {
    pub login_id: &'a str,
    pub company: &'a str,
    pub not_before: i64,
    pub not_after: i64,
}

fn files(dir: &Path) -> (PathBuf, PathBuf) {
    (dir.join(KEY_FILE), dir.join(CERT_FILE))
}

fn signing(e: rcgen::Error) -> Error {
    tracing::error!(error = %e, "the bank's CA could not sign");
    Error::Internal
}

/// A random positive serial of 16 bytes whose first byte is 0x01–0x7f, so its DER form is
/// exactly these bytes (what the store and the CRL name it by).
fn new_serial() -> Vec<u8> {
    let mut bytes: [u8; 16] = rand::random();
    bytes[0] = (bytes[0] & 0x7f).max(1);
    bytes.to_vec()
}

/// Upper-case hex, as certificates are named everywhere in madoguchi.
pub fn serial_hex(bytes: &[u8]) -> String {
    madoguchi_store::history::hex(bytes).to_uppercase()
}

pub fn fingerprint(der: &[u8]) -> String {
    madoguchi_store::history::hex(&Sha256::digest(der))
}

fn offset(micros: i64) -> time::OffsetDateTime {
    jst::from_micros(micros)
}

impl BankCa {
    /// Creates the CA in `dir` (認証局の作成, once): refused when one is there.
    pub fn create(dir: &Path, name: &str, now: i64) -> anyhow::Result<Self> {
        let (key_path, cert_path) = files(dir);
        anyhow::ensure!(
            !key_path.exists() && !cert_path.exists(),
            "a CA already exists in {}",
            dir.display()
        );
        let key = KeyPair::generate()?;
        let mut params = CertificateParams::default();
        let mut dn = DistinguishedName::new();
        dn.push(DnType::CommonName, name);
        dn.push(DnType::OrganizationName, name);
        params.distinguished_name = dn;
        params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
        params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        params.key_identifier_method = KeyIdMethod::Sha256;
        params.not_before = offset(now - 3_600_000_000);
        params.not_after = offset(now) + time::Duration::days(365 * 20);
        params.serial_number = Some(SerialNumber::from_slice(&new_serial()));
        let cert = params.self_signed(&key)?;
        keys::write_private(&key_path, key.serialize_pem().as_bytes())?;
        std::fs::write(&cert_path, cert.pem())?;
        tracing::info!(dir = %dir.display(), "created the bank's CA");
        Self::load(dir)?.ok_or_else(|| anyhow::anyhow!("the CA just written cannot be read"))
    }

    /// The CA in `dir`, if one was created there.
    pub fn load(dir: &Path) -> anyhow::Result<Option<Self>> {
        let (key_path, cert_path) = files(dir);
        if !key_path.exists() {
            return Ok(None);
        }
        keys::refuse_if_readable_by_others(&key_path)?;
        let key = KeyPair::from_pem(&std::fs::read_to_string(&key_path)?)
            .map_err(|e| anyhow::anyhow!("{}: {e}", key_path.display()))?;
        let cert_pem = std::fs::read_to_string(&cert_path)
            .map_err(|e| anyhow::anyhow!("{}: {e}", cert_path.display()))?;
        let cert_der = rustls_pki_types::pem::PemObject::from_pem_slice(cert_pem.as_bytes())
            .map_err(|e| anyhow::anyhow!("{}: {e}", cert_path.display()))?;
        // The certificate must be the key's.
        Issuer::from_ca_cert_pem(&cert_pem, &key)?;
        let ca = Self {
            key,
            cert_pem,
            cert_der,
        };
        anyhow::ensure!(
            ca.public_key_matches(),
            "{} is not the certificate of {}",
            cert_path.display(),
            key_path.display()
        );
        Ok(Some(ca))
    }

    fn public_key_matches(&self) -> bool {
        use x509_parser::prelude::FromDer;
        x509_parser::certificate::X509Certificate::from_der(&self.cert_der)
            .map(|(_, c)| c.public_key().subject_public_key.data.as_ref() == self.key.der_bytes())
            .unwrap_or(false)
    }

    fn issuer(&self) -> Result<Issuer<'static, &KeyPair>, Error> {
        Issuer::from_ca_cert_der(&self.cert_der, &self.key).map_err(signing)
    }

    pub fn cert_pem(&self) -> &str {
        &self.cert_pem
    }

    pub fn cert_der(&self) -> &CertificateDer<'static> {
        &self.cert_der
    }

    /// A client certificate for `subject` on `public_key`.
    pub fn issue_client(
        &self,
        subject: &ClientSubject<'_>,
        public_key: &impl PublicKeyData,
    ) -> Result<Signed, Error> {
        let serial = new_serial();
        let mut params = CertificateParams::default();
        let mut dn = DistinguishedName::new();
        dn.push(DnType::CommonName, subject.login_id);
        dn.push(DnType::OrganizationName, subject.company);
        params.distinguished_name = dn;
        params.is_ca = IsCa::ExplicitNoCa;
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        params.use_authority_key_identifier_extension = true;
        params.not_before = offset(subject.not_before);
        params.not_after = offset(subject.not_after);
        params.serial_number = Some(SerialNumber::from_slice(&serial));
        let cert = params
            .signed_by(public_key, &self.issuer()?)
            .map_err(signing)?;
        Ok(Signed {
            fingerprint: fingerprint(cert.der()),
            pem: cert.pem(),
            der: cert.der().clone(),
            serial: serial_hex(&serial),
        })
    }

    /// A client certificate on a new key made here: the certificate and the key (PKCS#8
    /// DER), for the PKCS#12 file. The key is never kept.
    pub fn issue_client_with_key(
        &self,
        subject: &ClientSubject<'_>,
    ) -> Result<(Signed, Vec<u8>), Error> {
        let key = KeyPair::generate().map_err(signing)?;
        let signed = self.issue_client(subject, &key)?;
        Ok((signed, key.serialize_der()))
    }

    /// A client certificate on the key of a PKCS#10 request (PEM); only its key is used,
    /// the subject and validity are the bank's.
    pub fn issue_client_for_csr(
        &self,
        subject: &ClientSubject<'_>,
        csr_pem: &str,
    ) -> Result<Signed, Error> {
        let csr =
            CertificateSigningRequestParams::from_pem(csr_pem).map_err(|_| Error::CsrFormat)?;
        self.issue_client(subject, &csr.public_key)
    }

    /// The TLS listener's certificate for `names` (host names or addresses), valid a year
    /// from now, and its key.
    pub fn server_certificate(
        &self,
        names: &[String],
        now: i64,
    ) -> anyhow::Result<(CertificateDer<'static>, PrivateKeyDer<'static>)> {
        let key = KeyPair::generate()?;
        let mut params = CertificateParams::default();
        let mut dn = DistinguishedName::new();
        dn.push(
            DnType::CommonName,
            names.first().map_or("localhost", String::as_str),
        );
        params.distinguished_name = dn;
        params.subject_alt_names = names
            .iter()
            .map(|n| match n.parse::<std::net::IpAddr>() {
                Ok(ip) => Ok(SanType::IpAddress(ip)),
                Err(_) => Ok(SanType::DnsName(n.as_str().try_into()?)),
            })
            .collect::<Result<_, rcgen::Error>>()?;
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.use_authority_key_identifier_extension = true;
        params.not_before = offset(now - 3_600_000_000);
        params.not_after = offset(now) + time::Duration::days(365);
        params.serial_number = Some(SerialNumber::from_slice(&new_serial()));
        let cert = params.signed_by(&key, &self.issuer()?)?;
        let key = PrivateKeyDer::Pkcs8(key.serialize_der().into());
        Ok((cert.der().clone(), key))
    }

    /// The CRL of `revoked`, numbered `number`, valid for a day from `now`.
    pub fn crl(
        &self,
        revoked: &[Revoked],
        number: u64,
        now: i64,
    ) -> Result<CertificateRevocationListDer<'static>, Error> {
        let revoked_certs = revoked
            .iter()
            .filter_map(|r| {
                Some(RevokedCertParams {
                    serial_number: SerialNumber::from_slice(&keys::from_hex(&r.serial)?),
                    revocation_time: offset(r.revoked_at),
                    reason_code: None,
                    invalidity_date: None,
                })
            })
            .collect();
        let params = CertificateRevocationListParams {
            this_update: offset(now - 60_000_000),
            next_update: offset(now) + time::Duration::days(1),
            crl_number: SerialNumber::from_slice(&number.to_be_bytes()),
            issuing_distribution_point: None,
            revoked_certs,
            key_identifier_method: KeyIdMethod::Sha256,
        };
        let crl = params.signed_by(&self.issuer()?).map_err(signing)?;
        Ok(crl.der().clone())
    }
}

/// The file the user imports: the certificate and its key, with the CA's certificate,
/// as PKCS#12 under `password` (PBES2, AES-256, HMAC-SHA-256: Chromium, Windows 10+,
/// macOS and `openssl pkcs12` read it).
pub fn pkcs12(
    signed: &Signed,
    key_der: &[u8],
    ca: &BankCa,
    alias: &str,
    password: &str,
) -> Result<Vec<u8>, Error> {
    use p12_keystore::{Certificate, KeyStore, KeyStoreEntry, PrivateKey, PrivateKeyChain};
    let broken = |e: p12_keystore::error::Error| {
        tracing::error!(error = %e, "a PKCS#12 file could not be written");
        Error::Internal
    };
    let key = PrivateKey::from_der(key_der).map_err(broken)?;
    let leaf = Certificate::from_der(&signed.der).map_err(broken)?;
    let root = Certificate::from_der(ca.cert_der()).map_err(broken)?;
    let local_key_id = Sha256::digest(&signed.der).to_vec();
    let mut store = KeyStore::new();
    store.add_entry(
        alias,
        KeyStoreEntry::PrivateKeyChain(PrivateKeyChain::new(local_key_id, key, [leaf, root])),
    );
    store.writer(password).write().map_err(broken)
}
