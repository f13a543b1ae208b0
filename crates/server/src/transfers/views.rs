//! Screens of 振込振替's 依頼: 作業内容選択 (BFKF001), 依頼入力 (BFKF002: 振込先, 支払口座,
//! 振込指定日, 支払金額, 手数料負担, 承認者) → 「次へ」 → 依頼内容確認 (BFKF003, with the
//! 確認用パスワード) → 「実行」 → 依頼結果 (BFKF004). A refused field is named beside it and
//! every typed value stays.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use madoguchi_domain::payee::PayeeInput;
use madoguchi_domain::transfer::{self, TransferInput};
use madoguchi_domain::{ApprovalMode, Error, FieldErrors, HistoryArea};
use serde::Deserialize;

use super::order::{self, PayeeChoice, REQUEST};
use super::{may, shown};
use crate::confirm::{self, Confirmation, ResultKind, Section};
use crate::confirm_pages::{ConfirmPage, ResultPage};
use crate::state::AppState;
use crate::web::actor::Actor;
use crate::web::error::{PageError, status_of};
use crate::web::form::PageForm;
use crate::web::page::{Frame, Messages, render, render_status};

/// The steps of 依頼.
const STEPS: [&str; 3] = ["依頼内容を入力", "内容確認", "依頼完了"];

/// One link of 作業内容選択.
pub struct Work {
    pub label: &'static str,
    pub href: &'static str,
    pub description: &'static str,
}

#[derive(Template)]
#[template(path = "transfers/menu.html")]
struct MenuPage {
    frame: Frame,
    works: Vec<Work>,
}

/// The works of 振込振替 `actor` may open (no permission, no button).
pub fn works(actor: &Actor) -> Vec<Work> {
    let mut works = Vec::new();
    if super::may_request(actor) {
        works.push(Work {
            label: "振込振替の依頼",
            href: "/transfers/new",
            description: "振込先・支払口座・振込指定日・支払金額を指定して、振込振替を依頼します。",
        });
    }
    if super::may_approve(actor) {
        works.push(Work {
            label: "承認待ち一覧",
            href: "/transfers/approvals",
            description: "承認者に指定された取引を承認・差戻し・削除します。",
        });
    }
    let payees = [super::REGISTERED, super::USER_REGISTERED, super::MANAGE]
        .iter()
        .any(|p| may(actor, p));
    if payees {
        works.push(Work {
            label: "振込先管理",
            href: "/transfers/payees",
            description: "振込先（事前登録口座・利用者登録口座）を照会し、利用者登録口座を登録・削除します。",
        });
    }
    if actor.uses_transfers() {
        works.push(Work {
            label: "取引状況照会",
            href: "/transfers/status",
            description: "依頼した取引・承認者に指定された取引の状況を照会し、引戻し・削除を行います。",
        });
    }
    works
}

/// GET /transfers — 作業内容選択.
pub async fn view_menu_get(State(state): State<AppState>, actor: Actor) -> Response {
    render(&MenuPage {
        frame: Frame::new(&state, &actor, "BFKF001", "振込振替 作業内容選択"),
        works: works(&actor),
    })
}

/// The 依頼 form as posted (every field as typed).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct RequestForm {
    /// A payee's id, or `new` (新規口座指定).
    pub payee: String,
    pub bank_code: String,
    pub branch_code: String,
    pub kind: String,
    pub number: String,
    pub name: String,
    pub account_id: String,
    pub date: String,
    pub amount: String,
    pub fee_side: String,
    pub first_approver: String,
    pub last_approver: String,
    pub idempotency_key: String,
    pub confirmation_password: String,
    pub one_time_password: String,
}

impl RequestForm {
    /// The form of an order as it was asked (its 修正).
    pub(crate) fn of(choice: &PayeeChoice, input: TransferInput) -> Self {
        let mut form = Self {
            account_id: input.account_id,
            date: input.date,
            amount: input.amount,
            fee_side: input.fee_side,
            first_approver: input.first_approver,
            last_approver: input.last_approver,
            ..Self::default()
        };
        match choice {
            PayeeChoice::Listed(id) => form.payee = id.to_string(),
            PayeeChoice::New(p) => {
                form.payee = "new".to_owned();
                form.bank_code = p.bank_code.clone();
                form.branch_code = p.branch_code.clone();
                form.kind = p.kind.clone();
                form.number = p.number.clone();
                form.name = p.name.clone();
            }
        }
        form
    }

    pub(crate) fn choice(&self) -> Result<PayeeChoice, Error> {
        match self.payee.as_str() {
            "new" => Ok(PayeeChoice::New(PayeeInput {
                bank_code: self.bank_code.clone(),
                branch_code: self.branch_code.clone(),
                kind: self.kind.clone(),
                number: self.number.clone(),
                name: self.name.clone(),
            })),
            id => id.parse().map(PayeeChoice::Listed).map_err(|_| {
                Error::Invalid(FieldErrors::single(
                    "payee",
                    Error::NotSelected { label: "振込先" },
                ))
            }),
        }
    }

    pub(crate) fn input(&self) -> TransferInput {
        TransferInput {
            account_id: self.account_id.clone(),
            date: self.date.clone(),
            amount: self.amount.clone(),
            fee_side: self.fee_side.clone(),
            first_approver: self.first_approver.clone(),
            last_approver: self.last_approver.clone(),
        }
    }

    /// What 確認 carries to 実行 and back to 依頼入力 (never a password).
    fn hidden(&self) -> Vec<(String, String)> {
        [
            ("payee", &self.payee),
            ("bank_code", &self.bank_code),
            ("branch_code", &self.branch_code),
            ("kind", &self.kind),
            ("number", &self.number),
            ("name", &self.name),
            ("account_id", &self.account_id),
            ("date", &self.date),
            ("amount", &self.amount),
            ("fee_side", &self.fee_side),
            ("first_approver", &self.first_approver),
            ("last_approver", &self.last_approver),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.clone()))
        .collect()
    }
}

/// The payee chosen on the form; a form without one is refused and recorded as one of
/// `what`.
pub(crate) async fn choice_of(
    state: &AppState,
    actor: &Actor,
    form: &RequestForm,
    what: &str,
) -> Result<PayeeChoice, Error> {
    match form.choice() {
        Ok(c) => Ok(c),
        Err(e) => Err(actor
            .refuse_input(state, HistoryArea::Transfer, what, e)
            .await),
    }
}

/// One choice of a select or radio list.
struct Option_ {
    value: String,
    label: String,
}

struct PayeeLine {
    id: String,
    kind: &'static str,
    bank: String,
    branch: String,
    account: String,
    name: String,
}

#[derive(Template)]
#[template(path = "transfers/new.html")]
struct InputPage {
    frame: Frame,
    /// Where 「次へ」 posts, and where 「戻る」 leads.
    action: String,
    back: String,
    steps: Vec<confirm::Step>,
    form: RequestForm,
    errors: Messages,
    payees: Vec<PayeeLine>,
    new_account: bool,
    accounts: Vec<Option_>,
    approvers: Vec<Option_>,
    /// none, single, double
    approval: &'static str,
    mode_label: &'static str,
    first_label: &'static str,
    last_label: &'static str,
    first_date: String,
    last_date: String,
    cutoff: String,
}

/// Where a 依頼入力 posts: a new order's, or the 修正 of order `id`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Flow {
    New,
    Revise(i64),
}

impl Flow {
    /// 「次へ」 posts here; `…/back` and `…/execute` follow.
    fn base(self) -> String {
        match self {
            Flow::New => "/transfers/new".to_owned(),
            Flow::Revise(id) => format!("/transfers/{id}/edit"),
        }
    }

    /// 「戻る」 of 依頼入力.
    fn back(self) -> String {
        match self {
            Flow::New => "/transfers".to_owned(),
            Flow::Revise(id) => format!("/transfers/{id}"),
        }
    }
}

pub(crate) async fn input_page(
    state: &AppState,
    actor: &Actor,
    flow: Flow,
    mut form: RequestForm,
    err: Option<&Error>,
) -> Result<Response, PageError> {
    let c = order::choices(state, actor).await?;
    if form.date.is_empty() {
        form.date = transfer::date_key(c.first_date);
    }
    if form.fee_side.is_empty() {
        form.fee_side = "payer".to_owned();
    }
    let payees = c
        .payees
        .iter()
        .map(|p| PayeeLine {
            id: p.id.to_string(),
            kind: match p.kind {
                madoguchi_store::PayeeKind::Registered => "事前登録口座",
                madoguchi_store::PayeeKind::UserRegistered => "利用者登録口座",
            },
            bank: format!("{} ({})", p.bank_name, p.bank_code),
            branch: format!("{} ({})", p.branch_name, p.branch_code),
            account: format!(
                "{} {}",
                madoguchi_domain::AccountKind::from_code(p.account_kind)
                    .map_or("", madoguchi_domain::AccountKind::label),
                p.number
            ),
            name: p.name.clone(),
        })
        .collect();
    let (approval, first_label, last_label) = match c.mode {
        ApprovalMode::None => ("none", "", ""),
        ApprovalMode::Single => ("single", "承認者", ""),
        ApprovalMode::DoubleUnordered => ("double", "承認者1", "承認者2"),
        ApprovalMode::DoubleOrdered => ("double", "一次承認者", "最終承認者"),
    };
    let frame = match flow {
        Flow::New => Frame::new(state, actor, "BFKF002", "振込振替 依頼入力"),
        Flow::Revise(_) => Frame::new(state, actor, "BFKF005", "振込振替 依頼内容修正"),
    };
    let page = InputPage {
        frame,
        action: flow.base(),
        back: flow.back(),
        steps: confirm::steps(&STEPS, 0),
        errors: Messages::of(err),
        payees,
        new_account: c.new_account,
        accounts: c
            .accounts
            .iter()
            .map(|a| Option_ {
                value: a.id.to_string(),
                label: shown::account_label(a),
            })
            .collect(),
        approvers: c
            .approvers
            .iter()
            .map(|u| Option_ {
                value: u.id.to_string(),
                label: format!("{} ({})", u.name, u.login_id),
            })
            .collect(),
        approval,
        mode_label: c.mode.label(),
        first_label,
        last_label,
        first_date: transfer::date_key(c.first_date),
        last_date: transfer::date_key(c.last_date),
        cutoff: c.cutoff,
        form,
    };
    let status = err.map_or(StatusCode::OK, |e| status_of(e.kind()));
    Ok(render_status(status, &page))
}

/// GET /transfers/new — 依頼入力.
pub async fn view_new_get(
    State(state): State<AppState>,
    actor: Actor,
) -> Result<Response, PageError> {
    input_page(&state, &actor, Flow::New, RequestForm::default(), None).await
}

pub(crate) fn confirm_page(
    state: &AppState,
    actor: &Actor,
    flow: Flow,
    form: &RequestForm,
    sections: Vec<Section>,
    key: String,
    error: Option<&Error>,
) -> Response {
    let lead = match flow {
        Flow::New => "以下の内容で振込振替を依頼します。".to_owned(),
        Flow::Revise(id) => format!("取引番号 {id} を以下の内容に修正して依頼します。"),
    };
    ConfirmPage::new(
        Frame::new(state, actor, "BFKF003", "振込振替 依頼内容確認"),
        confirm::steps(&STEPS, 1),
        lead,
        sections,
        key,
        format!("{}/execute", flow.base()),
        format!("{}/back", flow.base()),
    )
    .carrying(form.hidden())
    .respond_after(error)
}

/// POST /transfers/new — 「次へ」: 依頼内容確認, or 依頼入力 again with what was refused.
pub async fn view_new_post(
    State(state): State<AppState>,
    PageForm { actor, form }: PageForm<Actor, RequestForm>,
) -> Result<Response, PageError> {
    let choice = match choice_of(&state, &actor, &form, REQUEST).await {
        Ok(c) => c,
        Err(e) => return input_page(&state, &actor, Flow::New, form, Some(&e)).await,
    };
    match order::preview(&state, &actor, &choice, &form.input()).await {
        Ok(sections) => Ok(confirm_page(
            &state,
            &actor,
            Flow::New,
            &form,
            sections,
            confirm::new_idempotency_key(),
            None,
        )),
        Err(e) if e.kind() == madoguchi_domain::ErrorKind::Internal => Err(e.into()),
        Err(e) => input_page(&state, &actor, Flow::New, form, Some(&e)).await,
    }
}

/// POST /transfers/new/back — 「戻る」 from 確認: 依頼入力 with everything typed.
pub async fn view_back_post(
    State(state): State<AppState>,
    PageForm { actor, form }: PageForm<Actor, RequestForm>,
) -> Result<Response, PageError> {
    input_page(&state, &actor, Flow::New, form, None).await
}

/// POST /transfers/new/execute — 「実行」.
pub async fn view_execute_post(
    State(state): State<AppState>,
    PageForm { actor, form }: PageForm<Actor, RequestForm>,
) -> Result<Response, PageError> {
    let choice = choice_of(&state, &actor, &form, REQUEST).await?;
    let confirmation = Confirmation::new(
        form.confirmation_password.as_str(),
        form.one_time_password.as_str(),
    );
    let key = form.idempotency_key.clone();
    match order::request(&state, &actor, &choice, &form.input(), &confirmation, &key).await {
        Ok((done, _)) => Ok(Redirect::to(&done.result_url("/transfers/result")).into_response()),
        Err(err) if confirm::is_about_the_password(&err, "confirmation_password") => {
            let sections = order::preview(&state, &actor, &choice, &form.input()).await?;
            Ok(confirm_page(
                &state,
                &actor,
                Flow::New,
                &form,
                sections,
                key,
                Some(&err),
            ))
        }
        // The state changed meanwhile (a limit reached, the cut-off passed): 依頼入力
        // says why, with what was typed.
        Err(err) if err.kind() != madoguchi_domain::ErrorKind::Internal => {
            input_page(&state, &actor, Flow::New, form, Some(&err)).await
        }
        Err(other) => Err(other.into()),
    }
}

pub use crate::orders::KeyQuery;

/// GET /transfers/result?key= — 依頼結果.
pub async fn view_result_get(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<KeyQuery>,
) -> Result<Response, PageError> {
    let sections = confirm::result(&state, &actor, &q.key, ResultKind::TransferRequested).await?;
    let accepted = sections
        .iter()
        .flat_map(|s| &s.rows)
        .any(|r| r.label == "状態" && r.after == "受付済み");
    Ok(ResultPage {
        frame: Frame::new(&state, &actor, "BFKF004", "振込振替 依頼結果"),
        steps: confirm::steps(&STEPS, 2),
        lead: if accepted {
            "以下の内容で振込振替を受け付けました。".to_owned()
        } else {
            format!(
                "以下の内容で振込振替を依頼しました。承認者の承認後に受け付けます（承認期限：振込指定日の{}）。",
                state.config.transfer_cutoff
            )
        },
        shows_changes: false,
        sections,
        links: vec![
            ("/transfers/status".to_owned(), "取引状況照会へ".to_owned()),
            ("/transfers".to_owned(), "振込振替メニューへ".to_owned()),
        ],
        print_href: String::new(),
    }
    .respond())
}
