//! ログイン, ログアウト and the forced password change at login: one function per
//! operation, shared by the screens and the JSON API.

use madoguchi_domain::password::{CONFIRMATION_PASSWORD, LOGIN_PASSWORD};
use madoguchi_domain::{Error, FieldErrors, HistoryArea, Password, login_id};
use madoguchi_store::{NewSession, UserRecord};

use crate::state::AppState;
use crate::web::actor::{Actor, PendingActor};
use crate::web::client::ClientInfo;
use crate::web::error::{from_store, internal};
use crate::web::token;

const LOGIN: &str = "ログイン";

/// A successful login: the new session's cookie token and CSRF token.
#[derive(Debug)]
pub struct LoginSuccess {
    pub session_token: String,
    pub csrf_token: String,
    /// The user must set new passwords before anything else (強制変更).
    pub must_change_password: bool,
    pub user: UserRecord,
}

/// ログイン. An unknown ID, a wrong password and a locked ID are refused alike (same
/// message, same status, about the same time). The N-th consecutive wrong password locks
/// the login password; while locked even the right password does not get in.
pub async fn login(
    state: &AppState,
    client: &ClientInfo,
    typed_login_id: &str,
    password: &Password,
) -> Result<LoginSuccess, Error> {
    let key = login_id::lookup_key(typed_login_id);
    let user = if key.is_empty() {
        None
    } else {
        state
            .store
            .user_by_login_key(&key)
            .await
            .map_err(from_store)?
    };
    let mut draft = state.draft(client, HistoryArea::Auth, LOGIN);
    draft.login_id = typed_login_id.chars().take(64).collect();
    let Some(user) = user.filter(|u| !u.deleted) else {
        state
            .hasher
            .verify_dummy(password)
            .await
            .map_err(internal)?;
        let err = Error::LoginFailed;
        let entry = draft
            .failed(err.code())
            .details(serde_json::json!({"reason": "unknown_login_id"}));
        state
            .store
            .append_history(entry)
            .await
            .map_err(from_store)?;
        return Err(err);
    };
    draft.company_id = Some(user.company_id);
    draft.user_id = Some(user.id);
    draft.login_id = user.login_id.clone();
    let matches = state
        .hasher
        .verify(password, &user.login_password_hash)
        .await
        .map_err(internal)?;

    if user.login_locked {
        // While locked, guesses are no longer counted, so the answer must not depend on
        // whether the password was right: everyone gets the generic refusal (the time of
        // one verification was spent above either way). The entry says why.
        let entry = draft
            .failed(Error::LoginLocked.code())
            .details(serde_json::json!({"reason": "locked"}));
        state
            .store
            .append_history(entry)
            .await
            .map_err(from_store)?;
        return Err(Error::LoginFailed);
    }
    if !matches {
        let threshold = i64::from(state.config.login_lock_threshold);
        let failure = draft
            .clone()
            .failed(Error::LoginFailed.code())
            .details(serde_json::json!({"reason": "wrong_password"}));
        let on_lock = draft
            .operation("ログインパスワード利用停止")
            .failed(Error::LoginLocked.code())
            .details(serde_json::json!({"consecutive_failures": threshold}));
        state
            .store
            .record_login_failure(user.id, threshold, failure, on_lock)
            .await
            .map_err(from_store)?;
        return Err(Error::LoginFailed);
    }

    if state.hasher.needs_rehash(&user.login_password_hash) {
        let fresh = state.hasher.hash(password).await.map_err(internal)?;
        state
            .store
            .rehash_login_password(user.id, &fresh)
            .await
            .map_err(from_store)?;
    }
    // A new session id at every login (no session fixation).
    let session_token = token::random_token();
    let csrf_token = token::random_token();
    let must_change_password = user.must_change_password
        || user.must_change_confirmation
        || user.confirm_password_hash.is_none();
    let session = NewSession {
        id_hash: token::digest(&session_token),
        user_id: user.id,
        company_id: user.company_id,
        csrf_token: csrf_token.clone(),
        pending_password_change: must_change_password,
        created_at: draft.occurred_at,
        ip: client.ip.clone(),
        user_agent: client.user_agent.clone(),
    };
    let entry = draft.details(serde_json::json!({"forced_password_change": must_change_password}));
    state
        .store
        .record_login_success(user.id, session, entry)
        .await
        .map_err(from_store)?;
    Ok(LoginSuccess {
        session_token,
        csrf_token,
        must_change_password,
        user,
    })
}

/// ログアウト: ends the session and records it.
pub async fn logout(state: &AppState, actor: &Actor) -> Result<(), Error> {
    let draft = actor.draft(state, HistoryArea::Auth, "ログアウト");
    state
        .store
        .end_session(&actor.session.id_hash, Some(draft))
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
/// never set) under the deployment's policy; the new login password may not be the
/// current one. Afterwards the session may go on to トップページ.
pub async fn change_password_at_login(
    state: &AppState,
    pending: &PendingActor,
    input: &PasswordChangeInput,
) -> Result<(), Error> {
    let actor = &pending.0;
    let user = &actor.user;
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
            .map_err(internal)?,
        None => false,
    };
    let confirmation_same = match (&confirmation, &user.confirm_password_hash) {
        (Some(p), Some(current)) => state.hasher.verify(p, current).await.map_err(internal)?,
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
        Some(p) => Some(state.hasher.hash(p).await.map_err(internal)?),
        None => None,
    };
    let confirm_hash = match &confirmation {
        Some(p) => Some(state.hasher.hash(p).await.map_err(internal)?),
        None => None,
    };
    let changed = |yes: bool| if yes { "変更" } else { "変更なし" };
    let draft = actor
        .draft(state, HistoryArea::Auth, "パスワード強制変更")
        .details(serde_json::json!({
            "login_password": changed(needs_login),
            "confirmation_password": changed(needs_confirmation),
        }));
    state
        .store
        .change_passwords_at_login(
            user.id,
            login_hash.as_deref(),
            confirm_hash.as_deref(),
            &actor.session.id_hash,
            draft,
        )
        .await
        .map_err(from_store)
}

/// Which passwords the forced change must replace: the login password when flagged, the
/// confirmation password when never set or set by someone else (operator, administrator).
pub fn required_changes(user: &madoguchi_store::UserRecord) -> (bool, bool) {
    let confirmation = user.confirm_password_hash.is_none() || user.must_change_confirmation;
    let login = user.must_change_password || !confirmation;
    (login, confirmation)
}
