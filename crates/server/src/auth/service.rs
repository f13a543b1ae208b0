//! ログイン, ログアウト and the forced password change at login: one function per
//! operation, shared by the screens and the JSON API.

use madoguchi_domain::password::{CONFIRMATION_PASSWORD, LOGIN_PASSWORD};
use madoguchi_domain::{
    Credential, Error, FieldErrors, HistoryArea, OtpStep, Password, SessionStage, login_id,
};
use madoguchi_store::{AttemptClaim, HistoryDraft, NewSession, StoreError, UserRecord};

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

/// Records the refusal of a login that names no account one can act on (unknown ID,
/// locked account): one by one within the deployment's budget, else summarised.
async fn record_unauthenticated(state: &AppState, entry: HistoryDraft) -> Result<(), Error> {
    state
        .limits
        .record_unauthenticated(state.store.as_ref(), entry)
        .await
        .map_err(from_store)
}

/// ログイン. An unknown ID, a wrong password and a locked ID are refused alike (same
/// message, same status, about the same time).
///
/// Each attempt first claims one of the `login_lock_threshold` attempts the account allows
/// (in the database), and only then is the password judged: however many guesses arrive
/// at once, at most that many are ever judged between two successes or releases, a guess
/// arriving after them is refused without its password being looked at, and a success
/// never follows the lock. Before anything, the per-address and per-ID rate limits apply.
pub async fn login(
    state: &AppState,
    client: &ClientInfo,
    typed_login_id: &str,
    password: &Password,
) -> Result<LoginSuccess, Error> {
    let key = login_id::lookup_key(typed_login_id);
    let mut draft = state.draft(client, HistoryArea::Auth, LOGIN);
    draft.login_id = typed_login_id.chars().take(64).collect();
    let limit_key = key.clone().unwrap_or_else(|| draft.login_id.clone());
    if let Err(err) = state.limits.login(&client.ip, &limit_key) {
        state.limits.count(&draft.failed(err.code()));
        return Err(err);
    }
    let user = match &key {
        Some(key) => state
            .store
            .user_by_login_key(key)
            .await
            .map_err(from_store)?,
        None => None,
    };
    let Some(user) = user.filter(|u| !u.deleted) else {
        state.hasher.verify_dummy(password).await.map_err(hashing)?;
        let entry = draft
            .failed(Error::LoginFailed.code())
            .details(serde_json::json!({"reason": "unknown_login_id"}));
        record_unauthenticated(state, entry).await?;
        return Err(Error::LoginFailed);
    };
    draft.company_id = Some(user.company_id);
    draft.user_id = Some(user.id);
    draft.login_id = user.login_id.clone();
    if user.stopped {
        // 管理者による利用停止: refused like a lock, whatever was typed.
        return refuse_locked(state, password, draft, "stopped", true).await;
    }

    let threshold = i64::from(state.config.login_lock_threshold);
    let on_lock = draft
        .clone()
        .operation(Credential::LoginPassword.lock_operation())
        .failed(Error::LoginLocked.code())
        .details(serde_json::json!({"consecutive_failures": threshold}));
    let claim = state
        .store
        .claim_attempt(
            user.id,
            Credential::LoginPassword,
            threshold,
            draft.occurred_at,
        )
        .await
        .map_err(from_store)?;
    if let AttemptClaim::Refused { locked } = claim {
        let reason = if locked {
            "locked"
        } else {
            "attempts_in_flight"
        };
        return refuse_locked(state, password, draft, reason, true).await;
    }
    let matches = match state
        .hasher
        .verify(password, &user.login_password_hash)
        .await
    {
        Ok(matches) => matches,
        Err(e) => {
            crate::confirm::credential::abandon(state, user.id, Credential::LoginPassword).await;
            return Err(hashing(e));
        }
    };
    if !matches {
        let failure = draft
            .failed(Error::LoginFailed.code())
            .details(serde_json::json!({"reason": "wrong_password"}));
        state
            .store
            .record_wrong(
                user.id,
                Credential::LoginPassword,
                threshold,
                failure,
                on_lock,
            )
            .await
            .map_err(from_store)?;
        return Err(Error::LoginFailed);
    }

    if state.hasher.needs_rehash(&user.login_password_hash) {
        // A new hash with the current parameters; if it cannot be made now (the hashing
        // threads are busy), the next login makes it.
        if let Ok(fresh) = state.hasher.hash(password).await {
            state
                .store
                .rehash_login_password(user.id, &fresh)
                .await
                .map_err(from_store)?;
        }
    }
    let otp = match otp_step(state, &user).await {
        Ok(otp) => otp,
        Err(err) => {
            // The password was right, but the one-time password is locked: no session.
            crate::confirm::credential::abandon(state, user.id, Credential::LoginPassword).await;
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
    };
    let entry = draft.clone().details(serde_json::json!({
        "forced_password_change": must_change,
        "next": stage.code(),
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
async fn otp_step(state: &AppState, user: &UserRecord) -> Result<Option<OtpStep>, Error> {
    let company = state
        .store
        .company(user.company_id)
        .await
        .map_err(from_store)?
        .ok_or(Error::LoginFailed)?;
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

/// The answer to a login on a locked account: the generic refusal, whatever was typed
/// (guesses are no longer judged, so the answer must not depend on the password). The
/// time of one verification is spent either way; the entry says why.
async fn refuse_locked(
    state: &AppState,
    password: &Password,
    draft: HistoryDraft,
    reason: &str,
    spend_time: bool,
) -> Result<LoginSuccess, Error> {
    if spend_time {
        state.hasher.verify_dummy(password).await.map_err(hashing)?;
    }
    let entry = draft
        .failed(Error::LoginLocked.code())
        .details(serde_json::json!({ "reason": reason }));
    record_unauthenticated(state, entry).await?;
    Err(Error::LoginFailed)
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
