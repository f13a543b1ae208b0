//! The 確認用パスワード check of every 実行 (run by the pipeline only).
//!
//! The attempt is claimed before the password is judged (see the store's
//! `credentials.rs`), so at most `confirmation_lock_threshold` guesses are ever judged
//! between two successes or releases, however many arrive at once. A wrong one is counted
//! (and the lock recorded when it comes); a right one is accepted in the change's own
//! transaction, and only while the credential is unlocked.
//!
//! Companies with a one-time-password contract add the OTP check here, after the password.

use madoguchi_domain::{Credential, Error, FieldErrors, HistoryArea, Password};

use crate::state::AppState;
use crate::web::actor::Actor;
use crate::web::error::{from_store, hashing};

/// The field of the 確認用パスワード on confirm screens and in API bodies.
pub const FIELD: &str = "confirmation_password";

/// Checks `password` for `actor`'s 確認用パスワード. `Ok` means: right, and the caller must
/// now run the change through `ConfirmedStore::execute_confirmed`, which accepts it.
pub(super) async fn check(
    state: &AppState,
    actor: &Actor,
    password: &str,
    area: HistoryArea,
    operation: &str,
) -> Result<(), Error> {
    let user = actor.user();
    if password.is_empty() {
        let mut f = FieldErrors::new();
        f.add(
            FIELD,
            Error::Required {
                label: "確認用パスワード",
            },
        );
        return Err(actor
            .refuse_input(state, area, operation, Error::Invalid(f))
            .await);
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
        return Ok(());
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

/// Ends a claimed attempt that reached no verdict (the hashing threads were busy).
pub async fn abandon(state: &AppState, user_id: i64, credential: Credential) {
    if let Err(e) = state.store.abandon_attempt(user_id, credential).await {
        tracing::warn!(error = ?e, "could not settle an abandoned attempt");
    }
}
