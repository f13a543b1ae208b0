//! The API of 電子証明書発行: for a CSR (JSON) or as a PKCS#12 file — the same service
//! function, rules, codes and history as the screen.

use axum::Json;
use axum::extract::State;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use madoguchi_domain::certificate::FilePassword;
use madoguchi_domain::{Error, FieldErrors, Password, jst};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::certificate::{self as service, Delivered, Delivery};
use crate::state::AppState;
use crate::web::client::ClientInfo;
use crate::web::error::{ApiError, ErrorBody};
use crate::web::extract;

/// 電子証明書発行: who the user is, and either a CSR or the password of a PKCS#12 file.
#[derive(Debug, Deserialize, ToSchema)]
pub struct IssueRequest {
    pub login_id: String,
    /// ログインパスワード
    pub password: String,
    /// ワンタイムパスワード, where the company uses it and the user has a token
    #[serde(default)]
    pub one_time_password: String,
    /// A PKCS#10 request (PEM): the certificate is made for its key, which never leaves
    /// the client
    #[serde(default)]
    pub csr: Option<String>,
    /// Instead of a CSR: the password of the PKCS#12 file to return (8–32 characters)
    #[serde(default)]
    pub file_password: Option<String>,
}

/// A certificate issued for a CSR.
#[derive(Debug, Serialize, ToSchema)]
pub struct IssuedView {
    pub login_id: String,
    /// シリアル番号 (hex)
    pub serial: String,
    /// 証明書有効期限 (日本時間)
    pub not_after: String,
    /// The certificate (PEM)
    pub certificate: String,
    /// The bank's CA certificate (PEM)
    pub ca_certificate: String,
    /// The certificate in use before, now revoked (a renewal)
    pub superseded: Option<String>,
}

/// 電子証明書発行 (renewal too: the certificate in use is revoked). With `csr`, the
/// answer is JSON; with `file_password`, the PKCS#12 file itself.
#[utoipa::path(post, path = "/api/v1/certificates", tag = "電子証明書", request_body = IssueRequest,
    responses(
        (status = 200, description = "発行しました (JSON for a CSR, application/x-pkcs12 for a file)", body = IssuedView),
        (status = 401, description = "AUTH-0001 / AUTH-0010", body = ErrorBody),
        (status = 403, description = "CRT-0001 the company is not on 電子証明書方式", body = ErrorBody),
        (status = 422, description = "VAL-0022 csr / VAL-0023 file_password", body = ErrorBody),
    ))]
pub async fn issue(
    State(state): State<AppState>,
    client: ClientInfo,
    extract::Json(body): extract::Json<IssueRequest>,
) -> Result<Response, ApiError> {
    let delivery = match (body.csr, body.file_password) {
        (Some(csr), None) => Delivery::Csr(csr),
        (None, Some(p)) => Delivery::Pkcs12(
            FilePassword::parse(&p, &p)
                .map_err(|e| Error::Invalid(FieldErrors::single("file_password", e)))?,
        ),
        _ => {
            return Err(Error::Invalid(FieldErrors::single(
                service::CSR_FIELD,
                Error::Required {
                    label: "証明書署名要求（CSR）または証明書ファイルのパスワード",
                },
            ))
            .into());
        }
    };
    let pki_ca = state.pki.as_ref().map(|p| p.ca().cert_pem().to_owned());
    let issued = service::issue(
        &state,
        &client,
        &body.login_id,
        &Password::typed(body.password),
        &body.one_time_password,
        delivery,
    )
    .await?;
    Ok(match issued.delivered {
        Delivered::Pkcs12(file) => (
            [
                (CONTENT_TYPE, "application/x-pkcs12"),
                (CACHE_CONTROL, "no-store"),
            ],
            file,
        )
            .into_response(),
        Delivered::Pem(certificate) => Json(IssuedView {
            login_id: issued.login_id,
            serial: issued.serial,
            not_after: jst::format_seconds(issued.not_after),
            certificate,
            ca_certificate: pki_ca.unwrap_or_default(),
            superseded: issued.superseded,
        })
        .into_response(),
    })
}
