//! The usage of the daily limits (限度額). An order's amounts are added with one
//! conditional update per limit — the row of (company, limit, day) is made if missing, then
//! `used = used + amount` only where the sum stays within the limit — in the transaction
//! that accepts the order, so however many orders arrive at once, on one app server or
//! several, no limit is ever exceeded, and a refused order adds nothing to any limit.

use async_trait::async_trait;
use madoguchi_domain::Yen;
use madoguchi_domain::limits_ledger::{Reservation, reached};
use sqlx::{Acquire, AnyConnection, Row};

use crate::StoreResult;
use crate::connect::SqlStore;
use crate::error::StoreError;
use crate::history::{HistoryDraft, append_in};

/// Adds every reservation's amount to its limit's usage of `day`, in the caller's
/// transaction; `LimitReached` (naming the first that does not fit, with its usage) when
/// one does not — the caller then rolls back, so the others add nothing either.
pub(crate) async fn reserve(
    conn: &mut AnyConnection,
    company_id: i64,
    day: &str,
    reservations: &[Reservation],
) -> StoreResult<()> {
    for (index, r) in reservations.iter().enumerate() {
        let scope = r.scope.key();
        sqlx::query(
            "insert into limit_usage (company_id, scope, day, used) values ($1, $2, $3, 0)
             on conflict (company_id, scope, day) do nothing",
        )
        .bind(company_id)
        .bind(&scope)
        .bind(day)
        .execute(&mut *conn)
        .await?;
        let added = sqlx::query(
            "update limit_usage set used = used + $4
             where company_id = $1 and scope = $2 and day = $3 and used + $4 <= $5",
        )
        .bind(company_id)
        .bind(&scope)
        .bind(day)
        .bind(r.amount.get())
        .bind(r.limit.get())
        .execute(&mut *conn)
        .await?
        .rows_affected();
        if added != 1 {
            let used = used_in(conn, company_id, &scope, day).await?;
            let refusal = reached(
                r.scope,
                r.limit,
                Yen::from_stored(used).unwrap_or(Yen::ZERO),
            );
            return Err(StoreError::LimitReached {
                index,
                used,
                refusal: Box::new(refusal),
            });
        }
    }
    Ok(())
}

async fn used_in(
    conn: &mut AnyConnection,
    company_id: i64,
    scope: &str,
    day: &str,
) -> StoreResult<i64> {
    let row = sqlx::query(
        "select used from limit_usage where company_id = $1 and scope = $2 and day = $3",
    )
    .bind(company_id)
    .bind(scope)
    .bind(day)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(match row {
        Some(r) => r.try_get("used")?,
        None => 0,
    })
}

#[async_trait]
pub trait LedgerStore {
    /// What is used of the limit `scope` (its key) on `day`, for the warning before 確定.
    async fn limit_used(&self, company_id: i64, scope: &str, day: &str) -> StoreResult<i64>;
    /// The reservations of one order in a transaction of their own, with `history` — as
    /// it is on success, or failed with `LIM-0004` on a refusal (which adds nothing). The
    /// store's orders reserve inside their own acceptance instead.
    async fn reserve_limits(
        &self,
        company_id: i64,
        day: &str,
        reservations: &[Reservation],
        history: HistoryDraft,
    ) -> StoreResult<()>;
}

#[async_trait]
impl LedgerStore for SqlStore {
    async fn limit_used(&self, company_id: i64, scope: &str, day: &str) -> StoreResult<i64> {
        let mut conn = self.pool.acquire().await?;
        used_in(&mut conn, company_id, scope, day).await
    }

    async fn reserve_limits(
        &self,
        company_id: i64,
        day: &str,
        reservations: &[Reservation],
        history: HistoryDraft,
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        let mut savepoint = tx.begin().await?;
        match reserve(&mut savepoint, company_id, day, reservations).await {
            Ok(()) => {
                savepoint.commit().await?;
                append_in(&mut tx, &self.history, &history).await?;
                tx.commit().await?;
                Ok(())
            }
            Err(e) => {
                savepoint.rollback().await?;
                if let Some(code) = e.refusal_code() {
                    append_in(&mut tx, &self.history, &history.failed(code)).await?;
                    tx.commit().await?;
                }
                Err(e)
            }
        }
    }
}
