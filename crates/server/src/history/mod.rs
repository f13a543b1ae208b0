//! 操作履歴照会 (BSRS001–002): a user's own operations, or the whole company's for the
//! マスターユーザ and users with サービス利用権限「全操作履歴照会」 — searched, paged, printed
//! (PDF) and downloaded (CSV), on the screens and in the API.

pub mod api;
pub mod csv;
pub mod print;
pub mod read;
pub mod service;
pub mod views;

use axum::routing::get;

use crate::web::routes::Routes;

pub fn router() -> Routes {
    Routes::new()
        .route("/history", get(views::view_history_get))
        .route("/history/print", get(views::view_print_get))
        .route("/history/csv", get(views::view_csv_get))
        .route("/history/{seq}", get(views::view_entry_get))
        .route("/api/v1/history", get(api::search))
        .route("/api/v1/history/print", get(api::print))
        .route("/api/v1/history/csv", get(api::csv))
        .route("/api/v1/history/{seq}", get(api::entry))
}
