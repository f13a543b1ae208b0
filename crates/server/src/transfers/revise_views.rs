//! Screens of 振込振替の修正: 取引詳細's 「修正」 → 依頼内容修正 (BFKF005, the order's values
//! filled in) → 「次へ」 → 確認 (BFKF003) → 「実行」 → 依頼結果 (BFKF004).

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use madoguchi_domain::{Error, ErrorKind};

use super::revise;
use super::views::{Flow, RequestForm, choice_of, confirm_page, input_page};
use crate::confirm::{self, Confirmation};
use crate::state::AppState;
use crate::web::actor::Actor;
use crate::web::error::PageError;
use crate::web::form::PageForm;

/// GET /transfers/{id}/edit — 依頼内容修正, with the order as it was asked.
pub async fn view_edit_get(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let (choice, input) = revise::prefill(&state, &actor, id).await?;
    input_page(
        &state,
        &actor,
        Flow::Revise(id),
        RequestForm::of(&choice, input),
        None,
    )
    .await
}

/// POST /transfers/{id}/edit — 「次へ」.
pub async fn view_edit_post(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    PageForm { actor, form }: PageForm<Actor, RequestForm>,
) -> Result<Response, PageError> {
    let flow = Flow::Revise(id);
    let choice = match choice_of(&state, &actor, &form, revise::REVISE).await {
        Ok(c) => c,
        Err(e) => return input_page(&state, &actor, flow, form, Some(&e)).await,
    };
    match revise::preview(&state, &actor, id, &choice, &form.input()).await {
        Ok(sections) => Ok(confirm_page(
            &state,
            &actor,
            flow,
            &form,
            sections,
            confirm::new_idempotency_key(),
            None,
        )),
        // Every refusal but a failure: 依頼内容修正 again, with what was typed.
        Err(e) if e.kind() != ErrorKind::Internal => {
            input_page(&state, &actor, flow, form, Some(&e)).await
        }
        Err(e) => Err(e.into()),
    }
}

/// POST /transfers/{id}/edit/back — 「戻る」 from 確認.
pub async fn view_edit_back_post(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    PageForm { actor, form }: PageForm<Actor, RequestForm>,
) -> Result<Response, PageError> {
    input_page(&state, &actor, Flow::Revise(id), form, None).await
}

/// POST /transfers/{id}/edit/execute — 「実行」.
pub async fn view_edit_execute_post(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    PageForm { actor, form }: PageForm<Actor, RequestForm>,
) -> Result<Response, PageError> {
    let flow = Flow::Revise(id);
    let choice = choice_of(&state, &actor, &form, revise::REVISE).await?;
    let confirmation = Confirmation::new(
        form.confirmation_password.as_str(),
        form.one_time_password.as_str(),
    );
    let key = form.idempotency_key.clone();
    match revise::revise(
        &state,
        &actor,
        id,
        &choice,
        &form.input(),
        &confirmation,
        &key,
    )
    .await
    {
        Ok(done) => Ok(Redirect::to(&done.result_url("/transfers/result")).into_response()),
        Err(err) if confirm::is_about_the_password(&err, "confirmation_password") => {
            let sections = revise::preview(&state, &actor, id, &choice, &form.input()).await?;
            Ok(confirm_page(
                &state,
                &actor,
                flow,
                &form,
                sections,
                key,
                Some(&err),
            ))
        }
        Err(err) if matches!(err, Error::Invalid(_)) || err.kind() == ErrorKind::Conflict => {
            input_page(&state, &actor, flow, form, Some(&err)).await
        }
        Err(other) => Err(other.into()),
    }
}
