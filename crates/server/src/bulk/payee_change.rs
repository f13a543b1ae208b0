//! 振込先 / 請求先の変更 of the file businesses: a payee of the company's list given new
//! fields — checked as a registration is (the 全銀協 set, the master, one account once in
//! the list) — with 確認 showing each item before and after (the changed ones red), through
//! the confirmed-change pipeline.

use madoguchi_domain::bulk::payee::{BulkPayeeInput, PayeeList};
use madoguchi_domain::{Error, FieldErrors};
use madoguchi_store::NewBulkPayee;

use super::payees::{
    as_new, master_names, may_manage, new_payee, operation, permitted, rows, unknown,
};
use crate::confirm::{self, Confirmation, Executed, Prepared, Request, Row, Section};
use crate::state::AppState;
use crate::web::actor::Actor;

/// The title of the section 確認 and 結果 of a 変更 show.
pub const CHANGED: &str = "変更内容";

/// 変更 of payee `id` to `input` checked: 振込先管理 (請求先管理), the payee one of the
/// list's, the fields, the master, no other payee of the list with the account.
async fn check_change(
    state: &AppState,
    actor: &Actor,
    list: PayeeList,
    id: i64,
    input: &BulkPayeeInput,
) -> Result<Prepared<NewBulkPayee>, Error> {
    let what = list.operation("の変更");
    permitted(state, actor, list, may_manage(actor, list), &what).await?;
    let scope = actor.scope(state);
    let all = scope.bulk_payees(list).await?;
    let Some(old) = all.iter().find(|p| p.id == id) else {
        return Err(actor
            .refuse(state, list.area(), &what, Error::NotFound)
            .await);
    };
    let refuse_input = async |e: Error| actor.refuse_input(state, list.area(), &what, e).await;
    let payee = match input.parse(list) {
        Ok(p) => p,
        Err(e) => return Err(refuse_input(e).await),
    };
    let (names, missing) = master_names(&scope, &[(0, payee.clone())]).await?;
    if let Some((_, field)) = missing.first() {
        let e = Error::Invalid(FieldErrors::single(*field, unknown(field)));
        return Err(refuse_input(e).await);
    }
    let account = payee.account();
    let taken = all.iter().any(|p| {
        p.id != id
            && (
                p.bank_code.as_str(),
                p.branch_code.as_str(),
                p.account_kind,
                p.number.as_str(),
            ) == account
    });
    if taken {
        return Err(refuse_input(Error::PayeeTaken).await);
    }
    let new = new_payee(&payee);
    let name = |bank: &str, branch: &str| {
        names
            .get(&(bank.to_owned(), branch.to_owned()))
            .cloned()
            .unwrap_or_default()
    };
    let before = rows(list, &as_new(old), &old.bank_name, &old.branch_name);
    let after = rows(
        list,
        &new,
        &name(&new.bank_code, ""),
        &name(&new.bank_code, &new.branch_code),
    );
    let changes = before
        .into_iter()
        .zip(after)
        .map(|(b, a)| Row::text(a.label, b.after, a.after))
        .collect();
    let details = serde_json::json!({
        "id": id,
        "before": {"bank_code": old.bank_code, "branch_code": old.branch_code,
                   "number": old.number, "name": old.name, "group": old.group},
        "after": {"bank_code": new.bank_code, "branch_code": new.branch_code,
                  "number": new.number, "name": new.name, "group": new.group},
    });
    Ok(Prepared {
        change: new,
        sections: vec![Section::new(CHANGED, changes)],
        details,
    })
}

/// 「次へ」 of 変更: what 確認 shows (a refusal recorded).
pub async fn preview_change(
    state: &AppState,
    actor: &Actor,
    list: PayeeList,
    id: i64,
    input: &BulkPayeeInput,
) -> Result<Vec<Section>, Error> {
    Ok(check_change(state, actor, list, id, input).await?.sections)
}

/// 振込先 / 請求先の変更 of payee `id` to `input`.
pub async fn change(
    state: &AppState,
    actor: &Actor,
    list: PayeeList,
    id: i64,
    input: &BulkPayeeInput,
    confirmation: &Confirmation,
    key: &str,
) -> Result<Executed, Error> {
    let fingerprint = serde_json::json!({
        "list": list.code(), "payee": id, "bank": input.bank_code, "branch": input.branch_code,
        "kind": input.kind, "number": input.number, "name": input.name,
        "reference": input.reference, "reference2": input.reference2, "group": input.group,
    });
    let request = Request {
        key,
        fingerprint: &fingerprint,
        confirmation,
    };
    let prepare = async || check_change(state, actor, list, id, input).await;
    let write =
        async |payee: NewBulkPayee| Ok(actor.scope(state).bulk_payee_update_write(list, id, payee));
    let op = operation(list, "の変更")?;
    let (done, _) = confirm::execute(state, actor, &op, request, prepare, write).await?;
    Ok(done)
}
