//! 利用者管理: 利用者情報の管理 (一覧・照会・新規登録・変更・削除), 利用者停止・解除, and
//! the one-time passwords' ワンタイムパスワードの利用停止解除 and トークンの失効, and 証明書失効.

pub mod api;
pub mod certificate_api;
pub mod certificate_views;
pub mod certificates;
pub mod context;
pub mod form;
pub mod otp;
pub mod otp_views;
pub mod service;
pub mod shown;
pub mod views;
pub mod wizard;

use axum::routing::{get, post};

use crate::web::routes::Routes;

pub fn router() -> Routes {
    Routes::new()
        .route("/users", get(views::view_users_menu_get))
        .route("/users/list", get(views::view_users_list_get))
        .route("/users/list/back", post(views::view_list_back_post))
        .route("/users/view", get(views::view_user_get))
        .route(
            "/users/new",
            get(wizard::view_register_get).post(wizard::view_register_post),
        )
        .route("/users/new/back", post(wizard::view_register_back_post))
        .route(
            "/users/new/execute",
            post(wizard::view_register_execute_post),
        )
        .route("/users/edit", get(wizard::view_change_get))
        .route("/users/{id}/edit", post(wizard::view_change_post))
        .route("/users/{id}/edit/back", post(wizard::view_change_back_post))
        .route(
            "/users/{id}/edit/execute",
            post(wizard::view_change_execute_post),
        )
        .route("/users/delete", get(views::view_delete_get))
        .route("/users/{id}/delete", post(views::view_delete_post))
        .route("/users/result", get(views::view_result_get))
        .route("/users/result/print", get(views::view_result_print_get))
        .route("/users/locks", get(views::view_locks_get))
        .route(
            "/users/locks/{id}",
            get(views::view_release_get).post(views::view_release_post),
        )
        .route("/users/otp/locks", get(otp_views::view_locks_get))
        .route(
            "/users/otp/locks/back",
            post(otp_views::view_locks_back_post),
        )
        .route(
            "/users/otp/locks/{id}",
            get(otp_views::view_release_get).post(otp_views::view_release_post),
        )
        .route("/users/otp/tokens", get(otp_views::view_tokens_get))
        .route(
            "/users/otp/tokens/back",
            post(otp_views::view_tokens_back_post),
        )
        .route(
            "/users/otp/tokens/{id}",
            get(otp_views::view_revoke_get).post(otp_views::view_revoke_post),
        )
        .route("/users/otp/result", get(otp_views::view_result_get))
        .route("/users/certificates", get(certificate_views::view_list_get))
        .route(
            "/users/certificates/back",
            post(certificate_views::view_back_post),
        )
        .route(
            "/users/certificates/confirm",
            get(certificate_views::view_revoke_get),
        )
        .route(
            "/users/certificates/result",
            get(certificate_views::view_result_get),
        )
        .route(
            "/users/certificates/{id}",
            post(certificate_views::view_revoke_post),
        )
        .route("/api/v1/users/certificates", get(certificate_api::list))
        .route(
            "/api/v1/users/{id}/certificate/revoke",
            post(certificate_api::revoke),
        )
        .route(
            "/api/v1/users",
            get(api::list_users).post(api::register_user),
        )
        .route(
            "/api/v1/users/{id}",
            get(api::get_user)
                .put(api::change_user)
                .delete(api::delete_user),
        )
        .route("/api/v1/users/{id}/release", post(api::release_user))
        .route("/api/v1/users/otp", get(api::list_otp))
        .route("/api/v1/users/{id}/otp/release", post(api::release_otp))
        .route("/api/v1/users/{id}/otp/revoke", post(api::revoke_token))
}
