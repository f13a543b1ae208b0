//! 振込振替 (in progress): 振込先 — the company's payees and 振込先管理. 依頼, 承認 and
//! 取引状況照会 come next (docs/transfers.md).

pub mod api;
pub mod payees;

use axum::routing::{get, post};

use crate::web::routes::Routes;

pub fn router() -> Routes {
    Routes::new()
        .route(
            "/api/v1/transfers/payees",
            get(api::list).post(api::register),
        )
        .route("/api/v1/transfers/payees/{id}/delete", post(api::delete))
}
