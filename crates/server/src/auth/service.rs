//! ログイン, ログアウト and the forced password change at login: one function per
//! operation, shared by the screens and the JSON API.

use madoguchi_domain::password::{CONFIRMATION_PASSWORD, LOGIN_PASSWORD};
use madoguchi_domain::{Error, FieldErrors, HistoryArea, OtpStep, Password, SessionStage};
use madoguchi_store::{Company, NewSession, StoreError, UserRecord};

use super::password::{Proven, abandon, prove_password, refuse_locked, refuse_proven};
use crate::certificates::ClientCertificate;
use crate::state::AppState;
use crate::web::actor::{PasswordChangeActor, SessionActor};
use crate::web::client::ClientInfo;
use crate::web::error::{from_store, hashing};
use crate::web::token;

const LOGIN: &str = "ログイン";

/// A successful login: the new session's cookie token and CSRF token.
#[derive(Debug)]
pub struct LoginSuccess {
    pub session_token: String,
    pub csrf_token: String,
    /// The stage the session starts in (the one-time password, the forced change, or done).
    pub stage: SessionStage,
    pub user: UserRecord,
}

/// ログイン: the password (see [`prove_password`]), then for a company on 電子証明書方式
/// the client certificate of this connection, which must be the user's certificate in use
/// (checked only after a right password, so the answer tells nothing about an ID to
/// someone who does not know its password); then the session, in the stage the login
/// goes on with.
pub async fn login(
    state: &AppState,
    client: &ClientInfo,
    typed_login_id: &str,
    password: &Password,
    presented: &ClientCertificate,
) -> Result<LoginSuccess, Error> {
    let proven = prove_password(state, client, typed_login_id, password, LOGIN).await?;
    let certificate_serial = if proven.company.options.certificate {
        match super::certificate::check_login(state, &proven.user, presented).await {
            Ok(serial) => Some(serial),
            Err((err, reason)) => {
                let details = serde_json::json!({ "reason": reason, "serial": presented.serial() });
                return Err(refuse_proven(state, &proven, err, details).await);
            }
        }
    } else {
        None
    };
    let Proven {
        user,
        company,
        draft,
    } = proven;
    let otp = match otp_step(state, &user, &company).await {
        Ok(otp) => otp,
        Err(err) => {
            // The password was right, but the one-time password is locked: no session.
            abandon(state, user.id).await;
            let entry = draft
                .failed(err.code())
                .details(serde_json::json!({"reason": "otp_locked"}));
            state
                .store
                .append_history(entry)
                .await
                .map_err(from_store)?;
            return Err(err);
        }
    };
    // A new session id at every login (no session fixation).
    let session_token = token::random_token();
    let csrf_token = token::random_token();
    let must_change = must_change(&user);
    let stage = SessionStage::after_password(otp, must_change);
    let session = NewSession {
        id_hash: token::digest(&session_token),
        user_id: user.id,
        company_id: user.company_id,
        csrf_token: csrf_token.clone(),
        stage,
        credential_version: user.credential_version,
        created_at: draft.occurred_at,
        ip: client.ip.clone(),
        user_agent: client.user_agent.clone(),
        certificate_serial: certificate_serial.clone(),
    };
    let entry = draft.clone().details(serde_json::json!({
        "forced_password_change": must_change,
        "next": stage.code(),
        "certificate_serial": certificate_serial,
    }));
    match state
        .store
        .record_login_success(user.id, session, entry)
        .await
    {
        Ok(()) => Ok(LoginSuccess {
            session_token,
            csrf_token,
            stage,
            user,
        }),
        // Locked by concurrent guesses (or the password changed) while this one was
        // judged: it must not get in.
        Err(StoreError::CredentialRefused) => {
            refuse_locked(state, password, draft, "locked_or_changed_meanwhile", false).await
        }
        Err(other) => Err(from_store(other)),
    }
}

/// The passwords must be replaced at this login (パスワード強制変更).
pub fn must_change(user: &UserRecord) -> bool {
    user.must_change_password
        || user.must_change_confirmation
        || user.confirm_password_hash.is_none()
}

/// The one-time-password step the login asks for once the password was right: none where
/// the company does not use ワンタイムパスワード; refused while the user's is locked.
async fn otp_step(
    state: &AppState,
    user: &UserRecord,
    company: &Company,
) -> Result<Option<OtpStep>, Error> {
    if !company.options.otp {
        return Ok(None);
    }
    if user.otp_locked {
        return Err(Error::OtpLocked);
    }
    let status = state.store.otp_status(user.id).await.map_err(from_store)?;
    Ok(Some(if status.token.is_some() {
        OtpStep::Verify
    } else {
        OtpStep::Register
    }))
}

/// ログアウト: ends the session (in any stage) and records it.
pub async fn logout(state: &AppState, actor: &SessionActor) -> Result<(), Error> {
    let draft = actor.0.draft(state, HistoryArea::Auth, "ログアウト");
    state
        .store
        .end_session(&actor.0.session().id_hash, Some(draft))
        .await
        .map_err(from_store)
}

/// The typed fields of パスワード強制変更.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct PasswordChangeInput {
    #[serde(default)]
    pub new_login_password: String,
    #[serde(default)]
    pub new_login_password_again: String,
    #[serde(default)]
    pub new_confirmation_password: String,
    #[serde(default)]
    pub new_confirmation_password_again: String,
}

/// パスワード強制変更: a new login password (and the confirmation password, when it was
/// never set or set by someone else) under the deployment's policy; a new password may not
/// be the current one. The change happens only while this session still waits for it and
/// the passwords are those it was opened under: once the change was made elsewhere, a
/// session left waiting is useless. Every other session of the user ends.
pub async fn change_password_at_login(
    state: &AppState,
    pending: &PasswordChangeActor,
    input: &PasswordChangeInput,
) -> Result<(), Error> {
    let actor = &pending.0;
    let user = actor.user();
    let (needs_login, needs_confirmation) = required_changes(user);
    let mut errors = FieldErrors::new();
    let login = if needs_login {
        let new = state.policy.parse_new(
            LOGIN_PASSWORD,
            &input.new_login_password,
            &input.new_login_password_again,
            &user.login_id,
        );
        errors.check("new_login_password", new)
    } else {
        None
    };
    let confirmation = if needs_confirmation {
        let new = state.policy.parse_new(
            CONFIRMATION_PASSWORD,
            &input.new_confirmation_password,
            &input.new_confirmation_password_again,
            &user.login_id,
        );
        errors.check("new_confirmation_password", new)
    } else {
        None
    };
    // A new password may not be the current one (a password someone else set and knows).
    let login_same = match &login {
        Some(p) => state
            .hasher
            .verify(p, &user.login_password_hash)
            .await
            .map_err(hashing)?,
        None => false,
    };
    let confirmation_same = match (&confirmation, &user.confirm_password_hash) {
        (Some(p), Some(current)) => state.hasher.verify(p, current).await.map_err(hashing)?,
        _ => false,
    };
    if login_same {
        errors.add(
            "new_login_password",
            Error::Unchanged {
                label: LOGIN_PASSWORD,
            },
        );
    }
    if confirmation_same {
        errors.add(
            "new_confirmation_password",
            Error::Unchanged {
                label: CONFIRMATION_PASSWORD,
            },
        );
    }
    if let Err(err) = errors.into_result() {
        return Err(actor
            .refuse_input(state, HistoryArea::Auth, "パスワード強制変更", err)
            .await);
    }
    let login_hash = match &login {
        Some(p) => Some(state.hasher.hash(p).await.map_err(hashing)?),
        None => None,
    };
    let confirm_hash = match &confirmation {
        Some(p) => Some(state.hasher.hash(p).await.map_err(hashing)?),
        None => None,
    };
    let changed = |yes: bool| if yes { "変更" } else { "変更なし" };
    let draft = actor
        .draft(state, HistoryArea::Auth, "パスワード強制変更")
        .details(serde_json::json!({
            "login_password": changed(needs_login),
            "confirmation_password": changed(needs_confirmation),
        }));
    match state
        .store
        .change_passwords_at_login(
            user.id,
            login_hash.as_deref(),
            confirm_hash.as_deref(),
            actor.session(),
            draft,
        )
        .await
    {
        Ok(()) => Ok(()),
        Err(StoreError::CredentialRefused) => {
            // The passwords were changed elsewhere meanwhile: this session is over.
            Err(actor
                .refuse(
                    state,
                    HistoryArea::Auth,
                    "パスワード強制変更",
                    Error::NotLoggedIn,
                )
                .await)
        }
        Err(other) => Err(from_store(other)),
    }
}

/// Which passwords the forced change must replace: the login password when flagged, the
/// confirmation password when never set or set by someone else (operator, administrator).
pub fn required_changes(user: &UserRecord) -> (bool, bool) {
    let confirmation = user.confirm_password_hash.is_none() || user.must_change_confirmation;
    let login = user.must_change_password || !confirmation;
    (login, confirmation)
}
