//! The hand-over of accepted orders — 振込振替 and the files of 総合振込, 給与・賞与振込 and
//! 口座振替 — to the bank's host: the one outbox each accepted order
//! enters in the transaction that accepts it, claimed by one server at a time under a
//! lease and answered once; and the host simulator's book of the references it received
//! (a real host keeps its own), which makes a repeated delivery change nothing.

use async_trait::async_trait;
use sqlx::Row;

use crate::StoreResult;
use crate::connect::SqlStore;
use crate::history::{HistoryDraft, append_in};
use madoguchi_domain::Business;

use crate::bulk::{BulkOrder, bulk_order_in};
use crate::error::StoreError;
use crate::transfers::{HostAnswer, TransferRecord, transfer_in};

/// What an outbox entry hands over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OutboundOrder {
    Transfer(TransferRecord),
    /// A file of 総合振込, 給与・賞与振込 or 口座振替.
    Bulk(BulkOrder),
}

impl OutboundOrder {
    pub fn business(&self) -> Business {
        match self {
            OutboundOrder::Transfer(_) => Business::Transfer,
            OutboundOrder::Bulk(o) => o.business,
        }
    }

    pub fn id(&self) -> i64 {
        match self {
            OutboundOrder::Transfer(t) => t.id,
            OutboundOrder::Bulk(o) => o.id,
        }
    }
}

/// An order claimed from the outbox for delivery to the host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outbound {
    pub order: OutboundOrder,
    /// How many times it was claimed (1 the first time).
    pub attempts: i64,
}

#[async_trait]
pub trait OutboxStore {
    /// Claims the oldest accepted order not yet answered by the host and not claimed by
    /// another worker within `lease` microseconds (a worker that died leaves its claim to
    /// lapse). `None` when there is nothing to deliver.
    async fn claim_outbound(&self, now: i64, lease: i64) -> StoreResult<Option<Outbound>>;

    /// Records the host's answer to order `order_id` of `business`, with `history`, once:
    /// `false` (nothing written) when it was recorded already.
    async fn settle_outbound(
        &self,
        business: Business,
        order_id: i64,
        answer: &HostAnswer,
        history: HistoryDraft,
    ) -> StoreResult<bool>;

    /// The host simulator's book: records that the host received `reference` with the
    /// answer `answer`, unless it did already; the answer it holds for `reference`.
    async fn host_book(
        &self,
        reference: &str,
        transfer_id: i64,
        answer: &HostAnswer,
    ) -> StoreResult<HostAnswer>;

    /// How many times the host simulator received `reference` (0 or 1).
    async fn host_book_count(&self, reference: &str) -> StoreResult<i64>;

    /// Whether the bank holds the account (branch, 科目, number) — the host simulator's
    /// check of a payee at this bank.
    async fn own_account_exists(
        &self,
        branch_code: &str,
        kind: i64,
        number: &str,
    ) -> StoreResult<bool>;
}

#[async_trait]
impl OutboxStore for SqlStore {
    async fn claim_outbound(&self, now: i64, lease: i64) -> StoreResult<Option<Outbound>> {
        let mut tx = self.begin_write().await?;
        let next = sqlx::query(
            "select business, order_id, company_id from outbox
             where delivered_at is null and claimed_until <= $1
             order by created_at, order_id limit 1",
        )
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(next) = next else {
            return Ok(None);
        };
        let business: String = next.try_get("business")?;
        let order_id: i64 = next.try_get("order_id")?;
        let company_id: i64 = next.try_get("company_id")?;
        let claimed = sqlx::query(
            "update outbox set claimed_until = $3, attempts = attempts + 1
             where business = $1 and order_id = $2 and delivered_at is null
                 and claimed_until <= $4
             returning attempts",
        )
        .bind(&business)
        .bind(order_id)
        .bind(now + lease)
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(claimed) = claimed else {
            // Another worker claimed it between the two statements (PostgreSQL).
            return Ok(None);
        };
        let attempts: i64 = claimed.try_get("attempts")?;
        let order = match Business::from_key(&business) {
            Some(Business::Transfer) => {
                OutboundOrder::Transfer(transfer_in(&mut tx, company_id, order_id).await?)
            }
            Some(_) => OutboundOrder::Bulk(bulk_order_in(&mut tx, company_id, order_id).await?),
            None => return Err(StoreError::Corrupt(format!("outbox business {business}"))),
        };
        tx.commit().await?;
        Ok(Some(Outbound { order, attempts }))
    }

    async fn settle_outbound(
        &self,
        business: Business,
        order_id: i64,
        answer: &HostAnswer,
        history: HistoryDraft,
    ) -> StoreResult<bool> {
        let mut tx = self.begin_write().await?;
        let settled = sqlx::query(
            "update outbox set delivered_at = $3
             where business = $1 and order_id = $2 and delivered_at is null",
        )
        .bind(business.key())
        .bind(order_id)
        .bind(answer.at)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if settled != 1 {
            return Ok(false);
        }
        let table = match business {
            Business::Transfer => "transfers",
            _ => "bulk_orders",
        };
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "update {table} set host_result = $2, host_reason = $3, host_at = $4
             where id = $1"
        )))
        .bind(order_id)
        .bind(answer.code())
        .bind(&answer.reason)
        .bind(answer.at)
        .execute(&mut *tx)
        .await?;
        append_in(&mut tx, &self.history, &history).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn host_book(
        &self,
        reference: &str,
        transfer_id: i64,
        answer: &HostAnswer,
    ) -> StoreResult<HostAnswer> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "insert into host_book (reference, transfer_id, result, reason, received_at)
             values ($1, $2, $3, $4, $5) on conflict (reference) do nothing",
        )
        .bind(reference)
        .bind(transfer_id)
        .bind(answer.code())
        .bind(&answer.reason)
        .bind(answer.at)
        .execute(&mut *tx)
        .await?;
        let row =
            sqlx::query("select result, reason, received_at from host_book where reference = $1")
                .bind(reference)
                .fetch_one(&mut *tx)
                .await?;
        tx.commit().await?;
        Ok(HostAnswer {
            accepted: row.try_get::<String, _>("result")? == "accepted",
            reason: row.try_get("reason")?,
            at: row.try_get("received_at")?,
        })
    }

    async fn host_book_count(&self, reference: &str) -> StoreResult<i64> {
        let row = sqlx::query("select count(*) as n from host_book where reference = $1")
            .bind(reference)
            .fetch_one(&self.pool)
            .await?;
        Ok(row.try_get("n")?)
    }

    async fn own_account_exists(
        &self,
        branch_code: &str,
        kind: i64,
        number: &str,
    ) -> StoreResult<bool> {
        let row = sqlx::query(
            "select id from accounts where branch_code = $1 and kind = $2 and number = $3",
        )
        .bind(branch_code)
        .bind(kind)
        .bind(number)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.is_some())
    }
}
