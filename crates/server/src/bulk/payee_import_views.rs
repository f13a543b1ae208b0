//! Screens of 一括登録 of 振込先管理 (請求先管理): a CSV file chosen → every bad line listed
//! (行, 項目, コード, 内容) or 確認 of the payees read (the count and the first 20; the file's
//! text carried to 実行) → 「実行」 with the 確認用パスワード → 結果.

use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use madoguchi_domain::bulk::payee::PayeeList;
use madoguchi_domain::{Business, Error, HistoryArea};
use serde::Deserialize;

use super::business_of;
use super::payee_views::{
    ConfirmOf, IMPORT_STEPS, base, confirm_of, must_manage, screen, title_of,
};
use super::payees::{self, list_of};
use super::spool::read_multipart;
use crate::confirm::{self, Confirmation, Section};
use crate::state::AppState;
use crate::web::actor::Actor;
use crate::web::error::{FileErrorBody, PageError, status_of};
use crate::web::form::{CSRF_FIELD, PageForm};
use crate::web::page::{Frame, render_status};
use crate::web::token;

#[derive(Template)]
#[template(path = "bulk/payee_import.html")]
struct ImportPage {
    frame: Frame,
    steps: Vec<confirm::Step>,
    noun: &'static str,
    base: String,
    columns: String,
    max: usize,
    summary: String,
    file_errors: Vec<FileErrorBody>,
}

fn import_page(
    state: &AppState,
    actor: &Actor,
    b: Business,
    list: PayeeList,
    err: Option<&Error>,
) -> Response {
    let status = err.map_or(StatusCode::OK, |e| status_of(e.kind()));
    let file_errors = match err {
        Some(Error::InvalidFile(errors)) => errors.iter().map(FileErrorBody::of).collect(),
        _ => Vec::new(),
    };
    render_status(
        status,
        &ImportPage {
            frame: Frame::new(state, actor, screen(b, 5), title_of(list, 5)),
            steps: confirm::steps(&IMPORT_STEPS, 0),
            noun: list.noun(),
            base: base(b),
            columns: list.columns().join("、"),
            max: madoguchi_domain::bulk::payee::MAX_IMPORT,
            summary: err.map(Error::message_ja).unwrap_or_default(),
            file_errors,
        },
    )
}

/// GET /bulk/{business}/payees/import — 一括登録: the CSV file to read.
pub async fn view_import_get(
    State(state): State<AppState>,
    actor: Actor,
    Path(business): Path<String>,
) -> Result<Response, PageError> {
    let b = business_of(&business)?;
    let list = list_of(b)?;
    must_manage(&state, &actor, list, "の一括登録").await?;
    Ok(import_page(&state, &actor, b, list, None))
}

fn import_confirm(
    state: &AppState,
    actor: &Actor,
    b: Business,
    csv: String,
    sections: Vec<Section>,
    key: String,
    error: Option<&Error>,
) -> Response {
    let of = ConfirmOf {
        n: 6,
        steps: &IMPORT_STEPS,
        lead: "以下の{}を一括登録します。",
        execute: "/import/execute".into(),
        back: "/back".into(),
    };
    confirm_of(state, actor, b, of, sections, key)
        .carrying(vec![("csv".to_owned(), csv)])
        .respond_after(error)
}

/// POST /bulk/{business}/payees/import — 「次へ」: the file read and checked, its payees
/// shown for 確認 (the file's text carried to 実行).
pub async fn view_import_post(
    State(state): State<AppState>,
    actor: Actor,
    Path(business): Path<String>,
    multipart: Multipart,
) -> Result<Response, PageError> {
    let b = business_of(&business)?;
    let list = list_of(b)?;
    let (up, fields) = read_multipart(multipart, state.config.max_upload_bytes, None).await?;
    let sent = fields
        .iter()
        .find(|(k, _)| k == CSRF_FIELD)
        .map_or("", |(_, v)| v.as_str());
    if !token::same(sent, &actor.session().csrf_token) {
        let err = actor
            .refuse(
                &state,
                HistoryArea::Auth,
                "CSRFトークン検証",
                Error::CsrfRejected,
            )
            .await;
        return Err(err.into());
    }
    let bytes = up.map(|u| u.content.bytes().to_vec()).unwrap_or_default();
    let text = match madoguchi_domain::bulk::payee::decode(&bytes) {
        Ok(t) => t.into_owned(),
        Err(e) => {
            let err = Error::InvalidFile(vec![e]);
            return Ok(import_page(&state, &actor, b, list, Some(&err)));
        }
    };
    match payees::preview_import(&state, &actor, list, text.as_bytes()).await {
        Ok(sections) => Ok(import_confirm(
            &state,
            &actor,
            b,
            text,
            sections,
            confirm::new_idempotency_key(),
            None,
        )),
        Err(e @ (Error::InvalidFile(_) | Error::Invalid(_))) => {
            Ok(import_page(&state, &actor, b, list, Some(&e)))
        }
        Err(e) => Err(e.into()),
    }
}

/// The fields of 実行 of a 一括登録.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ImportForm {
    csv: String,
    idempotency_key: String,
    confirmation_password: String,
    one_time_password: String,
}

/// POST /bulk/{business}/payees/import/execute — 「実行」.
pub async fn view_import_execute_post(
    State(state): State<AppState>,
    Path(business): Path<String>,
    PageForm { actor, form }: PageForm<Actor, ImportForm>,
) -> Result<Response, PageError> {
    let b = business_of(&business)?;
    let list = list_of(b)?;
    let confirmation = Confirmation::new(
        form.confirmation_password.as_str(),
        form.one_time_password.as_str(),
    );
    let key = form.idempotency_key;
    match payees::import(
        &state,
        &actor,
        list,
        form.csv.as_bytes(),
        &confirmation,
        &key,
    )
    .await
    {
        Ok(done) => {
            Ok(Redirect::to(&done.result_url(&format!("{}/result", base(b)))).into_response())
        }
        Err(err) if confirm::is_about_the_password(&err, "confirmation_password") => {
            let sections =
                payees::preview_import(&state, &actor, list, form.csv.as_bytes()).await?;
            Ok(import_confirm(
                &state,
                &actor,
                b,
                form.csv,
                sections,
                key,
                Some(&err),
            ))
        }
        Err(e @ (Error::InvalidFile(_) | Error::Invalid(_))) => {
            Ok(import_page(&state, &actor, b, list, Some(&e)))
        }
        Err(other) => Err(other.into()),
    }
}
