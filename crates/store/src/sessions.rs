//! Server-side sessions, kept in the database so several app servers can share them.

use async_trait::async_trait;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use madoguchi_domain::SessionStage;

use crate::StoreResult;
use crate::connect::SqlStore;
use crate::error::StoreError;
use crate::history::{HistoryDraft, append_in};
use crate::model::{NewSession, SessionRecord};

/// Sessions.
#[async_trait]
pub trait SessionStore {
    async fn session(&self, id_hash: &str) -> StoreResult<Option<SessionRecord>>;
    /// Records activity, which pushes back the idle timeout.
    async fn touch_session(&self, id_hash: &str, now: i64) -> StoreResult<()>;
    /// Ends one session, recording why (logout, timeout) when `history` is given.
    async fn end_session(&self, id_hash: &str, history: Option<HistoryDraft>) -> StoreResult<()>;
    /// Ends every session of a user (deleted, locked, credentials revoked).
    async fn end_sessions_of_user(&self, user_id: i64) -> StoreResult<u64>;
    /// Deletes sessions idle since before `idle_before` or created before `created_before`.
    async fn purge_sessions(&self, idle_before: i64, created_before: i64) -> StoreResult<u64>;
}

pub(crate) async fn insert_session(conn: &mut AnyConnection, s: &NewSession) -> StoreResult<()> {
    sqlx::query(
        "insert into sessions (id_hash, user_id, company_id, csrf_token, stage,
             created_at, last_seen_at, ip, user_agent, credential_version, certificate_serial)
         values ($1, $2, $3, $4, $5, $6, $6, $7, $8, $9, $10)",
    )
    .bind(&s.id_hash)
    .bind(s.user_id)
    .bind(s.company_id)
    .bind(&s.csrf_token)
    .bind(s.stage.code())
    .bind(s.created_at)
    .bind(&s.ip)
    .bind(&s.user_agent)
    .bind(s.credential_version)
    .bind(&s.certificate_serial)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Ends every session of `user_id` but `except` (the one making the change), in the
/// caller's transaction: a change of the user's passwords, a deletion or a stop.
pub(crate) async fn end_other_sessions(
    conn: &mut AnyConnection,
    user_id: i64,
    except: Option<&str>,
) -> StoreResult<u64> {
    let done = sqlx::query("delete from sessions where user_id = $1 and id_hash <> $2")
        .bind(user_id)
        .bind(except.unwrap_or(""))
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected())
}

fn session_from_row(row: &AnyRow) -> StoreResult<SessionRecord> {
    let stage: String = row.try_get("stage")?;
    Ok(SessionRecord {
        id_hash: row.try_get("id_hash")?,
        user_id: row.try_get("user_id")?,
        company_id: row.try_get("company_id")?,
        csrf_token: row.try_get("csrf_token")?,
        stage: SessionStage::from_code(&stage)
            .ok_or_else(|| StoreError::Corrupt(format!("session stage {stage}")))?,
        credential_version: row.try_get("credential_version")?,
        created_at: row.try_get("created_at")?,
        last_seen_at: row.try_get("last_seen_at")?,
        otp_enrollment: row.try_get("otp_enrollment")?,
        certificate_serial: row.try_get("certificate_serial")?,
    })
}

#[async_trait]
impl SessionStore for SqlStore {
    async fn session(&self, id_hash: &str) -> StoreResult<Option<SessionRecord>> {
        let row = sqlx::query("select * from sessions where id_hash = $1")
            .bind(id_hash)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(session_from_row).transpose()
    }

    async fn touch_session(&self, id_hash: &str, now: i64) -> StoreResult<()> {
        sqlx::query(
            "update sessions set last_seen_at = $2 where id_hash = $1 and last_seen_at < $2",
        )
        .bind(id_hash)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn end_session(&self, id_hash: &str, history: Option<HistoryDraft>) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query("delete from sessions where id_hash = $1")
            .bind(id_hash)
            .execute(&mut *tx)
            .await?;
        if let Some(history) = history {
            append_in(&mut tx, &self.history, &history).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn end_sessions_of_user(&self, user_id: i64) -> StoreResult<u64> {
        let mut conn = self.pool.acquire().await?;
        end_other_sessions(&mut conn, user_id, None).await
    }

    async fn purge_sessions(&self, idle_before: i64, created_before: i64) -> StoreResult<u64> {
        let done = sqlx::query("delete from sessions where last_seen_at < $1 or created_at < $2")
            .bind(idle_before)
            .bind(created_before)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }
}
