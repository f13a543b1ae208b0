//! 電子証明書 at the door, shared by the screens and the API:
//!
//! - 電子証明書発行 (and its renewal, 電子証明書更新): the user proves who they are with the
//!   login password (counted like a login), and the one-time password where the company
//!   uses it and they have a token; the certificate is for their login ID, valid to
//!   08:59:59 JST on the day after one year, delivered as a PKCS#12 file or, through the
//!   API, on the key of their CSR. A new certificate revokes the one in use.
//! - the login's check on 電子証明書方式: the certificate the connection presented must be
//!   the user's certificate in use, within its validity.

use madoguchi_domain::certificate::{self, FilePassword};
use madoguchi_domain::otp::OtpCode;
use madoguchi_domain::{Error, FieldErrors, Password, jst};
use madoguchi_store::{NewCertificate, StoreError, UserRecord};

use super::password::{Proven, abandon, prove_password, refuse_locked, refuse_proven};
use crate::certificates::ClientCertificate;
use crate::certificates::ca::{self, ClientSubject, Signed};
use crate::state::AppState;
use crate::web::client::ClientInfo;
use crate::web::error::from_store;

pub const ISSUE: &str = "電子証明書発行";
pub const RENEW: &str = "電子証明書更新";

/// The field of the CSR in the API.
pub const CSR_FIELD: &str = "csr";

/// How the certificate is delivered.
#[derive(Debug)]
pub enum Delivery {
    /// A PKCS#12 file (certificate, a key made here, the CA) under the user's password.
    Pkcs12(FilePassword),
    /// A PEM certificate on the key of the user's PKCS#10 request.
    Csr(String),
}

/// What 電子証明書発行 hands over.
#[derive(Debug)]
pub enum Delivered {
    Pkcs12(Vec<u8>),
    Pem(String),
}

/// An issued certificate.
#[derive(Debug)]
pub struct IssuedCertificate {
    pub login_id: String,
    pub serial: String,
    pub not_after: i64,
    pub delivered: Delivered,
    /// The certificate in use before, now revoked (a renewal).
    pub superseded: Option<String>,
}

/// Certificates are signed from five minutes back, so a client whose clock is a little
/// behind the server's accepts its new certificate at once.
const BACKDATE_MICROS: i64 = 5 * 60 * 1_000_000;

/// 電子証明書発行.
pub async fn issue(
    state: &AppState,
    client: &ClientInfo,
    login_id: &str,
    password: &Password,
    one_time_password: &str,
    delivery: Delivery,
) -> Result<IssuedCertificate, Error> {
    let Some(pki) = state.pki.clone() else {
        return Err(Error::CertificateUnavailable);
    };
    let proven = prove_password(state, client, login_id, password, ISSUE).await?;
    if !proven.company.options.certificate {
        let details = serde_json::json!({"reason": "not_contracted"});
        return Err(refuse_proven(state, &proven, Error::CertificateNotContracted, details).await);
    }
    let otp_step = one_time_password_step(state, &proven, one_time_password).await?;
    let previous = match state.store.certificate_in_use(proven.user.id).await {
        Ok(previous) => previous,
        Err(e) => {
            abandon(state, proven.user.id).await;
            return Err(from_store(e));
        }
    };
    let now = state.now();
    let (not_before, not_after) = (now - BACKDATE_MICROS, certificate::expiry_for(now));
    let (login, company) = (proven.user.login_id.clone(), proven.company.name.clone());
    // Signing, and the PKCS#12 file's key derivation (PBKDF2, 10,000 rounds), off the
    // async runtime.
    let signing = tokio::task::spawn_blocking(move || {
        let subject = ClientSubject {
            login_id: &login,
            company: &company,
            not_before,
            not_after,
        };
        sign(pki.ca(), &subject, delivery)
    })
    .await
    .unwrap_or(Err(Error::Internal));
    let signed = match signing {
        Ok(signed) => signed,
        Err(err @ Error::Invalid(_)) => {
            let details = serde_json::json!({"reason": "csr", "fields": {CSR_FIELD: Error::CsrFormat.code()}});
            return Err(refuse_proven(state, &proven, err, details).await);
        }
        Err(err) => {
            abandon(state, proven.user.id).await;
            return Err(err);
        }
    };
    let (signed, delivered) = signed;
    let superseded = previous.map(|p| p.serial);
    let operation = if superseded.is_some() { RENEW } else { ISSUE };
    let Proven { user, draft, .. } = proven;
    let meanwhile = draft.clone();
    let entry = draft.operation(operation).details(serde_json::json!({
        "serial": signed.serial,
        "not_after": jst::format_seconds(not_after),
        "delivery": match delivered { Delivered::Pkcs12(_) => "pkcs12", Delivered::Pem(_) => "csr" },
        "superseded": superseded,
    }));
    let new = NewCertificate {
        serial: signed.serial.clone(),
        fingerprint: signed.fingerprint.clone(),
        not_before,
        not_after,
    };
    match state
        .store
        .record_certificate_issue(user.id, user.credential_version, new, otp_step, entry)
        .await
    {
        Ok(()) => {}
        // Locked, stopped or its password changed while this was judged.
        Err(StoreError::CredentialRefused) => {
            let reason = "locked_or_changed_meanwhile";
            return refuse_locked(state, password, meanwhile, reason, false).await;
        }
        Err(e) => return Err(from_store(e)),
    }
    if superseded.is_some() {
        crate::certificates::publish_revocations(state).await?;
    }
    Ok(IssuedCertificate {
        login_id: user.login_id,
        serial: signed.serial,
        not_after,
        delivered,
        superseded,
    })
}

fn sign(
    ca: &ca::BankCa,
    subject: &ClientSubject<'_>,
    delivery: Delivery,
) -> Result<(Signed, Delivered), Error> {
    match delivery {
        Delivery::Pkcs12(password) => {
            let (signed, key) = ca.issue_client_with_key(subject)?;
            let file = ca::pkcs12(&signed, &key, ca, subject.login_id, password.expose())?;
            Ok((signed, Delivered::Pkcs12(file)))
        }
        Delivery::Csr(pem) => {
            let signed = ca
                .issue_client_for_csr(subject, &pem)
                .map_err(|e| Error::Invalid(FieldErrors::single(CSR_FIELD, e)))?;
            let pem = signed.pem.clone();
            Ok((signed, Delivered::Pem(pem)))
        }
    }
}

/// The one-time password of 電子証明書発行, where the company uses it and the user has a
/// token (a user without one registers it at their first login, which needs the
/// certificate first): the step to accept with the issue.
async fn one_time_password_step(
    state: &AppState,
    proven: &Proven,
    typed: &str,
) -> Result<Option<i64>, Error> {
    if !proven.company.options.otp {
        return Ok(None);
    }
    let user = &proven.user;
    if user.otp_locked {
        let details = serde_json::json!({"reason": "otp_locked"});
        return Err(refuse_proven(state, proven, Error::OtpLocked, details).await);
    }
    let token = match state.store.otp_status(user.id).await {
        Ok(status) => status.token,
        Err(e) => {
            abandon(state, user.id).await;
            return Err(from_store(e));
        }
    };
    let Some(token) = token else {
        return Ok(None);
    };
    let field = crate::confirm::otp::FIELD;
    let code = match OtpCode::parse(typed) {
        Ok(code) => code,
        Err(e) => {
            let err = Error::Invalid(FieldErrors::single(field, e));
            let details = serde_json::json!({"fields": {field: err.code()}});
            return Err(refuse_proven(state, proven, err, details).await);
        }
    };
    let judged = match crate::confirm::otp::token_secret(state, &token) {
        Ok(secret) => {
            let last = u64::try_from(token.last_step).unwrap_or(0);
            crate::confirm::otp::judge_for(state, user, proven.draft.clone(), &code, &secret, last)
                .await
        }
        Err(e) => Err(e),
    };
    match judged {
        Ok(step) => Ok(Some(step)),
        Err(e) => {
            abandon(state, user.id).await;
            Err(e)
        }
    }
}

/// The login's check on 電子証明書方式 (after a right password): the serial of the
/// certificate presented, or the refusal and why.
pub async fn check_login(
    state: &AppState,
    user: &UserRecord,
    presented: &ClientCertificate,
) -> Result<String, (Error, &'static str)> {
    if presented.refused {
        return Err((Error::CertificateRefused, "refused_by_verifier"));
    }
    let Some(serial) = presented.serial() else {
        return Err((Error::CertificateRequired, "no_certificate"));
    };
    let record = state
        .store
        .certificate_by_serial(serial)
        .await
        .map_err(|e| (from_store(e), "store"))?;
    let now = state.now();
    match record {
        None => Err((Error::CertificateRefused, "unknown_serial")),
        Some(c) if c.user_id != user.id => {
            Err((Error::CertificateRefused, "another_users_certificate"))
        }
        Some(c) if c.revoked_at.is_some() => Err((Error::CertificateRefused, "revoked")),
        Some(c) if now > c.not_after || now < c.not_before => {
            Err((Error::CertificateRefused, "expired"))
        }
        Some(c) => Ok(c.serial),
    }
}
