//! Screens: ワンタイムパスワード認証 (BLGI003) and ワンタイムパスワード利用登録 (BLGI004),
//! the login's step after the password at a company that uses ワンタイムパスワード.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::http::header::SET_COOKIE;
use axum::response::{IntoResponse, Redirect, Response};
use madoguchi_domain::Error;
use qrcode::QrCode;
use qrcode::render::svg;
use serde::Deserialize;

use super::otp::{self, RegistrationScreen};
use super::views::{login_page, stage_path, with_form_cookie};
use crate::state::AppState;
use crate::web::actor::{OtpActor, OtpRegistrationActor};
use crate::web::error::{PageError, status_of};
use crate::web::form::PageForm;
use crate::web::page::{Frame, render_status};

#[derive(Template)]
#[template(path = "login_otp.html")]
struct OtpPage {
    frame: Frame,
    error: String,
}

/// What BLGI004 shows.
enum Screen {
    Wait {
        from: String,
    },
    Ready {
        serial: String,
        secret: String,
        qr_svg: String,
    },
}

#[derive(Template)]
#[template(path = "login_otp_register.html")]
struct RegisterPage {
    frame: Frame,
    screen: Screen,
    error: String,
}

#[derive(Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    one_time_password: String,
}

/// The QR code of an `otpauth://` address, as inline SVG (drawn here, no outside service).
fn qr_svg(url: &str) -> Result<String, Error> {
    let code = QrCode::new(url.as_bytes()).map_err(|_| Error::Internal)?;
    let image = code
        .render::<svg::Color<'_>>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .build();
    // The XML declaration has no place inside an HTML page.
    Ok(image
        .find("<svg")
        .map(|at| image[at..].to_owned())
        .unwrap_or(image))
}

/// Where a refusal of the login's one-time password leads: the login page when the
/// session is over (locked, ended), else the same screen with the message.
fn over(state: &AppState, err: &Error) -> Option<Response> {
    if !matches!(err, Error::OtpLocked | Error::NotLoggedIn) {
        return None;
    }
    let (t, page) = login_page(state, String::new(), err.message_ja(), String::new());
    let mut response = with_form_cookie(state, status_of(err.kind()), &t, &page);
    if let Ok(clear) = state.cookies.clear(state.cookies.session_name()).parse() {
        response.headers_mut().append(SET_COOKIE, clear);
    }
    Some(response)
}

/// GET /login/otp
pub async fn view_otp_get(State(state): State<AppState>, pending: OtpActor) -> Response {
    let page = OtpPage {
        frame: Frame::new(&state, &pending.0, "BLGI003", "ワンタイムパスワード認証"),
        error: String::new(),
    };
    render_status(StatusCode::OK, &page)
}

/// POST /login/otp — 認証.
pub async fn view_otp_post(
    State(state): State<AppState>,
    PageForm {
        actor: pending,
        form,
    }: PageForm<OtpActor, CodeForm>,
) -> Result<Response, PageError> {
    match otp::verify(&state, &pending, &form.one_time_password).await {
        Ok(stage) => Ok(Redirect::to(stage_path(stage)).into_response()),
        Err(err) => {
            if let Some(response) = over(&state, &err) {
                return Ok(response);
            }
            if !is_about_the_code(&err) {
                return Err(err.into());
            }
            let page = OtpPage {
                frame: Frame::new(&state, &pending.0, "BLGI003", "ワンタイムパスワード認証"),
                error: message(&err),
            };
            Ok(render_status(status_of(err.kind()), &page))
        }
    }
}

fn is_about_the_code(err: &Error) -> bool {
    matches!(
        err,
        Error::OtpWrong | Error::OtpUsed | Error::Invalid(_) | Error::TooManyRequests { .. }
    )
}

fn message(err: &Error) -> String {
    match err {
        Error::Invalid(f) => f
            .message_for(crate::confirm::otp::FIELD)
            .unwrap_or_else(|| err.message_ja()),
        other => other.message_ja(),
    }
}

fn register_page(
    state: &AppState,
    pending: &OtpRegistrationActor,
    screen: RegistrationScreen,
    error: String,
) -> Result<RegisterPage, Error> {
    let screen = match screen {
        RegistrationScreen::Wait { from } => Screen::Wait { from },
        RegistrationScreen::Ready {
            serial,
            secret,
            otpauth_url,
        } => Screen::Ready {
            serial: serial.as_str().to_owned(),
            secret: secret.base32(),
            qr_svg: qr_svg(&otpauth_url)?,
        },
    };
    Ok(RegisterPage {
        frame: Frame::new(state, &pending.0, "BLGI004", "ワンタイムパスワード利用登録"),
        screen,
        error,
    })
}

/// GET /login/otp/register
pub async fn view_register_get(
    State(state): State<AppState>,
    pending: OtpRegistrationActor,
) -> Result<Response, PageError> {
    let screen = otp::registration(&state, &pending).await?;
    let page = register_page(&state, &pending, screen, String::new())?;
    Ok(render_status(StatusCode::OK, &page))
}

/// POST /login/otp/register — 登録.
pub async fn view_register_post(
    State(state): State<AppState>,
    PageForm {
        actor: pending,
        form,
    }: PageForm<OtpRegistrationActor, CodeForm>,
) -> Result<Response, PageError> {
    match otp::register(&state, &pending, &form.one_time_password).await {
        Ok(stage) => Ok(Redirect::to(stage_path(stage)).into_response()),
        Err(err) => {
            if let Some(response) = over(&state, &err) {
                return Ok(response);
            }
            if matches!(err, Error::OtpRegistrationWait { .. }) {
                let screen = otp::registration(&state, &pending).await?;
                let page = register_page(&state, &pending, screen, String::new())?;
                return Ok(render_status(status_of(err.kind()), &page));
            }
            if !is_about_the_code(&err) {
                return Err(err.into());
            }
            let screen = otp::registration(&state, &pending).await?;
            let page = register_page(&state, &pending, screen, message(&err))?;
            Ok(render_status(status_of(err.kind()), &page))
        }
    }
}
