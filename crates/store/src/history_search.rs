//! 操作履歴 search: newest first, in keyset pages (`seq < cursor`, never OFFSET), over
//! indexes that lead with the company and end with `seq`, one per condition
//! (`migrations/*/0008_history_search.sql`), so the first page of any search reads about
//! one page of index, however long the history.
//!
//! A date range is turned into a range of `seq` first — the first entry on or after the
//! start, the last before the end, each one probe of (company_id, occurred_at) — and the
//! exact times are still checked, so the few entries written a moment out of order are
//! neither lost nor wrongly shown.

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
    /// Entries older than this one (the next page's cursor).
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

    /// One bound of the `seq` range of a date condition: `min` of the entries on or after
    /// `at`, or `max` of those before it. `None`: there are none.
    async fn seq_bound(
        &self,
        company_id: Option<i64>,
        at: i64,
        after: bool,
    ) -> StoreResult<Option<i64>> {
        let mut clause = Clause::default();
        clause.company(company_id);
        let (agg, cmp) = if after { ("min", ">=") } else { ("max", "<") };
        clause.push(&format!("occurred_at {cmp} ?"), Value::Int(at));
        let sql = format!("select {agg}(seq) as s from history{}", clause.sql());
        let row = clause.query(sql).fetch_one(&self.pool).await?;
        Ok(row.try_get::<Option<i64>, _>("s")?)
    }

    async fn search(&self, s: &HistorySearch) -> StoreResult<Vec<HistoryEntry>> {
        let low = match s.since {
            Some(at) => match self.seq_bound(s.company_id, at, true).await? {
                Some(seq) => Some(seq),
                None => return Ok(Vec::new()),
            },
            None => None,
        };
        let high = match s.until {
            Some(at) => match self.seq_bound(s.company_id, at, false).await? {
                Some(seq) => Some(seq),
                None => return Ok(Vec::new()),
            },
            None => None,
        };
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
        if let Some(seq) = low {
            clause.push("seq >= ?", Value::Int(seq));
        }
        if let Some(seq) = high {
            clause.push("seq <= ?", Value::Int(seq));
        }
        if let Some(at) = s.since {
            clause.push("occurred_at >= ?", Value::Int(at));
        }
        if let Some(at) = s.until {
            clause.push("occurred_at < ?", Value::Int(at));
        }
        if let Some(seq) = s.before_seq {
            clause.push("seq < ?", Value::Int(seq));
        }
        let limit = s.limit.clamp(1, 10_000);
        let sql = format!(
            "select * from history{} order by seq desc limit {limit}",
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
