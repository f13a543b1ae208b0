//! ログイン・ログアウト and the forced password change: sessions begin and end here.

pub mod api;
pub mod service;
pub mod views;

use axum::routing::{get, post};

use crate::web::routes::Routes;

pub fn router() -> Routes {
    Routes::new()
        .route(
            "/login",
            get(views::view_login_get).post(views::view_login_post),
        )
        .route("/logout", post(views::view_logout_post))
        .route(
            "/password/change",
            get(views::view_password_change_get).post(views::view_password_change_post),
        )
        .route("/api/v1/login", post(api::login))
        .route("/api/v1/logout", post(api::logout))
        .route("/api/v1/me", get(api::get_me))
}
