//! An 操作履歴 entry about to be written, as the services make it (the store seals it:
//! `history.rs`). Kept apart so that what only carries drafts (the queue of grouped
//! appends, `history_group.rs`) needs nothing of how they are written.

use madoguchi_domain::{HistoryArea, Outcome};

/// An entry about to be written. The store adds the sequence numbers and the MACs.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryDraft {
    /// When it happened (UTC microseconds, from the service's clock).
    pub occurred_at: i64,
    pub company_id: Option<i64>,
    pub user_id: Option<i64>,
    /// The acting user's login ID (or, for a failed login, the ID that was typed).
    pub login_id: String,
    /// 操作端末: the client's IP address and user agent.
    pub ip: String,
    pub user_agent: String,
    /// The address the request came from when a trusted proxy forwarded it (else empty).
    pub peer: String,
    /// 業務種別.
    pub area: HistoryArea,
    /// 操作内容, in the manual's words (ログイン, 企業情報の変更, …).
    pub operation: String,
    /// 結果.
    pub outcome: Outcome,
    /// Stable error code when `outcome` is an error.
    pub error_code: Option<String>,
    /// Before/after values and other particulars. Never a secret.
    pub details: serde_json::Value,
}

impl HistoryDraft {
    /// Marks the entry as an error with `code`.
    pub fn failed(mut self, code: &str) -> Self {
        self.outcome = Outcome::Error;
        self.error_code = Some(code.to_owned());
        self
    }

    /// Replaces the 操作内容.
    pub fn operation(mut self, operation: &str) -> Self {
        self.operation = operation.to_owned();
        self
    }

    /// Replaces the details.
    pub fn details(mut self, details: serde_json::Value) -> Self {
        self.details = details;
        self
    }
}
