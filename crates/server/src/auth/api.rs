//! JSON API: `/api/v1/login` (and its one-time-password step), `/api/v1/logout`,
//! `/api/v1/me`.

use axum::Json;
use axum::extract::State;
use axum::http::header::SET_COOKIE;
use axum::response::{AppendHeaders, IntoResponse, Response};
use madoguchi_domain::SessionStage;
use madoguchi_domain::{Password, jst};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::otp::{self, RegistrationScreen};
use super::service;
use crate::certificates::ClientCertificate;
use crate::state::AppState;
use crate::web::actor::{Actor, OtpActor, OtpRegistrationActor, SessionActor};
use crate::web::client::ClientInfo;
use crate::web::error::{ApiError, ErrorBody};
use crate::web::extract;

/// ログイン request.
#[derive(Debug, Deserialize, ToSchema)]
pub struct LoginRequest {
    /// ログインID
    pub login_id: String,
    /// ログインパスワード
    pub password: String,
}

/// The logged-in user.
#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    pub login_id: String,
    /// 利用者名
    pub name: String,
    /// 企業名
    pub company: String,
    pub is_master: bool,
    /// 管理者権限
    pub is_admin: bool,
    /// 前回ログイン日時 (日本時間), if any.
    pub previous_login: Option<String>,
    /// Send this in `X-CSRF-Token` with every non-GET API call.
    pub csrf_token: String,
    /// The passwords must be changed (on the screen) before anything else.
    pub must_change_password: bool,
}

fn me(actor: &Actor) -> Me {
    let user = actor.user();
    Me {
        login_id: user.login_id.clone(),
        name: user.name.clone(),
        company: actor.company().name.clone(),
        is_master: user.is_master,
        is_admin: user.has_admin_authority(),
        previous_login: user.previous_login_at.map(jst::format_minutes),
        csrf_token: actor.session().csrf_token.clone(),
        must_change_password: actor.session().stage == SessionStage::PasswordChange,
    }
}

/// ログイン: opens a session (cookie) and returns the CSRF token for later calls.
#[utoipa::path(post, path = "/api/v1/login", tag = "認証", request_body = LoginRequest,
    responses(
        (status = 200, description = "ログインしました", body = LoginResponse),
        (status = 401, description = "AUTH-0001 ログインIDまたはログインパスワードが正しくありません / AUTH-0016 電子証明書が提示されていません / AUTH-0017 電子証明書がこの利用者の有効なものではありません", body = ErrorBody),
        (status = 422, description = "VAL-0015/VAL-0016/VAL-0017 a field missing or of the wrong type", body = ErrorBody),
        (status = 429, description = "SEC-0003 too many attempts (Retry-After) / SYS-0002 busy", body = ErrorBody),
    ))]
pub async fn login(
    State(state): State<AppState>,
    client: ClientInfo,
    certificate: ClientCertificate,
    extract::Json(body): extract::Json<LoginRequest>,
) -> Result<Response, ApiError> {
    let success = service::login(
        &state,
        &client,
        &body.login_id,
        &Password::typed(body.password),
        &certificate,
    )
    .await?;
    let cookie = state
        .cookies
        .set(state.cookies.session_name(), &success.session_token);
    let body = LoginResponse {
        login_id: success.user.login_id,
        name: success.user.name,
        csrf_token: success.csrf_token,
        must_change_password: success.stage == SessionStage::PasswordChange,
        next: success.stage.code().to_owned(),
    };
    Ok((AppendHeaders([(SET_COOKIE, cookie)]), Json(body)).into_response())
}

/// Answer to a successful login.
#[derive(Debug, Serialize, ToSchema)]
pub struct LoginResponse {
    pub login_id: String,
    pub name: String,
    /// Send this in `X-CSRF-Token` with every non-GET API call.
    pub csrf_token: String,
    pub must_change_password: bool,
    /// Where the login stands: `otp` (send the code to `/api/v1/login/otp`),
    /// `otp_registration` (register a token at `/api/v1/login/otp/registration`),
    /// `password_change` (on the screen), or `active`.
    pub next: String,
}

/// A one-time password, as typed.
#[derive(Debug, Deserialize, ToSchema)]
pub struct OtpBody {
    /// ワンタイムパスワード (半角数字6桁)
    pub one_time_password: String,
}

/// Where the login stands after an accepted code.
#[derive(Debug, Serialize, ToSchema)]
pub struct NextBody {
    /// `password_change` or `active`.
    pub next: String,
}

/// ワンタイムパスワード認証: the login's step after the password.
#[utoipa::path(post, path = "/api/v1/login/otp", tag = "認証", request_body = OtpBody,
    params(("X-CSRF-Token" = String, Header, description = "the token from login")),
    responses(
        (status = 200, description = "認証しました", body = NextBody),
        (status = 401, description = "AUTH-0010 wrong code / AUTH-0012 code already used", body = ErrorBody),
        (status = 422, description = "VAL-0001 / VAL-0010 not six digits", body = ErrorBody),
        (status = 423, description = "AUTH-0011 ワンタイムパスワード利用停止 (the session ends)", body = ErrorBody),
        (status = 429, description = "SEC-0003 too many attempts", body = ErrorBody),
    ))]
pub async fn login_otp(
    State(state): State<AppState>,
    pending: OtpActor,
    extract::Json(body): extract::Json<OtpBody>,
) -> Result<Json<NextBody>, ApiError> {
    let next = otp::verify(&state, &pending, &body.one_time_password).await?;
    Ok(Json(NextBody {
        next: next.code().to_owned(),
    }))
}

/// The token to register: shown once, before registration (never after).
#[derive(Debug, Serialize, ToSchema)]
pub struct RegistrationBody {
    /// トークンシリアル番号
    pub serial: String,
    /// The secret in base32 (RFC 6238: SHA-1, 6 digits, 30 s).
    pub secret: String,
    /// The `otpauth://totp/…` address for an authenticator app.
    pub otpauth_url: String,
}

/// ワンタイムパスワード利用登録: the token this session registers.
#[utoipa::path(get, path = "/api/v1/login/otp/registration", tag = "認証",
    responses(
        (status = 200, body = RegistrationBody),
        (status = 403, description = "AUTH-0015 a token was revoked too recently: the message says from when", body = ErrorBody),
    ))]
pub async fn get_otp_registration(
    State(state): State<AppState>,
    pending: OtpRegistrationActor,
) -> Result<Json<RegistrationBody>, ApiError> {
    match otp::registration(&state, &pending).await? {
        RegistrationScreen::Ready {
            serial,
            secret,
            otpauth_url,
        } => Ok(Json(RegistrationBody {
            serial: serial.as_str().to_owned(),
            secret: secret.base32().replace(' ', ""),
            otpauth_url,
        })),
        RegistrationScreen::Wait { from } => {
            Err(ApiError(madoguchi_domain::Error::OtpRegistrationWait {
                from,
            }))
        }
    }
}

/// ワンタイムパスワード利用登録: registers the token with its current code.
#[utoipa::path(post, path = "/api/v1/login/otp/registration", tag = "認証", request_body = OtpBody,
    params(("X-CSRF-Token" = String, Header, description = "the token from login")),
    responses(
        (status = 200, description = "登録しました", body = NextBody),
        (status = 401, description = "AUTH-0010 wrong code", body = ErrorBody),
        (status = 403, description = "AUTH-0015 too soon after a revocation", body = ErrorBody),
        (status = 423, description = "AUTH-0011 ワンタイムパスワード利用停止", body = ErrorBody),
    ))]
pub async fn post_otp_registration(
    State(state): State<AppState>,
    pending: OtpRegistrationActor,
    extract::Json(body): extract::Json<OtpBody>,
) -> Result<Json<NextBody>, ApiError> {
    let next = otp::register(&state, &pending, &body.one_time_password).await?;
    Ok(Json(NextBody {
        next: next.code().to_owned(),
    }))
}

/// ログアウト: ends the session.
#[utoipa::path(post, path = "/api/v1/logout", tag = "認証",
    params(("X-CSRF-Token" = String, Header, description = "the token from login")),
    responses(
        (status = 204, description = "ログアウトしました"),
        (status = 401, description = "AUTH-0005 ログインしていません", body = ErrorBody),
        (status = 403, description = "SEC-0001 CSRF token missing or wrong", body = ErrorBody),
    ))]
pub async fn logout(
    State(state): State<AppState>,
    actor: SessionActor,
) -> Result<Response, ApiError> {
    service::logout(&state, &actor).await?;
    let clear = state.cookies.clear(state.cookies.session_name());
    Ok((
        AppendHeaders([(SET_COOKIE, clear)]),
        axum::http::StatusCode::NO_CONTENT,
    )
        .into_response())
}

/// The logged-in user and company.
#[utoipa::path(get, path = "/api/v1/me", tag = "認証",
    responses(
        (status = 200, description = "ログイン中の利用者", body = Me),
        (status = 401, description = "AUTH-0005 / AUTH-0006 / AUTH-0007", body = ErrorBody),
    ))]
pub async fn get_me(actor: SessionActor) -> Json<Me> {
    Json(me(&actor.0))
}
