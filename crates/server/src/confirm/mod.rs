//! The confirm step (確認) and 実行 every change of the manual goes through:
//!
//! - [`Section`]/[`Row`]: the whole result of a change, before and after, rendered by
//!   `templates/_changes.html` with changed values in red plus a visible 「変更」 mark and
//!   the old value for screen readers (colour is never the only signal);
//! - [`pipeline`]: the one path of every 実行 (key, 確認用パスワード, write, 操作履歴,
//!   typed outcome);
//! - [`credential`]: the 確認用パスワード check the pipeline runs, and [`otp`] the
//!   ワンタイムパスワード check (the pipeline's, and the login's);
//! - [`new_idempotency_key`]: the key each confirm screen carries.

pub mod credential;
pub mod otp;
pub mod outcome;
pub mod pipeline;

use madoguchi_domain::Error;
use serde::{Deserialize, Serialize};

use crate::web::token;

pub use credential::Confirmation;
pub use outcome::{Executed, ResultKind};
pub use pipeline::{Operation, Prepared, Request, execute, result};

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

/// A table of items (a fee table: one line per 支払金額範囲, one cell per 振込パターン),
/// each cell marked on its own, so a change of one fee marks that fee only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grid {
    /// The heading of the first column, then of each cell's column.
    pub header: Vec<String>,
    pub lines: Vec<GridLine>,
}

/// One line of a [`Grid`]: its first column (itself an item that may change) and cells.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GridLine {
    pub label: Row,
    pub cells: Vec<Row>,
}

/// A titled group of rows (企業情報, 承認機能, …), or of a grid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Section {
    pub title: String,
    pub rows: Vec<Row>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grid: Option<Grid>,
}

impl Section {
    pub fn new(title: impl Into<String>, rows: Vec<Row>) -> Self {
        Self {
            title: title.into(),
            rows,
            grid: None,
        }
    }

    /// Every item of the section: its rows, then each grid line's label and cells (a
    /// cell named by its line and column).
    pub fn items(&self) -> Vec<Row> {
        let mut out = self.rows.clone();
        if let Some(grid) = &self.grid {
            for line in &grid.lines {
                out.push(line.label.clone());
                for (i, cell) in line.cells.iter().enumerate() {
                    let column = grid.header.get(i + 1).cloned().unwrap_or_default();
                    out.push(Row {
                        label: format!("{} {}", line.label.label, column),
                        ..cell.clone()
                    });
                }
            }
        }
        out
    }

    /// The changed items as `{section, item, before, after}` for the 操作履歴.
    pub fn changes_json(sections: &[Section]) -> serde_json::Value {
        serde_json::Value::Array(
            sections
                .iter()
                .flat_map(|s| {
                    s.items().into_iter().filter(|r| r.changed).map(|r| {
                        serde_json::json!({"section": s.title, "item": r.label, "before": r.before, "after": r.after})
                    }).collect::<Vec<_>>()
                })
                .collect(),
        )
    }

    pub fn any_changed(sections: &[Section]) -> bool {
        sections.iter().any(|s| s.items().iter().any(|r| r.changed))
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

/// True when a refusal at 実行 is about what 確認 asks for — the 確認用パスワード field
/// `field` or the ワンタイムパスワード (wrong, missing, used or locked): the same confirm
/// screen is shown again, with the same key.
pub fn is_about_the_password(err: &Error, field: &str) -> bool {
    match err {
        Error::ConfirmationWrong
        | Error::ConfirmationLocked
        | Error::OtpWrong
        | Error::OtpUsed
        | Error::OtpLocked => true,
        Error::Invalid(f) => f.iter().all(|e| e.field == field || e.field == otp::FIELD),
        _ => false,
    }
}

/// The message a confirm screen shows for a refusal about its password (or one-time
/// password): each field's message, the password's first.
pub fn password_message(err: &Error, field: &str) -> String {
    match err {
        Error::Invalid(f) => {
            let messages: Vec<String> = [field, otp::FIELD]
                .iter()
                .filter_map(|name| f.message_for(name))
                .collect();
            if messages.is_empty() {
                err.message_ja()
            } else {
                messages.join(" ")
            }
        }
        other => other.message_ja(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_changed_rows_are_marked_and_recorded() {
        let sections = vec![Section::new(
            "承認機能の利用有無",
            vec![
                Row::text("振込振替", "承認なし", "シングル承認"),
                Row::text("総合振込", "シングル承認", "シングル承認"),
            ],
        )];
        assert!(sections[0].rows[0].changed && !sections[0].rows[1].changed);
        let json = Section::changes_json(&sections);
        assert_eq!(json.as_array().map(Vec::len), Some(1));
        assert_eq!(json[0]["before"], "承認なし");
        assert!(Section::any_changed(&sections));
    }

    #[test]
    fn a_grid_marks_each_cell_on_its_own() {
        let section = Section {
            grid: Some(Grid {
                header: vec!["支払金額範囲".into(), "同一店宛".into(), "他行宛".into()],
                lines: vec![GridLine {
                    label: Row::text("範囲1", "30,000円未満", "30,000円未満"),
                    cells: vec![
                        Row::amount("", "0円", "0円"),
                        Row::amount("", "330円", "440円"),
                    ],
                }],
            }),
            ..Section::new("手数料", Vec::new())
        };
        let json = Section::changes_json(std::slice::from_ref(&section));
        assert_eq!(json.as_array().map(Vec::len), Some(1));
        assert_eq!(json[0]["item"], "範囲1 他行宛");
    }

    #[test]
    fn step_bar_marks_one_step() {
        let s = steps(&["a", "b", "c"], 1);
        assert_eq!(s.iter().filter(|s| s.current).count(), 1);
        assert!(s[1].current);
    }
}
