//! The one transaction of every 実行: the 確認用パスワード's acceptance (and the one-time
//! password's, where the company uses it: its code is used up here), the idempotency
//! claim, the write (with its version check), the 操作履歴 entry and the outcome — all or
//! nothing. An operation supplies only its write ([`ConfirmedWrite`]); the sequence is
//! written once, here.
//!
//! When the write is refused (stale version, a taken login ID, a reused key…), the write
//! is rolled back to a savepoint, and the acceptance of the password is kept together
//! with the refusal's 操作履歴 entry: a right password is never counted as a failure, and
//! every refusal is recorded in the transaction that decided it.

use async_trait::async_trait;
use madoguchi_domain::fees::{FeeKind, FeeSetting};
use madoguchi_domain::{CompanySettings, Credential, IdempotencyKey};
use sqlx::{Acquire, AnyConnection};

use crate::StoreResult;
use crate::connect::SqlStore;
use crate::credentials;
use crate::error::StoreError;
use crate::history::{HistoryDraft, append_in};
use crate::idempotency::{self, ClaimedKey, Confirmed};
use crate::model::{NewUser, UserRecord};
use crate::otp;
use crate::user_admin::{self, ServiceChange, Target, UserUpdate};

/// What a confirmed change writes. Each variant is one operation of the manual; a new
/// operation adds a variant and its write function, never a copy of the sequence.
#[derive(Debug, Clone)]
pub enum ConfirmedWrite {
    /// 企業情報の変更.
    CompanySettings {
        company_id: i64,
        expected_version: i64,
        settings: CompanySettings,
    },
    /// 手数料情報の変更.
    FeeSetting {
        company_id: i64,
        kind: FeeKind,
        expected_version: i64,
        setting: FeeSetting,
    },
    /// 利用者情報の新規登録, refused beyond `max_users` users.
    RegisterUser {
        company_id: i64,
        new: NewUser,
        max_users: i64,
    },
    /// 利用者情報の変更.
    UpdateUser { target: Target, update: UserUpdate },
    /// 利用者情報の削除.
    DeleteUser { target: Target },
    /// 利用者停止・解除: the 変更後のサービス状態.
    ChangeServiceState { target: Target, to: ServiceChange },
    /// ワンタイムパスワードの利用停止解除.
    ReleaseOtp { target: Target },
    /// トークンの失効 (the user's sessions end).
    RevokeToken { target: Target },
    /// 証明書失効 (the user's sessions end).
    RevokeCertificate { target: Target },
    /// 振込先の登録 (the bank's operator: 事前登録口座; a user: 利用者登録口座).
    RegisterPayee { new: crate::payees::NewPayee },
    /// 振込先の削除 of a 利用者登録口座.
    DeletePayee { company_id: i64, payee_id: i64 },
    /// 振込先 / 請求先の登録 of the file businesses (one, or a CSV file's: all or none).
    RegisterBulkPayees(Box<crate::bulk_payees::BulkPayeeRegistration>),
    /// 振込先 / 請求先の変更 of the file businesses.
    UpdateBulkPayee {
        company_id: i64,
        list: &'static str,
        id: i64,
        payee: crate::bulk_payees::NewBulkPayee,
    },
    /// 振込先 / 請求先の削除 of the file businesses.
    DeleteBulkPayee {
        company_id: i64,
        list: &'static str,
        id: i64,
    },
    /// 振込振替の確定: the order stored (and, under 承認なし, accepted).
    CreateTransfer {
        new: Box<crate::transfers::NewTransfer>,
        acceptance: Option<crate::transfers::Acceptance>,
    },
    /// 承認, 差戻し, 引戻し or 削除 of an order (the final 承認 accepts it).
    MoveTransfer(Box<crate::transfers::TransferMove>),
    /// 修正 and 確定 again of an order sent back or withdrawn.
    ReviseTransfer(Box<crate::transfers::TransferRevision>),
    /// 確定, 承認, 差戻し, 引戻し or 削除 of a file order (the final 承認 accepts it).
    MoveBulk(Box<crate::bulk::BulkMove>),
}

/// What the write did.
#[derive(Debug, Clone)]
pub enum WriteEffect {
    /// The settings' new version.
    Version(i64),
    /// The user as written (registered or changed).
    User(Box<UserRecord>),
    /// The id of what was registered (a payee).
    Created(i64),
    Done,
}

/// A confirmed change, ready to run.
#[derive(Debug, Clone)]
pub struct ConfirmedChange {
    /// The key, operation and request the confirming user's 確認用パスワード was checked for.
    pub confirmed: Confirmed,
    pub write: ConfirmedWrite,
    /// The step of the confirming user's right one-time password, where the company uses
    /// it: accepted (used up) in this transaction, before anything is written.
    pub otp_step: Option<i64>,
    /// The entry of a successful change; a refusal is recorded from it with its code.
    pub history: HistoryDraft,
}

/// Confirmed changes.
#[async_trait]
pub trait ConfirmedStore {
    /// What `key` of `user_id` was claimed for, if it was.
    async fn claimed_key(
        &self,
        user_id: i64,
        key: &IdempotencyKey,
    ) -> StoreResult<Option<ClaimedKey>>;

    /// Runs a change whose 確認用パスワード was checked and found right. Refused with
    /// `CredentialRefused` (nothing written) when the credential got locked meanwhile;
    /// `AlreadyExecuted`, `KeyReused`, `Stale`, `NotFound`, `NotAllowed` or `Conflict` when
    /// the write is refused (the refusal recorded).
    async fn execute_confirmed(&self, change: ConfirmedChange) -> StoreResult<WriteEffect>;

    /// The bank operator's (or the demo loader's) change of the same kind: no password, no
    /// key, the same write and history entry in one transaction.
    async fn execute_unattended(
        &self,
        write: ConfirmedWrite,
        history: HistoryDraft,
    ) -> StoreResult<WriteEffect>;
}

/// Adds what only the write knows (the new user's id) to the entry.
fn completed(mut history: HistoryDraft, effect: &WriteEffect) -> HistoryDraft {
    if let (WriteEffect::User(user), Some(details)) = (effect, history.details.as_object_mut()) {
        details
            .entry("user_id")
            .and_modify(|v| {
                if v.is_null() {
                    *v = serde_json::json!(user.id);
                }
            })
            .or_insert(serde_json::json!(user.id));
    }
    history
}

/// The entry of a refused change: the attempt's details, and why.
fn refused(history: &HistoryDraft, code: &str) -> HistoryDraft {
    let mut entry = history.clone().failed(code);
    if let Some(details) = entry.details.as_object_mut() {
        details.insert("refused".to_owned(), serde_json::json!(code));
    }
    entry
}

async fn write(
    conn: &mut AnyConnection,
    write: &ConfirmedWrite,
    now: i64,
) -> StoreResult<WriteEffect> {
    match write {
        ConfirmedWrite::CompanySettings {
            company_id,
            expected_version,
            settings,
        } => crate::settings::write_settings(conn, *company_id, *expected_version, settings, now)
            .await
            .map(WriteEffect::Version),
        ConfirmedWrite::FeeSetting {
            company_id,
            kind,
            expected_version,
            setting,
        } => crate::fees::write_fee_setting(
            conn,
            *company_id,
            *kind,
            *expected_version,
            setting,
            now,
        )
        .await
        .map(WriteEffect::Version),
        ConfirmedWrite::RegisterUser {
            company_id,
            new,
            max_users,
        } => user_admin::register(conn, *company_id, new, *max_users, now)
            .await
            .map(|u| WriteEffect::User(Box::new(u))),
        ConfirmedWrite::UpdateUser { target, update } => {
            user_admin::update(conn, target, update, now)
                .await
                .map(|u| WriteEffect::User(Box::new(u)))
        }
        ConfirmedWrite::DeleteUser { target } => user_admin::delete(conn, target, now)
            .await
            .map(|()| WriteEffect::Done),
        ConfirmedWrite::ChangeServiceState { target, to } => {
            user_admin::change_service_state(conn, target, to, now)
                .await
                .map(|()| WriteEffect::Done)
        }
        ConfirmedWrite::ReleaseOtp { target } => otp::release(conn, target, now)
            .await
            .map(|()| WriteEffect::Done),
        ConfirmedWrite::RevokeToken { target } => otp::revoke(conn, target, now)
            .await
            .map(|()| WriteEffect::Done),
        ConfirmedWrite::RevokeCertificate { target } => {
            crate::certificates::revoke(conn, target, now)
                .await
                .map(|()| WriteEffect::Done)
        }
        ConfirmedWrite::RegisterPayee { new } => crate::payees::register(conn, new, now)
            .await
            .map(WriteEffect::Created),
        ConfirmedWrite::DeletePayee {
            company_id,
            payee_id,
        } => crate::payees::delete(conn, *company_id, *payee_id, now)
            .await
            .map(|()| WriteEffect::Done),
        ConfirmedWrite::RegisterBulkPayees(r) => crate::bulk_payees::register(conn, r, now)
            .await
            .map(WriteEffect::Created),
        ConfirmedWrite::UpdateBulkPayee {
            company_id,
            list,
            id,
            payee,
        } => crate::bulk_payees::update(conn, *company_id, list, *id, payee)
            .await
            .map(|()| WriteEffect::Done),
        ConfirmedWrite::DeleteBulkPayee {
            company_id,
            list,
            id,
        } => crate::bulk_payees::delete(conn, *company_id, list, *id, now)
            .await
            .map(|()| WriteEffect::Done),
        ConfirmedWrite::CreateTransfer { new, acceptance } => {
            crate::transfers::create(conn, new, acceptance.as_ref(), now)
                .await
                .map(WriteEffect::Created)
        }
        ConfirmedWrite::MoveTransfer(m) => crate::transfers::move_to(conn, m, now)
            .await
            .map(|()| WriteEffect::Done),
        ConfirmedWrite::ReviseTransfer(r) => crate::transfers::revise(conn, r, now)
            .await
            .map(|()| WriteEffect::Created(r.transfer_id)),
        ConfirmedWrite::MoveBulk(m) => crate::bulk::move_to(conn, m, now)
            .await
            .map(|()| WriteEffect::Done),
    }
}

#[async_trait]
impl ConfirmedStore for SqlStore {
    async fn claimed_key(
        &self,
        user_id: i64,
        key: &IdempotencyKey,
    ) -> StoreResult<Option<ClaimedKey>> {
        let mut conn = self.pool.acquire().await?;
        idempotency::read(&mut conn, user_id, key).await
    }

    async fn execute_confirmed(&self, change: ConfirmedChange) -> StoreResult<WriteEffect> {
        let ConfirmedChange {
            confirmed,
            write: what,
            otp_step,
            history,
        } = change;
        let now = history.occurred_at;
        let mut tx = self.begin_write().await?;
        let accepted =
            credentials::accept(&mut tx, Credential::ConfirmationPassword, confirmed.user_id)
                .await?;
        if !accepted {
            // Locked by concurrent guesses meanwhile: only the claim was settled.
            tx.commit().await?;
            return Err(StoreError::CredentialRefused);
        }
        if let Some(step) = otp_step {
            // The code is used up whatever the write does next; a refusal keeps the
            // password's acceptance with its own entry.
            if let Err(e) = otp::accept_code(&mut tx, confirmed.user_id, step).await {
                if let Some(code) = e.refusal_code() {
                    append_in(&mut tx, &self.history, &refused(&history, code)).await?;
                }
                tx.commit().await?;
                return Err(e);
            }
        }
        let attempt = {
            let mut savepoint = tx.begin().await?;
            let result = match idempotency::claim(&mut savepoint, &confirmed, now).await {
                Ok(()) => write(&mut savepoint, &what, now).await,
                Err(e) => Err(e),
            };
            match result {
                Ok(effect) => {
                    savepoint.commit().await?;
                    Ok(effect)
                }
                Err(e) => {
                    savepoint.rollback().await?;
                    Err(e)
                }
            }
        };
        match attempt {
            Ok(effect) => {
                append_in(&mut tx, &self.history, &completed(history, &effect)).await?;
                idempotency::record_outcome(&mut tx, &confirmed).await?;
                tx.commit().await?;
                Ok(effect)
            }
            Err(e) => {
                if let Some(code) = e.refusal_code() {
                    append_in(&mut tx, &self.history, &refused(&history, code)).await?;
                }
                tx.commit().await?;
                Err(e)
            }
        }
    }

    async fn execute_unattended(
        &self,
        what: ConfirmedWrite,
        history: HistoryDraft,
    ) -> StoreResult<WriteEffect> {
        let mut tx = self.begin_write().await?;
        let effect = write(&mut tx, &what, history.occurred_at).await?;
        append_in(&mut tx, &self.history, &completed(history, &effect)).await?;
        tx.commit().await?;
        Ok(effect)
    }
}
