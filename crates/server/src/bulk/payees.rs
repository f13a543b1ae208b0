//! 振込先管理 / 請求先管理 of the file businesses, one function per operation for the screens
//! and the API: the list (with 振込先管理 / 請求先管理, or 依頼(画面入力) of a business that picks
//! from it), 登録 and 削除 of one payee, 一括登録 of a CSV file (all or none) and its
//! ダウンロード. Each change goes through the confirmed-change pipeline (確認用パスワード, the
//! one-time password where used, the 操作履歴 entry in the same transaction); banks and
//! branches are checked against the 全銀協 master.

use std::collections::{BTreeSet, HashMap, HashSet};

use madoguchi_domain::bulk::payee::{BulkPayee, BulkPayeeInput, PayeeList};
use madoguchi_domain::zengin::FileError;
use madoguchi_domain::{AccountKind, Business, Error, FieldErrors};
use madoguchi_store::{BulkPayeeRecord, NewBulkPayee, WriteEffect};

use super::{BUSINESSES, may, permissions};
use crate::confirm::{
    self, Confirmation, Executed, Operation, Prepared, Request, ResultKind, Row, Section,
};
use crate::state::AppState;
use crate::web::actor::Actor;
use crate::web::csv::{Encoding, line};
use crate::web::scope::CompanyScope;

/// At most this many payees are shown on 確認 and 結果 of a 一括登録 (all are registered).
const SHOWN: usize = 20;

/// The サービス利用権限 of 振込先管理 (請求先管理) of `list`.
pub(crate) fn manage_permission(list: PayeeList) -> &'static str {
    match list {
        PayeeList::BulkTransfer => "bulk.payees",
        PayeeList::Salary => "salary.payees",
        PayeeList::DirectDebit => "debit.payers",
    }
}

/// `actor` may manage `list`.
pub fn may_manage(actor: &Actor, list: PayeeList) -> bool {
    may(actor, manage_permission(list))
}

/// `actor` may see `list`: with its 振込先管理, or 依頼(画面入力) of a business using it.
pub fn may_see(actor: &Actor, list: PayeeList) -> bool {
    may_manage(actor, list)
        || BUSINESSES
            .iter()
            .any(|b| PayeeList::of(*b) == Some(list) && may(actor, permissions(*b).screen))
}

pub(crate) async fn permitted(
    state: &AppState,
    actor: &Actor,
    list: PayeeList,
    allowed: bool,
    what: &str,
) -> Result<(), Error> {
    let verdict = if allowed {
        Ok(())
    } else {
        Err(Error::Forbidden)
    };
    actor.allowed(state, list.area(), what, (), verdict).await
}

/// The payees of `list` `actor` may see (refused, and recorded, without the right).
pub async fn list(
    state: &AppState,
    actor: &Actor,
    list: PayeeList,
) -> Result<Vec<BulkPayeeRecord>, Error> {
    let what = list.operation("一覧");
    permitted(state, actor, list, may_see(actor, list), &what).await?;
    actor.scope(state).bulk_payees(list).await
}

/// The list of business `b` (振込振替 has none: not found).
pub fn list_of(b: Business) -> Result<PayeeList, Error> {
    PayeeList::of(b).ok_or(Error::NotFound)
}

pub(crate) fn operation(list: PayeeList, what: &str) -> Result<Operation, Error> {
    let label = list.operation(what);
    let code = madoguchi_domain::history_search::operation_code(&label).ok_or(Error::Internal)?;
    Ok(Operation {
        code,
        area: list.area(),
        label,
        result: ResultKind::PayeeChanged,
    })
}

pub(crate) fn new_payee(p: &BulkPayee) -> NewBulkPayee {
    NewBulkPayee {
        bank_code: p.bank.as_str().to_owned(),
        branch_code: p.branch.as_str().to_owned(),
        account_kind: p.kind.code(),
        number: p.number.as_str().to_owned(),
        name: p.name.as_str().to_owned(),
        reference: p.reference.clone(),
        reference2: p.reference2.clone(),
        group: p.group.clone(),
    }
}

/// A registered payee as the fields it was registered with.
pub(crate) fn as_new(p: &BulkPayeeRecord) -> NewBulkPayee {
    NewBulkPayee {
        bank_code: p.bank_code.clone(),
        branch_code: p.branch_code.clone(),
        account_kind: p.account_kind,
        number: p.number.clone(),
        name: p.name.clone(),
        reference: p.reference.clone(),
        reference2: p.reference2.clone(),
        group: p.group.clone(),
    }
}

/// The rows 確認 and 結果 show of a payee.
pub(crate) fn rows(list: PayeeList, p: &NewBulkPayee, bank: &str, branch: &str) -> Vec<Row> {
    let kind = AccountKind::from_code(p.account_kind).map_or("", AccountKind::label);
    let refs = list.references();
    let mut rows = vec![
        Row::text("金融機関", "", format!("{bank} ({})", p.bank_code)),
        Row::text("支店", "", format!("{branch} ({})", p.branch_code)),
        Row::text("預金種目", "", kind),
        Row::text("口座番号", "", &p.number),
        Row::text(list.name_label(), "", &p.name),
    ];
    for (r, v) in refs.iter().zip([&p.reference, &p.reference2]) {
        rows.push(Row::text(r.label, "", v));
    }
    rows.push(Row::text("グループ名", "", &p.group));
    rows
}

/// The names of the banks and branches `payees` name, and every line that names one the
/// 全銀協 master lacks (with the field).
pub(crate) async fn master_names(
    scope: &CompanyScope<'_>,
    payees: &[(usize, BulkPayee)],
) -> Result<
    (
        HashMap<(String, String), String>,
        Vec<(usize, &'static str)>,
    ),
    Error,
> {
    let mut wanted = BTreeSet::new();
    for (_, p) in payees {
        wanted.insert((p.bank.as_str().to_owned(), String::new()));
        wanted.insert((p.bank.as_str().to_owned(), p.branch.as_str().to_owned()));
    }
    let mut names = HashMap::with_capacity(wanted.len());
    for (bank, branch) in wanted {
        if let Some(e) = scope.bank_entry(&bank, &branch).await? {
            names.insert((bank, branch), e.name);
        }
    }
    let mut missing = Vec::new();
    for (line, p) in payees {
        let bank = p.bank.as_str().to_owned();
        if !names.contains_key(&(bank.clone(), String::new())) {
            missing.push((*line, "bank_code"));
        } else if !names.contains_key(&(bank, p.branch.as_str().to_owned())) {
            missing.push((*line, "branch_code"));
        }
    }
    Ok((names, missing))
}

pub(crate) fn unknown(field: &'static str) -> Error {
    let label = if field == "bank_code" {
        "金融機関コード"
    } else {
        "支店コード"
    };
    Error::UnknownCode { label }
}

/// What a registration of `payees` (each with its line) writes and shows, or the refusal:
/// a bank or branch the master lacks, an account the list has already.
async fn prepare_many(
    state: &AppState,
    actor: &Actor,
    list: PayeeList,
    payees: Vec<(usize, BulkPayee)>,
    single: bool,
) -> Result<Prepared<Vec<NewBulkPayee>>, Error> {
    let what = list.operation(if single {
        "の登録"
    } else {
        "の一括登録"
    });
    let scope = actor.scope(state);
    let (names, missing) = master_names(&scope, &payees).await?;
    let existing: HashSet<(String, String, i64, String)> = scope
        .bulk_payees(list)
        .await?
        .into_iter()
        .map(|p| (p.bank_code, p.branch_code, p.account_kind, p.number))
        .collect();
    let mut refusals: Vec<(usize, &'static str, Error)> = missing
        .into_iter()
        .map(|(line, field)| (line, field, unknown(field)))
        .collect();
    for (line, p) in &payees {
        let (bank, branch, kind, number) = p.account();
        if existing.contains(&(bank.into(), branch.into(), kind, number.into())) {
            refusals.push((*line, "number", Error::PayeeTaken));
        }
    }
    refusals.sort_by_key(|(line, _, _)| *line);
    if !refusals.is_empty() {
        let err = if single {
            match refusals.swap_remove(0) {
                (_, _, Error::PayeeTaken) => Error::PayeeTaken,
                (_, field, e) => Error::Invalid(FieldErrors::single(field, e)),
            }
        } else {
            Error::InvalidFile(
                refusals
                    .into_iter()
                    .map(|(line, field, e)| FileError {
                        line,
                        from: 0,
                        to: 0,
                        field: list.column(field).1,
                        code: e.code(),
                        message: format!("{line}行目：{}", e.message_ja()),
                    })
                    .collect(),
            )
        };
        return Err(actor.refuse_input(state, list.area(), &what, err).await);
    }
    let new: Vec<NewBulkPayee> = payees.iter().map(|(_, p)| new_payee(p)).collect();
    let name = |bank: &str, branch: &str| {
        names
            .get(&(bank.to_owned(), branch.to_owned()))
            .cloned()
            .unwrap_or_default()
    };
    let mut sections: Vec<Section> = new
        .iter()
        .take(SHOWN)
        .map(|p| {
            let title = if single {
                list.noun().to_owned()
            } else {
                format!("{}（{}）", list.noun(), p.name)
            };
            let rows = rows(
                list,
                p,
                &name(&p.bank_code, ""),
                &name(&p.bank_code, &p.branch_code),
            );
            Section::new(title, rows)
        })
        .collect();
    if !single {
        let mut summary = vec![Row::text("登録件数", "", format!("{}件", new.len()))];
        if new.len() > SHOWN {
            summary.push(Row::text(
                "表示",
                "",
                format!("先頭{SHOWN}件を表示しています"),
            ));
        }
        sections.insert(0, Section::new("一括登録", summary));
    }
    let details = if single {
        let p = &new[0];
        serde_json::json!({
            "bank_code": p.bank_code, "branch_code": p.branch_code, "number": p.number,
            "name": p.name, "group": p.group,
        })
    } else {
        serde_json::json!({ "count": new.len() })
    };
    Ok(Prepared {
        change: new,
        sections,
        details,
    })
}

/// 登録 checked: 振込先管理 (請求先管理), the fields, the master, the list.
async fn check_register(
    state: &AppState,
    actor: &Actor,
    list: PayeeList,
    input: &BulkPayeeInput,
) -> Result<Prepared<Vec<NewBulkPayee>>, Error> {
    let what = list.operation("の登録");
    permitted(state, actor, list, may_manage(actor, list), &what).await?;
    let payee = match input.parse(list) {
        Ok(p) => p,
        Err(e) => return Err(actor.refuse_input(state, list.area(), &what, e).await),
    };
    prepare_many(state, actor, list, vec![(0, payee)], true).await
}

/// 「次へ」 of 登録: what 確認 shows (a refusal recorded).
pub async fn preview_register(
    state: &AppState,
    actor: &Actor,
    list: PayeeList,
    input: &BulkPayeeInput,
) -> Result<Vec<Section>, Error> {
    Ok(check_register(state, actor, list, input).await?.sections)
}

/// Runs `prepared` (a registration) as operation `what` through the pipeline.
async fn run_registration(
    state: &AppState,
    actor: &Actor,
    list: PayeeList,
    what: &str,
    request: Request<'_>,
    prepare: impl AsyncFnOnce() -> Result<Prepared<Vec<NewBulkPayee>>, Error>,
) -> Result<(Executed, Option<i64>), Error> {
    let write = async |payees: Vec<NewBulkPayee>| {
        Ok(actor
            .scope(state)
            .bulk_payees_register_write(list, actor.user().id, payees))
    };
    let op = operation(list, what)?;
    let (done, effect) = confirm::execute(state, actor, &op, request, prepare, write).await?;
    let id = match effect {
        WriteEffect::Created(id) => Some(id),
        _ => None,
    };
    Ok((done, id))
}

/// 振込先 / 請求先の登録 of one payee. The new payee's id (`None` when repeated).
pub async fn register(
    state: &AppState,
    actor: &Actor,
    list: PayeeList,
    input: &BulkPayeeInput,
    confirmation: &Confirmation,
    key: &str,
) -> Result<(Executed, Option<i64>), Error> {
    let fingerprint = serde_json::json!({
        "list": list.code(), "bank": input.bank_code, "branch": input.branch_code,
        "kind": input.kind, "number": input.number, "name": input.name,
        "reference": input.reference, "reference2": input.reference2, "group": input.group,
    });
    let request = Request {
        key,
        fingerprint: &fingerprint,
        confirmation,
    };
    let prepare = async || check_register(state, actor, list, input).await;
    run_registration(state, actor, list, "の登録", request, prepare).await
}

/// 一括登録 checked: 振込先管理, every line of the CSV file, the master, the list.
async fn check_import(
    state: &AppState,
    actor: &Actor,
    list: PayeeList,
    bytes: &[u8],
) -> Result<Prepared<Vec<NewBulkPayee>>, Error> {
    let what = list.operation("の一括登録");
    permitted(state, actor, list, may_manage(actor, list), &what).await?;
    let payees = match madoguchi_domain::bulk::payee::parse_csv(bytes, list) {
        Ok(p) => p,
        Err(errors) => {
            return Err(actor
                .refuse_input(state, list.area(), &what, Error::InvalidFile(errors))
                .await);
        }
    };
    prepare_many(state, actor, list, payees, false).await
}

/// 「次へ」 of 一括登録: what 確認 shows (a refusal recorded).
pub async fn preview_import(
    state: &AppState,
    actor: &Actor,
    list: PayeeList,
    bytes: &[u8],
) -> Result<Vec<Section>, Error> {
    Ok(check_import(state, actor, list, bytes).await?.sections)
}

/// 振込先 / 請求先の一括登録 of a CSV file (`MAX_IMPORT` payees at most): all or none.
pub async fn import(
    state: &AppState,
    actor: &Actor,
    list: PayeeList,
    bytes: &[u8],
    confirmation: &Confirmation,
    key: &str,
) -> Result<Executed, Error> {
    use sha2::Digest;
    let sha = madoguchi_store::history::hex(&sha2::Sha256::digest(bytes));
    let fingerprint = serde_json::json!({ "list": list.code(), "sha256": sha });
    let request = Request {
        key,
        fingerprint: &fingerprint,
        confirmation,
    };
    let prepare = async || check_import(state, actor, list, bytes).await;
    let (done, _) = run_registration(state, actor, list, "の一括登録", request, prepare).await?;
    Ok(done)
}

/// 削除 checked: 振込先管理, a payee of the company's list.
async fn check_delete(
    state: &AppState,
    actor: &Actor,
    list: PayeeList,
    id: i64,
) -> Result<Prepared<()>, Error> {
    let what = list.operation("の削除");
    permitted(state, actor, list, may_manage(actor, list), &what).await?;
    let found = actor
        .scope(state)
        .bulk_payees(list)
        .await?
        .into_iter()
        .find(|p| p.id == id);
    let Some(p) = found else {
        return Err(actor
            .refuse(state, list.area(), &what, Error::NotFound)
            .await);
    };
    // Shown as what is removed: the values in the 変更前 column.
    let rows = rows(list, &as_new(&p), &p.bank_name, &p.branch_name)
        .into_iter()
        .map(|r| Row::text(r.label, r.after, ""))
        .collect();
    Ok(Prepared {
        details: serde_json::json!({ "id": p.id, "number": p.number, "name": p.name }),
        sections: vec![Section::new(format!("削除する{}", list.noun()), rows)],
        change: (),
    })
}

/// What 確認 of 削除 shows (a refusal recorded).
pub async fn preview_delete(
    state: &AppState,
    actor: &Actor,
    list: PayeeList,
    id: i64,
) -> Result<Vec<Section>, Error> {
    Ok(check_delete(state, actor, list, id).await?.sections)
}

/// 振込先 / 請求先の削除.
pub async fn delete(
    state: &AppState,
    actor: &Actor,
    list: PayeeList,
    id: i64,
    confirmation: &Confirmation,
    key: &str,
) -> Result<Executed, Error> {
    let fingerprint = serde_json::json!({ "list": list.code(), "payee": id });
    let request = Request {
        key,
        fingerprint: &fingerprint,
        confirmation,
    };
    let prepare = async || check_delete(state, actor, list, id).await;
    let write = async |()| Ok(actor.scope(state).bulk_payee_delete_write(list, id));
    let op = operation(list, "の削除")?;
    let (done, _) = confirm::execute(state, actor, &op, request, prepare, write).await?;
    Ok(done)
}

/// ダウンロード: the list as CSV in the columns 一括登録 reads, recorded in the 操作履歴.
pub async fn download(
    state: &AppState,
    actor: &Actor,
    list: PayeeList,
    encoding: Encoding,
) -> Result<Vec<u8>, Error> {
    let what = list.operation("のダウンロード");
    permitted(state, actor, list, may_see(actor, list), &what).await?;
    let payees = actor.scope(state).bulk_payees(list).await?;
    let mut text = String::from(if encoding == Encoding::Utf8 {
        "\u{feff}"
    } else {
        ""
    });
    text.push_str(&line(&list.columns()));
    for p in &payees {
        let kind = AccountKind::from_code(p.account_kind).map_or("", AccountKind::label);
        let mut cells = vec![
            p.bank_code.as_str(),
            p.branch_code.as_str(),
            kind,
            p.number.as_str(),
            p.name.as_str(),
            p.reference.as_str(),
        ];
        if list.references().len() > 1 {
            cells.push(p.reference2.as_str());
        }
        cells.push(p.group.as_str());
        text.push_str(&line(&cells));
    }
    let draft = actor
        .draft(state, list.area(), &what)
        .details(serde_json::json!({ "count": payees.len(), "encoding": encoding.code() }));
    actor.record(state, draft).await?;
    Ok(encoding.encode(&text))
}
