//! Screens of 企業管理: 作業内容選択 (BKGK001), 企業情報変更 (BKGK002), 確認 (BKGK003),
//! 結果 (BKGK004).

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use madoguchi_domain::settings::{
    KANA_FIELD, NAME_FIELD, account_field, approval_field, company_field,
};
use madoguchi_domain::{
    Business, CeilingItem, CompanyLimit, Error, FieldErrors, SettingsInput, TransferCategory,
};
use serde::Deserialize;

use super::service::{self, SettingsView};
use crate::confirm::{self, Confirmation, Section, Step, otp};
use crate::confirm_pages::{ConfirmPage, ResultPage};
use crate::state::AppState;
use crate::web::actor::AdminActor;
use crate::web::error::{PageError, status_of};
use crate::web::form::PageForm;
use crate::web::page::{Frame, render, render_status};

/// The manual's 手順 3–5 of 企業情報の変更.
const STEPS: [&str; 3] = ["企業情報・限度額を変更", "変更内容を確認", "変更完了"];

#[derive(Template)]
#[template(path = "company/menu.html")]
struct WorkMenuPage {
    frame: Frame,
    fee_kinds: [(&'static str, &'static str); 3],
}

/// GET /company — 作業内容選択.
pub async fn view_company_menu_get(State(state): State<AppState>, admin: AdminActor) -> Response {
    render(&WorkMenuPage {
        frame: Frame::new(&state, admin.actor(), "BKGK001", "企業管理　作業内容選択"),
        fee_kinds: madoguchi_domain::fees::FeeKind::ALL.map(|k| (k.key(), k.label())),
    })
}

/// One radio group of 承認機能の利用有無.
struct ApprovalChoice {
    label: &'static str,
    field: String,
    options: Vec<(&'static str, &'static str, bool)>,
    error: String,
}

/// One text input.
struct TextInput {
    field: &'static str,
    value: String,
    error: String,
}

/// One amount input.
struct AmountInput {
    field: String,
    /// Read out before the label (the account), for screen readers.
    context: String,
    label: String,
    value: String,
    error: String,
    note: String,
}

struct AccountInputs {
    label: String,
    inputs: Vec<AmountInput>,
}

#[derive(Template)]
#[template(path = "company/info.html")]
struct InfoPage {
    frame: Frame,
    steps: Vec<Step>,
    name: TextInput,
    name_kana: TextInput,
    error_summary: String,
    approvals: Vec<ApprovalChoice>,
    accounts: Vec<AccountInputs>,
    company_limits: Vec<AmountInput>,
    version: i64,
}

fn info_page(
    state: &AppState,
    admin: &AdminActor,
    view: &SettingsView,
    input: &SettingsInput,
    version: i64,
    err: Option<&Error>,
) -> InfoPage {
    let fields = match err {
        Some(Error::Invalid(f)) => f.clone(),
        _ => FieldErrors::new(),
    };
    let message = |field: &str| fields.message_for(field).unwrap_or_default();
    let amount = |field: String,
                  context: String,
                  label: String,
                  ceiling: madoguchi_domain::Yen,
                  digits: usize| AmountInput {
        context,
        value: input.value(&field),
        error: message(&field),
        note: format!("※半角数字{digits}桁以内（届出限度額 {ceiling}）"),
        field,
        label,
    };
    InfoPage {
        frame: Frame::new(state, admin.actor(), "BKGK002", "企業管理　企業情報変更"),
        steps: confirm::steps(&STEPS, 0),
        name: TextInput {
            field: NAME_FIELD,
            value: input.name.clone(),
            error: message(NAME_FIELD),
        },
        name_kana: TextInput {
            field: KANA_FIELD,
            value: input.name_kana.clone(),
            error: message(KANA_FIELD),
        },
        error_summary: err.map(Error::message_ja).unwrap_or_default(),
        approvals: Business::APPROVAL_SETTINGS
            .into_iter()
            .map(|b| {
                let field = approval_field(b);
                let current = input.value(&field);
                ApprovalChoice {
                    label: b.approval_label(),
                    options: madoguchi_domain::settings::offered(b)
                        .iter()
                        .map(|m| (m.code(), m.label(), m.code() == current))
                        .collect(),
                    error: message(&field),
                    field,
                }
            })
            .collect(),
        accounts: view
            .accounts
            .iter()
            .map(|a| AccountInputs {
                label: a.label(),
                inputs: TransferCategory::ALL
                    .into_iter()
                    .map(|i| {
                        amount(
                            account_field(a.id, i),
                            a.label(),
                            i.label().to_owned(),
                            view.ceilings.account.get(i),
                            CeilingItem::Account(i).max_digits(),
                        )
                    })
                    .collect(),
            })
            .collect(),
        company_limits: CompanyLimit::ALL
            .into_iter()
            .map(|i| {
                amount(
                    company_field(i),
                    String::new(),
                    i.label().to_owned(),
                    view.ceilings.company.get(i),
                    CeilingItem::Company(i).max_digits(),
                )
            })
            .collect(),
        version,
    }
}

/// GET /company/info — 企業情報変更, filled with the current settings.
pub async fn view_info_get(
    State(state): State<AppState>,
    admin: AdminActor,
) -> Result<Response, PageError> {
    let view = service::load(&state, &admin).await?;
    let input = SettingsInput::from_settings(&view.stored.settings);
    Ok(render(&info_page(
        &state,
        &admin,
        &view,
        &input,
        view.stored.version,
        None,
    )))
}

/// The form of BKGK002 and BKGK003: every field, plus the hidden bookkeeping.
pub struct InfoForm {
    input: SettingsInput,
    version: i64,
    confirmation: Confirmation,
    key: String,
}

impl InfoForm {
    fn read(view: &SettingsView, fields: &BTreeMap<String, String>) -> Self {
        let get = |k: &str| fields.get(k).cloned().unwrap_or_default();
        Self {
            input: SettingsInput::from_fields(fields, &view.account_ids()),
            version: get("version").parse().unwrap_or(-1),
            confirmation: Confirmation::new(get("confirmation_password"), get(otp::FIELD)),
            key: get("idempotency_key"),
        }
    }
}

fn input_again(
    state: &AppState,
    admin: &AdminActor,
    view: &SettingsView,
    form: &InfoForm,
    err: &Error,
) -> Response {
    // A stale edit starts again from the current settings; anything else keeps the input.
    let (input, version) = match err {
        Error::Stale => (
            SettingsInput::from_settings(&view.stored.settings),
            view.stored.version,
        ),
        _ => (form.input.clone(), form.version),
    };
    render_status(
        status_of(err.kind()),
        &info_page(state, admin, view, &input, version, Some(err)),
    )
}

/// POST /company/info — 変更: check, then show 確認.
pub async fn view_info_post(
    State(state): State<AppState>,
    PageForm { actor: admin, form }: PageForm<AdminActor, BTreeMap<String, String>>,
) -> Result<Response, PageError> {
    let view = service::load(&state, &admin).await?;
    let form = InfoForm::read(&view, &form);
    match service::preview(&state, &admin, &form.input, form.version).await {
        Ok((_, preview)) => Ok(confirm_page(
            &state,
            &admin,
            &form,
            preview.sections,
            confirm::new_idempotency_key(),
            String::new(),
            StatusCode::OK,
        )),
        Err(err @ (Error::Invalid(_) | Error::Stale)) => {
            let view = service::load(&state, &admin).await?;
            Ok(input_again(&state, &admin, &view, &form, &err))
        }
        Err(other) => Err(other.into()),
    }
}

fn confirm_page(
    state: &AppState,
    admin: &AdminActor,
    form: &InfoForm,
    sections: Vec<Section>,
    key: String,
    error: String,
    status: StatusCode,
) -> Response {
    ConfirmPage {
        frame: Frame::new(
            state,
            admin.actor(),
            "BKGK003",
            "企業管理　企業情報変更確認",
        ),
        steps: confirm::steps(&STEPS, 1),
        lead: "以下の内容で企業情報を変更します。".to_owned(),
        sections,
        hidden: form.input.fields(),
        version: form.version,
        idempotency_key: key,
        error,
        shows_changes: true,
        nothing_changed: false,
        action: "/company/info/execute".to_owned(),
        back_action: "/company/info/back".to_owned(),
        password_name: "confirmation_password",
    }
    .respond(status)
}

/// POST /company/info/back — 戻る from 確認: the input screen with everything as typed.
pub async fn view_info_back_post(
    State(state): State<AppState>,
    PageForm { actor: admin, form }: PageForm<AdminActor, BTreeMap<String, String>>,
) -> Result<Response, PageError> {
    let view = service::load(&state, &admin).await?;
    let form = InfoForm::read(&view, &form);
    Ok(render(&info_page(
        &state,
        &admin,
        &view,
        &form.input,
        form.version,
        None,
    )))
}

/// POST /company/info/execute — 実行.
pub async fn view_info_execute_post(
    State(state): State<AppState>,
    PageForm { actor: admin, form }: PageForm<AdminActor, BTreeMap<String, String>>,
) -> Result<Response, PageError> {
    let view = service::load(&state, &admin).await?;
    let form = InfoForm::read(&view, &form);
    match service::execute(
        &state,
        &admin,
        &form.input,
        form.version,
        &form.confirmation,
        &form.key,
    )
    .await
    {
        Ok(done) => Ok(Redirect::to(&done.result_url("/company/info/result")).into_response()),
        Err(err) if confirm::is_about_the_password(&err, "confirmation_password") => {
            // Wrong, missing or locked 確認用パスワード: the same confirm screen again, same key.
            let (_, preview) = service::preview(&state, &admin, &form.input, form.version).await?;
            let message = confirm::password_message(&err, "confirmation_password");
            Ok(confirm_page(
                &state,
                &admin,
                &form,
                preview.sections,
                form.key.clone(),
                message,
                status_of(err.kind()),
            ))
        }
        Err(err @ (Error::Invalid(_) | Error::Stale)) => {
            Ok(input_again(&state, &admin, &view, &form, &err))
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Deserialize)]
pub struct ResultQuery {
    key: String,
}

/// GET /company/info/result — 企業情報変更結果.
pub async fn view_info_result_get(
    State(state): State<AppState>,
    admin: AdminActor,
    Query(q): Query<ResultQuery>,
) -> Result<Response, PageError> {
    let sections = confirm::result(
        &state,
        admin.actor(),
        &q.key,
        confirm::ResultKind::CompanyInfo,
    )
    .await?;
    Ok(ResultPage {
        frame: Frame::new(
            &state,
            admin.actor(),
            "BKGK004",
            "企業管理　企業情報変更結果",
        ),
        steps: confirm::steps(&STEPS, 2),
        lead: "以下の内容で企業情報を変更しました。".to_owned(),
        sections,
        shows_changes: true,
        links: vec![("/company".to_owned(), "作業内容選択へ".to_owned())],
        print_href: String::new(),
    }
    .respond())
}
