//! 依頼(ファイル受付) and 依頼(画面入力), accepted by one path: a 全銀協 file of the business
//! read record by record with every rule of domain.md §7 (`madoguchi_domain::zengin`), then
//! against the company (`madoguchi_domain::bulk`: 振込指定日 and lead time, the requester's
//! account, the 全銀協 master, the fees of 総合振込), the approvers the company's 承認機能
//! needs and the user's 一回当たり限度額. A file with any error is refused whole — every
//! error named by line, columns and field, nothing saved, the refusal in the 操作履歴 with
//! the file's name, size and hash; a clean one is stored 作成中 with all its records, in
//! the transaction of its 操作履歴 entry, for the 確認 and 確定 that follow.
//!
//! The file is read twice and never held whole: once for its layout, its totals and the
//! banks it names; then, on a blocking thread, each record is checked and priced and sent
//! in batches to the order being written, so memory stays a few batches whatever the
//! file's size (docs/performance.md).

use std::collections::{BTreeSet, HashMap};

use madoguchi_domain::approval::Approval;
use madoguchi_domain::bulk::{self, BulkFees, Context, OwnAccount};
use madoguchi_domain::calendar::Calendar;
use madoguchi_domain::fees::{FeeKind, PayeeFeeRule};
use madoguchi_domain::limits_ledger::check_per_order;
use madoguchi_domain::transfer::{self, FeeSide};
use madoguchi_domain::zengin::{self, FileError, Kind};
use madoguchi_domain::{Business, Error, FieldErrors, HistoryArea, Yen};
use madoguchi_store::{BulkRecordRow, BulkTotals, FileFacts, NewBulkOrder, UserRecord};

use super::spool::{Content, Received};
use super::{is_approver, may, operation, permissions, permitted};
use crate::state::AppState;
use crate::web::actor::Actor;
use crate::web::scope::CompanyScope;

/// Records per batch handed from the checking thread to the order being written.
const BATCH: usize = 500;

/// What a user sends: the file, and for the order the 手数料負担 (総合振込) and approvers.
#[derive(Debug, Default)]
pub struct Upload {
    pub file: Received,
    /// `payer` (当方負担) or `payee` (先方負担); 総合振込 only (empty: 当方負担).
    pub fee_side: String,
    pub first_approver: Option<i64>,
    pub last_approver: Option<i64>,
    /// The file was larger than this many bytes (and not read further).
    pub too_large: Option<usize>,
}

impl Upload {
    /// The upload of a multipart body: `file` (`None`: larger than `limit`) and the
    /// fields `fee_side`, `first_approver`, `last_approver`.
    pub fn of(file: Option<Received>, fields: &[(String, String)], limit: usize) -> Self {
        let mut up = match file {
            Some(file) => Upload {
                file,
                ..Upload::default()
            },
            None => Upload {
                too_large: Some(limit),
                ..Upload::default()
            },
        };
        for (name, value) in fields {
            let id = || value.trim().parse::<i64>().ok();
            match name.as_str() {
                "fee_side" => up.fee_side = value.clone(),
                "first_approver" => up.first_approver = id(),
                "last_approver" => up.last_approver = id(),
                _ => {}
            }
        }
        up
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

/// The 全銀協 master's カナ of every bank and branch in `wanted`.
async fn master_of(
    scope: &CompanyScope<'_>,
    wanted: BTreeSet<(String, String)>,
) -> Result<HashMap<(String, String), String>, Error> {
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
fn file_details(f: &Received) -> serde_json::Value {
    serde_json::json!({ "file_name": f.name, "size": f.size, "sha256": f.sha256 })
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

/// Everything the records' check reads besides the records, owned so it can move to the
/// checking thread.
struct Checking {
    business: Business,
    window: bulk::BulkWindow,
    calendar: Calendar,
    now: i64,
    own_bank: String,
    accounts: Vec<OwnAccount>,
    master: HashMap<(String, String), String>,
    fees: Option<BulkFees>,
    side: FeeSide,
}

impl Checking {
    fn run<T>(&self, f: impl FnOnce(&Context<'_>) -> T) -> T {
        let lookup = |bank: &str, branch: &str| {
            self.master
                .get(&(bank.to_owned(), branch.to_owned()))
                .cloned()
        };
        f(&Context {
            business: self.business,
            window: self.window,
            calendar: &self.calendar,
            now: self.now,
            own_bank: &self.own_bank,
            accounts: &self.accounts,
            master: &lookup,
            fees: self.fees.as_ref(),
            fee_side: self.side,
        })
    }
}

/// What the second reading found: every error, the warnings, and what the records came to.
struct Read {
    errors: Vec<FileError>,
    warnings: Vec<FileError>,
    totals: BulkTotals,
}

/// Reads `content` again on a blocking thread, checking and pricing each record against
/// `checking` (the header's own errors first) and sending the priced ones in batches to
/// `to` while no error is found.
async fn check_records(
    content: &Content,
    kind: Kind,
    checking: Checking,
    header: zengin::Header,
    to: tokio::sync::mpsc::Sender<Vec<BulkRecordRow>>,
) -> Result<Read, Error> {
    let reader = content.reader().map_err(|_| Error::Internal)?;
    let work = move || {
        checking.run(|ctx| {
            let (head, mut errors) = bulk::check_header(&header, ctx);
            let mut warnings = Vec::new();
            let mut totals = BulkTotals::default();
            let mut batch = Vec::with_capacity(BATCH);
            let mut sending = errors.is_empty();
            // The layout was read whole once already: this reading finds nothing new in it.
            let read = zengin::parse_reader(reader, kind, |line, r| {
                if errors.len() >= zengin::MAX_ERRORS {
                    return;
                }
                match bulk::check_record(line, r, &head, ctx, &mut warnings) {
                    Ok(p) => {
                        let row = row_of(p);
                        totals.add(&row);
                        if sending {
                            batch.push(row);
                            if batch.len() == BATCH {
                                // A writer that gave up drops its receiver: stop sending.
                                sending = to.blocking_send(std::mem::take(&mut batch)).is_ok();
                            }
                        }
                    }
                    Err(e) => {
                        errors.push(e);
                        sending = false;
                    }
                }
            });
            if let Err(layout) = read {
                errors.extend(layout);
            }
            if sending && !batch.is_empty() {
                let _ = to.blocking_send(batch);
            }
            Read {
                errors,
                warnings,
                totals,
            }
        })
    };
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|_| Error::Internal)
}

/// The first reading, on a blocking thread: the layout of the whole file (the header, its
/// totals) and the banks and branches it names — or every error of the layout.
async fn read_layout(
    content: &Content,
    kind: Kind,
) -> Result<Result<(zengin::Summary, BTreeSet<(String, String)>), Vec<FileError>>, Error> {
    let reader = content.reader().map_err(|_| Error::Internal)?;
    tokio::task::spawn_blocking(move || {
        let mut wanted = BTreeSet::new();
        zengin::parse_reader(reader, kind, |_, r| {
            if !wanted.contains(&(r.bank_code.clone(), r.branch_code.clone())) {
                wanted.insert((r.bank_code.clone(), String::new()));
                wanted.insert((r.bank_code, r.branch_code));
            }
        })
        .map(|s| (s, wanted))
    })
    .await
    .map_err(|_| Error::Internal)
}

/// What the records' check needs of the company for a file of `b` whose header is `h`.
async fn checking(
    state: &AppState,
    actor: &Actor,
    b: Business,
    side: FeeSide,
    h: &zengin::Header,
    wanted: BTreeSet<(String, String)>,
) -> Result<Checking, Error> {
    let scope = actor.scope(state);
    let now = state.now();
    let user = actor.user();
    let accounts = scope
        .accounts()
        .await?
        .into_iter()
        .filter(|a| user.is_master || user.profile.account_ids.contains(&a.id))
        .map(|a| OwnAccount {
            id: a.id,
            branch_code: a.branch_code,
            kind: a.kind.code(),
            number: a.number,
        })
        .collect();
    let date = bulk::date_of_header(h.month, h.day, now)
        .map(transfer::date_key)
        .unwrap_or_default();
    let fees = if b == Business::BulkTransfer {
        Some(fees(&scope, side, &date).await?)
    } else {
        None
    };
    Ok(Checking {
        business: b,
        window: state.config.bulk_window(b).map_err(|_| Error::Internal)?,
        calendar: crate::reference::calendar(state).await?,
        now,
        own_bank: state.config.bank_code.clone(),
        accounts,
        master: master_of(&scope, wanted).await?,
        fees,
        side,
    })
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
    let refuse = async |e: Error| {
        let mut details = file_details(&up.file);
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
    let kind = bulk::kind_of(b).ok_or(Error::NotFound)?;
    let (summary, wanted) = match read_layout(&up.file.content, kind).await? {
        Ok(read) => read,
        Err(errors) => return Err(refuse(Error::InvalidFile(errors)).await),
    };
    let checking = checking(state, actor, b, side, &summary.header, wanted).await?;
    let (head, header_errors) = checking.run(|ctx| {
        let (head, errors) = bulk::check_header(&summary.header, ctx);
        ((head.date, head.account.map(|a| a.id)), errors)
    });
    let scope = actor.scope(state);
    let user = actor.user();
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
    let h = &summary.header;
    // The order is begun only for a header that passed; its records are written as they
    // are checked, and all is dropped on the first error.
    let (date, account_id) = head;
    let begun = match (date, account_id, header_errors.is_empty()) {
        (Some(date), Some(account_id), true) => {
            let amount = i64::try_from(summary.total).map_err(|_| Error::Internal)?;
            let new = NewBulkOrder {
                company_id: 0,
                business: b,
                account_id,
                file: FileFacts {
                    name: up.file.name.clone(),
                    size: up.file.size as i64,
                    sha256: up.file.sha256.clone(),
                    entered: via == Via::Screen,
                },
                requester_code: h.requester_code.clone(),
                requester_name: h.requester_name.clone(),
                execution_date: transfer::date_key(date),
                deadline: checking.window.deadline(&checking.calendar, date),
                fee_side: side.code(),
                totals: BulkTotals {
                    count: i64::try_from(summary.count).map_err(|_| Error::Internal)?,
                    amount,
                    deduction: 0,
                    transfer: amount,
                    payer_fee: 0,
                },
                approval,
                warnings: Vec::new(),
            };
            Some(scope.bulk_begin(new, state.now()).await?)
        }
        _ => None,
    };
    let (to, mut batches) = tokio::sync::mpsc::channel(2);
    let header = summary.header.clone();
    let checked = check_records(&up.file.content, kind, checking, header, to);
    let mut writer = begun;
    let write = async {
        let mut failed = None;
        while let Some(batch) = batches.recv().await {
            if let Some(w) = writer.as_mut()
                && let Err(e) = w.write(&batch).await
            {
                failed = Some(e);
                // Dropping the receiver stops the checking thread's sending.
                break;
            }
        }
        drop(batches);
        failed
    };
    let (read, failed) = tokio::join!(checked, write);
    let read = read?;
    if let Some(e) = failed {
        return Err(crate::web::error::from_store(e));
    }
    // The reading's errors begin with the header's own.
    let mut errors = read.errors;
    errors.truncate(zengin::MAX_ERRORS);
    let Some(writer) = writer.filter(|_| errors.is_empty()) else {
        // The writer (if any) is dropped here, before the refusal is recorded: its
        // transaction rolls back and leaves the database to the refusal's entry.
        return Err(refuse(Error::InvalidFile(errors)).await);
    };
    let totals = read.totals;
    let total = Yen::from_stored(totals.transfer).ok_or(Error::Internal)?;
    if let Some(limit) = per_order_limit(user, b)
        && let Err(e) = check_per_order(limit, total)
    {
        drop(writer);
        return Err(refuse(e).await);
    }
    let date = date.map(transfer::date_key).unwrap_or_default();
    let mut details = file_details(&up.file);
    if let Some(d) = details.as_object_mut() {
        for (k, v) in [
            ("date", serde_json::json!(date)),
            ("count", totals.count.into()),
            ("total", totals.amount.into()),
            ("transfer_total", totals.transfer.into()),
            ("deduction_total", totals.deduction.into()),
            ("payer_fee_total", totals.payer_fee.into()),
            ("fee_side", side.code().into()),
            ("warnings", read.warnings.len().into()),
        ] {
            d.insert(k.into(), v);
        }
    }
    let history = actor.draft(state, area, &what).details(details);
    let shown: Vec<String> = read.warnings.iter().map(|w| w.message.clone()).collect();
    let id = writer
        .finish(&totals, &shown, history)
        .await
        .map_err(crate::web::error::from_store)?;
    Ok(Uploaded {
        id,
        warnings: read.warnings,
    })
}
