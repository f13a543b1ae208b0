//! The API of 振込先管理 (請求先管理) and 依頼(画面入力) of the file businesses: the list, 登録,
//! 削除, 一括登録 (multipart CSV) and the CSV download of a business's payees, and a 依頼
//! from picked payees — the same service functions, rules, codes and history as the
//! screens.

use axum::Json;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::Response;
use madoguchi_domain::bulk::entry::EntryInput;
use madoguchi_domain::bulk::payee::BulkPayeeInput;
use madoguchi_domain::{AccountKind, Error};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::api::{Uploaded, view};
use super::payees::{self, list_of};
use super::results::EncodingQuery;
use super::spool::read_multipart;
use super::{business_of, entry};
use crate::confirm::{Confirmation, Section};
use crate::orders::api::PayeeDone;
use crate::state::AppState;
use crate::web::actor::Actor;
use crate::web::error::{ApiError, ErrorBody, FileErrorBody};
use crate::web::extract::{self, Path, Query};

/// A payee of a file business's list.
#[derive(Debug, Serialize, ToSchema)]
pub struct BulkPayeeView {
    pub id: i64,
    pub bank_code: String,
    pub bank_name: String,
    pub branch_code: String,
    pub branch_name: String,
    /// 預金種目: 普通 or 当座
    pub account_kind: String,
    pub number: String,
    /// 受取人名 / 預金者名 (半角カナ)
    pub name: String,
    /// 顧客コード1 / 社員番号 / 顧客番号
    pub reference: String,
    /// 顧客コード2 / 所属コード
    pub reference2: String,
    /// グループ名
    pub group: String,
}

/// 振込先一覧 (請求先一覧) of a business (給与振込 and 賞与振込 share one).
#[utoipa::path(get, path = "/api/v1/bulk/{business}/payees", tag = "総合振込・給与・賞与振込・口座振替",
    params(("business" = String, Path)),
    responses((status = 200, body = Vec<BulkPayeeView>), (status = 403, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    actor: Actor,
    Path(business): Path<String>,
) -> Result<Json<Vec<BulkPayeeView>>, ApiError> {
    let list = list_of(business_of(&business)?)?;
    let found = payees::list(&state, &actor, list).await?;
    Ok(Json(
        found
            .into_iter()
            .map(|p| BulkPayeeView {
                id: p.id,
                bank_code: p.bank_code,
                bank_name: p.bank_name,
                branch_code: p.branch_code,
                branch_name: p.branch_name,
                account_kind: AccountKind::from_code(p.account_kind)
                    .map_or("", AccountKind::label)
                    .to_owned(),
                number: p.number,
                name: p.name,
                reference: p.reference,
                reference2: p.reference2,
                group: p.group,
            })
            .collect(),
    ))
}

/// 登録 body: the payee (bank_code, branch_code, kind, number, name, reference,
/// reference2, group), the 確認用パスワード (and one-time password), the key.
#[derive(Debug, Deserialize, ToSchema)]
pub struct RegisterBody {
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub payee: BulkPayeeInput,
    pub confirmation_password: String,
    #[serde(default)]
    pub one_time_password: String,
    pub idempotency_key: String,
}

/// 振込先 (請求先) の登録, with 振込先管理 (請求先管理).
#[utoipa::path(post, path = "/api/v1/bulk/{business}/payees", tag = "総合振込・給与・賞与振込・口座振替",
    params(("business" = String, Path)), request_body = RegisterBody,
    responses((status = 200, body = PayeeDone), (status = 403, description = "PERM-0001", body = ErrorBody),
        (status = 409, description = "PAY-0001 registered already", body = ErrorBody),
        (status = 422, description = "VAL-0024 a character outside the 全銀協 set / VAL-0025 an unknown bank or branch", body = ErrorBody)))]
pub async fn register(
    State(state): State<AppState>,
    actor: Actor,
    Path(business): Path<String>,
    extract::Json(b): extract::Json<RegisterBody>,
) -> Result<Json<PayeeDone>, ApiError> {
    let list = list_of(business_of(&business)?)?;
    let confirmation = Confirmation::new(
        b.confirmation_password.as_str(),
        b.one_time_password.as_str(),
    );
    let (done, id) = payees::register(
        &state,
        &actor,
        list,
        &b.payee,
        &confirmation,
        &b.idempotency_key,
    )
    .await?;
    Ok(Json(PayeeDone {
        id,
        repeated: done.repeated,
        changes: Section::changes_json(&done.sections),
    }))
}

/// 振込先 (請求先) の変更 of payee `id`: every field again (as 登録), with the
/// 確認用パスワード and a key.
#[utoipa::path(put, path = "/api/v1/bulk/{business}/payees/{id}", tag = "総合振込・給与・賞与振込・口座振替",
    params(("business" = String, Path), ("id" = i64, Path)), request_body = RegisterBody,
    responses((status = 200, body = PayeeDone), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "PAY-0001 another payee has the account", body = ErrorBody),
        (status = 422, description = "VAL-… by field", body = ErrorBody)))]
pub async fn change(
    State(state): State<AppState>,
    actor: Actor,
    Path((business, id)): Path<(String, i64)>,
    extract::Json(b): extract::Json<RegisterBody>,
) -> Result<Json<PayeeDone>, ApiError> {
    let list = list_of(business_of(&business)?)?;
    let confirmation = Confirmation::new(
        b.confirmation_password.as_str(),
        b.one_time_password.as_str(),
    );
    let done = super::payee_change::change(
        &state,
        &actor,
        list,
        id,
        &b.payee,
        &confirmation,
        &b.idempotency_key,
    )
    .await?;
    Ok(Json(PayeeDone {
        id: Some(id),
        repeated: done.repeated,
        changes: Section::changes_json(&done.sections),
    }))
}

/// 削除 body.
#[derive(Debug, Deserialize, ToSchema)]
pub struct DeleteBody {
    pub confirmation_password: String,
    #[serde(default)]
    pub one_time_password: String,
    pub idempotency_key: String,
}

/// 振込先 (請求先) の削除.
#[utoipa::path(post, path = "/api/v1/bulk/{business}/payees/{id}/delete", tag = "総合振込・給与・賞与振込・口座振替",
    params(("business" = String, Path), ("id" = i64, Path)), request_body = DeleteBody,
    responses((status = 200, body = PayeeDone), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete(
    State(state): State<AppState>,
    actor: Actor,
    Path((business, id)): Path<(String, i64)>,
    extract::Json(b): extract::Json<DeleteBody>,
) -> Result<Json<PayeeDone>, ApiError> {
    let list = list_of(business_of(&business)?)?;
    let confirmation = Confirmation::new(
        b.confirmation_password.as_str(),
        b.one_time_password.as_str(),
    );
    let done = payees::delete(&state, &actor, list, id, &confirmation, &b.idempotency_key).await?;
    Ok(Json(PayeeDone {
        id: Some(id),
        repeated: done.repeated,
        changes: Section::changes_json(&done.sections),
    }))
}

/// 一括登録: multipart with `file` (CSV, UTF-8 or Shift_JIS, in the download's columns),
/// `confirmation_password`, `one_time_password`, `idempotency_key`. All or none.
#[utoipa::path(post, path = "/api/v1/bulk/{business}/payees/import", tag = "総合振込・給与・賞与振込・口座振替",
    params(("business" = String, Path)),
    request_body(content_type = "multipart/form-data", description = "file, confirmation_password, one_time_password, idempotency_key"),
    responses((status = 200, body = PayeeDone), (status = 403, body = ErrorBody),
        (status = 409, description = "PAY-0001 an account registered already", body = ErrorBody),
        (status = 422, description = "FIL-0100 with every error of the file", body = ErrorBody)))]
pub async fn import(
    State(state): State<AppState>,
    actor: Actor,
    Path(business): Path<String>,
    multipart: Multipart,
) -> Result<Json<PayeeDone>, ApiError> {
    let list = list_of(business_of(&business)?)?;
    let (up, fields) = read_multipart(multipart, state.config.max_upload_bytes, None).await?;
    let field = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    };
    let Some(up) = up else {
        return Err(
            Error::InvalidFile(vec![madoguchi_domain::zengin::FileError {
                line: 0,
                from: 0,
                to: 0,
                field: "ファイル",
                code: "FIL-0016",
                message: "ファイルが大きすぎます。".into(),
            }])
            .into(),
        );
    };
    let confirmation =
        Confirmation::new(field("confirmation_password"), field("one_time_password"));
    let done = payees::import(
        &state,
        &actor,
        list,
        up.content.bytes(),
        &confirmation,
        field("idempotency_key"),
    )
    .await?;
    Ok(Json(PayeeDone {
        id: None,
        repeated: done.repeated,
        changes: Section::changes_json(&done.sections),
    }))
}

/// The list as CSV (`encoding=utf8`, the default, with a BOM; or `sjis`).
#[utoipa::path(get, path = "/api/v1/bulk/{business}/payees/csv", tag = "総合振込・給与・賞与振込・口座振替",
    params(("business" = String, Path), EncodingQuery),
    responses((status = 200, content_type = "text/csv"), (status = 403, body = ErrorBody)))]
pub async fn csv(
    State(state): State<AppState>,
    actor: Actor,
    Path(business): Path<String>,
    Query(q): Query<EncodingQuery>,
) -> Result<Response, ApiError> {
    let list = list_of(business_of(&business)?)?;
    let encoding = q.encoding()?;
    let bytes = payees::download(&state, &actor, list, encoding).await?;
    Ok(super::payee_views::csv_response(bytes, encoding, list))
}

/// One payee's amount of a 依頼(画面入力).
#[derive(Debug, Deserialize, ToSchema)]
pub struct EntryLine {
    pub payee_id: i64,
    /// 振込金額 / 引落金額 (円, digits).
    pub amount: String,
}

/// 依頼(画面入力) body.
#[derive(Debug, Deserialize, ToSchema)]
pub struct EntryBody {
    /// 支払口座 (入金口座 for 口座振替).
    pub account_id: i64,
    /// 振込指定日 / 引落日, YYYY-MM-DD.
    pub date: String,
    /// payer (当方負担, the default) or payee (先方負担); 総合振込 only.
    #[serde(default)]
    pub fee_side: String,
    #[serde(default)]
    pub first_approver: Option<i64>,
    #[serde(default)]
    pub last_approver: Option<i64>,
    pub lines: Vec<EntryLine>,
}

/// 依頼(画面入力): payees of the business's list with an amount each; the 依頼 is stored
/// 作成中 (then 確定 like any file order). Errors by field: `amount_{payee_id}`, `date`,
/// `account_id`, the approvers.
#[utoipa::path(post, path = "/api/v1/bulk/{business}/entries", tag = "総合振込・給与・賞与振込・口座振替",
    params(("business" = String, Path)), request_body = EntryBody,
    responses((status = 201, body = Uploaded), (status = 403, description = "PERM-0001 / LIM-0005", body = ErrorBody),
        (status = 422, description = "VAL-… by field", body = ErrorBody)))]
pub async fn enter(
    State(state): State<AppState>,
    actor: Actor,
    Path(business): Path<String>,
    extract::Json(body): extract::Json<EntryBody>,
) -> Result<(StatusCode, Json<Uploaded>), ApiError> {
    let b = business_of(&business)?;
    let id = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
    let input = EntryInput {
        account_id: body.account_id.to_string(),
        date: body.date,
        fee_side: body.fee_side,
        first_approver: id(body.first_approver),
        last_approver: id(body.last_approver),
        amounts: body
            .lines
            .into_iter()
            .map(|l| (l.payee_id, l.amount))
            .collect(),
    };
    let done = entry::enter(&state, &actor, b, &input).await?;
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
