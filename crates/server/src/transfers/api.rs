//! The API of 振込振替 so far: the 振込先 a user may see, and 振込先管理 (登録, 削除) — the
//! same service functions, rules, codes and history as the screens will use.

use axum::Json;
use axum::extract::State;
use madoguchi_domain::AccountKind;
use madoguchi_domain::payee::PayeeInput;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::payees;
use crate::confirm::{Confirmation, Section};
pub use crate::orders::api::PayeeDone;
use crate::state::AppState;
use crate::web::actor::Actor;
use crate::web::error::{ApiError, ErrorBody};
use crate::web::extract::{self, Path};

/// A payee.
#[derive(Debug, Serialize, ToSchema)]
pub struct PayeeView {
    pub id: i64,
    /// registered (事前登録口座) or user (利用者登録口座)
    pub kind: String,
    pub bank_code: String,
    pub bank_name: String,
    pub branch_code: String,
    pub branch_name: String,
    /// 科目: 普通 or 当座
    pub account_kind: String,
    /// 口座番号
    pub number: String,
    /// 受取人名 (半角カナ)
    pub name: String,
}

/// 振込先一覧: 事前登録口座 with 依頼(事前登録口座), 利用者登録口座 with 依頼(利用者登録口座)
/// or 振込先管理.
#[utoipa::path(get, path = "/api/v1/transfers/payees", tag = "振込振替",
    responses((status = 200, body = Vec<PayeeView>), (status = 403, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    actor: Actor,
) -> Result<Json<Vec<PayeeView>>, ApiError> {
    let found = payees::list(&state, &actor).await?;
    Ok(Json(
        found
            .into_iter()
            .map(|p| PayeeView {
                id: p.id,
                kind: p.kind.code().to_owned(),
                bank_code: p.bank_code,
                bank_name: p.bank_name,
                branch_code: p.branch_code,
                branch_name: p.branch_name,
                account_kind: AccountKind::from_code(p.account_kind)
                    .map_or("", AccountKind::label)
                    .to_owned(),
                number: p.number,
                name: p.name,
            })
            .collect(),
    ))
}

/// 振込先の登録 body: the payee (bank_code, branch_code, kind 普通/当座, number, name in
/// 半角カナ or 全角 to be converted), the 確認用パスワード (and one-time password), the key.
#[derive(Debug, Deserialize, ToSchema)]
pub struct RegisterBody {
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub payee: PayeeInput,
    pub confirmation_password: String,
    #[serde(default)]
    pub one_time_password: String,
    pub idempotency_key: String,
}

/// 振込先の登録 (利用者登録口座), with 振込先管理.
#[utoipa::path(post, path = "/api/v1/transfers/payees", tag = "振込振替", request_body = RegisterBody,
    responses((status = 200, body = PayeeDone), (status = 403, description = "PERM-0001", body = ErrorBody),
        (status = 409, description = "PAY-0001 registered already", body = ErrorBody),
        (status = 422, description = "VAL-0024 a character outside the 全銀協 set / VAL-0025 an unknown bank or branch", body = ErrorBody)))]
pub async fn register(
    State(state): State<AppState>,
    actor: Actor,
    extract::Json(b): extract::Json<RegisterBody>,
) -> Result<Json<PayeeDone>, ApiError> {
    let confirmation = Confirmation::new(
        b.confirmation_password.as_str(),
        b.one_time_password.as_str(),
    );
    let (done, id) =
        payees::register(&state, &actor, &b.payee, &confirmation, &b.idempotency_key).await?;
    Ok(Json(PayeeDone {
        id,
        repeated: done.repeated,
        changes: Section::changes_json(&done.sections),
    }))
}

/// 振込先の削除 body.
#[derive(Debug, Deserialize, ToSchema)]
pub struct DeleteBody {
    pub confirmation_password: String,
    #[serde(default)]
    pub one_time_password: String,
    pub idempotency_key: String,
}

/// 振込先の削除 of a 利用者登録口座, with 振込先管理.
#[utoipa::path(post, path = "/api/v1/transfers/payees/{id}/delete", tag = "振込振替", params(("id" = i64, Path)), request_body = DeleteBody,
    responses((status = 200, body = PayeeDone), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    extract::Json(b): extract::Json<DeleteBody>,
) -> Result<Json<PayeeDone>, ApiError> {
    let confirmation = Confirmation::new(
        b.confirmation_password.as_str(),
        b.one_time_password.as_str(),
    );
    let done = payees::delete(&state, &actor, id, &confirmation, &b.idempotency_key).await?;
    Ok(Json(PayeeDone {
        id: Some(id),
        repeated: done.repeated,
        changes: Section::changes_json(&done.sections),
    }))
}
