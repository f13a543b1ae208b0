//! The three-step wizard of 利用者登録 (BRSK006–010) and 利用者変更 (BRSK011–015):
//! [基本情報] → [権限] → [口座] → 確認 → 実行. Every step keeps what was typed in the other
//! steps as hidden fields, so 「戻る」 never loses anything.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use madoguchi_domain::Business;
use madoguchi_domain::user_input::{Mode, UserInput, tx_limit_field};
use madoguchi_domain::{Error, FieldErrors, permissions};

use super::form::{
    CHANGE_STEPS, Pairs, REGISTER_STEPS, UserQuery, get_pair, hidden_for, input_from_pairs,
    pairs_of, step_of, version_of,
};
use super::service::{self, CompanyContext};
use crate::confirm::{self, Confirmation, Step, otp};
use crate::confirm_pages::ConfirmPage;
use crate::state::AppState;
use crate::web::actor::AdminActor;
use crate::web::error::{PageError, status_of};
use crate::web::form::PageForm;
use crate::web::page::{Frame, render, render_status};

const REGISTER_IDS: [&str; 5] = ["BRSK006", "BRSK007", "BRSK008", "BRSK009", "BRSK010"];
const CHANGE_IDS: [&str; 5] = ["BRSK011", "BRSK012", "BRSK013", "BRSK014", "BRSK015"];

struct PermRow {
    code: &'static str,
    label: &'static str,
    description: &'static str,
    checked: bool,
}

struct AccountRow {
    id: i64,
    label: String,
    holder: String,
    checked: bool,
}

struct LimitRow {
    field: String,
    label: &'static str,
    value: String,
    error: String,
    note: String,
}

#[derive(Template)]
#[template(path = "users/step.html")]
struct StepPage {
    frame: Frame,
    steps: Vec<Step>,
    step: usize,
    action: String,
    change: bool,
    version: i64,
    hidden: Pairs,
    input: UserInput,
    errors: Vec<(String, String)>,
    error_summary: String,
    perm_groups: Vec<(&'static str, Vec<PermRow>)>,
    accounts: Vec<AccountRow>,
    limits: Vec<LimitRow>,
}

impl StepPage {
    /// The message for `field`, if any.
    fn err(&self, field: &str) -> String {
        self.errors
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m.clone())
            .unwrap_or_default()
    }
}

/// Where a wizard posts and what it is.
struct Wizard {
    /// `None`: 新規登録; `Some((id, version))`: 変更.
    target: Option<(i64, i64)>,
}

impl Wizard {
    fn base(&self) -> String {
        match self.target {
            None => "/users/new".to_owned(),
            Some((id, _)) => format!("/users/{id}/edit"),
        }
    }

    fn ids(&self) -> [&'static str; 5] {
        if self.target.is_some() {
            CHANGE_IDS
        } else {
            REGISTER_IDS
        }
    }

    fn labels(&self) -> [&'static str; 5] {
        if self.target.is_some() {
            CHANGE_STEPS
        } else {
            REGISTER_STEPS
        }
    }

    fn title(&self, step: usize) -> &'static str {
        let titles: [&'static str; 5] = if self.target.is_some() {
            [
                "利用者変更[基本情報]",
                "利用者変更[権限]",
                "利用者変更[口座]",
                "利用者変更確認",
                "利用者変更結果",
            ]
        } else {
            [
                "利用者登録[基本情報]",
                "利用者登録[権限]",
                "利用者登録[口座]",
                "利用者登録確認",
                "利用者登録結果",
            ]
        };
        titles.get(step).copied().unwrap_or("利用者管理")
    }
}

fn step_page(
    state: &AppState,
    admin: &AdminActor,
    ctx: &CompanyContext,
    wizard: &Wizard,
    step: usize,
    input: &UserInput,
    err: Option<&Error>,
) -> StepPage {
    let fields = match err {
        Some(Error::Invalid(f)) => f.clone(),
        _ => FieldErrors::new(),
    };
    let errors: Vec<(String, String)> = fields
        .iter()
        .map(|e| (e.field.clone(), e.error.message_ja()))
        .collect();
    let perm_groups = permissions::grouped()
        .into_iter()
        .map(|(g, list)| {
            (
                g,
                list.into_iter()
                    .map(|p| PermRow {
                        code: p.code,
                        label: p.label,
                        description: p.description,
                        checked: input.permissions.contains(p.code),
                    })
                    .collect(),
            )
        })
        .collect();
    let accounts = ctx
        .accounts
        .iter()
        .map(|a| AccountRow {
            id: a.id,
            label: a.label(),
            holder: a.holder.clone(),
            checked: input.accounts.contains(&a.id),
        })
        .collect();
    let limits = Business::ALL
        .into_iter()
        .map(|b| {
            let field = tx_limit_field(b);
            LimitRow {
                error: fields.message_for(&field).unwrap_or_default(),
                value: input.tx_limits.get(&b).cloned().unwrap_or_default(),
                note: format!(
                    "※半角数字15桁以内（企業の限度額 {}）",
                    ctx.limits.get(&b).copied().unwrap_or_default()
                ),
                field,
                label: b.label(),
            }
        })
        .collect();
    StepPage {
        frame: Frame::new(
            state,
            admin.actor(),
            wizard.ids().get(step).copied().unwrap_or("BRSK006"),
            wizard.title(step),
        ),
        steps: confirm::steps(&wizard.labels(), step),
        step,
        action: wizard.base(),
        change: wizard.target.is_some(),
        version: wizard.target.map(|(_, v)| v).unwrap_or(0),
        hidden: hidden_for(input, step),
        input: input.clone(),
        errors,
        error_summary: err.map(Error::message_ja).unwrap_or_default(),
        perm_groups,
        accounts,
        limits,
    }
}

/// GET /users/new — 利用者登録[基本情報].
pub async fn view_register_get(
    State(state): State<AppState>,
    admin: AdminActor,
) -> Result<Response, PageError> {
    let ctx = service::context(&state, &admin).await?;
    let input = UserInput {
        admin: "0".to_owned(),
        ..UserInput::default()
    };
    Ok(render(&step_page(
        &state,
        &admin,
        &ctx,
        &Wizard { target: None },
        0,
        &input,
        None,
    )))
}

/// GET /users/edit?user= — 利用者変更[基本情報], filled with the user as stored.
pub async fn view_change_get(
    State(state): State<AppState>,
    admin: AdminActor,
    Query(q): Query<UserQuery>,
) -> Result<Response, PageError> {
    let Some(id) = q.user else {
        return super::views::nobody_selected(&state, &admin).await;
    };
    let user = service::get(&state, &admin, id).await?;
    service::check_changeable(&state, &admin, &user).await?;
    let ctx = service::context(&state, &admin).await?;
    let wizard = Wizard {
        target: Some((user.id, user.version)),
    };
    Ok(render(&step_page(
        &state,
        &admin,
        &ctx,
        &wizard,
        0,
        &service::input_of(&user),
        None,
    )))
}

/// One step of the wizard: 「次へ」 checks this step and moves on (from the last step, to
/// 確認); 「戻る」 moves back keeping everything.
/// A change's target must be one of the company's users the administrator may change
/// (another company's is not found), before any step is shown.
async fn check_target(
    state: &AppState,
    admin: &AdminActor,
    wizard: &Wizard,
) -> Result<(), PageError> {
    if let Some((id, _)) = wizard.target {
        let user = service::get(state, admin, id).await?;
        service::check_changeable(state, admin, &user).await?;
    }
    Ok(())
}

async fn wizard_post(
    state: &AppState,
    admin: &AdminActor,
    wizard: Wizard,
    pairs: Pairs,
) -> Result<Response, PageError> {
    check_target(state, admin, &wizard).await?;
    let ctx = service::context(state, admin).await?;
    let input = input_from_pairs(&pairs);
    let step: usize = get_pair(&pairs, "step").parse().unwrap_or(0).min(2);
    let mode = if wizard.target.is_some() {
        Mode::Change
    } else {
        Mode::Register
    };
    if get_pair(&pairs, "go") == "back" {
        let to = step.saturating_sub(1);
        return Ok(render(&step_page(
            state, admin, &ctx, &wizard, to, &input, None,
        )));
    }
    if let Err(err) = service::check_step(state, &ctx, &input, mode, step) {
        return Ok(render_status(
            status_of(err.kind()),
            &step_page(state, admin, &ctx, &wizard, step, &input, Some(&err)),
        ));
    }
    if step < 2 {
        return Ok(render(&step_page(
            state,
            admin,
            &ctx,
            &wizard,
            step + 1,
            &input,
            None,
        )));
    }
    confirm_or_errors(
        state,
        admin,
        &ctx,
        wizard,
        &input,
        confirm::new_idempotency_key(),
        String::new(),
        StatusCode::OK,
    )
    .await
}

#[allow(clippy::too_many_arguments)]
async fn confirm_or_errors(
    state: &AppState,
    admin: &AdminActor,
    ctx: &CompanyContext,
    wizard: Wizard,
    input: &UserInput,
    key: String,
    error: String,
    status: StatusCode,
) -> Result<Response, PageError> {
    let target = match wizard.target {
        Some((id, _)) => Some(service::get(state, admin, id).await?),
        None => None,
    };
    match service::preview(state, admin, target.as_ref(), input).await {
        Ok(p) => Ok(ConfirmPage {
            frame: Frame::new(state, admin.actor(), wizard.ids()[3], wizard.title(3)),
            steps: confirm::steps(&wizard.labels(), 3),
            lead: if wizard.target.is_some() {
                "以下の内容で利用者情報を変更します。"
            } else {
                "以下の内容で利用者情報を登録します。"
            }
            .to_owned(),
            sections: p.sections,
            hidden: pairs_of(input),
            version: wizard.target.map(|(_, v)| v).unwrap_or(0),
            idempotency_key: key,
            error,
            shows_changes: wizard.target.is_some(),
            nothing_changed: false,
            action: format!("{}/execute", wizard.base()),
            back_action: format!("{}/back", wizard.base()),
            password_name: "confirmation_password_confirm",
        }
        .respond(status)),
        Err(err @ (Error::Invalid(_) | Error::NotAllowed { .. })) => {
            let step = match &err {
                Error::Invalid(f) => f.iter().map(|e| step_of(&e.field)).min().unwrap_or(0),
                _ => 0,
            };
            Ok(render_status(
                status_of(err.kind()),
                &step_page(state, admin, ctx, &wizard, step, input, Some(&err)),
            ))
        }
        Err(other) => Err(other.into()),
    }
}

/// POST /users/new — a step of 新規登録.
pub async fn view_register_post(
    State(state): State<AppState>,
    PageForm { actor: admin, form }: PageForm<AdminActor, Pairs>,
) -> Result<Response, PageError> {
    wizard_post(&state, &admin, Wizard { target: None }, form).await
}

/// POST /users/{id}/edit — a step of 変更.
pub async fn view_change_post(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    PageForm { actor: admin, form }: PageForm<AdminActor, Pairs>,
) -> Result<Response, PageError> {
    let wizard = Wizard {
        target: Some((id, version_of(&form))),
    };
    wizard_post(&state, &admin, wizard, form).await
}

/// POST /users/new/back and /users/{id}/edit/back — 戻る from 確認: the last step again.
async fn back(
    state: &AppState,
    admin: &AdminActor,
    wizard: Wizard,
    pairs: &Pairs,
) -> Result<Response, PageError> {
    check_target(state, admin, &wizard).await?;
    let ctx = service::context(state, admin).await?;
    Ok(render(&step_page(
        state,
        admin,
        &ctx,
        &wizard,
        2,
        &input_from_pairs(pairs),
        None,
    )))
}

pub async fn view_register_back_post(
    State(state): State<AppState>,
    PageForm { actor: admin, form }: PageForm<AdminActor, Pairs>,
) -> Result<Response, PageError> {
    back(&state, &admin, Wizard { target: None }, &form).await
}

pub async fn view_change_back_post(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    PageForm { actor: admin, form }: PageForm<AdminActor, Pairs>,
) -> Result<Response, PageError> {
    back(
        &state,
        &admin,
        Wizard {
            target: Some((id, version_of(&form))),
        },
        &form,
    )
    .await
}

/// 実行 of 新規登録 or 変更.
async fn execute(
    state: &AppState,
    admin: &AdminActor,
    wizard: Wizard,
    pairs: &Pairs,
) -> Result<Response, PageError> {
    let input = input_from_pairs(pairs);
    let key = get_pair(pairs, "idempotency_key");
    let password = Confirmation::new(
        get_pair(pairs, "confirmation_password_confirm"),
        get_pair(pairs, otp::FIELD),
    );
    let result = match wizard.target {
        None => service::register(state, admin, &input, &password, &key).await,
        Some((id, version)) => {
            service::change(state, admin, id, version, &input, &password, &key).await
        }
    };
    match result {
        Ok(done) => Ok(Redirect::to(&done.result_url("/users/result")).into_response()),
        Err(err) if confirm::is_about_the_password(&err, "confirmation_password") => {
            let ctx = service::context(state, admin).await?;
            let message = confirm::password_message(&err, "confirmation_password");
            confirm_or_errors(
                state,
                admin,
                &ctx,
                wizard,
                &input,
                key,
                message,
                status_of(err.kind()),
            )
            .await
        }
        Err(err @ (Error::Invalid(_) | Error::NotAllowed { .. } | Error::TooManyUsers { .. })) => {
            let ctx = service::context(state, admin).await?;
            let step = match &err {
                Error::Invalid(f) => f.iter().map(|e| step_of(&e.field)).min().unwrap_or(0),
                _ => 0,
            };
            Ok(render_status(
                status_of(err.kind()),
                &step_page(state, admin, &ctx, &wizard, step, &input, Some(&err)),
            ))
        }
        Err(other) => Err(other.into()),
    }
}

pub async fn view_register_execute_post(
    State(state): State<AppState>,
    PageForm { actor: admin, form }: PageForm<AdminActor, Pairs>,
) -> Result<Response, PageError> {
    execute(&state, &admin, Wizard { target: None }, &form).await
}

pub async fn view_change_execute_post(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    PageForm { actor: admin, form }: PageForm<AdminActor, Pairs>,
) -> Result<Response, PageError> {
    let wizard = Wizard {
        target: Some((id, version_of(&form))),
    };
    execute(&state, &admin, wizard, &form).await
}
