//! Screens of 振込先管理: 振込先一覧 (BFKF031: the 事前登録口座 and 利用者登録口座 the user may
//! see, 「登録」 and each 利用者登録口座's 「削除」 with 振込先管理), 振込先登録 (BFKF032) →
//! 確認 (BFKF033) → 結果 (BFKF034), and 削除 → 確認 (BFKF035) → 結果 (BFKF036).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use madoguchi_domain::payee::PayeeInput;
use madoguchi_domain::{AccountKind, Error};
use madoguchi_store::PayeeKind;
use serde::Deserialize;

use super::views::KeyQuery;
use super::{MANAGE, may, payees};
use crate::confirm::{self, Confirmation, ResultKind, Section};
use crate::confirm_pages::{ConfirmPage, ResultPage};
use crate::state::AppState;
use crate::web::actor::Actor;
use crate::web::error::{PageError, status_of};
use crate::web::form::PageForm;
use crate::web::page::Messages;
use crate::web::page::{Frame, render, render_status};

const REGISTER_STEPS: [&str; 3] = ["振込先を入力", "内容確認", "登録完了"];
const DELETE_STEPS: [&str; 3] = ["振込先を選択", "内容確認", "削除完了"];

struct Line {
    id: i64,
    kind: &'static str,
    bank: String,
    branch: String,
    account: String,
    name: String,
    deletable: bool,
}

#[derive(Template)]
#[template(path = "transfers/payees.html")]
struct ListPage {
    frame: Frame,
    lines: Vec<Line>,
    manage: bool,
}

/// GET /transfers/payees — 振込先一覧.
pub async fn view_list_get(
    State(state): State<AppState>,
    actor: Actor,
) -> Result<Response, PageError> {
    let manage = may(&actor, MANAGE);
    let lines = payees::list(&state, &actor)
        .await?
        .into_iter()
        .map(|p| Line {
            id: p.id,
            kind: match p.kind {
                PayeeKind::Registered => "事前登録口座",
                PayeeKind::UserRegistered => "利用者登録口座",
            },
            bank: format!("{} ({})", p.bank_name, p.bank_code),
            branch: format!("{} ({})", p.branch_name, p.branch_code),
            account: format!(
                "{} {}",
                AccountKind::from_code(p.account_kind).map_or("", AccountKind::label),
                p.number
            ),
            name: p.name,
            deletable: manage && p.kind == PayeeKind::UserRegistered,
        })
        .collect();
    Ok(render(&ListPage {
        frame: Frame::new(&state, &actor, "BFKF031", "振込先一覧"),
        lines,
        manage,
    }))
}

/// The 振込先登録 form as posted.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct PayeeForm {
    pub bank_code: String,
    pub branch_code: String,
    pub kind: String,
    pub number: String,
    pub name: String,
    pub idempotency_key: String,
    pub confirmation_password: String,
    pub one_time_password: String,
}

impl PayeeForm {
    fn input(&self) -> PayeeInput {
        PayeeInput {
            bank_code: self.bank_code.clone(),
            branch_code: self.branch_code.clone(),
            kind: self.kind.clone(),
            number: self.number.clone(),
            name: self.name.clone(),
        }
    }

    fn hidden(&self) -> Vec<(String, String)> {
        [
            ("bank_code", &self.bank_code),
            ("branch_code", &self.branch_code),
            ("kind", &self.kind),
            ("number", &self.number),
            ("name", &self.name),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.clone()))
        .collect()
    }
}

#[derive(Template)]
#[template(path = "transfers/payee_new.html")]
struct InputPage {
    frame: Frame,
    steps: Vec<confirm::Step>,
    form: PayeeForm,
    errors: Messages,
}

fn input_page(state: &AppState, actor: &Actor, form: PayeeForm, err: Option<&Error>) -> Response {
    let status = err.map_or(StatusCode::OK, |e| status_of(e.kind()));
    render_status(
        status,
        &InputPage {
            frame: Frame::new(state, actor, "BFKF032", "振込先登録"),
            steps: confirm::steps(&REGISTER_STEPS, 0),
            form,
            errors: Messages::of(err),
        },
    )
}

/// GET /transfers/payees/new — 振込先登録 (with 振込先管理).
pub async fn view_new_get(
    State(state): State<AppState>,
    actor: Actor,
) -> Result<Response, PageError> {
    if !may(&actor, MANAGE) {
        let e = actor
            .refuse(
                &state,
                madoguchi_domain::HistoryArea::Transfer,
                payees::REGISTER,
                Error::Forbidden,
            )
            .await;
        return Err(e.into());
    }
    Ok(input_page(&state, &actor, PayeeForm::default(), None))
}

fn register_confirm(
    state: &AppState,
    actor: &Actor,
    form: &PayeeForm,
    sections: Vec<Section>,
    key: String,
    error: Option<&Error>,
) -> Response {
    ConfirmPage::new(
        Frame::new(state, actor, "BFKF033", "振込先登録確認"),
        confirm::steps(&REGISTER_STEPS, 1),
        "以下の内容で振込先を登録します。".to_owned(),
        sections,
        key,
        "/transfers/payees/new/execute".to_owned(),
        "/transfers/payees/new/back".to_owned(),
    )
    .carrying(form.hidden())
    .respond_after(error)
}

/// POST /transfers/payees/new — 「次へ」.
pub async fn view_new_post(
    State(state): State<AppState>,
    PageForm { actor, form }: PageForm<Actor, PayeeForm>,
) -> Result<Response, PageError> {
    match payees::preview_register(&state, &actor, &form.input()).await {
        Ok(sections) => Ok(register_confirm(
            &state,
            &actor,
            &form,
            sections,
            confirm::new_idempotency_key(),
            None,
        )),
        Err(e @ Error::Invalid(_)) => Ok(input_page(&state, &actor, form, Some(&e))),
        Err(e) => Err(e.into()),
    }
}

/// POST /transfers/payees/new/back — 「戻る」: the form with what was typed.
pub async fn view_new_back_post(
    State(state): State<AppState>,
    PageForm { actor, form }: PageForm<Actor, PayeeForm>,
) -> Response {
    input_page(&state, &actor, form, None)
}

/// POST /transfers/payees/new/execute — 「実行」.
pub async fn view_new_execute_post(
    State(state): State<AppState>,
    PageForm { actor, form }: PageForm<Actor, PayeeForm>,
) -> Result<Response, PageError> {
    let confirmation = Confirmation::new(
        form.confirmation_password.as_str(),
        form.one_time_password.as_str(),
    );
    let key = form.idempotency_key.clone();
    match payees::register(&state, &actor, &form.input(), &confirmation, &key).await {
        Ok((done, _)) => {
            Ok(Redirect::to(&done.result_url("/transfers/payees/result")).into_response())
        }
        Err(err) if confirm::is_about_the_password(&err, "confirmation_password") => {
            let sections = payees::preview_register(&state, &actor, &form.input()).await?;
            Ok(register_confirm(
                &state,
                &actor,
                &form,
                sections,
                key,
                Some(&err),
            ))
        }
        Err(err @ (Error::Invalid(_) | Error::PayeeTaken)) => {
            Ok(input_page(&state, &actor, form, Some(&err)))
        }
        Err(other) => Err(other.into()),
    }
}

fn delete_confirm(
    state: &AppState,
    actor: &Actor,
    id: i64,
    sections: Vec<Section>,
    key: String,
    error: Option<&Error>,
) -> Response {
    ConfirmPage::new(
        Frame::new(state, actor, "BFKF035", "振込先削除確認"),
        confirm::steps(&DELETE_STEPS, 1),
        "以下の振込先を削除します。".to_owned(),
        sections,
        key,
        format!("/transfers/payees/{id}/delete"),
        "/transfers/payees/back".to_owned(),
    )
    .respond_after(error)
}

/// GET /transfers/payees/{id}/delete — 確認 of 振込先の削除.
pub async fn view_delete_get(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let sections = payees::preview_delete(&state, &actor, id).await?;
    Ok(delete_confirm(
        &state,
        &actor,
        id,
        sections,
        confirm::new_idempotency_key(),
        None,
    ))
}

/// The fields of 実行 of a deletion.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DeleteForm {
    idempotency_key: String,
    confirmation_password: String,
    one_time_password: String,
}

/// POST /transfers/payees/{id}/delete — 「実行」.
pub async fn view_delete_post(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    PageForm { actor, form }: PageForm<Actor, DeleteForm>,
) -> Result<Response, PageError> {
    let confirmation = Confirmation::new(
        form.confirmation_password.as_str(),
        form.one_time_password.as_str(),
    );
    let key = form.idempotency_key;
    match payees::delete(&state, &actor, id, &confirmation, &key).await {
        Ok(done) => Ok(Redirect::to(&done.result_url("/transfers/payees/result")).into_response()),
        Err(err) if confirm::is_about_the_password(&err, "confirmation_password") => {
            let sections = payees::preview_delete(&state, &actor, id).await?;
            Ok(delete_confirm(
                &state,
                &actor,
                id,
                sections,
                key,
                Some(&err),
            ))
        }
        Err(other) => Err(other.into()),
    }
}

/// POST /transfers/payees/back — 「戻る」 from a deletion's 確認: the list.
pub async fn view_back_post(PageForm { .. }: PageForm<Actor, serde::de::IgnoredAny>) -> Response {
    Redirect::to("/transfers/payees").into_response()
}

/// GET /transfers/payees/result?key= — 結果 of 登録 or 削除.
pub async fn view_result_get(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<KeyQuery>,
) -> Result<Response, PageError> {
    let sections = confirm::result(&state, &actor, &q.key, ResultKind::PayeeChanged).await?;
    let deleted = sections.iter().any(|s| s.title == "削除する振込先");
    let (id, title, lead, steps) = if deleted {
        (
            "BFKF036",
            "振込先削除結果",
            "以下の振込先を削除しました。",
            &DELETE_STEPS,
        )
    } else {
        (
            "BFKF034",
            "振込先登録結果",
            "以下の内容で振込先を登録しました。",
            &REGISTER_STEPS,
        )
    };
    Ok(ResultPage {
        frame: Frame::new(&state, &actor, id, title),
        steps: confirm::steps(steps, 2),
        lead: lead.to_owned(),
        shows_changes: false,
        sections,
        links: vec![("/transfers/payees".to_owned(), "振込先一覧へ".to_owned())],
        print_href: String::new(),
    }
    .respond())
}
