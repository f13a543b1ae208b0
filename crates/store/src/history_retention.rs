//! Retention of the 操作履歴: removing entries older than the bank keeps them, so that what
//! remains still verifies on its own.
//!
//! Each chain loses a prefix, never a middle: the purge finds the first position that is
//! to stay, writes a **start record** (`history_purges`: the chain, that position, the MAC
//! of the entry before it, all MAC'd under the history key) and deletes the positions
//! before it; the schema refuses to delete any entry not behind such a record.
//! Verification starts each chain at its newest start record instead of at the genesis,
//! and refuses one not signed with the key. A removed start record leaves a gap the walk
//! finds; a forged one has no valid MAC.
//!
//! A purge works in transactions of at most `batch` entries, and records itself in the
//! bank's own chain of the 操作履歴 in the same transaction as the deletion.

use async_trait::async_trait;
use sqlx::{AnyConnection, Row};

use crate::StoreResult;
use crate::connect::SqlStore;
use crate::history::{
    GENESIS_HASH, HistoryDraft, HistoryKey, append_in, read_heads, read_legacy_head,
};

/// The chain number of the entries written before chains (format 1, positioned by `seq`).
pub const LEGACY_CHAIN: i64 = -1;

/// Where a chain starts after purges: its first position and its predecessor's MAC.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainStart {
    pub first_seq: i64,
    pub prev_hash: String,
}

impl ChainStart {
    /// A chain no purge has touched.
    pub fn genesis() -> Self {
        Self {
            first_seq: 1,
            prev_hash: GENESIS_HASH.to_owned(),
        }
    }
}

/// What one purge transaction removed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Purged {
    /// Entries removed.
    pub removed: i64,
    /// (chain, entries removed) for every chain that lost some.
    pub chains: Vec<(i64, i64)>,
}

/// The MAC of a start record.
pub(crate) fn start_mac(key: &HistoryKey, chain: i64, start: &ChainStart, at: i64) -> String {
    key.mac(&[
        "purge",
        &chain.to_string(),
        &start.first_seq.to_string(),
        &start.prev_hash,
        &at.to_string(),
    ])
}

#[async_trait]
pub trait HistoryRetentionStore {
    /// Removes at most `batch` entries that occurred before `cutoff` (UTC µs), oldest
    /// first in each chain, and appends `record` (its details gain the counts) in the same
    /// transaction. Nothing is removed, and nothing recorded, when nothing is due.
    async fn purge_history(
        &self,
        cutoff: i64,
        now: i64,
        batch: i64,
        record: HistoryDraft,
    ) -> StoreResult<Purged>;
}

/// The newest start record of `chain` whose MAC holds, or the genesis; `Err` with the
/// reason when a record's MAC does not hold.
pub(crate) async fn chain_start(
    conn: &mut AnyConnection,
    key: &HistoryKey,
    chain: i64,
) -> StoreResult<Result<ChainStart, String>> {
    let rows = sqlx::query(
        "select created_at, first_seq, prev_hash, mac from history_purges
         where chain = $1 order by first_seq",
    )
    .bind(chain)
    .fetch_all(&mut *conn)
    .await?;
    let mut start = ChainStart::genesis();
    for row in &rows {
        let found = ChainStart {
            first_seq: row.try_get("first_seq")?,
            prev_hash: row.try_get("prev_hash")?,
        };
        let mac: String = row.try_get("mac")?;
        if mac != start_mac(key, chain, &found, row.try_get("created_at")?) {
            return Ok(Err(format!(
                "a purge record of chain {chain} (from {}) is not signed with this deployment's key",
                found.first_seq
            )));
        }
        start = found;
    }
    Ok(Ok(start))
}

/// The position column and filter of `chain`'s entries.
fn position(chain: i64) -> (&'static str, &'static str) {
    if chain == LEGACY_CHAIN {
        ("seq", "format = 1 and $1 = $1")
    } else {
        ("chain_seq", "chain = $1")
    }
}

impl SqlStore {
    /// Purges one chain inside `conn`: its new start, or `None` when nothing is due.
    async fn purge_chain(
        &self,
        conn: &mut AnyConnection,
        chain: i64,
        head: (i64, String),
        cutoff: i64,
        now: i64,
        budget: i64,
    ) -> StoreResult<Option<i64>> {
        let key = self.history.key()?;
        let start = match chain_start(conn, key, chain).await? {
            Ok(start) => start,
            // A forged start record: purge nothing until verification has been looked at.
            Err(_) => return Ok(None),
        };
        let (pos, only) = position(chain);
        let limit = start.first_seq + budget;
        // The first position to keep: the first not older than the cutoff, the budget's
        // end, or past the head when every entry is due.
        // `pos` and `only` are one of two fixed pairs (`position`), never input.
        let kept = sqlx::query(sqlx::AssertSqlSafe(format!(
            "select {pos} as pos, prev_hash from history
             where {only} and {pos} >= $2 and ({pos} >= $3 or occurred_at >= $4)
             order by {pos} limit 1"
        )))
        .bind(chain)
        .bind(start.first_seq)
        .bind(limit)
        .bind(cutoff)
        .fetch_optional(&mut *conn)
        .await?;
        let next = match kept {
            Some(row) => ChainStart {
                first_seq: row.try_get("pos")?,
                prev_hash: row.try_get("prev_hash")?,
            },
            None => ChainStart {
                first_seq: head.0 + 1,
                prev_hash: head.1,
            },
        };
        if next.first_seq <= start.first_seq {
            return Ok(None);
        }
        sqlx::query(
            "insert into history_purges (created_at, chain, first_seq, prev_hash, mac)
             values ($1, $2, $3, $4, $5)",
        )
        .bind(now)
        .bind(chain)
        .bind(next.first_seq)
        .bind(&next.prev_hash)
        .bind(start_mac(key, chain, &next, now))
        .execute(&mut *conn)
        .await?;
        let removed = sqlx::query(sqlx::AssertSqlSafe(format!(
            "delete from history where {only} and {pos} >= $2 and {pos} < $3"
        )))
        .bind(chain)
        .bind(start.first_seq)
        .bind(next.first_seq)
        .execute(&mut *conn)
        .await?
        .rows_affected();
        Ok(Some(i64::try_from(removed).unwrap_or(i64::MAX)))
    }
}

#[async_trait]
impl HistoryRetentionStore for SqlStore {
    async fn purge_history(
        &self,
        cutoff: i64,
        now: i64,
        batch: i64,
        record: HistoryDraft,
    ) -> StoreResult<Purged> {
        let mut tx = self.begin_write().await?;
        let mut heads = read_heads(&mut tx).await?;
        let (seq, hash) = read_legacy_head(&mut tx).await?;
        heads.insert(0, (LEGACY_CHAIN, seq, hash));
        let mut purged = Purged::default();
        for (chain, seq, hash) in heads {
            let budget = batch - purged.removed;
            if budget <= 0 {
                break;
            }
            if let Some(n) = self
                .purge_chain(&mut tx, chain, (seq, hash), cutoff, now, budget)
                .await?
            {
                purged.removed += n;
                purged.chains.push((chain, n));
            }
        }
        if purged.removed == 0 {
            tx.rollback().await?;
            return Ok(purged);
        }
        let record = record.details(serde_json::json!({
            "before": cutoff,
            "removed": purged.removed,
            "chains": purged.chains,
        }));
        append_in(&mut tx, &self.history, &record).await?;
        tx.commit().await?;
        Ok(purged)
    }
}
