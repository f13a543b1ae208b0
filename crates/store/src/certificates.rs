//! 電子証明書: the certificates the bank's CA issued, their revocation, and the company
//! option 電子証明書方式. The CA itself (its key) never touches the database: only what a
//! certificate is (serial, owner, validity) and whether it was revoked.
//!
//! An issue proves the user by their login password exactly as a login does (the attempt
//! claimed first, see `credentials.rs`): its success resets the count and writes the new
//! certificate, revoking the previous one, in one transaction.

use async_trait::async_trait;
use madoguchi_domain::Credential;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::StoreResult;
use crate::connect::SqlStore;
use crate::credentials;
use crate::error::StoreError;
use crate::history::{HistoryDraft, append_in};
use crate::user_admin::{Target, revoke_in_use};

/// One issued certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateRecord {
    pub company_id: i64,
    pub user_id: i64,
    /// The serial number, upper-case hex.
    pub serial: String,
    /// SHA-256 of the DER, lower-case hex.
    pub fingerprint: String,
    pub not_before: i64,
    pub not_after: i64,
    pub issued_at: i64,
    pub revoked_at: Option<i64>,
}

/// A certificate to record at its issue.
#[derive(Debug, Clone)]
pub struct NewCertificate {
    pub serial: String,
    pub fingerprint: String,
    pub not_before: i64,
    pub not_after: i64,
}

/// How many certificates were ever revoked, and the latest time: a server compares it
/// with what its CRL was built from to see another server's revocation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RevocationMark {
    pub count: i64,
    pub latest: i64,
}

/// A revoked certificate the CRL lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revoked {
    pub serial: String,
    pub revoked_at: i64,
}

#[async_trait]
pub trait CertificateStore {
    /// Every certificate of the company, oldest first.
    async fn certificates_of(&self, company_id: i64) -> StoreResult<Vec<CertificateRecord>>;
    async fn certificate_by_serial(&self, serial: &str) -> StoreResult<Option<CertificateRecord>>;
    /// The user's certificate in use (not revoked; it may have expired).
    async fn certificate_in_use(&self, user_id: i64) -> StoreResult<Option<CertificateRecord>>;
    /// 電子証明書発行 after a right login password (claimed at `credential_version`):
    /// the count reset, the previous certificate revoked (`superseded`), the new one
    /// recorded, the entry written. `CredentialRefused` (only the claim settled) when the
    /// account got locked, stopped or its password changed meanwhile. With `otp_step`,
    /// the user's right one-time password is accepted (used up) first; its refusal
    /// (`OtpUsed`, `OtpRefused`) settles both claims and writes nothing else.
    async fn record_certificate_issue(
        &self,
        user_id: i64,
        credential_version: i64,
        new: NewCertificate,
        otp_step: Option<i64>,
        history: HistoryDraft,
    ) -> StoreResult<()>;
    /// The revoked certificates still within their validity at `now` (the CRL).
    async fn revoked_certificates(&self, now: i64) -> StoreResult<Vec<Revoked>>;
    async fn revocation_mark(&self) -> StoreResult<RevocationMark>;
    /// 契約オプションの変更: ワンタイムパスワード and 電子証明書方式 (see `otp.rs`).
    async fn set_certificate_option(
        &self,
        company_id: i64,
        on: bool,
        history: HistoryDraft,
    ) -> StoreResult<()>;
}

fn record_from_row(row: &AnyRow) -> Result<CertificateRecord, sqlx::Error> {
    Ok(CertificateRecord {
        company_id: row.try_get("company_id")?,
        user_id: row.try_get("user_id")?,
        serial: row.try_get("serial")?,
        fingerprint: row.try_get("fingerprint")?,
        not_before: row.try_get("not_before")?,
        not_after: row.try_get("not_after")?,
        issued_at: row.try_get("issued_at")?,
        revoked_at: row.try_get("revoked_at")?,
    })
}

/// 証明書失効 of the target's certificate in use (confirmed-change write): its sessions
/// end in the same transaction. `Stale` when it has none any more.
pub(crate) async fn revoke(conn: &mut AnyConnection, t: &Target, now: i64) -> StoreResult<()> {
    revoke_in_use(
        conn,
        t,
        now,
        "update certificates set revoked_at = $3, revoked_by = $4, revoke_reason = 'revoked'
         where user_id = $1 and company_id = $2 and revoked_at is null
             and exists (select 1 from users u where u.id = $1 and u.deleted_at is null)",
    )
    .await
}

#[async_trait]
impl CertificateStore for SqlStore {
    async fn certificates_of(&self, company_id: i64) -> StoreResult<Vec<CertificateRecord>> {
        let rows = sqlx::query(
            "select * from certificates where company_id = $1 order by user_id, issued_at, id",
        )
        .bind(company_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.iter().map(record_from_row).collect::<Result<_, _>>()?)
    }

    async fn certificate_by_serial(&self, serial: &str) -> StoreResult<Option<CertificateRecord>> {
        let row = sqlx::query("select * from certificates where serial = $1")
            .bind(serial)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.as_ref().map(record_from_row).transpose()?)
    }

    async fn certificate_in_use(&self, user_id: i64) -> StoreResult<Option<CertificateRecord>> {
        let row =
            sqlx::query("select * from certificates where user_id = $1 and revoked_at is null")
                .bind(user_id)
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.as_ref().map(record_from_row).transpose()?)
    }

    async fn record_certificate_issue(
        &self,
        user_id: i64,
        credential_version: i64,
        new: NewCertificate,
        otp_step: Option<i64>,
        history: HistoryDraft,
    ) -> StoreResult<()> {
        let now = history.occurred_at;
        let mut tx = self.begin_write().await?;
        if let Some(step) = otp_step
            && let Err(e) = crate::otp::accept_code(&mut tx, user_id, step).await
        {
            credentials::settle(&mut tx, Credential::LoginPassword, user_id).await?;
            if let Some(code) = e.refusal_code() {
                append_in(&mut tx, &self.history, &history.clone().failed(code)).await?;
            }
            tx.commit().await?;
            return Err(e);
        }
        let user = sqlx::query(
            "update users set login_failures = 0, updated_at = $2,
                 login_pending = case when login_pending > 0 then login_pending - 1 else 0 end
             where id = $1 and login_locked = 0 and stopped = 0 and deleted_at is null
                 and credential_version = $3
             returning company_id",
        )
        .bind(user_id)
        .bind(now)
        .bind(credential_version)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(user) = user else {
            credentials::settle(&mut tx, Credential::LoginPassword, user_id).await?;
            tx.commit().await?;
            return Err(StoreError::CredentialRefused);
        };
        let company_id: i64 = user.try_get("company_id")?;
        sqlx::query(
            "update certificates set revoked_at = $2, revoked_by = $1, revoke_reason = 'superseded'
             where user_id = $1 and revoked_at is null",
        )
        .bind(user_id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "insert into certificates (company_id, user_id, serial, fingerprint, not_before,
                 not_after, issued_at)
             values ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(company_id)
        .bind(user_id)
        .bind(&new.serial)
        .bind(&new.fingerprint)
        .bind(new.not_before)
        .bind(new.not_after)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        append_in(&mut tx, &self.history, &history).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn revoked_certificates(&self, now: i64) -> StoreResult<Vec<Revoked>> {
        let rows = sqlx::query(
            "select serial, revoked_at from certificates
             where revoked_at is not null and not_after >= $1 order by revoked_at, id",
        )
        .bind(now)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Revoked {
                    serial: r.try_get("serial")?,
                    revoked_at: r.try_get("revoked_at")?,
                })
            })
            .collect()
    }

    async fn revocation_mark(&self) -> StoreResult<RevocationMark> {
        let row = sqlx::query(
            "select count(*) as n, coalesce(max(revoked_at), 0) as latest
             from certificates where revoked_at is not null",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(RevocationMark {
            count: row.try_get("n")?,
            latest: row.try_get("latest")?,
        })
    }

    async fn set_certificate_option(
        &self,
        company_id: i64,
        on: bool,
        history: HistoryDraft,
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        let changed = sqlx::query(
            "update companies set opt_certificate = $2, updated_at = $3
             where id = $1 and opt_certificate <> $2",
        )
        .bind(company_id)
        .bind(i64::from(on))
        .bind(history.occurred_at)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if changed == 1 {
            // Every user passes the login the contract now asks for.
            sqlx::query("delete from sessions where company_id = $1")
                .bind(company_id)
                .execute(&mut *tx)
                .await?;
        } else if sqlx::query("select id from companies where id = $1")
            .bind(company_id)
            .fetch_optional(&mut *tx)
            .await?
            .is_none()
        {
            return Err(StoreError::NotFound);
        }
        append_in(&mut tx, &self.history, &history).await?;
        tx.commit().await?;
        Ok(())
    }
}
