//! Screen: 電子証明書発行 (BLGI005, from the login screen). 発行 answers with the PKCS#12
//! file itself; a refusal shows the form again with the reason, the login ID kept.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE, SET_COOKIE};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{AppendHeaders, IntoResponse, Response};
use madoguchi_domain::certificate::FilePassword;
use madoguchi_domain::{Error, FieldErrors, HistoryArea, Password};
use serde::Deserialize;

use super::certificate::{self as service, Delivered, Delivery};
use crate::confirm::otp as otp_field;
use crate::state::AppState;
use crate::web::client::ClientInfo;
use crate::web::error::{PageError, status_of};
use crate::web::page::{Frame, render_status};
use crate::web::{cookies, token};

const FILE_PASSWORD: &str = "file_password";

#[derive(Template)]
#[template(path = "certificate_issue.html")]
struct IssuePage {
    frame: Frame,
    login_id: String,
    error: String,
    file_password_error: String,
    otp_error: String,
    form_token: String,
    min: usize,
    max: usize,
}

#[derive(Deserialize)]
pub struct IssueForm {
    #[serde(default)]
    login_id: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    one_time_password: String,
    #[serde(default)]
    file_password: String,
    #[serde(default)]
    file_password_again: String,
    #[serde(default)]
    form_token: String,
}

/// The form, with a new form token in its cookie (as the login form: no login CSRF).
fn issue_page(
    state: &AppState,
    status: StatusCode,
    login_id: String,
    err: Option<&Error>,
) -> Response {
    let fields = match err {
        Some(Error::Invalid(f)) => f.clone(),
        _ => FieldErrors::default(),
    };
    let form_token = token::random_token();
    let page = IssuePage {
        frame: Frame::public(state, "BLGI005", "電子証明書発行"),
        login_id,
        error: err.map(Error::message_ja).unwrap_or_default(),
        file_password_error: fields.message_for(FILE_PASSWORD).unwrap_or_default(),
        otp_error: fields.message_for(otp_field::FIELD).unwrap_or_default(),
        form_token: form_token.clone(),
        min: FilePassword::MIN,
        max: FilePassword::MAX,
    };
    let cookie = state.cookies.set(state.cookies.login_name(), &form_token);
    (
        AppendHeaders([(SET_COOKIE, cookie)]),
        render_status(status, &page),
    )
        .into_response()
}

/// GET /certificate — 電子証明書発行.
pub async fn view_issue_get(State(state): State<AppState>) -> Response {
    issue_page(&state, StatusCode::OK, String::new(), None)
}

/// A refusal before anyone is proven (a bad form): recorded within the budget of
/// unauthenticated refusals, and the form again with the login ID kept.
async fn refused_form(
    state: &AppState,
    client: &ClientInfo,
    login_id: String,
    err: Error,
) -> Result<Response, PageError> {
    let mut draft = state
        .draft(client, HistoryArea::Auth, service::ISSUE)
        .failed(err.code());
    draft.login_id = login_id.chars().take(64).collect();
    state
        .limits
        .record_unauthenticated(state.store.as_ref(), draft)
        .await
        .map_err(crate::web::error::from_store)?;
    Ok(issue_page(
        state,
        status_of(err.kind()),
        login_id,
        Some(&err),
    ))
}

/// POST /certificate — 発行: the PKCS#12 file, or the form again with the reason.
pub async fn view_issue_post(
    State(state): State<AppState>,
    client: ClientInfo,
    headers: HeaderMap,
    Form(form): Form<IssueForm>,
) -> Result<Response, PageError> {
    let cookie = cookies::read(&headers, state.cookies.login_name()).unwrap_or_default();
    if cookie.is_empty() || !token::same(&cookie, &form.form_token) {
        return refused_form(&state, &client, form.login_id, Error::CsrfRejected).await;
    }
    let password = match FilePassword::parse(&form.file_password, &form.file_password_again) {
        Ok(p) => p,
        Err(e) => {
            let err = Error::Invalid(FieldErrors::single(FILE_PASSWORD, e));
            return refused_form(&state, &client, form.login_id, err).await;
        }
    };
    let issued = service::issue(
        &state,
        &client,
        &form.login_id,
        &Password::typed(form.password),
        &form.one_time_password,
        Delivery::Pkcs12(password),
    )
    .await;
    match issued {
        Ok(issued) => {
            let Delivered::Pkcs12(file) = issued.delivered else {
                return Err(Error::Internal.into());
            };
            let name = format!("attachment; filename=\"{}.p12\"", issued.login_id);
            Ok((
                [
                    (CONTENT_TYPE, "application/x-pkcs12".to_owned()),
                    (CONTENT_DISPOSITION, name),
                    (CACHE_CONTROL, "no-store".to_owned()),
                ],
                file,
            )
                .into_response())
        }
        Err(err @ (Error::Internal | Error::CsrfRejected)) => Err(err.into()),
        Err(err) => {
            let mut response = issue_page(&state, status_of(err.kind()), form.login_id, Some(&err));
            crate::web::error::add_retry_after(&mut response, &err);
            Ok(response)
        }
    }
}
