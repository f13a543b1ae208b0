//! The 操作履歴: an append-only record of every operation, chained so that what a database
//! administrator changes is found.
//!
//! - **One chain per company** (and chain 0 for the bank's own entries): each entry carries
//!   its chain's sequence number and the previous entry's MAC, and its own MAC is
//!   HMAC-SHA-256 under a key the database never holds (`HistoryKey`). Without the key no
//!   entry can be forged, altered, re-ordered or re-chained undetected.
//! - **Signed checkpoints** (`history_verify.rs`) fix each chain's head from time to
//!   time, in the database and in a log file outside it, so a chain cut short after a
//!   checkpoint is found too.
//! - The schema refuses UPDATE and DELETE (triggers on both engines), except the deletion
//!   of a chain's oldest entries behind a signed start record (`history_retention.rs`).
//!
//! Entries written before chains (format 1) stay on their single SHA-256 chain, verified
//! the old way and fixed by the first checkpoint. The canonical form of an entry is
//! versioned: a later field goes into its `extra` object (or a new format), so old
//! entries keep their MACs.

use std::borrow::Cow;
use std::sync::LazyLock;

use async_trait::async_trait;
use madoguchi_domain::history_search::{operation_code, operation_label};
use madoguchi_domain::{HistoryArea, Outcome};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::StoreResult;
use crate::backend::Backend;
use crate::connect::SqlStore;
use crate::error::StoreError;
pub use crate::history_canonical::EntryView;
pub use crate::history_draft::HistoryDraft;
use crate::history_group::WriteTogether;
pub use crate::history_key::{HistoryKey, HistoryWriter, hex};

/// The hash that precedes the first entry of a chain.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The format of entries written on per-company chains with MACs.
pub const FORMAT: i64 = 2;

/// A stored 操作履歴 entry. `area` and `outcome` are stable codes (format 2; format 1
/// entries hold the Japanese words), `operation` the code of a known operation or its
/// words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryEntry {
    /// Deployment-wide order (the cursor of paging).
    pub seq: i64,
    pub format: i64,
    /// The company (0: the bank's own entries); `None` on format 1.
    pub chain: Option<i64>,
    /// Position in the chain, from 1.
    pub chain_seq: Option<i64>,
    pub occurred_at: i64,
    pub company_id: Option<i64>,
    pub user_id: Option<i64>,
    pub login_id: String,
    pub ip: String,
    pub user_agent: String,
    pub peer: String,
    pub area: String,
    pub operation: String,
    pub outcome: String,
    pub error_code: String,
    pub details: String,
    pub prev_hash: String,
    pub hash: String,
}

impl HistoryEntry {
    /// What this entry's `hash` must be: format 1, the SHA-256 chain; format 2, the MAC
    /// under `key`.
    pub fn expected_hash(&self, key: &HistoryKey) -> String {
        self.view().expected_hash(key)
    }

    pub fn view(&self) -> EntryView<'_> {
        EntryView {
            seq: self.seq,
            format: self.format,
            chain: self.chain,
            chain_seq: self.chain_seq,
            occurred_at: self.occurred_at,
            company_id: self.company_id,
            user_id: self.user_id,
            login_id: self.login_id.as_bytes(),
            ip: self.ip.as_bytes(),
            user_agent: self.user_agent.as_bytes(),
            peer: self.peer.as_bytes(),
            area: self.area.as_bytes(),
            operation: self.operation.as_bytes(),
            outcome: self.outcome.as_bytes(),
            error_code: self.error_code.as_bytes(),
            details: self.details.as_bytes(),
            prev_hash: self.prev_hash.as_bytes(),
            hash: self.hash.as_bytes(),
        }
    }

    /// The entry with 業務種別, 操作内容 and 結果 in the manual's words (as they are shown),
    /// whether it stored codes (format 2) or the words themselves (format 1).
    pub fn worded(mut self) -> Self {
        if let Some(area) = HistoryArea::from_code(&self.area) {
            self.area = area.label().to_owned();
        }
        if let Some(outcome) = Outcome::from_code(&self.outcome) {
            self.outcome = outcome.label().to_owned();
        }
        self.operation = operation_label(&self.operation).to_owned();
        self
    }

    pub(crate) fn from_row(row: &AnyRow) -> Result<Self, sqlx::Error> {
        Ok(Self {
            seq: row.try_get("seq")?,
            format: row.try_get("format")?,
            chain: row.try_get("chain")?,
            chain_seq: row.try_get("chain_seq")?,
            occurred_at: row.try_get("occurred_at")?,
            company_id: row.try_get("company_id")?,
            user_id: row.try_get("user_id")?,
            login_id: row.try_get("login_id")?,
            ip: row.try_get("ip")?,
            user_agent: row.try_get("user_agent")?,
            peer: row.try_get("peer")?,
            area: row.try_get("area")?,
            operation: row.try_get("operation")?,
            outcome: row.try_get("outcome")?,
            error_code: row.try_get("error_code")?,
            details: row.try_get("details")?,
            prev_hash: row.try_get("prev_hash")?,
            hash: row.try_get("hash")?,
        })
    }
}

/// Which entries to read, newest first.
#[derive(Debug, Clone, Default)]
pub struct HistoryFilter {
    /// Only this company's entries (`None`: the whole deployment, for the operator).
    pub company_id: Option<i64>,
    /// Only this user's entries.
    pub user_id: Option<i64>,
    pub limit: i64,
}

/// Appending the 操作履歴 (reading it: `HistoryReadStore`; verifying it:
/// `history_verify.rs`).
#[async_trait]
pub trait HistoryStore {
    /// Appends one entry on its own (for events with no other change: a refused request,
    /// a failed login of an unknown ID, a logout), in one transaction with the others that
    /// arrive while one is being written (`history_group.rs`); returns once it is committed.
    async fn append_history(&self, draft: HistoryDraft) -> StoreResult<()>;

    /// Appends `drafts` in order in one transaction, taking every chain's head in one
    /// statement (for loading history in bulk, the benchmark's generator, and for each
    /// batch of grouped appends).
    async fn append_many(&self, drafts: &[HistoryDraft]) -> StoreResult<()>;

    /// Brings the query planner's statistics up to date after bulk appends: PostgreSQL's
    /// autovacuum would, but minutes later, and meanwhile it planned a search of ten
    /// million entries as a bitmap scan of 350 ms.
    async fn analyze_history(&self) -> StoreResult<()>;
}

#[async_trait]
impl HistoryStore for SqlStore {
    async fn append_history(&self, draft: HistoryDraft) -> StoreResult<()> {
        self.appends.append(self.clone(), draft).await
    }

    async fn append_many(&self, drafts: &[HistoryDraft]) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        append_many_in(&mut tx, &self.history, drafts).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn analyze_history(&self) -> StoreResult<()> {
        let sql = match self.backend {
            Backend::Sqlite => "PRAGMA optimize",
            Backend::Postgres => "analyze history",
        };
        sqlx::query(sql).execute(&self.pool).await?;
        Ok(())
    }
}

/// A batch of grouped appends is written as a bulk append is.
impl WriteTogether for SqlStore {
    fn write_together<'a>(
        &'a self,
        drafts: &'a [HistoryDraft],
    ) -> impl Future<Output = StoreResult<()>> + Send + 'a {
        self.append_many(drafts)
    }
}

/// Rows per insert statement in a bulk append: sqlx binds SQLite parameters by name, and
/// looking a name up is linear in the statement's parameters, so a 500-row statement
/// (9,000 parameters) spent more than half of a bulk load in that lookup.
const ROWS_PER_INSERT: usize = 32;

/// Chain heads per upsert in a bulk append (three values each), for the same reason.
const HEADS_PER_STATEMENT: usize = 500;

/// Appends `drafts` in order inside the caller's transaction: each chain's head row is
/// moved once by the number of its entries (`returning` the MAC to continue from, and
/// holding the row until commit, as a single append does), the entries are sealed in
/// order and inserted 32 to a statement; the database numbers them (`seq` is not part of
/// a MAC) and moves each head's MAC to its newest entry (migration 0020's trigger). A
/// single append is two statements, and neither reads a number back: on SQLite,
/// `insert … returning` cost a tenth of an append's instructions.
pub(crate) async fn append_many_in(
    conn: &mut AnyConnection,
    w: &HistoryWriter,
    drafts: &[HistoryDraft],
) -> StoreResult<()> {
    let key = w.key()?;
    let mut counts: std::collections::BTreeMap<i64, i64> = std::collections::BTreeMap::new();
    for d in drafts {
        *counts.entry(d.company_id.unwrap_or(0)).or_insert(0) += 1;
    }
    // One statement makes each new chain's head or moves each existing one by its
    // number of entries, in the order of the chains (so two batches lock shared heads in
    // the same order); `hash` is set by neither, so it is the MAC to continue from
    // (genesis for a new chain). A statement per chain had made a grouped batch of 64
    // appends as many round trips in a row.
    static ONE_HEAD: LazyLock<String> = LazyLock::new(|| heads_sql(1));
    let counts: Vec<(i64, i64)> = counts.into_iter().collect();
    // chain → (next position, previous MAC)
    let mut heads = std::collections::BTreeMap::new();
    for chunk in counts.chunks(HEADS_PER_STATEMENT) {
        let mut q = sqlx::query(sql_for(chunk.len(), &ONE_HEAD, heads_sql));
        for &(chain, n) in chunk {
            q = q.bind(chain).bind(n).bind(GENESIS_HASH);
        }
        for head in q.fetch_all(&mut *conn).await? {
            let (chain, last): (i64, i64) = (head.try_get("chain")?, head.try_get("seq")?);
            // `chunk` is in chain order (from the map).
            let n = chunk
                .binary_search_by_key(&chain, |c| c.0)
                .map_or(0, |i| chunk[i].1);
            heads.insert(chain, (last - n + 1, head.try_get::<String, _>("hash")?));
        }
    }
    let mut batch = Vec::with_capacity(ROWS_PER_INSERT);
    for draft in drafts {
        let chain = draft.company_id.unwrap_or(0);
        let Some((next, prev)) = heads.get_mut(&chain) else {
            return Err(StoreError::Corrupt(format!(
                "the head of 操作履歴 chain {chain} was not returned"
            )));
        };
        let entry = sealed(key, draft, chain, *next, std::mem::take(prev));
        *next += 1;
        prev.clone_from(&entry.hash);
        batch.push(entry);
        if batch.len() == ROWS_PER_INSERT {
            insert_entries(conn, std::mem::take(&mut batch)).await?;
        }
    }
    if !batch.is_empty() {
        insert_entries(conn, batch).await?;
    }
    Ok(())
}

/// `text` as it may be kept: characters no field accepts (a NUL, bidi controls, zero-width
/// and private-use characters) become U+FFFD, so what an attacker typed is recorded as
/// typed but can neither break the database (PostgreSQL refuses NUL) nor spoof a list;
/// at most `max` characters.
fn printable(text: &str, max: usize) -> String {
    text.chars()
        .take(max)
        .map(|c| {
            if madoguchi_domain::chars::is_unusable(c) {
                '\u{FFFD}'
            } else {
                c
            }
        })
        .collect()
}

/// Every chain's head: (chain, last position, last MAC), by chain.
pub(crate) async fn read_heads(conn: &mut AnyConnection) -> StoreResult<Vec<(i64, i64, String)>> {
    let rows = sqlx::query("select chain, seq, hash from history_heads order by chain")
        .fetch_all(&mut *conn)
        .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("chain")?, r.try_get("seq")?, r.try_get("hash")?)))
        .collect()
}

/// The frozen head of the format-1 chain: (last seq, last hash).
pub(crate) async fn read_legacy_head(conn: &mut AnyConnection) -> StoreResult<(i64, String)> {
    let row = sqlx::query("select seq, hash from history_head where id = 1")
        .fetch_one(&mut *conn)
        .await?;
    Ok((row.try_get("seq")?, row.try_get("hash")?))
}

/// Appends `draft` inside the caller's transaction.
///
/// The entry's chain head row is taken first (`insert … on conflict do update … returning`),
/// which holds it until commit: appends to one company's chain
/// queue up, each seeing its predecessor's MAC, while other companies' chains go on
/// (PostgreSQL numbers entries from a sequence, not a row everyone locks; SQLite's one
/// writer serialises anyway).
pub(crate) async fn append_in(
    conn: &mut AnyConnection,
    w: &HistoryWriter,
    draft: &HistoryDraft,
) -> StoreResult<()> {
    append_many_in(conn, w, std::slice::from_ref(draft)).await
}

/// The entry `draft` becomes at position `chain_seq` of `chain` after `prev_hash`, with
/// its MAC; its `seq` is 0 until the database numbers it at insert.
pub(crate) fn sealed(
    key: &HistoryKey,
    draft: &HistoryDraft,
    chain: i64,
    chain_seq: i64,
    prev_hash: String,
) -> HistoryEntry {
    let operation = printable(&draft.operation, 128);
    let mut entry = HistoryEntry {
        seq: 0,
        format: FORMAT,
        chain: Some(chain),
        chain_seq: Some(chain_seq),
        occurred_at: draft.occurred_at,
        company_id: draft.company_id,
        user_id: draft.user_id,
        login_id: printable(&draft.login_id, 64),
        ip: printable(&draft.ip, 64),
        user_agent: printable(&draft.user_agent, 256),
        peer: printable(&draft.peer, 64),
        area: draft.area.code().to_owned(),
        operation: operation_code(&operation)
            .map(str::to_owned)
            .unwrap_or(operation),
        outcome: draft.outcome.code().to_owned(),
        error_code: draft.error_code.clone().unwrap_or_default(),
        details: draft.details.to_string(),
        hash: String::new(),
        prev_hash,
    };
    entry.hash = entry.expected_hash(key);
    entry
}

/// Columns of an insert, in the order `insert_entries` binds them (`seq` is the
/// database's: the rowid on SQLite, the sequence on PostgreSQL).
const COLUMNS: &str = "format, chain, chain_seq, occurred_at, company_id, user_id, login_id, \
    ip, user_agent, area, operation, outcome, error_code, details, prev_hash, hash, peer";
const PER_ROW: usize = 17;

/// Inserts `entries` in one statement (the caller keeps it under the engines' limits on
/// bound values; see `ROWS_PER_INSERT`), their values moved into it, not copied.
pub(crate) async fn insert_entries(
    conn: &mut AnyConnection,
    entries: Vec<HistoryEntry>,
) -> StoreResult<()> {
    static ONE_ROW: LazyLock<String> = LazyLock::new(|| insert_sql(1));
    let mut q = sqlx::query(sql_for(entries.len(), &ONE_ROW, insert_sql));
    for e in entries {
        q = q
            .bind(e.format)
            .bind(e.chain)
            .bind(e.chain_seq)
            .bind(e.occurred_at)
            .bind(e.company_id)
            .bind(e.user_id)
            .bind(e.login_id)
            .bind(e.ip)
            .bind(e.user_agent)
            .bind(e.area)
            .bind(e.operation)
            .bind(e.outcome)
            .bind(e.error_code)
            .bind(e.details)
            .bind(e.prev_hash)
            .bind(e.hash)
            .bind(e.peer);
    }
    q.execute(&mut *conn).await?;
    Ok(())
}

/// The statement `make` writes for `rows` rows; the one-row statement, which every single
/// append uses, is made once (`one`). Only placeholders are formatted into either.
fn sql_for(
    rows: usize,
    one: &'static LazyLock<String>,
    make: fn(usize) -> String,
) -> sqlx::AssertSqlSafe<Cow<'static, str>> {
    sqlx::AssertSqlSafe(if rows == 1 {
        one.as_str().into()
    } else {
        make(rows).into()
    })
}

/// The upsert of `chains` chain heads, each `(chain, entries, genesis)`: only
/// placeholders are formatted in.
fn heads_sql(chains: usize) -> String {
    let rows: Vec<String> = (0..chains)
        .map(|r| format!("(${}, ${}, ${})", 3 * r + 1, 3 * r + 2, 3 * r + 3))
        .collect();
    format!(
        "insert into history_heads (chain, seq, hash) values {} \
         on conflict (chain) do update set seq = history_heads.seq + excluded.seq \
         returning chain, seq, hash",
        rows.join(", ")
    )
}

/// The insert of `rows` entries: only placeholders are formatted in; every value is bound.
fn insert_sql(rows: usize) -> String {
    let rows: Vec<String> = (0..rows)
        .map(|r| {
            let marks: Vec<String> = (1..=PER_ROW)
                .map(|c| format!("${}", r * PER_ROW + c))
                .collect();
            format!("({})", marks.join(", "))
        })
        .collect();
    format!("insert into history ({COLUMNS}) values {}", rows.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(format: i64) -> HistoryEntry {
        HistoryEntry {
            seq: 1,
            format,
            chain: (format == 2).then_some(1),
            chain_seq: (format == 2).then_some(1),
            occurred_at: 1,
            company_id: Some(1),
            user_id: Some(1),
            login_id: "master01".into(),
            ip: "127.0.0.1".into(),
            user_agent: "ua".into(),
            peer: String::new(),
            area: "auth".into(),
            operation: "auth.login".into(),
            outcome: "ok".into(),
            error_code: String::new(),
            details: "{}".into(),
            prev_hash: GENESIS_HASH.into(),
            hash: String::new(),
        }
    }

    #[test]
    fn the_canonical_form_is_the_json_array_it_always_was() {
        let mut e = entry(2);
        e.login_id = "山田\"\\\n".into();
        e.user_id = None;
        let tree = serde_json::json!([
            "v2",
            e.chain,
            e.chain_seq,
            e.occurred_at,
            e.company_id,
            e.user_id,
            e.login_id,
            e.ip,
            e.user_agent,
            e.peer,
            e.area,
            e.operation,
            e.outcome,
            e.error_code,
            e.details,
            {},
        ]);
        let mut canonical = Vec::new();
        e.view().canonical_v2(&mut canonical);
        assert_eq!(String::from_utf8(canonical).ok(), Some(tree.to_string()));
        let key = HistoryKey::new([1; 32]);
        e.hash = e.expected_hash(&key);
        assert!(e.view().hash_holds(&key, &mut Vec::new()));
        e.details = "{\"x\":1}".into();
        assert!(!e.view().hash_holds(&key, &mut Vec::new()));
    }

    #[test]
    fn hex_is_lower_case() {
        assert_eq!(hex(&[0x00, 0xab, 0xff]), "00abff");
    }

    #[test]
    fn any_field_changes_the_hash_and_only_the_key_makes_it() {
        let key = HistoryKey::new([1; 32]);
        for format in [1, 2] {
            let e = entry(format);
            let base = e.expected_hash(&key);
            let mut other = e.clone();
            other.outcome = "error".into();
            assert_ne!(base, other.expected_hash(&key));
            let mut other = e.clone();
            other.prev_hash = "1".repeat(64);
            assert_ne!(base, other.expected_hash(&key));
            let mut other = e.clone();
            other.peer = "10.0.0.2".into();
            assert_ne!(base, other.expected_hash(&key), "a peer is covered");
            assert_eq!(base, e.expected_hash(&key));
        }
        let e = entry(2);
        assert_ne!(
            e.expected_hash(&key),
            e.expected_hash(&HistoryKey::new([2; 32])),
            "another key, another MAC: nobody without the key can make one"
        );
        let mut moved = e.clone();
        moved.chain_seq = Some(2);
        assert_ne!(e.expected_hash(&key), moved.expected_hash(&key), "position");
        assert_eq!(
            entry(1).expected_hash(&key),
            entry(1).expected_hash(&HistoryKey::new([2; 32])),
            "format 1 has no key"
        );
    }

    #[test]
    fn what_is_kept_is_printable() {
        assert_eq!(printable("ab\0c\u{202E}", 64), "ab\u{FFFD}c\u{FFFD}");
        assert_eq!(printable(&"x".repeat(100), 64).len(), 64);
    }
}
