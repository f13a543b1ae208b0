//! What happens to a file order after its ファイル受付, one function per operation of the
//! manual: 確定 (by its creator), 承認 (the final one accepts it: the approver's
//! 一回当たり限度額 against the file's total, and the company's 企業一日当たりの限度額 of the
//! business, used in the transaction that accepts it), 差戻し, 引戻し and 削除 — each
//! decided by the approval state machine of 振込振替 and written through the pipeline with
//! the 確認用パスワード (and one-time password) — and the lists 承認待ち一覧 and
//! 取引状況照会.

use madoguchi_domain::approval::{Action, State};
use madoguchi_domain::limits_ledger::{check_per_order, company_reservation};
use madoguchi_domain::{Business, Error, HistoryArea, Yen, jst};
use madoguchi_store::{Acceptance, BulkMove, BulkOrder, TransferView, UserRecord};

use super::upload::per_order_limit;
use super::{may, may_approve, operation, permissions, permitted, shown};
use crate::confirm::{self, Confirmation, Executed, Operation, Prepared, Request, ResultKind};
use crate::state::AppState;
use crate::web::actor::Actor;

/// What a user does to a file order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Act {
    /// 確定
    Confirm,
    Approve,
    Return,
    Withdraw,
    Delete,
}

impl Act {
    pub const ALL: [Act; 5] = [
        Act::Confirm,
        Act::Approve,
        Act::Return,
        Act::Withdraw,
        Act::Delete,
    ];

    pub fn button(self) -> &'static str {
        match self {
            Act::Confirm => "確定",
            Act::Approve => "承認",
            Act::Return => "差戻し",
            Act::Withdraw => "引戻し",
            Act::Delete => "削除",
        }
    }

    /// The path segment, and the last part of the operation's code.
    pub fn code(self) -> &'static str {
        match self {
            Act::Confirm => "confirm",
            Act::Approve => "approve",
            Act::Return => "return",
            Act::Withdraw => "withdraw",
            Act::Delete => "delete",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.code() == code)
    }

    /// The stable name the idempotency key is bound to.
    fn operation(self) -> &'static str {
        match self {
            Act::Confirm => "bulk.confirm",
            Act::Approve => "bulk.approve",
            Act::Return => "bulk.return",
            Act::Withdraw => "bulk.withdraw",
            Act::Delete => "bulk.delete",
        }
    }

    fn action(self, o: &BulkOrder) -> Action {
        match self {
            Act::Confirm => Action::Confirm {
                first: o.approval.first,
                last: o.approval.last,
            },
            Act::Approve => Action::Approve,
            Act::Return => Action::Return,
            Act::Withdraw => Action::Withdraw,
            Act::Delete => Action::Delete,
        }
    }
}

/// Whether `actor` may see `o`: with 全取引照会, or as its creator or a named approver.
pub fn visible(actor: &Actor, o: &BulkOrder) -> bool {
    let me = actor.user().id;
    let a = &o.approval;
    may(actor, permissions(o.business).all)
        || a.creator == me
        || a.first == Some(me)
        || a.last == Some(me)
}

/// One order of `b` that `actor` may see; another's, another business's or another
/// company's is not found (recorded as a refusal of `what`).
pub async fn detail(
    state: &AppState,
    actor: &Actor,
    b: Business,
    id: i64,
    what: &str,
) -> Result<BulkOrder, Error> {
    match actor.scope(state).bulk_order(id).await {
        Ok(o) if o.business == b && visible(actor, &o) => Ok(o),
        Ok(_) | Err(Error::NotFound) => Err(actor
            .refuse(state, HistoryArea::of(b), what, Error::NotFound)
            .await),
        Err(e) => Err(e),
    }
}

/// Whether `actor`'s part in `o` lets them do `act` at all.
fn has_authority(actor: &Actor, o: &BulkOrder, act: Act) -> bool {
    let me = actor.user();
    match act {
        // By the 依頼 permission the order came by.
        Act::Confirm if o.file.entered => may(actor, permissions(o.business).screen),
        Act::Confirm => may(actor, permissions(o.business).file),
        Act::Approve | Act::Return => may_approve(actor, o.business),
        Act::Withdraw => true,
        Act::Delete => o.approval.creator == me.id || may_approve(actor, o.business),
    }
}

/// The acts `actor` may do to `o` now: the buttons of 取引詳細.
pub fn available(actor: &Actor, o: &BulkOrder, now: i64) -> Vec<Act> {
    Act::ALL
        .into_iter()
        .filter(|act| has_authority(actor, o, *act))
        .filter(|act| !matches!(act, Act::Approve | Act::Confirm) || now < o.deadline)
        .filter(|act| o.approval.apply(actor.user().id, act.action(o)).is_ok())
        .collect()
}

/// The company's daily limit of `b` that accepting a file totalling `amount` uses.
async fn acceptance(
    state: &AppState,
    actor: &Actor,
    b: Business,
    amount: Yen,
) -> Result<Acceptance, Error> {
    let limits = actor.scope(state).settings().await?.settings.company;
    let limit = b.company_limit().ok_or(Error::Internal)?;
    Ok(Acceptance {
        day: jst::date_of(state.now()),
        reservations: vec![company_reservation(limit, &limits, amount)],
    })
}

/// What 取引詳細 and 確認 show of `o`, naming the company's `members`.
pub async fn sections(
    state: &AppState,
    actor: &Actor,
    o: &BulkOrder,
    members: &[UserRecord],
) -> Result<Vec<confirm::Section>, Error> {
    let accounts = actor.scope(state).accounts().await?;
    let account = accounts.iter().find(|a| a.id == o.account_id);
    let mut out = vec![shown::file_section(o, account), shown::totals_section(o)];
    if !o.warnings.is_empty() {
        // Names that differ from the master's: shown, not refused.
        out.push(confirm::Section::new(
            "注意",
            o.warnings
                .iter()
                .map(|w| crate::orders::shown::item("全銀協の名称と異なる名称", w))
                .collect(),
        ));
    }
    out.push(crate::orders::shown::approval_section(
        members,
        None,
        &o.approval,
    ));
    Ok(out)
}

/// `act` on order `id` of `b` checked — authority, 承認期限, the state machine, and at
/// the acceptance the approver's 一回当たり限度額 — (a refusal recorded), and the move with
/// what 確認 shows.
async fn prepare(
    state: &AppState,
    actor: &Actor,
    b: Business,
    id: i64,
    act: Act,
) -> Result<Prepared<BulkMove>, Error> {
    let what = operation(b, act.button());
    let refuse = async |e: Error| actor.refuse(state, HistoryArea::of(b), &what, e).await;
    let o = detail(state, actor, b, id, &what).await?;
    let me = actor.user();
    permitted(state, actor, b, has_authority(actor, &o, act), &what).await?;
    let now = state.now();
    if matches!(act, Act::Approve | Act::Confirm) && now >= o.deadline {
        return Err(refuse(Error::ApprovalExpired {
            deadline: jst::format_minutes(o.deadline),
        })
        .await);
    }
    let next = match o.approval.apply(me.id, act.action(&o)) {
        Ok(next) => next,
        Err(e) => return Err(refuse(e).await),
    };
    let amount = Yen::from_stored(o.totals.transfer).ok_or(Error::Internal)?;
    let accepting = next.state == State::Accepted;
    if accepting
        && let Some(limit) = per_order_limit(me, b)
        && let Err(e) = check_per_order(limit, amount)
    {
        return Err(refuse(e).await);
    }
    let limits = acceptance(state, actor, b, amount).await?;
    let scope = actor.scope(state);
    let members = scope.members().await?;
    let mut sections = sections(state, actor, &o, &members).await?;
    if let Some(last) = sections.last_mut() {
        *last = crate::orders::shown::approval_section(&members, Some(o.approval.state), &next);
    }
    if act == Act::Confirm {
        // The creator sees what the records are before sending them for 承認.
        let first = scope.bulk_records(o.id, 0, shown::RECORDS_SHOWN).await?;
        sections.insert(2, shown::records_section(&o, &first));
    }
    // 限度額表示: what the acceptance will use of today's limit (a warning before it).
    sections.push(confirm::Section::new(
        crate::orders::shown::LIMITS,
        crate::orders::shown::remaining_rows(&scope, &limits).await?,
    ));
    let details = serde_json::json!({
        "order_id": o.id, "business": b.key(), "count": o.totals.count,
        "transfer_total": o.totals.transfer,
        "before": o.approval.state.label(), "after": next.state.label(),
    });
    Ok(Prepared {
        change: BulkMove {
            company_id: o.company_id,
            order_id: o.id,
            version: o.version,
            next,
            acceptance: accepting.then_some(limits),
            approving: act == Act::Approve,
            business: b,
        },
        sections,
        details,
    })
}

/// What 確認 of `act` on order `id` shows (a refusal recorded).
pub async fn preview(
    state: &AppState,
    actor: &Actor,
    b: Business,
    id: i64,
    act: Act,
) -> Result<Vec<confirm::Section>, Error> {
    Ok(prepare(state, actor, b, id, act).await?.sections)
}

/// 確定, 承認, 差戻し, 引戻し or 削除 of order `id` of `b` by `actor`.
pub async fn act(
    state: &AppState,
    actor: &Actor,
    b: Business,
    id: i64,
    act: Act,
    confirmation: &Confirmation,
    key: &str,
) -> Result<Executed, Error> {
    let fingerprint = serde_json::json!({ "bulk": id, "business": b.key(), "act": act.code() });
    let request = Request {
        key,
        fingerprint: &fingerprint,
        confirmation,
    };
    let write = async |m: BulkMove| Ok(actor.scope(state).bulk_move_write(m));
    let op = Operation {
        code: act.operation(),
        area: HistoryArea::of(b),
        label: operation(b, act.button()),
        result: ResultKind::BulkActed,
    };
    let prepare = async || prepare(state, actor, b, id, act).await;
    let (done, _) = confirm::execute(state, actor, &op, request, prepare, write).await?;
    Ok(done)
}

/// Which list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum List {
    /// 承認待ち一覧
    Waiting,
    /// 取引状況照会
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

/// The orders of `list` of `b` for `actor`; refused (and recorded) without a permission
/// of the business (or, for 承認待ち一覧, without 承認権限).
pub async fn list(
    state: &AppState,
    actor: &Actor,
    b: Business,
    list: List,
) -> Result<Vec<BulkOrder>, Error> {
    let me = actor.user();
    let allowed = match list {
        List::Waiting => may_approve(actor, b),
        List::Status => super::uses(actor, b),
    };
    let what = operation(b, list.label());
    permitted(state, actor, b, allowed, &what).await?;
    let view = match list {
        List::Waiting => TransferView::WaitingFor(me.id),
        List::Status if may(actor, permissions(b).all) => TransferView::All,
        List::Status => TransferView::Involving(me.id),
    };
    let found = actor.scope(state).bulk_orders(b, view, LIST_LIMIT).await?;
    let now = state.now();
    Ok(match list {
        List::Waiting => found
            .into_iter()
            .filter(|o| o.approval.may_approve(me.id) && now < o.deadline)
            .collect(),
        List::Status => found,
    })
}
