//! The one place where errors become HTTP responses.
//!
//! Domain errors carry their stable code and Japanese message; the status comes from
//! [`status_of`]. Storage and internal failures are logged (with the request id of the
//! surrounding span) and shown only as SYS-0001: no SQL, no stack, no secret ever leaves.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use madoguchi_domain::{Error, ErrorKind};
use madoguchi_store::StoreError;
use serde::Serialize;
use utoipa::ToSchema;

/// HTTP status of each class of refusal.
pub fn status_of(kind: ErrorKind) -> StatusCode {
    match kind {
        ErrorKind::Invalid => StatusCode::UNPROCESSABLE_ENTITY,
        ErrorKind::Unauthenticated => StatusCode::UNAUTHORIZED,
        ErrorKind::Locked => StatusCode::LOCKED,
        ErrorKind::Forbidden => StatusCode::FORBIDDEN,
        ErrorKind::NotFound => StatusCode::NOT_FOUND,
        ErrorKind::Conflict => StatusCode::CONFLICT,
        ErrorKind::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
        ErrorKind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// Converts a storage failure into the domain's view of it, logging what is not shown.
pub fn from_store(err: StoreError) -> Error {
    match err {
        StoreError::NotFound => Error::NotFound,
        StoreError::AlreadyExecuted { .. } => Error::AlreadyExecuted,
        StoreError::KeyReused => Error::KeyReused,
        StoreError::Stale => Error::Stale,
        other => {
            tracing::error!(error = ?other, "storage failure");
            Error::Internal
        }
    }
}

/// A password hash that did not happen: `Busy` (every hashing thread taken and the
/// queue full) is a 429 the user can retry; anything else is internal.
pub fn hashing(err: crate::passwords::HashError) -> Error {
    match err {
        crate::passwords::HashError::Busy => Error::Busy,
        crate::passwords::HashError::Failed(e) => internal(e),
    }
}

/// `Retry-After` for a refusal that asks to wait.
fn retry_after(err: &Error) -> Option<(axum::http::HeaderName, String)> {
    match err {
        Error::TooManyRequests { retry_after_secs } => Some((
            axum::http::header::RETRY_AFTER,
            retry_after_secs.to_string(),
        )),
        Error::Busy | Error::LoginIdChecksThrottled => {
            Some((axum::http::header::RETRY_AFTER, "5".to_owned()))
        }
        _ => None,
    }
}

/// Logs an internal failure and returns the error users see.
pub fn internal(err: anyhow::Error) -> Error {
    tracing::error!(error = ?err, "internal failure");
    Error::Internal
}

/// The JSON body of every API error.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// Stable code, e.g. `AUTH-0001`.
    pub code: String,
    /// Japanese message for people.
    pub message: String,
    /// Per-field refusals (for `VAL-0000`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldErrorBody>,
    /// Per-record refusals of a 全銀協 file (for `FIL-0100`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FileErrorBody>,
}

/// One refusal of a 全銀協 file: where, which field, and what was expected.
#[derive(Debug, Serialize, ToSchema)]
pub struct FileErrorBody {
    /// 1-based record number (the header is 1).
    pub line: usize,
    /// Columns, 1-based inclusive, e.g. `81-90`.
    pub columns: String,
    pub field: String,
    pub code: String,
    pub message: String,
}

impl FileErrorBody {
    pub fn of(e: &madoguchi_domain::zengin::FileError) -> Self {
        Self {
            line: e.line,
            columns: format!("{}-{}", e.from, e.to),
            field: e.field.to_owned(),
            code: e.code.to_owned(),
            message: e.message.clone(),
        }
    }
}

/// One field's refusal.
#[derive(Debug, Serialize, ToSchema)]
pub struct FieldErrorBody {
    pub field: String,
    pub code: String,
    pub message: String,
}

/// An error answered as JSON (`/api/…`).
#[derive(Debug)]
pub struct ApiError(pub Error);

impl From<Error> for ApiError {
    fn from(e: Error) -> Self {
        Self(e)
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        Self(from_store(e))
    }
}

impl From<anyhow::Error> for ApiError {
    fn from(e: anyhow::Error) -> Self {
        Self(internal(e))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let fields = match &self.0 {
            Error::Invalid(fields) => fields
                .iter()
                .map(|f| FieldErrorBody {
                    field: f.field.clone(),
                    code: f.error.code().to_owned(),
                    message: f.error.message_ja(),
                })
                .collect(),
            _ => Vec::new(),
        };
        let errors = match &self.0 {
            Error::InvalidFile(errors) => errors.iter().map(FileErrorBody::of).collect(),
            _ => Vec::new(),
        };
        let body = ErrorBody {
            code: self.0.code().to_owned(),
            message: self.0.message_ja(),
            fields,
            errors,
        };
        let mut response = (status_of(self.0.kind()), Json(body)).into_response();
        add_retry_after(&mut response, &self.0);
        response
    }
}

/// An error answered as a page. Not being logged in sends the browser to the login page
/// with the reason; everything else is an error page with the message and code.
#[derive(Debug)]
pub struct PageError(pub Error);

impl From<Error> for PageError {
    fn from(e: Error) -> Self {
        Self(e)
    }
}

impl From<StoreError> for PageError {
    fn from(e: StoreError) -> Self {
        Self(from_store(e))
    }
}

impl From<anyhow::Error> for PageError {
    fn from(e: anyhow::Error) -> Self {
        Self(internal(e))
    }
}

#[derive(askama::Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    message: &'a str,
    code: &'a str,
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let reason = match self.0 {
            Error::NotLoggedIn => Some("login"),
            Error::SessionIdle => Some("idle"),
            Error::SessionExpired => Some("expired"),
            Error::PasswordChangeRequired => {
                return Redirect::to("/password/change").into_response();
            }
            Error::OtpRequired => return Redirect::to("/login/otp").into_response(),
            Error::OtpRegistrationRequired => {
                return Redirect::to("/login/otp/register").into_response();
            }
            Error::AlreadyLoggedIn => return Redirect::to("/top").into_response(),
            _ => None,
        };
        if let Some(reason) = reason {
            return Redirect::to(&format!("/login?reason={reason}")).into_response();
        }
        let message = self.0.message_ja();
        let page = ErrorPage {
            message: &message,
            code: self.0.code(),
        };
        match askama::Template::render(&page) {
            Ok(html) => {
                let mut response = (status_of(self.0.kind()), Html(html)).into_response();
                add_retry_after(&mut response, &self.0);
                response
            }
            Err(e) => {
                tracing::error!(error = %e, "error page failed to render");
                StatusCode::INTERNAL_SERVER_ERROR.into_response()
            }
        }
    }
}

/// Adds `Retry-After` to `response` when `err` asks to wait (429).
pub fn add_retry_after(response: &mut Response, err: &Error) {
    if let Some((name, value)) = retry_after(err)
        && let Ok(value) = axum::http::HeaderValue::from_str(&value)
    {
        response.headers_mut().insert(name, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses() {
        assert_eq!(
            status_of(Error::LoginFailed.kind()),
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(status_of(Error::LoginLocked.kind()), StatusCode::LOCKED);
        assert_eq!(status_of(Error::Forbidden.kind()), StatusCode::FORBIDDEN);
        assert_eq!(status_of(Error::CsrfRejected.kind()), StatusCode::FORBIDDEN);
        assert_eq!(
            status_of(Error::AlreadyExecuted.kind()),
            StatusCode::CONFLICT
        );
        assert_eq!(
            status_of(
                Error::TooManyRequests {
                    retry_after_secs: 3
                }
                .kind()
            ),
            StatusCode::TOO_MANY_REQUESTS
        );
        let page = PageError(Error::TooManyRequests {
            retry_after_secs: 3,
        })
        .into_response();
        assert_eq!(page.headers()["retry-after"], "3");
        assert_eq!(
            status_of(Error::Internal.kind()),
            StatusCode::INTERNAL_SERVER_ERROR
        );
        assert_eq!(
            status_of(Error::Required { label: "x" }.kind()),
            StatusCode::UNPROCESSABLE_ENTITY
        );
    }
}
