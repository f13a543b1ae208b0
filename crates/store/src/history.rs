//! The 操作履歴: an append-only, SHA-256 hash-chained record of every operation.
//!
//! Each entry's hash covers its own fields and its predecessor's hash, so removing,
//! reordering or altering any stored entry breaks the chain at that point, which
//! [`HistoryStore::verify_history`] reports. The schema itself refuses UPDATE and DELETE
//! (triggers on both engines); the chain catches what someone with raw database access
//! might still do.

use async_trait::async_trait;
use madoguchi_domain::{HistoryArea, Outcome};
use sha2::{Digest, Sha256};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::StoreResult;
use crate::connect::SqlStore;

/// The hash that precedes the first entry.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// An entry about to be written. The store adds the sequence number and the hashes.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryDraft {
    /// When it happened (UTC microseconds, from the service's clock).
    pub occurred_at: i64,
    pub company_id: Option<i64>,
    pub user_id: Option<i64>,
    /// The acting user's login ID (or, for a failed login, the ID that was typed).
    pub login_id: String,
    /// 操作端末: the client's IP address and user agent.
    pub ip: String,
    pub user_agent: String,
    /// The address the request came from when a trusted proxy forwarded it (else empty).
    pub peer: String,
    /// 業務種別.
    pub area: HistoryArea,
    /// 操作内容, in the manual's words (ログイン, 企業情報の変更, …).
    pub operation: String,
    /// 結果.
    pub outcome: Outcome,
    /// Stable error code when `outcome` is an error.
    pub error_code: Option<String>,
    /// Before/after values and other particulars. Never a secret.
    pub details: serde_json::Value,
}

impl HistoryDraft {
    /// Marks the entry as an error with `code`.
    pub fn failed(mut self, code: &str) -> Self {
        self.outcome = Outcome::Error;
        self.error_code = Some(code.to_owned());
        self
    }

    /// Replaces the 操作内容.
    pub fn operation(mut self, operation: &str) -> Self {
        self.operation = operation.to_owned();
        self
    }

    /// Replaces the details.
    pub fn details(mut self, details: serde_json::Value) -> Self {
        self.details = details;
        self
    }
}

/// A stored 操作履歴 entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryEntry {
    pub seq: i64,
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
    /// The hash this entry should carry, computed from its fields and `prev_hash`.
    pub fn expected_hash(&self) -> String {
        chain_hash(&self.prev_hash, &self.canonical())
    }

    /// The fields covered by the hash, in a fixed order, as one JSON array. `peer` came
    /// later: it is covered when present, so entries written before it keep their hashes.
    fn canonical(&self) -> String {
        let mut fields = serde_json::json!([
            self.seq,
            self.occurred_at,
            self.company_id,
            self.user_id,
            self.login_id,
            self.ip,
            self.user_agent,
            self.area,
            self.operation,
            self.outcome,
            self.error_code,
            self.details,
        ]);
        if let (false, Some(list)) = (self.peer.is_empty(), fields.as_array_mut()) {
            list.push(serde_json::json!(self.peer));
        }
        fields.to_string()
    }

    pub(crate) fn from_row(row: &AnyRow) -> Result<Self, sqlx::Error> {
        Ok(Self {
            seq: row.try_get("seq")?,
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

fn chain_hash(prev_hash: &str, canonical: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(prev_hash.as_bytes());
    hasher.update(b"\n");
    hasher.update(canonical.as_bytes());
    hex(&hasher.finalize())
}

/// Lower-case hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    out
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

/// The result of checking the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyReport {
    /// Entries checked.
    pub checked: i64,
    /// The first entry that does not fit the chain, with the reason.
    pub first_bad: Option<(i64, String)>,
}

/// Appending and verifying the 操作履歴 (reading it: `HistoryReadStore`).
#[async_trait]
pub trait HistoryStore {
    /// Appends one entry on its own (for events with no other change: a refused request,
    /// a failed login of an unknown ID, a logout).
    async fn append_history(&self, draft: HistoryDraft) -> StoreResult<i64>;

    /// Walks the whole chain and names the first entry that breaks it.
    async fn verify_history(&self) -> StoreResult<VerifyReport>;
}

#[async_trait]
impl HistoryStore for SqlStore {
    async fn append_history(&self, draft: HistoryDraft) -> StoreResult<i64> {
        let mut tx = self.begin_write().await?;
        let seq = append_in(&mut tx, &draft).await?;
        tx.commit().await?;
        Ok(seq)
    }

    async fn verify_history(&self) -> StoreResult<VerifyReport> {
        const PAGE: i64 = 1000;
        let mut expected_prev = GENESIS_HASH.to_owned();
        let mut expected_seq = 1_i64;
        let mut checked = 0_i64;
        loop {
            let rows = sqlx::query("select * from history where seq >= $1 order by seq limit $2")
                .bind(expected_seq)
                .bind(PAGE)
                .fetch_all(&self.pool)
                .await?;
            if rows.is_empty() {
                break;
            }
            for row in &rows {
                let entry = HistoryEntry::from_row(row)?;
                let problem = if entry.seq != expected_seq {
                    Some(format!(
                        "entry {expected_seq} is missing (next is {})",
                        entry.seq
                    ))
                } else if entry.prev_hash != expected_prev {
                    Some("prev_hash does not match the previous entry's hash".to_owned())
                } else if entry.hash != entry.expected_hash() {
                    Some("the entry's contents do not match its hash".to_owned())
                } else {
                    None
                };
                if let Some(reason) = problem {
                    return Ok(VerifyReport {
                        checked,
                        first_bad: Some((expected_seq, reason)),
                    });
                }
                checked += 1;
                expected_seq += 1;
                expected_prev = entry.hash;
            }
        }
        let head = sqlx::query("select seq, hash from history_head where id = 1")
            .fetch_one(&self.pool)
            .await?;
        let head_seq: i64 = head.try_get("seq")?;
        let head_hash: String = head.try_get("hash")?;
        if head_seq != checked || head_hash != expected_prev {
            return Ok(VerifyReport {
                checked,
                first_bad: Some((
                    checked + 1,
                    format!("the chain head says {head_seq} entries, {checked} found"),
                )),
            });
        }
        Ok(VerifyReport {
            checked,
            first_bad: None,
        })
    }
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

/// Appends `draft` inside the caller's transaction and returns its sequence number.
///
/// The `update … returning` on the single head row takes that row's lock until commit,
/// so concurrent appends (on PostgreSQL, from several app servers) queue up and each one
/// sees its predecessor's hash; on SQLite the write transaction already serialises them.
pub(crate) async fn append_in(conn: &mut AnyConnection, draft: &HistoryDraft) -> StoreResult<i64> {
    let head =
        sqlx::query("update history_head set seq = seq + 1 where id = 1 returning seq, hash")
            .fetch_one(&mut *conn)
            .await?;
    let seq: i64 = head.try_get("seq")?;
    let prev_hash: String = head.try_get("hash")?;
    let entry = HistoryEntry {
        seq,
        occurred_at: draft.occurred_at,
        company_id: draft.company_id,
        user_id: draft.user_id,
        login_id: printable(&draft.login_id, 64),
        ip: printable(&draft.ip, 64),
        user_agent: printable(&draft.user_agent, 256),
        peer: printable(&draft.peer, 64),
        area: draft.area.label().to_owned(),
        operation: printable(&draft.operation, 128),
        outcome: draft.outcome.label().to_owned(),
        error_code: draft.error_code.clone().unwrap_or_default(),
        details: draft.details.to_string(),
        hash: String::new(),
        prev_hash,
    };
    let hash = entry.expected_hash();
    sqlx::query(
        "insert into history (seq, occurred_at, company_id, user_id, login_id, ip, user_agent,
                              area, operation, outcome, error_code, details, prev_hash, hash, peer)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
    )
    .bind(entry.seq)
    .bind(entry.occurred_at)
    .bind(entry.company_id)
    .bind(entry.user_id)
    .bind(&entry.login_id)
    .bind(&entry.ip)
    .bind(&entry.user_agent)
    .bind(&entry.area)
    .bind(&entry.operation)
    .bind(&entry.outcome)
    .bind(&entry.error_code)
    .bind(&entry.details)
    .bind(&entry.prev_hash)
    .bind(&hash)
    .bind(&entry.peer)
    .execute(&mut *conn)
    .await?;
    sqlx::query("update history_head set hash = $1 where id = 1")
        .bind(&hash)
        .execute(&mut *conn)
        .await?;
    Ok(seq)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_is_lower_case() {
        assert_eq!(hex(&[0x00, 0xab, 0xff]), "00abff");
    }

    #[test]
    fn any_field_changes_the_hash() {
        let entry = HistoryEntry {
            seq: 1,
            occurred_at: 1,
            company_id: Some(1),
            user_id: Some(1),
            login_id: "master01".into(),
            ip: "127.0.0.1".into(),
            user_agent: "ua".into(),
            peer: String::new(),
            area: "ログイン".into(),
            operation: "ログイン".into(),
            outcome: "正常".into(),
            error_code: String::new(),
            details: "{}".into(),
            prev_hash: GENESIS_HASH.into(),
            hash: String::new(),
        };
        let base = entry.expected_hash();
        let mut other = entry.clone();
        other.outcome = "エラー".into();
        assert_ne!(base, other.expected_hash());
        let mut other = entry.clone();
        other.prev_hash = "1".repeat(64);
        assert_ne!(base, other.expected_hash());
        assert_eq!(base, entry.expected_hash());
        let mut other = entry.clone();
        other.peer = "10.0.0.2".into();
        assert_ne!(base, other.expected_hash(), "a peer is covered");
    }

    #[test]
    fn what_is_kept_is_printable() {
        assert_eq!(printable("ab\0c\u{202E}", 64), "ab\u{FFFD}c\u{FFFD}");
        assert_eq!(printable(&"x".repeat(100), 64).len(), 64);
    }
}
