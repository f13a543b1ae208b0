//! JSON API of 企業情報の変更: `GET` and `PUT /api/v1/company/settings`.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::State;
use madoguchi_domain::settings::{
    KANA_FIELD, NAME_FIELD, account_field, approval_field, company_field,
};
use madoguchi_domain::{Business, CeilingItem, CompanyLimit, SettingsInput, TransferCategory};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::service::{self, SettingsView};
use crate::confirm::{Confirmation, Section};
use crate::state::AppState;
use crate::web::actor::AdminActor;
use crate::web::error::{ApiError, ErrorBody};
use crate::web::typed::typed;

/// One account's 口座一日当たりの限度額.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AccountLimitsBody {
    pub account_id: i64,
    /// 支店名(支店番号) 科目 口座番号 (read only)
    #[serde(default, skip_deserializing)]
    pub account: String,
    /// 振込振替(合計): 半角数字 up to 15 digits, as a string or a number
    #[schema(value_type = String)]
    pub transfer_total: serde_json::Value,
    /// 振込振替(都度指定): not above 合計
    #[schema(value_type = String)]
    pub transfer_ad_hoc: serde_json::Value,
    /// 振込振替(事前登録): not above 合計
    #[schema(value_type = String)]
    pub transfer_registered: serde_json::Value,
}

/// 企業情報: approval modes (`none`, `single`, `double_unordered`, `double_ordered`;
/// `none` only for `transfer`) and daily limits in yen.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CompanySettingsBody {
    /// Version read; a `PUT` at an older version is refused (REQ-0003).
    pub version: i64,
    /// 企業名 (up to 60 characters of the bank's character set)
    pub name: String,
    /// 企業名(カナ): 半角カナ of the 全銀協 set, up to 40
    pub name_kana: String,
    /// 承認機能の利用有無 by business: transfer, bulk_transfer, salary_bonus, direct_debit
    pub approval: BTreeMap<String, String>,
    pub accounts: Vec<AccountLimitsBody>,
    /// 企業一日当たりの限度額: bulk_transfer, salary, bonus, direct_debit (up to 12 digits)
    #[schema(value_type = BTreeMap<String, String>)]
    pub company_limits: BTreeMap<String, serde_json::Value>,
    /// 届出限度額 (read only)
    #[serde(default, skip_deserializing)]
    pub ceilings: BTreeMap<String, i64>,
}

/// A change, confirmed with the 確認用パスワード.
#[derive(Debug, Deserialize, ToSchema)]
pub struct PutCompanySettings {
    #[serde(flatten)]
    pub settings: CompanySettingsBody,
    /// 確認用パスワード
    pub confirmation_password: String,
    /// ワンタイムパスワード (companies that use it; else ignored)
    #[serde(default)]
    pub one_time_password: String,
    /// A fresh random string per intended change; a retry with the same key changes nothing twice.
    pub idempotency_key: String,
}

/// What a `PUT` did.
#[derive(Debug, Serialize, ToSchema)]
pub struct PutCompanySettingsResult {
    /// True when this key had been executed before and nothing was changed now.
    pub repeated: bool,
    /// Every changed item, before and after.
    pub changes: serde_json::Value,
    pub settings: CompanySettingsBody,
}

fn body(view: &SettingsView) -> CompanySettingsBody {
    let s = &view.stored.settings;
    CompanySettingsBody {
        version: view.stored.version,
        name: s.name.clone(),
        name_kana: s.name_kana.clone(),
        approval: Business::APPROVAL_SETTINGS
            .into_iter()
            .map(|b| {
                (
                    b.approval_key().to_owned(),
                    s.approval.get(b).code().to_owned(),
                )
            })
            .collect(),
        accounts: view
            .accounts
            .iter()
            .map(|a| {
                let l = s.accounts.get(&a.id).copied().unwrap_or_default();
                AccountLimitsBody {
                    account_id: a.id,
                    account: a.label(),
                    transfer_total: l.transfer_total.get().into(),
                    transfer_ad_hoc: l.transfer_ad_hoc.get().into(),
                    transfer_registered: l.transfer_registered.get().into(),
                }
            })
            .collect(),
        company_limits: CompanyLimit::ALL
            .into_iter()
            .map(|i| (i.key().to_owned(), s.company.get(i).get().into()))
            .collect(),
        ceilings: CeilingItem::ALL
            .into_iter()
            .map(|i| (i.key().to_owned(), view.ceilings.get(i).get()))
            .collect(),
    }
}

fn input(body: &CompanySettingsBody) -> SettingsInput {
    let mut fields = BTreeMap::new();
    fields.insert(NAME_FIELD.to_owned(), body.name.clone());
    fields.insert(KANA_FIELD.to_owned(), body.name_kana.clone());
    for b in Business::APPROVAL_SETTINGS {
        if let Some(v) = body.approval.get(b.approval_key()) {
            fields.insert(approval_field(b), v.clone());
        }
    }
    let mut ids = Vec::new();
    for a in &body.accounts {
        ids.push(a.account_id);
        for (item, v) in TransferCategory::ALL.into_iter().zip([
            &a.transfer_total,
            &a.transfer_ad_hoc,
            &a.transfer_registered,
        ]) {
            fields.insert(account_field(a.account_id, item), typed(v));
        }
    }
    for item in CompanyLimit::ALL {
        if let Some(v) = body.company_limits.get(item.key()) {
            fields.insert(company_field(item), typed(v));
        }
    }
    SettingsInput::from_fields(&fields, &ids)
}

/// 企業情報: approval modes, daily limits and the bank's ceilings.
#[utoipa::path(get, path = "/api/v1/company/settings", tag = "企業管理",
    responses(
        (status = 200, description = "企業情報", body = CompanySettingsBody),
        (status = 403, description = "PERM-0001 管理者権限がありません", body = ErrorBody),
    ))]
pub async fn get_company_settings(
    State(state): State<AppState>,
    admin: AdminActor,
) -> Result<Json<CompanySettingsBody>, ApiError> {
    Ok(Json(body(&service::load(&state, &admin).await?)))
}

/// 企業情報の変更 (確認用パスワード required).
#[utoipa::path(put, path = "/api/v1/company/settings", tag = "企業管理", request_body = PutCompanySettings,
    params(("X-CSRF-Token" = String, Header, description = "the token from login")),
    responses(
        (status = 200, description = "変更しました", body = PutCompanySettingsResult),
        (status = 401, description = "AUTH-0003 確認用パスワードが正しくありません", body = ErrorBody),
        (status = 403, description = "PERM-0001 管理者権限がありません", body = ErrorBody),
        (status = 409, description = "REQ-0003 他の管理者が設定を変更しました", body = ErrorBody),
        (status = 422, description = "VAL-0000 入力内容に誤りがあります (fields: VAL-0011 digits, LIM-0001 above the ceiling, LIM-0002 above 合計, APR-0001 承認なし not offered)", body = ErrorBody),
        (status = 423, description = "AUTH-0004 確認用パスワード利用停止", body = ErrorBody),
    ))]
pub async fn put_company_settings(
    State(state): State<AppState>,
    admin: AdminActor,
    crate::web::extract::Json(req): crate::web::extract::Json<PutCompanySettings>,
) -> Result<Json<PutCompanySettingsResult>, ApiError> {
    let done = service::execute(
        &state,
        &admin,
        &input(&req.settings),
        req.settings.version,
        &Confirmation::new(
            req.confirmation_password.as_str(),
            req.one_time_password.as_str(),
        ),
        &req.idempotency_key,
    )
    .await?;
    let view = service::load(&state, &admin).await?;
    Ok(Json(PutCompanySettingsResult {
        repeated: done.repeated,
        changes: Section::changes_json(&done.sections),
        settings: body(&view),
    }))
}
