//! Screens: 利用者管理 → 証明書失効 — ご利用者一覧 (BRSK018), 証明書失効確認 (BRSK019),
//! 証明書失効結果 (BRSK020), the manual's steps 3–5.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use madoguchi_domain::{Error, HistoryArea};
use serde::Deserialize;

use super::certificates as service;
use super::form::{Pairs, get_pair};
use super::views::KeyQuery;
use crate::confirm::{self, Confirmation, ResultKind, Section, otp as otp_field};
use crate::confirm_pages::ConfirmPage;
use crate::state::AppState;
use crate::web::actor::AdminActor;
use crate::web::error::{PageError, status_of};
use crate::web::form::PageForm;
use crate::web::page::{Frame, render, render_status};

/// The manual's steps of 証明書失効.
const STEPS: [&str; 3] = ["利用者を選択", "証明書失効", "失効完了"];

struct Line {
    id: i64,
    login_id: String,
    name: String,
    state: &'static str,
    expiry: String,
    eligible: bool,
}

#[derive(Template)]
#[template(path = "users/certificate_list.html")]
struct ListPage {
    frame: Frame,
    steps: Vec<crate::confirm::Step>,
    lines: Vec<Line>,
    error: String,
}

async fn list(
    state: &AppState,
    admin: &AdminActor,
    err: Option<&Error>,
) -> Result<Response, PageError> {
    let rows = service::overview(state, admin).await?;
    let lines = rows
        .iter()
        .map(|r| Line {
            id: r.user.id,
            login_id: r.user.login_id.clone(),
            name: r.user.name.clone(),
            state: r.state.label(),
            expiry: r.expiry(),
            eligible: service::revocable(r),
        })
        .collect();
    let page = ListPage {
        frame: Frame::new(state, admin.actor(), "BRSK018", "ご利用者一覧"),
        steps: crate::confirm::steps(&STEPS, 0),
        lines,
        error: err.map(Error::message_ja).unwrap_or_default(),
    };
    let status = err.map_or(StatusCode::OK, |e| status_of(e.kind()));
    Ok(render_status(status, &page))
}

/// GET /users/certificates — ご利用者一覧 of 証明書失効.
pub async fn view_list_get(
    State(state): State<AppState>,
    admin: AdminActor,
) -> Result<Response, PageError> {
    list(&state, &admin, None).await
}

#[derive(Deserialize)]
pub struct Selected {
    user: Option<String>,
}

fn confirm_page(
    state: &AppState,
    admin: &AdminActor,
    user_id: i64,
    sections: Vec<Section>,
    key: String,
    error: Option<&Error>,
) -> Response {
    let status = error.map_or(StatusCode::OK, |e| status_of(e.kind()));
    let error = error
        .map(|e| confirm::password_message(e, "confirmation_password"))
        .unwrap_or_default();
    ConfirmPage {
        frame: Frame::new(state, admin.actor(), "BRSK019", "証明書失効確認"),
        steps: crate::confirm::steps(&STEPS, 1),
        lead: "以下の利用者の証明書を失効します。".to_owned(),
        sections,
        hidden: Vec::new(),
        version: 0,
        idempotency_key: key,
        error,
        shows_changes: true,
        nothing_changed: false,
        action: format!("/users/certificates/{user_id}"),
        back_action: "/users/certificates/back".to_owned(),
        password_name: "confirmation_password",
    }
    .respond(status)
}

/// GET /users/certificates/confirm?user= — 「失効」: 証明書失効確認 (BRSK019).
pub async fn view_revoke_get(
    State(state): State<AppState>,
    admin: AdminActor,
    Query(q): Query<Selected>,
) -> Result<Response, PageError> {
    let Some(user_id) = q.user.as_deref().and_then(|u| u.parse::<i64>().ok()) else {
        let err = Error::NotSelected { label: "利用者" };
        let err = admin
            .actor()
            .refuse(&state, HistoryArea::Users, service::REVOKE, err)
            .await;
        return list(&state, &admin, Some(&err)).await;
    };
    let sections = service::revoke_preview(&state, &admin, user_id).await?;
    Ok(confirm_page(
        &state,
        &admin,
        user_id,
        sections,
        confirm::new_idempotency_key(),
        None,
    ))
}

/// POST /users/certificates/{id} — 実行.
pub async fn view_revoke_post(
    State(state): State<AppState>,
    Path(user_id): Path<i64>,
    PageForm { actor: admin, form }: PageForm<AdminActor, Pairs>,
) -> Result<Response, PageError> {
    let key = get_pair(&form, "idempotency_key");
    let confirmation = Confirmation::new(
        get_pair(&form, "confirmation_password"),
        get_pair(&form, otp_field::FIELD),
    );
    match service::revoke(&state, &admin, user_id, &confirmation, &key).await {
        // One's own certificate: this session ended with it.
        Ok(_) if user_id == admin.actor().user().id => {
            Ok(Redirect::to("/login?reason=certificate_revoked").into_response())
        }
        Ok(done) => {
            Ok(Redirect::to(&done.result_url("/users/certificates/result")).into_response())
        }
        Err(err) if confirm::is_about_the_password(&err, "confirmation_password") => {
            let sections = service::revoke_preview(&state, &admin, user_id).await?;
            Ok(confirm_page(
                &state,
                &admin,
                user_id,
                sections,
                key,
                Some(&err),
            ))
        }
        Err(other) => Err(other.into()),
    }
}

/// POST /users/certificates/back — 戻る from 確認: the list.
pub async fn view_back_post(
    PageForm { .. }: PageForm<AdminActor, serde::de::IgnoredAny>,
) -> Response {
    Redirect::to("/users/certificates").into_response()
}

#[derive(Template)]
#[template(path = "users/certificate_revoked.html")]
struct ResultPage {
    frame: Frame,
    steps: Vec<crate::confirm::Step>,
    sections: Vec<Section>,
}

/// GET /users/certificates/result?key= — 証明書失効結果 (BRSK020).
pub async fn view_result_get(
    State(state): State<AppState>,
    admin: AdminActor,
    Query(q): Query<KeyQuery>,
) -> Result<Response, PageError> {
    let actor = admin.actor();
    let sections = confirm::result(&state, actor, &q.key, ResultKind::CertificateRevoked).await?;
    Ok(render(&ResultPage {
        frame: Frame::new(&state, actor, "BRSK020", "証明書失効結果"),
        steps: crate::confirm::steps(&STEPS, 2),
        sections,
    }))
}
