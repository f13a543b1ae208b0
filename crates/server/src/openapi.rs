//! The OpenAPI description of `/api/v1/…` and the Swagger UI that shows it.

use axum::Router;
use utoipa::OpenApi;
use utoipa_swagger_ui::SwaggerUi;

use crate::state::AppState;
use crate::web::error::{ErrorBody, FieldErrorBody};
use crate::web::routes::Routes;
use crate::{auth, company, fees, history, users};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "madoguchi API",
        description = "法人インターネットバンキング 管理機能の JSON API。画面と同じ規則・同じエラーコード・同じ操作履歴。\
            セッションはログインで発行される Cookie。GET 以外の呼び出しには `X-CSRF-Token` ヘッダが必要です。"
    ),
    paths(
        auth::api::login,
        auth::api::logout,
        auth::api::get_me,
        auth::api::login_otp,
        auth::api::get_otp_registration,
        auth::api::post_otp_registration,
        company::api::get_company_settings,
        company::api::put_company_settings,
        fees::api::get_fee,
        fees::api::put_fee,
        fees::api::simulate,
        fees::api::get_standard,
        users::api::list_users,
        users::api::get_user,
        users::api::register_user,
        users::api::change_user,
        users::api::delete_user,
        users::api::release_user,
        users::api::list_otp,
        users::api::release_otp,
        users::api::revoke_token,
        auth::certificate_api::issue,
        users::certificate_api::list,
        users::certificate_api::revoke,
        crate::reference::search_banks,
        crate::transfers::api::list,
        crate::transfers::api::register,
        crate::transfers::api::delete,
        crate::transfers::order_api::form,
        crate::transfers::order_api::request,
        crate::transfers::order_api::list,
        crate::transfers::order_api::detail,
        crate::transfers::order_api::revise,
        crate::transfers::order_api::act,
        crate::bulk::api::upload,
        crate::bulk::api::list,
        crate::bulk::api::detail,
        crate::bulk::api::act,
        crate::bulk::api::results_csv,
        crate::bulk::payee_api::list,
        crate::bulk::payee_api::register,
        crate::bulk::payee_api::change,
        crate::bulk::payee_api::delete,
        crate::bulk::payee_api::import,
        crate::bulk::payee_api::csv,
        crate::bulk::payee_api::enter,
        crate::reference::search_branches,
        history::api::search,
        history::api::entry,
        history::api::print,
        history::api::csv
    ),
    components(schemas(
        ErrorBody,
        FieldErrorBody,
        auth::api::LoginRequest,
        auth::api::LoginResponse,
        auth::api::Me
    ))
)]
pub struct ApiDoc;

/// `/api/openapi.json` and `/api/docs` (Swagger UI's own files under it).
pub fn router() -> Routes {
    let ui: Router<AppState> = Router::new()
        .merge(SwaggerUi::new("/api/docs").url("/api/openapi.json", ApiDoc::openapi()));
    Routes::new().foreign(
        &[
            "/api/openapi.json",
            "/api/docs",
            "/api/docs/",
            "/api/docs/{*rest}",
        ],
        ui,
    )
}
