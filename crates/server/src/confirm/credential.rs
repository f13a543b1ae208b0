//! The 確認用パスワード (and ワンタイムパスワード) check of every 実行 (run by the pipeline only).
//!
//! The attempt is claimed before the password is judged (see the store's
//! `credentials.rs`), so at most `confirmation_lock_threshold` guesses are ever judged
//! between two successes or releases, however many arrive at once. A wrong one is counted
//! (and the lock recorded when it comes); a right one is accepted in the change's own
//! transaction, and only while the credential is unlocked.
//!
//! Where the company uses ワンタイムパスワード, its code is checked next, only once the
//! password was right (`confirm::otp`); its step is accepted in the same transaction.

use madoguchi_domain::otp::OtpCode;
use madoguchi_domain::{Credential, Error, FieldErrors, HistoryArea, Password};

use super::otp;
use crate::state::AppState;
use crate::web::actor::Actor;
use crate::web::error::{from_store, hashing};

/// The field of the 確認用パスワード on confirm screens and in API bodies.
pub const FIELD: &str = "confirmation_password";

/// What 確認 asks for: the 確認用パスワード, and the ワンタイムパスワード where the company
/// uses it (ignored where it does not).
#[derive(Clone, Default, serde::Deserialize)]
pub struct Confirmation {
    #[serde(default)]
    pub password: String,
    #[serde(default)]
    pub one_time_password: String,
}

impl Confirmation {
    pub fn new(password: impl Into<String>, one_time_password: impl Into<String>) -> Self {
        Self {
            password: password.into(),
            one_time_password: one_time_password.into(),
        }
    }
}

impl std::fmt::Debug for Confirmation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Confirmation(***)")
    }
}

/// Checks `confirmation` for `actor`. `Ok` means: the password is right (and the
/// one-time password, whose step is returned), and the caller must now run the change
/// through `ConfirmedStore::execute_confirmed`, which accepts them — or, if it cannot
/// get that far, [`abandon_all`] the claims.
pub(super) async fn check(
    state: &AppState,
    actor: &Actor,
    confirmation: &Confirmation,
    area: HistoryArea,
    operation: &str,
) -> Result<Option<i64>, Error> {
    let user = actor.user();
    let password = confirmation.password.as_str();
    let mut f = FieldErrors::new();
    if password.is_empty() {
        f.add(
            FIELD,
            Error::Required {
                label: "確認用パスワード",
            },
        );
    }
    let code = if actor.company().options.otp {
        f.check(otp::FIELD, OtpCode::parse(&confirmation.one_time_password))
    } else {
        None
    };
    if let Err(err) = f.into_result() {
        return Err(actor.refuse_input(state, area, operation, err).await);
    }
    let Some(hash) = &user.confirm_password_hash else {
        return Err(actor
            .refuse(state, area, operation, Error::ConfirmationLocked)
            .await);
    };
    if let Err(err) = state.limits.confirmation(user.id, &actor.client().ip) {
        state
            .limits
            .count(&actor.draft(state, area, operation).failed(err.code()));
        return Err(err);
    }
    let threshold = i64::from(state.config.confirmation_lock_threshold);
    let credential = Credential::ConfirmationPassword;
    let draft = actor.draft(state, area, operation);
    let on_lock = draft
        .clone()
        .operation(credential.lock_operation())
        .failed(Error::ConfirmationLocked.code())
        .details(serde_json::json!({"consecutive_failures": threshold}));
    let claim = state
        .store
        .claim_attempt(user.id, credential, threshold, draft.occurred_at)
        .await
        .map_err(from_store)?;
    if let madoguchi_store::AttemptClaim::Refused { locked } = claim {
        // Locked; or every attempt allowed is being judged right now (a burst): wait.
        let err = if locked {
            Error::ConfirmationLocked
        } else {
            Error::Busy
        };
        return Err(actor.refuse(state, area, operation, err).await);
    }
    let right = match state.hasher.verify(&Password::typed(password), hash).await {
        Ok(right) => right,
        Err(e) => {
            abandon(state, user.id, credential).await;
            return Err(hashing(e));
        }
    };
    if right {
        let Some(code) = code else {
            return Ok(None);
        };
        let judged = match otp::token_of(state, actor).await {
            Ok((secret, last_step)) => {
                otp::judge(state, actor, &code, &secret, last_step, area, operation).await
            }
            Err(e) => Err(e),
        };
        return match judged {
            Ok(step) => Ok(Some(step)),
            Err(e) => {
                // The password was right but nothing is done: its claim ends uncounted.
                abandon(state, user.id, credential).await;
                Err(e)
            }
        };
    }
    let failure = draft.failed(Error::ConfirmationWrong.code());
    let result = state
        .store
        .record_wrong(user.id, credential, threshold, failure, on_lock)
        .await
        .map_err(from_store)?;
    Err(if result.locked {
        Error::ConfirmationLocked
    } else {
        Error::ConfirmationWrong
    })
}

/// Ends the claims of a check that passed when the change cannot be run after all.
pub(super) async fn abandon_all(state: &AppState, user_id: i64, otp_step: Option<i64>) {
    abandon(state, user_id, Credential::ConfirmationPassword).await;
    if otp_step.is_some() {
        abandon(state, user_id, Credential::Otp).await;
    }
}

/// Ends a claimed attempt that reached no verdict (the hashing threads were busy).
pub async fn abandon(state: &AppState, user_id: i64, credential: Credential) {
    if let Err(e) = state.store.abandon_attempt(user_id, credential).await {
        tracing::warn!(error = ?e, "could not settle an abandoned attempt");
    }
}
