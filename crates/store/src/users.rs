//! 利用者: lookup, creation, login successes and the forced password change. The attempt
//! counters that lock a credential are in `credentials.rs`; administrators' changes are in
//! `user_admin.rs`.

use async_trait::async_trait;
use std::collections::BTreeMap;

use madoguchi_domain::{Business, Credential, SessionStage, Yen};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::StoreResult;
use crate::connect::SqlStore;
use crate::credentials;
use crate::error::StoreError;
use crate::history::{HistoryDraft, append_in};
use crate::model::{NewSession, NewUser, SessionRecord, UnlockWhich, UserProfile, UserRecord};
use crate::sessions::{end_other_sessions, insert_session};

/// Users and their credentials.
#[async_trait]
pub trait UserStore {
    /// Registers a user. A login ID already used anywhere in the deployment (in any case)
    /// is `Conflict { constraint: "login_id" }`; a second master is `"master"`.
    async fn create_user(
        &self,
        company_id: i64,
        new: NewUser,
        history: HistoryDraft,
    ) -> StoreResult<UserRecord>;
    /// The user (deleted or not) whose login ID matches `login_key` case-insensitively.
    async fn user_by_login_key(&self, login_key: &str) -> StoreResult<Option<UserRecord>>;
    /// The user `user_id`, only if it belongs to `company_id`.
    async fn user(&self, company_id: i64, user_id: i64) -> StoreResult<Option<UserRecord>>;
    /// The company's users that are not deleted, by login ID.
    async fn users_of(&self, company_id: i64) -> StoreResult<Vec<UserRecord>>;
    /// A correct login: resets the count (only while the login password is unlocked and
    /// still the one that was checked, at the session's `credential_version`), moves
    /// 前回ログイン and opens the session. Otherwise `CredentialRefused`, and nothing happens.
    async fn record_login_success(
        &self,
        user_id: i64,
        session: NewSession,
        history: HistoryDraft,
    ) -> StoreResult<()>;
    /// The forced change at login: the passwords that had to be replaced, only while
    /// `session` still waits for it and the user's passwords are still those it was opened
    /// under (else `CredentialRefused`). Moves the credential version, lets this session
    /// in and ends every other session of the user.
    async fn change_passwords_at_login(
        &self,
        user_id: i64,
        login_password_hash: Option<&str>,
        confirm_password_hash: Option<&str>,
        session: &SessionRecord,
        history: HistoryDraft,
    ) -> StoreResult<()>;
    /// Replaces a stored hash (after a parameter change) without touching anything else.
    async fn rehash_login_password(&self, user_id: i64, hash: &str) -> StoreResult<()>;
    /// Releases a lock (利用停止解除) and ends nothing else.
    async fn unlock_user(
        &self,
        user_id: i64,
        which: UnlockWhich,
        history: HistoryDraft,
    ) -> StoreResult<()>;
}

fn flag(row: &AnyRow, column: &str) -> Result<bool, sqlx::Error> {
    Ok(row.try_get::<i64, _>(column)? != 0)
}

pub(crate) fn user_from_row(row: &AnyRow) -> Result<UserRecord, sqlx::Error> {
    Ok(UserRecord {
        id: row.try_get("id")?,
        company_id: row.try_get("company_id")?,
        login_id: row.try_get("login_id")?,
        name: row.try_get("name")?,
        email: row.try_get("email")?,
        is_master: flag(row, "is_master")?,
        is_admin: flag(row, "is_admin")?,
        login_password_hash: row.try_get("login_password_hash")?,
        confirm_password_hash: row.try_get("confirm_password_hash")?,
        must_change_password: flag(row, "must_change_password")?,
        must_change_confirmation: flag(row, "must_change_confirmation")?,
        login_failures: row.try_get("login_failures")?,
        login_locked: flag(row, "login_locked")?,
        confirm_failures: row.try_get("confirm_failures")?,
        confirm_locked: flag(row, "confirm_locked")?,
        otp_failures: row.try_get("otp_failures")?,
        otp_locked: flag(row, "otp_locked")?,
        last_login_at: row.try_get("last_login_at")?,
        previous_login_at: row.try_get("previous_login_at")?,
        stopped: flag(row, "stopped")?,
        deleted: row.try_get::<Option<i64>, _>("deleted_at")?.is_some(),
        profile: UserProfile {
            permissions: json_column(row, "permissions")?,
            account_ids: json_column(row, "account_ids")?,
            tx_limits: tx_limits(row)?,
        },
        version: row.try_get("version")?,
        credential_version: row.try_get("credential_version")?,
    })
}

/// 利用者一回当たり限度額 as stored: `{"transfer": 1000, …}` (keys: `Business::key`).
fn tx_limits(row: &AnyRow) -> Result<BTreeMap<Business, Yen>, sqlx::Error> {
    let stored: BTreeMap<Business, i64> = json_column(row, "tx_limits")?;
    stored
        .into_iter()
        .map(|(b, v)| {
            Yen::from_stored(v)
                .map(|y| (b, y))
                .ok_or_else(|| sqlx::Error::Decode(format!("negative limit {v}").into()))
        })
        .collect()
}

/// 利用者一回当たり限度額 for storage.
pub(crate) fn tx_limits_text(limits: &BTreeMap<Business, Yen>) -> String {
    let stored: BTreeMap<Business, i64> = limits.iter().map(|(b, y)| (*b, y.get())).collect();
    json_text(&stored)
}

fn json_column<T: serde::de::DeserializeOwned>(
    row: &AnyRow,
    column: &str,
) -> Result<T, sqlx::Error> {
    let text: String = row.try_get(column)?;
    serde_json::from_str(&text).map_err(|e| sqlx::Error::Decode(Box::new(e)))
}

/// JSON text of a profile list, for storage.
pub(crate) fn json_text<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "null".to_owned())
}

/// Inserts a user in the caller's transaction. A taken login ID (in any case) is
/// `Conflict { constraint: "login_id" }`, a second master `"master"`.
pub(crate) async fn insert_user(
    conn: &mut sqlx::AnyConnection,
    company_id: i64,
    new: &NewUser,
    now: i64,
) -> StoreResult<UserRecord> {
    let inserted = sqlx::query(
        "insert into users (company_id, login_id, login_key, name, email, is_master, is_admin,
             login_password_hash, confirm_password_hash, must_change_password,
             created_at, updated_at, permissions, account_ids, tx_limits, must_change_confirmation)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11, $12, $13, $14, $15) returning *",
    )
    .bind(company_id)
    .bind(&new.login_id)
    .bind(&new.login_key)
    .bind(&new.name)
    .bind(&new.email)
    .bind(i64::from(new.is_master))
    .bind(i64::from(new.is_admin))
    .bind(&new.login_password_hash)
    .bind(&new.confirm_password_hash)
    .bind(i64::from(new.must_change_password))
    .bind(now)
    .bind(json_text(&new.profile.permissions))
    .bind(json_text(&new.profile.account_ids))
    .bind(tx_limits_text(&new.profile.tx_limits))
    .bind(i64::from(new.must_change_confirmation))
    .fetch_one(&mut *conn)
    .await;
    match inserted {
        Ok(row) => Ok(user_from_row(&row)?),
        Err(e) if StoreError::is_unique_violation(&e) => {
            // PostgreSQL names the index (users_one_master); SQLite names its column.
            let text = e.to_string();
            let master = text.contains("master") || text.contains("users.company_id");
            let constraint = if master { "master" } else { "login_id" };
            Err(StoreError::Conflict { constraint })
        }
        Err(e) => Err(e.into()),
    }
}

#[async_trait]
impl UserStore for SqlStore {
    async fn create_user(
        &self,
        company_id: i64,
        new: NewUser,
        mut history: HistoryDraft,
    ) -> StoreResult<UserRecord> {
        let mut tx = self.begin_write().await?;
        let user = insert_user(&mut tx, company_id, &new, history.occurred_at).await?;
        if let (None, Some(details)) = (history.user_id, history.details.as_object_mut()) {
            details.insert("user_id".to_owned(), serde_json::json!(user.id));
        }
        append_in(&mut tx, &self.history, &history).await?;
        tx.commit().await?;
        Ok(user)
    }

    async fn user_by_login_key(&self, login_key: &str) -> StoreResult<Option<UserRecord>> {
        let row = sqlx::query("select * from users where login_key = $1")
            .bind(login_key)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.as_ref().map(user_from_row).transpose()?)
    }

    async fn user(&self, company_id: i64, user_id: i64) -> StoreResult<Option<UserRecord>> {
        let row = sqlx::query("select * from users where id = $1 and company_id = $2")
            .bind(user_id)
            .bind(company_id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.as_ref().map(user_from_row).transpose()?)
    }

    async fn users_of(&self, company_id: i64) -> StoreResult<Vec<UserRecord>> {
        let rows = sqlx::query(
            "select * from users where company_id = $1 and deleted_at is null order by login_key",
        )
        .bind(company_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.iter().map(user_from_row).collect::<Result<_, _>>()?)
    }

    async fn record_login_success(
        &self,
        user_id: i64,
        session: NewSession,
        history: HistoryDraft,
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "update users set login_failures = 0, previous_login_at = last_login_at,
                 last_login_at = $2, updated_at = $2,
                 login_pending = case when login_pending > 0 then login_pending - 1 else 0 end
             where id = $1 and login_locked = 0 and stopped = 0 and deleted_at is null
                 and credential_version = $3",
        )
        .bind(user_id)
        .bind(history.occurred_at)
        .bind(session.credential_version)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            // Locked (or the password changed) meanwhile: only the claim is settled.
            credentials::settle(&mut tx, Credential::LoginPassword, user_id).await?;
            tx.commit().await?;
            return Err(StoreError::CredentialRefused);
        }
        insert_session(&mut tx, &session).await?;
        append_in(&mut tx, &self.history, &history).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn change_passwords_at_login(
        &self,
        user_id: i64,
        login_password_hash: Option<&str>,
        confirm_password_hash: Option<&str>,
        session: &SessionRecord,
        history: HistoryDraft,
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        let changed = sqlx::query(
            "update users set login_password_hash = coalesce($2, login_password_hash),
                 confirm_password_hash = coalesce($3, confirm_password_hash),
                 must_change_password = 0, must_change_confirmation = 0, updated_at = $4,
                 credential_version = credential_version + 1
             where id = $1 and credential_version = $5 and deleted_at is null
             returning credential_version",
        )
        .bind(user_id)
        .bind(login_password_hash)
        .bind(confirm_password_hash)
        .bind(history.occurred_at)
        .bind(session.credential_version)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(changed) = changed else {
            tx.rollback().await?;
            return Err(StoreError::CredentialRefused);
        };
        let entered = sqlx::query(
            "update sessions set stage = $2, credential_version = $5
             where id_hash = $1 and stage = $3 and credential_version = $4",
        )
        .bind(&session.id_hash)
        .bind(SessionStage::Active.code())
        .bind(SessionStage::PasswordChange.code())
        .bind(session.credential_version)
        .bind(changed.try_get::<i64, _>("credential_version")?)
        .execute(&mut *tx)
        .await?;
        if entered.rows_affected() == 0 {
            tx.rollback().await?;
            return Err(StoreError::CredentialRefused);
        }
        end_other_sessions(&mut tx, user_id, Some(&session.id_hash)).await?;
        append_in(&mut tx, &self.history, &history).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn rehash_login_password(&self, user_id: i64, hash: &str) -> StoreResult<()> {
        sqlx::query("update users set login_password_hash = $2 where id = $1")
            .bind(user_id)
            .bind(hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn unlock_user(
        &self,
        user_id: i64,
        which: UnlockWhich,
        history: HistoryDraft,
    ) -> StoreResult<()> {
        let (login, confirm, otp) = match which {
            UnlockWhich::Login => (1, 0, 0),
            UnlockWhich::Confirmation => (0, 1, 0),
            UnlockWhich::Both => (1, 1, 0),
            UnlockWhich::Otp => (0, 0, 1),
        };
        let mut tx = self.begin_write().await?;
        let changed = sqlx::query(
            "update users set
                 login_locked = case when $2 = 1 then 0 else login_locked end,
                 login_failures = case when $2 = 1 then 0 else login_failures end,
                 login_pending = case when $2 = 1 then 0 else login_pending end,
                 confirm_locked = case when $3 = 1 then 0 else confirm_locked end,
                 confirm_failures = case when $3 = 1 then 0 else confirm_failures end,
                 confirm_pending = case when $3 = 1 then 0 else confirm_pending end,
                 otp_locked = case when $5 = 1 then 0 else otp_locked end,
                 otp_failures = case when $5 = 1 then 0 else otp_failures end,
                 otp_pending = case when $5 = 1 then 0 else otp_pending end,
                 updated_at = $4
             where id = $1 and deleted_at is null",
        )
        .bind(user_id)
        .bind(login)
        .bind(confirm)
        .bind(history.occurred_at)
        .bind(otp)
        .execute(&mut *tx)
        .await?;
        if changed.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        append_in(&mut tx, &self.history, &history).await?;
        tx.commit().await?;
        Ok(())
    }
}
