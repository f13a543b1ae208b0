//! Screens: ログイン (BLGI001), パスワード強制変更 (BLGI002), ログアウト. The
//! one-time-password screens of the login are in `otp_views.rs`.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{AppendHeaders, IntoResponse, Redirect, Response};
use madoguchi_domain::{Error, Password, SessionStage};
use serde::Deserialize;

use super::service::{self, PasswordChangeInput};
use crate::certificates::ClientCertificate;
use crate::state::AppState;
use crate::web::actor::{PasswordChangeActor, SessionActor};
use crate::web::client::ClientInfo;
use crate::web::error::{PageError, add_retry_after, status_of};
use crate::web::form::PageForm;
use crate::web::page::{Frame, render, render_status};
use crate::web::{cookies, token};

#[derive(Template)]
#[template(path = "login.html")]
pub(super) struct LoginPage {
    frame: Frame,
    login_id: String,
    error: String,
    notice: String,
    form_token: String,
    /// The bank issues client certificates: 「電子証明書発行」 is offered.
    certificates: bool,
}

#[derive(Deserialize)]
pub struct LoginQuery {
    reason: Option<String>,
}

/// Why the browser was sent to the login page, in words.
fn notice_for(reason: Option<&str>) -> String {
    match reason {
        Some("idle") => Error::SessionIdle.message_ja(),
        Some("expired") => Error::SessionExpired.message_ja(),
        Some("login") => Error::NotLoggedIn.message_ja(),
        Some("logout") => "ログアウトしました。ご利用ありがとうございました。".to_owned(),
        Some("certificate_revoked") => {
            "電子証明書を失効しました。すべてのブラウザを閉じてから、「電子証明書発行」で電子証明書を再発行してください。"
                .to_owned()
        }
        Some("token_revoked") => {
            "トークンを失効しました。再度ログインし、ワンタイムパスワード利用登録を行ってください。"
                .to_owned()
        }
        _ => String::new(),
    }
}

pub(super) fn login_page(
    state: &AppState,
    login_id: String,
    error: String,
    notice: String,
) -> (String, LoginPage) {
    let form_token = token::random_token();
    let page = LoginPage {
        frame: Frame::public(state, "BLGI001", "ログイン"),
        login_id,
        error,
        notice,
        form_token: form_token.clone(),
        certificates: state.pki.is_some(),
    };
    (form_token, page)
}

/// The login form carries a token that must match a cookie set with it, so another site
/// cannot log a victim's browser into the attacker's account (login CSRF).
pub(super) fn with_form_cookie(
    state: &AppState,
    status: StatusCode,
    form_token: &str,
    page: &LoginPage,
) -> Response {
    let cookie = state.cookies.set(state.cookies.login_name(), form_token);
    (
        AppendHeaders([(SET_COOKIE, cookie)]),
        render_status(status, page),
    )
        .into_response()
}

/// GET /login
pub async fn view_login_get(
    State(state): State<AppState>,
    Query(q): Query<LoginQuery>,
) -> Response {
    let (form_token, page) = login_page(
        &state,
        String::new(),
        String::new(),
        notice_for(q.reason.as_deref()),
    );
    with_form_cookie(&state, StatusCode::OK, &form_token, &page)
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    login_id: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    form_token: String,
}

/// POST /login
pub async fn view_login_post(
    State(state): State<AppState>,
    client: ClientInfo,
    certificate: ClientCertificate,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Result<Response, PageError> {
    let cookie = cookies::read(&headers, state.cookies.login_name()).unwrap_or_default();
    if cookie.is_empty() || !token::same(&cookie, &form.form_token) {
        let err = Error::CsrfRejected;
        let draft = state
            .draft(&client, madoguchi_domain::HistoryArea::Auth, "ログイン")
            .failed(err.code());
        state
            .limits
            .record_unauthenticated(state.store.as_ref(), draft)
            .await?;
        let (t, page) = login_page(&state, form.login_id, err.message_ja(), String::new());
        return Ok(with_form_cookie(&state, status_of(err.kind()), &t, &page));
    }
    match service::login(
        &state,
        &client,
        &form.login_id,
        &Password::typed(form.password),
        &certificate,
    )
    .await
    {
        Ok(success) => {
            let next = stage_path(success.stage);
            let headers = AppendHeaders([
                (
                    SET_COOKIE,
                    state
                        .cookies
                        .set(state.cookies.session_name(), &success.session_token),
                ),
                (SET_COOKIE, state.cookies.clear(state.cookies.login_name())),
            ]);
            Ok((headers, Redirect::to(next)).into_response())
        }
        Err(
            err @ (Error::LoginFailed
            | Error::LoginLocked
            | Error::OtpLocked
            | Error::CertificateRequired
            | Error::CertificateRefused
            | Error::TooManyRequests { .. }
            | Error::Busy),
        ) => {
            let (t, page) = login_page(&state, form.login_id, err.message_ja(), String::new());
            let mut response = with_form_cookie(&state, status_of(err.kind()), &t, &page);
            add_retry_after(&mut response, &err);
            Ok(response)
        }
        Err(other) => Err(other.into()),
    }
}

/// The screen a session in `stage` continues on.
pub fn stage_path(stage: SessionStage) -> &'static str {
    match stage {
        SessionStage::OtpRegistration => "/login/otp/register",
        SessionStage::Otp => "/login/otp",
        SessionStage::PasswordChange => "/password/change",
        SessionStage::Active => "/top",
    }
}

/// POST /logout
pub async fn view_logout_post(
    State(state): State<AppState>,
    PageForm { actor, .. }: PageForm<SessionActor, serde::de::IgnoredAny>,
) -> Result<Response, PageError> {
    // A session still waiting for the forced password change can log out too.
    service::logout(&state, &actor).await?;
    let clear = AppendHeaders([(
        SET_COOKIE,
        state.cookies.clear(state.cookies.session_name()),
    )]);
    Ok((clear, Redirect::to("/login?reason=logout")).into_response())
}

#[derive(Template)]
#[template(path = "password_change.html")]
struct PasswordChangePage {
    frame: Frame,
    needs_login: bool,
    needs_confirmation: bool,
    error_summary: String,
    login_error: String,
    confirmation_error: String,
    min_len: usize,
    max_len: usize,
}

fn password_change_page(
    state: &AppState,
    pending: &PasswordChangeActor,
    err: Option<&Error>,
) -> PasswordChangePage {
    let fields = match err {
        Some(Error::Invalid(fields)) => fields.clone(),
        _ => Default::default(),
    };
    PasswordChangePage {
        frame: Frame::new(state, &pending.0, "BLGI002", "パスワード強制変更"),
        needs_login: service::required_changes(pending.0.user()).0,
        needs_confirmation: service::required_changes(pending.0.user()).1,
        error_summary: err.map(Error::message_ja).unwrap_or_default(),
        login_error: fields.message_for("new_login_password").unwrap_or_default(),
        confirmation_error: fields
            .message_for("new_confirmation_password")
            .unwrap_or_default(),
        min_len: state.policy.min_len,
        max_len: state.policy.max_len,
    }
}

/// GET /password/change
pub async fn view_password_change_get(
    State(state): State<AppState>,
    pending: PasswordChangeActor,
) -> Response {
    render(&password_change_page(&state, &pending, None))
}

/// POST /password/change
pub async fn view_password_change_post(
    State(state): State<AppState>,
    PageForm {
        actor: pending,
        form,
    }: PageForm<PasswordChangeActor, PasswordChangeInput>,
) -> Result<Response, PageError> {
    match service::change_password_at_login(&state, &pending, &form).await {
        Ok(()) => Ok(Redirect::to("/top").into_response()),
        Err(err @ Error::Invalid(_)) => Ok(render_status(
            status_of(err.kind()),
            &password_change_page(&state, &pending, Some(&err)),
        )),
        Err(other) => Err(other.into()),
    }
}
