//! The hand-over of accepted orders — 振込振替, and the files of 総合振込, 給与・賞与振込 and
//! 口座振替 — to the bank's host (勘定系), and the expiry of orders past their 承認期限. An accepted order is in the outbox from the transaction
//! that accepted it; a worker claims one (a claim lapses after `host_lease_seconds`, so a
//! server killed mid-delivery leaves it to the next), hands it to the [`Host`] under its
//! reference, and records the answer (入金済み or 振込不能) once, with its 操作履歴 entry.
//! A host receives a reference at most once: it answers a repeated one with its first
//! answer, so a delivery repeated after a crash changes nothing (exactly once).

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use madoguchi_domain::{Error, HistoryArea, Outcome};
use madoguchi_store::{BulkOrder, HistoryDraft, HostAnswer, OutboundOrder, TransferRecord};

use crate::state::AppState;
use crate::web::client::ClientInfo;

/// Who the host's entries in the 操作履歴 name as the actor.
pub const HOST: &str = "勘定系";

/// The reference the host knows an order by.
pub fn reference(t: &TransferRecord) -> String {
    format!("MDG{:010}", t.id)
}

/// The reference the host knows a file order by (one id space for the file businesses).
pub fn file_reference(o: &BulkOrder) -> String {
    format!("MDF{:010}", o.id)
}

/// The bank's host.
#[async_trait]
pub trait Host: Send + Sync {
    /// Carries out the transfer `t` known as `reference`; a reference received before is
    /// answered with its first answer. `Err` when the host could not be reached (the
    /// order is delivered again later).
    async fn deliver(&self, reference: &str, t: &TransferRecord) -> anyhow::Result<HostAnswer>;

    /// Receives the file order `o` known as `reference` (its records are the host's to
    /// carry out on the 振込指定日), with the same once-only answer.
    async fn deliver_file(&self, reference: &str, o: &BulkOrder) -> anyhow::Result<HostAnswer>;
}

/// The built-in host of the demo and the tests: it credits an account of this bank only
/// if the bank holds it, and refuses an account of another bank whose 口座番号 begins
/// with 99 (its stand-in for an unknown account there); it keeps a book of the
/// references it received, so each is carried out once.
pub struct Simulator {
    state: AppState,
}

impl Simulator {
    pub fn new(state: &AppState) -> Self {
        Self {
            state: state.clone(),
        }
    }
}

#[async_trait]
impl Host for Simulator {
    async fn deliver(&self, reference: &str, t: &TransferRecord) -> anyhow::Result<HostAnswer> {
        let p = &t.payee;
        let store = &self.state.store;
        let known = if p.bank_code == self.state.config.bank_code {
            store
                .own_account_exists(&p.branch_code, p.account_kind, &p.number)
                .await?
        } else {
            !p.number.starts_with("99")
        };
        let answer = HostAnswer {
            accepted: known,
            reason: if known {
                String::new()
            } else {
                "口座なし".to_owned()
            },
            at: self.state.now(),
        };
        Ok(store.host_book(reference, t.id, &answer).await?)
    }

    /// The simulator takes every file it is handed (its records' own results — 口座振替's
    /// 振替結果 — come back later as a result file).
    async fn deliver_file(&self, reference: &str, o: &BulkOrder) -> anyhow::Result<HostAnswer> {
        let answer = HostAnswer {
            accepted: true,
            reason: String::new(),
            at: self.state.now(),
        };
        Ok(self.state.store.host_book(reference, o.id, &answer).await?)
    }
}

/// An entry of the system about file order `o`.
pub(crate) fn file_entry(state: &AppState, o: &BulkOrder, what: &str, actor: &str) -> HistoryDraft {
    let b = o.business;
    let mut d = state.draft(
        &ClientInfo::system(),
        HistoryArea::of(b),
        &crate::bulk::operation(b, what),
    );
    d.company_id = Some(o.company_id);
    d.login_id = actor.to_owned();
    d.details = serde_json::json!({
        "order_id": o.id, "count": o.totals.count, "transfer_total": o.totals.transfer,
        "date": o.execution_date,
    });
    d
}

/// An entry of the system (the host, or the 承認期限), about order `t`.
fn entry(state: &AppState, t: &TransferRecord, operation: &str, actor: &str) -> HistoryDraft {
    let mut d = state.draft(&ClientInfo::system(), HistoryArea::Transfer, operation);
    d.company_id = Some(t.company_id);
    d.login_id = actor.to_owned();
    d.details = serde_json::json!({
        "transfer_id": t.id, "amount": t.amount, "transfer_amount": t.transfer_amount,
        "date": t.execution_date,
    });
    d
}

/// Delivers every order waiting in the outbox; how many were answered.
pub async fn deliver_due(state: &AppState, host: &dyn Host) -> Result<usize, Error> {
    let mut answered = 0;
    loop {
        let claimed = state
            .store
            .claim_outbound(
                state.now(),
                i64::from(state.config.host_lease_seconds) * 1_000_000,
            )
            .await
            .map_err(crate::web::error::from_store)?;
        let Some(out) = claimed else {
            return Ok(answered);
        };
        let (reference, delivered, mut history) = match &out.order {
            OutboundOrder::Transfer(t) => {
                let r = reference(t);
                let a = host.deliver(&r, t).await;
                (r, a, entry(state, t, "振込振替の処理結果", HOST))
            }
            OutboundOrder::Bulk(o) => {
                let r = file_reference(o);
                let a = host.deliver_file(&r, o).await;
                (r, a, file_entry(state, o, "処理結果", HOST))
            }
        };
        let answer = match delivered {
            Ok(a) => a,
            Err(e) => {
                // Left to the claim's lapse: delivered again later.
                tracing::warn!(error = %e, reference, "the host could not be reached");
                return Ok(answered);
            }
        };
        history.occurred_at = state.now();
        if let Some(d) = history.details.as_object_mut() {
            d.insert("reference".into(), reference.clone().into());
            let result = match (&out.order, answer.accepted) {
                (OutboundOrder::Transfer(_), true) => "入金済み",
                (OutboundOrder::Transfer(_), false) => "振込不能",
                (OutboundOrder::Bulk(_), true) => "受付済み",
                (OutboundOrder::Bulk(_), false) => "受付不能",
            };
            d.insert("result".into(), result.into());
            d.insert("reason".into(), answer.reason.clone().into());
            d.insert("attempts".into(), out.attempts.into());
        }
        if !answer.accepted {
            history.outcome = Outcome::Error;
            history.error_code = Some(
                Error::HostRejected {
                    reason: String::new(),
                }
                .code()
                .to_owned(),
            );
        }
        if state
            .store
            .settle_outbound(out.order.business(), out.order.id(), &answer, history)
            .await
            .map_err(crate::web::error::from_store)?
        {
            answered += 1;
        }
    }
}

/// Moves every order past its 承認期限 to 期限切れ; how many.
pub async fn expire_due(state: &AppState) -> Result<usize, Error> {
    let make = |t: &TransferRecord| {
        let mut d = entry(state, t, "振込振替の期限切れ", "システム");
        if let Some(m) = d.details.as_object_mut() {
            m.insert("before".into(), t.approval.state.label().into());
            m.insert("after".into(), "期限切れ".into());
        }
        d
    };
    let expired = state
        .store
        .expire_due(state.now(), &make)
        .await
        .map_err(crate::web::error::from_store)?;
    let make_file = |o: &BulkOrder| {
        let mut d = file_entry(state, o, "期限切れ", "システム");
        if let Some(m) = d.details.as_object_mut() {
            m.insert("before".into(), o.approval.state.label().into());
            m.insert("after".into(), "期限切れ".into());
        }
        d
    };
    let files = state
        .store
        .expire_due_bulk(state.now(), &make_file)
        .await
        .map_err(crate::web::error::from_store)?;
    Ok(expired.len() + files.len())
}

/// The background work of `serve`: every `host_poll_seconds`, expire what is due and
/// deliver what was accepted.
pub async fn run(state: AppState, host: Arc<dyn Host>) {
    let every = Duration::from_secs(u64::from(state.config.host_poll_seconds));
    let mut tick = tokio::time::interval(every);
    loop {
        tick.tick().await;
        if let Err(e) = expire_due(&state).await {
            tracing::warn!(error = ?e, "could not expire orders past their 承認期限");
        }
        if let Err(e) = deliver_due(&state, host.as_ref()).await {
            tracing::warn!(error = ?e, "could not deliver accepted transfers");
        }
    }
}
