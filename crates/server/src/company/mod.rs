//! 企業管理: 企業情報の変更 (approval modes, daily limits under the bank's ceilings).

pub mod api;
pub mod service;
pub mod views;

use axum::routing::{get, post};

use crate::web::routes::Routes;

pub fn router() -> Routes {
    Routes::new()
        .route("/company", get(views::view_company_menu_get))
        .route(
            "/company/info",
            get(views::view_info_get).post(views::view_info_post),
        )
        .route("/company/info/back", post(views::view_info_back_post))
        .route("/company/info/execute", post(views::view_info_execute_post))
        .route("/company/info/result", get(views::view_info_result_get))
        .route(
            "/api/v1/company/settings",
            get(api::get_company_settings).put(api::put_company_settings),
        )
}
