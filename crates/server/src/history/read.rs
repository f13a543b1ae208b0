//! Reading the 操作履歴 for a screen, a printout or a file: entries as shown (with
//! today's names), and pages of a search through the actor's history scope.

use std::collections::BTreeMap;

use madoguchi_domain::history_search::Conditions;
use madoguchi_domain::{Error, HistoryArea, jst};
use madoguchi_store::HistoryEntry;

use crate::state::AppState;
use crate::web::actor::Actor;

/// 操作履歴照会, the operation a look is recorded as.
pub const LOOK: &str = "操作履歴照会";
/// 印刷.
pub const PRINT: &str = "操作履歴の印刷";
/// CSV.
pub const DOWNLOAD: &str = "操作履歴のダウンロード";

/// An entry as the list, 印刷 and CSV show it.
#[derive(Debug, Clone)]
pub struct Shown {
    pub seq: i64,
    /// 操作日時 (日本時間, to the second).
    pub at: String,
    pub login_id: String,
    /// 利用者名 (today's), or empty for an ID that is nobody's.
    pub name: String,
    pub area: String,
    pub operation: String,
    pub outcome: String,
    pub error_code: String,
    /// 操作端末: the address.
    pub ip: String,
    pub user_agent: String,
    pub details: String,
}

/// The company's users' names by id.
pub async fn names(state: &AppState, actor: &Actor) -> Result<BTreeMap<i64, String>, Error> {
    Ok(actor
        .history_scope(state)
        .users()
        .await?
        .into_iter()
        .map(|u| (u.id, u.name))
        .collect())
}

/// `e` as shown.
pub fn shown(e: HistoryEntry, names: &BTreeMap<i64, String>) -> Shown {
    let e = e.worded();
    Shown {
        seq: e.seq,
        at: jst::format_seconds(e.occurred_at),
        name: e
            .user_id
            .and_then(|id| names.get(&id).cloned())
            .unwrap_or_default(),
        login_id: e.login_id,
        area: e.area,
        operation: e.operation,
        outcome: e.outcome,
        error_code: e.error_code,
        ip: e.ip,
        user_agent: e.user_agent,
        details: e.details,
    }
}

/// Up to `limit` entries matching `c`, older than `before`; refused (and recorded) when
/// the user may not read them.
pub async fn rows(
    state: &AppState,
    actor: &Actor,
    c: &Conditions,
    before: Option<i64>,
    limit: i64,
    operation: &str,
) -> Result<Vec<HistoryEntry>, Error> {
    match actor.history_scope(state).search(c, before, limit).await {
        Err(Error::Forbidden) => Err(actor
            .refuse(state, HistoryArea::History, operation, Error::Forbidden)
            .await),
        other => other,
    }
}
