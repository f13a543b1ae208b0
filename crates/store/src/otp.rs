//! ワンタイムパスワード: the company option, the users' tokens, and the acceptance of a
//! right code — at login (a token's code, or the first code of a token being registered)
//! and inside the transaction of a 実行 (`confirmed.rs`). Wrong codes are counted by
//! `credentials.rs`, exactly as wrong passwords are.
//!
//! A code is accepted at most once: the token remembers the step of the last code it
//! accepted, and a code is accepted only by the one conditional update that moves that
//! step forward (`… where last_step < $step`). Two requests racing with one code both
//! find it right, but only one of them moves the step; the other is refused.

use async_trait::async_trait;
use madoguchi_domain::{CompanyOptions, Credential, Error, SessionStage};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::StoreResult;
use crate::connect::SqlStore;
use crate::credentials;
use crate::error::StoreError;
use crate::history::{HistoryDraft, append_in};
use crate::model::SessionRecord;
use crate::user_admin::{Target, exists_or_stale, revoke_in_use};

/// A user's token in use.
#[derive(Clone, PartialEq, Eq)]
pub struct OtpToken {
    pub user_id: i64,
    /// トークンシリアル番号.
    pub serial: String,
    /// The secret, sealed by the server (never readable from the database alone).
    pub secret_sealed: String,
    pub registered_at: i64,
    /// The step of the last code accepted.
    pub last_step: i64,
}

impl std::fmt::Debug for OtpToken {
    /// Never prints the sealed secret.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OtpToken")
            .field("user_id", &self.user_id)
            .field("serial", &self.serial)
            .field("registered_at", &self.registered_at)
            .field("last_step", &self.last_step)
            .finish_non_exhaustive()
    }
}

/// A user's token status: the token in use, and when the last one was revoked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TokenStatus {
    pub token: Option<OtpToken>,
    pub last_revoked_at: Option<i64>,
}

/// A right code to accept at login.
#[derive(Clone, PartialEq, Eq)]
pub enum OtpAcceptance {
    /// A code of the user's token, matching `step`.
    Verify { step: i64 },
    /// The first code of a token being registered (ワンタイムパスワード利用登録).
    Register {
        serial: String,
        secret_sealed: String,
        step: i64,
    },
}

impl std::fmt::Debug for OtpAcceptance {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OtpAcceptance::Verify { step } => write!(f, "Verify {{ step: {step} }}"),
            OtpAcceptance::Register { serial, step, .. } => {
                write!(f, "Register {{ serial: {serial}, step: {step}, .. }}")
            }
        }
    }
}

/// The one-time-password step of a login, passed.
#[derive(Debug, Clone)]
pub struct LoginOtp {
    pub user_id: i64,
    /// The session, in the stage the code was asked in.
    pub session: SessionRecord,
    pub acceptance: OtpAcceptance,
    /// The stage the session moves to.
    pub next: SessionStage,
    pub history: HistoryDraft,
}

/// ワンタイムパスワード.
#[async_trait]
pub trait OtpStore {
    /// Sets a company's contract options (the bank operator). A change of the
    /// ワンタイムパスワード option ends every session of the company, so no session lives
    /// on that passed a login the company no longer has.
    async fn set_company_options(
        &self,
        company_id: i64,
        options: CompanyOptions,
        history: HistoryDraft,
    ) -> StoreResult<()>;
    /// The token of `user_id` in use, and the time of the last revocation.
    async fn otp_status(&self, user_id: i64) -> StoreResult<TokenStatus>;
    /// The tokens in use in a company, by user.
    async fn tokens_of(&self, company_id: i64) -> StoreResult<Vec<OtpToken>>;
    /// The token being registered in session `id_hash`: `enrollment` if the session had
    /// none yet, else the one it has (so reloading the screen shows the same secret).
    /// `None` when the session is not at ワンタイムパスワード利用登録.
    async fn begin_enrollment(
        &self,
        id_hash: &str,
        enrollment: &str,
    ) -> StoreResult<Option<String>>;
    /// A right code at login (see [`LoginOtp`]): accepted once, the credential's count
    /// reset, the session moved on and the entry written, in one transaction. `OtpUsed`
    /// when the code's step was accepted already, `OtpRefused` when the one-time password
    /// got locked meanwhile, `CredentialRefused` when the session is no longer where it
    /// was, `Conflict { constraint: "otp_token" }` when a token was registered meanwhile.
    async fn accept_login_otp(&self, accepted: LoginOtp) -> StoreResult<()>;
}

fn token_from_row(row: &AnyRow) -> Result<OtpToken, sqlx::Error> {
    Ok(OtpToken {
        user_id: row.try_get("user_id")?,
        serial: row.try_get("serial")?,
        secret_sealed: row.try_get("secret_sealed")?,
        registered_at: row.try_get("registered_at")?,
        last_step: row.try_get("last_step")?,
    })
}

/// Accepts the code of `user_id`'s token at `step`, in the caller's transaction: moves the
/// token's last step forward, or `OtpUsed` when it is there already (or beyond).
pub(crate) async fn consume_step(
    conn: &mut AnyConnection,
    user_id: i64,
    step: i64,
) -> StoreResult<()> {
    let moved = sqlx::query(
        "update otp_tokens set last_step = $2
         where user_id = $1 and revoked_at is null and last_step < $2",
    )
    .bind(user_id)
    .bind(step)
    .execute(&mut *conn)
    .await?;
    if moved.rows_affected() == 1 {
        Ok(())
    } else {
        Err(StoreError::OtpUsed)
    }
}

/// Accepts a right one-time password in the caller's transaction (the step moved on, the
/// count reset). On a refusal only the claim is settled.
pub(crate) async fn accept_code(
    conn: &mut AnyConnection,
    user_id: i64,
    step: i64,
) -> StoreResult<()> {
    if let Err(e) = consume_step(conn, user_id, step).await {
        credentials::settle(conn, Credential::Otp, user_id).await?;
        return Err(e);
    }
    if credentials::accept(conn, Credential::Otp, user_id).await? {
        Ok(())
    } else {
        Err(StoreError::OtpRefused)
    }
}

/// ワンタイムパスワードの利用停止解除 of `t`, in the caller's transaction: only a user of
/// the company whose one-time password is locked, and never by that user.
pub(crate) async fn release(conn: &mut AnyConnection, t: &Target, now: i64) -> StoreResult<()> {
    if t.user_id == t.actor_id {
        return Err(StoreError::NotAllowed);
    }
    let done = sqlx::query(
        "update users set otp_locked = 0, otp_failures = 0, otp_pending = 0, updated_at = $3
         where id = $1 and company_id = $2 and deleted_at is null and otp_locked = 1",
    )
    .bind(t.user_id)
    .bind(t.company_id)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    exists_or_stale(conn, t, done.rows_affected()).await
}

/// トークンの失効 of `t`'s token, in the caller's transaction: the token is revoked and
/// every session of the user ends (the actor's own too, when revoking their own).
pub(crate) async fn revoke(conn: &mut AnyConnection, t: &Target, now: i64) -> StoreResult<()> {
    revoke_in_use(
        conn,
        t,
        now,
        "update otp_tokens set revoked_at = $3, revoked_by = $4
         where user_id = $1 and company_id = $2 and revoked_at is null
             and exists (select 1 from users u where u.id = $1 and u.deleted_at is null)",
    )
    .await
}

/// The entry of a refused acceptance.
fn refused(history: &HistoryDraft, err: &StoreError) -> Option<HistoryDraft> {
    let code = match err {
        StoreError::OtpUsed => Error::OtpUsed.code(),
        StoreError::OtpRefused => Error::OtpLocked.code(),
        StoreError::Conflict { .. } => Error::Stale.code(),
        _ => return None,
    };
    Some(history.clone().failed(code))
}

async fn register(
    conn: &mut AnyConnection,
    a: &LoginOtp,
    serial: &str,
    secret_sealed: &str,
    step: i64,
) -> StoreResult<()> {
    let inserted = sqlx::query(
        "insert into otp_tokens (company_id, user_id, serial, secret_sealed, registered_at, last_step)
         values ($1, $2, $3, $4, $5, $6)",
    )
    .bind(a.session.company_id)
    .bind(a.user_id)
    .bind(serial)
    .bind(secret_sealed)
    .bind(a.history.occurred_at)
    .bind(step)
    .execute(&mut *conn)
    .await;
    match inserted {
        Ok(_) => {}
        Err(e) if StoreError::is_unique_violation(&e) => {
            credentials::settle(conn, Credential::Otp, a.user_id).await?;
            return Err(StoreError::Conflict {
                constraint: "otp_token",
            });
        }
        Err(e) => return Err(e.into()),
    }
    if credentials::accept(conn, Credential::Otp, a.user_id).await? {
        Ok(())
    } else {
        Err(StoreError::OtpRefused)
    }
}

#[async_trait]
impl OtpStore for SqlStore {
    async fn set_company_options(
        &self,
        company_id: i64,
        options: CompanyOptions,
        history: HistoryDraft,
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        let before = sqlx::query("select opt_otp from companies where id = $1")
            .bind(company_id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(StoreError::NotFound)?
            .try_get::<i64, _>("opt_otp")?;
        sqlx::query("update companies set opt_otp = $2, updated_at = $3 where id = $1")
            .bind(company_id)
            .bind(i64::from(options.otp))
            .bind(history.occurred_at)
            .execute(&mut *tx)
            .await?;
        if (before != 0) != options.otp {
            sqlx::query("delete from sessions where company_id = $1")
                .bind(company_id)
                .execute(&mut *tx)
                .await?;
        }
        append_in(&mut tx, &self.history, &history).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn otp_status(&self, user_id: i64) -> StoreResult<TokenStatus> {
        let token =
            sqlx::query("select * from otp_tokens where user_id = $1 and revoked_at is null")
                .bind(user_id)
                .fetch_optional(&self.pool)
                .await?;
        let revoked = sqlx::query(
            "select max(revoked_at) as at from otp_tokens where user_id = $1 and revoked_at is not null",
        )
        .bind(user_id)
        .fetch_one(&self.pool)
        .await?;
        Ok(TokenStatus {
            token: token.as_ref().map(token_from_row).transpose()?,
            last_revoked_at: revoked.try_get("at")?,
        })
    }

    async fn tokens_of(&self, company_id: i64) -> StoreResult<Vec<OtpToken>> {
        let rows = sqlx::query(
            "select * from otp_tokens where company_id = $1 and revoked_at is null order by user_id",
        )
        .bind(company_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.iter().map(token_from_row).collect::<Result<_, _>>()?)
    }

    async fn begin_enrollment(
        &self,
        id_hash: &str,
        enrollment: &str,
    ) -> StoreResult<Option<String>> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "update sessions set otp_enrollment = $2
             where id_hash = $1 and stage = $3 and otp_enrollment is null",
        )
        .bind(id_hash)
        .bind(enrollment)
        .bind(SessionStage::OtpRegistration.code())
        .execute(&mut *tx)
        .await?;
        let row =
            sqlx::query("select otp_enrollment from sessions where id_hash = $1 and stage = $2")
                .bind(id_hash)
                .bind(SessionStage::OtpRegistration.code())
                .fetch_optional(&mut *tx)
                .await?;
        tx.commit().await?;
        Ok(row
            .map(|r| r.try_get::<Option<String>, _>("otp_enrollment"))
            .transpose()?
            .flatten())
    }

    async fn accept_login_otp(&self, a: LoginOtp) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        let (accepted, asked_in) = match &a.acceptance {
            OtpAcceptance::Verify { step } => (
                accept_code(&mut tx, a.user_id, *step).await,
                SessionStage::Otp,
            ),
            OtpAcceptance::Register {
                serial,
                secret_sealed,
                step,
            } => (
                register(&mut tx, &a, serial, secret_sealed, *step).await,
                SessionStage::OtpRegistration,
            ),
        };
        if let Err(e) = accepted {
            if let Some(entry) = refused(&a.history, &e) {
                append_in(&mut tx, &self.history, &entry).await?;
            }
            tx.commit().await?;
            return Err(e);
        }
        let moved = sqlx::query(
            "update sessions set stage = $2, otp_enrollment = null
             where id_hash = $1 and stage = $3 and credential_version = $4",
        )
        .bind(&a.session.id_hash)
        .bind(a.next.code())
        .bind(asked_in.code())
        .bind(a.session.credential_version)
        .execute(&mut *tx)
        .await?;
        if moved.rows_affected() == 0 {
            // Ended or moved on meanwhile: nothing is accepted, only the claim settled.
            tx.rollback().await?;
            let mut tx = self.begin_write().await?;
            credentials::settle(&mut tx, Credential::Otp, a.user_id).await?;
            tx.commit().await?;
            return Err(StoreError::CredentialRefused);
        }
        append_in(&mut tx, &self.history, &a.history).await?;
        tx.commit().await?;
        Ok(())
    }
}
