//! 操作履歴照会 (BSRS001): a user's own operations, or the whole company's for the
//! マスターユーザ and users with サービス利用権限「全操作履歴照会」.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use madoguchi_domain::{HistoryArea, jst};

use crate::state::AppState;
use crate::web::actor::Actor;
use crate::web::error::PageError;
use crate::web::page::{Frame, render};
use crate::web::routes::Routes;

pub fn router() -> Routes {
    Routes::new().route("/history", get(view_history_get))
}

struct EntryRow {
    at: String,
    user: String,
    terminal: String,
    area: String,
    operation: String,
    outcome: String,
}

#[derive(Template)]
#[template(path = "history.html")]
struct HistoryPage {
    frame: Frame,
    everyone: bool,
    rows: Vec<EntryRow>,
}

/// How many entries the screen lists (the newest).
const SHOWN: i64 = 200;

/// GET /history — 操作履歴照会. Looking is itself recorded.
async fn view_history_get(
    State(state): State<AppState>,
    actor: Actor,
) -> Result<Response, PageError> {
    let scope = actor.history_scope(&state);
    let everyone = scope.everyone();
    let entries = scope.newest(SHOWN).await?;
    let draft = actor
        .draft(&state, HistoryArea::History, "操作履歴照会")
        .details(serde_json::json!({"scope": if everyone { "company" } else { "own" }, "count": entries.len()}));
    actor.record(&state, draft).await?;
    let rows = entries
        .into_iter()
        .map(|e| EntryRow {
            at: jst::format_seconds(e.occurred_at),
            user: e.login_id,
            terminal: format!(
                "{} {}",
                e.ip,
                e.user_agent.chars().take(40).collect::<String>()
            ),
            area: e.area,
            operation: e.operation,
            outcome: if e.error_code.is_empty() {
                e.outcome
            } else {
                format!("{}（{}）", e.outcome, e.error_code)
            },
        })
        .collect();
    Ok(render(&HistoryPage {
        frame: Frame::new(&state, &actor, "BSRS001", "操作履歴照会"),
        everyone,
        rows,
    }))
}
