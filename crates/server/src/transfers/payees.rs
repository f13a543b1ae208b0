//! 振込先 of 振込振替, one function per operation, for the API now and the screens to come:
//! the company's payees as a user may see them, and 振込先管理's 登録 and 削除 of
//! 利用者登録口座 (with the 確認用パスワード, and the one-time password where used, through
//! the confirmed-change pipeline). 事前登録口座 are the bank operator's (`madoguchi payee
//! add`); a user sees them with 依頼(事前登録口座).

use madoguchi_domain::payee::{Payee, PayeeInput};
use madoguchi_domain::{AccountKind, Error, HistoryArea};
use madoguchi_store::{BankEntry, PayeeKind, PayeeRecord, WriteEffect};

use super::{MANAGE, REGISTERED, USER_REGISTERED, may, permitted};
use crate::confirm::{
    self, Confirmation, Executed, Operation, Prepared, Request, ResultKind, Row, Section,
};
use crate::state::AppState;
use crate::web::actor::Actor;

pub const REGISTER: &str = "振込先の登録";
pub const DELETE: &str = "振込先の削除";
const LIST: &str = "振込先一覧";

/// The payees `actor` may see: 事前登録口座 with 依頼(事前登録口座), 利用者登録口座 with
/// 依頼(利用者登録口座) or 振込先管理. Refused (and recorded) with none of them.
pub async fn list(state: &AppState, actor: &Actor) -> Result<Vec<PayeeRecord>, Error> {
    let registered = may(actor, REGISTERED);
    let user = may(actor, USER_REGISTERED) || may(actor, MANAGE);
    permitted(state, actor, registered || user, LIST).await?;
    Ok(actor
        .scope(state)
        .payees()
        .await?
        .into_iter()
        .filter(|p| match p.kind {
            PayeeKind::Registered => registered,
            PayeeKind::UserRegistered => user,
        })
        .collect())
}

/// The bank and branch of `payee` in the 全銀協 master; a code not there is refused
/// (`VAL-0025` at its field) and recorded as a refusal of `what`.
pub(crate) async fn in_master(
    state: &AppState,
    actor: &Actor,
    payee: &Payee,
    what: &str,
) -> Result<(BankEntry, BankEntry), Error> {
    let scope = actor.scope(state);
    let bank = scope.bank_entry(payee.bank.as_str(), "").await?;
    let branch = match bank {
        Some(_) => {
            scope
                .bank_entry(payee.bank.as_str(), payee.branch.as_str())
                .await?
        }
        None => None,
    };
    match (bank, branch) {
        (Some(bank), Some(branch)) => Ok((bank, branch)),
        (bank, _) => {
            let (field, label) = if bank.is_none() {
                ("bank_code", "金融機関コード")
            } else {
                ("branch_code", "支店コード")
            };
            let err = Error::Invalid(madoguchi_domain::FieldErrors::single(
                field,
                Error::UnknownCode { label },
            ));
            Err(actor
                .refuse_input(state, HistoryArea::Transfer, what, err)
                .await)
        }
    }
}

/// What 確認 and 結果 of 振込先の登録 show.
fn sections(p: &Payee, bank: &str, branch: &str) -> Vec<Section> {
    let rows = vec![
        Row::text("金融機関", "", format!("{} ({})", bank, p.bank.as_str())),
        Row::text("支店", "", format!("{} ({})", branch, p.branch.as_str())),
        Row::text("科目", "", p.kind.label()),
        Row::text("口座番号", "", p.number.as_str()),
        Row::text("受取人名", "", p.name.as_str()),
    ];
    vec![Section::new("振込先", rows)]
}

fn operation(code: &'static str, label: &str) -> Operation {
    Operation {
        code,
        area: HistoryArea::Transfer,
        label: label.to_owned(),
        result: ResultKind::PayeeChanged,
    }
}

/// 振込先の登録 checked: 振込先管理, the fields (a 全角 受取人名 converted to 半角カナ, a
/// character outside the 全銀協 set named), the bank and branch in the master.
async fn check_register(
    state: &AppState,
    actor: &Actor,
    input: &PayeeInput,
) -> Result<Prepared<Payee>, Error> {
    permitted(state, actor, may(actor, MANAGE), REGISTER).await?;
    let payee = match input.parse() {
        Ok(p) => p,
        Err(e) => {
            return Err(actor
                .refuse_input(state, HistoryArea::Transfer, REGISTER, e)
                .await);
        }
    };
    let (bank, branch) = in_master(state, actor, &payee, REGISTER).await?;
    Ok(Prepared {
        details: serde_json::json!({
            "bank_code": payee.bank.as_str(), "branch_code": payee.branch.as_str(),
            "kind": payee.kind.label(), "number": payee.number.as_str(),
            "name": payee.name.as_str(),
        }),
        sections: sections(&payee, &bank.name, &branch.name),
        change: payee,
    })
}

/// 「次へ」 of 振込先登録: what 確認 shows (a refusal recorded).
pub async fn preview_register(
    state: &AppState,
    actor: &Actor,
    input: &PayeeInput,
) -> Result<Vec<Section>, Error> {
    Ok(check_register(state, actor, input).await?.sections)
}

/// 振込先の登録 (利用者登録口座) with 振込先管理, through the pipeline. The new payee's id.
pub async fn register(
    state: &AppState,
    actor: &Actor,
    input: &PayeeInput,
    confirmation: &Confirmation,
    key: &str,
) -> Result<(Executed, Option<i64>), Error> {
    let fingerprint = serde_json::json!({
        "bank": input.bank_code, "branch": input.branch_code, "kind": input.kind,
        "number": input.number, "name": input.name,
    });
    let request = Request {
        key,
        fingerprint: &fingerprint,
        confirmation,
    };
    let prepare = async || check_register(state, actor, input).await;
    let write = async |payee: Payee| {
        Ok(actor
            .scope(state)
            .payee_register_write(actor.user().id, &payee))
    };
    let op = operation("transfer.payee_register", REGISTER);
    let (done, effect) = confirm::execute(state, actor, &op, request, prepare, write).await?;
    let id = match effect {
        WriteEffect::Created(id) => Some(id),
        _ => None,
    };
    Ok((done, id))
}

/// 振込先の削除 checked: 振込先管理, one of the company's 利用者登録口座.
async fn check_delete(
    state: &AppState,
    actor: &Actor,
    payee_id: i64,
) -> Result<Prepared<()>, Error> {
    permitted(state, actor, may(actor, MANAGE), DELETE).await?;
    let payee = actor
        .scope(state)
        .payees()
        .await?
        .into_iter()
        .find(|p| p.id == payee_id && p.kind == PayeeKind::UserRegistered);
    let Some(payee) = payee else {
        return Err(actor
            .refuse(state, HistoryArea::Transfer, DELETE, Error::NotFound)
            .await);
    };
    let kind = AccountKind::from_code(payee.account_kind).map_or("", AccountKind::label);
    let rows = vec![
        Row::text(
            "金融機関",
            format!("{} ({})", payee.bank_name, payee.bank_code),
            "",
        ),
        Row::text(
            "支店",
            format!("{} ({})", payee.branch_name, payee.branch_code),
            "",
        ),
        Row::text("科目", kind, ""),
        Row::text("口座番号", &payee.number, ""),
        Row::text("受取人名", &payee.name, ""),
    ];
    Ok(Prepared {
        details: serde_json::json!({"payee_id": payee.id, "number": payee.number, "name": payee.name}),
        sections: vec![Section::new("削除する振込先", rows)],
        change: (),
    })
}

/// What 確認 of 振込先の削除 shows (a refusal recorded).
pub async fn preview_delete(
    state: &AppState,
    actor: &Actor,
    payee_id: i64,
) -> Result<Vec<Section>, Error> {
    Ok(check_delete(state, actor, payee_id).await?.sections)
}

/// 振込先の削除 of a 利用者登録口座 of the company, with 振込先管理.
pub async fn delete(
    state: &AppState,
    actor: &Actor,
    payee_id: i64,
    confirmation: &Confirmation,
    key: &str,
) -> Result<Executed, Error> {
    let fingerprint = serde_json::json!({ "payee": payee_id });
    let request = Request {
        key,
        fingerprint: &fingerprint,
        confirmation,
    };
    let prepare = async || check_delete(state, actor, payee_id).await;
    let write = async |()| Ok(actor.scope(state).payee_delete_write(payee_id));
    let op = operation("transfer.payee_delete", DELETE);
    let (done, _) = confirm::execute(state, actor, &op, request, prepare, write).await?;
    Ok(done)
}
