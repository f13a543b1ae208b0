//! The one-time-password step of the login, at a company that uses ワンタイムパスワード:
//! ワンタイムパスワード認証 (BLGI003) for a user with a token, ワンタイムパスワード利用登録
//! (BLGI004) for one without — shared by the screens and the JSON API.
//!
//! Registration shows a fresh secret once (QR code and text) and registers it only when a
//! code computed from it is typed back: the secret waits in the session, sealed, until
//! then. After トークンの失効 a new token can be registered only once
//! `otp_reregistration_wait_minutes` have passed.

use madoguchi_domain::otp::{OtpCode, SECRET_BYTES, TokenSecret, TokenSerial};
use madoguchi_domain::{Error, FieldErrors, HistoryArea, SessionStage, jst};
use madoguchi_store::{LoginOtp, OtpAcceptance, StoreError};

use super::service::must_change;
use crate::confirm::otp::{self, FIELD};
use crate::state::AppState;
use crate::web::actor::{Actor, OtpActor, OtpRegistrationActor};
use crate::web::error::from_store;

pub const VERIFY: &str = "ワンタイムパスワード認証";
pub const REGISTER: &str = "ワンタイムパスワード利用登録";

/// What ワンタイムパスワード利用登録 shows.
#[derive(Debug)]
pub enum RegistrationScreen {
    /// The token to register: its serial, and its secret (shown here only).
    Ready {
        serial: TokenSerial,
        secret: TokenSecret,
        otpauth_url: String,
    },
    /// A token was revoked too recently: registration opens at `from` (日本時間).
    Wait { from: String },
}

/// When the last revocation still forbids registering, the moment it stops doing so.
async fn wait_until(state: &AppState, actor: &Actor) -> Result<Option<i64>, Error> {
    let status = state
        .store
        .otp_status(actor.user().id)
        .await
        .map_err(from_store)?;
    let wait = i64::from(state.config.otp_reregistration_wait_minutes) * 60 * 1_000_000;
    Ok(status
        .last_revoked_at
        .map(|at| at + wait)
        .filter(|until| *until > state.now()))
}

fn enrollment_context(id_hash: &str, serial: &str) -> String {
    format!("otp-enrollment:{id_hash}:{serial}")
}

/// The token being registered in this session: made (and kept in the session) on the
/// first look, the same one on every look after.
async fn enrollment(state: &AppState, actor: &Actor) -> Result<(TokenSerial, TokenSecret), Error> {
    let id_hash = &actor.session().id_hash;
    let stored = match &actor.session().otp_enrollment {
        Some(stored) => stored.clone(),
        None => {
            let serial = TokenSerial::from_random(rand::random());
            let bytes: [u8; SECRET_BYTES] = rand::random();
            let sealed = state
                .seal
                .seal(&enrollment_context(id_hash, serial.as_str()), &bytes)?;
            let fresh = format!("{}|{sealed}", serial.as_str());
            state
                .store
                .begin_enrollment(id_hash, &fresh)
                .await
                .map_err(from_store)?
                .ok_or(Error::NotLoggedIn)?
        }
    };
    let (serial, sealed) = stored.split_once('|').ok_or(Error::Internal)?;
    let bytes = state
        .seal
        .open(&enrollment_context(id_hash, serial), sealed)?;
    Ok((
        TokenSerial::stored(serial.to_owned()),
        TokenSecret::from_bytes(bytes)?,
    ))
}

/// GET ワンタイムパスワード利用登録: the token to register, or when registration opens.
pub async fn registration(
    state: &AppState,
    pending: &OtpRegistrationActor,
) -> Result<RegistrationScreen, Error> {
    let actor = &pending.0;
    if let Some(until) = wait_until(state, actor).await? {
        return Ok(RegistrationScreen::Wait {
            from: jst::format_minutes(until),
        });
    }
    let (serial, secret) = enrollment(state, actor).await?;
    let otpauth_url = secret.otpauth_url(&state.config.otp_issuer, &actor.user().login_id)?;
    Ok(RegistrationScreen::Ready {
        serial,
        secret,
        otpauth_url,
    })
}

/// The typed code, or a refusal at its field (recorded).
async fn code(
    state: &AppState,
    actor: &Actor,
    typed: &str,
    operation: &str,
) -> Result<OtpCode, Error> {
    match OtpCode::parse(typed) {
        Ok(code) => Ok(code),
        Err(e) => {
            let err = Error::Invalid(FieldErrors::single(FIELD, e));
            Err(actor
                .refuse_input(state, HistoryArea::Auth, operation, err)
                .await)
        }
    }
}

/// Accepts a right code at login and moves the session on; the stage it moved to.
async fn accept(
    state: &AppState,
    actor: &Actor,
    acceptance: OtpAcceptance,
    operation: &str,
) -> Result<SessionStage, Error> {
    let next = SessionStage::after_otp(must_change(actor.user()));
    let accepted = LoginOtp {
        user_id: actor.user().id,
        session: actor.session().clone(),
        acceptance,
        next,
        history: actor.draft(state, HistoryArea::Auth, operation),
    };
    match state.store.accept_login_otp(accepted).await {
        Ok(()) => Ok(next),
        Err(StoreError::OtpUsed) => Err(Error::OtpUsed),
        Err(StoreError::OtpRefused) => Err(Error::OtpLocked),
        Err(StoreError::CredentialRefused) => Err(Error::NotLoggedIn),
        Err(StoreError::Conflict { .. }) => Err(Error::Stale),
        Err(other) => Err(from_store(other)),
    }
}

/// Ends the session of a user whose one-time password just locked: they can go no further.
async fn end_if_locked(state: &AppState, actor: &Actor, err: Error) -> Error {
    if err == Error::OtpLocked
        && let Err(e) = state
            .store
            .end_session(&actor.session().id_hash, None)
            .await
    {
        return from_store(e);
    }
    err
}

/// POST ワンタイムパスワード利用登録: registers the shown token when `typed` is its code.
pub async fn register(
    state: &AppState,
    pending: &OtpRegistrationActor,
    typed: &str,
) -> Result<SessionStage, Error> {
    let actor = &pending.0;
    if let Some(until) = wait_until(state, actor).await? {
        let err = Error::OtpRegistrationWait {
            from: jst::format_minutes(until),
        };
        return Err(actor.refuse(state, HistoryArea::Auth, REGISTER, err).await);
    }
    let code = code(state, actor, typed, REGISTER).await?;
    let (serial, secret) = enrollment(state, actor).await?;
    let judged = otp::judge(state, actor, &code, &secret, 0, HistoryArea::Auth, REGISTER).await;
    let step = match judged {
        Ok(step) => step,
        Err(e) => return Err(end_if_locked(state, actor, e).await),
    };
    let user_id = actor.user().id;
    let sealed = state.seal.seal(
        &otp::token_context(user_id, serial.as_str()),
        secret.as_bytes(),
    )?;
    let acceptance = OtpAcceptance::Register {
        serial: serial.as_str().to_owned(),
        secret_sealed: sealed,
        step,
    };
    let result = accept(state, actor, acceptance, REGISTER).await;
    match result {
        Err(e) => Err(end_if_locked(state, actor, e).await),
        ok => ok,
    }
}

/// POST ワンタイムパスワード認証: the login goes on when `typed` is the token's code.
pub async fn verify(
    state: &AppState,
    pending: &OtpActor,
    typed: &str,
) -> Result<SessionStage, Error> {
    let actor = &pending.0;
    let code = code(state, actor, typed, VERIFY).await?;
    let (secret, last_step) = otp::token_of(state, actor).await?;
    let judged = otp::judge(
        state,
        actor,
        &code,
        &secret,
        last_step,
        HistoryArea::Auth,
        VERIFY,
    )
    .await;
    let step = match judged {
        Ok(step) => step,
        Err(e) => return Err(end_if_locked(state, actor, e).await),
    };
    match accept(state, actor, OtpAcceptance::Verify { step }, VERIFY).await {
        Err(e) => Err(end_if_locked(state, actor, e).await),
        ok => ok,
    }
}
