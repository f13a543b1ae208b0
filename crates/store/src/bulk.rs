//! 総合振込, 給与振込, 賞与振込 and 口座振替 orders: one file each — its header's values,
//! its totals and its records as accepted at ファイル受付 — with the approval of 振込振替
//! (the same state machine, written by the same conditional update: `orders`), the same
//! limits ledger and the same outbox. A file is stored whole or not at all: its records go
//! in with the order, in the transaction that records the ファイル受付 in the 操作履歴.

use async_trait::async_trait;
use madoguchi_domain::approval::{Action, Approval, State};
use madoguchi_domain::{ApprovalMode, Business};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::StoreResult;
use crate::connect::{Backend, SqlStore, WriteTx, values_sql};
use crate::error::StoreError;
use crate::history::{HistoryDraft, HistoryWriter, append_in};
use crate::orders::{Move, Orders, write_move};
use crate::transfers::{Acceptance, HostAnswer, TransferView};

/// The file as it was received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileFacts {
    pub name: String,
    pub size: i64,
    /// SHA-256, hex.
    pub sha256: String,
    /// Typed on screen (依頼(画面入力)) and written as a file, not uploaded.
    pub entered: bool,
}

/// 件数 and the sums of a file's records.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BulkTotals {
    pub count: i64,
    /// 支払金額 (the file's amounts).
    pub amount: i64,
    /// 先方負担手数料 deducted.
    pub deduction: i64,
    /// 振込金額 (what the limits count).
    pub transfer: i64,
    /// 当方負担手数料.
    pub payer_fee: i64,
}

impl BulkTotals {
    /// Adds one record.
    pub fn add(&mut self, r: &BulkRecordRow) {
        self.count += 1;
        self.amount += r.amount;
        self.deduction += r.deduction;
        self.transfer += r.transfer_amount;
        self.payer_fee += r.payer_fee;
    }
}

/// One record as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BulkRecordRow {
    /// Its line in the file (the header is line 1).
    pub line: i64,
    pub bank_code: String,
    pub bank_name: String,
    pub branch_code: String,
    pub branch_name: String,
    pub account_kind: i64,
    pub number: String,
    pub name: String,
    /// 振込金額 / 引落金額 of the file (the 支払金額 under 先方負担).
    pub amount: i64,
    pub deduction: i64,
    pub transfer_amount: i64,
    pub payer_fee: i64,
    pub new_code: i64,
    pub reference: String,
    pub reference2: String,
    /// 振替結果コード of 口座振替, once the bank's result file is in.
    pub result_code: Option<i64>,
}

/// An order to store at ファイル受付 (作成中, the approvers named).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewBulkOrder {
    pub company_id: i64,
    pub business: Business,
    pub account_id: i64,
    pub file: FileFacts,
    pub requester_code: String,
    pub requester_name: String,
    /// 振込指定日 / 引落日 `YYYY-MM-DD`.
    pub execution_date: String,
    /// 承認期限 (UTC microseconds).
    pub deadline: i64,
    pub fee_side: &'static str,
    pub totals: BulkTotals,
    pub approval: Approval,
    /// What 確認 warns of (names that differ from the 全銀協 master's).
    pub warnings: Vec<String>,
}

/// What the bank's 口座振替 result file reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BulkResults {
    pub at: i64,
    pub settled_count: i64,
    pub settled_amount: i64,
    pub unsettled_count: i64,
    pub unsettled_amount: i64,
}

/// A stored order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BulkOrder {
    pub id: i64,
    pub company_id: i64,
    pub business: Business,
    pub account_id: i64,
    pub file: FileFacts,
    pub requester_code: String,
    pub requester_name: String,
    pub execution_date: String,
    pub deadline: i64,
    pub fee_side: String,
    pub totals: BulkTotals,
    pub approval: Approval,
    pub warnings: Vec<String>,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
    pub accepted_at: Option<i64>,
    pub host: Option<HostAnswer>,
    pub results: Option<BulkResults>,
}

/// A change of state of one order, as the state machine decided it from `version`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BulkMove {
    pub company_id: i64,
    pub order_id: i64,
    pub version: i64,
    pub next: Approval,
    /// Given when `next` is 受付済み.
    pub acceptance: Option<Acceptance>,
    pub approving: bool,
    pub business: Business,
}

macro_rules! select_orders {
    ($rest:literal) => {
        concat!(
            "select id, company_id, business, created_by, account_id, file_name, file_size,
                 file_sha256, requester_code, requester_name, execution_date, deadline,
                 record_count, total_amount, fee_side, deduction_total, transfer_total,
                 payer_fee_total, warnings, mode, first_approver, last_approver, approved_first,
                 approved_last, state, version, created_at, updated_at, accepted_at,
                 host_result, host_reason, host_at, results_at, settled_count,
                 settled_amount, unsettled_count, unsettled_amount, entered
             from bulk_orders ",
            $rest
        )
    };
}

fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Corrupt(format!("bulk order {what} {value}"))
}

fn order_from_row(row: &AnyRow) -> StoreResult<BulkOrder> {
    let business: String = row.try_get("business")?;
    let mode: String = row.try_get("mode")?;
    let state: String = row.try_get("state")?;
    let approved_by = [
        row.try_get::<Option<i64>, _>("approved_first")?,
        row.try_get::<Option<i64>, _>("approved_last")?,
    ]
    .into_iter()
    .flatten()
    .collect();
    let host = match row.try_get::<Option<String>, _>("host_result")? {
        Some(result) => Some(HostAnswer {
            accepted: result == "accepted",
            reason: row
                .try_get::<Option<String>, _>("host_reason")?
                .unwrap_or_default(),
            at: row
                .try_get::<Option<i64>, _>("host_at")?
                .unwrap_or_default(),
        }),
        None => None,
    };
    let results = match row.try_get::<Option<i64>, _>("results_at")? {
        Some(at) => Some(BulkResults {
            at,
            settled_count: row.try_get::<Option<i64>, _>("settled_count")?.unwrap_or(0),
            settled_amount: row
                .try_get::<Option<i64>, _>("settled_amount")?
                .unwrap_or(0),
            unsettled_count: row
                .try_get::<Option<i64>, _>("unsettled_count")?
                .unwrap_or(0),
            unsettled_amount: row
                .try_get::<Option<i64>, _>("unsettled_amount")?
                .unwrap_or(0),
        }),
        None => None,
    };
    Ok(BulkOrder {
        id: row.try_get("id")?,
        company_id: row.try_get("company_id")?,
        business: Business::from_key(&business).ok_or_else(|| corrupt("business", &business))?,
        account_id: row.try_get("account_id")?,
        file: FileFacts {
            name: row.try_get("file_name")?,
            size: row.try_get("file_size")?,
            sha256: row.try_get("file_sha256")?,
            entered: row.try_get::<i64, _>("entered")? != 0,
        },
        requester_code: row.try_get("requester_code")?,
        requester_name: row.try_get("requester_name")?,
        execution_date: row.try_get("execution_date")?,
        deadline: row.try_get("deadline")?,
        fee_side: row.try_get("fee_side")?,
        totals: BulkTotals {
            count: row.try_get("record_count")?,
            amount: row.try_get("total_amount")?,
            deduction: row.try_get("deduction_total")?,
            transfer: row.try_get("transfer_total")?,
            payer_fee: row.try_get("payer_fee_total")?,
        },
        approval: Approval {
            mode: ApprovalMode::from_code(&mode).ok_or_else(|| corrupt("mode", &mode))?,
            creator: row.try_get("created_by")?,
            first: row.try_get("first_approver")?,
            last: row.try_get("last_approver")?,
            approved_by,
            state: State::from_code(&state).ok_or_else(|| corrupt("state", &state))?,
        },
        warnings: serde_json::from_str(&row.try_get::<String, _>("warnings")?)
            .map_err(|e| corrupt("warnings", &e.to_string()))?,
        version: row.try_get("version")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
        accepted_at: row.try_get("accepted_at")?,
        host,
        results,
    })
}

fn record_from_row(row: &AnyRow) -> StoreResult<BulkRecordRow> {
    Ok(BulkRecordRow {
        line: row.try_get("line")?,
        bank_code: row.try_get("bank_code")?,
        bank_name: row.try_get("bank_name")?,
        branch_code: row.try_get("branch_code")?,
        branch_name: row.try_get("branch_name")?,
        account_kind: row.try_get("account_kind")?,
        number: row.try_get("number")?,
        name: row.try_get("name")?,
        amount: row.try_get("amount")?,
        deduction: row.try_get("deduction")?,
        transfer_amount: row.try_get("transfer_amount")?,
        payer_fee: row.try_get("payer_fee")?,
        new_code: row.try_get("new_code")?,
        reference: row.try_get("reference")?,
        reference2: row.try_get("reference2")?,
        result_code: row.try_get("result_code")?,
    })
}

/// Order `id` of company `company_id`, in the caller's connection.
pub(crate) async fn bulk_order_in(
    conn: &mut AnyConnection,
    company_id: i64,
    id: i64,
) -> StoreResult<BulkOrder> {
    let row = sqlx::query(select_orders!("where id = $1 and company_id = $2"))
        .bind(id)
        .bind(company_id)
        .fetch_one(&mut *conn)
        .await?;
    order_from_row(&row)
}

/// Records per insert statement: 16 values each (8,000), within both engines' bound limits.
const BATCH: usize = 500;

async fn insert_records(
    conn: &mut AnyConnection,
    backend: Backend,
    order_id: i64,
    records: &[BulkRecordRow],
) -> StoreResult<()> {
    for chunk in records.chunks(BATCH) {
        let sql = format!(
            "insert into bulk_records (order_id, line, bank_code, bank_name, branch_code,
                 branch_name, account_kind, number, name, amount, deduction, transfer_amount,
                 payer_fee, new_code, reference, reference2){}",
            values_sql(backend, chunk.len(), 16)
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for r in chunk {
            q = q
                .bind(order_id)
                .bind(r.line)
                .bind(r.bank_code.clone())
                .bind(r.bank_name.clone())
                .bind(r.branch_code.clone())
                .bind(r.branch_name.clone())
                .bind(r.account_kind)
                .bind(r.number.clone())
                .bind(r.name.clone())
                .bind(r.amount)
                .bind(r.deduction)
                .bind(r.transfer_amount)
                .bind(r.payer_fee)
                .bind(r.new_code)
                .bind(r.reference.clone())
                .bind(r.reference2.clone());
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

/// A file order being written (see [`BulkStore::begin_bulk`]). Dropped without
/// [`BulkWriter::finish`], its transaction rolls back and nothing of it is kept.
pub struct BulkWriter {
    tx: WriteTx,
    backend: Backend,
    history: HistoryWriter,
    order_id: i64,
    count: i64,
}

impl BulkWriter {
    /// Adds `records` to the order.
    pub async fn write(&mut self, records: &[BulkRecordRow]) -> StoreResult<()> {
        insert_records(&mut self.tx, self.backend, self.order_id, records).await?;
        self.count += records.len() as i64;
        Ok(())
    }

    /// The totals the records came to, the names that differ from the master's, and the
    /// order's 操作履歴 entry (given its id), then commit: the order's id. Refused
    /// (`Corrupt`) when the records written are not the totals' count.
    pub async fn finish(
        mut self,
        totals: &BulkTotals,
        warnings: &[String],
        mut history: HistoryDraft,
    ) -> StoreResult<i64> {
        if self.count != totals.count {
            return Err(corrupt("record_count", &self.count.to_string()));
        }
        let warnings =
            serde_json::to_string(warnings).map_err(|e| corrupt("warnings", &e.to_string()))?;
        sqlx::query(
            "update bulk_orders set record_count = $2, total_amount = $3, deduction_total = $4,
                 transfer_total = $5, payer_fee_total = $6, warnings = $7
             where id = $1",
        )
        .bind(self.order_id)
        .bind(totals.count)
        .bind(totals.amount)
        .bind(totals.deduction)
        .bind(totals.transfer)
        .bind(totals.payer_fee)
        .bind(warnings)
        .execute(&mut *self.tx)
        .await?;
        if let Some(d) = history.details.as_object_mut() {
            d.insert("order_id".into(), self.order_id.into());
        }
        append_in(&mut self.tx, &self.history, &history).await?;
        self.tx.commit().await?;
        Ok(self.order_id)
    }
}

/// Writes `m` in the caller's transaction (see `orders::write_move`).
pub(crate) async fn move_to(conn: &mut AnyConnection, m: &BulkMove, now: i64) -> StoreResult<()> {
    let write = Move {
        orders: Orders::Bulk(m.business),
        company_id: m.company_id,
        id: m.order_id,
        version: m.version,
        next: &m.next,
        acceptance: m.acceptance.as_ref(),
        approving: m.approving,
    };
    write_move(conn, &write, now).await
}

/// The result of one record in a 口座振替 result file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordResult {
    pub line: i64,
    pub code: i64,
}

#[async_trait]
pub trait BulkStore {
    /// ファイル受付: stores `new` (作成中) with every one of its `records` and `history`, in
    /// one transaction. The order's id.
    async fn create_bulk(
        &self,
        new: &NewBulkOrder,
        records: &[BulkRecordRow],
        history: HistoryDraft,
    ) -> StoreResult<i64>;

    /// Begins writing `new` at `now` (its totals as the file's trailer states them, the
    /// 振込金額 the 支払金額 until `finish` has them): the records
    /// follow batch by batch, in one transaction with the order, so a file is stored in
    /// bounded memory; nothing is kept unless [`BulkWriter::finish`] commits.
    async fn begin_bulk(&self, new: &NewBulkOrder, now: i64) -> StoreResult<BulkWriter>;

    /// One order of the company (`None`: not the company's, or none).
    async fn bulk_order(&self, company_id: i64, id: i64) -> StoreResult<Option<BulkOrder>>;

    /// The records of order `id` of the company after line `after`, at most `limit`.
    async fn bulk_records(
        &self,
        company_id: i64,
        id: i64,
        after: i64,
        limit: i64,
    ) -> StoreResult<Vec<BulkRecordRow>>;

    /// The company's orders of `business` that `view` shows, newest first (waiting ones:
    /// the nearest 承認期限 first), at most `limit`.
    async fn bulk_orders_of(
        &self,
        company_id: i64,
        business: Business,
        view: TransferView,
        limit: i64,
    ) -> StoreResult<Vec<BulkOrder>>;

    /// Every company's orders of `business` accepted for the 振込指定日 `date`, by company,
    /// paying account and id: what the files to the host hold.
    async fn bulk_accepted_for_date(
        &self,
        business: Business,
        date: &str,
    ) -> StoreResult<Vec<BulkOrder>>;

    /// 期限切れ of every file order still waiting or editable at or past its 承認期限, each
    /// with the entry `entry` makes for it, in one transaction.
    async fn expire_due_bulk(
        &self,
        now: i64,
        entry: &(dyn for<'r> Fn(&'r BulkOrder) -> HistoryDraft + Send + Sync),
    ) -> StoreResult<Vec<BulkOrder>>;

    /// The bank's results of 口座振替 order `id` — each record's 振替結果コード and the
    /// totals — with `history`, once: `false` (nothing written) when they were in already.
    async fn record_results(
        &self,
        company_id: i64,
        id: i64,
        results: &[RecordResult],
        totals: BulkResults,
        history: HistoryDraft,
    ) -> StoreResult<bool>;
}

#[async_trait]
impl BulkStore for SqlStore {
    async fn create_bulk(
        &self,
        new: &NewBulkOrder,
        records: &[BulkRecordRow],
        history: HistoryDraft,
    ) -> StoreResult<i64> {
        let mut w = self.begin_bulk(new, history.occurred_at).await?;
        w.write(records).await?;
        w.finish(&new.totals, &new.warnings, history).await
    }

    async fn begin_bulk(&self, new: &NewBulkOrder, now: i64) -> StoreResult<BulkWriter> {
        let mut tx = self.begin_write().await?;
        let t = &new.totals;
        let id: i64 = sqlx::query(
            "insert into bulk_orders (company_id, business, created_by, account_id, file_name,
                 file_size, file_sha256, requester_code, requester_name, execution_date,
                 deadline, record_count, total_amount, fee_side, deduction_total,
                 transfer_total, payer_fee_total, mode, first_approver, last_approver, state,
                 version, created_at, updated_at, warnings, entered)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16,
                 $17, $18, $19, $20, $21, 1, $22, $22, '[]', $23)
             returning id",
        )
        .bind(new.company_id)
        .bind(new.business.key())
        .bind(new.approval.creator)
        .bind(new.account_id)
        .bind(&new.file.name)
        .bind(new.file.size)
        .bind(&new.file.sha256)
        .bind(&new.requester_code)
        .bind(&new.requester_name)
        .bind(&new.execution_date)
        .bind(new.deadline)
        .bind(t.count)
        .bind(t.amount)
        .bind(new.fee_side)
        .bind(t.deduction)
        .bind(t.transfer)
        .bind(t.payer_fee)
        .bind(new.approval.mode.code())
        .bind(new.approval.first)
        .bind(new.approval.last)
        .bind(new.approval.state.code())
        .bind(now)
        .bind(i64::from(new.file.entered))
        .fetch_one(&mut *tx)
        .await?
        .try_get("id")?;
        Ok(BulkWriter {
            tx,
            backend: self.backend,
            history: self.history.clone(),
            order_id: id,
            count: 0,
        })
    }

    async fn bulk_order(&self, company_id: i64, id: i64) -> StoreResult<Option<BulkOrder>> {
        let row = sqlx::query(select_orders!("where id = $1 and company_id = $2"))
            .bind(id)
            .bind(company_id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(order_from_row).transpose()
    }

    async fn bulk_records(
        &self,
        company_id: i64,
        id: i64,
        after: i64,
        limit: i64,
    ) -> StoreResult<Vec<BulkRecordRow>> {
        let rows = sqlx::query(
            "select r.line, r.bank_code, r.bank_name, r.branch_code, r.branch_name,
                 r.account_kind, r.number, r.name, r.amount, r.deduction, r.transfer_amount,
                 r.payer_fee, r.new_code, r.reference, r.reference2, r.result_code
             from bulk_records r join bulk_orders o on o.id = r.order_id
             where r.order_id = $1 and o.company_id = $2 and r.line > $3
             order by r.line limit $4",
        )
        .bind(id)
        .bind(company_id)
        .bind(after)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(record_from_row).collect()
    }

    async fn bulk_orders_of(
        &self,
        company_id: i64,
        business: Business,
        view: TransferView,
        limit: i64,
    ) -> StoreResult<Vec<BulkOrder>> {
        let b = business.key();
        let rows = match view {
            TransferView::All => {
                sqlx::query(select_orders!(
                    "where company_id = $1 and business = $2 order by id desc limit $3"
                ))
                .bind(company_id)
                .bind(b)
                .bind(limit)
                .fetch_all(&self.pool)
                .await?
            }
            TransferView::Involving(user) => {
                sqlx::query(select_orders!(
                    "where company_id = $1 and business = $2
                         and (created_by = $3 or first_approver = $3 or last_approver = $3)
                     order by id desc limit $4"
                ))
                .bind(company_id)
                .bind(b)
                .bind(user)
                .bind(limit)
                .fetch_all(&self.pool)
                .await?
            }
            TransferView::WaitingFor(user) => {
                sqlx::query(select_orders!(
                    "where company_id = $1 and business = $2
                         and state in ('pending', 'first_approved')
                         and (first_approver = $3 or last_approver = $3)
                     order by deadline, id limit $4"
                ))
                .bind(company_id)
                .bind(b)
                .bind(user)
                .bind(limit)
                .fetch_all(&self.pool)
                .await?
            }
        };
        rows.iter().map(order_from_row).collect()
    }

    async fn bulk_accepted_for_date(
        &self,
        business: Business,
        date: &str,
    ) -> StoreResult<Vec<BulkOrder>> {
        let rows = sqlx::query(select_orders!(
            "where business = $1 and execution_date = $2 and state = 'accepted'
             order by company_id, account_id, id"
        ))
        .bind(business.key())
        .bind(date)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(order_from_row).collect()
    }

    async fn expire_due_bulk(
        &self,
        now: i64,
        entry: &(dyn for<'r> Fn(&'r BulkOrder) -> HistoryDraft + Send + Sync),
    ) -> StoreResult<Vec<BulkOrder>> {
        // By company: the pass appends to each company's 操作履歴 chain and holds its head
        // until commit, so it takes the heads in chain order, as a batch of grouped
        // appends does (`history_group.rs`); in any other order the two could each hold a
        // head the other waits for.
        let mut tx = self.begin_write().await?;
        let rows = sqlx::query(select_orders!(
            "where state in ('draft', 'pending', 'first_approved', 'returned', 'withdrawn')
                 and deadline <= $1
             order by company_id, id limit 500"
        ))
        .bind(now)
        .fetch_all(&mut *tx)
        .await?;
        let mut expired = Vec::new();
        for row in &rows {
            let o = order_from_row(row)?;
            let Ok(next) = o.approval.apply(0, Action::Expire) else {
                continue;
            };
            let m = BulkMove {
                company_id: o.company_id,
                order_id: o.id,
                version: o.version,
                next,
                acceptance: None,
                approving: false,
                business: o.business,
            };
            move_to(&mut tx, &m, now).await?;
            append_in(&mut tx, &self.history, &entry(&o)).await?;
            expired.push(o);
        }
        tx.commit().await?;
        Ok(expired)
    }

    async fn record_results(
        &self,
        company_id: i64,
        id: i64,
        results: &[RecordResult],
        totals: BulkResults,
        history: HistoryDraft,
    ) -> StoreResult<bool> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "update bulk_orders set results_at = $3, settled_count = $4, settled_amount = $5,
                 unsettled_count = $6, unsettled_amount = $7
             where id = $1 and company_id = $2 and business = 'direct_debit'
                 and state = 'accepted' and results_at is null",
        )
        .bind(id)
        .bind(company_id)
        .bind(totals.at)
        .bind(totals.settled_count)
        .bind(totals.settled_amount)
        .bind(totals.unsettled_count)
        .bind(totals.unsettled_amount)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if done != 1 {
            return Ok(false);
        }
        for r in results {
            let set = sqlx::query(
                "update bulk_records set result_code = $3 where order_id = $1 and line = $2",
            )
            .bind(id)
            .bind(r.line)
            .bind(r.code)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if set != 1 {
                return Err(StoreError::NotFound);
            }
        }
        append_in(&mut tx, &self.history, &history).await?;
        tx.commit().await?;
        Ok(true)
    }
}
