//! JSON API of 操作履歴照会: `/api/v1/history…`, with the screens' conditions, visibility,
//! codes and records.

use axum::Json;
use axum::extract::{Query, State};
use axum::response::Response;
use serde::Serialize;
use utoipa::ToSchema;

use super::read::Shown;
use super::service;
use super::views::{ListQuery, csv_response, pdf_response};
use crate::state::AppState;
use crate::web::actor::Actor;
use crate::web::error::{ApiError, ErrorBody};
use crate::web::extract::Path;

/// An entry as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct EntryView {
    /// 通番 (also the cursor of paging)
    pub seq: i64,
    /// 操作日時 (日本時間)
    pub at: String,
    pub login_id: String,
    /// 利用者名
    pub name: String,
    /// 業務種別
    pub area: String,
    /// 操作内容
    pub operation: String,
    /// 結果
    pub outcome: String,
    pub error_code: String,
    /// 操作端末
    pub ip: String,
    pub user_agent: String,
    /// Before/after and other particulars (never a secret)
    pub details: serde_json::Value,
}

impl From<Shown> for EntryView {
    fn from(s: Shown) -> Self {
        Self {
            seq: s.seq,
            at: s.at,
            login_id: s.login_id,
            name: s.name,
            area: s.area,
            operation: s.operation,
            outcome: s.outcome,
            error_code: s.error_code,
            ip: s.ip,
            user_agent: s.user_agent,
            details: serde_json::from_str(&s.details).unwrap_or(serde_json::Value::Null),
        }
    }
}

/// One page of a search.
#[derive(Debug, Serialize, ToSchema)]
pub struct PageView {
    pub entries: Vec<EntryView>,
    /// Send as `before` for the next (older) page; absent on the last.
    pub next: Option<i64>,
    /// `company` (everyone's entries) or `own`.
    pub scope: String,
}

/// 操作履歴照会: newest first, 50 a page. Conditions: `from`, `to` (YYYY-MM-DD, 日本時間,
/// both days included), `user` (id), `area` (auth|company|users|history|operator),
/// `operation` (操作内容), `outcome` (ok|error), `terminal` (IP address); `before` pages.
#[utoipa::path(get, path = "/api/v1/history", tag = "操作履歴照会",
    responses((status = 200, body = PageView),
        (status = 403, description = "PERM-0001 someone else's entries without 全操作履歴照会", body = ErrorBody),
        (status = 422, description = "VAL-0000 (VAL-0013 date, VAL-0020 order, VAL-0012 choice, VAL-0021 address)", body = ErrorBody)))]
pub async fn search(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<ListQuery>,
) -> Result<Json<PageView>, ApiError> {
    let page = service::search(&state, &actor, &q.input(), q.before()).await?;
    Ok(Json(PageView {
        entries: page.entries.into_iter().map(EntryView::from).collect(),
        next: page.next,
        scope: if page.everyone { "company" } else { "own" }.to_owned(),
    }))
}

/// One entry (another company's, or someone else's without 全操作履歴照会: 404).
#[utoipa::path(get, path = "/api/v1/history/{seq}", tag = "操作履歴照会", params(("seq" = i64, Path)),
    responses((status = 200, body = EntryView), (status = 404, body = ErrorBody)))]
pub async fn entry(
    State(state): State<AppState>,
    actor: Actor,
    Path(seq): Path<i64>,
) -> Result<Json<EntryView>, ApiError> {
    Ok(Json(service::entry(&state, &actor, seq).await?.into()))
}

/// 印刷: the PDF of the conditions (the newest 10,000 entries).
#[utoipa::path(get, path = "/api/v1/history/print", tag = "操作履歴照会",
    responses((status = 200, content_type = "application/pdf", description = "the printout")))]
pub async fn print(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<ListQuery>,
) -> Result<Response, ApiError> {
    Ok(pdf_response(
        service::print(&state, &actor, &q.input()).await?,
    ))
}

/// CSV of the conditions, every entry, streamed; `encoding=sjis` for Shift_JIS.
#[utoipa::path(get, path = "/api/v1/history/csv", tag = "操作履歴照会",
    responses((status = 200, content_type = "text/csv", description = "the file")))]
pub async fn csv(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<ListQuery>,
) -> Result<Response, ApiError> {
    Ok(csv_response(&state, &actor, &q).await?)
}
