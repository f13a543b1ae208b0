//! 企業管理 ― 手数料情報: 先方負担手数料 [振込振替]/[総合振込], 当方負担手数料 [総合振込],
//! their 照会, and the fee simulator.

pub mod api;
pub mod service;
pub mod views;

use axum::routing::{get, post};

use crate::web::routes::Routes;

pub fn router() -> Routes {
    Routes::new()
        .route("/company/fees/simulate", get(views::view_simulate_get))
        .route(
            "/company/fees/{kind}",
            get(views::view_fee_get).post(views::view_fee_post),
        )
        .route("/company/fees/{kind}/load", post(views::view_fee_load_post))
        .route("/company/fees/{kind}/back", post(views::view_fee_back_post))
        .route(
            "/company/fees/{kind}/execute",
            post(views::view_fee_execute_post),
        )
        .route(
            "/company/fees/{kind}/result",
            get(views::view_fee_result_get),
        )
        .route("/company/fees/{kind}/view", get(views::view_fee_view_get))
        .route("/api/v1/company/fees/simulate", get(api::simulate))
        .route("/api/v1/company/fees/standard", get(api::get_standard))
        .route(
            "/api/v1/company/fees/{kind}",
            get(api::get_fee).put(api::put_fee),
        )
}
