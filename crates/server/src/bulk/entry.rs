//! 依頼(画面入力): payees picked from the company's 振込先 (請求先) list with an amount each,
//! a 振込指定日 (引落日) checked against the business's window on the bank's calendar, the
//! paying (collecting) account — written as one 全銀協 file and accepted by the path of
//! 依頼(ファイル受付) ([`upload::accept`]), so both are checked, priced, stored and approved
//! alike. An error of the typed 依頼 is named at its field; nothing is saved.

use madoguchi_domain::bulk::entry::{EntryInput, EntryRequest, amount_field};
use madoguchi_domain::bulk::{self, payee::PayeeList};
use madoguchi_domain::zengin::{self, File, Header, Record};
use madoguchi_domain::{Business, Error, FieldErrors};
use madoguchi_store::BulkPayeeRecord;

use super::spool::Received;
use super::upload::{self, Upload, Uploaded, Via};
use super::{may, operation, permissions, permitted};
use crate::state::AppState;
use crate::web::actor::Actor;

/// The name an order entered on screen carries where a file's name would be.
pub const ENTRY_NAME: &str = "画面入力";

/// The 依頼人コード of a company's files: its id, ten digits (as `host sample-file` writes).
pub fn requester_code(company_id: i64) -> String {
    format!("{company_id:010}")
}

fn fits(kana: &str, n: usize) -> String {
    kana.chars().take(n).collect()
}

/// What a refusal of the typed 依頼 is, recorded as a refusal of 画面入力.
async fn refuse(state: &AppState, actor: &Actor, b: Business, e: Error) -> Error {
    let what = operation(b, Via::Screen.what());
    actor
        .refuse_input(state, madoguchi_domain::HistoryArea::of(b), &what, e)
        .await
}

/// The 全銀協 file of `req`, each record from its payee.
async fn file_of(
    state: &AppState,
    actor: &Actor,
    b: Business,
    req: &EntryRequest,
    payees: &[BulkPayeeRecord],
) -> Result<File, Error> {
    let kind = bulk::kind_of(b).ok_or(Error::NotFound)?;
    let scope = actor.scope(state);
    let user = actor.user();
    let account = scope.accounts().await?.into_iter().find(|a| {
        a.id == req.account_id && (user.is_master || user.profile.account_ids.contains(&a.id))
    });
    let Some(account) = account else {
        let e = Error::Invalid(FieldErrors::single("account_id", Error::AccountNotUsable));
        return Err(refuse(state, actor, b, e).await);
    };
    let own = &state.config.bank_code;
    let kana = async |bank: &str, branch: &str| -> Result<String, Error> {
        Ok(scope
            .bank_entry(bank, branch)
            .await?
            .map(|e| e.kana)
            .unwrap_or_default())
    };
    let mut records = Vec::with_capacity(req.lines.len());
    for (id, amount) in &req.lines {
        let Some(p) = payees.iter().find(|p| p.id == *id) else {
            let e = Error::Invalid(FieldErrors::single(amount_field(*id), Error::NotFound));
            return Err(refuse(state, actor, b, e).await);
        };
        records.push(Record {
            bank_code: p.bank_code.clone(),
            bank_name: fits(&p.bank_kana, 15),
            branch_code: p.branch_code.clone(),
            branch_name: fits(&p.branch_kana, 15),
            account_kind: u8::try_from(p.account_kind).map_err(|_| Error::Internal)?,
            number: p.number.clone(),
            name: p.name.clone(),
            amount: u64::try_from(amount.get()).map_err(|_| Error::Internal)?,
            new_code: 0,
            reference: p.reference.clone(),
            reference2: p.reference2.clone(),
        });
    }
    Ok(File {
        header: Header {
            kind,
            requester_code: requester_code(actor.company().id),
            requester_name: fits(&actor.company().name_kana, 40),
            month: u8::from(req.date.month()),
            day: req.date.day(),
            bank_code: own.clone(),
            bank_name: fits(&kana(own, "").await?, 15),
            branch_code: account.branch_code.clone(),
            branch_name: fits(&kana(own, &account.branch_code).await?, 15),
            account_kind: u8::try_from(account.kind.code()).map_err(|_| Error::Internal)?,
            number: account.number.clone(),
        },
        records,
    })
}

/// A file error of record `line` as an error of the field that typed it.
fn field_errors(errors: &[zengin::FileError], req: &EntryRequest) -> Error {
    let mut f = FieldErrors::new();
    for e in errors {
        let message = e
            .message
            .split_once('：')
            .map_or(e.message.as_str(), |(_, m)| m)
            .to_owned();
        let field = match e.line {
            0 | 1 => "date".to_owned(),
            n => req
                .lines
                .get(n - 2)
                .map_or_else(|| "amounts".to_owned(), |(id, _)| amount_field(*id)),
        };
        f.add(
            field,
            Error::InRecord {
                code: e.code,
                message,
            },
        );
    }
    Error::Invalid(f)
}

/// 依頼(画面入力) of `input` for `b` by `actor`: the order stored 作成中 for 確認 and 確定.
pub async fn enter(
    state: &AppState,
    actor: &Actor,
    b: Business,
    input: &EntryInput,
) -> Result<Uploaded, Error> {
    let what = operation(b, Via::Screen.what());
    permitted(state, actor, b, may(actor, permissions(b).screen), &what).await?;
    let list = PayeeList::of(b).ok_or(Error::NotFound)?;
    let req = match input.parse(b) {
        Ok(r) => r,
        Err(e) => return Err(refuse(state, actor, b, e).await),
    };
    let window = state.config.bulk_window(b).map_err(|_| Error::Internal)?;
    let calendar = crate::reference::calendar(state).await?;
    let label = madoguchi_domain::bulk::entry::date_label(b);
    if let Err(e) = window.check_as(&calendar, req.date, state.now(), label) {
        let e = Error::Invalid(FieldErrors::single("date", e));
        return Err(refuse(state, actor, b, e).await);
    }
    let payees = actor.scope(state).bulk_payees(list).await?;
    let file = file_of(state, actor, b, &req, &payees).await?;
    let bytes = zengin::write(&file)?;
    let up = Upload {
        file: Received::in_memory(ENTRY_NAME, bytes),
        fee_side: req.fee_side.code().to_owned(),
        first_approver: req.first_approver,
        last_approver: req.last_approver,
        too_large: None,
    };
    match upload::accept(state, actor, b, Via::Screen, &up).await {
        Err(Error::InvalidFile(errors)) => Err(field_errors(&errors, &req)),
        other => other,
    }
}
