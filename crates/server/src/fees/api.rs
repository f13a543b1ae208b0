//! JSON API of 手数料情報: `/api/v1/company/fees/…`.

use axum::Json;
use axum::extract::State;
use madoguchi_domain::Error;
use madoguchi_domain::fees::{
    FORM_ROWS, FeeInput, FeeKind, FeeRowInput, FeeSetting, FeeTable, Route,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::service::{self, SimulationInput};
use crate::confirm::{Confirmation, Section};
use crate::state::AppState;
use crate::web::actor::AdminActor;
use crate::web::error::{ApiError, ErrorBody};
use crate::web::extract::{Path, Query};
use crate::web::typed::typed;

/// One tier: its lower bound (0 for the first) and the fee per 振込パターン (税込 yen).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct TierBody {
    #[schema(value_type = String)]
    pub from: serde_json::Value,
    #[schema(value_type = String)]
    pub same_branch: serde_json::Value,
    #[schema(value_type = String)]
    pub other_branch: serde_json::Value,
    #[schema(value_type = String)]
    pub other_bank: serde_json::Value,
}

/// A fee setting: `kind` is `payee-transfer` (先方負担手数料[振込振替]), `payee-bulk`
/// (先方負担手数料[総合振込]) or `payer-bulk` (当方負担手数料[総合振込]).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct FeeSettingBody {
    pub version: i64,
    /// 基準手数料の使用有無: true = 使用する (always the bank's current table)
    pub use_standard: bool,
    /// 手数料計算方法 (payee-bulk only): unshifted 据置型, add_upper_fee 以上手数料加算型, add_lower_fee 未満手数料加算型
    #[serde(default)]
    pub method: String,
    /// 適用最低支払金額 (payee tables)
    #[serde(default)]
    #[schema(value_type = String)]
    pub minimum_payment: serde_json::Value,
    /// The company's own tiers (used with use_standard = false)
    #[serde(default)]
    pub tiers: Vec<TierBody>,
    /// The table in force today (read only)
    #[serde(default, skip_deserializing)]
    pub in_force: Vec<TierBody>,
    /// The standard version in force today (read only)
    #[serde(default, skip_deserializing)]
    pub standard: Option<String>,
}

/// A change, confirmed with the 確認用パスワード.
#[derive(Debug, Deserialize, ToSchema)]
pub struct PutFeeSetting {
    #[serde(flatten)]
    pub setting: FeeSettingBody,
    pub confirmation_password: String,
    /// ワンタイムパスワード (companies that use it; else ignored)
    #[serde(default)]
    pub one_time_password: String,
    pub idempotency_key: String,
}

/// What a `PUT` did.
#[derive(Debug, Serialize, ToSchema)]
pub struct PutFeeResult {
    pub repeated: bool,
    pub changes: serde_json::Value,
}

fn tiers(table: Option<&FeeTable>) -> Vec<TierBody> {
    let Some(t) = table else { return Vec::new() };
    (0..t.tiers().len())
        .map(|i| TierBody {
            from: if i == 0 {
                0
            } else {
                t.boundaries().get(i - 1).map(|b| b.get()).unwrap_or(0)
            }
            .into(),
            same_branch: t.fee(i, Route::SameBranch).get().into(),
            other_branch: t.fee(i, Route::OtherBranch).get().into(),
            other_bank: t.fee(i, Route::OtherBank).get().into(),
        })
        .collect()
}

fn body(view: &service::FeeView) -> FeeSettingBody {
    let s: &FeeSetting = &view.stored.setting;
    FeeSettingBody {
        version: view.stored.version,
        use_standard: s.use_standard,
        method: s.method.code().to_owned(),
        minimum_payment: s.minimum_payment.get().into(),
        tiers: tiers(s.table.as_ref()),
        in_force: tiers(view.table_in_force()),
        standard: view
            .standard
            .as_ref()
            .map(|s| format!("{}（{}適用）", s.name, s.effective_date)),
    }
}

fn input(b: &FeeSettingBody) -> FeeInput {
    FeeInput {
        use_standard: if b.use_standard { "1" } else { "0" }.to_owned(),
        method: if b.method.is_empty() {
            "unshifted".to_owned()
        } else {
            b.method.clone()
        },
        minimum_payment: if b.minimum_payment.is_null() {
            "0".to_owned()
        } else {
            typed(&b.minimum_payment)
        },
        rows: b
            .tiers
            .iter()
            .take(FORM_ROWS.max(b.tiers.len()))
            .enumerate()
            .map(|(i, t)| FeeRowInput {
                lower: if i == 0 {
                    String::new()
                } else {
                    typed(&t.from)
                },
                fees: [
                    typed(&t.same_branch),
                    typed(&t.other_branch),
                    typed(&t.other_bank),
                ],
            })
            .collect(),
    }
}

fn kind_of(key: &str) -> Result<FeeKind, ApiError> {
    FeeKind::from_key(key).ok_or(ApiError(Error::NotFound))
}

/// 手数料情報の照会.
#[utoipa::path(get, path = "/api/v1/company/fees/{kind}", tag = "企業管理",
    params(("kind" = String, Path, description = "payee-transfer | payee-bulk | payer-bulk")),
    responses((status = 200, body = FeeSettingBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_fee(
    State(state): State<AppState>,
    admin: AdminActor,
    Path(kind): Path<String>,
) -> Result<Json<FeeSettingBody>, ApiError> {
    let kind = kind_of(&kind)?;
    Ok(Json(body(&service::load(&state, &admin, kind).await?)))
}

/// 手数料情報の変更 (確認用パスワード required).
#[utoipa::path(put, path = "/api/v1/company/fees/{kind}", tag = "企業管理", request_body = PutFeeSetting,
    params(("kind" = String, Path, description = "payee-transfer | payee-bulk | payer-bulk"),
           ("X-CSRF-Token" = String, Header, description = "the token from login")),
    responses(
        (status = 200, body = PutFeeResult),
        (status = 401, description = "AUTH-0003", body = ErrorBody),
        (status = 409, description = "REQ-0003 stale", body = ErrorBody),
        (status = 422, description = "VAL-0000 with fields (FEE-0001 boundaries, VAL-0011 digits, VAL-0001 missing)", body = ErrorBody),
    ))]
pub async fn put_fee(
    State(state): State<AppState>,
    admin: AdminActor,
    Path(kind): Path<String>,
    crate::web::extract::Json(req): crate::web::extract::Json<PutFeeSetting>,
) -> Result<Json<PutFeeResult>, ApiError> {
    let kind = kind_of(&kind)?;
    let done = service::execute(
        &state,
        &admin,
        kind,
        &input(&req.setting),
        req.setting.version,
        &Confirmation::new(
            req.confirmation_password.as_str(),
            req.one_time_password.as_str(),
        ),
        &req.idempotency_key,
    )
    .await?;
    Ok(Json(PutFeeResult {
        repeated: done.repeated,
        changes: Section::changes_json(&done.sections),
    }))
}

/// Simulator query.
#[derive(Debug, Deserialize, IntoParams)]
pub struct SimulateParams {
    /// 支払金額 (半角数字)
    pub payment_amount: String,
    /// same_branch | other_branch | other_bank
    pub route: String,
    /// 振込指定日 YYYY-MM-DD
    pub date: String,
}

/// One line of the simulator.
#[derive(Debug, Serialize, ToSchema)]
pub struct SimulationLineBody {
    pub label: String,
    pub current: bool,
    pub deduction: Option<i64>,
    pub transfer_amount: Option<i64>,
    pub real_fee: Option<i64>,
    /// + 差益 / − 差損 of the payer
    pub payer_difference: Option<i64>,
    pub error: Option<ErrorBody>,
}

/// The simulator's answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct SimulationBody {
    pub standard: Option<String>,
    pub lines: Vec<SimulationLineBody>,
}

/// 手数料シミュレーション: deduction, 振込金額, real fee and 差益/差損 under each method.
#[utoipa::path(get, path = "/api/v1/company/fees/simulate", tag = "企業管理", params(SimulateParams),
    responses((status = 200, body = SimulationBody), (status = 422, body = ErrorBody)))]
pub async fn simulate(
    State(state): State<AppState>,
    admin: AdminActor,
    Query(q): Query<SimulateParams>,
) -> Result<Json<SimulationBody>, ApiError> {
    let input = SimulationInput {
        payment: q.payment_amount,
        route: q.route,
        date: q.date,
    };
    let sim = service::simulate(&state, &admin, &input).await?;
    Ok(Json(SimulationBody {
        standard: sim
            .standard
            .map(|s| format!("{}（{}適用）", s.name, s.effective_date)),
        lines: sim
            .lines
            .into_iter()
            .map(|l| match l.result {
                Ok(c) => SimulationLineBody {
                    label: l.label,
                    current: l.current,
                    deduction: Some(c.deduction.get()),
                    transfer_amount: Some(c.transfer_amount.get()),
                    real_fee: Some(c.real_fee.get()),
                    payer_difference: Some(c.payer_difference()),
                    error: None,
                },
                Err(e) => SimulationLineBody {
                    label: l.label,
                    current: l.current,
                    deduction: None,
                    transfer_amount: None,
                    real_fee: None,
                    payer_difference: None,
                    error: Some(ErrorBody {
                        code: e.code().to_owned(),
                        message: e.message_ja(),
                        fields: Vec::new(),
                        errors: Vec::new(),
                    }),
                },
            })
            .collect(),
    }))
}

/// The bank's standard table in force on a date.
#[derive(Debug, Serialize, ToSchema)]
pub struct StandardBody {
    pub name: String,
    pub effective_date: String,
    pub tiers: Vec<TierBody>,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct DateParams {
    /// YYYY-MM-DD (default: today in 日本時間)
    pub date: Option<String>,
}

/// 基準手数料 in force on a date.
#[utoipa::path(get, path = "/api/v1/company/fees/standard", tag = "企業管理", params(DateParams),
    responses((status = 200, body = StandardBody), (status = 404, body = ErrorBody)))]
pub async fn get_standard(
    State(state): State<AppState>,
    admin: AdminActor,
    Query(q): Query<DateParams>,
) -> Result<Json<StandardBody>, ApiError> {
    let date = match q.date {
        Some(d) => madoguchi_domain::jst::parse_date("date", &d).map_err(|e| {
            let mut f = madoguchi_domain::FieldErrors::new();
            f.add("date", e);
            ApiError(Error::Invalid(f))
        })?,
        None => service::today(&state),
    };
    let s = admin
        .scope(&state)
        .company()
        .standard_table_on(&date)
        .await?
        .ok_or(ApiError(Error::NotFound))?;
    Ok(Json(StandardBody {
        tiers: tiers(Some(&s.table)),
        name: s.name,
        effective_date: s.effective_date,
    }))
}
