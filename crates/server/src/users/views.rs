//! Screens of 利用者管理: 作業内容選択 (BRSK001), 利用者一覧 (BRSK005), 照会 (BRSK025), the
//! three-step 新規登録 (BRSK006–010) and 変更 (BRSK011–015), 削除 (BRSK016–017) and
//! 利用者停止・解除 (BRSK041–043).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Redirect, Response};
use madoguchi_domain::user_input::{Mode, TX_LIMIT_ITEMS, UserInput};
use madoguchi_domain::{Error, FieldErrors, permissions};
use madoguchi_store::{UnlockWhich, UserRecord};
use serde::Deserialize;

use super::form::{hidden_for, input_from_pairs, pairs_of, step_of};
use super::service::{self, CompanyContext, Release};
use crate::company::service::account_label;
use crate::confirm::{self, Section, Step};
use crate::confirm_pages::{ConfirmPage, ResultPage};
use crate::state::AppState;
use crate::web::actor::AdminActor;
use crate::web::error::{PageError, status_of};
use crate::web::form::PageForm;
use crate::web::page::{Frame, render, render_status};

const REGISTER_STEPS: [&str; 5] = [
    "利用者基本情報を入力",
    "利用者権限を入力",
    "利用口座・限度額を入力",
    "内容確認",
    "登録完了",
];
const CHANGE_STEPS: [&str; 5] = [
    "利用者基本情報を変更",
    "利用者権限を変更",
    "利用口座・限度額を変更",
    "内容確認",
    "変更完了",
];
const REGISTER_IDS: [&str; 5] = ["BRSK006", "BRSK007", "BRSK008", "BRSK009", "BRSK010"];
const CHANGE_IDS: [&str; 5] = ["BRSK011", "BRSK012", "BRSK013", "BRSK014", "BRSK015"];

type Pairs = Vec<(String, String)>;

#[derive(Template)]
#[template(path = "users/menu.html")]
struct MenuPage {
    frame: Frame,
}

/// GET /users — 作業内容選択.
pub async fn view_users_menu_get(State(state): State<AppState>, admin: AdminActor) -> Response {
    render(&MenuPage {
        frame: Frame::new(&state, admin.actor(), "BRSK001", "利用者管理　作業内容選択"),
    })
}

struct ListRow {
    id: i64,
    login_id: String,
    name: String,
    admin: &'static str,
    state: &'static str,
    last_login: String,
}

#[derive(Template)]
#[template(path = "users/list.html")]
struct ListPage {
    frame: Frame,
    rows: Vec<ListRow>,
    count: usize,
    max: usize,
}

fn list_rows(users: &[UserRecord]) -> Vec<ListRow> {
    users
        .iter()
        .map(|u| ListRow {
            id: u.id,
            login_id: u.login_id.clone(),
            name: u.name.clone(),
            admin: if u.is_master {
                "マスターユーザ"
            } else if u.is_admin {
                "付与する"
            } else {
                "付与しない"
            },
            state: u.service_state().label(),
            last_login: service::last_login(u),
        })
        .collect()
}

/// GET /users/list — 利用者一覧.
pub async fn view_users_list_get(
    State(state): State<AppState>,
    admin: AdminActor,
) -> Result<Response, PageError> {
    let users = service::list(&state, &admin).await?;
    Ok(render(&ListPage {
        frame: Frame::new(&state, admin.actor(), "BRSK005", "利用者管理　利用者一覧"),
        count: users.len(),
        max: state.config.max_users_per_company,
        rows: list_rows(&users),
    }))
}

#[derive(Deserialize)]
pub struct UserQuery {
    user: Option<i64>,
}

fn selected(q: &UserQuery) -> Result<i64, PageError> {
    q.user.ok_or(PageError(Error::Invalid({
        let mut f = FieldErrors::new();
        f.add("user", Error::Required { label: "利用者" });
        f
    })))
}

#[derive(Template)]
#[template(path = "users/view.html")]
struct ViewPage {
    frame: Frame,
    sections: Vec<Section>,
    user_id: i64,
}

/// GET /users/view?user= — 利用者照会.
pub async fn view_user_get(
    State(state): State<AppState>,
    admin: AdminActor,
    Query(q): Query<UserQuery>,
) -> Result<Response, PageError> {
    let user = service::get(&state, &admin, selected(&q)?).await?;
    let ctx = service::context(&state, &admin).await?;
    let shown = service::shown_user(&ctx, &user);
    Ok(render(&ViewPage {
        frame: Frame::new(&state, admin.actor(), "BRSK025", "利用者管理　利用者照会"),
        sections: service::sections(&shown, &shown),
        user_id: user.id,
    }))
}

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
            label: account_label(a),
            holder: a.holder.clone(),
            checked: input.accounts.contains(&a.id),
        })
        .collect();
    let limits = TX_LIMIT_ITEMS
        .iter()
        .map(|(k, label)| {
            let field = format!("limit_{k}");
            LimitRow {
                error: fields.message_for(&field).unwrap_or_default(),
                value: input.tx_limits.get(*k).cloned().unwrap_or_default(),
                note: format!(
                    "※半角数字15桁以内（企業の限度額 {}）",
                    ctx.limits.get(*k).copied().unwrap_or_default()
                ),
                field,
                label,
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
    let user = service::get(&state, &admin, selected(&q)?).await?;
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

fn get_pair(pairs: &Pairs, k: &str) -> String {
    pairs
        .iter()
        .find(|(n, _)| n == k)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

/// One step of the wizard: 「次へ」 checks this step and moves on (from the last step, to
/// 確認); 「戻る」 moves back keeping everything.
async fn wizard_post(
    state: &AppState,
    admin: &AdminActor,
    wizard: Wizard,
    pairs: Pairs,
) -> Result<Response, PageError> {
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

fn version_of(pairs: &Pairs) -> i64 {
    get_pair(pairs, "version").parse().unwrap_or(-1)
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
    let password = get_pair(pairs, "confirmation_password_confirm");
    let result = match wizard.target {
        None => service::register(state, admin, &input, &password, &key).await,
        Some((id, version)) => {
            service::change(state, admin, id, version, &input, &password, &key).await
        }
    };
    match result {
        Ok(done) => Ok(Redirect::to(&format!("/users/result?key={}", done.key)).into_response()),
        Err(err) if confirm::is_about_the_password(&err, "confirmation_password") => {
            let ctx = service::context(state, admin).await?;
            let message = match &err {
                Error::Invalid(f) => f
                    .message_for("confirmation_password")
                    .unwrap_or_else(|| err.message_ja()),
                other => other.message_ja(),
            };
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

#[derive(Deserialize)]
pub struct KeyQuery {
    key: String,
}

/// GET /users/result?key= — 登録結果 / 変更結果 / 削除結果 / 停止・解除結果, with 印刷.
pub async fn view_result_get(
    State(state): State<AppState>,
    admin: AdminActor,
    Query(q): Query<KeyQuery>,
) -> Result<Response, PageError> {
    let sections = confirm::result(&state, admin.actor(), &q.key).await?;
    let (id, title, lead) = result_kind(&sections);
    Ok(ResultPage {
        frame: Frame::new(&state, admin.actor(), id, title),
        steps: if id == "BRSK010" || id == "BRSK015" {
            confirm::steps(&REGISTER_STEPS, 4)
        } else {
            Vec::new()
        },
        lead: lead.to_owned(),
        sections,
        back_href: "/users/list".to_owned(),
        back_label: "利用者一覧へ".to_owned(),
        print_href: format!("/users/result/print?key={}", q.key),
    }
    .respond())
}

/// Which result a stored outcome is, from its first section and rows.
fn result_kind(sections: &[Section]) -> (&'static str, &'static str, &'static str) {
    let first = sections.first().map(|s| s.title.as_str()).unwrap_or("");
    match first {
        "削除する利用者" => ("BRSK017", "利用者削除結果", "以下の利用者を削除しました。"),
        "利用者停止・解除" => (
            "BRSK043",
            "利用者停止・解除結果",
            "以下の内容で利用者のサービス状態を変更しました。",
        ),
        _ if sections.iter().any(|s| s.rows.iter().any(|r| r.changed)) => (
            "BRSK015",
            "利用者変更結果",
            "以下の内容で利用者情報を変更しました。",
        ),
        _ => (
            "BRSK010",
            "利用者登録結果",
            "以下の内容で利用者情報を登録しました。",
        ),
    }
}

/// GET /users/result/print?key= — 印刷: the result as a PDF (no passwords).
pub async fn view_result_print_get(
    State(state): State<AppState>,
    admin: AdminActor,
    Query(q): Query<KeyQuery>,
) -> Result<Response, PageError> {
    let sections = confirm::result(&state, admin.actor(), &q.key).await?;
    let (_, title, lead) = result_kind(&sections);
    let actor = admin.actor();
    let pdf = crate::report::sections_pdf(
        &state.pdf_font,
        title,
        &[
            format!("企業名：{}", actor.company.name),
            format!("操作者：{}（{}）", actor.user.name, actor.user.login_id),
            format!(
                "出力日時：{}",
                madoguchi_domain::jst::format_minutes(state.now())
            ),
            lead.to_owned(),
        ],
        &sections,
    )
    .map_err(crate::web::error::internal)?;
    Ok((
        [
            (CONTENT_TYPE, "application/pdf".to_owned()),
            (
                CONTENT_DISPOSITION,
                "inline; filename=\"madoguchi-users.pdf\"".to_owned(),
            ),
        ],
        pdf,
    )
        .into_response())
}

/// GET /users/delete?user= — 利用者削除確認.
pub async fn view_delete_get(
    State(state): State<AppState>,
    admin: AdminActor,
    Query(q): Query<UserQuery>,
) -> Result<Response, PageError> {
    let user = service::get(&state, &admin, selected(&q)?).await?;
    service::check_deletable(&state, &admin, &user).await?;
    Ok(delete_confirm(
        &state,
        &admin,
        &user,
        confirm::new_idempotency_key(),
        String::new(),
        StatusCode::OK,
    ))
}

fn delete_confirm(
    state: &AppState,
    admin: &AdminActor,
    user: &UserRecord,
    key: String,
    error: String,
    status: StatusCode,
) -> Response {
    ConfirmPage {
        frame: Frame::new(state, admin.actor(), "BRSK016", "利用者削除確認"),
        steps: Vec::new(),
        lead: "以下の利用者を削除します。".to_owned(),
        sections: service::delete_sections(user),
        hidden: Vec::new(),
        version: user.version,
        idempotency_key: key,
        error,
        nothing_changed: false,
        action: format!("/users/{}/delete", user.id),
        back_action: "/users/list/back".to_owned(),
        password_name: "confirmation_password_confirm",
    }
    .respond(status)
}

/// POST /users/{id}/delete — 実行 of 削除.
pub async fn view_delete_post(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    PageForm { actor: admin, form }: PageForm<AdminActor, Pairs>,
) -> Result<Response, PageError> {
    let key = get_pair(&form, "idempotency_key");
    match service::delete(
        &state,
        &admin,
        id,
        version_of(&form),
        &get_pair(&form, "confirmation_password_confirm"),
        &key,
    )
    .await
    {
        Ok(done) => Ok(Redirect::to(&format!("/users/result?key={}", done.key)).into_response()),
        Err(err) if confirm::is_about_the_password(&err, "confirmation_password") => {
            let user = service::get(&state, &admin, id).await?;
            Ok(delete_confirm(
                &state,
                &admin,
                &user,
                key,
                err.message_ja(),
                status_of(err.kind()),
            ))
        }
        Err(other) => Err(other.into()),
    }
}

/// POST /users/list/back — 「戻る」 on a confirm screen that returns to the list.
pub async fn view_list_back_post(PageForm { .. }: PageForm<AdminActor, Pairs>) -> Response {
    Redirect::to("/users/list").into_response()
}

#[derive(Template)]
#[template(path = "users/locks.html")]
struct LocksPage {
    frame: Frame,
    rows: Vec<ListRow>,
}

/// GET /users/locks — 利用者停止・解除 一覧.
pub async fn view_locks_get(
    State(state): State<AppState>,
    admin: AdminActor,
) -> Result<Response, PageError> {
    let users = service::list(&state, &admin).await?;
    Ok(render(&LocksPage {
        frame: Frame::new(&state, admin.actor(), "BRSK041", "利用者停止・解除"),
        rows: list_rows(&users),
    }))
}

#[derive(Template)]
#[template(path = "users/release.html")]
struct ReleasePage {
    frame: Frame,
    user: ListRow,
    login_locked: bool,
    confirm_locked: bool,
    key: String,
    error: String,
}

fn release_page(
    state: &AppState,
    admin: &AdminActor,
    user: &UserRecord,
    key: String,
    error: String,
) -> ReleasePage {
    ReleasePage {
        frame: Frame::new(state, admin.actor(), "BRSK042", "利用者停止・解除確認"),
        user: list_rows(std::slice::from_ref(user))
            .into_iter()
            .next()
            .unwrap_or(ListRow {
                id: user.id,
                login_id: String::new(),
                name: String::new(),
                admin: "",
                state: "",
                last_login: String::new(),
            }),
        login_locked: user.login_locked,
        confirm_locked: user.confirm_locked,
        key,
        error,
    }
}

/// GET /users/locks/{id} — 確認: which lock to release, whether to issue new passwords.
pub async fn view_release_get(
    State(state): State<AppState>,
    admin: AdminActor,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let user = service::get(&state, &admin, id).await?;
    Ok(render(&release_page(
        &state,
        &admin,
        &user,
        confirm::new_idempotency_key(),
        String::new(),
    )))
}

#[derive(Template)]
#[template(path = "users/released.html")]
struct ReleasedPage {
    frame: Frame,
    sections: Vec<Section>,
    new_login: String,
    new_confirmation: String,
}

/// POST /users/locks/{id} — 実行 of 利用者停止・解除.
pub async fn view_release_post(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    PageForm { actor: admin, form }: PageForm<AdminActor, Pairs>,
) -> Result<Response, PageError> {
    let which = match get_pair(&form, "which").as_str() {
        "login" => UnlockWhich::Login,
        "confirmation" => UnlockWhich::Confirmation,
        _ => UnlockWhich::Both,
    };
    let what = Release {
        which,
        reset: get_pair(&form, "reset") == "1",
    };
    let key = get_pair(&form, "idempotency_key");
    match service::release(
        &state,
        &admin,
        id,
        what,
        &get_pair(&form, "confirmation_password_confirm"),
        &key,
    )
    .await
    {
        Ok(done) => Ok(render(&ReleasedPage {
            frame: Frame::new(&state, admin.actor(), "BRSK043", "利用者停止・解除結果"),
            sections: done.executed.map(|e| e.sections).unwrap_or_default(),
            new_login: done.new_login_password.unwrap_or_default(),
            new_confirmation: done.new_confirmation_password.unwrap_or_default(),
        })),
        Err(err)
            if confirm::is_about_the_password(&err, "confirmation_password")
                || matches!(err, Error::NotAllowed { .. }) =>
        {
            let user = service::get(&state, &admin, id).await?;
            Ok(render_status(
                status_of(err.kind()),
                &release_page(&state, &admin, &user, key, err.message_ja()),
            ))
        }
        Err(other) => Err(other.into()),
    }
}
