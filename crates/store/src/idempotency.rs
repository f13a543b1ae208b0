//! Idempotency keys: each confirm screen carries a fresh key, and the change it confirms
//! claims that key in the change's own transaction. A second submit of the same screen
//! (reload, double click, a retried API call) finds the key taken and changes nothing.

use sqlx::{AnyConnection, Row};

use crate::StoreResult;
use crate::error::StoreError;

/// Claims `key` for `user_id`, or reports the outcome of the execution that claimed it.
pub(crate) async fn claim(
    conn: &mut AnyConnection,
    key: &str,
    user_id: i64,
    now: i64,
) -> StoreResult<()> {
    let claimed = sqlx::query(
        "insert into idempotency_keys (key, user_id, created_at, outcome) values ($1, $2, $3, '')
         on conflict (user_id, key) do nothing returning key",
    )
    .bind(key)
    .bind(user_id)
    .bind(now)
    .fetch_optional(&mut *conn)
    .await?;
    if claimed.is_some() {
        return Ok(());
    }
    let outcome =
        sqlx::query("select outcome from idempotency_keys where key = $1 and user_id = $2")
            .bind(key)
            .bind(user_id)
            .fetch_optional(&mut *conn)
            .await?
            .map(|r| r.try_get::<String, _>("outcome"))
            .transpose()?
            .unwrap_or_default();
    Err(StoreError::AlreadyExecuted { outcome })
}

/// Records what the execution produced, for showing the 結果 again on a repeat.
pub(crate) async fn record_outcome(
    conn: &mut AnyConnection,
    key: &str,
    user_id: i64,
    outcome: &str,
) -> StoreResult<()> {
    sqlx::query("update idempotency_keys set outcome = $2 where key = $1 and user_id = $3")
        .bind(key)
        .bind(outcome)
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Ends a confirmed change: appends its 操作履歴 entry, remembers the outcome under the
/// confirm screen's key, and commits — all three or none.
pub(crate) async fn finish(
    mut tx: sqlx::Transaction<'static, sqlx::Any>,
    history: &crate::history::HistoryDraft,
    confirmed: &crate::settings::Confirmed,
) -> StoreResult<()> {
    crate::history::append_in(&mut tx, history).await?;
    record_outcome(
        &mut tx,
        &confirmed.key,
        confirmed.user_id,
        &confirmed.outcome,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
