//! 振込振替 orders: each as asked (the payee as it was then, the amounts and the fee),
//! its approval, and its hand-over to the bank's host. A change of state is written only
//! as [`Approval::apply`] decided it, by a conditional update on the version (and state) it
//! was decided from, so two approvers acting at once cannot both move one order. The
//! acceptance (受付済み) uses the daily limits and puts the order in the outbox in that same
//! transaction: an order is in the outbox exactly when it was accepted.

use async_trait::async_trait;
use madoguchi_domain::ApprovalMode;
use madoguchi_domain::approval::{Approval, State};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::StoreResult;
use crate::connect::SqlStore;
use crate::error::StoreError;
use crate::history::{HistoryDraft, append_in};
pub use crate::orders::Acceptance;
use crate::orders::{Move, Orders, accept, write_move};

/// Where an order's payee came from (and so which 限度額 category it uses).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransferPayeeKind {
    /// 事前登録口座 (「事前登録」).
    Registered,
    /// 利用者登録口座 (「都度指定」).
    UserRegistered,
    /// 新規口座指定: typed at 依頼 (「都度指定」).
    New,
}

impl TransferPayeeKind {
    pub fn code(self) -> &'static str {
        match self {
            TransferPayeeKind::Registered => "registered",
            TransferPayeeKind::UserRegistered => "user",
            TransferPayeeKind::New => "new",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            TransferPayeeKind::Registered => "事前登録口座",
            TransferPayeeKind::UserRegistered => "利用者登録口座",
            TransferPayeeKind::New => "新規口座指定",
        }
    }

    fn from_code(code: &str) -> Option<Self> {
        [Self::Registered, Self::UserRegistered, Self::New]
            .into_iter()
            .find(|k| k.code() == code)
    }
}

/// The payee of an order, as it was when asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransferPayee {
    pub kind: TransferPayeeKind,
    pub payee_id: Option<i64>,
    pub bank_code: String,
    pub branch_code: String,
    /// 科目 (全銀 code).
    pub account_kind: i64,
    pub number: String,
    /// 受取人名 (半角カナ).
    pub name: String,
}

/// An order to store at 確定.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTransfer {
    pub company_id: i64,
    pub account_id: i64,
    pub payee: TransferPayee,
    /// 振込指定日 `YYYY-MM-DD`.
    pub execution_date: String,
    /// 承認期限 (UTC microseconds): the 受付時限 of the 振込指定日.
    pub deadline: i64,
    /// 支払金額
    pub amount: i64,
    /// payer (当方負担) or payee (先方負担).
    pub fee_side: &'static str,
    /// 先方負担手数料 deducted (0 for 当方負担).
    pub fee: i64,
    /// 振込金額 = 支払金額 − 先方負担手数料.
    pub transfer_amount: i64,
    /// The approval after the creator's 確定 (its creator is the creator).
    pub approval: Approval,
}

/// What the bank's host answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostAnswer {
    /// 受付済み (true) or 不能.
    pub accepted: bool,
    /// Why not (empty when accepted).
    pub reason: String,
    pub at: i64,
}

impl HostAnswer {
    /// The stored form of the answer.
    pub(crate) fn code(&self) -> &'static str {
        if self.accepted {
            "accepted"
        } else {
            "rejected"
        }
    }
}

/// A stored order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransferRecord {
    pub id: i64,
    pub company_id: i64,
    pub account_id: i64,
    pub payee: TransferPayee,
    pub execution_date: String,
    pub deadline: i64,
    pub amount: i64,
    pub fee_side: String,
    pub fee: i64,
    pub transfer_amount: i64,
    pub approval: Approval,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
    pub accepted_at: Option<i64>,
    pub host: Option<HostAnswer>,
}

/// `select <every column of an order> from transfers <rest>`, as one literal.
macro_rules! select_transfers {
    ($rest:literal) => {
        concat!(
            "select id, company_id, created_by, account_id, payee_kind, payee_id, bank_code,
                 branch_code, account_kind, number, name, execution_date, deadline, amount,
                 fee_side, fee, transfer_amount, mode, first_approver, last_approver,
                 approved_first, approved_last, state, version, created_at, updated_at,
                 accepted_at, host_result, host_reason, host_at
             from transfers ",
            $rest
        )
    };
}

fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Corrupt(format!("transfer {what} {value}"))
}

fn transfer_from_row(row: &AnyRow) -> StoreResult<TransferRecord> {
    let kind: String = row.try_get("payee_kind")?;
    let mode: String = row.try_get("mode")?;
    let state: String = row.try_get("state")?;
    let approved_by = [
        row.try_get::<Option<i64>, _>("approved_first")?,
        row.try_get::<Option<i64>, _>("approved_last")?,
    ]
    .into_iter()
    .flatten()
    .collect();
    let host_result: Option<String> = row.try_get("host_result")?;
    let host = match host_result {
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
    Ok(TransferRecord {
        id: row.try_get("id")?,
        company_id: row.try_get("company_id")?,
        account_id: row.try_get("account_id")?,
        payee: TransferPayee {
            kind: TransferPayeeKind::from_code(&kind).ok_or_else(|| corrupt("payee", &kind))?,
            payee_id: row.try_get("payee_id")?,
            bank_code: row.try_get("bank_code")?,
            branch_code: row.try_get("branch_code")?,
            account_kind: row.try_get("account_kind")?,
            number: row.try_get("number")?,
            name: row.try_get("name")?,
        },
        execution_date: row.try_get("execution_date")?,
        deadline: row.try_get("deadline")?,
        amount: row.try_get("amount")?,
        fee_side: row.try_get("fee_side")?,
        fee: row.try_get("fee")?,
        transfer_amount: row.try_get("transfer_amount")?,
        approval: Approval {
            mode: ApprovalMode::from_code(&mode).ok_or_else(|| corrupt("mode", &mode))?,
            creator: row.try_get("created_by")?,
            first: row.try_get("first_approver")?,
            last: row.try_get("last_approver")?,
            approved_by,
            state: State::from_code(&state).ok_or_else(|| corrupt("state", &state))?,
        },
        version: row.try_get("version")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
        accepted_at: row.try_get("accepted_at")?,
        host,
    })
}

/// Order `id` of company `company_id`, in the caller's connection.
pub(crate) async fn transfer_in(
    conn: &mut AnyConnection,
    company_id: i64,
    id: i64,
) -> StoreResult<TransferRecord> {
    let row = sqlx::query(select_transfers!("where id = $1 and company_id = $2"))
        .bind(id)
        .bind(company_id)
        .fetch_one(&mut *conn)
        .await?;
    transfer_from_row(&row)
}

/// Binds an order's fields in the order both statements name them: account, payee,
/// 振込指定日, 承認期限, amounts, approval mode, approvers, state.
fn bind_order<'q>(
    q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>,
    n: &'q NewTransfer,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments> {
    q.bind(n.account_id)
        .bind(n.payee.kind.code())
        .bind(n.payee.payee_id)
        .bind(&n.payee.bank_code)
        .bind(&n.payee.branch_code)
        .bind(n.payee.account_kind)
        .bind(&n.payee.number)
        .bind(&n.payee.name)
        .bind(&n.execution_date)
        .bind(n.deadline)
        .bind(n.amount)
        .bind(n.fee_side)
        .bind(n.fee)
        .bind(n.transfer_amount)
        .bind(n.approval.mode.code())
        .bind(n.approval.first)
        .bind(n.approval.last)
        .bind(n.approval.state.code())
}

/// Stores `new` (確定) in the caller's transaction, accepted at once under 承認なし (then
/// `acceptance` must be given). The order's id.
pub(crate) async fn create(
    conn: &mut AnyConnection,
    new: &NewTransfer,
    acceptance: Option<&Acceptance>,
    now: i64,
) -> StoreResult<i64> {
    let accepted = new.approval.state == State::Accepted;
    if accepted && now >= new.deadline {
        return Err(StoreError::PastDeadline);
    }
    let insert = sqlx::query(
        "insert into transfers (company_id, created_by, account_id, payee_kind, payee_id,
             bank_code, branch_code, account_kind, number, name, execution_date, deadline,
             amount, fee_side, fee, transfer_amount, mode, first_approver, last_approver,
             state, version, created_at, updated_at, accepted_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,
             $18, $19, $20, 1, $21, $21, $22)
         returning id",
    )
    .bind(new.company_id)
    .bind(new.approval.creator);
    let id: i64 = bind_order(insert, new)
        .bind(now)
        .bind(accepted.then_some(now))
        .fetch_one(&mut *conn)
        .await?
        .try_get("id")?;
    if accepted {
        let acceptance = acceptance.ok_or(StoreError::NotAllowed)?;
        accept(conn, Orders::Transfers, new.company_id, id, acceptance, now).await?;
    }
    Ok(id)
}

/// A change of state of one order, as the state machine decided it from `version`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransferMove {
    pub company_id: i64,
    pub transfer_id: i64,
    /// The version (and so the state) the move was decided from.
    pub version: i64,
    pub next: Approval,
    /// Given when `next` is 受付済み.
    pub acceptance: Option<Acceptance>,
    /// A 承認: refused (`PastDeadline`) unless written before the order's 承認期限.
    pub approving: bool,
}

/// Writes `m` in the caller's transaction: `Stale` when the order moved meanwhile (or is
/// not the company's), `PastDeadline` for a 承認 at or after the 承認期限, `LimitReached`
/// when the acceptance does not fit a limit.
pub(crate) async fn move_to(
    conn: &mut AnyConnection,
    m: &TransferMove,
    now: i64,
) -> StoreResult<()> {
    let write = Move {
        orders: Orders::Transfers,
        company_id: m.company_id,
        id: m.transfer_id,
        version: m.version,
        next: &m.next,
        acceptance: m.acceptance.as_ref(),
        approving: m.approving,
    };
    write_move(conn, &write, now).await
}

/// 修正 and 確定 again of a 差戻済み or 引戻済み (or 作成中) order: everything as asked
/// anew, and the approval as the state machine decided it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransferRevision {
    pub transfer_id: i64,
    /// The version the revision was decided from.
    pub version: i64,
    /// The order as it is to be (its company is the order's).
    pub new: NewTransfer,
    /// Given when the order is accepted at once (承認なし).
    pub acceptance: Option<Acceptance>,
}

/// Writes `r` in the caller's transaction: `Stale` when the order moved meanwhile, is no
/// longer editable, or is not the company's.
pub(crate) async fn revise(
    conn: &mut AnyConnection,
    r: &TransferRevision,
    now: i64,
) -> StoreResult<()> {
    let n = &r.new;
    let accepted = n.approval.state == State::Accepted;
    if accepted && now >= n.deadline {
        return Err(StoreError::PastDeadline);
    }
    let update = sqlx::query(
        "update transfers set account_id = $4, payee_kind = $5, payee_id = $6,
             bank_code = $7, branch_code = $8, account_kind = $9, number = $10, name = $11,
             execution_date = $12, deadline = $13, amount = $14, fee_side = $15, fee = $16,
             transfer_amount = $17, mode = $18, first_approver = $19, last_approver = $20,
             approved_first = null, approved_last = null, state = $21,
             version = version + 1, updated_at = $22, accepted_at = $23
         where id = $1 and company_id = $2 and version = $3 and created_by = $24
             and state in ('draft', 'returned', 'withdrawn')",
    )
    .bind(r.transfer_id)
    .bind(n.company_id)
    .bind(r.version);
    let done = bind_order(update, n)
        .bind(now)
        .bind(accepted.then_some(now))
        .bind(n.approval.creator)
        .execute(&mut *conn)
        .await?;
    if done.rows_affected() != 1 {
        return Err(StoreError::Stale);
    }
    if accepted {
        let acceptance = r.acceptance.as_ref().ok_or(StoreError::NotAllowed)?;
        accept(
            conn,
            Orders::Transfers,
            n.company_id,
            r.transfer_id,
            acceptance,
            now,
        )
        .await?;
    }
    Ok(())
}

/// Which orders a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransferView {
    /// 全取引照会: all the company's.
    All,
    /// The orders `user` created or is named an approver of.
    Involving(i64),
    /// The orders waiting for an approval that name `user` an approver, the nearest
    /// 承認期限 first.
    WaitingFor(i64),
}

#[async_trait]
pub trait TransferStore {
    /// One order of the company (`None`: not the company's, or none).
    async fn transfer(&self, company_id: i64, id: i64) -> StoreResult<Option<TransferRecord>>;

    /// The company's orders `view` shows, newest first, at most `limit`.
    async fn transfers_of(
        &self,
        company_id: i64,
        view: TransferView,
        limit: i64,
    ) -> StoreResult<Vec<TransferRecord>>;

    /// Every company's orders accepted (受付済み) for the 振込指定日 `date`, by company,
    /// paying account and id: what a file to the host holds.
    async fn accepted_for_date(&self, date: &str) -> StoreResult<Vec<TransferRecord>>;

    /// 期限切れ: every order still waiting or editable whose 承認期限 is at or before `now`
    /// moves to 期限切れ, each with the entry `entry` makes for it, in one transaction.
    /// The orders that expired.
    async fn expire_due(
        &self,
        now: i64,
        entry: &(dyn for<'r> Fn(&'r TransferRecord) -> HistoryDraft + Send + Sync),
    ) -> StoreResult<Vec<TransferRecord>>;
}

#[async_trait]
impl TransferStore for SqlStore {
    async fn transfer(&self, company_id: i64, id: i64) -> StoreResult<Option<TransferRecord>> {
        let row = sqlx::query(select_transfers!("where id = $1 and company_id = $2"))
            .bind(id)
            .bind(company_id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(transfer_from_row).transpose()
    }

    async fn transfers_of(
        &self,
        company_id: i64,
        view: TransferView,
        limit: i64,
    ) -> StoreResult<Vec<TransferRecord>> {
        let rows = match view {
            TransferView::All => {
                sqlx::query(select_transfers!(
                    "where company_id = $1
                     order by id desc limit $2"
                ))
                .bind(company_id)
                .bind(limit)
                .fetch_all(&self.pool)
                .await?
            }
            TransferView::Involving(user) => {
                sqlx::query(select_transfers!(
                    "where company_id = $1
                         and (created_by = $2 or first_approver = $2 or last_approver = $2)
                     order by id desc limit $3"
                ))
                .bind(company_id)
                .bind(user)
                .bind(limit)
                .fetch_all(&self.pool)
                .await?
            }
            TransferView::WaitingFor(user) => {
                sqlx::query(select_transfers!(
                    "where company_id = $1 and state in ('pending', 'first_approved')
                         and (first_approver = $2 or last_approver = $2)
                     order by deadline, id limit $3"
                ))
                .bind(company_id)
                .bind(user)
                .bind(limit)
                .fetch_all(&self.pool)
                .await?
            }
        };
        rows.iter().map(transfer_from_row).collect()
    }

    async fn accepted_for_date(&self, date: &str) -> StoreResult<Vec<TransferRecord>> {
        let rows = sqlx::query(select_transfers!(
            "where execution_date = $1 and state = 'accepted'
             order by company_id, account_id, id"
        ))
        .bind(date)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(transfer_from_row).collect()
    }

    async fn expire_due(
        &self,
        now: i64,
        entry: &(dyn for<'r> Fn(&'r TransferRecord) -> HistoryDraft + Send + Sync),
    ) -> StoreResult<Vec<TransferRecord>> {
        // By company: the pass appends to each company's 操作履歴 chain and holds its head
        // until commit, so it takes the heads in chain order, as a batch of grouped
        // appends does (`history_group.rs`); in any other order the two could each hold a
        // head the other waits for.
        let mut tx = self.begin_write().await?;
        let rows = sqlx::query(select_transfers!(
            "where state in ('draft', 'pending', 'first_approved', 'returned', 'withdrawn')
                 and deadline <= $1
             order by company_id, id limit 500"
        ))
        .bind(now)
        .fetch_all(&mut *tx)
        .await?;
        let mut expired = Vec::new();
        for row in &rows {
            let t = transfer_from_row(row)?;
            let Ok(next) = t
                .approval
                .apply(0, madoguchi_domain::approval::Action::Expire)
            else {
                continue;
            };
            let m = TransferMove {
                company_id: t.company_id,
                transfer_id: t.id,
                version: t.version,
                next,
                acceptance: None,
                approving: false,
            };
            move_to(&mut tx, &m, now).await?;
            append_in(&mut tx, &self.history, &entry(&t)).await?;
            expired.push(t);
        }
        tx.commit().await?;
        Ok(expired)
    }
}
