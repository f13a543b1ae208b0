//! What the API answers of an act on any order: what changed, everything 確認 and 結果
//! showed, and the daily limits still to be used; the body of an act; and what a change of
//! a payee list did.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::confirm::Section;

/// One item of 確認/結果.
#[derive(Debug, Serialize, ToSchema)]
pub struct ShownItem {
    pub section: String,
    pub item: String,
    pub value: String,
}

/// One line of the warning of 確認: what remains of a daily limit today.
#[derive(Debug, Serialize, ToSchema)]
pub struct LimitLine {
    pub label: String,
    pub value: String,
}

/// What an operation did.
#[derive(Debug, Serialize, ToSchema)]
pub struct TransferDone {
    /// The order (none when the same request had been executed before).
    pub id: Option<i64>,
    pub repeated: bool,
    pub changes: serde_json::Value,
    /// Everything 確認 and 結果 show: [{section, item, value}].
    pub shown: Vec<ShownItem>,
    /// Before the bank accepts it (承認 to come): what remains of each daily limit today,
    /// and a 注意 when the order would not fit.
    pub limits: Vec<LimitLine>,
}

impl TransferDone {
    pub(crate) fn of(id: Option<i64>, done: &crate::confirm::Executed) -> Self {
        let limits = done
            .sections
            .iter()
            .filter(|s| s.title == super::shown::LIMITS)
            .flat_map(|s| &s.rows)
            .map(|r| LimitLine {
                label: r.label.clone(),
                value: r.after.clone(),
            })
            .collect();
        let shown = done
            .sections
            .iter()
            .flat_map(|s| {
                s.rows.iter().map(|r| ShownItem {
                    section: s.title.clone(),
                    item: r.label.clone(),
                    value: r.after.clone(),
                })
            })
            .collect();
        Self {
            id,
            repeated: done.repeated,
            changes: Section::changes_json(&done.sections),
            shown,
            limits,
        }
    }
}

/// 承認・差戻し・引戻し・削除 body.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ActBody {
    pub confirmation_password: String,
    #[serde(default)]
    pub one_time_password: String,
    pub idempotency_key: String,
}

/// What a change did (and the new payee's id).
#[derive(Debug, Serialize, ToSchema)]
pub struct PayeeDone {
    pub id: Option<i64>,
    pub repeated: bool,
    pub changes: serde_json::Value,
}
