//! Screens of 利用者管理: 作業内容選択 (BRSK001), 利用者一覧 (BRSK005), 照会 (BRSK025),
//! 結果 and 印刷, 削除 (BRSK016–017) and 利用者停止・解除 (BRSK041–043). The 登録/変更
//! wizard is in `wizard.rs`.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Redirect, Response};
use madoguchi_domain::Error;
use madoguchi_store::UserRecord;
use serde::Deserialize;

use super::form::{
    CHANGE_STEPS, DELETE_STEPS, Pairs, REGISTER_STEPS, UserQuery, get_pair, version_of,
};
use super::service;
use crate::confirm::{self, Confirmation, ResultKind, Section, otp};
use crate::confirm_pages::{ConfirmPage, ResultPage};
use crate::state::AppState;
use crate::web::actor::AdminActor;
use crate::web::error::{PageError, status_of};
use crate::web::form::PageForm;
use crate::web::page::{Frame, render, render_status};

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
    error: String,
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

/// 利用者一覧, with `err` (nobody selected) above it when given.
async fn list_page(
    state: &AppState,
    admin: &AdminActor,
    err: Option<&Error>,
) -> Result<Response, PageError> {
    let users = service::list(state, admin).await?;
    let page = ListPage {
        frame: Frame::new(state, admin.actor(), "BRSK005", "利用者管理　利用者一覧"),
        count: users.len(),
        max: state.config.max_users_per_company,
        rows: list_rows(&users),
        error: match err {
            Some(Error::Invalid(f)) => f.message_for("user").unwrap_or_default(),
            Some(other) => other.message_ja(),
            None => String::new(),
        },
    };
    Ok(match err {
        Some(e) => render_status(status_of(e.kind()), &page),
        None => render(&page),
    })
}

/// 照会, 変更 or 削除 with nobody selected: the list again with 「利用者を選択してください。」,
/// nothing done.
pub(super) async fn nobody_selected(
    state: &AppState,
    admin: &AdminActor,
) -> Result<Response, PageError> {
    list_page(state, admin, Some(&super::form::nobody_selected())).await
}

/// GET /users/list — 利用者一覧.
pub async fn view_users_list_get(
    State(state): State<AppState>,
    admin: AdminActor,
) -> Result<Response, PageError> {
    list_page(&state, &admin, None).await
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
    let Some(id) = q.user else {
        return nobody_selected(&state, &admin).await;
    };
    let user = service::get(&state, &admin, id).await?;
    let ctx = service::context(&state, &admin).await?;
    let shown = service::shown_user(&ctx, &user);
    Ok(render(&ViewPage {
        frame: Frame::new(&state, admin.actor(), "BRSK025", "利用者管理　利用者照会"),
        sections: service::sections(&shown, &shown),
        user_id: user.id,
    }))
}

#[derive(Deserialize)]
pub struct KeyQuery {
    pub key: String,
}

impl KeyQuery {
    /// The key, for links: only a well-formed key is ever put into a URL.
    pub(super) fn link(&self) -> String {
        madoguchi_domain::IdempotencyKey::parse(&self.key)
            .map(|k| k.to_string())
            .unwrap_or_default()
    }
}

/// The 結果 kinds of 利用者管理, with their 画面ID, title and lead.
const RESULTS: [(ResultKind, &str, &str, &str); 4] = [
    (
        ResultKind::UserRegistered,
        "BRSK010",
        "利用者登録結果",
        "以下の内容で利用者情報を登録しました。",
    ),
    (
        ResultKind::UserChanged,
        "BRSK015",
        "利用者変更結果",
        "以下の内容で利用者情報を変更しました。",
    ),
    (
        ResultKind::UserDeleted,
        "BRSK017",
        "利用者削除結果",
        "以下の利用者を削除しました。",
    ),
    (
        ResultKind::UserReleased,
        "BRSK043",
        "利用者停止・解除結果",
        "以下の内容で利用者のサービス状態を変更しました。",
    ),
];

/// The result of `key` by this administrator, whichever of the kinds above it is.
async fn user_result(
    state: &AppState,
    admin: &AdminActor,
    key: &str,
) -> Result<
    (
        ResultKind,
        &'static str,
        &'static str,
        &'static str,
        Vec<Section>,
    ),
    PageError,
> {
    for (kind, id, title, lead) in RESULTS {
        match confirm::result(state, admin.actor(), key, kind).await {
            Ok(sections) => return Ok((kind, id, title, lead, sections)),
            Err(Error::NotFound) => continue,
            Err(other) => return Err(other.into()),
        }
    }
    Err(Error::NotFound.into())
}

/// GET /users/result?key= — 登録結果 / 変更結果 / 削除結果 / 停止・解除結果, with 印刷.
pub async fn view_result_get(
    State(state): State<AppState>,
    admin: AdminActor,
    Query(q): Query<KeyQuery>,
) -> Result<Response, PageError> {
    let (kind, id, title, lead, sections) = user_result(&state, &admin, &q.key).await?;
    Ok(ResultPage {
        frame: Frame::new(&state, admin.actor(), id, title),
        steps: match kind {
            ResultKind::UserRegistered => confirm::steps(&REGISTER_STEPS, 4),
            ResultKind::UserChanged => confirm::steps(&CHANGE_STEPS, 4),
            ResultKind::UserDeleted => confirm::steps(&DELETE_STEPS, 1),
            _ => Vec::new(),
        },
        lead: lead.to_owned(),
        shows_changes: matches!(kind, ResultKind::UserChanged | ResultKind::UserReleased),
        sections,
        links: vec![
            ("/users/list".to_owned(), "利用者一覧へ".to_owned()),
            ("/users".to_owned(), "利用者登録メニューへ".to_owned()),
        ],
        print_href: match kind {
            ResultKind::UserRegistered | ResultKind::UserChanged => {
                format!("/users/result/print?key={}", q.link())
            }
            _ => String::new(),
        },
    }
    .respond())
}

/// GET /users/result/print?key= — 印刷: the result as a PDF (no passwords).
pub async fn view_result_print_get(
    State(state): State<AppState>,
    admin: AdminActor,
    Query(q): Query<KeyQuery>,
) -> Result<Response, PageError> {
    let (_, _, title, lead, sections) = user_result(&state, &admin, &q.key).await?;
    let actor = admin.actor();
    let pdf = crate::report::sections_pdf(
        &state.pdf_font,
        title,
        &[
            format!("企業名：{}", actor.company().name),
            format!("操作者：{}（{}）", actor.user().name, actor.user().login_id),
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
    let Some(id) = q.user else {
        return nobody_selected(&state, &admin).await;
    };
    let user = service::get(&state, &admin, id).await?;
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
        steps: confirm::steps(&DELETE_STEPS, 0),
        lead: "以下の利用者を削除します。".to_owned(),
        sections: service::delete_sections(user),
        hidden: Vec::new(),
        version: user.version,
        idempotency_key: key,
        error,
        shows_changes: false,
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
        &Confirmation::new(
            get_pair(&form, "confirmation_password_confirm"),
            get_pair(&form, otp::FIELD),
        ),
        &key,
    )
    .await
    {
        Ok(done) => Ok(Redirect::to(&done.result_url("/users/result")).into_response()),
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

/// One user of 利用者停止・解除 一覧.
struct LockRow {
    row: ListRow,
    /// The administrator may change this user's サービス状態 (not oneself, not the master).
    eligible: bool,
}

#[derive(Template)]
#[template(path = "users/locks.html")]
struct LocksPage {
    frame: Frame,
    rows: Vec<LockRow>,
}

/// GET /users/locks — 利用者停止・解除 一覧: every user with their サービス状態.
pub async fn view_locks_get(
    State(state): State<AppState>,
    admin: AdminActor,
) -> Result<Response, PageError> {
    let users = service::list(&state, &admin).await?;
    let rows = users
        .iter()
        .zip(list_rows(&users))
        .map(|(u, row)| LockRow {
            eligible: service::releasable(&admin, u),
            row,
        })
        .collect();
    Ok(render(&LocksPage {
        frame: Frame::new(&state, admin.actor(), "BRSK041", "利用者停止・解除"),
        rows,
    }))
}

#[derive(Template)]
#[template(path = "users/release.html")]
struct ReleasePage {
    frame: Frame,
    user: ListRow,
    version: i64,
    key: String,
    input: service::StateInput,
    states: Vec<(&'static str, &'static str)>,
    reissues: Vec<(&'static str, &'static str)>,
    error: String,
    state_error: String,
    reissue_error: String,
    password_error: String,
}

fn release_page(
    state: &AppState,
    admin: &AdminActor,
    user: &UserRecord,
    key: String,
    input: service::StateInput,
    err: Option<&Error>,
) -> ReleasePage {
    let field = |name: &str| match err {
        Some(Error::Invalid(f)) => f.message_for(name).unwrap_or_default(),
        _ => String::new(),
    };
    let password_error = match err {
        Some(e) if confirm::is_about_the_password(e, "confirmation_password") => {
            confirm::password_message(e, "confirmation_password")
        }
        _ => String::new(),
    };
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
        version: user.version,
        key,
        input,
        states: service::NewState::ALL
            .map(|s| (s.code(), s.label()))
            .to_vec(),
        reissues: service::Reissue::ALL
            .map(|r| (r.code(), r.label()))
            .to_vec(),
        error: err.map(Error::message_ja).unwrap_or_default(),
        state_error: field("service_state"),
        reissue_error: field("reissue"),
        password_error,
    }
}

/// GET /users/locks/{id} — 確認: 変更後のサービス状態, whether to reissue passwords.
pub async fn view_release_get(
    State(state): State<AppState>,
    admin: AdminActor,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let user = service::get(&state, &admin, id).await?;
    service::check_releasable(&state, &admin, &user).await?;
    Ok(render(&release_page(
        &state,
        &admin,
        &user,
        confirm::new_idempotency_key(),
        service::StateInput::default(),
        None,
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
    let input = service::StateInput {
        to: get_pair(&form, "service_state"),
        reissue: get_pair(&form, "reissue"),
    };
    let key = get_pair(&form, "idempotency_key");
    match service::change_state(
        &state,
        &admin,
        id,
        version_of(&form),
        &input,
        &Confirmation::new(
            get_pair(&form, "confirmation_password_confirm"),
            get_pair(&form, otp::FIELD),
        ),
        &key,
    )
    .await
    {
        Ok(done) => Ok(render(&ReleasedPage {
            frame: Frame::new(&state, admin.actor(), "BRSK043", "利用者停止・解除結果"),
            sections: done.executed.sections,
            new_login: done.new_login_password.unwrap_or_default(),
            new_confirmation: done.new_confirmation_password.unwrap_or_default(),
        })),
        Err(err)
            if matches!(err, Error::Invalid(_))
                || confirm::is_about_the_password(&err, "confirmation_password") =>
        {
            let user = service::get(&state, &admin, id).await?;
            Ok(render_status(
                status_of(err.kind()),
                &release_page(&state, &admin, &user, key, input, Some(&err)),
            ))
        }
        Err(other) => Err(other.into()),
    }
}
