//! Idempotency keys: each confirm screen carries a fresh key (API clients choose their
//! own), and the change it confirms claims that key in the change's own transaction. The
//! key is bound to the operation and to a hash of what was asked: the same key sent again
//! for the same request finds the first execution's outcome and changes nothing; sent for
//! another operation or another input, it is refused (`KeyReused`), never reported as done.

use madoguchi_domain::IdempotencyKey;
use sqlx::{AnyConnection, Row};

use crate::StoreResult;
use crate::error::StoreError;

/// A confirmed execution: whose key, for which operation and request, and what to
/// remember as its outcome (shown again when the same request is sent twice).
#[derive(Debug, Clone)]
pub struct Confirmed {
    pub key: IdempotencyKey,
    /// The user who confirmed (keys are unique per user).
    pub user_id: i64,
    /// A stable name of the operation, e.g. `users.delete`.
    pub operation: String,
    /// SHA-256 (hex) of the request's canonical input, without secrets.
    pub request_hash: String,
    pub outcome: String,
}

/// What a key was claimed for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimedKey {
    pub operation: String,
    pub request_hash: String,
    pub outcome: String,
}

impl ClaimedKey {
    /// True when the claim was made for this very request.
    pub fn is_for(&self, operation: &str, request_hash: &str) -> bool {
        self.operation == operation && self.request_hash == request_hash
    }
}

pub(crate) async fn read(
    conn: &mut AnyConnection,
    user_id: i64,
    key: &IdempotencyKey,
) -> StoreResult<Option<ClaimedKey>> {
    let row = sqlx::query(
        "select operation, request_hash, outcome from idempotency_keys
         where key = $1 and user_id = $2",
    )
    .bind(key.as_str())
    .bind(user_id)
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|r| {
        Ok(ClaimedKey {
            operation: r.try_get("operation")?,
            request_hash: r.try_get("request_hash")?,
            outcome: r.try_get("outcome")?,
        })
    })
    .transpose()
}

/// Claims the key for `confirmed`, or reports why not: `AlreadyExecuted` with the first
/// outcome for the same request, `KeyReused` for any other.
pub(crate) async fn claim(
    conn: &mut AnyConnection,
    confirmed: &Confirmed,
    now: i64,
) -> StoreResult<()> {
    let claimed = sqlx::query(
        "insert into idempotency_keys (key, user_id, created_at, outcome, operation, request_hash)
         values ($1, $2, $3, '', $4, $5)
         on conflict (user_id, key) do nothing returning key",
    )
    .bind(confirmed.key.as_str())
    .bind(confirmed.user_id)
    .bind(now)
    .bind(&confirmed.operation)
    .bind(&confirmed.request_hash)
    .fetch_optional(&mut *conn)
    .await?;
    if claimed.is_some() {
        return Ok(());
    }
    match read(conn, confirmed.user_id, &confirmed.key).await? {
        Some(c) if c.is_for(&confirmed.operation, &confirmed.request_hash) => {
            Err(StoreError::AlreadyExecuted { outcome: c.outcome })
        }
        _ => Err(StoreError::KeyReused),
    }
}

/// Records what the execution produced, for showing the 結果 again on a repeat.
pub(crate) async fn record_outcome(
    conn: &mut AnyConnection,
    confirmed: &Confirmed,
) -> StoreResult<()> {
    sqlx::query("update idempotency_keys set outcome = $2 where key = $1 and user_id = $3")
        .bind(confirmed.key.as_str())
        .bind(&confirmed.outcome)
        .bind(confirmed.user_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}
