//! Checkpoints and verification of the 操作履歴.
//!
//! A **checkpoint** is every chain's head (and the frozen head of the format-1 chain) at a
//! moment, MAC'd under the history key; it is kept in `history_checkpoints` and, by the
//! server, in a log file outside the database. **Verification** reads the heads (the
//! snapshot it verifies), then makes one pass over the table in `seq` order (pages read
//! and their MACs checked four at once, `history_pages.rs`), walking every chain at once
//! from its start (position 1, or where the newest signed purge record of
//! `history_retention.rs` says the kept entries begin): contiguous positions, each entry
//! following its predecessor's MAC and carrying its own. It then checks each head row and
//! holds the chains against the newest checkpoint it can trust (from the database or the
//! file): a chain shorter than a checkpoint says, or different at the position it names,
//! was cut or rewritten. Entries after the newest checkpoint can be removed from the end
//! unseen, and only those: the checkpoint interval bounds that window.

use std::collections::BTreeMap;
use std::collections::btree_map::Entry;

use async_trait::async_trait;
use sqlx::{AnyConnection, Row};

use crate::StoreResult;
use crate::connect::SqlStore;
use crate::history::{HistoryKey, read_heads, read_legacy_head};
use crate::history_pages::{Digest, Link, digest};
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

fn bad(report: &mut VerifyReport, seq: i64, reason: String) -> StoreResult<VerifyReport> {
    report.first_bad = Some((seq, reason));
    Ok(report.clone())
}

/// Which chain an entry is on, as a problem names it (built only for a problem).
#[derive(Clone, Copy)]
enum Place {
    Legacy,
    Chain(i64),
}

impl std::fmt::Display for Place {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Place::Legacy => f.write_str("the entries before chains at"),
            Place::Chain(chain) => write!(f, "company {chain}'s chain at"),
        }
    }
}

/// Where the walk of one chain is: the position it expects next, the MAC that entry
/// must follow, what the newest checkpoint fixed, and the chain's head when the pass
/// began (the last position it verifies).
struct Walk {
    next: i64,
    prev: Digest,
    fixed: Option<(i64, Digest)>,
    head: i64,
}

impl Walk {
    fn new(start: &ChainStart, fixed: Option<(i64, Digest)>, head: i64) -> Self {
        Self {
            next: start.first_seq,
            prev: digest(&start.prev_hash),
            fixed,
            head,
        }
    }

    /// What is wrong with `e` as this chain's next entry.
    fn problem(&self, e: &Link, position: i64, at: Place) -> Option<String> {
        if position > self.next {
            Some(format!("{at} {}: the entry is missing", self.next))
        } else if position < self.next {
            Some(format!("{at} {position}: out of order"))
        } else if e.prev_hash != self.prev || e.prev_hash.is_none() {
            Some(format!(
                "{at} {position}: it does not follow the previous entry"
            ))
        } else if !e.holds {
            Some(format!(
                "{at} {position}: its MAC does not match its contents"
            ))
        } else if self
            .fixed
            .is_some_and(|(s, h)| s == position && h != e.hash)
        {
            Some(format!(
                "{at} {position}: it differs from the signed checkpoint"
            ))
        } else {
            None
        }
    }

    fn advance(&mut self, e: &Link) {
        self.next += 1;
        self.prev = e.hash;
    }

    /// Where the chain ends: its last position and MAC.
    fn end(&self) -> (i64, Digest) {
        (self.next - 1, self.prev)
    }
}

/// One verification's walk of every chain, page by page.
struct Pass {
    /// The entries before chains (format 1).
    legacy: Walk,
    walks: BTreeMap<i64, Walk>,
    /// Where purged chains start.
    starts: BTreeMap<i64, ChainStart>,
    /// What the newest checkpoint fixed: chain → (position, MAC).
    fixed: BTreeMap<i64, (i64, Digest)>,
    /// Each chain's head when the pass began: what it verifies.
    snapshot: BTreeMap<i64, i64>,
    /// Chains with entries past the snapshot (appended during the pass): the furthest.
    later: BTreeMap<i64, i64>,
    checked: i64,
}

/// Where `chain` starts: its newest purge's start record, or its first entry.
fn start_of(starts: &BTreeMap<i64, ChainStart>, chain: i64) -> ChainStart {
    starts
        .get(&chain)
        .cloned()
        .unwrap_or_else(ChainStart::genesis)
}

impl Pass {
    /// Where `chain` ends: where its walk got to, or before its start if it met no entry.
    fn end_of(&self, chain: i64) -> (i64, Digest) {
        let walk = if chain == LEGACY_CHAIN {
            Some(&self.legacy)
        } else {
            self.walks.get(&chain)
        };
        walk.map(Walk::end).unwrap_or_else(|| {
            let s = start_of(&self.starts, chain);
            (s.first_seq - 1, digest(&s.prev_hash))
        })
    }

    /// Walks one page (each chain's positions rise with `seq`: an append takes its
    /// chain's head before its number); the first problem, as `seq` and reason.
    fn check(&mut self, links: &[Link]) -> Option<(i64, String)> {
        for e in links {
            let (walk, position, at) = match (e.format, e.chain, e.chain_seq) {
                (1, _, _) => (&mut self.legacy, e.seq, Place::Legacy),
                // An entry past its chain's head (or on a chain begun since) was appended
                // during the pass, and is left for the next verification — if the heads,
                // read again at the end, account for it. One look-up per entry: the
                // chain's walk knows its head (three were a tenth of the walk's time).
                (_, Some(chain), Some(position)) => {
                    let walk = match self.walks.entry(chain) {
                        Entry::Occupied(walk) => Some(walk.into_mut()),
                        Entry::Vacant(vacant) => self.snapshot.get(&chain).map(|&head| {
                            let start = start_of(&self.starts, chain);
                            vacant.insert(Walk::new(&start, self.fixed.get(&chain).copied(), head))
                        }),
                    };
                    match walk {
                        Some(walk) if position <= walk.head => {
                            (walk, position, Place::Chain(chain))
                        }
                        _ => {
                            let max = self.later.entry(chain).or_insert(position);
                            *max = (*max).max(position);
                            continue;
                        }
                    }
                }
                _ => return Some((e.seq, "the entry is on no chain".to_owned())),
            };
            if let Some(reason) = walk.problem(e, position, at) {
                return Some((e.seq, reason));
            }
            walk.advance(e);
            self.checked += 1;
        }
        None
    }
}

/// What the newest checkpoint fixed, if there is one.
async fn newest_checkpoint(conn: &mut AnyConnection) -> StoreResult<Option<CheckpointBody>> {
    Ok(
        sqlx::query("select body from history_checkpoints order by id desc limit 1")
            .fetch_optional(&mut *conn)
            .await?
            .map(|r| r.try_get::<String, _>("body"))
            .transpose()?
            .and_then(|b| serde_json::from_str::<CheckpointBody>(&b).ok()),
    )
}

impl SqlStore {
    async fn heads(&self) -> StoreResult<Vec<(i64, i64, String)>> {
        read_heads(&mut *self.pool.acquire().await?).await
    }

    async fn legacy_head(&self) -> StoreResult<(i64, String)> {
        read_legacy_head(&mut *self.pool.acquire().await?).await
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

    /// Where each chain starts after purges (a chain never purged is absent); `Err` with
    /// the reason when a start record is not signed with the key.
    async fn starts(&self) -> StoreResult<Result<BTreeMap<i64, ChainStart>, String>> {
        let key = self.history.key()?;
        let chains: Vec<i64> = sqlx::query("select distinct chain from history_purges")
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| r.try_get("chain"))
            .collect::<Result<_, _>>()?;
        let mut conn = self.pool.acquire().await?;
        let mut starts = BTreeMap::new();
        for chain in chains {
            match chain_start(&mut conn, key, chain).await? {
                Ok(start) => starts.insert(chain, start),
                Err(reason) => return Ok(Err(reason)),
            };
        }
        Ok(Ok(starts))
    }
}

#[async_trait]
impl HistoryVerifyStore for SqlStore {
    async fn checkpoint(&self, now: i64) -> StoreResult<Option<Checkpoint>> {
        let key = self.history.key()?;
        let mut tx = self.begin_write().await?;
        let heads = read_heads(&mut tx).await?;
        let legacy = read_legacy_head(&mut tx).await?;
        let newest = newest_checkpoint(&mut tx).await?;
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
        let newest = newest_checkpoint(&mut *self.pool.acquire().await?).await?;
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
        let starts = match self.starts().await? {
            Ok(starts) => starts,
            Err(reason) => return bad(&mut report, 0, reason),
        };
        let heads = self.heads().await?;
        report.chains = i64::try_from(heads.len()).unwrap_or(i64::MAX);
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
        let mut pass = Pass {
            legacy: Walk::new(
                starts.get(&LEGACY_CHAIN).unwrap_or(&ChainStart::genesis()),
                newest.as_ref().map(|n| (n.legacy.0, digest(&n.legacy.1))),
                i64::MAX,
            ),
            walks: BTreeMap::new(),
            fixed: newest
                .as_ref()
                .map(|n| n.heads.iter().map(|h| (h.0, (h.1, digest(&h.2)))).collect())
                .unwrap_or_default(),
            starts,
            snapshot: heads.iter().map(|h| (h.0, h.1)).collect(),
            later: BTreeMap::new(),
            checked: 0,
        };

        // One pass in `seq` order: pages are read and their MACs checked on every core
        // (`history_pages.rs`), each walked as it comes.
        let mut pages = self.pages(key).await?;
        loop {
            let links = pages.next().await?;
            if links.is_empty() {
                break;
            }
            let found = pass.check(&links);
            report.checked = pass.checked;
            if let Some((seq, reason)) = found {
                return bad(&mut report, seq, reason);
            }
        }

        // Every chain ends where its head row and the newest checkpoint say.
        let legacy_head = self.legacy_head().await?;
        if pass.end_of(LEGACY_CHAIN) != (legacy_head.0, digest(&legacy_head.1)) {
            return bad(
                &mut report,
                0,
                format!(
                    "the chain head of the entries before chains says {}, {} found",
                    legacy_head.0,
                    pass.legacy.next - 1
                ),
            );
        }
        if newest.as_ref().is_some_and(|n| n.legacy != legacy_head) {
            return bad(
                &mut report,
                0,
                "the entries before chains differ from the signed checkpoint".to_owned(),
            );
        }
        for (chain, head_seq, head_hash) in &heads {
            let (length, prev) = pass.end_of(*chain);
            if let Some((seq, _)) = pass.fixed.get(chain)
                && *seq > length
            {
                return bad(
                    &mut report,
                    0,
                    format!(
                        "company {chain}'s chain ends at {length}, but a signed checkpoint has it at {seq}: entries were removed"
                    ),
                );
            }
            if (*head_seq, digest(head_hash)) != (length, prev) {
                return bad(
                    &mut report,
                    0,
                    format!("company {chain}'s chain head says {head_seq} entries, {length} found"),
                );
            }
        }
        if !pass.later.is_empty() {
            let now: BTreeMap<i64, i64> = self
                .heads()
                .await?
                .into_iter()
                .map(|h| (h.0, h.1))
                .collect();
            if let Some((chain, position)) = pass
                .later
                .iter()
                .find(|(chain, position)| now.get(chain).is_none_or(|h| *position > h))
            {
                return bad(
                    &mut report,
                    0,
                    format!("company {chain}'s chain has an entry at {position}, past its head"),
                );
            }
        }
        Ok(report)
    }
}
