//! Screens of 振込先の変更 and 削除 (請求先の…): a payee's 「変更」 on 一覧 → the form with its
//! fields (BSFK036 …) → 確認 with each item before and after, the changed ones red
//! (BSFK039 …) → 「実行」 with the 確認用パスワード → 結果; its 「削除」 → 確認 (BSFK035 …)
//! → 結果.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use madoguchi_domain::bulk::payee::BulkPayeeInput;
use madoguchi_domain::{AccountKind, Business, Error};
use serde::Deserialize;

use super::business_of;
use super::payee_change;
use super::payee_views::{
    CHANGE_STEPS, ConfirmOf, DELETE_STEPS, How, PayeeForm, base, confirm_of, input_page_with,
    must_manage,
};
use super::payees::{self, list_of};
use crate::confirm::{self, Confirmation, Section};
use crate::state::AppState;
use crate::web::actor::Actor;
use crate::web::error::PageError;
use crate::web::form::PageForm;

fn confirm_page(
    state: &AppState,
    actor: &Actor,
    (b, id): (Business, i64),
    form: &PayeeForm,
    sections: Vec<Section>,
    key: String,
    error: Option<&Error>,
) -> Response {
    let of = ConfirmOf {
        n: 8,
        steps: &CHANGE_STEPS,
        lead: "以下の内容で{}を変更します。",
        execute: format!("/{id}/edit/execute"),
        back: format!("/{id}/edit/back"),
    };
    confirm_of(state, actor, b, of, sections, key)
        .carrying(form.hidden())
        .showing_changes()
        .respond_after(error)
}

/// GET /bulk/{business}/payees/{id}/edit — 変更: the payee's fields to change.
pub async fn view_edit_get(
    State(state): State<AppState>,
    actor: Actor,
    Path((business, id)): Path<(String, i64)>,
) -> Result<Response, PageError> {
    let b = business_of(&business)?;
    let list = list_of(b)?;
    must_manage(&state, &actor, list, "の変更").await?;
    let found = actor
        .scope(&state)
        .bulk_payees(list)
        .await?
        .into_iter()
        .find(|p| p.id == id);
    let Some(p) = found else {
        let what = list.operation("の変更");
        return Err(actor
            .refuse(&state, list.area(), &what, Error::NotFound)
            .await
            .into());
    };
    let form = BulkPayeeInput {
        bank_code: p.bank_code,
        branch_code: p.branch_code,
        kind: AccountKind::from_code(p.account_kind)
            .map_or("", AccountKind::label)
            .to_owned(),
        number: p.number,
        name: p.name,
        reference: p.reference,
        reference2: p.reference2,
        group: p.group,
    };
    Ok(input_page_with(
        &state,
        &actor,
        b,
        form,
        None,
        How::Edit(id),
    ))
}

/// POST /bulk/{business}/payees/{id}/edit — 「次へ」: 確認 with what changes, in red.
pub async fn view_edit_post(
    State(state): State<AppState>,
    Path((business, id)): Path<(String, i64)>,
    PageForm { actor, form }: PageForm<Actor, PayeeForm>,
) -> Result<Response, PageError> {
    let b = business_of(&business)?;
    let list = list_of(b)?;
    match payee_change::preview_change(&state, &actor, list, id, &form.payee).await {
        Ok(sections) => Ok(confirm_page(
            &state,
            &actor,
            (b, id),
            &form,
            sections,
            confirm::new_idempotency_key(),
            None,
        )),
        Err(e @ (Error::Invalid(_) | Error::PayeeTaken)) => Ok(input_page_with(
            &state,
            &actor,
            b,
            form.payee,
            Some(&e),
            How::Edit(id),
        )),
        Err(e) => Err(e.into()),
    }
}

/// POST /bulk/{business}/payees/{id}/edit/back — 「戻る」: the form with what was typed.
pub async fn view_edit_back_post(
    State(state): State<AppState>,
    Path((business, id)): Path<(String, i64)>,
    PageForm { actor, form }: PageForm<Actor, PayeeForm>,
) -> Result<Response, PageError> {
    let b = business_of(&business)?;
    list_of(b)?;
    Ok(input_page_with(
        &state,
        &actor,
        b,
        form.payee,
        None,
        How::Edit(id),
    ))
}

/// POST /bulk/{business}/payees/{id}/edit/execute — 「実行」.
pub async fn view_edit_execute_post(
    State(state): State<AppState>,
    Path((business, id)): Path<(String, i64)>,
    PageForm { actor, form }: PageForm<Actor, PayeeForm>,
) -> Result<Response, PageError> {
    let b = business_of(&business)?;
    let list = list_of(b)?;
    let confirmation = Confirmation::new(
        form.confirmation_password.as_str(),
        form.one_time_password.as_str(),
    );
    let key = form.idempotency_key.clone();
    match payee_change::change(&state, &actor, list, id, &form.payee, &confirmation, &key).await {
        Ok(done) => {
            Ok(Redirect::to(&done.result_url(&format!("{}/result", base(b)))).into_response())
        }
        Err(err) if confirm::is_about_the_password(&err, "confirmation_password") => {
            let sections =
                payee_change::preview_change(&state, &actor, list, id, &form.payee).await?;
            Ok(confirm_page(
                &state,
                &actor,
                (b, id),
                &form,
                sections,
                key,
                Some(&err),
            ))
        }
        Err(err @ (Error::Invalid(_) | Error::PayeeTaken)) => Ok(input_page_with(
            &state,
            &actor,
            b,
            form.payee,
            Some(&err),
            How::Edit(id),
        )),
        Err(other) => Err(other.into()),
    }
}

fn delete_confirm(
    state: &AppState,
    actor: &Actor,
    b: Business,
    id: i64,
    sections: Vec<Section>,
    key: String,
    error: Option<&Error>,
) -> Response {
    let of = ConfirmOf {
        n: 4,
        steps: &DELETE_STEPS,
        lead: "以下の{}を削除します。",
        execute: format!("/{id}/delete"),
        back: "/back".into(),
    };
    confirm_of(state, actor, b, of, sections, key).respond_after(error)
}

/// GET /bulk/{business}/payees/{id}/delete — 確認 of 削除.
pub async fn view_delete_get(
    State(state): State<AppState>,
    actor: Actor,
    Path((business, id)): Path<(String, i64)>,
) -> Result<Response, PageError> {
    let b = business_of(&business)?;
    let list = list_of(b)?;
    let sections = payees::preview_delete(&state, &actor, list, id).await?;
    Ok(delete_confirm(
        &state,
        &actor,
        b,
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

/// POST /bulk/{business}/payees/{id}/delete — 「実行」.
pub async fn view_delete_post(
    State(state): State<AppState>,
    Path((business, id)): Path<(String, i64)>,
    PageForm { actor, form }: PageForm<Actor, DeleteForm>,
) -> Result<Response, PageError> {
    let b = business_of(&business)?;
    let list = list_of(b)?;
    let confirmation = Confirmation::new(
        form.confirmation_password.as_str(),
        form.one_time_password.as_str(),
    );
    let key = form.idempotency_key;
    match payees::delete(&state, &actor, list, id, &confirmation, &key).await {
        Ok(done) => {
            Ok(Redirect::to(&done.result_url(&format!("{}/result", base(b)))).into_response())
        }
        Err(err) if confirm::is_about_the_password(&err, "confirmation_password") => {
            let sections = payees::preview_delete(&state, &actor, list, id).await?;
            Ok(delete_confirm(
                &state,
                &actor,
                b,
                id,
                sections,
                key,
                Some(&err),
            ))
        }
        Err(other) => Err(other.into()),
    }
}
