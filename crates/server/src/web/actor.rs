//! Authorization as a type. A handler that takes an [`Actor`] only runs for a verified,
//! live session of an active user; one that takes an [`AdminActor`] only for a マスター
//! or 管理者 user. Service functions take these types, so a missing check does not compile.

use axum::extract::FromRequestParts;
use axum::http::Method;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use madoguchi_domain::{Error, HistoryArea};
use madoguchi_store::{Company, HistoryDraft, SessionRecord, UserRecord};

use crate::state::AppState;
use crate::web::client::ClientInfo;
use crate::web::error::{ApiError, PageError, from_store};
use crate::web::{cookies, token};

/// The verified user of a request, with their company and session.
#[derive(Debug, Clone)]
pub struct Actor {
    pub user: UserRecord,
    pub company: Company,
    pub session: SessionRecord,
    pub client: ClientInfo,
}

impl Actor {
    /// A 操作履歴 entry by this user, timed now.
    pub fn draft(&self, state: &AppState, area: HistoryArea, operation: &str) -> HistoryDraft {
        let mut draft = state.draft(&self.client, area, operation);
        draft.company_id = Some(self.company.id);
        draft.user_id = Some(self.user.id);
        draft.login_id = self.user.login_id.clone();
        draft
    }

    /// Records a refused request in the 操作履歴 and returns the refusal.
    pub async fn refuse(
        &self,
        state: &AppState,
        area: HistoryArea,
        what: &str,
        err: Error,
    ) -> Error {
        let draft = self
            .draft(state, area, what)
            .failed(err.code())
            .details(serde_json::json!({ "refused": what }));
        match state.store.append_history(draft).await {
            Ok(_) => err,
            Err(e) => from_store(e),
        }
    }

    /// Records a refused input of `operation` (with the codes per field, never the values)
    /// and returns the refusal.
    pub async fn refuse_input(
        &self,
        state: &AppState,
        area: HistoryArea,
        operation: &str,
        err: Error,
    ) -> Error {
        let draft = self
            .draft(state, area, operation)
            .failed(err.code())
            .details(field_codes(&err));
        match state.store.append_history(draft).await {
            Ok(_) => err,
            Err(e) => from_store(e),
        }
    }

    /// Narrows to an administrator, recording the refusal when the user is not one.
    pub async fn admin(
        self,
        state: &AppState,
        area: HistoryArea,
        what: &str,
    ) -> Result<AdminActor, Error> {
        if self.user.has_admin_authority() {
            Ok(AdminActor(self))
        } else {
            Err(self.refuse(state, area, what, Error::Forbidden).await)
        }
    }
}

/// A マスターユーザ or a user with 管理者権限「付与する」.
#[derive(Debug, Clone)]
pub struct AdminActor(Actor);

impl AdminActor {
    pub fn actor(&self) -> &Actor {
        &self.0
    }
}

/// A logged-in user who must change the password before anything else (強制変更).
#[derive(Debug, Clone)]
pub struct PendingActor(pub Actor);

/// The answer to a request whose session is missing or refused: JSON for `/api/…`,
/// a redirect or error page for screens.
#[derive(Debug)]
pub enum Rejection {
    Api(ApiError),
    Page(PageError),
}

impl Rejection {
    pub fn new(parts: &Parts, err: Error) -> Self {
        if is_api(parts) {
            Rejection::Api(ApiError(err))
        } else {
            Rejection::Page(PageError(err))
        }
    }
}

impl IntoResponse for Rejection {
    fn into_response(self) -> Response {
        match self {
            Rejection::Api(e) => e.into_response(),
            Rejection::Page(e) => e.into_response(),
        }
    }
}

fn is_api(parts: &Parts) -> bool {
    parts.uri.path().starts_with("/api/")
}

const TOUCH_INTERVAL_MICROS: i64 = 30 * 1_000_000;

/// Loads and checks the session of a request (timeouts, user still active), without
/// deciding yet whether a pending password change is acceptable.
async fn authenticate(parts: &Parts, state: &AppState) -> Result<Actor, Error> {
    let token =
        cookies::read(&parts.headers, state.cookies.session_name()).ok_or(Error::NotLoggedIn)?;
    let id_hash = token::digest(&token);
    let session = state
        .store
        .session(&id_hash)
        .await
        .map_err(from_store)?
        .ok_or(Error::NotLoggedIn)?;
    let client = ClientInfo::from_parts(parts);
    let now = state.now();
    let timeout = if now - session.last_seen_at > state.idle_limit_micros() {
        Some((Error::SessionIdle, "セッションタイムアウト(無操作)"))
    } else if now - session.created_at > state.absolute_limit_micros() {
        Some((Error::SessionExpired, "セッションタイムアウト(最長時間)"))
    } else {
        None
    };
    let user = state
        .store
        .user(session.company_id, session.user_id)
        .await
        .map_err(from_store)?;
    let company = state
        .store
        .company(session.company_id)
        .await
        .map_err(from_store)?;
    let (Some(user), Some(company)) = (user, company) else {
        state
            .store
            .end_session(&id_hash, None)
            .await
            .map_err(from_store)?;
        return Err(Error::NotLoggedIn);
    };
    if let Some((err, operation)) = timeout {
        let actor = Actor {
            user,
            company,
            session,
            client,
        };
        let draft = actor
            .draft(state, HistoryArea::Auth, operation)
            .failed(err.code());
        state
            .store
            .end_session(&id_hash, Some(draft))
            .await
            .map_err(from_store)?;
        return Err(err);
    }
    // A user deleted or locked since login loses the session at the next request.
    if user.deleted || user.login_locked {
        state
            .store
            .end_session(&id_hash, None)
            .await
            .map_err(from_store)?;
        return Err(Error::NotLoggedIn);
    }
    // Activity is written at most every 30 seconds: the idle timeout is ten minutes, and a
    // write per request would make every page wait for a durable commit.
    if now - session.last_seen_at > TOUCH_INTERVAL_MICROS {
        state
            .store
            .touch_session(&id_hash, now)
            .await
            .map_err(from_store)?;
    }
    let actor = Actor {
        user,
        company,
        session,
        client,
    };
    // API calls that change something must echo the session's CSRF token in a header;
    // screens carry it in the form instead (see `PageForm`).
    if is_api(parts) && !matches!(parts.method, Method::GET | Method::HEAD) {
        let sent = parts
            .headers
            .get("x-csrf-token")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if !token::same(sent, &actor.session.csrf_token) {
            return Err(actor
                .refuse(
                    state,
                    HistoryArea::Auth,
                    "CSRFトークン検証",
                    Error::CsrfRejected,
                )
                .await);
        }
    }
    Ok(actor)
}

impl FromRequestParts<AppState> for Actor {
    type Rejection = Rejection;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let actor = authenticate(parts, state)
            .await
            .map_err(|e| Rejection::new(parts, e))?;
        if actor.session.pending_password_change {
            return Err(Rejection::new(parts, Error::PasswordChangeRequired));
        }
        Ok(actor)
    }
}

impl FromRequestParts<AppState> for PendingActor {
    type Rejection = Rejection;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        authenticate(parts, state)
            .await
            .map(PendingActor)
            .map_err(|e| Rejection::new(parts, e))
    }
}

impl FromRequestParts<AppState> for AdminActor {
    type Rejection = Rejection;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let actor = Actor::from_request_parts(parts, state).await?;
        let what = format!("{} {}", parts.method, parts.uri.path());
        actor
            .admin(state, area_of(parts.uri.path()), &what)
            .await
            .map_err(|e| Rejection::new(parts, e))
    }
}

/// The codes of a refusal, by field, for the 操作履歴 (never the typed values).
pub fn field_codes(err: &Error) -> serde_json::Value {
    match err {
        Error::Invalid(fields) => serde_json::Value::Object(
            fields
                .iter()
                .map(|f| {
                    (
                        f.field.clone(),
                        serde_json::Value::String(f.error.code().to_owned()),
                    )
                })
                .collect(),
        ),
        other => serde_json::json!({ "code": other.code() }),
    }
}

/// 業務種別 of a path, for refusals recorded before any handler runs.
fn area_of(path: &str) -> HistoryArea {
    let path = path.trim_start_matches("/api/v1");
    if path.starts_with("/company") {
        HistoryArea::Company
    } else if path.starts_with("/users") {
        HistoryArea::Users
    } else if path.starts_with("/history") {
        HistoryArea::History
    } else {
        HistoryArea::Auth
    }
}
