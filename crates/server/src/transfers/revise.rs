//! 振込振替の修正: the creator edits an order sent back (差戻済み) or withdrawn (引戻済み) and
//! 確定s it again — every rule of a 依頼 checked anew (the day, the account, the fee, the
//! approvers under the company's current 承認機能), written over the same order by a
//! conditional update on the version and state it was decided from; under 承認なし it is
//! accepted at once, using the limits in that transaction.

use madoguchi_domain::payee::PayeeInput;
use madoguchi_domain::transfer::TransferInput;
use madoguchi_domain::{AccountKind, Error, HistoryArea};
use madoguchi_store::{TransferRecord, TransferRevision};

use super::acts::detail;
use super::order::{PayeeChoice, check};
use crate::confirm::{
    self, Confirmation, Executed, Operation, Prepared, Request, ResultKind, Section,
};
use crate::state::AppState;
use crate::web::actor::Actor;

pub const REVISE: &str = "振込振替の修正";

/// May `actor` 修正 `t`? Only its creator, while it is editable.
pub fn may_revise(actor: &Actor, t: &TransferRecord) -> bool {
    t.approval.creator == actor.user().id && t.approval.state.editable()
}

/// The order `id` if `actor` may 修正 it; else refused (and recorded).
async fn editable(state: &AppState, actor: &Actor, id: i64) -> Result<TransferRecord, Error> {
    let t = detail(state, actor, id, REVISE).await?;
    if may_revise(actor, &t) {
        return Ok(t);
    }
    let refusal = Error::TransferRefused {
        what: "依頼者が差戻済み・引戻済みの取引だけを修正できます。",
    };
    Err(actor
        .refuse(state, HistoryArea::Transfer, REVISE, refusal)
        .await)
}

/// What 依頼入力 shows of order `id` for its 修正: its payee (by id while the company still
/// has it, else as typed) and every field as it was asked.
pub async fn prefill(
    state: &AppState,
    actor: &Actor,
    id: i64,
) -> Result<(PayeeChoice, TransferInput), Error> {
    let t = editable(state, actor, id).await?;
    let listed = actor.scope(state).payees().await?;
    let p = &t.payee;
    let choice = match p.payee_id {
        Some(pid) if listed.iter().any(|l| l.id == pid) => PayeeChoice::Listed(pid),
        _ => PayeeChoice::New(PayeeInput {
            bank_code: p.bank_code.clone(),
            branch_code: p.branch_code.clone(),
            kind: AccountKind::from_code(p.account_kind)
                .map_or("", AccountKind::label)
                .to_owned(),
            number: p.number.clone(),
            name: p.name.clone(),
        }),
    };
    let id_text = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
    let input = TransferInput {
        account_id: t.account_id.to_string(),
        date: t.execution_date.clone(),
        amount: t.amount.to_string(),
        fee_side: t.fee_side.clone(),
        first_approver: id_text(t.approval.first),
        last_approver: id_text(t.approval.last),
    };
    Ok((choice, input))
}

async fn prepare(
    state: &AppState,
    actor: &Actor,
    id: i64,
    choice: &PayeeChoice,
    input: &TransferInput,
) -> Result<Prepared<TransferRevision>, Error> {
    let t = editable(state, actor, id).await?;
    let p = check(state, actor, choice, input, REVISE).await?;
    let (new, acceptance) = p.change;
    let mut details = p.details;
    if let Some(d) = details.as_object_mut() {
        d.insert("transfer_id".into(), t.id.into());
        d.insert("before".into(), t.approval.state.label().into());
    }
    Ok(Prepared {
        change: TransferRevision {
            transfer_id: t.id,
            version: t.version,
            new,
            acceptance,
        },
        sections: p.sections,
        details,
    })
}

/// 「次へ」 of the 修正: what 確認 shows (a refusal recorded).
pub async fn preview(
    state: &AppState,
    actor: &Actor,
    id: i64,
    choice: &PayeeChoice,
    input: &TransferInput,
) -> Result<Vec<Section>, Error> {
    Ok(prepare(state, actor, id, choice, input).await?.sections)
}

/// 振込振替の修正 → 確認 → 確定 of order `id`.
pub async fn revise(
    state: &AppState,
    actor: &Actor,
    id: i64,
    choice: &PayeeChoice,
    input: &TransferInput,
    confirmation: &Confirmation,
    key: &str,
) -> Result<Executed, Error> {
    let mut fingerprint = super::order::fingerprint(choice, input);
    if let Some(f) = fingerprint.as_object_mut() {
        f.insert("transfer".into(), id.into());
    }
    let request = Request {
        key,
        fingerprint: &fingerprint,
        confirmation,
    };
    let prepare = async || prepare(state, actor, id, choice, input).await;
    let write = async |r: TransferRevision| Ok(actor.scope(state).transfer_revise_write(r));
    let op = Operation {
        code: "transfer.revise",
        area: HistoryArea::Transfer,
        label: REVISE.to_owned(),
        result: ResultKind::TransferRequested,
    };
    let (done, _) = confirm::execute(state, actor, &op, request, prepare, write).await?;
    Ok(done)
}
