//! The API of 振込振替's orders: what a 依頼 may choose (支払口座, approvers, the window of
//! 振込指定日), 依頼 (確定), 承認・差戻し・引戻し・削除, 承認待ち一覧, 取引状況照会 and one
//! order — the same service functions, rules, codes and history as the screens.

use axum::Json;
use axum::extract::State;
use madoguchi_domain::payee::PayeeInput;
use madoguchi_domain::transfer::{self, TransferInput};
use madoguchi_domain::{Error, jst};
use madoguchi_store::TransferRecord;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::acts::{self, Act, List};
use super::order;
use super::shown;
use crate::confirm::Confirmation;
pub use crate::orders::api::{ActBody, LimitLine, ShownItem, TransferDone};
use crate::state::AppState;
use crate::web::actor::Actor;
use crate::web::error::{ApiError, ErrorBody};
use crate::web::extract::{self, Path, Query};

/// A 支払口座 or an approver to choose.
#[derive(Debug, Serialize, ToSchema)]
pub struct Choice {
    pub id: i64,
    pub label: String,
}

/// What a 依頼 may choose.
#[derive(Debug, Serialize, ToSchema)]
pub struct FormView {
    /// 承認機能 of 振込振替: none, single, double_unordered, double_ordered.
    pub approval_mode: String,
    /// The user's 利用可能口座.
    pub accounts: Vec<Choice>,
    /// Users who may be named approvers.
    pub approvers: Vec<Choice>,
    /// The earliest and latest 振込指定日 (YYYY-MM-DD).
    pub first_date: String,
    pub last_date: String,
    /// 当日扱いの受付時限 (日本時間).
    pub cutoff: String,
}

/// What a 依頼 may choose now.
#[utoipa::path(get, path = "/api/v1/transfers/form", tag = "振込振替",
    responses((status = 200, body = FormView), (status = 403, body = ErrorBody)))]
pub async fn form(State(state): State<AppState>, actor: Actor) -> Result<Json<FormView>, ApiError> {
    let c = order::choices(&state, &actor).await?;
    Ok(Json(FormView {
        approval_mode: c.mode.code().to_owned(),
        accounts: c
            .accounts
            .iter()
            .map(|a| Choice {
                id: a.id,
                label: shown::account_label(a),
            })
            .collect(),
        approvers: c
            .approvers
            .iter()
            .map(|u| Choice {
                id: u.id,
                label: format!("{} ({})", u.name, u.login_id),
            })
            .collect(),
        first_date: transfer::date_key(c.first_date),
        last_date: transfer::date_key(c.last_date),
        cutoff: c.cutoff,
    }))
}

/// 振込振替の依頼 body: a listed payee (`payee_id`) or a new account (`payee`), the
/// transfer, the 確認用パスワード (and one-time password), the key.
#[derive(Debug, Deserialize, ToSchema)]
pub struct RequestBody {
    /// One of the company's payees (事前登録口座 or 利用者登録口座).
    pub payee_id: Option<i64>,
    /// 新規口座指定: bank_code, branch_code, kind (普通/当座), number, name.
    #[schema(value_type = Option<Object>)]
    pub payee: Option<PayeeInput>,
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub transfer: TransferInput,
    pub confirmation_password: String,
    #[serde(default)]
    pub one_time_password: String,
    pub idempotency_key: String,
}

/// An order, as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct TransferView {
    pub id: i64,
    /// 状態: draft, pending, first_approved, accepted, returned, withdrawn, deleted, expired.
    pub state: String,
    pub state_label: String,
    /// registered (事前登録口座), user (利用者登録口座) or new (新規口座指定).
    pub payee_kind: String,
    pub bank_code: String,
    pub branch_code: String,
    pub account_kind: i64,
    pub number: String,
    pub name: String,
    pub account_id: i64,
    /// 振込指定日
    pub date: String,
    /// 支払金額
    pub amount: i64,
    /// payer (当方負担) or payee (先方負担)
    pub fee_side: String,
    /// 先方負担手数料
    pub fee: i64,
    /// 振込金額
    pub transfer_amount: i64,
    pub approval_mode: String,
    pub creator: i64,
    pub first_approver: Option<i64>,
    pub last_approver: Option<i64>,
    pub approved_by: Vec<i64>,
    /// 承認期限 (日本時間)
    pub deadline: String,
    /// 処理結果 from the host: 入金済み, 振込不能, 処理中, or empty.
    pub host_result: String,
    pub host_reason: String,
    pub version: i64,
}

fn view(t: TransferRecord) -> TransferView {
    TransferView {
        host_result: shown::host_label(&t).to_owned(),
        host_reason: t
            .host
            .as_ref()
            .map(|h| h.reason.clone())
            .unwrap_or_default(),
        id: t.id,
        state: t.approval.state.code().to_owned(),
        state_label: t.approval.state.label().to_owned(),
        payee_kind: t.payee.kind.code().to_owned(),
        bank_code: t.payee.bank_code,
        branch_code: t.payee.branch_code,
        account_kind: t.payee.account_kind,
        number: t.payee.number,
        name: t.payee.name,
        account_id: t.account_id,
        date: t.execution_date,
        amount: t.amount,
        fee_side: t.fee_side,
        fee: t.fee,
        transfer_amount: t.transfer_amount,
        approval_mode: t.approval.mode.code().to_owned(),
        creator: t.approval.creator,
        first_approver: t.approval.first,
        last_approver: t.approval.last,
        approved_by: t.approval.approved_by,
        deadline: jst::format_minutes(t.deadline),
        version: t.version,
    }
}

/// 振込振替の修正 of a 差戻済み or 引戻済み order by its creator → 確定 again (the same body
/// as a 依頼).
#[utoipa::path(put, path = "/api/v1/transfers/{id}", tag = "振込振替", params(("id" = i64, Path)), request_body = RequestBody,
    responses((status = 200, body = TransferDone), (status = 404, body = ErrorBody),
        (status = 409, description = "TRF-0001 not the creator's, or not 差戻済み/引戻済み / STALE / LIM-0004", body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn revise(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    extract::Json(b): extract::Json<RequestBody>,
) -> Result<Json<TransferDone>, ApiError> {
    let choice = order::choose(&state, &actor, super::revise::REVISE, b.payee_id, b.payee).await?;
    let confirmation = Confirmation::new(
        b.confirmation_password.as_str(),
        b.one_time_password.as_str(),
    );
    let done = super::revise::revise(
        &state,
        &actor,
        id,
        &choice,
        &b.transfer,
        &confirmation,
        &b.idempotency_key,
    )
    .await?;
    Ok(Json(TransferDone::of(Some(id), &done)))
}

/// 振込振替の依頼 → 確定 (under 承認なし, accepted by the bank at once).
#[utoipa::path(post, path = "/api/v1/transfers", tag = "振込振替", request_body = RequestBody,
    responses((status = 200, body = TransferDone), (status = 403, description = "PERM-0001 / LIM-0005", body = ErrorBody),
        (status = 409, description = "LIM-0004 a daily limit reached", body = ErrorBody),
        (status = 422, description = "VAL-0026..0031 the day, approvers, account or amount", body = ErrorBody)))]
pub async fn request(
    State(state): State<AppState>,
    actor: Actor,
    extract::Json(b): extract::Json<RequestBody>,
) -> Result<Json<TransferDone>, ApiError> {
    let choice = order::choose(&state, &actor, order::REQUEST, b.payee_id, b.payee).await?;
    let confirmation = Confirmation::new(
        b.confirmation_password.as_str(),
        b.one_time_password.as_str(),
    );
    let (done, id) = order::request(
        &state,
        &actor,
        &choice,
        &b.transfer,
        &confirmation,
        &b.idempotency_key,
    )
    .await?;
    Ok(Json(TransferDone::of(id, &done)))
}

/// The list asked for.
#[derive(Debug, Deserialize, IntoParams)]
pub struct ListQuery {
    /// waiting (承認待ち一覧) or status (取引状況照会, the default).
    #[serde(default)]
    pub view: String,
}

/// 取引状況照会 (`view=status`) or 承認待ち一覧 (`view=waiting`).
#[utoipa::path(get, path = "/api/v1/transfers", tag = "振込振替", params(ListQuery),
    responses((status = 200, body = Vec<TransferView>), (status = 403, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<ListQuery>,
) -> Result<Json<Vec<TransferView>>, ApiError> {
    let which = if q.view == "waiting" {
        List::Waiting
    } else {
        List::Status
    };
    let found = acts::list(&state, &actor, which).await?;
    Ok(Json(found.into_iter().map(view).collect()))
}

/// One order the user may see.
#[utoipa::path(get, path = "/api/v1/transfers/{id}", tag = "振込振替", params(("id" = i64, Path)),
    responses((status = 200, body = TransferView), (status = 404, body = ErrorBody)))]
pub async fn detail(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
) -> Result<Json<TransferView>, ApiError> {
    let t = acts::detail(&state, &actor, id, "取引状況照会").await?;
    Ok(Json(view(t)))
}

/// 承認 (`approve`), 差戻し (`return`), 引戻し (`withdraw`) or 削除 (`delete`) of an order.
#[utoipa::path(post, path = "/api/v1/transfers/{id}/{act}", tag = "振込振替",
    params(("id" = i64, Path), ("act" = String, Path, description = "approve, return, withdraw or delete")),
    request_body = ActBody,
    responses((status = 200, body = TransferDone), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "TRF-0001 not in this state / TRF-0002 承認期限 passed / LIM-0004 / STALE", body = ErrorBody)))]
pub async fn act(
    State(state): State<AppState>,
    actor: Actor,
    Path((id, act)): Path<(i64, String)>,
    extract::Json(b): extract::Json<ActBody>,
) -> Result<Json<TransferDone>, ApiError> {
    let act = Act::from_code(&act).ok_or(Error::NotFound)?;
    let confirmation = Confirmation::new(
        b.confirmation_password.as_str(),
        b.one_time_password.as_str(),
    );
    let done = acts::act(&state, &actor, id, act, &confirmation, &b.idempotency_key).await?;
    Ok(Json(TransferDone::of(Some(id), &done)))
}
