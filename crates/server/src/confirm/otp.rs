//! The ワンタイムパスワード check: at login (after the password, and at registration) and
//! on every 確認 of a company that uses it (run by the pipeline).
//!
//! As with the passwords, an attempt is first claimed in the database (so at most
//! `otp_lock_threshold` codes are ever judged between two successes or releases, however
//! many arrive at once), then judged; a wrong code is counted and locks the one-time
//! password at the threshold (ワンタイムパスワード利用停止). A right code is only *found*
//! here: the caller accepts it in the transaction that acts on it, which is also where a
//! code already used is refused (the token's last step moves forward exactly once).

use madoguchi_domain::otp::{self, OtpCode, TokenSecret, Verdict};
use madoguchi_domain::{Credential, Error, HistoryArea};
use madoguchi_store::{AttemptClaim, HistoryDraft, OtpToken, UserRecord};

use crate::state::AppState;
use crate::web::actor::Actor;
use crate::web::error::from_store;

/// The field of the ワンタイムパスワード on every screen and in every API body.
pub const FIELD: &str = "one_time_password";

/// The seal context of a registered token's secret: its user and serial.
pub fn token_context(user_id: i64, serial: &str) -> String {
    format!("otp-token:{user_id}:{serial}")
}

/// The secret of `token`, unsealed.
pub fn token_secret(state: &AppState, token: &OtpToken) -> Result<TokenSecret, Error> {
    let bytes = state
        .seal
        .open(
            &token_context(token.user_id, &token.serial),
            &token.secret_sealed,
        )
        .inspect_err(|_| {
            tracing::error!(user_id = token.user_id, serial = %token.serial,
                "a token secret does not open with this deployment's key");
        })?;
    TokenSecret::from_bytes(bytes)
}

/// The token `actor` uses: the one in use, unsealed, with its last accepted step.
pub async fn token_of(state: &AppState, actor: &Actor) -> Result<(TokenSecret, u64), Error> {
    let status = state
        .store
        .otp_status(actor.user().id)
        .await
        .map_err(from_store)?;
    let token = status.token.ok_or(Error::OtpRegistrationRequired)?;
    let secret = token_secret(state, &token)?;
    Ok((secret, u64::try_from(token.last_step).unwrap_or(0)))
}

/// Now, in seconds since the epoch.
pub fn unix_secs(state: &AppState) -> u64 {
    u64::try_from(state.now() / 1_000_000).unwrap_or(0)
}

/// Judges `code` for `actor` against `secret` (whose last accepted step is `last_step`):
/// the matched step when right (to be accepted by the caller), else the refusal (counted,
/// recorded, and the lock set when it is the last wrong code allowed).
pub async fn judge(
    state: &AppState,
    actor: &Actor,
    code: &OtpCode,
    secret: &TokenSecret,
    last_step: u64,
    area: HistoryArea,
    operation: &str,
) -> Result<i64, Error> {
    let draft = actor.draft(state, area, operation);
    judge_for(state, actor.user(), draft, code, secret, last_step).await
}

/// [`judge`] for a user proven by their password but without a session yet (電子証明書発行):
/// `draft` is the entry of the operation, by that user.
pub async fn judge_for(
    state: &AppState,
    user: &UserRecord,
    draft: HistoryDraft,
    code: &OtpCode,
    secret: &TokenSecret,
    last_step: u64,
) -> Result<i64, Error> {
    let operation = draft.operation.clone();
    let refuse = async |err: Error| {
        let entry = draft
            .clone()
            .failed(err.code())
            .details(serde_json::json!({ "refused": operation }));
        match state.store.append_history(entry).await {
            Ok(_) => err,
            Err(e) => from_store(e),
        }
    };
    if let Err(err) = state.limits.otp(user.id, &draft.ip) {
        state.limits.count(&draft.failed(err.code()));
        return Err(err);
    }
    let credential = Credential::Otp;
    let threshold = i64::from(state.config.otp_lock_threshold);
    let claim = state
        .store
        .claim_attempt(user.id, credential, threshold, draft.occurred_at)
        .await
        .map_err(from_store)?;
    if let AttemptClaim::Refused { locked } = claim {
        let err = if locked {
            Error::OtpLocked
        } else {
            Error::Busy
        };
        return Err(refuse(err).await);
    }
    match otp::judge(secret, code, unix_secs(state), last_step) {
        Verdict::Right { step } => i64::try_from(step).map_err(|_| Error::Internal),
        Verdict::Used => {
            if let Err(e) = state.store.abandon_attempt(user.id, credential).await {
                return Err(from_store(e));
            }
            Err(refuse(Error::OtpUsed).await)
        }
        Verdict::Wrong => {
            let on_lock = draft
                .clone()
                .operation(credential.lock_operation())
                .failed(Error::OtpLocked.code())
                .details(serde_json::json!({"consecutive_failures": threshold}));
            let failure = draft.failed(Error::OtpWrong.code());
            let result = state
                .store
                .record_wrong(user.id, credential, threshold, failure, on_lock)
                .await
                .map_err(from_store)?;
            Err(if result.locked {
                Error::OtpLocked
            } else {
                Error::OtpWrong
            })
        }
    }
}
