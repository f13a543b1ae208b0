//! Reference data: the 全銀協 金融機関・支店 master and the bank's closed days. The operator
//! replaces the master and the national holidays whole from newer releases; the bank's own
//! closing days are kept apart and survive an import.

use async_trait::async_trait;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::StoreResult;
use crate::connect::{Backend, SqlStore, values_sql};
use crate::history::{HistoryDraft, append_in};

/// A 金融機関 or a 支店 of the master.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BankEntry {
    pub bank_code: String,
    /// Empty for the bank itself.
    pub branch_code: String,
    pub name: String,
    /// 半角カナ in the 全銀協 character set.
    pub kana: String,
}

/// A day the bank is closed (besides weekends and 12/31–1/3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClosedDay {
    /// YYYY-MM-DD.
    pub day: String,
    pub name: String,
    /// The bank's own (not a national holiday).
    pub bank: bool,
}

/// Rows per insert statement: well under SQLite's and PostgreSQL's limits on parameters.
const BATCH: usize = 400;

#[async_trait]
pub trait ReferenceStore {
    /// Replaces the whole master with `entries` (banks before their branches); the counts
    /// of banks and branches written.
    async fn replace_banks(
        &self,
        entries: &[BankEntry],
        history: HistoryDraft,
    ) -> StoreResult<(usize, usize)>;
    /// The bank `code`, or its branch when `branch_code` is not empty.
    async fn bank_entry(
        &self,
        bank_code: &str,
        branch_code: &str,
    ) -> StoreResult<Option<BankEntry>>;
    /// Banks whose code, or カナ (半角), starts with `prefix`, by code.
    async fn search_banks(&self, prefix: &str, limit: i64) -> StoreResult<Vec<BankEntry>>;
    /// Branches of `bank_code` whose code or カナ starts with `prefix`, by code.
    async fn search_branches(
        &self,
        bank_code: &str,
        prefix: &str,
        limit: i64,
    ) -> StoreResult<Vec<BankEntry>>;
    /// Replaces the national holidays (the bank's own days are kept).
    async fn replace_holidays(
        &self,
        days: &[ClosedDay],
        history: HistoryDraft,
    ) -> StoreResult<usize>;
    /// Adds (or renames) one of the bank's own closing days; `false` when it is a national
    /// holiday already.
    async fn close_day(&self, day: &ClosedDay, history: HistoryDraft) -> StoreResult<bool>;
    /// Removes one of the bank's own closing days; `false` when there was none.
    async fn open_day(&self, day: &str, history: HistoryDraft) -> StoreResult<bool>;
    /// Every closed day, by date.
    async fn closed_days(&self) -> StoreResult<Vec<ClosedDay>>;
}

fn entry_from_row(row: &AnyRow) -> Result<BankEntry, sqlx::Error> {
    Ok(BankEntry {
        bank_code: row.try_get("bank_code")?,
        branch_code: row.try_get("branch_code")?,
        name: row.try_get("name")?,
        kana: row.try_get("kana")?,
    })
}

/// `insert into {table} (columns) values (…), (…)` for `rows` rows of `width` values.
fn insert_sql(backend: Backend, head: &str, rows: usize, width: usize) -> String {
    format!("{head}{}", values_sql(backend, rows, width))
}

/// `%` and `_` taken literally in a `like` prefix.
fn like_prefix(prefix: &str) -> String {
    let escaped: String = prefix
        .chars()
        .flat_map(|c| match c {
            '%' | '_' | '\\' => vec!['\\', c],
            c => vec![c],
        })
        .collect();
    format!("{escaped}%")
}

#[async_trait]
impl ReferenceStore for SqlStore {
    async fn replace_banks(
        &self,
        entries: &[BankEntry],
        history: HistoryDraft,
    ) -> StoreResult<(usize, usize)> {
        let (banks, branches): (Vec<&BankEntry>, Vec<&BankEntry>) =
            entries.iter().partition(|e| e.branch_code.is_empty());
        let mut tx = self.begin_write().await?;
        sqlx::query("delete from branches")
            .execute(&mut *tx)
            .await?;
        sqlx::query("delete from banks").execute(&mut *tx).await?;
        for chunk in banks.chunks(BATCH) {
            let sql = insert_sql(
                self.backend,
                "insert into banks (code, name, kana)",
                chunk.len(),
                3,
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for b in chunk {
                q = q.bind(&b.bank_code).bind(&b.name).bind(&b.kana);
            }
            q.execute(&mut *tx).await?;
        }
        for chunk in branches.chunks(BATCH) {
            let sql = insert_sql(
                self.backend,
                "insert into branches (bank_code, code, name, kana)",
                chunk.len(),
                4,
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for b in chunk {
                q = q
                    .bind(&b.bank_code)
                    .bind(&b.branch_code)
                    .bind(&b.name)
                    .bind(&b.kana);
            }
            q.execute(&mut *tx).await?;
        }
        append_in(&mut tx, &self.history, &history).await?;
        tx.commit().await?;
        Ok((banks.len(), branches.len()))
    }

    async fn bank_entry(
        &self,
        bank_code: &str,
        branch_code: &str,
    ) -> StoreResult<Option<BankEntry>> {
        let row = if branch_code.is_empty() {
            sqlx::query(
                "select code as bank_code, '' as branch_code, name, kana from banks where code = $1",
            )
            .bind(bank_code)
            .fetch_optional(&self.pool)
            .await?
        } else {
            sqlx::query(
                "select bank_code, code as branch_code, name, kana from branches
                 where bank_code = $1 and code = $2",
            )
            .bind(bank_code)
            .bind(branch_code)
            .fetch_optional(&self.pool)
            .await?
        };
        Ok(row.as_ref().map(entry_from_row).transpose()?)
    }

    async fn search_banks(&self, prefix: &str, limit: i64) -> StoreResult<Vec<BankEntry>> {
        let rows = sqlx::query(
            "select code as bank_code, '' as branch_code, name, kana from banks
             where code like $1 escape '\\' or kana like $1 escape '\\'
             order by code limit $2",
        )
        .bind(like_prefix(prefix))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.iter().map(entry_from_row).collect::<Result<_, _>>()?)
    }

    async fn search_branches(
        &self,
        bank_code: &str,
        prefix: &str,
        limit: i64,
    ) -> StoreResult<Vec<BankEntry>> {
        let rows = sqlx::query(
            "select bank_code, code as branch_code, name, kana from branches
             where bank_code = $1 and (code like $2 escape '\\' or kana like $2 escape '\\')
             order by code limit $3",
        )
        .bind(bank_code)
        .bind(like_prefix(prefix))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.iter().map(entry_from_row).collect::<Result<_, _>>()?)
    }

    async fn replace_holidays(
        &self,
        days: &[ClosedDay],
        history: HistoryDraft,
    ) -> StoreResult<usize> {
        let mut tx = self.begin_write().await?;
        sqlx::query("delete from closed_days where kind = 'national'")
            .execute(&mut *tx)
            .await?;
        // A national holiday that was also one of the bank's days becomes national.
        let national: Vec<&ClosedDay> = days.iter().filter(|d| !d.bank).collect();
        for chunk in national.chunks(BATCH) {
            let days: Vec<&str> = chunk.iter().map(|d| d.day.as_str()).collect();
            let sql = format!(
                "delete from closed_days where day in ({})",
                (1..=days.len())
                    .map(|i| format!("${i}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for d in &days {
                q = q.bind(*d);
            }
            q.execute(&mut *tx).await?;
            let sql = insert_sql(
                self.backend,
                "insert into closed_days (day, name, kind)",
                chunk.len(),
                3,
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for d in chunk {
                q = q.bind(&d.day).bind(&d.name).bind("national");
            }
            q.execute(&mut *tx).await?;
        }
        append_in(&mut tx, &self.history, &history).await?;
        tx.commit().await?;
        Ok(national.len())
    }

    async fn close_day(&self, day: &ClosedDay, history: HistoryDraft) -> StoreResult<bool> {
        let mut tx = self.begin_write().await?;
        let national =
            sqlx::query("select day from closed_days where day = $1 and kind = 'national'")
                .bind(&day.day)
                .fetch_optional(&mut *tx)
                .await?
                .is_some();
        if national {
            return Ok(false);
        }
        sqlx::query(
            "insert into closed_days (day, name, kind) values ($1, $2, 'bank')
             on conflict (day) do update set name = excluded.name",
        )
        .bind(&day.day)
        .bind(&day.name)
        .execute(&mut *tx)
        .await?;
        append_in(&mut tx, &self.history, &history).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn open_day(&self, day: &str, history: HistoryDraft) -> StoreResult<bool> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query("delete from closed_days where day = $1 and kind = 'bank'")
            .bind(day)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Ok(false);
        }
        append_in(&mut tx, &self.history, &history).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn closed_days(&self) -> StoreResult<Vec<ClosedDay>> {
        let rows = sqlx::query("select day, name, kind from closed_days order by day")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(ClosedDay {
                    day: r.try_get("day")?,
                    name: r.try_get("name")?,
                    bank: r.try_get::<String, _>("kind")? == "bank",
                })
            })
            .collect()
    }
}
