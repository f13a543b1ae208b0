//! JSON API of 利用者管理: `/api/v1/users…`, with the screens' rules, codes and history.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::State;
use madoguchi_domain::Business;
use madoguchi_domain::user_input::UserInput;
use madoguchi_store::UserRecord;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{otp, service};
use crate::confirm::{Confirmation, Section};
use crate::state::AppState;
use crate::web::actor::AdminActor;
use crate::web::error::{ApiError, ErrorBody};
use crate::web::extract::{self, Path};
use crate::web::typed::typed;

/// A user as the API shows it (never a password).
#[derive(Debug, Serialize, ToSchema)]
pub struct UserView {
    pub id: i64,
    pub login_id: String,
    /// 利用者名
    pub name: String,
    pub email: String,
    pub is_master: bool,
    /// 管理者権限
    pub is_admin: bool,
    /// サービス状態
    pub service_state: String,
    pub must_change_password: bool,
    /// 前回ログイン日時 (日本時間)
    pub last_login: Option<String>,
    /// サービス利用権限 codes
    pub permissions: Vec<String>,
    /// 利用可能口座 (account ids)
    pub accounts: Vec<i64>,
    /// 利用者一回当たり限度額 by business (transfer, bulk_transfer, salary, bonus, direct_debit)
    #[schema(value_type = BTreeMap<String, i64>)]
    pub tx_limits: BTreeMap<Business, i64>,
    /// Send back with a change (stale-edit check).
    pub version: i64,
}

fn view(u: &UserRecord) -> UserView {
    UserView {
        id: u.id,
        login_id: u.login_id.clone(),
        name: u.name.clone(),
        email: u.email.clone(),
        is_master: u.is_master,
        is_admin: u.has_admin_authority(),
        service_state: u.service_state().label().to_owned(),
        must_change_password: u.must_change_password,
        last_login: u.last_login_at.map(madoguchi_domain::jst::format_minutes),
        permissions: u.profile.permissions.clone(),
        accounts: u.profile.account_ids.clone(),
        tx_limits: u
            .profile
            .tx_limits
            .iter()
            .map(|(b, y)| (*b, y.get()))
            .collect(),
        version: u.version,
    }
}

/// 新規登録 / 変更 body: the fields of the three steps, then the acting administrator's
/// 確認用パスワード and a fresh idempotency key.
#[derive(Debug, Deserialize, ToSchema)]
pub struct UserBody {
    pub login_id: String,
    pub login_id_again: String,
    #[serde(default)]
    pub login_password: String,
    #[serde(default)]
    pub login_password_again: String,
    /// 変更: set a new login password
    #[serde(default)]
    pub change_login_password: bool,
    /// ログイン時に強制変更する
    #[serde(default)]
    pub force_change: bool,
    #[serde(default)]
    pub confirmation_password: String,
    #[serde(default)]
    pub confirmation_password_again: String,
    #[serde(default)]
    pub change_confirmation_password: bool,
    pub name: String,
    pub email: String,
    pub email_again: String,
    /// 管理者権限「付与する」
    pub admin: bool,
    #[serde(default)]
    pub permissions: Vec<String>,
    #[serde(default)]
    pub accounts: Vec<i64>,
    /// amounts as strings (半角数字) or numbers
    #[serde(default)]
    #[schema(value_type = BTreeMap<String, String>)]
    pub tx_limits: BTreeMap<String, serde_json::Value>,
    /// The acting administrator's 確認用パスワード
    pub admin_confirmation_password: String,
    /// ワンタイムパスワード (companies that use it; else ignored)
    #[serde(default)]
    pub one_time_password: String,
    pub idempotency_key: String,
    /// 変更: the `version` read
    #[serde(default)]
    pub version: i64,
}

fn input(b: &UserBody) -> UserInput {
    UserInput {
        login_id: b.login_id.clone(),
        login_id_again: b.login_id_again.clone(),
        login_password: b.login_password.clone(),
        login_password_again: b.login_password_again.clone(),
        change_login_password: b.change_login_password,
        force_change: b.force_change,
        confirmation_password: b.confirmation_password.clone(),
        confirmation_password_again: b.confirmation_password_again.clone(),
        change_confirmation_password: b.change_confirmation_password,
        name: b.name.clone(),
        email: b.email.clone(),
        email_again: b.email_again.clone(),
        admin: if b.admin { "1" } else { "0" }.to_owned(),
        permissions: b.permissions.iter().cloned().collect(),
        accounts: b.accounts.iter().copied().collect(),
        tx_limits: Business::ALL
            .map(|business| {
                let typed = b.tx_limits.get(business.key()).map(typed);
                (business, typed.unwrap_or_default())
            })
            .into(),
    }
}

/// What a change did.
#[derive(Debug, Serialize, ToSchema)]
pub struct Done {
    pub repeated: bool,
    pub changes: serde_json::Value,
}

impl From<crate::confirm::Executed> for Done {
    fn from(done: crate::confirm::Executed) -> Self {
        Self {
            repeated: done.repeated,
            changes: Section::changes_json(&done.sections),
        }
    }
}

/// 利用者一覧.
#[utoipa::path(get, path = "/api/v1/users", tag = "利用者管理", responses((status = 200, body = Vec<UserView>), (status = 403, body = ErrorBody)))]
pub async fn list_users(
    State(state): State<AppState>,
    admin: AdminActor,
) -> Result<Json<Vec<UserView>>, ApiError> {
    Ok(Json(
        service::list(&state, &admin)
            .await?
            .iter()
            .map(view)
            .collect(),
    ))
}

/// 利用者照会.
#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "利用者管理", params(("id" = i64, Path)), responses((status = 200, body = UserView), (status = 404, body = ErrorBody)))]
pub async fn get_user(
    State(state): State<AppState>,
    admin: AdminActor,
    Path(id): Path<i64>,
) -> Result<Json<UserView>, ApiError> {
    Ok(Json(view(&service::get(&state, &admin, id).await?)))
}

/// 利用者情報の新規登録.
#[utoipa::path(post, path = "/api/v1/users", tag = "利用者管理", request_body = UserBody,
    responses((status = 200, body = Done), (status = 409, description = "USR-0001 too many users", body = ErrorBody), (status = 422, description = "VAL-0000 with fields (VAL-0007 login ID taken, …)", body = ErrorBody)))]
pub async fn register_user(
    State(state): State<AppState>,
    admin: AdminActor,
    extract::Json(b): extract::Json<UserBody>,
) -> Result<Json<Done>, ApiError> {
    let done = service::register(
        &state,
        &admin,
        &input(&b),
        &Confirmation::new(
            b.admin_confirmation_password.as_str(),
            b.one_time_password.as_str(),
        ),
        &b.idempotency_key,
    )
    .await?;
    Ok(Json(Done::from(done)))
}

/// 利用者情報の変更.
#[utoipa::path(put, path = "/api/v1/users/{id}", tag = "利用者管理", params(("id" = i64, Path)), request_body = UserBody,
    responses((status = 200, body = Done), (status = 403, description = "USR-0002 not allowed (master's or own 管理者権限)", body = ErrorBody), (status = 409, description = "REQ-0003 stale", body = ErrorBody)))]
pub async fn change_user(
    State(state): State<AppState>,
    admin: AdminActor,
    Path(id): Path<i64>,
    extract::Json(b): extract::Json<UserBody>,
) -> Result<Json<Done>, ApiError> {
    let done = service::change(
        &state,
        &admin,
        id,
        b.version,
        &input(&b),
        &Confirmation::new(
            b.admin_confirmation_password.as_str(),
            b.one_time_password.as_str(),
        ),
        &b.idempotency_key,
    )
    .await?;
    Ok(Json(Done::from(done)))
}

/// 削除 / 停止・解除 body.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ConfirmBody {
    pub confirmation_password: String,
    /// ワンタイムパスワード (companies that use it; else ignored)
    #[serde(default)]
    pub one_time_password: String,
    pub idempotency_key: String,
    #[serde(default)]
    pub version: i64,
    /// 停止・解除: 変更後のサービス状態, `available` (利用可能: every lock released, a stop
    /// lifted) or `stopped` (利用停止)
    #[serde(default)]
    pub service_state: String,
    /// 停止・解除 to `available`: パスワードの再発行, `none` (default) | `login` |
    /// `confirmation` | `both` (the new passwords are returned once)
    #[serde(default)]
    pub reissue: String,
}

/// 利用者情報の削除.
#[utoipa::path(delete, path = "/api/v1/users/{id}", tag = "利用者管理", params(("id" = i64, Path)), request_body = ConfirmBody,
    responses((status = 200, body = Done), (status = 403, description = "USR-0002 the master or oneself", body = ErrorBody)))]
pub async fn delete_user(
    State(state): State<AppState>,
    admin: AdminActor,
    Path(id): Path<i64>,
    extract::Json(b): extract::Json<ConfirmBody>,
) -> Result<Json<Done>, ApiError> {
    let done = service::delete(
        &state,
        &admin,
        id,
        b.version,
        &Confirmation::new(
            b.confirmation_password.as_str(),
            b.one_time_password.as_str(),
        ),
        &b.idempotency_key,
    )
    .await?;
    Ok(Json(Done::from(done)))
}

/// What a release did, with new one-time passwords when asked for.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReleasedBody {
    pub repeated: bool,
    pub new_login_password: Option<String>,
    pub new_confirmation_password: Option<String>,
}

/// 利用者停止・解除: sets the サービス状態 (利用可能 or 利用停止).
#[utoipa::path(post, path = "/api/v1/users/{id}/release", tag = "利用者管理", params(("id" = i64, Path)), request_body = ConfirmBody,
    responses((status = 200, body = ReleasedBody), (status = 403, description = "USR-0002 oneself or the master", body = ErrorBody), (status = 422, description = "VAL-0012 service_state / reissue", body = ErrorBody)))]
pub async fn release_user(
    State(state): State<AppState>,
    admin: AdminActor,
    Path(id): Path<i64>,
    extract::Json(b): extract::Json<ConfirmBody>,
) -> Result<Json<ReleasedBody>, ApiError> {
    let input = service::StateInput {
        to: b.service_state.clone(),
        reissue: b.reissue.clone(),
    };
    let done = service::change_state(
        &state,
        &admin,
        id,
        b.version,
        &input,
        &Confirmation::new(
            b.confirmation_password.as_str(),
            b.one_time_password.as_str(),
        ),
        &b.idempotency_key,
    )
    .await?;
    Ok(Json(ReleasedBody {
        repeated: done.executed.repeated,
        new_login_password: done.new_login_password,
        new_confirmation_password: done.new_confirmation_password,
    }))
}

/// A user's one-time password and token, as the API shows them (never the secret).
#[derive(Debug, Serialize, ToSchema)]
pub struct OtpView {
    pub id: i64,
    pub login_id: String,
    /// 利用者名
    pub name: String,
    /// ワンタイムパスワード利用停止
    pub otp_locked: bool,
    /// トークンシリアル番号 of the token in use, if any
    pub token_serial: Option<String>,
    /// 登録日時 (日本時間) of the token in use
    pub token_registered: Option<String>,
}

/// ワンタイムパスワードの利用停止解除 / トークンの失効 body.
#[derive(Debug, Deserialize, ToSchema)]
pub struct OtpConfirmBody {
    /// The acting administrator's 確認用パスワード
    pub confirmation_password: String,
    /// The acting administrator's ワンタイムパスワード
    #[serde(default)]
    pub one_time_password: String,
    pub idempotency_key: String,
}

impl OtpConfirmBody {
    pub fn confirmation(&self) -> Confirmation {
        Confirmation::new(
            self.confirmation_password.as_str(),
            self.one_time_password.as_str(),
        )
    }
}

/// The company's users with their one-time-password state and token.
#[utoipa::path(get, path = "/api/v1/users/otp", tag = "利用者管理", responses((status = 200, body = Vec<OtpView>), (status = 403, body = ErrorBody)))]
pub async fn list_otp(
    State(state): State<AppState>,
    admin: AdminActor,
) -> Result<Json<Vec<OtpView>>, ApiError> {
    let rows = otp::overview(&state, &admin).await?;
    Ok(Json(
        rows.into_iter()
            .map(|r| OtpView {
                id: r.user.id,
                login_id: r.user.login_id.clone(),
                name: r.user.name.clone(),
                otp_locked: r.user.otp_locked,
                token_serial: r.token.as_ref().map(|t| t.serial.clone()),
                token_registered: r
                    .token
                    .as_ref()
                    .map(|t| madoguchi_domain::jst::format_minutes(t.registered_at)),
            })
            .collect(),
    ))
}

/// ワンタイムパスワードの利用停止解除 (not of oneself).
#[utoipa::path(post, path = "/api/v1/users/{id}/otp/release", tag = "利用者管理", params(("id" = i64, Path)), request_body = OtpConfirmBody,
    responses((status = 200, body = Done), (status = 403, description = "USR-0002 oneself, or not locked", body = ErrorBody), (status = 423, description = "AUTH-0004 / AUTH-0011", body = ErrorBody)))]
pub async fn release_otp(
    State(state): State<AppState>,
    admin: AdminActor,
    Path(id): Path<i64>,
    extract::Json(b): extract::Json<OtpConfirmBody>,
) -> Result<Json<Done>, ApiError> {
    let done = otp::release(&state, &admin, id, &b.confirmation(), &b.idempotency_key).await?;
    Ok(Json(Done::from(done)))
}

/// トークンの失効 (oneself too): the user's sessions end at once.
#[utoipa::path(post, path = "/api/v1/users/{id}/otp/revoke", tag = "利用者管理", params(("id" = i64, Path)), request_body = OtpConfirmBody,
    responses((status = 200, body = Done), (status = 403, description = "USR-0002 no token", body = ErrorBody)))]
pub async fn revoke_token(
    State(state): State<AppState>,
    admin: AdminActor,
    Path(id): Path<i64>,
    extract::Json(b): extract::Json<OtpConfirmBody>,
) -> Result<Json<Done>, ApiError> {
    let done = otp::revoke(&state, &admin, id, &b.confirmation(), &b.idempotency_key).await?;
    Ok(Json(Done::from(done)))
}
