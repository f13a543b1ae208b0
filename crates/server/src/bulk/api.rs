//! The API of the file businesses: 依頼(ファイル受付) as multipart (errors as a list of
//! {line, columns, field, code, message}), 確定・承認・差戻し・引戻し・削除, 承認待ち一覧,
//! 取引状況照会 and one order with its records — the same service functions, rules,
//! codes and history as the screens.

use axum::Json;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use madoguchi_domain::{Error, jst};
use madoguchi_store::{BulkOrder, BulkRecordRow};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::acts::{self, Act, List};
use super::business_of;
use super::spool::{read_multipart, spool_dir};
use super::upload::{self, Upload};
use crate::confirm::Confirmation;
use crate::orders::api::{ActBody, TransferDone};
use crate::state::AppState;
use crate::web::actor::Actor;
use crate::web::error::{ApiError, ErrorBody, FileErrorBody};
use crate::web::extract::{self, Path, Query};

/// A file accepted for 確認 (作成中).
#[derive(Debug, Serialize, ToSchema)]
pub struct Uploaded {
    pub id: i64,
    pub order: OrderView,
    /// Names that differ from the 全銀協 master's (the file is still accepted).
    pub warnings: Vec<FileErrorBody>,
}

/// One file order.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrderView {
    pub id: i64,
    pub business: String,
    /// 作成中, 承認待ち, 一次承認済み, 受付済み, 差戻済み, 引戻済み, 削除済み, 期限切れ.
    pub state: String,
    pub file_name: String,
    pub file_size: i64,
    pub file_sha256: String,
    pub account_id: i64,
    /// 振込指定日 / 引落日 (YYYY-MM-DD).
    pub date: String,
    /// 承認期限 (日本時間).
    pub deadline: String,
    pub count: i64,
    pub total_amount: i64,
    pub fee_side: String,
    pub deduction_total: i64,
    pub transfer_total: i64,
    pub payer_fee_total: i64,
    pub approval_mode: String,
    pub creator: i64,
    pub first_approver: Option<i64>,
    pub last_approver: Option<i64>,
    pub approved_by: Vec<i64>,
    pub version: i64,
}

pub(crate) fn view(o: BulkOrder) -> OrderView {
    OrderView {
        id: o.id,
        business: o.business.key().to_owned(),
        state: o.approval.state.label().to_owned(),
        file_name: o.file.name,
        file_size: o.file.size,
        file_sha256: o.file.sha256,
        account_id: o.account_id,
        date: o.execution_date,
        deadline: jst::format_minutes(o.deadline),
        count: o.totals.count,
        total_amount: o.totals.amount,
        fee_side: o.fee_side,
        deduction_total: o.totals.deduction,
        transfer_total: o.totals.transfer,
        payer_fee_total: o.totals.payer_fee,
        approval_mode: o.approval.mode.code().to_owned(),
        creator: o.approval.creator,
        first_approver: o.approval.first,
        last_approver: o.approval.last,
        approved_by: o.approval.approved_by,
        version: o.version,
    }
}

/// 依頼(ファイル受付): multipart with `file` (a 全銀協 file of the business), `fee_side`
/// (総合振込: payer 当方負担 / payee 先方負担), `first_approver`, `last_approver`.
#[utoipa::path(post, path = "/api/v1/bulk/{business}/files", tag = "総合振込・給与・賞与振込・口座振替",
    params(("business" = String, Path, description = "bulk_transfer, salary, bonus or direct_debit")),
    request_body(content_type = "multipart/form-data", description = "file, fee_side, first_approver, last_approver"),
    responses((status = 201, body = Uploaded), (status = 403, description = "PERM-0001 / LIM-0005", body = ErrorBody),
        (status = 422, description = "FIL-0100 with every error of the file / VAL-0029 approvers", body = ErrorBody)))]
pub async fn upload(
    State(state): State<AppState>,
    actor: Actor,
    Path(business): Path<String>,
    multipart: Multipart,
) -> Result<(StatusCode, Json<Uploaded>), ApiError> {
    let b = business_of(&business)?;
    let limit = state.config.max_upload_bytes;
    let (file, fields) = read_multipart(multipart, limit, Some(&spool_dir(&state))).await?;
    let up = Upload::of(file, &fields, limit);
    let done = upload::upload(&state, &actor, b, &up).await?;
    let order = actor.scope(&state).bulk_order(done.id).await?;
    Ok((
        StatusCode::CREATED,
        Json(Uploaded {
            id: done.id,
            order: view(order),
            warnings: done.warnings.iter().map(FileErrorBody::of).collect(),
        }),
    ))
}

/// The list asked for.
#[derive(Debug, Deserialize, IntoParams)]
pub struct ListQuery {
    /// waiting (承認待ち一覧) or status (取引状況照会, the default).
    #[serde(default)]
    pub view: String,
}

/// 取引状況照会 (`view=status`) or 承認待ち一覧 (`view=waiting`) of a business.
#[utoipa::path(get, path = "/api/v1/bulk/{business}/orders", tag = "総合振込・給与・賞与振込・口座振替",
    params(("business" = String, Path), ListQuery),
    responses((status = 200, body = Vec<OrderView>), (status = 403, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    actor: Actor,
    Path(business): Path<String>,
    Query(q): Query<ListQuery>,
) -> Result<Json<Vec<OrderView>>, ApiError> {
    let b = business_of(&business)?;
    let which = if q.view == "waiting" {
        List::Waiting
    } else {
        List::Status
    };
    let found = acts::list(&state, &actor, b, which).await?;
    Ok(Json(found.into_iter().map(view).collect()))
}

/// One record of a file.
#[derive(Debug, Serialize, ToSchema)]
pub struct RecordView {
    pub line: i64,
    pub bank_code: String,
    pub bank_name: String,
    pub branch_code: String,
    pub branch_name: String,
    pub account_kind: i64,
    pub number: String,
    pub name: String,
    pub amount: i64,
    pub deduction: i64,
    pub transfer_amount: i64,
    pub payer_fee: i64,
    pub reference: String,
    pub reference2: String,
    pub result_code: Option<i64>,
}

fn record_view(r: BulkRecordRow) -> RecordView {
    RecordView {
        line: r.line,
        bank_code: r.bank_code,
        bank_name: r.bank_name,
        branch_code: r.branch_code,
        branch_name: r.branch_name,
        account_kind: r.account_kind,
        number: r.number,
        name: r.name,
        amount: r.amount,
        deduction: r.deduction,
        transfer_amount: r.transfer_amount,
        payer_fee: r.payer_fee,
        reference: r.reference,
        reference2: r.reference2,
        result_code: r.result_code,
    }
}

/// One order with a page of its records.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrderDetail {
    pub order: OrderView,
    pub records: Vec<RecordView>,
    /// The `after` of the next page (none at the end).
    pub next: Option<i64>,
}

/// A page of records: those after line `after`.
#[derive(Debug, Deserialize, IntoParams)]
pub struct RecordsQuery {
    #[serde(default)]
    pub after: i64,
}

/// The most records a page holds.
pub const RECORDS_PAGE: i64 = 1000;

/// One order the user may see, with its records (keyset-paged by line).
#[utoipa::path(get, path = "/api/v1/bulk/{business}/orders/{id}", tag = "総合振込・給与・賞与振込・口座振替",
    params(("business" = String, Path), ("id" = i64, Path), RecordsQuery),
    responses((status = 200, body = OrderDetail), (status = 404, body = ErrorBody)))]
pub async fn detail(
    State(state): State<AppState>,
    actor: Actor,
    Path((business, id)): Path<(String, i64)>,
    Query(q): Query<RecordsQuery>,
) -> Result<Json<OrderDetail>, ApiError> {
    let b = business_of(&business)?;
    let o = acts::detail(&state, &actor, b, id, "取引状況照会").await?;
    let records = actor
        .scope(&state)
        .bulk_records(id, q.after, RECORDS_PAGE)
        .await?;
    let next = (records.len() as i64 == RECORDS_PAGE)
        .then(|| records.last().map(|r| r.line))
        .flatten();
    Ok(Json(OrderDetail {
        order: view(o),
        records: records.into_iter().map(record_view).collect(),
        next,
    }))
}

/// 確定 (`confirm`), 承認 (`approve`), 差戻し (`return`), 引戻し (`withdraw`) or 削除
/// (`delete`) of a file order.
#[utoipa::path(post, path = "/api/v1/bulk/{business}/orders/{id}/{act}", tag = "総合振込・給与・賞与振込・口座振替",
    params(("business" = String, Path), ("id" = i64, Path),
        ("act" = String, Path, description = "confirm, approve, return, withdraw or delete")),
    request_body = ActBody,
    responses((status = 200, body = TransferDone), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "TRF-0001 not in this state / TRF-0002 承認期限 passed / LIM-0004 / STALE", body = ErrorBody)))]
pub async fn act(
    State(state): State<AppState>,
    actor: Actor,
    Path((business, id, act)): Path<(String, i64, String)>,
    extract::Json(body): extract::Json<ActBody>,
) -> Result<Json<TransferDone>, ApiError> {
    let b = business_of(&business)?;
    let act = Act::from_code(&act).ok_or(Error::NotFound)?;
    let confirmation = Confirmation::new(
        body.confirmation_password.as_str(),
        body.one_time_password.as_str(),
    );
    let done = acts::act(
        &state,
        &actor,
        b,
        id,
        act,
        &confirmation,
        &body.idempotency_key,
    )
    .await?;
    Ok(Json(TransferDone::of(Some(id), &done)))
}

/// 振替結果照会 of a 口座振替 order: each record's 振替結果 and the totals, as CSV (UTF-8
/// with a BOM, or `encoding=sjis`).
#[utoipa::path(get, path = "/api/v1/bulk/{business}/orders/{id}/results", tag = "総合振込・給与・賞与振込・口座振替",
    params(("business" = String, Path, description = "direct_debit"), ("id" = i64, Path), super::results::EncodingQuery),
    responses((status = 200, content_type = "text/csv", description = "the file"), (status = 403, body = ErrorBody),
        (status = 404, description = "not the user's, or no results yet", body = ErrorBody)))]
pub async fn results_csv(
    State(state): State<AppState>,
    actor: Actor,
    Path((business, id)): Path<(String, i64)>,
    Query(q): Query<super::results::EncodingQuery>,
) -> Result<axum::response::Response, ApiError> {
    let b = business_of(&business)?;
    let encoding = q.encoding()?;
    let bytes = super::results::csv(&state, &actor, b, id, encoding).await?;
    Ok(super::results::response(bytes, encoding, id))
}
