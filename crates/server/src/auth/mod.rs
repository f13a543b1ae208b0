//! ログイン・ログアウト, the one-time password of the login (認証, 利用登録) and the forced
//! password change, and 電子証明書発行 (with the login's check of the certificate):
//! sessions begin and end here.

pub mod api;
pub mod certificate;
pub mod certificate_api;
pub mod certificate_views;
pub mod otp;
pub mod otp_views;
pub mod password;
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
        .route(
            "/login/otp",
            get(otp_views::view_otp_get).post(otp_views::view_otp_post),
        )
        .route(
            "/login/otp/register",
            get(otp_views::view_register_get).post(otp_views::view_register_post),
        )
        .route(
            "/certificate",
            get(certificate_views::view_issue_get).post(certificate_views::view_issue_post),
        )
        .route("/api/v1/certificates", post(certificate_api::issue))
        .route("/api/v1/login", post(api::login))
        .route("/api/v1/login/otp", post(api::login_otp))
        .route(
            "/api/v1/login/otp/registration",
            get(api::get_otp_registration).post(api::post_otp_registration),
        )
        .route("/api/v1/logout", post(api::logout))
        .route("/api/v1/me", get(api::get_me))
}
