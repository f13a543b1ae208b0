//! 振込振替の依頼 (確定): the payee chosen from the company's (事前登録口座, 利用者登録口座)
//! or typed (新規口座指定), the 支払口座 among the user's 利用可能口座, a 振込指定日 in the
//! bank's window, the 支払金額 and the 手数料負担 (先方負担: the company's
//! 先方負担手数料[振込振替] is deducted), and the approvers the company's 承認機能 needs;
//! then 確認 with the 確認用パスワード (and one-time password) → 確定 through the pipeline.
//! Under 承認なし the order reaches the bank at 確定: the limits are used in that
//! transaction (a refusal names the limit and what remains); otherwise at the final 承認,
//! and 確認 shows what remains of them today as a warning.

use madoguchi_domain::approval::{Action, Approval};
use madoguchi_domain::fees::{FeeKind, FeeMethod, PayeeFeeRule, Route};
use madoguchi_domain::limits_ledger::transfer_reservations;
use madoguchi_domain::payee::PayeeInput;
use madoguchi_domain::transfer::{self, FeeSide, TransferInput, TransferRequest};
use madoguchi_domain::{
    ApprovalMode, Business, Error, FieldErrors, HistoryArea, TransferCategory, Yen, jst,
};
use madoguchi_store::{
    Acceptance, Account, NewTransfer, PayeeKind, PayeeRecord, TransferPayee, TransferPayeeKind,
    UserRecord, WriteEffect,
};

use super::shown::{self, Amounts};
use super::{NEW_ACCOUNT, REGISTERED, USER_REGISTERED, is_approver, may, may_request, permitted};
use crate::confirm::{
    self, Confirmation, Executed, Operation, Prepared, Request, ResultKind, Section,
};
pub use crate::orders::shown::{LIMITS, remaining_rows};
use crate::state::AppState;
use crate::web::actor::Actor;
use crate::web::scope::CompanyScope;

pub const REQUEST: &str = "振込振替の依頼";

/// The payee of a 依頼: one of the company's by id, or an account typed (新規口座指定).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PayeeChoice {
    Listed(i64),
    New(PayeeInput),
}

/// The payee of a 依頼 or 修正 in the API: `payee_id` or `payee`, exactly one; else
/// refused (`VAL-0019` at `payee_id`) and recorded as one of `what`.
pub async fn choose(
    state: &AppState,
    actor: &Actor,
    what: &str,
    payee_id: Option<i64>,
    payee: Option<PayeeInput>,
) -> Result<PayeeChoice, Error> {
    match (payee_id, payee) {
        (Some(id), None) => Ok(PayeeChoice::Listed(id)),
        (None, Some(p)) => Ok(PayeeChoice::New(p)),
        _ => {
            let e = Error::Invalid(FieldErrors::single(
                "payee_id",
                Error::NotSelected { label: "振込先" },
            ));
            Err(refuse_input(state, actor, what, e).await)
        }
    }
}

/// The 限度額 category a payee's transfers use.
pub fn category(kind: TransferPayeeKind) -> TransferCategory {
    match kind {
        TransferPayeeKind::Registered => TransferCategory::Registered,
        TransferPayeeKind::UserRegistered | TransferPayeeKind::New => TransferCategory::AdHoc,
    }
}

/// 利用者一回当たり限度額 (振込振替) of `user`: `None` for a マスターユーザ without one (the
/// daily limits alone bind them); a user without one may not transfer at all.
pub fn per_order_limit(user: &UserRecord) -> Option<Yen> {
    match user.profile.tx_limits.get(&Business::Transfer) {
        Some(limit) => Some(*limit),
        None if user.is_master => None,
        None => Some(Yen::ZERO),
    }
}

/// The limits an order of `amount` from `account_id` to a payee of `kind` uses at its
/// acceptance `now`, by the company's current settings.
pub async fn acceptance(
    scope: &CompanyScope<'_>,
    account_id: i64,
    kind: TransferPayeeKind,
    amount: Yen,
    now: i64,
) -> Result<Acceptance, Error> {
    let settings = scope.settings().await?.settings;
    let limits = settings
        .accounts
        .get(&account_id)
        .copied()
        .unwrap_or_default();
    Ok(Acceptance {
        day: jst::date_of(now),
        reservations: transfer_reservations(account_id, &limits, category(kind), amount),
    })
}

/// 先方負担手数料 of `payment` to `route` on `date`, by the company's
/// 先方負担手数料[振込振替] (always 据置型); nothing for 当方負担.
async fn deduction(
    scope: &CompanyScope<'_>,
    side: FeeSide,
    route: Route,
    payment: Yen,
    date: &str,
) -> Result<Yen, Error> {
    if side == FeeSide::Payer {
        return Ok(Yen::ZERO);
    }
    let setting = scope.fee_setting(FeeKind::PayeeTransfer).await?.setting;
    let standard = scope.standard_table_on(date).await?;
    let table = setting
        .table(standard.as_ref().map(|s| &s.table))
        .ok_or(Error::NoStandardTable)?;
    PayeeFeeRule {
        table: table.clone(),
        method: FeeMethod::Unshifted,
        minimum_payment: setting.minimum_payment,
    }
    .deduction(route, payment)
}

/// What a 依頼 may choose now.
pub struct Choices {
    pub mode: ApprovalMode,
    /// The company's payees the user may pay (事前登録口座, 利用者登録口座).
    pub payees: Vec<PayeeRecord>,
    /// 依頼(新規口座指定): an account may be typed.
    pub new_account: bool,
    /// The user's 利用可能口座.
    pub accounts: Vec<Account>,
    /// Who may be named an approver.
    pub approvers: Vec<UserRecord>,
    /// The earliest and latest 振込指定日.
    pub first_date: time::Date,
    pub last_date: time::Date,
    pub cutoff: String,
}

/// What `actor` may choose for a 依頼; refused (and recorded) without a 依頼 permission.
pub async fn choices(state: &AppState, actor: &Actor) -> Result<Choices, Error> {
    permitted(state, actor, may_request(actor), REQUEST).await?;
    let scope = actor.scope(state);
    let user = actor.user();
    let accounts = scope
        .accounts()
        .await?
        .into_iter()
        .filter(|a| user.is_master || user.profile.account_ids.contains(&a.id))
        .collect();
    let payees = scope
        .payees()
        .await?
        .into_iter()
        .filter(|p| match p.kind {
            PayeeKind::Registered => may(actor, REGISTERED),
            PayeeKind::UserRegistered => may(actor, USER_REGISTERED),
        })
        .collect();
    let approvers = scope
        .members()
        .await?
        .into_iter()
        .filter(is_approver)
        .collect();
    let window = state
        .config
        .transfer_window()
        .map_err(|_| Error::Internal)?;
    let calendar = crate::reference::calendar(state).await?;
    let now = state.now();
    Ok(Choices {
        mode: scope.settings().await?.settings.approval.transfer,
        payees,
        new_account: may(actor, NEW_ACCOUNT),
        accounts,
        approvers,
        first_date: window.first_day(&calendar, now),
        last_date: window.last_day(now),
        cutoff: window.cutoff_label(),
    })
}

async fn refuse_input(state: &AppState, actor: &Actor, what: &str, e: Error) -> Error {
    actor
        .refuse_input(state, HistoryArea::Transfer, what, e)
        .await
}

/// The payee chosen or typed, with its bank's and branch's names; refused (and recorded)
/// without the 依頼 permission of its kind. A typed payee's fields are refused together
/// with those of the rest of the 依頼 (`transfer`, as parsed).
async fn payee_of(
    state: &AppState,
    actor: &Actor,
    choice: &PayeeChoice,
    transfer: Result<&TransferRequest, &Error>,
    what: &str,
) -> Result<(TransferPayee, String, String), Error> {
    match choice {
        PayeeChoice::Listed(id) => {
            let listed = actor.scope(state).payees().await?;
            let p = listed.into_iter().find(|p| p.id == *id);
            let Some(p) = p else {
                return Err(actor
                    .refuse(state, HistoryArea::Transfer, what, Error::NotFound)
                    .await);
            };
            let (kind, permission) = match p.kind {
                PayeeKind::Registered => (TransferPayeeKind::Registered, REGISTERED),
                PayeeKind::UserRegistered => (TransferPayeeKind::UserRegistered, USER_REGISTERED),
            };
            permitted(state, actor, may(actor, permission), what).await?;
            Ok((
                TransferPayee {
                    kind,
                    payee_id: Some(p.id),
                    bank_code: p.bank_code,
                    branch_code: p.branch_code,
                    account_kind: p.account_kind,
                    number: p.number,
                    name: p.name,
                },
                p.bank_name,
                p.branch_name,
            ))
        }
        PayeeChoice::New(input) => {
            permitted(state, actor, may(actor, NEW_ACCOUNT), what).await?;
            let payee = match (input.parse(), transfer) {
                (Ok(p), Ok(_)) => p,
                (payee, transfer) => {
                    // Every field of both parts named at once.
                    let mut all = FieldErrors::new();
                    for e in [payee.err(), transfer.err().cloned()].into_iter().flatten() {
                        match e {
                            Error::Invalid(f) => {
                                f.iter().for_each(|f| all.add(&f.field, f.error.clone()))
                            }
                            other => return Err(refuse_input(state, actor, what, other).await),
                        }
                    }
                    return Err(refuse_input(state, actor, what, Error::Invalid(all)).await);
                }
            };
            let (bank, branch) = super::payees::in_master(state, actor, &payee, what).await?;
            Ok((
                TransferPayee {
                    kind: TransferPayeeKind::New,
                    payee_id: None,
                    bank_code: payee.bank.as_str().to_owned(),
                    branch_code: payee.branch.as_str().to_owned(),
                    account_kind: payee.kind.code(),
                    number: payee.number.as_str().to_owned(),
                    name: payee.name.as_str().to_owned(),
                },
                bank.name,
                branch.name,
            ))
        }
    }
}

/// Everything of a 依頼 (or of its 修正) checked against the company: refused (and
/// recorded as one of `what`) at the first rule it breaks, else the order as it will be
/// stored and what 確認 shows.
pub(crate) async fn check(
    state: &AppState,
    actor: &Actor,
    choice: &PayeeChoice,
    input: &TransferInput,
    what: &str,
) -> Result<Prepared<(NewTransfer, Option<Acceptance>)>, Error> {
    let refuse_input = async |e: Error| refuse_input(state, actor, what, e).await;
    let refuse = async |e: Error| actor.refuse(state, HistoryArea::Transfer, what, e).await;
    let parsed = input.parse();
    let (payee, bank_name, branch_name) =
        payee_of(state, actor, choice, parsed.as_ref(), what).await?;
    let req = match parsed {
        Ok(r) => r,
        Err(e) => return Err(refuse_input(e).await),
    };
    let scope = actor.scope(state);
    let user = actor.user();
    let accounts = scope.accounts().await?;
    let account: Option<&Account> = accounts.iter().find(|a| {
        a.id == req.account_id && (user.is_master || user.profile.account_ids.contains(&a.id))
    });
    let Some(account) = account else {
        return Err(refuse_input(Error::Invalid(FieldErrors::single(
            "account_id",
            Error::AccountNotUsable,
        )))
        .await);
    };
    let now = state.now();
    let window = state
        .config
        .transfer_window()
        .map_err(|_| Error::Internal)?;
    let calendar = crate::reference::calendar(state).await?;
    if let Err(e) = window.check(&calendar, req.date, now) {
        return Err(refuse_input(Error::Invalid(FieldErrors::single("date", e))).await);
    }
    let date = transfer::date_key(req.date);
    let route = transfer::route(
        &state.config.bank_code,
        &account.branch_code,
        &payee.bank_code,
        &payee.branch_code,
    );
    let fee = match deduction(&scope, req.fee_side, route, req.amount, &date).await {
        Ok(fee) => fee,
        Err(e) => return Err(refuse(e).await),
    };
    if let Some(limit) = per_order_limit(user)
        && let Err(e) = madoguchi_domain::limits_ledger::check_per_order(limit, req.amount)
    {
        return Err(refuse(e).await);
    }
    let mode = scope.settings().await?.settings.approval.transfer;
    let members = scope.members().await?;
    let (first, last) = match crate::orders::approvers(
        mode,
        (req.first_approver, req.last_approver),
        &members,
        is_approver,
    ) {
        Ok(named) => named,
        Err(e) => return Err(refuse_input(e).await),
    };
    let approval =
        match Approval::new(mode, user.id).apply(user.id, Action::Confirm { first, last }) {
            Ok(a) => a,
            Err(e) => return Err(refuse(e).await),
        };
    let acceptance = acceptance(&scope, account.id, payee.kind, req.amount, now).await?;
    let accepted_now = approval.state == madoguchi_domain::approval::State::Accepted;
    let transfer_amount = req.amount.get() - fee.get();
    let account_label = shown::account_label(account);
    let mut sections = vec![
        shown::payee_section(&payee, &bank_name, &branch_name),
        shown::amounts_section(&Amounts {
            account: &account_label,
            date: &date,
            amount: req.amount.get(),
            fee_side: req.fee_side.label(),
            fee: fee.get(),
            transfer_amount,
        }),
        shown::approval_section(&members, None, &approval),
    ];
    if !accepted_now {
        sections.push(Section::new(
            LIMITS,
            remaining_rows(&scope, &acceptance).await?,
        ));
    }
    let details = serde_json::json!({
        "payee_kind": payee.kind.code(), "bank_code": payee.bank_code,
        "branch_code": payee.branch_code, "number": payee.number, "name": payee.name,
        "account_id": account.id, "date": date, "amount": req.amount.get(),
        "fee_side": req.fee_side.code(), "fee": fee.get(), "transfer_amount": transfer_amount,
        "mode": mode.code(), "first_approver": first, "last_approver": last,
        "state": approval.state.label(),
    });
    let new = NewTransfer {
        company_id: actor.company().id,
        account_id: account.id,
        payee,
        execution_date: date,
        deadline: window.deadline(req.date),
        amount: req.amount.get(),
        fee_side: req.fee_side.code(),
        fee: fee.get(),
        transfer_amount,
        approval,
    };
    Ok(Prepared {
        change: (new, accepted_now.then_some(acceptance)),
        sections,
        details,
    })
}

/// What decides a 依頼 (or 修正): the payee and every typed field, bound to the key.
pub(crate) fn fingerprint(choice: &PayeeChoice, input: &TransferInput) -> serde_json::Value {
    let payee = match choice {
        PayeeChoice::Listed(id) => serde_json::json!({ "payee_id": id }),
        PayeeChoice::New(p) => serde_json::json!({
            "bank": p.bank_code, "branch": p.branch_code, "kind": p.kind,
            "number": p.number, "name": p.name,
        }),
    };
    serde_json::json!({
        "payee": payee, "account": input.account_id, "date": input.date,
        "amount": input.amount, "fee_side": input.fee_side,
        "first": input.first_approver, "last": input.last_approver,
    })
}

/// 「次へ」 of 依頼入力: everything checked (a refusal recorded), and what 確認 shows.
pub async fn preview(
    state: &AppState,
    actor: &Actor,
    choice: &PayeeChoice,
    input: &TransferInput,
) -> Result<Vec<Section>, Error> {
    Ok(check(state, actor, choice, input, REQUEST).await?.sections)
}

/// 振込振替の依頼 → 確認 → 確定. The new order's id (none when the same request was
/// executed before).
pub async fn request(
    state: &AppState,
    actor: &Actor,
    choice: &PayeeChoice,
    input: &TransferInput,
    confirmation: &Confirmation,
    key: &str,
) -> Result<(Executed, Option<i64>), Error> {
    let fingerprint = fingerprint(choice, input);
    let request = Request {
        key,
        fingerprint: &fingerprint,
        confirmation,
    };
    let prepare = async || check(state, actor, choice, input, REQUEST).await;
    let write = async |(new, acceptance): (NewTransfer, Option<Acceptance>)| {
        Ok(actor.scope(state).transfer_create_write(new, acceptance))
    };
    let op = Operation {
        code: "transfer.request",
        area: HistoryArea::Transfer,
        label: REQUEST.to_owned(),
        result: ResultKind::TransferRequested,
    };
    let (done, effect) = confirm::execute(state, actor, &op, request, prepare, write).await?;
    let id = match effect {
        WriteEffect::Created(id) => Some(id),
        _ => None,
    };
    Ok((done, id))
}
