//! 操作履歴 search: a company's entries newest 操作日時 first, in keyset pages (after the
//! (occurred_at, seq) of the last entry shown, never OFFSET), over indexes that lead with
//! the company and its condition and end with (occurred_at, seq), one per condition
//! (`migrations/*/0011_history_time_order.sql`): the first page of any search, with or
//! without an 操作日付 range, reads about one page of one index, however long the history.
//! The cursor stays the last entry's `seq`; its time is one probe of the primary key.
//! The bank-wide view (no company) is in the order of writing.

use async_trait::async_trait;
use sqlx::Row;

use crate::StoreResult;
use crate::connect::SqlStore;
use crate::history::{HistoryEntry, HistoryFilter};

/// Reading the 操作履歴.
#[async_trait]
pub trait HistoryReadStore {
    /// The newest entries matching `filter`.
    async fn history(&self, filter: &HistoryFilter) -> StoreResult<Vec<HistoryEntry>>;

    /// One page of a search, newest first.
    async fn search_history(&self, search: &HistorySearch) -> StoreResult<Vec<HistoryEntry>>;

    /// Entry `seq`, if it is `company_id`'s (`None`: anyone's).
    async fn history_entry(
        &self,
        company_id: Option<i64>,
        seq: i64,
    ) -> StoreResult<Option<HistoryEntry>>;
}

#[async_trait]
impl HistoryReadStore for SqlStore {
    async fn history(&self, filter: &HistoryFilter) -> StoreResult<Vec<HistoryEntry>> {
        self.search(&HistorySearch {
            company_id: filter.company_id,
            user_id: filter.user_id,
            limit: filter.limit.clamp(1, 3000),
            ..HistorySearch::default()
        })
        .await
    }

    async fn search_history(&self, search: &HistorySearch) -> StoreResult<Vec<HistoryEntry>> {
        self.search(search).await
    }

    async fn history_entry(
        &self,
        company_id: Option<i64>,
        seq: i64,
    ) -> StoreResult<Option<HistoryEntry>> {
        self.entry(company_id, seq).await
    }
}

/// The order of a company's entries: newest 操作日時 first, the order of writing among
/// equal times — every search index ends with these two columns.
const COMPANY_ORDER: &str = "occurred_at desc, seq desc";

/// What to find. `None` is "any".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HistorySearch {
    /// Only this company's entries (`None`: the whole deployment — the operator's view).
    pub company_id: Option<i64>,
    pub user_id: Option<i64>,
    /// occurred_at ≥ since (UTC µs).
    pub since: Option<i64>,
    /// occurred_at < until.
    pub until: Option<i64>,
    /// 業務種別, 操作内容 and 結果: the code, and the words format-1 entries hold.
    pub area: Option<(String, String)>,
    pub operation: Option<(String, String)>,
    pub outcome: Option<(String, String)>,
    /// 操作端末 (the address), exactly.
    pub ip: Option<String>,
    /// Entries after this one in the list's order (the next page's cursor: the last
    /// entry shown).
    pub before_seq: Option<i64>,
    pub limit: i64,
}

/// A bound value of a built query.
enum Value {
    Int(i64),
    Text(String),
}

/// A `where` clause built condition by condition, with numbered placeholders.
#[derive(Default)]
struct Clause {
    parts: Vec<String>,
    values: Vec<Value>,
}

impl Clause {
    fn push(&mut self, sql: &str, value: Value) {
        self.push_all(sql, vec![value]);
    }

    /// A condition with one `?` per value, in order.
    fn push_all(&mut self, sql: &str, values: Vec<Value>) {
        let mut out = String::new();
        let mut values = values.into_iter();
        for piece in sql.split_inclusive('?') {
            match (piece.strip_suffix('?'), values.next()) {
                (Some(head), Some(v)) => {
                    self.values.push(v);
                    out.push_str(&format!("{head}${}", self.values.len()));
                }
                _ => out.push_str(piece),
            }
        }
        self.parts.push(out);
    }

    fn company(&mut self, company_id: Option<i64>) {
        if let Some(id) = company_id {
            self.push("company_id = ?", Value::Int(id));
        }
    }

    fn sql(&self) -> String {
        if self.parts.is_empty() {
            String::new()
        } else {
            format!(" where {}", self.parts.join(" and "))
        }
    }

    /// The query of `sql`, built here from fixed fragments and numbered placeholders only
    /// (every value is bound), with this clause's values bound.
    fn query(
        &self,
        sql: String,
    ) -> sqlx::query::Query<'static, sqlx::Any, sqlx::any::AnyArguments> {
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for v in &self.values {
            q = match v {
                Value::Int(i) => q.bind(*i),
                Value::Text(t) => q.bind(t.clone()),
            };
        }
        q
    }
}

impl SqlStore {
    /// Whether format-1 entries exist (their count is the frozen head's).
    async fn has_legacy(&self) -> StoreResult<bool> {
        if let Some(known) = self.legacy.get() {
            return Ok(*known);
        }
        let count: i64 = sqlx::query("select seq from history_head where id = 1")
            .fetch_one(&self.pool)
            .await?
            .try_get("seq")?;
        Ok(*self.legacy.get_or_init(|| count > 0))
    }

    /// 操作日時 of entry `seq` of `company_id` (the cursor of a company's pages).
    async fn occurred_at_of(&self, company_id: i64, seq: i64) -> StoreResult<Option<i64>> {
        let row = sqlx::query("select occurred_at from history where company_id = $1 and seq = $2")
            .bind(company_id)
            .bind(seq)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|r| r.try_get("occurred_at")).transpose()?)
    }

    async fn search(&self, s: &HistorySearch) -> StoreResult<Vec<HistoryEntry>> {
        let mut clause = Clause::default();
        clause.company(s.company_id);
        if let Some(user) = s.user_id {
            clause.push("user_id = ?", Value::Int(user));
        }
        let legacy = self.has_legacy().await?;
        for (column, value) in [
            ("area", &s.area),
            ("operation", &s.operation),
            ("outcome", &s.outcome),
        ] {
            match value {
                // Only where old entries exist is the second value looked for: `in` would
                // not walk the index in order (PostgreSQL before 17).
                Some((code, words)) if legacy && code != words => clause.push_all(
                    &format!("({column} = ? or {column} = ?)"),
                    vec![Value::Text(code.clone()), Value::Text(words.clone())],
                ),
                Some((code, _)) => clause.push(&format!("{column} = ?"), Value::Text(code.clone())),
                None => {}
            }
        }
        if let Some(ip) = &s.ip {
            clause.push("ip = ?", Value::Text(ip.clone()));
        }
        if let Some(at) = s.since {
            clause.push("occurred_at >= ?", Value::Int(at));
        }
        if let Some(at) = s.until {
            clause.push("occurred_at < ?", Value::Int(at));
        }
        let order = match (s.company_id, s.before_seq) {
            (Some(company), Some(seq)) => match self.occurred_at_of(company, seq).await? {
                Some(at) => {
                    clause.push_all(
                        "(occurred_at, seq) < (?, ?)",
                        vec![Value::Int(at), Value::Int(seq)],
                    );
                    COMPANY_ORDER
                }
                // Not one of the company's entries (or purged since): nothing is older.
                None => return Ok(Vec::new()),
            },
            (Some(_), None) => COMPANY_ORDER,
            (None, before) => {
                if let Some(seq) = before {
                    clause.push("seq < ?", Value::Int(seq));
                }
                "seq desc"
            }
        };
        let limit = s.limit.clamp(1, 10_000);
        let sql = format!(
            "select * from history{} order by {order} limit {limit}",
            clause.sql()
        );
        let rows = clause.query(sql).fetch_all(&self.pool).await?;
        Ok(rows
            .iter()
            .map(HistoryEntry::from_row)
            .collect::<Result<_, _>>()?)
    }

    async fn entry(&self, company_id: Option<i64>, seq: i64) -> StoreResult<Option<HistoryEntry>> {
        let mut clause = Clause::default();
        clause.company(company_id);
        clause.push("seq = ?", Value::Int(seq));
        let sql = format!("select * from history{}", clause.sql());
        let row = clause.query(sql).fetch_optional(&self.pool).await?;
        Ok(row.as_ref().map(HistoryEntry::from_row).transpose()?)
    }
}
