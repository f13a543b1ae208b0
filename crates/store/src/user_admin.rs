//! 利用者管理 by a company's administrators: register, change, delete, and release or
//! reset a locked user. Each is one transaction with its 操作履歴 entry and the confirm
//! screen's idempotency key.

use async_trait::async_trait;
use sqlx::Row;

use crate::StoreResult;
use crate::connect::SqlStore;
use crate::error::StoreError;
use crate::history::HistoryDraft;
use crate::idempotency;
use crate::model::{NewUser, UnlockWhich, UserProfile, UserRecord};
use crate::settings::Confirmed;
use crate::users::{insert_user, json_text, user_from_row};

/// A change of a user by an administrator.
#[derive(Debug, Clone)]
pub struct UserUpdate {
    pub login_id: String,
    pub login_key: String,
    pub name: String,
    pub email: String,
    pub is_admin: bool,
    /// A new login password hash, when 「変更する」 was checked.
    pub login_password_hash: Option<String>,
    pub confirm_password_hash: Option<String>,
    /// 「ログイン時に強制変更する」: the passwords this administrator set must be replaced.
    pub must_change_password: bool,
    pub must_change_confirmation: bool,
    pub profile: UserProfile,
}

/// Administrators' operations on users.
#[async_trait]
pub trait UserAdminStore {
    /// 利用者情報の新規登録: refused as `Conflict { constraint: "user_limit" }` when the
    /// company already has `max_users` users, `"login_id"` when the ID is taken anywhere.
    async fn register_user(
        &self,
        new: NewUser,
        max_users: i64,
        confirmed: &Confirmed,
        history: HistoryDraft,
    ) -> StoreResult<UserRecord>;

    /// 利用者情報の変更, at `expected_version` (else `Stale`).
    async fn update_user(
        &self,
        company_id: i64,
        user_id: i64,
        expected_version: i64,
        update: &UserUpdate,
        confirmed: &Confirmed,
        history: HistoryDraft,
    ) -> StoreResult<UserRecord>;

    /// 利用者情報の削除: the row stays (history, and the login ID is never reused); the
    /// user's sessions end in the same transaction.
    async fn delete_user(
        &self,
        company_id: i64,
        user_id: i64,
        expected_version: i64,
        confirmed: &Confirmed,
        history: HistoryDraft,
    ) -> StoreResult<()>;

    /// 利用者停止・解除: releases `which` lock, optionally setting new password hashes that
    /// must be changed at the next login.
    async fn release_user(
        &self,
        company_id: i64,
        user_id: i64,
        which: UnlockWhich,
        new_hashes: (Option<String>, Option<String>),
        confirmed: &Confirmed,
        history: HistoryDraft,
    ) -> StoreResult<()>;
}

#[async_trait]
impl UserAdminStore for SqlStore {
    async fn register_user(
        &self,
        new: NewUser,
        max_users: i64,
        confirmed: &Confirmed,
        mut history: HistoryDraft,
    ) -> StoreResult<UserRecord> {
        let now = history.occurred_at;
        let mut tx = self.begin_write().await?;
        idempotency::claim(&mut tx, &confirmed.key, confirmed.user_id, now).await?;
        // Takes the company row's lock: registrations of one company queue up, so the
        // count below cannot be passed by two at once (PostgreSQL; SQLite has one writer).
        sqlx::query("update companies set updated_at = updated_at where id = $1")
            .bind(new.company_id)
            .execute(&mut *tx)
            .await?;
        let count: i64 = sqlx::query(
            "select count(*) as n from users where company_id = $1 and deleted_at is null",
        )
        .bind(new.company_id)
        .fetch_one(&mut *tx)
        .await?
        .try_get("n")?;
        if count >= max_users {
            return Err(StoreError::Conflict {
                constraint: "user_limit",
            });
        }
        let user = insert_user(&mut tx, &new, now).await?;
        if let Some(details) = history.details.as_object_mut() {
            details.insert("user_id".to_owned(), serde_json::json!(user.id));
        }
        idempotency::finish(tx, &history, confirmed).await?;
        Ok(user)
    }

    async fn update_user(
        &self,
        company_id: i64,
        user_id: i64,
        expected_version: i64,
        u: &UserUpdate,
        confirmed: &Confirmed,
        history: HistoryDraft,
    ) -> StoreResult<UserRecord> {
        let now = history.occurred_at;
        let mut tx = self.begin_write().await?;
        idempotency::claim(&mut tx, &confirmed.key, confirmed.user_id, now).await?;
        let updated = sqlx::query(
            "update users set login_id = $4, login_key = $5, name = $6, email = $7, is_admin = $8,
                 login_password_hash = coalesce($9, login_password_hash),
                 confirm_password_hash = coalesce($10, confirm_password_hash),
                 must_change_password = $11, permissions = $12, account_ids = $13, tx_limits = $14,
                 version = version + 1, updated_at = $15, must_change_confirmation = $16
             where id = $1 and company_id = $2 and version = $3 and deleted_at is null
             returning *",
        )
        .bind(user_id)
        .bind(company_id)
        .bind(expected_version)
        .bind(&u.login_id)
        .bind(&u.login_key)
        .bind(&u.name)
        .bind(&u.email)
        .bind(i64::from(u.is_admin))
        .bind(&u.login_password_hash)
        .bind(&u.confirm_password_hash)
        .bind(i64::from(u.must_change_password))
        .bind(json_text(&u.profile.permissions))
        .bind(json_text(&u.profile.account_ids))
        .bind(json_text(&u.profile.tx_limits))
        .bind(now)
        .bind(i64::from(u.must_change_confirmation))
        .fetch_optional(&mut *tx)
        .await;
        let row = match updated {
            Ok(Some(row)) => row,
            Ok(None) => return Err(StoreError::Stale),
            Err(e) if StoreError::is_unique_violation(&e) => {
                return Err(StoreError::Conflict {
                    constraint: "login_id",
                });
            }
            Err(e) => return Err(e.into()),
        };
        let user = user_from_row(&row)?;
        idempotency::finish(tx, &history, confirmed).await?;
        Ok(user)
    }

    async fn delete_user(
        &self,
        company_id: i64,
        user_id: i64,
        expected_version: i64,
        confirmed: &Confirmed,
        history: HistoryDraft,
    ) -> StoreResult<()> {
        let now = history.occurred_at;
        let mut tx = self.begin_write().await?;
        idempotency::claim(&mut tx, &confirmed.key, confirmed.user_id, now).await?;
        let done = sqlx::query(
            "update users set deleted_at = $4, version = version + 1, updated_at = $4
             where id = $1 and company_id = $2 and version = $3 and deleted_at is null and is_master = 0",
        )
        .bind(user_id)
        .bind(company_id)
        .bind(expected_version)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Stale);
        }
        sqlx::query("delete from sessions where user_id = $1")
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        idempotency::finish(tx, &history, confirmed).await?;
        Ok(())
    }

    async fn release_user(
        &self,
        company_id: i64,
        user_id: i64,
        which: UnlockWhich,
        (login_hash, confirm_hash): (Option<String>, Option<String>),
        confirmed: &Confirmed,
        history: HistoryDraft,
    ) -> StoreResult<()> {
        let (login, confirm) = match which {
            UnlockWhich::Login => (1, 0),
            UnlockWhich::Confirmation => (0, 1),
            UnlockWhich::Both => (1, 1),
        };
        let now = history.occurred_at;
        let mut tx = self.begin_write().await?;
        idempotency::claim(&mut tx, &confirmed.key, confirmed.user_id, now).await?;
        let done = sqlx::query(
            "update users set
                 login_locked = case when $3 = 1 then 0 else login_locked end,
                 login_failures = case when $3 = 1 then 0 else login_failures end,
                 confirm_locked = case when $4 = 1 then 0 else confirm_locked end,
                 confirm_failures = case when $4 = 1 then 0 else confirm_failures end,
                 login_password_hash = coalesce($5, login_password_hash),
                 confirm_password_hash = coalesce($6, confirm_password_hash),
                 must_change_password = case when $5 is not null then 1 else must_change_password end,
                 must_change_confirmation = case when $6 is not null then 1 else must_change_confirmation end,
                 version = version + 1, updated_at = $7
             where id = $1 and company_id = $2 and deleted_at is null",
        )
        .bind(user_id)
        .bind(company_id)
        .bind(login)
        .bind(confirm)
        .bind(&login_hash)
        .bind(&confirm_hash)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        idempotency::finish(tx, &history, confirmed).await?;
        Ok(())
    }
}
