//! Screens: 操作履歴照会 (BSRS001: 操作履歴情報の検索 and 操作履歴一覧, newest first, in
//! pages), 操作履歴詳細 (BSRS002), 印刷 (PDF) and the CSV download.

use askama::Template;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use madoguchi_domain::history_search::{OPERATIONS, SearchInput};
use madoguchi_domain::{Error, HistoryArea, Outcome, jst};
use serde::Deserialize;

use super::csv::Encoding;
use super::read::Shown;
use super::service::{self, Page};
use crate::state::AppState;
use crate::web::actor::Actor;
use crate::web::error::{PageError, status_of};
use crate::web::page::{Frame, render, render_status};

/// The query of the list, 印刷 and CSV: the conditions, the page, the encoding.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    user: String,
    #[serde(default)]
    area: String,
    #[serde(default)]
    operation: String,
    #[serde(default)]
    outcome: String,
    #[serde(default)]
    terminal: String,
    /// The next page's cursor.
    #[serde(default)]
    before: String,
    /// CSV: `utf8` (default) or `sjis`.
    #[serde(default)]
    encoding: String,
}

impl ListQuery {
    pub fn input(&self) -> SearchInput {
        SearchInput {
            from: self.from.clone(),
            to: self.to.clone(),
            user: self.user.clone(),
            area: self.area.clone(),
            operation: self.operation.clone(),
            outcome: self.outcome.clone(),
            terminal: self.terminal.clone(),
        }
    }

    pub fn before(&self) -> Option<i64> {
        self.before.parse().ok()
    }

    pub fn encoding(&self) -> Result<Encoding, Error> {
        Encoding::parse(&self.encoding).ok_or(Error::Choice {
            label: "文字コード",
            choices: "UTF-8・Shift_JIS",
        })
    }
}

/// The conditions as a query string (for 次へ, 印刷 and CSV).
fn query_of(input: &SearchInput) -> String {
    serde_urlencoded::to_string(input).unwrap_or_default()
}

struct Row {
    seq: i64,
    at: String,
    login_id: String,
    name: String,
    area: String,
    operation: String,
    outcome: String,
    error: bool,
    ip: String,
}

fn row(s: &Shown) -> Row {
    Row {
        seq: s.seq,
        at: s.at.clone(),
        login_id: s.login_id.clone(),
        name: s.name.clone(),
        area: s.area.clone(),
        operation: s.operation.clone(),
        outcome: if s.error_code.is_empty() {
            s.outcome.clone()
        } else {
            format!("{}（{}）", s.outcome, s.error_code)
        },
        error: !s.error_code.is_empty(),
        ip: s.ip.clone(),
    }
}

#[derive(Template)]
#[template(path = "history.html")]
struct ListPage {
    frame: Frame,
    everyone: bool,
    input: SearchInput,
    users: Vec<(String, String)>,
    areas: Vec<(&'static str, &'static str)>,
    operations: Vec<&'static str>,
    outcomes: Vec<(&'static str, &'static str)>,
    rows: Vec<Row>,
    /// The query string of the conditions.
    query: String,
    next: Option<i64>,
    paged: bool,
    error: String,
    field_errors: Vec<(String, String)>,
    /// For administrators: the last verification of the 操作履歴 (time, and intact or not).
    integrity: Option<Integrity>,
}

/// What the last verification of the 操作履歴 found, as the screen says it.
struct Integrity {
    text: String,
    intact: bool,
}

impl Integrity {
    async fn of(state: &AppState) -> Self {
        let broken = |text: String| Integrity {
            text,
            intact: false,
        };
        match crate::audit::last_verified(state).await {
            Ok(None) => Integrity {
                text: "改ざん検証：未実施".to_owned(),
                intact: true,
            },
            Ok(Some(v)) if v.problem.is_none() => Integrity {
                text: format!(
                    "改ざん検証：{} 実施　{}件　異常なし",
                    jst::format_seconds(v.at),
                    v.checked
                ),
                intact: true,
            },
            Ok(Some(v)) => broken(format!(
                "改ざん検証：{} 実施　異常あり（銀行にお問い合わせください）",
                jst::format_seconds(v.at)
            )),
            Err(e) => {
                tracing::error!(error = %e, "the last verification of the 操作履歴 cannot be read");
                broken(
                    "改ざん検証：検証の記録を確認できません（銀行にお問い合わせください）"
                        .to_owned(),
                )
            }
        }
    }
}

impl ListPage {
    fn err(&self, field: &str) -> String {
        self.field_errors
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m.clone())
            .unwrap_or_default()
    }
}

async fn list_page(
    state: &AppState,
    actor: &Actor,
    input: SearchInput,
    page: Option<Page>,
    paged: bool,
    err: Option<&Error>,
) -> Result<ListPage, Error> {
    let users = service::pickable_users(state, actor)
        .await?
        .into_iter()
        .map(|(id, label)| (id.to_string(), label))
        .collect();
    let field_errors = match err {
        Some(Error::Invalid(f)) => f
            .iter()
            .map(|e| (e.field.clone(), e.error.message_ja()))
            .collect(),
        _ => Vec::new(),
    };
    let everyone = actor.history_scope(state).everyone();
    let integrity = if everyone || actor.user().has_admin_authority() {
        Some(Integrity::of(state).await)
    } else {
        None
    };
    Ok(ListPage {
        integrity,
        frame: Frame::new(state, actor, "BSRS001", "操作履歴照会"),
        everyone,
        query: query_of(&input),
        input,
        users,
        areas: HistoryArea::ALL
            .iter()
            .filter(|a| **a != HistoryArea::Operator || everyone)
            .map(|a| (a.code(), a.label()))
            .collect(),
        operations: OPERATIONS.iter().map(|(_, _, label)| *label).collect(),
        outcomes: Outcome::ALL.iter().map(|o| (o.code(), o.label())).collect(),
        rows: page
            .as_ref()
            .map(|p| p.entries.iter().map(row).collect())
            .unwrap_or_default(),
        next: page.as_ref().and_then(|p| p.next),
        paged,
        error: err.map(Error::message_ja).unwrap_or_default(),
        field_errors,
    })
}

/// GET /history — 操作履歴照会: the newest entries, or those of the conditions (検索),
/// a page at a time. Looking is itself recorded.
pub async fn view_history_get(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<ListQuery>,
) -> Result<Response, PageError> {
    let input = q.input();
    match service::search(&state, &actor, &input, q.before()).await {
        Ok(page) => Ok(render(
            &list_page(
                &state,
                &actor,
                input,
                Some(page),
                q.before().is_some(),
                None,
            )
            .await?,
        )),
        Err(err @ (Error::Invalid(_) | Error::Forbidden)) => Ok(render_status(
            status_of(err.kind()),
            &list_page(&state, &actor, input, None, false, Some(&err)).await?,
        )),
        Err(other) => Err(other.into()),
    }
}

struct Detail {
    label: String,
    value: String,
}

#[derive(Template)]
#[template(path = "history_entry.html")]
struct EntryPage {
    frame: Frame,
    entry: Row,
    user_agent: String,
    details: Vec<Detail>,
}

/// The details of an entry as label/value lines (a change as 「before → after」).
fn details(json: &str) -> Vec<Detail> {
    let Ok(serde_json::Value::Object(map)) = serde_json::from_str::<serde_json::Value>(json) else {
        return vec![Detail {
            label: "詳細".into(),
            value: json.to_owned(),
        }];
    };
    let text = |v: &serde_json::Value| match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let mut out = Vec::new();
    for (key, value) in map {
        match (key.as_str(), &value) {
            ("changes", serde_json::Value::Array(changes)) => {
                for c in changes {
                    out.push(Detail {
                        label: format!("{} {}", text(&c["section"]), text(&c["item"])),
                        value: format!("{} → {}", text(&c["before"]), text(&c["after"])),
                    });
                }
            }
            _ => out.push(Detail {
                label: key,
                value: text(&value),
            }),
        }
    }
    out
}

/// GET /history/{seq} — 操作履歴詳細.
pub async fn view_entry_get(
    State(state): State<AppState>,
    actor: Actor,
    Path(seq): Path<i64>,
) -> Result<Response, PageError> {
    let shown = service::entry(&state, &actor, seq).await?;
    Ok(render(&EntryPage {
        frame: Frame::new(&state, &actor, "BSRS002", "操作履歴詳細"),
        details: details(&shown.details),
        user_agent: shown.user_agent.clone(),
        entry: row(&shown),
    }))
}

/// GET /history/print — 印刷: the PDF of the conditions.
pub async fn view_print_get(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<ListQuery>,
) -> Result<Response, PageError> {
    let pdf = service::print(&state, &actor, &q.input()).await?;
    Ok(pdf_response(pdf))
}

/// GET /history/csv — the CSV of the conditions.
pub async fn view_csv_get(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<ListQuery>,
) -> Result<Response, PageError> {
    Ok(csv_response(&state, &actor, &q).await?)
}

/// A PDF answer (also the API's).
pub fn pdf_response(pdf: Vec<u8>) -> Response {
    (
        [
            (CONTENT_TYPE, "application/pdf"),
            (
                CONTENT_DISPOSITION,
                "inline; filename=\"madoguchi-history.pdf\"",
            ),
        ],
        pdf,
    )
        .into_response()
}

/// The streamed CSV answer (also the API's).
pub async fn csv_response(
    state: &AppState,
    actor: &Actor,
    q: &ListQuery,
) -> Result<Response, Error> {
    let encoding = q.encoding()?;
    let stream = service::download(state, actor, &q.input(), encoding).await?;
    let content_type = match encoding {
        Encoding::Utf8 => "text/csv; charset=utf-8",
        Encoding::ShiftJis => "text/csv; charset=shift_jis",
    };
    Ok((
        [
            (CONTENT_TYPE, content_type),
            (
                CONTENT_DISPOSITION,
                "attachment; filename=\"madoguchi-history.csv\"",
            ),
        ],
        Body::from_stream(stream),
    )
        .into_response())
}
