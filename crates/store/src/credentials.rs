//! Attempts at a credential (ログインパスワード, 確認用パスワード, ワンタイムパスワード),
//! counted so that a lock holds under any concurrency.
//!
//! Two counters per credential: the consecutive wrong entries (`failures`) and the
//! attempts whose verdict is still being judged (`pending`). An attempt is *claimed*
//! before its password is checked, by one `update … where failures + pending < threshold`;
//! so however many guesses arrive at once, at most `threshold` are ever judged between two
//! successes or releases — the ones in flight when a success resets `failures` still count
//! against the next `threshold` — and the rest are refused without their password being
//! looked at. A wrong verdict moves one from `pending` to `failures` and sets the lock when
//! `failures` reaches the threshold; a right one resets `failures` in the transaction that
//! acts on it, and only while the credential is unlocked. A claim whose request died
//! (never reported) no longer counts after [`ABANDONED_AFTER_MICROS`].
//!
//! Every statement takes the user's row first and the 操作履歴's head after it, the same
//! order as every other write, so PostgreSQL never deadlocks between them.

use madoguchi_domain::Credential;
use sqlx::{AnyConnection, Row};

use crate::StoreResult;
use crate::history::{HistoryDraft, HistoryWriter, append_in};
use crate::model::LoginFailure;

/// A claimed attempt older than this was abandoned (its request died before a verdict).
pub const ABANDONED_AFTER_MICROS: i64 = 60 * 1_000_000;

/// The statements of one credential.
struct Statements {
    /// $1 user, $2 threshold, $3 now, $4 abandoned before.
    claim: &'static str,
    /// $1 user, $2 now.
    wrong: &'static str,
    /// $1 user, $2 threshold, $3 now.
    lock_if_spent: &'static str,
    /// $1 user.
    settle: &'static str,
    /// $1 user.
    accept: &'static str,
    /// $1 user.
    read: &'static str,
}

/// The statements of the credential whose columns start with `$p` (`login`, `confirm`).
macro_rules! statements {
    ($p:literal) => {
        Statements {
            claim: concat!(
                "update users set ",
                $p,
                "_pending = (case when ",
                $p,
                "_pending_at < $4 then 0 else ",
                $p,
                "_pending end) + 1, ",
                $p,
                "_pending_at = $3 where id = $1 and ",
                $p,
                "_locked = 0 and ",
                $p,
                "_failures + (case when ",
                $p,
                "_pending_at < $4 then 0 else ",
                $p,
                "_pending end) < $2 returning ",
                $p,
                "_failures as failures"
            ),
            wrong: concat!(
                "update users set ",
                $p,
                "_pending = case when ",
                $p,
                "_pending > 0 then ",
                $p,
                "_pending - 1 else 0 end, ",
                $p,
                "_failures = ",
                $p,
                "_failures + 1, updated_at = $2 ",
                "where id = $1 and ",
                $p,
                "_locked = 0"
            ),
            lock_if_spent: concat!(
                "update users set ",
                $p,
                "_locked = 1, updated_at = $3 where id = $1 and ",
                $p,
                "_locked = 0 and ",
                $p,
                "_failures >= $2 returning ",
                $p,
                "_failures as failures"
            ),
            settle: concat!(
                "update users set ",
                $p,
                "_pending = case when ",
                $p,
                "_pending > 0 then ",
                $p,
                "_pending - 1 else 0 end where id = $1"
            ),
            accept: concat!(
                "update users set ",
                $p,
                "_failures = 0, ",
                $p,
                "_pending = case when ",
                $p,
                "_pending > 0 then ",
                $p,
                "_pending - 1 else 0 end where id = $1 and ",
                $p,
                "_locked = 0 and deleted_at is null"
            ),
            read: concat!(
                "select ",
                $p,
                "_failures as failures, ",
                $p,
                "_locked as locked from users where id = $1"
            ),
        }
    };
}

fn statements(credential: Credential) -> Statements {
    match credential {
        Credential::LoginPassword => statements!("login"),
        Credential::ConfirmationPassword => statements!("confirm"),
        Credential::Otp => statements!("otp"),
    }
}

/// Whether an attempt may be judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttemptClaim {
    /// Judge the password, then report the verdict (`record_wrong`, or act on a right one,
    /// or `abandon_attempt` when nothing was decided).
    Granted,
    /// Refused without judging: the credential is `locked`, or (not locked) every attempt
    /// it allows is being judged right now.
    Refused { locked: bool },
}

async fn read_locked(conn: &mut AnyConnection, s: &Statements, user_id: i64) -> StoreResult<bool> {
    let row = sqlx::query(s.read)
        .bind(user_id)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(row
        .map(|r| r.try_get::<i64, _>("locked"))
        .transpose()?
        .is_some_and(|v| v != 0))
}

/// Claims one attempt (see the module comment).
pub(crate) async fn claim(
    conn: &mut AnyConnection,
    credential: Credential,
    user_id: i64,
    threshold: i64,
    now: i64,
) -> StoreResult<AttemptClaim> {
    let s = statements(credential);
    let granted = sqlx::query(s.claim)
        .bind(user_id)
        .bind(threshold)
        .bind(now)
        .bind(now - ABANDONED_AFTER_MICROS)
        .fetch_optional(&mut *conn)
        .await?
        .is_some();
    if granted {
        return Ok(AttemptClaim::Granted);
    }
    let locked = read_locked(conn, &s, user_id).await?;
    Ok(AttemptClaim::Refused { locked })
}

/// A claimed attempt was wrong: counted, the lock set (with `on_lock`) when this was the
/// last wrong entry the credential allows, and `failure` recorded.
pub(crate) async fn record_wrong(
    conn: &mut AnyConnection,
    w: &HistoryWriter,
    credential: Credential,
    user_id: i64,
    threshold: i64,
    failure: &HistoryDraft,
    on_lock: &HistoryDraft,
) -> StoreResult<LoginFailure> {
    let s = statements(credential);
    let now = failure.occurred_at;
    let counted = sqlx::query(s.wrong)
        .bind(user_id)
        .bind(now)
        .execute(&mut *conn)
        .await?
        .rows_affected()
        == 1;
    if !counted {
        // Locked meanwhile: the verdict no longer counts, only its claim is settled.
        settle(conn, credential, user_id).await?;
    }
    let locked_now = sqlx::query(s.lock_if_spent)
        .bind(user_id)
        .bind(threshold)
        .bind(now)
        .fetch_optional(&mut *conn)
        .await?
        .is_some();
    let row = sqlx::query(s.read)
        .bind(user_id)
        .fetch_one(&mut *conn)
        .await?;
    append_in(conn, w, failure).await?;
    if locked_now {
        append_in(conn, w, on_lock).await?;
    }
    Ok(LoginFailure {
        failures: row.try_get("failures")?,
        locked: row.try_get::<i64, _>("locked")? != 0,
        locked_now,
    })
}

/// A claimed attempt ends without a verdict that counts.
pub(crate) async fn settle(
    conn: &mut AnyConnection,
    credential: Credential,
    user_id: i64,
) -> StoreResult<()> {
    sqlx::query(statements(credential).settle)
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// A claimed attempt was right: resets the count, in the caller's transaction, unless the
/// credential got locked meanwhile — then `false` (the claim settled), and the caller must
/// not act on it.
pub(crate) async fn accept(
    conn: &mut AnyConnection,
    credential: Credential,
    user_id: i64,
) -> StoreResult<bool> {
    let done = sqlx::query(statements(credential).accept)
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    if done.rows_affected() == 1 {
        return Ok(true);
    }
    settle(conn, credential, user_id).await?;
    Ok(false)
}

/// Counting attempts at a credential, each call its own transaction.
#[async_trait::async_trait]
pub trait CredentialStore {
    /// Claims one attempt at `credential` of `user_id` (see the module comment).
    async fn claim_attempt(
        &self,
        user_id: i64,
        credential: Credential,
        threshold: i64,
        now: i64,
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

    /// Ends a claimed attempt that reached no verdict (the password could not be checked).
    async fn abandon_attempt(&self, user_id: i64, credential: Credential) -> StoreResult<()>;
}

#[async_trait::async_trait]
impl CredentialStore for crate::connect::SqlStore {
    async fn claim_attempt(
        &self,
        user_id: i64,
        credential: Credential,
        threshold: i64,
        now: i64,
    ) -> StoreResult<AttemptClaim> {
        let mut tx = self.begin_write().await?;
        let claimed = claim(&mut tx, credential, user_id, threshold, now).await?;
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
        let result = record_wrong(
            &mut tx,
            &self.history,
            credential,
            user_id,
            threshold,
            &failure,
            &on_lock,
        )
        .await?;
        tx.commit().await?;
        Ok(result)
    }

    async fn abandon_attempt(&self, user_id: i64, credential: Credential) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        settle(&mut tx, credential, user_id).await?;
        tx.commit().await?;
        Ok(())
    }
}
