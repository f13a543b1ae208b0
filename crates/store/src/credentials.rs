//! Attempts at a credential (ログインパスワード, 確認用パスワード; the one-time password next),
//! counted so that a lock holds under any concurrency.
//!
//! An attempt is *claimed* before its password is checked: one `update … where failures <
//! threshold returning …` takes one of the `threshold` attempts the credential allows
//! between two successes or releases. So however many guesses arrive at once, at most
//! `threshold` of them are ever judged; the rest are refused as locked without their
//! password being looked at. A claimed attempt counts as a failure until it succeeds:
//! a wrong entry only decides whether the lock is now set, and a right one resets the
//! count in the transaction that acts on it, and only while the credential is unlocked.

use madoguchi_domain::Credential;
use sqlx::{AnyConnection, Row};

use crate::StoreResult;
use crate::history::{HistoryDraft, append_in};
use crate::model::LoginFailure;

/// The columns of one credential.
struct Columns {
    claim: &'static str,
    lock_if_spent: &'static str,
    read: &'static str,
    accept: &'static str,
}

fn columns(credential: Credential) -> Columns {
    match credential {
        Credential::LoginPassword => Columns {
            claim: "update users set login_failures = login_failures + 1, updated_at = $3
                    where id = $1 and login_locked = 0 and login_failures < $2
                    returning login_failures as failures",
            lock_if_spent: "update users set login_locked = 1, updated_at = $3
                    where id = $1 and login_locked = 0 and login_failures >= $2
                    returning login_failures as failures",
            read: "select login_failures as failures, login_locked as locked
                   from users where id = $1",
            accept: "update users set login_failures = 0
                     where id = $1 and login_locked = 0 and deleted_at is null",
        },
        Credential::ConfirmationPassword => Columns {
            claim: "update users set confirm_failures = confirm_failures + 1, updated_at = $3
                    where id = $1 and confirm_locked = 0 and confirm_failures < $2
                    returning confirm_failures as failures",
            lock_if_spent: "update users set confirm_locked = 1, updated_at = $3
                    where id = $1 and confirm_locked = 0 and confirm_failures >= $2
                    returning confirm_failures as failures",
            read: "select confirm_failures as failures, confirm_locked as locked
                   from users where id = $1",
            accept: "update users set confirm_failures = 0
                     where id = $1 and confirm_locked = 0 and deleted_at is null",
        },
    }
}

/// Whether an attempt may be judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttemptClaim {
    /// Judge the password; report the verdict with `record_wrong` or act on a right one.
    Granted,
    /// The credential is locked, or every attempt it allows is taken: refuse without
    /// judging. `locked_now`: this request set the lock (its entry was written).
    Refused { locked_now: bool },
}

/// Sets the lock when every attempt is spent, writing `on_lock` if this call set it.
async fn lock_if_spent(
    conn: &mut AnyConnection,
    c: &Columns,
    user_id: i64,
    threshold: i64,
    on_lock: &HistoryDraft,
) -> StoreResult<bool> {
    let locked = sqlx::query(c.lock_if_spent)
        .bind(user_id)
        .bind(threshold)
        .bind(on_lock.occurred_at)
        .fetch_optional(&mut *conn)
        .await?
        .is_some();
    if locked {
        append_in(conn, on_lock).await?;
    }
    Ok(locked)
}

/// Claims one attempt (see the module comment). When none is left, the lock is set if it
/// was not yet (an attempt that never reported its verdict still counts) and recorded.
pub(crate) async fn claim(
    conn: &mut AnyConnection,
    credential: Credential,
    user_id: i64,
    threshold: i64,
    on_lock: &HistoryDraft,
) -> StoreResult<AttemptClaim> {
    let c = columns(credential);
    let granted = sqlx::query(c.claim)
        .bind(user_id)
        .bind(threshold)
        .bind(on_lock.occurred_at)
        .fetch_optional(&mut *conn)
        .await?
        .is_some();
    if granted {
        return Ok(AttemptClaim::Granted);
    }
    let locked_now = lock_if_spent(conn, &c, user_id, threshold, on_lock).await?;
    Ok(AttemptClaim::Refused { locked_now })
}

/// A claimed attempt was wrong: `failure` is recorded, and the lock set (with `on_lock`)
/// when this was the last attempt the credential allowed.
pub(crate) async fn record_wrong(
    conn: &mut AnyConnection,
    credential: Credential,
    user_id: i64,
    threshold: i64,
    failure: &HistoryDraft,
    on_lock: &HistoryDraft,
) -> StoreResult<LoginFailure> {
    let c = columns(credential);
    append_in(conn, failure).await?;
    let locked_now = lock_if_spent(conn, &c, user_id, threshold, on_lock).await?;
    let row = sqlx::query(c.read)
        .bind(user_id)
        .fetch_one(&mut *conn)
        .await?;
    Ok(LoginFailure {
        failures: row.try_get("failures")?,
        locked: row.try_get::<i64, _>("locked")? != 0,
        locked_now,
    })
}

/// A claimed attempt was right: resets the count, in the caller's transaction, unless the
/// credential got locked meanwhile — then `false`, and the caller must not act on it.
pub(crate) async fn accept(
    conn: &mut AnyConnection,
    credential: Credential,
    user_id: i64,
) -> StoreResult<bool> {
    let done = sqlx::query(columns(credential).accept)
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Counting attempts at a credential, each call its own transaction.
#[async_trait::async_trait]
pub trait CredentialStore {
    /// Claims one attempt at `credential` of `user_id` (see the module comment);
    /// `on_lock` is recorded if this call sets the lock.
    async fn claim_attempt(
        &self,
        user_id: i64,
        credential: Credential,
        threshold: i64,
        on_lock: HistoryDraft,
    ) -> StoreResult<AttemptClaim>;

    /// Reports a claimed attempt as wrong: `failure` always, `on_lock` when it locks.
    async fn record_wrong(
        &self,
        user_id: i64,
        credential: Credential,
        threshold: i64,
        failure: HistoryDraft,
        on_lock: HistoryDraft,
    ) -> StoreResult<LoginFailure>;
}

#[async_trait::async_trait]
impl CredentialStore for crate::connect::SqlStore {
    async fn claim_attempt(
        &self,
        user_id: i64,
        credential: Credential,
        threshold: i64,
        on_lock: HistoryDraft,
    ) -> StoreResult<AttemptClaim> {
        let mut tx = self.begin_write().await?;
        let claimed = claim(&mut tx, credential, user_id, threshold, &on_lock).await?;
        tx.commit().await?;
        Ok(claimed)
    }

    async fn record_wrong(
        &self,
        user_id: i64,
        credential: Credential,
        threshold: i64,
        failure: HistoryDraft,
        on_lock: HistoryDraft,
    ) -> StoreResult<LoginFailure> {
        let mut tx = self.begin_write().await?;
        let result =
            record_wrong(&mut tx, credential, user_id, threshold, &failure, &on_lock).await?;
        tx.commit().await?;
        Ok(result)
    }
}
