//! The proof of a login password, shared by ログイン and 電子証明書発行: rate limits, the
//! attempt claimed before the password is judged (so lock-outs hold under any
//! concurrency), the wrong password counted, and the refusals recorded.

use madoguchi_domain::{Credential, Error, HistoryArea, Password, login_id};
use madoguchi_store::{AttemptClaim, Company, HistoryDraft, UserRecord};

use crate::state::AppState;
use crate::web::client::ClientInfo;
use crate::web::error::{from_store, hashing};

/// Records the refusal of a login that names no account one can act on (unknown ID,
/// locked account): one by one within the deployment's budget, else summarised.
pub(crate) async fn record_unauthenticated(
    state: &AppState,
    entry: HistoryDraft,
) -> Result<(), Error> {
    state
        .limits
        .record_unauthenticated(state.store.as_ref(), entry)
        .await
        .map_err(from_store)
}

/// A right login password whose attempt is still claimed: the caller ends the claim by
/// the write its success makes (which resets the count), or by `abandon`.
pub(crate) struct Proven {
    pub user: UserRecord,
    pub company: Company,
    /// The operation's entry, by the user.
    pub draft: HistoryDraft,
}

/// The login password of `typed_login_id`, judged for `operation` (ログイン,
/// 電子証明書発行). An unknown ID, a wrong password and a locked ID are refused alike
/// (same message, same status, about the same time).
///
/// Each attempt first claims one of the `login_lock_threshold` attempts the account allows
/// (in the database), and only then is the password judged: however many guesses arrive
/// at once, at most that many are ever judged between two successes or releases, a guess
/// arriving after them is refused without its password being looked at, and a success
/// never follows the lock. Before anything, the per-address and per-ID rate limits apply.
pub(crate) async fn prove_password(
    state: &AppState,
    client: &ClientInfo,
    typed_login_id: &str,
    password: &Password,
    operation: &str,
) -> Result<Proven, Error> {
    let key = login_id::lookup_key(typed_login_id);
    let mut draft = state.draft(client, HistoryArea::Auth, operation);
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
            abandon(state, user.id).await;
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
    let company = match state.store.company(user.company_id).await {
        Ok(Some(company)) => company,
        Ok(None) => {
            abandon(state, user.id).await;
            return Err(Error::LoginFailed);
        }
        Err(e) => {
            abandon(state, user.id).await;
            return Err(from_store(e));
        }
    };
    Ok(Proven {
        user,
        company,
        draft,
    })
}

/// Ends a claimed login-password attempt that did not lead to its success write.
pub(crate) async fn abandon(state: &AppState, user_id: i64) {
    crate::confirm::credential::abandon(state, user_id, Credential::LoginPassword).await;
}

/// Refuses a proven password's next step for `err` (recorded with `reason`), ending
/// its claim: no session, nothing written but the entry.
pub(crate) async fn refuse_proven(
    state: &AppState,
    proven: &Proven,
    err: Error,
    details: serde_json::Value,
) -> Error {
    abandon(state, proven.user.id).await;
    let entry = proven.draft.clone().failed(err.code()).details(details);
    match state.store.append_history(entry).await {
        Ok(_) => err,
        Err(e) => from_store(e),
    }
}

/// The answer to a login on a locked account: the generic refusal, whatever was typed
/// (guesses are no longer judged, so the answer must not depend on the password). The
/// time of one verification is spent either way; the entry says why.
pub(crate) async fn refuse_locked<T>(
    state: &AppState,
    password: &Password,
    draft: HistoryDraft,
    reason: &str,
    spend_time: bool,
) -> Result<T, Error> {
    if spend_time {
        state.hasher.verify_dummy(password).await.map_err(hashing)?;
    }
    let entry = draft
        .failed(Error::LoginLocked.code())
        .details(serde_json::json!({ "reason": reason }));
    record_unauthenticated(state, entry).await?;
    Err(Error::LoginFailed)
}
