//! 利用者管理 by a company's administrators: the writes of register, change, delete and
//! release, each run inside the one confirmed-change transaction (`confirmed.rs`).
//!
//! Every write is scoped to the company and checks, in the database, the rules that must
//! hold whoever calls: the user belongs to the company and is not deleted, nobody but the
//! マスターユーザ itself touches the マスターユーザ, and the version is the one the change
//! was prepared at. A change of a user's passwords moves the user's credential version and
//! ends the user's other sessions in the same transaction.

use sqlx::{AnyConnection, Row};

use crate::StoreResult;
use crate::error::StoreError;
use crate::model::{NewUser, UserProfile, UserRecord};
use crate::sessions::end_other_sessions;
use crate::users::{insert_user, json_text, tx_limits_text, user_from_row};

/// The user an administrator acts on, as of the version the change was prepared at.
#[derive(Debug, Clone)]
pub struct Target {
    pub company_id: i64,
    pub user_id: i64,
    pub expected_version: i64,
    /// The acting user: only the マスターユーザ itself may change the マスターユーザ.
    pub actor_id: i64,
    /// The acting session, kept when the actor changes their own passwords.
    pub acting_session: String,
}

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

/// The target as it is now: found in the company, not deleted, and one the actor may act on.
async fn target_row(conn: &mut AnyConnection, t: &Target) -> StoreResult<UserRecord> {
    let row =
        sqlx::query("select * from users where id = $1 and company_id = $2 and deleted_at is null")
            .bind(t.user_id)
            .bind(t.company_id)
            .fetch_optional(&mut *conn)
            .await?
            .ok_or(StoreError::NotFound)?;
    let user = user_from_row(&row)?;
    if user.is_master && user.id != t.actor_id {
        return Err(StoreError::NotAllowed);
    }
    Ok(user)
}

/// After a change of `t`'s passwords: the acting session (when the actor changed their
/// own) stays at the new credential version; every other session of the user ends.
async fn passwords_changed(conn: &mut AnyConnection, t: &Target) -> StoreResult<()> {
    sqlx::query(
        "update sessions set credential_version =
             (select credential_version from users where id = $2)
         where id_hash = $1 and user_id = $2",
    )
    .bind(&t.acting_session)
    .bind(t.user_id)
    .execute(&mut *conn)
    .await?;
    end_other_sessions(conn, t.user_id, Some(&t.acting_session)).await?;
    Ok(())
}

/// 利用者情報の新規登録: `Conflict { constraint: "user_limit" }` when the company already
/// has `max_users` users, `"login_id"` when the ID is taken anywhere.
pub(crate) async fn register(
    conn: &mut AnyConnection,
    company_id: i64,
    new: &NewUser,
    max_users: i64,
    now: i64,
) -> StoreResult<UserRecord> {
    // Takes the company row's lock: registrations of one company queue up, so the count
    // below cannot be passed by two at once (PostgreSQL; SQLite has one writer).
    sqlx::query("update companies set updated_at = updated_at where id = $1")
        .bind(company_id)
        .execute(&mut *conn)
        .await?;
    let count: i64 =
        sqlx::query("select count(*) as n from users where company_id = $1 and deleted_at is null")
            .bind(company_id)
            .fetch_one(&mut *conn)
            .await?
            .try_get("n")?;
    if count >= max_users {
        return Err(StoreError::Conflict {
            constraint: "user_limit",
        });
    }
    insert_user(conn, company_id, new, now).await
}

/// 利用者情報の変更, at the target's expected version (else `Stale`).
pub(crate) async fn update(
    conn: &mut AnyConnection,
    t: &Target,
    u: &UserUpdate,
    now: i64,
) -> StoreResult<UserRecord> {
    let current = target_row(conn, t).await?;
    let passwords = u.login_password_hash.is_some() || u.confirm_password_hash.is_some();
    let updated = sqlx::query(
        "update users set login_id = $4, login_key = $5, name = $6, email = $7, is_admin = $8,
             login_password_hash = coalesce($9, login_password_hash),
             confirm_password_hash = coalesce($10, confirm_password_hash),
             must_change_password = $11, permissions = $12, account_ids = $13, tx_limits = $14,
             version = version + 1, updated_at = $15, must_change_confirmation = $16,
             credential_version = credential_version + $17
         where id = $1 and company_id = $2 and version = $3 and deleted_at is null
         returning *",
    )
    .bind(t.user_id)
    .bind(t.company_id)
    .bind(t.expected_version)
    .bind(&u.login_id)
    .bind(&u.login_key)
    .bind(&u.name)
    .bind(&u.email)
    // The マスターユーザ always keeps 管理者権限.
    .bind(i64::from(u.is_admin || current.is_master))
    .bind(&u.login_password_hash)
    .bind(&u.confirm_password_hash)
    .bind(i64::from(u.must_change_password))
    .bind(json_text(&u.profile.permissions))
    .bind(json_text(&u.profile.account_ids))
    .bind(tx_limits_text(&u.profile.tx_limits))
    .bind(now)
    .bind(i64::from(u.must_change_confirmation))
    .bind(i64::from(passwords))
    .fetch_optional(&mut *conn)
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
    if passwords {
        passwords_changed(conn, t).await?;
    }
    Ok(user_from_row(&row)?)
}

/// 利用者情報の削除: the row stays (history, and the login ID is never reused); the
/// user's sessions end.
pub(crate) async fn delete(conn: &mut AnyConnection, t: &Target, now: i64) -> StoreResult<()> {
    let current = target_row(conn, t).await?;
    if current.is_master || current.id == t.actor_id {
        return Err(StoreError::NotAllowed);
    }
    let done = sqlx::query(
        "update users set deleted_at = $4, version = version + 1, updated_at = $4
         where id = $1 and company_id = $2 and version = $3 and deleted_at is null
             and is_master = 0",
    )
    .bind(t.user_id)
    .bind(t.company_id)
    .bind(t.expected_version)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::Stale);
    }
    end_other_sessions(conn, t.user_id, None).await?;
    Ok(())
}

/// 変更後のサービス状態 of 利用者停止・解除.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServiceChange {
    /// 利用可能: every lock released and a stop lifted, optionally with new password
    /// hashes that must be changed at the next login.
    Available {
        new_hashes: (Option<String>, Option<String>),
    },
    /// 利用停止 (管理者による利用停止): the user can no longer log in; their sessions end.
    Stopped,
}

/// 利用者停止・解除: sets the サービス状態 of `t` — never one's own — at its version. A stop,
/// or new passwords, end the user's sessions in this transaction.
pub(crate) async fn change_service_state(
    conn: &mut AnyConnection,
    t: &Target,
    to: &ServiceChange,
    now: i64,
) -> StoreResult<()> {
    let current = target_row(conn, t).await?;
    if current.id == t.actor_id {
        return Err(StoreError::NotAllowed);
    }
    let (done, ends_sessions) = match to {
        ServiceChange::Available {
            new_hashes: (login_hash, confirm_hash),
        } => {
            let reissued = login_hash.is_some() || confirm_hash.is_some();
            let done = sqlx::query(
                "update users set
                     login_locked = 0, login_failures = 0, login_pending = 0,
                     confirm_locked = 0, confirm_failures = 0, confirm_pending = 0, stopped = 0,
                     login_password_hash = coalesce($4, login_password_hash),
                     confirm_password_hash = coalesce($5, confirm_password_hash),
                     must_change_password = case when $4 is not null then 1 else must_change_password end,
                     must_change_confirmation = case when $5 is not null then 1 else must_change_confirmation end,
                     credential_version = credential_version + $7,
                     version = version + 1, updated_at = $6
                 where id = $1 and company_id = $2 and version = $3 and deleted_at is null",
            )
            .bind(t.user_id)
            .bind(t.company_id)
            .bind(t.expected_version)
            .bind(login_hash)
            .bind(confirm_hash)
            .bind(now)
            .bind(i64::from(reissued))
            .execute(&mut *conn)
            .await?;
            (done, reissued)
        }
        ServiceChange::Stopped => {
            let done = sqlx::query(
                "update users set stopped = 1, version = version + 1, updated_at = $4
                 where id = $1 and company_id = $2 and version = $3 and deleted_at is null",
            )
            .bind(t.user_id)
            .bind(t.company_id)
            .bind(t.expected_version)
            .bind(now)
            .execute(&mut *conn)
            .await?;
            (done, true)
        }
    };
    if done.rows_affected() == 0 {
        return Err(StoreError::Stale);
    }
    if ends_sessions {
        end_other_sessions(conn, t.user_id, None).await?;
    }
    Ok(())
}

/// After a conditional write that changed `changed` rows: done, or `Stale` when the user
/// exists but is no longer in the state the change was for, or `NotFound`.
pub(crate) async fn exists_or_stale(
    conn: &mut AnyConnection,
    t: &Target,
    changed: u64,
) -> StoreResult<()> {
    if changed == 1 {
        return Ok(());
    }
    let exists = sqlx::query(
        "select id from users where id = $1 and company_id = $2 and deleted_at is null",
    )
    .bind(t.user_id)
    .bind(t.company_id)
    .fetch_optional(&mut *conn)
    .await?
    .is_some();
    Err(if exists {
        StoreError::Stale
    } else {
        StoreError::NotFound
    })
}

/// Revokes what the target holds one of at a time (a token, a certificate) with `update`
/// — a conditional update of the one in use, binding $1 user, $2 company, $3 now, $4 the
/// actor — and ends every session of the user (the actor's own too), in the caller's
/// transaction. `Stale` when there is none in use any more, `NotFound` without the user.
pub(crate) async fn revoke_in_use(
    conn: &mut AnyConnection,
    t: &Target,
    now: i64,
    update: &'static str,
) -> StoreResult<()> {
    let done = sqlx::query(update)
        .bind(t.user_id)
        .bind(t.company_id)
        .bind(now)
        .bind(t.actor_id)
        .execute(&mut *conn)
        .await?;
    exists_or_stale(conn, t, done.rows_affected()).await?;
    end_other_sessions(conn, t.user_id, None).await?;
    Ok(())
}
