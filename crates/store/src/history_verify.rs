//! Checkpoints and verification of the 操作履歴.
//!
//! Each chain is walked from its start: position 1, or where the newest signed purge
//! record (`history_retention.rs`) says the kept entries begin.
//!
//! A **checkpoint** is every chain's head (and the frozen head of the format-1 chain) at a
//! moment, MAC'd under the history key; it is kept in `history_checkpoints` and, by the
//! server, in a log file outside the database. **Verification** walks every chain —
//! contiguous positions, each entry's MAC over its predecessor's — checks each head row,
//! counts the entries (none outside a chain), and holds the chains against the newest
//! checkpoint it can trust (from the database or the file): a chain shorter than a
//! checkpoint says, or different at the position it names, was cut or rewritten. Entries
//! after the newest checkpoint can be removed from the end unseen, and only those: the
//! checkpoint interval bounds that window.

use async_trait::async_trait;
use sqlx::Row;

use crate::StoreResult;
use crate::connect::SqlStore;
use crate::history::{HistoryEntry, HistoryKey};
use crate::history_retention::{ChainStart, LEGACY_CHAIN, chain_start};

/// A signed checkpoint as stored and as written to the log file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Checkpoint {
    pub created_at: i64,
    /// The canonical JSON of [`CheckpointBody`].
    pub body: String,
    pub mac: String,
}

/// What a checkpoint fixes.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CheckpointBody {
    pub v: i64,
    pub at: i64,
    /// (chain, chain_seq, MAC) of every chain's head, by chain.
    pub heads: Vec<(i64, i64, String)>,
    /// (seq, hash) of the format-1 chain's head.
    pub legacy: (i64, String),
}

impl Checkpoint {
    /// One line of the log file.
    pub fn to_line(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    pub fn from_line(line: &str) -> Option<Self> {
        serde_json::from_str(line).ok()
    }

    /// The body, if the MAC is this key's.
    pub fn trusted(&self, key: &HistoryKey) -> Option<CheckpointBody> {
        let mac = key.mac(&["checkpoint", &self.body]);
        if mac != self.mac {
            return None;
        }
        serde_json::from_str(&self.body).ok()
    }
}

/// The result of a verification.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct VerifyReport {
    /// Entries checked.
    pub checked: i64,
    pub chains: i64,
    /// When the newest trusted checkpoint was made (UTC µs).
    pub checkpoint_at: Option<i64>,
    /// The first problem: the entry's `seq` (0 when it is not an entry's), and why.
    pub first_bad: Option<(i64, String)>,
}

/// Checkpoints and verification.
#[async_trait]
pub trait HistoryVerifyStore {
    /// Makes a checkpoint of the chains' heads now, unless nothing was appended since the
    /// newest one (`None`).
    async fn checkpoint(&self, now: i64) -> StoreResult<Option<Checkpoint>>;

    /// Entries appended since the newest checkpoint (to decide when the next is due).
    async fn since_checkpoint(&self) -> StoreResult<i64>;

    /// Verifies every chain, the head rows and the count, against the newest checkpoint
    /// trusted among the database's and `outside` (the log file's).
    async fn verify_history(&self, outside: &[Checkpoint]) -> StoreResult<VerifyReport>;
}

const PAGE: i64 = 5000;

fn bad(report: &mut VerifyReport, seq: i64, reason: String) -> StoreResult<VerifyReport> {
    report.first_bad = Some((seq, reason));
    Ok(report.clone())
}

impl SqlStore {
    async fn heads(&self) -> StoreResult<Vec<(i64, i64, String)>> {
        let rows = sqlx::query("select chain, seq, hash from history_heads order by chain")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("chain")?, r.try_get("seq")?, r.try_get("hash")?)))
            .collect()
    }

    async fn legacy_head(&self) -> StoreResult<(i64, String)> {
        let row = sqlx::query("select seq, hash from history_head where id = 1")
            .fetch_one(&self.pool)
            .await?;
        Ok((row.try_get("seq")?, row.try_get("hash")?))
    }

    async fn stored_checkpoints(&self) -> StoreResult<Vec<Checkpoint>> {
        let rows = sqlx::query("select created_at, body, mac from history_checkpoints order by id")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(Checkpoint {
                    created_at: r.try_get("created_at")?,
                    body: r.try_get("body")?,
                    mac: r.try_get("mac")?,
                })
            })
            .collect()
    }

    /// Where `chain` starts after purges; `None` (with the problem reported) when a start
    /// record is not signed with the key.
    async fn start(
        &self,
        report: &mut VerifyReport,
        chain: i64,
    ) -> StoreResult<Option<ChainStart>> {
        let key = self.history.key()?;
        let mut conn = self.pool.acquire().await?;
        match chain_start(&mut conn, key, chain).await? {
            Ok(start) => Ok(Some(start)),
            Err(reason) => {
                bad(report, 0, reason)?;
                Ok(None)
            }
        }
    }

    /// The format-1 chain: contiguous from its start (1, or where a purge left it), each hash over its predecessor's, ending at
    /// the frozen head.
    async fn verify_legacy(&self, report: &mut VerifyReport) -> StoreResult<Option<(i64, String)>> {
        let key = self.history.key()?;
        let Some(start) = self.start(report, LEGACY_CHAIN).await? else {
            return Ok(None);
        };
        let mut prev = start.prev_hash;
        let mut expected = start.first_seq;
        loop {
            let rows = sqlx::query(
                "select * from history where format = 1 and seq >= $1 order by seq limit $2",
            )
            .bind(expected)
            .bind(PAGE)
            .fetch_all(&self.pool)
            .await?;
            if rows.is_empty() {
                break;
            }
            for row in &rows {
                let e = HistoryEntry::from_row(row)?;
                let problem = if e.seq != expected {
                    Some(format!("entry {expected} is missing (next is {})", e.seq))
                } else if e.prev_hash != prev {
                    Some("prev_hash does not match the previous entry's hash".to_owned())
                } else if e.hash != e.expected_hash(key) {
                    Some("the entry's contents do not match its hash".to_owned())
                } else {
                    None
                };
                if let Some(reason) = problem {
                    bad(report, expected, reason)?;
                    return Ok(None);
                }
                report.checked += 1;
                expected += 1;
                prev = e.hash;
            }
        }
        let head = self.legacy_head().await?;
        if head != (expected - 1, prev.clone()) {
            bad(
                report,
                expected,
                format!(
                    "the chain head says {} entries, {} found",
                    head.0,
                    expected - 1
                ),
            )?;
            return Ok(None);
        }
        Ok(Some(head))
    }

    /// One chain, from position 1 to its head; `fixed` is the (position, MAC) the newest
    /// checkpoint says it has.
    async fn verify_chain(
        &self,
        report: &mut VerifyReport,
        head: &(i64, i64, String),
        fixed: Option<&(i64, String)>,
    ) -> StoreResult<bool> {
        let key = self.history.key()?;
        let (chain, head_seq, head_hash) = head;
        let Some(start) = self.start(report, *chain).await? else {
            return Ok(false);
        };
        let mut prev = start.prev_hash;
        let mut expected = start.first_seq;
        let mut last_seq = 0_i64;
        loop {
            let rows = sqlx::query(
                "select * from history where chain = $1 and chain_seq >= $2
                 order by chain_seq limit $3",
            )
            .bind(chain)
            .bind(expected)
            .bind(PAGE)
            .fetch_all(&self.pool)
            .await?;
            if rows.is_empty() {
                break;
            }
            for row in &rows {
                let e = HistoryEntry::from_row(row)?;
                let at = format!("company {chain}'s chain at {expected}");
                let problem = if e.chain_seq != Some(expected) {
                    Some(format!("{at}: the entry is missing"))
                } else if e.prev_hash != prev {
                    Some(format!("{at}: it does not follow the previous entry"))
                } else if e.hash != e.expected_hash(key) {
                    Some(format!("{at}: its MAC does not match its contents"))
                } else if fixed.is_some_and(|(s, h)| *s == expected && *h != e.hash) {
                    Some(format!("{at}: it differs from the signed checkpoint"))
                } else {
                    None
                };
                if let Some(reason) = problem {
                    bad(report, e.seq, reason)?;
                    return Ok(false);
                }
                report.checked += 1;
                expected += 1;
                last_seq = e.seq;
                prev = e.hash;
            }
        }
        let length = expected - 1;
        if let Some((seq, _)) = fixed
            && *seq > length
        {
            bad(
                report,
                last_seq,
                format!(
                    "company {chain}'s chain ends at {length}, but a signed checkpoint has it at {seq}: entries were removed"
                ),
            )?;
            return Ok(false);
        }
        if (*head_seq, head_hash) != (length, &prev) {
            bad(
                report,
                last_seq,
                format!("company {chain}'s chain head says {head_seq} entries, {length} found"),
            )?;
            return Ok(false);
        }
        Ok(true)
    }
}

#[async_trait]
impl HistoryVerifyStore for SqlStore {
    async fn checkpoint(&self, now: i64) -> StoreResult<Option<Checkpoint>> {
        let key = self.history.key()?;
        let mut tx = self.begin_write().await?;
        let rows = sqlx::query("select chain, seq, hash from history_heads order by chain")
            .fetch_all(&mut *tx)
            .await?;
        let heads: Vec<(i64, i64, String)> = rows
            .iter()
            .map(|r| Ok((r.try_get("chain")?, r.try_get("seq")?, r.try_get("hash")?)))
            .collect::<Result<_, sqlx::Error>>()?;
        let legacy = sqlx::query("select seq, hash from history_head where id = 1")
            .fetch_one(&mut *tx)
            .await?;
        let legacy = (legacy.try_get("seq")?, legacy.try_get("hash")?);
        let newest = sqlx::query("select body from history_checkpoints order by id desc limit 1")
            .fetch_optional(&mut *tx)
            .await?
            .map(|r| r.try_get::<String, _>("body"))
            .transpose()?
            .and_then(|b| serde_json::from_str::<CheckpointBody>(&b).ok());
        if newest.is_some_and(|n| n.heads == heads && n.legacy == legacy) {
            tx.rollback().await?;
            return Ok(None);
        }
        let body = CheckpointBody {
            v: 1,
            at: now,
            heads,
            legacy,
        };
        let body = serde_json::to_string(&body).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
        let checkpoint = Checkpoint {
            created_at: now,
            mac: key.mac(&["checkpoint", &body]),
            body,
        };
        sqlx::query("insert into history_checkpoints (created_at, body, mac) values ($1, $2, $3)")
            .bind(checkpoint.created_at)
            .bind(&checkpoint.body)
            .bind(&checkpoint.mac)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(Some(checkpoint))
    }

    async fn since_checkpoint(&self) -> StoreResult<i64> {
        let total: i64 =
            sqlx::query("select cast(coalesce(sum(seq), 0) as bigint) as n from history_heads")
                .fetch_one(&self.pool)
                .await?
                .try_get("n")?;
        let newest = sqlx::query("select body from history_checkpoints order by id desc limit 1")
            .fetch_optional(&self.pool)
            .await?
            .map(|r| r.try_get::<String, _>("body"))
            .transpose()?
            .and_then(|b| serde_json::from_str::<CheckpointBody>(&b).ok());
        let fixed: i64 = newest
            .map(|b| b.heads.iter().map(|h| h.1).sum())
            .unwrap_or(0);
        Ok(total - fixed)
    }

    async fn verify_history(&self, outside: &[Checkpoint]) -> StoreResult<VerifyReport> {
        let key = self.history.key()?.clone();
        let mut report = VerifyReport::default();
        // The checkpoints: each must carry this key's MAC, and each kept outside must
        // still be in the database.
        let stored = self.stored_checkpoints().await?;
        let mut newest: Option<CheckpointBody> = None;
        for (place, c) in stored
            .iter()
            .map(|c| ("in the database", c))
            .chain(outside.iter().map(|c| ("in the log file", c)))
        {
            let Some(body) = c.trusted(&key) else {
                return bad(
                    &mut report,
                    0,
                    format!("a checkpoint {place} is not signed with this deployment's key"),
                );
            };
            if place == "in the log file" && !stored.iter().any(|s| s == c) {
                return bad(
                    &mut report,
                    0,
                    "a checkpoint kept in the log file is missing from the database".to_owned(),
                );
            }
            if newest.as_ref().is_none_or(|n| body.at > n.at) {
                newest = Some(body);
            }
        }
        report.checkpoint_at = newest.as_ref().map(|n| n.at);
        let Some(legacy_head) = self.verify_legacy(&mut report).await? else {
            return Ok(report);
        };
        let legacy_checked = report.checked;
        if let Some(n) = &newest
            && n.legacy != legacy_head
        {
            return bad(
                &mut report,
                0,
                "the entries before chains differ from the signed checkpoint".to_owned(),
            );
        }
        let heads = self.heads().await?;
        if let Some(n) = &newest {
            for (chain, seq, _) in &n.heads {
                if !heads.iter().any(|h| h.0 == *chain) {
                    return bad(
                        &mut report,
                        0,
                        format!(
                            "company {chain}'s chain ({seq} entries at the checkpoint) is gone"
                        ),
                    );
                }
            }
        }
        for head in &heads {
            report.chains += 1;
            let fixed = newest.as_ref().and_then(|n| {
                n.heads
                    .iter()
                    .find(|h| h.0 == head.0)
                    .map(|h| (h.1, h.2.clone()))
            });
            if !self.verify_chain(&mut report, head, fixed.as_ref()).await? {
                return Ok(report);
            }
        }
        let chained: i64 = sqlx::query("select count(*) as n from history where format <> 1")
            .fetch_one(&self.pool)
            .await?
            .try_get("n")?;
        let on_chains = report.checked - legacy_checked;
        if chained != on_chains {
            let stray = chained - on_chains;
            return bad(
                &mut report,
                0,
                format!("{stray} entries are on no chain's record"),
            );
        }
        Ok(report)
    }
}
