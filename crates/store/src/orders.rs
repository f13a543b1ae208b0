//! What every business's orders share in storage: the write of a move of the approval
//! state machine — a conditional update on the version (and so the state) it was decided
//! from, refused past the 承認期限 for a 承認 — and the acceptance: the limits used, for the
//! 日本時間 day of the write, and the order put in the one outbox to the bank's host, in
//! the transaction that accepts it. 振込振替 (`transfers`) and the file businesses
//! (`bulk_orders`) keep their approval in columns of the same names, so one statement
//! serves both.

use madoguchi_domain::approval::{Approval, State};
use sqlx::AnyConnection;

use crate::StoreResult;
use crate::error::StoreError;
use crate::ledger::reserve;
use madoguchi_domain::limits_ledger::Reservation;

/// What the acceptance of an order uses of the limits: the reservations, and the
/// 日本時間 day it was checked for (the store counts them for the day of the write).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Acceptance {
    pub day: String,
    pub reservations: Vec<Reservation>,
}

/// Which orders: their table and the business the outbox names them by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Orders {
    Transfers,
    Bulk(madoguchi_domain::Business),
}

impl Orders {
    fn table(self) -> &'static str {
        match self {
            Orders::Transfers => "transfers",
            Orders::Bulk(_) => "bulk_orders",
        }
    }

    /// The outbox's name of the business.
    pub(crate) fn business(self) -> &'static str {
        match self {
            Orders::Transfers => madoguchi_domain::Business::Transfer.key(),
            Orders::Bulk(b) => b.key(),
        }
    }
}

/// A move of one order, as the state machine decided it from `version`.
pub(crate) struct Move<'a> {
    pub orders: Orders,
    pub company_id: i64,
    pub id: i64,
    pub version: i64,
    pub next: &'a Approval,
    /// Given when `next` is 受付済み.
    pub acceptance: Option<&'a Acceptance>,
    /// A 承認: refused (`PastDeadline`) unless written before the order's 承認期限.
    pub approving: bool,
}

/// Writes `m` in the caller's transaction: `Stale` when the order moved meanwhile (or is
/// not the company's), `PastDeadline` for a 承認 at or after the 承認期限, `LimitReached`
/// when the acceptance does not fit a limit.
pub(crate) async fn write_move(
    conn: &mut AnyConnection,
    m: &Move<'_>,
    now: i64,
) -> StoreResult<()> {
    let accepted = m.next.state == State::Accepted;
    let done = sqlx::query(sqlx::AssertSqlSafe(format!(
        "update {} set state = $4, first_approver = $5, last_approver = $6,
             approved_first = $7, approved_last = $8, version = version + 1, updated_at = $9,
             accepted_at = $10
         where id = $1 and company_id = $2 and version = $3 and ($11 = 0 or deadline > $9)",
        m.orders.table()
    )))
    .bind(m.id)
    .bind(m.company_id)
    .bind(m.version)
    .bind(m.next.state.code())
    .bind(m.next.first)
    .bind(m.next.last)
    .bind(m.next.approved_by.first().copied())
    .bind(m.next.approved_by.get(1).copied())
    .bind(now)
    .bind(accepted.then_some(now))
    .bind(i64::from(m.approving))
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() != 1 {
        return Err(past_or_stale(conn, m, now).await?);
    }
    if accepted {
        let acceptance = m.acceptance.ok_or(StoreError::NotAllowed)?;
        accept(conn, m.orders, m.company_id, m.id, acceptance, now).await?;
    }
    Ok(())
}

/// Why a conditional write of an order did nothing: its 承認期限 passed (the version is
/// still the one decided from), or it moved meanwhile.
async fn past_or_stale(
    conn: &mut AnyConnection,
    m: &Move<'_>,
    now: i64,
) -> StoreResult<StoreError> {
    let past = sqlx::query(sqlx::AssertSqlSafe(format!(
        "select id from {}
         where id = $1 and company_id = $2 and version = $3 and deadline <= $4",
        m.orders.table()
    )))
    .bind(m.id)
    .bind(m.company_id)
    .bind(m.version)
    .bind(now)
    .fetch_optional(&mut *conn)
    .await?
    .is_some();
    Ok(if past {
        StoreError::PastDeadline
    } else {
        StoreError::Stale
    })
}

/// The acceptance's writes: the limits used (`LimitReached` when one does not fit) and
/// the order put in the outbox.
pub(crate) async fn accept(
    conn: &mut AnyConnection,
    orders: Orders,
    company_id: i64,
    id: i64,
    acceptance: &Acceptance,
    now: i64,
) -> StoreResult<()> {
    // The 日本時間 day of the acceptance as written (the time the 操作履歴 records), not of
    // the moment the order was checked: an acceptance at midnight counts for the new day.
    let day = madoguchi_domain::jst::date_of(now);
    reserve(conn, company_id, &day, &acceptance.reservations).await?;
    sqlx::query(
        "insert into outbox (business, order_id, company_id, created_at)
         values ($1, $2, $3, $4)",
    )
    .bind(orders.business())
    .bind(id)
    .bind(company_id)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
