//! 操作履歴照会: one service function per operation — 検索 (a page), an entry's 詳細, and
//! the rows of 印刷 and CSV — shared by the screens and the API. Every look is itself
//! recorded; a search for someone else's entries by a user who may read only their own
//! is refused and recorded.

use madoguchi_domain::history_search::{Conditions, SearchInput};
use madoguchi_domain::{Error, HistoryArea};

use super::csv::{self, Encoding};
use super::print::{self, Heading};
use super::read::{DOWNLOAD, LOOK, PRINT, Shown, names, rows, shown};
use crate::state::AppState;
use crate::web::actor::Actor;

/// Entries per page of the list.
pub const PAGE: i64 = 50;

/// One page of a search.
#[derive(Debug, Clone)]
pub struct Page {
    pub conditions: Conditions,
    pub entries: Vec<Shown>,
    /// The cursor of the next (older) page, if there is one.
    pub next: Option<i64>,
    /// The whole company's entries are searched (else the user's own).
    pub everyone: bool,
}

/// The conditions of `input`, or the refusal at its fields (recorded).
pub async fn conditions(
    state: &AppState,
    actor: &Actor,
    input: &SearchInput,
    operation: &str,
) -> Result<Conditions, Error> {
    match input.parse() {
        Ok(c) => Ok(c),
        Err(e) => Err(actor
            .refuse_input(state, HistoryArea::History, operation, e)
            .await),
    }
}

/// What a look is recorded with: the conditions, never more.
pub fn described(input: &SearchInput, everyone: bool) -> serde_json::Value {
    serde_json::json!({
        "scope": if everyone { "company" } else { "own" },
        "conditions": input,
    })
}

/// 検索: one page of `input`'s entries, older than `before`.
pub async fn search(
    state: &AppState,
    actor: &Actor,
    input: &SearchInput,
    before: Option<i64>,
) -> Result<Page, Error> {
    let c = conditions(state, actor, input, LOOK).await?;
    let mut entries = rows(state, actor, &c, before, PAGE + 1, LOOK).await?;
    let next = if entries.len() > usize::try_from(PAGE).unwrap_or(usize::MAX) {
        entries.pop();
        entries.last().map(|e| e.seq)
    } else {
        None
    };
    let everyone = actor.history_scope(state).everyone();
    let mut details = described(input, everyone);
    if let Some(d) = details.as_object_mut() {
        d.insert("count".into(), serde_json::json!(entries.len()));
        d.insert("before".into(), serde_json::json!(before));
    }
    actor
        .record(
            state,
            actor
                .draft(state, HistoryArea::History, LOOK)
                .details(details),
        )
        .await?;
    let names = names(state, actor).await?;
    Ok(Page {
        conditions: c,
        entries: entries.into_iter().map(|e| shown(e, &names)).collect(),
        next,
        everyone,
    })
}

/// 詳細: entry `seq`, if this user may read it.
pub async fn entry(state: &AppState, actor: &Actor, seq: i64) -> Result<Shown, Error> {
    let e = actor.history_scope(state).entry(seq).await?;
    actor
        .record(
            state,
            actor
                .draft(state, HistoryArea::History, LOOK)
                .details(serde_json::json!({ "seq": seq })),
        )
        .await?;
    Ok(shown(e, &names(state, actor).await?))
}

/// The 利用者 a user may pick: everyone of the company, or only themselves.
pub async fn pickable_users(state: &AppState, actor: &Actor) -> Result<Vec<(i64, String)>, Error> {
    let scope = actor.history_scope(state);
    let users = scope.users().await?;
    Ok(users
        .into_iter()
        .filter(|u| scope.everyone() || u.id == actor.user().id)
        .map(|u| (u.id, format!("{}（{}）", u.name, u.login_id)))
        .collect())
}

/// Checks the conditions and the user's right to them, and records the export: the
/// conditions to read with.
async fn export(
    state: &AppState,
    actor: &Actor,
    input: &SearchInput,
    operation: &str,
    extra: serde_json::Value,
) -> Result<Conditions, Error> {
    let c = conditions(state, actor, input, operation).await?;
    // A look at one row tells whether the user may read what the conditions name.
    rows(state, actor, &c, None, 1, operation).await?;
    let mut details = described(input, actor.history_scope(state).everyone());
    if let (Some(d), Some(x)) = (details.as_object_mut(), extra.as_object()) {
        d.extend(x.clone());
    }
    actor
        .record(
            state,
            actor
                .draft(state, HistoryArea::History, operation)
                .details(details),
        )
        .await?;
    Ok(c)
}

/// 印刷: the PDF of `input`'s entries (the newest [`print::MAX_ROWS`]).
pub async fn print(state: &AppState, actor: &Actor, input: &SearchInput) -> Result<Vec<u8>, Error> {
    let c = export(state, actor, input, PRINT, serde_json::json!({})).await?;
    let limit = i64::try_from(print::MAX_ROWS).unwrap_or(i64::MAX) + 1;
    let mut entries = rows(state, actor, &c, None, limit, PRINT).await?;
    let truncated = entries.len() > print::MAX_ROWS;
    entries.truncate(print::MAX_ROWS);
    let names = names(state, actor).await?;
    let shown: Vec<Shown> = entries.into_iter().map(|e| shown(e, &names)).collect();
    let heading = Heading {
        company: actor.company().name.clone(),
        conditions: summary(&c, &names),
        printed_at: madoguchi_domain::jst::format_seconds(state.now()),
        truncated,
    };
    let font = state.pdf_font.clone();
    tokio::task::spawn_blocking(move || print::pdf(&font, &heading, &shown))
        .await
        .map_err(|e| crate::web::error::internal(e.into()))?
        .map_err(crate::web::error::internal)
}

/// CSV: `input`'s entries, every one, streamed in `encoding`.
pub async fn download(
    state: &AppState,
    actor: &Actor,
    input: &SearchInput,
    encoding: Encoding,
) -> Result<
    impl futures_util::Stream<Item = Result<axum::body::Bytes, std::io::Error>> + use<>,
    Error,
> {
    let c = export(
        state,
        actor,
        input,
        DOWNLOAD,
        serde_json::json!({"encoding": encoding.code()}),
    )
    .await?;
    Ok(csv::stream(state.clone(), actor.clone(), c, encoding))
}

/// The conditions in words, for the printout's header.
pub fn summary(c: &Conditions, names: &std::collections::BTreeMap<i64, String>) -> String {
    let mut parts = Vec::new();
    let day =
        |micros: i64| madoguchi_domain::jst::format_date(&madoguchi_domain::jst::date_of(micros));
    match (c.since, c.until) {
        (None, None) => {}
        (since, until) => parts.push(format!(
            "操作日付 {}～{}",
            since.map(day).unwrap_or_default(),
            until.map(|u| day(u - 1)).unwrap_or_default()
        )),
    }
    if let Some(id) = c.user_id {
        parts.push(format!(
            "利用者 {}",
            names.get(&id).cloned().unwrap_or_else(|| id.to_string())
        ));
    }
    if let Some(a) = c.area {
        parts.push(format!("業務種別 {}", a.label()));
    }
    if let Some(o) = c.operation {
        parts.push(format!("操作内容 {o}"));
    }
    if let Some(o) = c.outcome {
        parts.push(format!("結果 {}", o.label()));
    }
    if let Some(t) = &c.terminal {
        parts.push(format!("操作端末 {t}"));
    }
    if parts.is_empty() {
        "なし（すべての操作履歴）".to_owned()
    } else {
        parts.join("、")
    }
}
