//! Screens: ワンタイムパスワードの利用停止解除 (一覧 BRSK021, 確認 BRSK022, 結果 BRSK023)
//! and トークンの失効 (一覧 BRSK031, 確認 BRSK032, 結果 BRSK033).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use madoguchi_domain::Error;

use super::form::{Pairs, get_pair};
use super::otp::{self, OtpRow};
use super::views::KeyQuery;
use crate::confirm::{self, Confirmation, ResultKind, Section, otp as otp_field};
use crate::confirm_pages::{ConfirmPage, ResultPage};
use crate::state::AppState;
use crate::web::actor::AdminActor;
use crate::web::error::{PageError, status_of};
use crate::web::form::PageForm;
use crate::web::page::{Frame, render};

/// Which of the two operations a screen serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Which {
    Release,
    Revoke,
}

impl Which {
    fn base(self) -> &'static str {
        match self {
            Which::Release => "/users/otp/locks",
            Which::Revoke => "/users/otp/tokens",
        }
    }
}

/// One line of a list.
struct Line {
    id: i64,
    login_id: String,
    name: String,
    otp_state: &'static str,
    serial: String,
    registered: String,
    eligible: bool,
}

#[derive(Template)]
#[template(path = "users/otp_list.html")]
struct ListPage {
    frame: Frame,
    which: &'static str,
    lead: &'static str,
    note: &'static str,
    base: &'static str,
    lines: Vec<Line>,
}

fn line(row: &OtpRow, eligible: bool) -> Line {
    Line {
        id: row.user.id,
        login_id: row.user.login_id.clone(),
        name: row.user.name.clone(),
        otp_state: row.otp_state(),
        serial: row.serial(),
        registered: row.registered(),
        eligible,
    }
}

async fn list(state: &AppState, admin: &AdminActor, which: Which) -> Result<Response, PageError> {
    let rows = otp::overview(state, admin).await?;
    let lines = rows
        .iter()
        .map(|r| {
            let eligible = match which {
                Which::Release => otp::releasable(admin, r),
                Which::Revoke => otp::revocable(r),
            };
            line(r, eligible)
        })
        .collect();
    let page = match which {
        Which::Release => ListPage {
            frame: Frame::new(
                state,
                admin.actor(),
                "BRSK021",
                "ワンタイムパスワード利用停止解除",
            ),
            which: "release",
            lead: "ワンタイムパスワードの利用停止を解除する利用者の「選択」ボタンをクリックしてください。",
            note: "※ご自身の利用停止は解除できません。他の管理者ユーザに依頼してください。",
            base: which.base(),
            lines,
        },
        Which::Revoke => ListPage {
            frame: Frame::new(state, admin.actor(), "BRSK031", "トークン失効"),
            which: "revoke",
            lead: "トークンを失効する利用者の「選択」ボタンをクリックしてください。",
            note: "※失効した利用者は、次回ログイン時にトークンを登録し直します（失効から一定時間は登録できません）。ご自身のトークンも失効できます。",
            base: which.base(),
            lines,
        },
    };
    Ok(render(&page))
}

/// GET /users/otp/locks — 利用停止解除 一覧.
pub async fn view_locks_get(
    State(state): State<AppState>,
    admin: AdminActor,
) -> Result<Response, PageError> {
    list(&state, &admin, Which::Release).await
}

/// GET /users/otp/tokens — トークン失効 一覧.
pub async fn view_tokens_get(
    State(state): State<AppState>,
    admin: AdminActor,
) -> Result<Response, PageError> {
    list(&state, &admin, Which::Revoke).await
}

fn confirm_page(
    state: &AppState,
    admin: &AdminActor,
    which: Which,
    user_id: i64,
    sections: Vec<Section>,
    key: String,
    error: Option<&Error>,
) -> Response {
    let status = error.map_or(StatusCode::OK, |e| status_of(e.kind()));
    let error = error
        .map(|e| confirm::password_message(e, "confirmation_password"))
        .unwrap_or_default();
    let (id, title, lead) = match which {
        Which::Release => (
            "BRSK022",
            "ワンタイムパスワード利用停止解除確認",
            "以下の利用者のワンタイムパスワードの利用停止を解除します。",
        ),
        Which::Revoke => (
            "BRSK032",
            "トークン失効確認",
            "以下の利用者のトークンを失効します。",
        ),
    };
    ConfirmPage {
        frame: Frame::new(state, admin.actor(), id, title),
        steps: Vec::new(),
        lead: lead.to_owned(),
        sections,
        hidden: Vec::new(),
        version: 0,
        idempotency_key: key,
        error,
        shows_changes: true,
        nothing_changed: false,
        action: format!("{}/{user_id}", which.base()),
        back_action: format!("{}/back", which.base()),
        password_name: "confirmation_password",
    }
    .respond(status)
}

async fn preview(
    state: &AppState,
    admin: &AdminActor,
    which: Which,
    user_id: i64,
) -> Result<Vec<Section>, Error> {
    match which {
        Which::Release => otp::release_preview(state, admin, user_id).await,
        Which::Revoke => otp::revoke_preview(state, admin, user_id).await,
    }
}

async fn confirm_get(
    state: &AppState,
    admin: &AdminActor,
    which: Which,
    user_id: i64,
) -> Result<Response, PageError> {
    let sections = preview(state, admin, which, user_id).await?;
    Ok(confirm_page(
        state,
        admin,
        which,
        user_id,
        sections,
        confirm::new_idempotency_key(),
        None,
    ))
}

/// GET /users/otp/locks/{id} — 利用停止解除確認.
pub async fn view_release_get(
    State(state): State<AppState>,
    admin: AdminActor,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    confirm_get(&state, &admin, Which::Release, id).await
}

/// GET /users/otp/tokens/{id} — トークン失効確認.
pub async fn view_revoke_get(
    State(state): State<AppState>,
    admin: AdminActor,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    confirm_get(&state, &admin, Which::Revoke, id).await
}

async fn execute_post(
    state: &AppState,
    admin: &AdminActor,
    which: Which,
    user_id: i64,
    form: &Pairs,
) -> Result<Response, PageError> {
    let key = get_pair(form, "idempotency_key");
    let confirmation = Confirmation::new(
        get_pair(form, "confirmation_password"),
        get_pair(form, otp_field::FIELD),
    );
    let done = match which {
        Which::Release => otp::release(state, admin, user_id, &confirmation, &key).await,
        Which::Revoke => otp::revoke(state, admin, user_id, &confirmation, &key).await,
    };
    match done {
        Ok(_) if which == Which::Revoke && user_id == admin.actor().user().id => {
            // One's own token: this session ended with it.
            Ok(Redirect::to("/login?reason=token_revoked").into_response())
        }
        Ok(done) => Ok(Redirect::to(&done.result_url("/users/otp/result")).into_response()),
        Err(err) if confirm::is_about_the_password(&err, "confirmation_password") => {
            let sections = preview(state, admin, which, user_id).await?;
            Ok(confirm_page(
                state,
                admin,
                which,
                user_id,
                sections,
                key,
                Some(&err),
            ))
        }
        Err(other) => Err(other.into()),
    }
}

/// POST /users/otp/locks/{id} — 実行 of 利用停止解除.
pub async fn view_release_post(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    PageForm { actor: admin, form }: PageForm<AdminActor, Pairs>,
) -> Result<Response, PageError> {
    execute_post(&state, &admin, Which::Release, id, &form).await
}

/// POST /users/otp/tokens/{id} — 実行 of トークン失効.
pub async fn view_revoke_post(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    PageForm { actor: admin, form }: PageForm<AdminActor, Pairs>,
) -> Result<Response, PageError> {
    execute_post(&state, &admin, Which::Revoke, id, &form).await
}

/// POST /users/otp/locks/back — 戻る from 確認: the list.
pub async fn view_locks_back_post(
    PageForm { .. }: PageForm<AdminActor, serde::de::IgnoredAny>,
) -> Response {
    Redirect::to(Which::Release.base()).into_response()
}

/// POST /users/otp/tokens/back — 戻る from 確認: the list.
pub async fn view_tokens_back_post(
    PageForm { .. }: PageForm<AdminActor, serde::de::IgnoredAny>,
) -> Response {
    Redirect::to(Which::Revoke.base()).into_response()
}

/// GET /users/otp/result?key= — 利用停止解除結果 or トークン失効結果.
pub async fn view_result_get(
    State(state): State<AppState>,
    admin: AdminActor,
    Query(q): Query<KeyQuery>,
) -> Result<Response, PageError> {
    let actor = admin.actor();
    let (id, title, lead, which, sections) = match confirm::result(
        &state,
        actor,
        &q.key,
        ResultKind::OtpReleased,
    )
    .await
    {
        Ok(sections) => (
            "BRSK023",
            "ワンタイムパスワード利用停止解除結果",
            "以下の利用者のワンタイムパスワードの利用停止を解除しました。",
            Which::Release,
            sections,
        ),
        Err(_) => (
            "BRSK033",
            "トークン失効結果",
            "以下の利用者のトークンを失効しました。次回ログイン時に、トークンを登録し直してください。",
            Which::Revoke,
            confirm::result(&state, actor, &q.key, ResultKind::TokenRevoked).await?,
        ),
    };
    Ok(ResultPage {
        frame: Frame::new(&state, actor, id, title),
        steps: Vec::new(),
        lead: lead.to_owned(),
        shows_changes: true,
        sections,
        links: vec![
            (which.base().to_owned(), "一覧へ".to_owned()),
            ("/users".to_owned(), "利用者管理メニューへ".to_owned()),
        ],
        print_href: String::new(),
    }
    .respond())
}
