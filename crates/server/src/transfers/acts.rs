//! What happens to a 振込振替 order after its 確定, one function per operation: 承認 (the
//! final one accepts it: the approver's 一回当たり限度額 and the paying account's daily
//! limits are checked in the transaction that accepts it), 差戻し, 引戻し and 削除 — each
//! decided by the approval state machine and written through the pipeline with the
//! 確認用パスワード (and one-time password) — and the lists: 承認待ち一覧 (what the user may
//! approve now) and 取引状況照会 (the user's own orders and those naming them, or all the
//! company's with 全取引照会).

use madoguchi_domain::approval::{Action, State};
use madoguchi_domain::limits_ledger::check_per_order;
use madoguchi_domain::transfer::FeeSide;
use madoguchi_domain::{Error, HistoryArea, Yen, jst};
use madoguchi_store::{TransferMove, TransferRecord, TransferView};

use super::order::{acceptance, per_order_limit};
use super::shown::{self, Amounts};
use super::{ALL, may, may_approve, permitted};
use crate::confirm::{self, Confirmation, Executed, Operation, Prepared, Request, ResultKind};
use crate::state::AppState;
use crate::web::actor::Actor;

/// What a user does to an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Act {
    /// 承認
    Approve,
    /// 差戻し
    Return,
    /// 引戻し
    Withdraw,
    /// 削除
    Delete,
}

impl Act {
    pub const ALL: [Act; 4] = [Act::Approve, Act::Return, Act::Withdraw, Act::Delete];

    /// The 操作内容.
    pub fn label(self) -> &'static str {
        match self {
            Act::Approve => "振込振替の承認",
            Act::Return => "振込振替の差戻し",
            Act::Withdraw => "振込振替の引戻し",
            Act::Delete => "振込振替の削除",
        }
    }

    /// The button.
    pub fn button(self) -> &'static str {
        match self {
            Act::Approve => "承認",
            Act::Return => "差戻し",
            Act::Withdraw => "引戻し",
            Act::Delete => "削除",
        }
    }

    /// The path segment and the key's operation.
    pub fn code(self) -> &'static str {
        match self {
            Act::Approve => "approve",
            Act::Return => "return",
            Act::Withdraw => "withdraw",
            Act::Delete => "delete",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.code() == code)
    }

    fn operation(self) -> &'static str {
        match self {
            Act::Approve => "transfer.approve",
            Act::Return => "transfer.return",
            Act::Withdraw => "transfer.withdraw",
            Act::Delete => "transfer.delete",
        }
    }

    fn action(self) -> Action {
        match self {
            Act::Approve => Action::Approve,
            Act::Return => Action::Return,
            Act::Withdraw => Action::Withdraw,
            Act::Delete => Action::Delete,
        }
    }
}

/// Whether `actor` may see order `t`: with 全取引照会, or as its creator or a named approver.
pub fn visible(actor: &Actor, t: &TransferRecord) -> bool {
    let me = actor.user().id;
    let a = &t.approval;
    may(actor, ALL) || a.creator == me || a.first == Some(me) || a.last == Some(me)
}

/// One order `actor` may see; another's, or another company's, is not found (recorded
/// as a refusal of `what`).
pub async fn detail(
    state: &AppState,
    actor: &Actor,
    id: i64,
    what: &str,
) -> Result<TransferRecord, Error> {
    match actor.scope(state).transfer(id).await {
        Ok(t) if visible(actor, &t) => Ok(t),
        Ok(_) | Err(Error::NotFound) => Err(actor
            .refuse(state, HistoryArea::Transfer, what, Error::NotFound)
            .await),
        Err(e) => Err(e),
    }
}

/// Whether `actor`'s part in `t` lets them do `act` at all (承認権限 for an approver's act).
fn has_authority(actor: &Actor, t: &TransferRecord, act: Act) -> bool {
    let me = actor.user();
    let approver_act = match act {
        Act::Approve | Act::Return => true,
        Act::Withdraw => false,
        Act::Delete => t.approval.creator != me.id,
    };
    !approver_act || may_approve(actor)
}

/// The acts `actor` may do to `t` now: the buttons of 取引詳細 (no authority, no button).
pub fn available(actor: &Actor, t: &TransferRecord, now: i64) -> Vec<Act> {
    Act::ALL
        .into_iter()
        .filter(|act| has_authority(actor, t, *act))
        .filter(|act| *act != Act::Approve || now < t.deadline)
        .filter(|act| t.approval.apply(actor.user().id, act.action()).is_ok())
        .collect()
}

/// `act` on order `id` checked — authority, 承認期限, the state machine, and at the
/// acceptance the approver's 一回当たり限度額 — (a refusal recorded), and the move with
/// what 確認 shows.
async fn prepare(
    state: &AppState,
    actor: &Actor,
    id: i64,
    act: Act,
) -> Result<Prepared<TransferMove>, Error> {
    let what = act.label();
    let refuse = async |e: Error| actor.refuse(state, HistoryArea::Transfer, what, e).await;
    let t = detail(state, actor, id, what).await?;
    let me = actor.user();
    permitted(state, actor, has_authority(actor, &t, act), what).await?;
    let now = state.now();
    if act == Act::Approve && now >= t.deadline {
        return Err(refuse(Error::ApprovalExpired {
            deadline: jst::format_minutes(t.deadline),
        })
        .await);
    }
    let next = match t.approval.apply(me.id, act.action()) {
        Ok(next) => next,
        Err(e) => return Err(refuse(e).await),
    };
    let scope = actor.scope(state);
    let amount = Yen::from_stored(t.amount).ok_or(Error::Internal)?;
    let accepting = next.state == State::Accepted;
    if accepting
        && let Some(limit) = per_order_limit(me)
        && let Err(e) = check_per_order(limit, amount)
    {
        return Err(refuse(e).await);
    }
    let acceptance = if accepting {
        Some(acceptance(&scope, t.account_id, t.payee.kind, amount, now).await?)
    } else {
        None
    };
    let members = scope.members().await?;
    let mut sections = sections(state, actor, &t, &members).await?;
    if let Some(last) = sections.last_mut() {
        *last = shown::approval_section(&members, Some(t.approval.state), &next);
    }
    // 限度額表示: what the acceptance will use of today's limits.
    if let Some(a) = &acceptance {
        sections.push(crate::confirm::Section::new(
            super::order::LIMITS,
            super::order::remaining_rows(&scope, a).await?,
        ));
    }
    let details = serde_json::json!({
        "transfer_id": t.id, "amount": t.amount,
        "before": t.approval.state.label(), "after": next.state.label(),
    });
    Ok(Prepared {
        change: TransferMove {
            company_id: t.company_id,
            transfer_id: t.id,
            version: t.version,
            next,
            acceptance,
            approving: act == Act::Approve,
        },
        sections,
        details,
    })
}

/// What 取引詳細 shows of `t`: the payee, the amounts, the approval (last), naming the
/// company's `members`.
pub async fn sections(
    state: &AppState,
    actor: &Actor,
    t: &TransferRecord,
    members: &[madoguchi_store::UserRecord],
) -> Result<Vec<crate::confirm::Section>, Error> {
    let scope = actor.scope(state);
    let bank = scope.bank_entry(&t.payee.bank_code, "").await?;
    let branch = scope
        .bank_entry(&t.payee.bank_code, &t.payee.branch_code)
        .await?;
    let account = scope
        .accounts()
        .await?
        .iter()
        .find(|a| a.id == t.account_id)
        .map(shown::account_label)
        .unwrap_or_default();
    let fee_side = FeeSide::parse(&t.fee_side).map_or("", FeeSide::label);
    Ok(vec![
        shown::payee_section(
            &t.payee,
            &bank.map(|b| b.name).unwrap_or_default(),
            &branch.map(|b| b.name).unwrap_or_default(),
        ),
        shown::amounts_section(&Amounts {
            account: &account,
            date: &t.execution_date,
            amount: t.amount,
            fee_side,
            fee: t.fee,
            transfer_amount: t.transfer_amount,
        }),
        shown::approval_section(members, None, &t.approval),
    ])
}

/// What 確認 of `act` on order `id` shows (a refusal recorded).
pub async fn preview(
    state: &AppState,
    actor: &Actor,
    id: i64,
    act: Act,
) -> Result<Vec<crate::confirm::Section>, Error> {
    Ok(prepare(state, actor, id, act).await?.sections)
}

/// 承認, 差戻し, 引戻し or 削除 of order `id` by `actor`.
pub async fn act(
    state: &AppState,
    actor: &Actor,
    id: i64,
    act: Act,
    confirmation: &Confirmation,
    key: &str,
) -> Result<Executed, Error> {
    let fingerprint = serde_json::json!({ "transfer": id, "act": act.code() });
    let request = Request {
        key,
        fingerprint: &fingerprint,
        confirmation,
    };
    let write = async |m: TransferMove| Ok(actor.scope(state).transfer_move_write(m));
    let op = Operation {
        code: act.operation(),
        area: HistoryArea::Transfer,
        label: act.label().to_owned(),
        result: ResultKind::TransferActed,
    };
    let prepare = async || prepare(state, actor, id, act).await;
    let (done, _) = confirm::execute(state, actor, &op, request, prepare, write).await?;
    Ok(done)
}

/// Which list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum List {
    /// 承認待ち一覧: what `actor` may approve now (with 承認権限).
    Waiting,
    /// 取引状況照会.
    Status,
}

impl List {
    pub fn label(self) -> &'static str {
        match self {
            List::Waiting => "承認待ち一覧",
            List::Status => "取引状況照会",
        }
    }
}

/// The most orders a list shows (newest first).
pub const LIST_LIMIT: i64 = 500;

/// The orders of `list` for `actor`; refused (and recorded) without a permission of
/// 振込振替 (or, for 承認待ち一覧, without 承認権限).
pub async fn list(
    state: &AppState,
    actor: &Actor,
    list: List,
) -> Result<Vec<TransferRecord>, Error> {
    let me = actor.user();
    let allowed = match list {
        List::Waiting => may_approve(actor),
        List::Status => actor.uses_transfers(),
    };
    permitted(state, actor, allowed, list.label()).await?;
    let view = match list {
        List::Waiting => TransferView::WaitingFor(me.id),
        List::Status if may(actor, ALL) => TransferView::All,
        List::Status => TransferView::Involving(me.id),
    };
    let found = actor.scope(state).transfers(view, LIST_LIMIT).await?;
    let now = state.now();
    Ok(match list {
        List::Waiting => found
            .into_iter()
            .filter(|t| t.approval.may_approve(me.id) && now < t.deadline)
            .collect(),
        List::Status => found,
    })
}
