//! 依頼(ファイル受付): a 全銀協 file of the business read record by record with every rule
//! of domain.md §7 checked (`madoguchi_domain::zengin`), then against the company
//! (`madoguchi_domain::bulk`: 振込指定日 and lead time, the requester's account, the 全銀協
//! master, the fees of 総合振込), the user's 一回当たり限度額 and the approvers the
//! company's 承認機能 needs. A file with any error is refused whole — every error named by
//! line, columns and field, nothing saved, the refusal in the 操作履歴 with the file's
//! name, size and hash; a clean one is stored 作成中 with all its records, in the
//! transaction of its 操作履歴 entry, for the 確認 and 確定 that follow.

use std::collections::{BTreeSet, HashMap};

use madoguchi_domain::approval::Approval;
use madoguchi_domain::bulk::{self, BulkFees, Checked, Context, OwnAccount};
use madoguchi_domain::fees::{FeeKind, PayeeFeeRule};
use madoguchi_domain::limits_ledger::check_per_order;
use madoguchi_domain::transfer::{self, FeeSide};
use madoguchi_domain::zengin::{self, FileError, Record};
use madoguchi_domain::{Business, Error, FieldErrors, HistoryArea, Yen};
use madoguchi_store::{BulkRecordRow, BulkTotals, FileFacts, NewBulkOrder, UserRecord};
use sha2::{Digest, Sha256};

use super::{is_approver, may, operation, permissions, permitted};
use crate::state::AppState;
use crate::web::actor::Actor;
use crate::web::scope::CompanyScope;

/// What a user sends: the file, and for the order the 手数料負担 (総合振込) and approvers.
#[derive(Debug, Clone, Default)]
pub struct Upload {
    pub file_name: String,
    pub bytes: Vec<u8>,
    /// `payer` (当方負担) or `payee` (先方負担); 総合振込 only (empty: 当方負担).
    pub fee_side: String,
    pub first_approver: Option<i64>,
    pub last_approver: Option<i64>,
    /// The file was larger than this many bytes (and not read further).
    pub too_large: Option<usize>,
}

/// What stands for a file larger than `limit` bytes: refused by [`upload`].
pub fn too_large(limit: usize) -> Upload {
    Upload {
        too_large: Some(limit),
        ..Upload::default()
    }
}

/// A file accepted for 確認.
#[derive(Debug, Clone)]
pub struct Uploaded {
    pub id: i64,
    /// Names that differ from the 全銀協 master's.
    pub warnings: Vec<FileError>,
}

/// 利用者一回当たり限度額 of `user` for `b`: `None` for a マスターユーザ without one; a
/// user without one may not send a file of it at all.
pub fn per_order_limit(user: &UserRecord, b: Business) -> Option<Yen> {
    match user.profile.tx_limits.get(&b) {
        Some(limit) => Some(*limit),
        None if user.is_master => None,
        None => Some(Yen::ZERO),
    }
}

/// The fees of a 総合振込 file on `date` (当方負担 and, when 先方負担, the deduction).
async fn fees(scope: &CompanyScope<'_>, side: FeeSide, date: &str) -> Result<BulkFees, Error> {
    let standard = scope.standard_table_on(date).await?;
    let standard = standard.as_ref().map(|s| &s.table);
    let payer = scope.fee_setting(FeeKind::PayerBulk).await?.setting;
    let payer = payer.table(standard).ok_or(Error::NoStandardTable)?.clone();
    let payee = if side == FeeSide::Payee {
        let s = scope.fee_setting(FeeKind::PayeeBulk).await?.setting;
        Some(PayeeFeeRule {
            table: s.table(standard).ok_or(Error::NoStandardTable)?.clone(),
            method: s.method,
            minimum_payment: s.minimum_payment,
        })
    } else {
        None
    };
    Ok(BulkFees { payer, payee })
}

/// The 全銀協 master's カナ of every bank and branch `records` name.
async fn master_of(
    scope: &CompanyScope<'_>,
    records: &[(usize, Record)],
) -> Result<HashMap<(String, String), String>, Error> {
    let mut wanted = BTreeSet::new();
    for (_, r) in records {
        wanted.insert((r.bank_code.clone(), String::new()));
        wanted.insert((r.bank_code.clone(), r.branch_code.clone()));
    }
    let mut found = HashMap::with_capacity(wanted.len());
    for (bank, branch) in wanted {
        if let Some(e) = scope.bank_entry(&bank, &branch).await? {
            found.insert((bank, branch), e.kana);
        }
    }
    Ok(found)
}

fn row_of(p: bulk::Priced) -> BulkRecordRow {
    let r = p.record;
    BulkRecordRow {
        line: p.line as i64,
        bank_code: r.bank_code,
        bank_name: r.bank_name,
        branch_code: r.branch_code,
        branch_name: r.branch_name,
        account_kind: i64::from(r.account_kind),
        number: r.number,
        name: r.name,
        amount: i64::try_from(r.amount).unwrap_or(i64::MAX),
        deduction: p.deduction.get(),
        transfer_amount: p.transfer_amount.get(),
        payer_fee: p.payer_fee.get(),
        new_code: i64::from(r.new_code),
        reference: r.reference,
        reference2: r.reference2,
        result_code: None,
    }
}

/// What the 操作履歴 keeps of a file: its name, size and hash (never its records).
fn file_details(up: &Upload, sha256: &str) -> serde_json::Value {
    serde_json::json!({
        "file_name": up.file_name, "size": up.bytes.len(), "sha256": sha256,
    })
}

/// What stands for a failure to read the company's data while checking a file.
fn internal<E>(_: E) -> Vec<FileError> {
    vec![FileError {
        line: 0,
        from: 0,
        to: 0,
        field: "",
        code: "SYS-0001",
        message: Error::Internal.message_ja(),
    }]
}

/// Reads and checks `up` as a file of `b`: the file for the company, or every error.
async fn read(
    state: &AppState,
    actor: &Actor,
    b: Business,
    side: FeeSide,
    up: &Upload,
) -> Result<Checked, Vec<FileError>> {
    let Some(kind) = bulk::kind_of(b) else {
        return Err(Vec::new());
    };
    let mut records = Vec::new();
    let summary = zengin::parse_reader(&up.bytes[..], kind, |line, r| records.push((line, r)))?;
    let scope = actor.scope(state);
    let now = state.now();
    let window = state.config.bulk_window(b).map_err(|_| internal(()))?;
    let calendar = crate::reference::calendar(state).await.map_err(internal)?;
    let user = actor.user();
    let accounts: Vec<OwnAccount> = scope
        .accounts()
        .await
        .map_err(internal)?
        .into_iter()
        .filter(|a| user.is_master || user.profile.account_ids.contains(&a.id))
        .map(|a| OwnAccount {
            id: a.id,
            branch_code: a.branch_code,
            kind: a.kind.code(),
            number: a.number,
        })
        .collect();
    let master = master_of(&scope, &records).await.map_err(internal)?;
    let lookup =
        |bank: &str, branch: &str| master.get(&(bank.to_owned(), branch.to_owned())).cloned();
    let date = bulk::date_of_header(summary.header.month, summary.header.day, now)
        .map(transfer::date_key)
        .unwrap_or_default();
    let fees = if b == Business::BulkTransfer {
        Some(fees(&scope, side, &date).await.map_err(internal)?)
    } else {
        None
    };
    let ctx = Context {
        business: b,
        window,
        calendar: &calendar,
        now,
        own_bank: &state.config.bank_code,
        accounts: &accounts,
        master: &lookup,
        fees: fees.as_ref(),
        fee_side: side,
    };
    bulk::check(summary, records, &ctx)
}

/// How a 依頼 came: a file, or typed on screen and written as one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    File,
    Screen,
}

impl Via {
    /// The 操作内容 of the 依頼 under its business: 「ファイル受付」 or 「画面入力」.
    pub fn what(self) -> &'static str {
        match self {
            Via::File => "ファイル受付",
            Via::Screen => "画面入力",
        }
    }

    fn permission(self, b: Business) -> &'static str {
        match self {
            Via::File => permissions(b).file,
            Via::Screen => permissions(b).screen,
        }
    }
}

/// 依頼(ファイル受付) of `up` as a file of `b` by `actor`.
pub async fn upload(
    state: &AppState,
    actor: &Actor,
    b: Business,
    up: &Upload,
) -> Result<Uploaded, Error> {
    accept(state, actor, b, Via::File, up).await
}

/// A 依頼 of `b` that came `via` a file or the screen: checked and stored 作成中 by the
/// one path both take.
pub(crate) async fn accept(
    state: &AppState,
    actor: &Actor,
    b: Business,
    via: Via,
    up: &Upload,
) -> Result<Uploaded, Error> {
    let what = operation(b, via.what());
    let area = HistoryArea::of(b);
    permitted(state, actor, b, may(actor, via.permission(b)), &what).await?;
    let sha256 = hex(&Sha256::digest(&up.bytes));
    let refuse = async |e: Error| {
        let mut details = file_details(up, &sha256);
        if let (Some(d), Error::InvalidFile(errors)) = (details.as_object_mut(), &e) {
            d.insert("errors".into(), errors.len().into());
            let codes: BTreeSet<&str> = errors.iter().map(|e| e.code).collect();
            d.insert("codes".into(), serde_json::json!(codes));
        }
        let draft = actor
            .draft(state, area, &what)
            .failed(e.code())
            .details(details);
        match actor.record(state, draft).await {
            Ok(()) => e,
            Err(other) => other,
        }
    };
    if let Some(limit) = up.too_large {
        return Err(refuse(Error::InvalidFile(vec![FileError {
            line: 0,
            from: 0,
            to: 0,
            field: "ファイル",
            code: "FIL-0016",
            message: format!(
                "ファイルが大きすぎます。{}MB以下のファイルを指定してください。",
                limit / (1024 * 1024)
            ),
        }]))
        .await);
    }
    let side = if b == Business::BulkTransfer && !up.fee_side.is_empty() {
        match FeeSide::parse(&up.fee_side) {
            Ok(s) => s,
            Err(e) => return Err(refuse(Error::Invalid(FieldErrors::single("fee_side", e))).await),
        }
    } else {
        FeeSide::Payer
    };
    let checked = match read(state, actor, b, side, up).await {
        Ok(c) => c,
        Err(errors) if errors.iter().any(|e| e.code == "SYS-0001") => return Err(Error::Internal),
        Err(errors) => return Err(refuse(Error::InvalidFile(errors)).await),
    };
    let mut totals = BulkTotals::default();
    let rows: Vec<BulkRecordRow> = checked.records.into_iter().map(row_of).collect();
    rows.iter().for_each(|r| totals.add(r));
    let user = actor.user();
    let total = Yen::from_stored(totals.transfer).ok_or(Error::Internal)?;
    if let Some(limit) = per_order_limit(user, b)
        && let Err(e) = check_per_order(limit, total)
    {
        return Err(refuse(e).await);
    }
    let scope = actor.scope(state);
    let mode = scope.settings().await?.settings.approval.get(b);
    let members = scope.members().await?;
    let (first, last) =
        match crate::orders::approvers(mode, (up.first_approver, up.last_approver), &members, |u| {
            is_approver(u, b)
        }) {
            Ok(named) => named,
            Err(e) => return Err(refuse(e).await),
        };
    let mut approval = Approval::new(mode, user.id);
    approval.first = first;
    approval.last = last;
    let h = &checked.header;
    let date = transfer::date_key(checked.date);
    let new = NewBulkOrder {
        company_id: 0,
        business: b,
        account_id: checked.account_id,
        file: FileFacts {
            name: up.file_name.clone(),
            size: up.bytes.len() as i64,
            sha256: sha256.clone(),
        },
        requester_code: h.requester_code.clone(),
        requester_name: h.requester_name.clone(),
        execution_date: date.clone(),
        deadline: checked.deadline,
        fee_side: side.code(),
        totals,
        approval,
        warnings: checked.warnings.iter().map(|w| w.message.clone()).collect(),
    };
    let mut details = file_details(up, &sha256);
    if let Some(d) = details.as_object_mut() {
        for (k, v) in [
            ("date", serde_json::json!(date)),
            ("count", totals.count.into()),
            ("total", totals.amount.into()),
            ("transfer_total", totals.transfer.into()),
            ("deduction_total", totals.deduction.into()),
            ("payer_fee_total", totals.payer_fee.into()),
            ("fee_side", side.code().into()),
            ("warnings", checked.warnings.len().into()),
        ] {
            d.insert(k.into(), v);
        }
    }
    let history = actor.draft(state, area, &what).details(details);
    let id = scope.bulk_create(new, &rows, history).await?;
    Ok(Uploaded {
        id,
        warnings: checked.warnings,
    })
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
