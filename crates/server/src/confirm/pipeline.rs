//! The one path of every 実行. An operation supplies what is its own — its name, a
//! fingerprint of what was asked, and a `prepare` step that checks the input and returns
//! the write with its 確認/結果 sections — and the pipeline does the rest, always in the
//! same order:
//!
//! 1. the idempotency key is parsed (a malformed one is refused before anything else);
//! 2. a key already used for this very request returns that execution's 結果 (nothing is
//!    changed again); used for anything else, it is refused;
//! 3. `prepare` checks the input against the rules and the current state (refusals are
//!    recorded by it);
//! 4. the 確認用パスワード is checked (and the ワンタイムパスワード, where the company uses
//!    it), and only then is the checked change turned into its write (new passwords are
//!    hashed here);
//! 5. one transaction accepts the password (and uses up the one-time password), claims
//!    the key, writes (with its version check), appends the 操作履歴 entry and stores the
//!    typed outcome — or records why not.

use madoguchi_domain::{Error, FieldErrors, HistoryArea, IdempotencyKey, idempotency};
use madoguchi_store::{Confirmed, ConfirmedChange, ConfirmedWrite, StoreError, WriteEffect};
use sha2::{Digest, Sha256};

use super::Section;
use super::credential::{self, Confirmation};
use super::outcome::{Executed, Outcome, ResultKind};
use crate::state::AppState;
use crate::web::actor::Actor;
use crate::web::error::from_store;

/// One operation of the manual that ends in 実行.
#[derive(Debug, Clone)]
pub struct Operation {
    /// Stable name the idempotency key is bound to, e.g. `users.delete`.
    pub code: &'static str,
    /// 業務種別.
    pub area: HistoryArea,
    /// 操作内容, in the manual's words.
    pub label: String,
    /// The 結果 it ends on.
    pub result: ResultKind,
}

/// What one 実行 asks.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    /// The idempotency key, as sent.
    pub key: &'a str,
    /// Everything asked that decides what happens, without secrets (typed passwords are
    /// represented by whether they were given): bound to the key.
    pub fingerprint: &'a serde_json::Value,
    pub confirmation: &'a Confirmation,
}

/// An operation's checked change: what it will write (`change`, turned into the write
/// only once the 確認用パスワード is right, so costly work such as hashing new passwords
/// is never done for a wrong one), what 確認/結果 show, and the 操作履歴 details.
#[derive(Debug, Clone)]
pub struct Prepared<C> {
    pub change: C,
    /// What 確認 showed and 結果 shows.
    pub sections: Vec<Section>,
    /// The 操作履歴 entry's details (before/after, never secrets).
    pub details: serde_json::Value,
}

/// SHA-256 of the operation and its fingerprint.
fn request_hash(op: &Operation, fingerprint: &serde_json::Value) -> String {
    let mut hasher = Sha256::new();
    hasher.update(op.code.as_bytes());
    hasher.update(b"\n");
    hasher.update(fingerprint.to_string().as_bytes());
    madoguchi_store::history::hex(&hasher.finalize())
}

/// What a refused write means to the user (the store has recorded it).
fn refusal(err: StoreError, state: &AppState) -> Error {
    match err {
        StoreError::Stale => Error::Stale,
        StoreError::KeyReused => Error::KeyReused,
        StoreError::NotFound => Error::NotFound,
        StoreError::CredentialRefused => Error::ConfirmationLocked,
        StoreError::OtpUsed => Error::OtpUsed,
        StoreError::OtpRefused => Error::OtpLocked,
        StoreError::LimitReached { refusal, .. } => *refusal,
        StoreError::PastDeadline => Error::PastDeadline,
        StoreError::NotAllowed => Error::NotAllowed {
            what: "この利用者に対してこの操作は行えません。",
        },
        StoreError::Conflict {
            constraint: "user_limit",
        } => Error::TooManyUsers {
            max: state.config.max_users_per_company,
        },
        StoreError::Conflict {
            constraint: "payee",
        } => Error::PayeeTaken,
        StoreError::Conflict { .. } => {
            let mut f = FieldErrors::new();
            f.add("login_id", Error::LoginIdTaken);
            Error::Invalid(f)
        }
        other => from_store(other),
    }
}

/// Runs one 実行 of `op` by `actor` (see the module comment): `prepare` checks the input,
/// `write` turns the checked change into the store's write.
pub async fn execute<C>(
    state: &AppState,
    actor: &Actor,
    op: &Operation,
    request: Request<'_>,
    prepare: impl AsyncFnOnce() -> Result<Prepared<C>, Error>,
    write: impl AsyncFnOnce(C) -> Result<ConfirmedWrite, Error>,
) -> Result<(Executed, WriteEffect), Error> {
    let key = match IdempotencyKey::parse(request.key) {
        Ok(key) => key,
        Err(e) => {
            let mut f = FieldErrors::new();
            f.add(idempotency::FIELD, e);
            return Err(actor
                .refuse_input(state, op.area, &op.label, Error::Invalid(f))
                .await);
        }
    };
    let hash = request_hash(op, request.fingerprint);
    let user_id = actor.user().id;
    if let Some(claimed) = state
        .store
        .claimed_key(user_id, &key)
        .await
        .map_err(from_store)?
    {
        if claimed.is_for(op.code, &hash) {
            let done = Executed::repeated(key, &claimed.outcome, op.result)?;
            return Ok((done, WriteEffect::Done));
        }
        return Err(actor
            .refuse(state, op.area, &op.label, Error::KeyReused)
            .await);
    }
    let prepared = prepare().await?;
    let otp_step =
        credential::check(state, actor, request.confirmation, op.area, &op.label).await?;
    let write = match write(prepared.change).await {
        Ok(write) => write,
        Err(e) => {
            credential::abandon_all(state, user_id, otp_step).await;
            return Err(e);
        }
    };
    let outcome = Outcome {
        kind: op.result,
        sections: prepared.sections,
    };
    let change = ConfirmedChange {
        confirmed: Confirmed {
            key: key.clone(),
            user_id,
            operation: op.code.to_owned(),
            request_hash: hash,
            outcome: outcome.to_json()?,
        },
        write,
        otp_step,
        history: actor
            .draft(state, op.area, &op.label)
            .details(prepared.details),
    };
    match state.store.execute_confirmed(change).await {
        Ok(effect) => Ok((
            Executed {
                key,
                kind: op.result,
                sections: outcome.sections,
                repeated: false,
            },
            effect,
        )),
        Err(StoreError::AlreadyExecuted { outcome }) => Ok((
            Executed::repeated(key, &outcome, op.result)?,
            WriteEffect::Done,
        )),
        Err(StoreError::CredentialRefused) => Err(actor
            .refuse(state, op.area, &op.label, Error::ConfirmationLocked)
            .await),
        Err(other) => Err(refusal(other, state)),
    }
}

/// The 結果 of an execution by `actor`, found by its key, if it is of `kind`.
pub async fn result(
    state: &AppState,
    actor: &Actor,
    key: &str,
    kind: ResultKind,
) -> Result<Vec<Section>, Error> {
    let key = IdempotencyKey::parse(key).map_err(|_| Error::NotFound)?;
    let claimed = state
        .store
        .claimed_key(actor.user().id, &key)
        .await
        .map_err(from_store)?
        .ok_or(Error::NotFound)?;
    Outcome::parse(&claimed.outcome, kind)
        .map(|o| o.sections)
        .ok_or(Error::NotFound)
}
