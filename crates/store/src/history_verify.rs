//! Checkpoints and verification of the 操作履歴.
//!
//! A **checkpoint** is every chain's head (and the frozen head of the format-1 chain) at a
//! moment, MAC'd under the history key; it is kept in `history_checkpoints` and, by the
//! server, in a log file outside the database. **Verification** reads the heads (the
//! snapshot it verifies), then makes one pass over the table in `seq` order (pages read
//! three at once, `Pages`), walking every chain at once from its start (position 1, or
//! where the newest signed purge record of `history_retention.rs` says the kept entries
//! begin): contiguous positions, each entry
//! following its predecessor's MAC and carrying its own. It then checks each head row and
//! holds the chains against the newest checkpoint it can trust (from the database or the
//! file): a chain shorter than a checkpoint says, or different at the position it names,
//! was cut or rewritten. Entries after the newest checkpoint can be removed from the end
//! unseen, and only those: the checkpoint interval bounds that window.

use std::collections::BTreeMap;

use async_trait::async_trait;
use sqlx::{AnyConnection, Row};

use crate::StoreResult;
use crate::backend::Backend;
use crate::connect::SqlStore;
use crate::error::StoreError;
use crate::history::{HistoryEntry, HistoryKey, read_heads, read_legacy_head};
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

/// Entries read per query: one sequential pass over the table in `seq` order.
const PAGE: i64 = 10_000;

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
/// must follow, and what the newest checkpoint fixed.
struct Walk {
    next: i64,
    prev: String,
    fixed: Option<(i64, String)>,
}

impl Walk {
    fn new(start: ChainStart, fixed: Option<(i64, String)>) -> Self {
        Self {
            next: start.first_seq,
            prev: start.prev_hash,
            fixed,
        }
    }

    /// What is wrong with `e` as this chain's next entry (`mac_ok`: its MAC holds).
    fn problem(&self, e: &HistoryEntry, position: i64, mac_ok: bool, at: Place) -> Option<String> {
        if position > self.next {
            Some(format!("{at} {}: the entry is missing", self.next))
        } else if position < self.next {
            Some(format!("{at} {position}: out of order"))
        } else if e.prev_hash != self.prev {
            Some(format!(
                "{at} {position}: it does not follow the previous entry"
            ))
        } else if !mac_ok {
            Some(format!(
                "{at} {position}: its MAC does not match its contents"
            ))
        } else if self
            .fixed
            .as_ref()
            .is_some_and(|(s, h)| *s == position && *h != e.hash)
        {
            Some(format!(
                "{at} {position}: it differs from the signed checkpoint"
            ))
        } else {
            None
        }
    }

    fn advance(&mut self, e: &HistoryEntry) {
        self.next += 1;
        self.prev.clone_from(&e.hash);
    }
}

/// Whether each entry's MAC (or format-1 hash) holds, computed on every core.
fn macs_hold(key: &HistoryKey, entries: &[HistoryEntry]) -> Vec<bool> {
    let threads = std::thread::available_parallelism()
        .map(usize::from)
        .unwrap_or(1)
        .clamp(1, 8);
    let chunk = entries.len().div_ceil(threads).max(1);
    std::thread::scope(|scope| {
        let parts: Vec<_> = entries
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || {
                    part.iter()
                        .map(|e| e.hash == e.expected_hash(key))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        parts
            .into_iter()
            .flat_map(|p| p.join().unwrap_or_default())
            .collect()
    })
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

    /// Up to `PAGE` entries with `after < seq <= upto`, in `seq` order, read as one JSON
    /// array the engine builds: one row per page instead of one per entry, which is where
    /// reading entries one by one spent most of a verification (docs/performance.md).
    async fn page(&self, after: i64, upto: i64) -> StoreResult<Vec<HistoryEntry>> {
        // The fields in `HistoryEntry`'s order, which is how it reads an array.
        const FIELDS: &str = "seq, format, chain, chain_seq, occurred_at, company_id, user_id, \
            login_id, ip, user_agent, peer, area, operation, outcome, error_code, details, \
            prev_hash, hash";
        const RANGE: &str =
            "select * from history where seq > $1 and seq <= $2 order by seq limit $3";
        let sql = match self.backend {
            Backend::Sqlite => {
                format!("select json_group_array(json_array({FIELDS})) as page from ({RANGE})")
            }
            Backend::Postgres => format!(
                "select coalesce(json_agg(json_build_array({FIELDS})), '[]')::text \
                 as page from ({RANGE}) h"
            ),
        };
        let page: String = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(after)
            .bind(upto)
            .bind(PAGE)
            .fetch_one(&self.pool)
            .await?
            .try_get("page")?;
        let mut entries: Vec<HistoryEntry> = serde_json::from_str(&page)
            .map_err(|e| StoreError::Corrupt(format!("an 操作履歴 entry cannot be read: {e}")))?;
        // Both engines aggregate in the subquery's order (an `order by` inside `json_agg`
        // made PostgreSQL sort each page again, on disk); sorting here costs nothing then
        // and holds whatever the engine does.
        entries.sort_by_key(|e| e.seq);
        Ok(entries)
    }

    /// The pages of one verification pass, from the first entry on.
    async fn pages(&self) -> StoreResult<Pages> {
        let row = sqlx::query(
            "select cast(coalesce(min(seq), 1) - 1 as bigint) as low, \
             cast(coalesce(max(seq), 0) as bigint) as top from history",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(Pages {
            store: self.clone(),
            next: row.try_get("low")?,
            top: row.try_get("top")?,
            reading: std::collections::VecDeque::new(),
        })
    }
}

/// Pages being read at once: each builds on its own connection, so the engine uses more
/// than one core (PostgreSQL builds a page in the backend of its connection).
const READERS: usize = 3;

/// The table in `seq` order for one verification: up to `top` (the largest `seq` when
/// the pass began) in ranges of `PAGE` numbers, `READERS` of them read ahead at once;
/// then what was appended since, page by page after the last entry read.
struct Pages {
    store: SqlStore,
    /// Entries after this `seq` are still to be read.
    next: i64,
    top: i64,
    reading: std::collections::VecDeque<tokio::task::JoinHandle<StoreResult<Vec<HistoryEntry>>>>,
}

impl Pages {
    /// The next entries in `seq` order; empty at the end.
    async fn next(&mut self) -> StoreResult<Vec<HistoryEntry>> {
        loop {
            while self.reading.len() < READERS && self.next < self.top {
                let (after, upto) = (self.next, self.next.saturating_add(PAGE).min(self.top));
                let store = self.store.clone();
                self.reading
                    .push_back(tokio::spawn(async move { store.page(after, upto).await }));
                self.next = upto;
            }
            let Some(reading) = self.reading.pop_front() else {
                // Past the snapshot: entries appended during the pass.
                let page = self.store.page(self.next, i64::MAX).await?;
                if let Some(last) = page.last() {
                    self.next = last.seq;
                }
                return Ok(page);
            };
            let page = reading
                .await
                .map_err(|e| sqlx::Error::Protocol(format!("verification task: {e}")))??;
            // A range with no entries (numbers a rolled-back append took) is skipped.
            if !page.is_empty() {
                return Ok(page);
            }
        }
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
        let start_of = |chain: i64| {
            starts
                .get(&chain)
                .cloned()
                .unwrap_or_else(ChainStart::genesis)
        };
        let fixed_of = |chain: i64| {
            newest.as_ref().and_then(|n| {
                n.heads
                    .iter()
                    .find(|h| h.0 == chain)
                    .map(|h| (h.1, h.2.clone()))
            })
        };
        let mut legacy = Walk::new(
            start_of(LEGACY_CHAIN),
            newest.as_ref().map(|n| n.legacy.clone()),
        );
        let mut walks: BTreeMap<i64, Walk> = BTreeMap::new();
        // The heads read above are the snapshot verified: an entry past its chain's head
        // (or on a chain begun since) was appended during the pass, and is left for the
        // next verification — if the heads, read again at the end, account for it.
        let snapshot: BTreeMap<i64, i64> = heads.iter().map(|h| (h.0, h.1)).collect();
        let mut later: BTreeMap<i64, i64> = BTreeMap::new();

        // One pass in `seq` order (each chain's positions rise with it: an append takes its
        // chain's head before its number), the MACs of a page checked on every core while
        // the next page is read.
        let mut pages = self.pages().await?;
        let mut page = pages.next().await?;
        while !page.is_empty() {
            let checking = {
                let key = key.clone();
                tokio::task::spawn_blocking(move || {
                    let holds = macs_hold(&key, &page);
                    (page, holds)
                })
            };
            let next_page = pages.next().await?;
            let (entries, holds) = checking
                .await
                .map_err(|e| sqlx::Error::Protocol(format!("verification task: {e}")))?;
            for (e, mac_ok) in entries.iter().zip(holds) {
                let (walk, position, at) = match (e.format, e.chain, e.chain_seq) {
                    (1, _, _) => (&mut legacy, e.seq, Place::Legacy),
                    (_, Some(chain), Some(position))
                        if snapshot.get(&chain).is_none_or(|h| position > *h) =>
                    {
                        let max = later.entry(chain).or_insert(position);
                        *max = (*max).max(position);
                        continue;
                    }
                    (_, Some(chain), Some(position)) => (
                        walks
                            .entry(chain)
                            .or_insert_with(|| Walk::new(start_of(chain), fixed_of(chain))),
                        position,
                        Place::Chain(chain),
                    ),
                    _ => return bad(&mut report, e.seq, "the entry is on no chain".to_owned()),
                };
                if let Some(reason) = walk.problem(e, position, mac_ok, at) {
                    return bad(&mut report, e.seq, reason);
                }
                walk.advance(e);
                report.checked += 1;
            }
            page = next_page;
        }

        // Every chain ends where its head row and the newest checkpoint say.
        let ends = |walk: Option<&Walk>, chain: i64| {
            walk.map(|w| (w.next - 1, w.prev.clone()))
                .unwrap_or_else(|| {
                    let s = start_of(chain);
                    (s.first_seq - 1, s.prev_hash)
                })
        };
        let legacy_head = self.legacy_head().await?;
        if ends(Some(&legacy), LEGACY_CHAIN) != legacy_head {
            return bad(
                &mut report,
                0,
                format!(
                    "the chain head of the entries before chains says {}, {} found",
                    legacy_head.0,
                    legacy.next - 1
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
            let walk = walks.remove(chain);
            let (length, prev) = ends(walk.as_ref(), *chain);
            if let Some((seq, _)) = fixed_of(*chain)
                && seq > length
            {
                return bad(
                    &mut report,
                    0,
                    format!(
                        "company {chain}'s chain ends at {length}, but a signed checkpoint has it at {seq}: entries were removed"
                    ),
                );
            }
            if (*head_seq, head_hash) != (length, &prev) {
                return bad(
                    &mut report,
                    0,
                    format!("company {chain}'s chain head says {head_seq} entries, {length} found"),
                );
            }
        }
        if !later.is_empty() {
            let now: BTreeMap<i64, i64> = self
                .heads()
                .await?
                .into_iter()
                .map(|h| (h.0, h.1))
                .collect();
            if let Some((chain, position)) = later
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
