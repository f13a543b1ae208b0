//! The API of 証明書失効: the company's users with their certificates, and 失効 — the
//! same service functions, rules, codes and history as the screens.

use axum::Json;
use axum::extract::State;
use madoguchi_domain::jst;
use serde::Serialize;
use utoipa::ToSchema;

use super::api::{Done, OtpConfirmBody};
use super::certificates as service;
use crate::state::AppState;
use crate::web::actor::AdminActor;
use crate::web::error::{ApiError, ErrorBody};
use crate::web::extract::{self, Path};

/// A user with their newest certificate.
#[derive(Debug, Serialize, ToSchema)]
pub struct CertificateView {
    pub id: i64,
    pub login_id: String,
    /// 利用者名
    pub name: String,
    /// 証明書状態: not_issued (未発行), issued (発行済み), revoked (失効済み), expired (期限切れ)
    pub state: String,
    /// 証明書状態 as the screen shows it
    pub state_label: String,
    /// シリアル番号 of the newest certificate
    pub serial: Option<String>,
    /// 証明書有効期限 (日本時間)
    pub not_after: Option<String>,
}

/// ご利用者一覧 of 証明書失効.
#[utoipa::path(get, path = "/api/v1/users/certificates", tag = "利用者管理", responses((status = 200, body = Vec<CertificateView>), (status = 403, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    admin: AdminActor,
) -> Result<Json<Vec<CertificateView>>, ApiError> {
    let rows = service::overview(&state, &admin).await?;
    Ok(Json(
        rows.iter()
            .map(|r| CertificateView {
                id: r.user.id,
                login_id: r.user.login_id.clone(),
                name: r.user.name.clone(),
                state: r.state.code().to_owned(),
                state_label: r.state.label().to_owned(),
                serial: r.serial().map(str::to_owned),
                not_after: r.newest.as_ref().map(|c| jst::format_seconds(c.not_after)),
            })
            .collect(),
    ))
}

/// 証明書失効 (oneself too): the user's sessions end and the next handshake with the
/// certificate is refused.
#[utoipa::path(post, path = "/api/v1/users/{id}/certificate/revoke", tag = "利用者管理", params(("id" = i64, Path)), request_body = OtpConfirmBody,
    responses((status = 200, body = Done), (status = 403, description = "USR-0002 nothing to revoke", body = ErrorBody), (status = 423, description = "AUTH-0004 / AUTH-0011", body = ErrorBody)))]
pub async fn revoke(
    State(state): State<AppState>,
    admin: AdminActor,
    Path(id): Path<i64>,
    extract::Json(b): extract::Json<OtpConfirmBody>,
) -> Result<Json<Done>, ApiError> {
    let done = service::revoke(&state, &admin, id, &b.confirmation(), &b.idempotency_key).await?;
    Ok(Json(Done::from(done)))
}
