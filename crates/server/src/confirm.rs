//! The confirm step (確認) every change of the manual goes through, as reusable pieces:
//!
//! - [`Section`]/[`Row`]: the whole result of a change, before and after, rendered by
//!   `templates/_changes.html` with changed values in red plus a visible 「変更」 mark and
//!   the old value for screen readers (colour is never the only signal);
//! - [`verify_confirmation`]: the 確認用パスワード check, counting wrong entries toward
//!   the confirmation-password lock and recording each in the 操作履歴;
//! - [`new_idempotency_key`]: the key each confirm screen carries; the store claims it in
//!   the change's own transaction, so a double submit changes nothing twice.

use madoguchi_domain::{Error, HistoryArea, Password};
use serde::{Deserialize, Serialize};

use crate::state::AppState;
use crate::web::actor::Actor;
use crate::web::error::{from_store, internal};
use crate::web::token;

/// One item of a change, before and after, as shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Row {
    pub label: String,
    pub before: String,
    pub after: String,
    pub changed: bool,
    /// Right-aligned (amounts).
    pub amount: bool,
}

impl Row {
    pub fn text(
        label: impl Into<String>,
        before: impl Into<String>,
        after: impl Into<String>,
    ) -> Self {
        let (before, after) = (before.into(), after.into());
        Self {
            label: label.into(),
            changed: before != after,
            before,
            after,
            amount: false,
        }
    }

    pub fn amount(
        label: impl Into<String>,
        before: impl Into<String>,
        after: impl Into<String>,
    ) -> Self {
        Self {
            amount: true,
            ..Self::text(label, before, after)
        }
    }
}

/// A titled group of rows (企業情報, 承認機能, …).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Section {
    pub title: String,
    pub rows: Vec<Row>,
}

impl Section {
    /// The changed rows as `{section, item, before, after}` for the 操作履歴.
    pub fn changes_json(sections: &[Section]) -> serde_json::Value {
        serde_json::Value::Array(
            sections
                .iter()
                .flat_map(|s| {
                    s.rows.iter().filter(|r| r.changed).map(|r| {
                        serde_json::json!({"section": s.title, "item": r.label, "before": r.before, "after": r.after})
                    })
                })
                .collect(),
        )
    }

    pub fn any_changed(sections: &[Section]) -> bool {
        sections.iter().any(|s| s.rows.iter().any(|r| r.changed))
    }
}

/// One step of the step bar.
#[derive(Debug, Clone)]
pub struct Step {
    pub label: &'static str,
    pub current: bool,
}

/// The step bar with step `current` (0-based) highlighted.
pub fn steps(labels: &[&'static str], current: usize) -> Vec<Step> {
    labels
        .iter()
        .enumerate()
        .map(|(i, label)| Step {
            label,
            current: i == current,
        })
        .collect()
}

/// A fresh key for one confirm screen.
pub fn new_idempotency_key() -> String {
    token::random_token()
}

/// Checks the 確認用パスワード of `actor` for `operation`. A wrong one counts toward the
/// lock (recorded in the 操作履歴 with the lock if it happens); a locked one is refused
/// outright; a right one resets the count.
///
/// Companies with a one-time-password contract add the OTP check here, after the
/// password, when that capability lands.
pub async fn verify_confirmation(
    state: &AppState,
    actor: &Actor,
    password: &str,
    area: HistoryArea,
    operation: &str,
) -> Result<(), Error> {
    let user = &actor.user;
    if user.confirm_locked {
        return Err(actor
            .refuse(state, area, operation, Error::ConfirmationLocked)
            .await);
    }
    let Some(hash) = &user.confirm_password_hash else {
        return Err(actor
            .refuse(state, area, operation, Error::ConfirmationLocked)
            .await);
    };
    if password.is_empty() {
        return Err(Error::Invalid({
            let mut f = madoguchi_domain::FieldErrors::new();
            f.add(
                "confirmation_password",
                Error::Required {
                    label: "確認用パスワード",
                },
            );
            f
        }));
    }
    if state
        .hasher
        .verify(&Password::typed(password), hash)
        .await
        .map_err(internal)?
    {
        // Accepted only if no concurrent wrong guess locked the credential meanwhile.
        if state
            .store
            .confirmation_accepted(user.id)
            .await
            .map_err(from_store)?
        {
            return Ok(());
        }
        return Err(actor
            .refuse(state, area, operation, Error::ConfirmationLocked)
            .await);
    }
    let threshold = i64::from(state.config.confirmation_lock_threshold);
    let draft = actor.draft(state, area, operation);
    let failure = draft.clone().failed(Error::ConfirmationWrong.code());
    let on_lock = draft
        .operation("確認用パスワード利用停止")
        .failed(Error::ConfirmationLocked.code())
        .details(serde_json::json!({"consecutive_failures": threshold}));
    let result = state
        .store
        .record_confirmation_failure(user.id, threshold, failure, on_lock)
        .await
        .map_err(from_store)?;
    Err(if result.locked {
        Error::ConfirmationLocked
    } else {
        Error::ConfirmationWrong
    })
}

/// True when a refusal at 実行 is about the 確認用パスワード field `field` (wrong, missing
/// or locked): the same confirm screen is shown again, with the same key.
pub fn is_about_the_password(err: &Error, field: &str) -> bool {
    match err {
        Error::ConfirmationWrong | Error::ConfirmationLocked => true,
        Error::Invalid(f) => f.iter().all(|e| e.field == field),
        _ => false,
    }
}

/// The result of 実行.
#[derive(Debug, Clone)]
pub struct Executed {
    /// The confirm screen's key, which finds the 結果 again.
    pub key: String,
    pub sections: Vec<Section>,
    /// The same confirm screen had already been executed; nothing was changed again.
    pub repeated: bool,
}

impl Executed {
    /// The result of an earlier execution of the same confirm screen.
    pub fn repeated(key: &str, outcome: &str) -> Result<Self, Error> {
        let sections = serde_json::from_str(outcome).map_err(|_| Error::AlreadyExecuted)?;
        Ok(Self {
            key: key.to_owned(),
            sections,
            repeated: true,
        })
    }
}

/// The outcome to store with a confirm key: the sections, shown again as the 結果.
pub fn outcome(sections: &[Section]) -> Result<String, Error> {
    serde_json::to_string(sections).map_err(|e| internal(e.into()))
}

/// The 結果 of an execution by `actor`, found by its confirm screen's key.
pub async fn result(state: &AppState, actor: &Actor, key: &str) -> Result<Vec<Section>, Error> {
    let outcome = state
        .store
        .executed_outcome(key, actor.user.id)
        .await
        .map_err(from_store)?
        .ok_or(Error::NotFound)?;
    serde_json::from_str(&outcome).map_err(|_| Error::NotFound)
}

/// A previous execution of the confirm screen `key` by `actor`, if any.
pub async fn earlier(
    state: &AppState,
    actor: &Actor,
    key: &str,
) -> Result<Option<Executed>, Error> {
    match state
        .store
        .executed_outcome(key, actor.user.id)
        .await
        .map_err(from_store)?
    {
        Some(outcome) => Executed::repeated(key, &outcome).map(Some),
        None => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_changed_rows_are_marked_and_recorded() {
        let sections = vec![Section {
            title: "承認機能の利用有無".into(),
            rows: vec![
                Row::text("振込振替", "承認なし", "シングル承認"),
                Row::text("総合振込", "シングル承認", "シングル承認"),
            ],
        }];
        assert!(sections[0].rows[0].changed && !sections[0].rows[1].changed);
        let json = Section::changes_json(&sections);
        assert_eq!(json.as_array().map(Vec::len), Some(1));
        assert_eq!(json[0]["before"], "承認なし");
        assert!(Section::any_changed(&sections));
    }

    #[test]
    fn step_bar_marks_one_step() {
        let s = steps(&["a", "b", "c"], 1);
        assert_eq!(s.iter().filter(|s| s.current).count(), 1);
        assert!(s[1].current);
    }
}
