//! Authorization as a type. A handler that takes an [`Actor`] only runs for a verified,
//! live session of an active user that passed every step of the login; one that takes
//! an [`AdminActor`] only for a マスター or 管理者 user. Service functions take these
//! types, and reach the store only through the handles they hand out (`web::scope`),
//! bound to the actor's company: a missing check does not compile, and no handler ever
//! passes a company id of its own choosing.
//!
//! Sessions have stages (`SessionStage`); each extractor admits one: [`Actor`] the
//! finished login, [`OtpActor`] a session waiting for the one-time password,
//! [`OtpRegistrationActor`] one waiting for ワンタイムパスワード利用登録,
//! [`PasswordChangeActor`] a session waiting for パスワード強制変更, [`SessionActor`] any
//! stage (ログアウト). A new login step is a new stage and a new extractor, not a change
//! to the handlers.

use axum::extract::FromRequestParts;
use axum::http::Method;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use madoguchi_domain::{Error, HistoryArea, SessionStage, permissions};
use madoguchi_store::{Company, HistoryDraft, SessionRecord, UserRecord};

use crate::state::AppState;
use crate::web::client::ClientInfo;
use crate::web::error::{ApiError, PageError, from_store};
use crate::web::scope::{AdminScope, CompanyScope, HistoryScope};
use crate::web::{cookies, token};

/// The verified user of a request, with their company and session.
#[derive(Debug, Clone)]
pub struct Actor {
    user: UserRecord,
    company: Company,
    session: SessionRecord,
    client: ClientInfo,
}

impl Actor {
    pub fn user(&self) -> &UserRecord {
        &self.user
    }

    pub fn company(&self) -> &Company {
        &self.company
    }

    /// Holds a permission of 振込振替 (the マスターユーザ holds them all): 資金移動 is
    /// offered.
    pub fn uses_transfers(&self) -> bool {
        self.user.is_master
            || self
                .user
                .profile
                .permissions
                .iter()
                .any(|p| madoguchi_domain::permissions::concerns_transfer(p))
    }

    /// Holds a permission of business `b`: its screens are offered.
    pub fn uses_business(&self, b: madoguchi_domain::Business) -> bool {
        self.user.is_master
            || self
                .user
                .profile
                .permissions
                .iter()
                .any(|p| madoguchi_domain::permissions::concerns(b, p))
    }

    pub fn session(&self) -> &SessionRecord {
        &self.session
    }

    pub fn client(&self) -> &ClientInfo {
        &self.client
    }

    /// The store as this user's company sees it.
    pub fn scope<'a>(&'a self, state: &'a AppState) -> CompanyScope<'a> {
        CompanyScope::new(state.store.as_ref(), self.company.id)
    }

    /// The 操作履歴 this user may read: the whole company's for the マスターユーザ and
    /// users with 全操作履歴照会, else their own.
    pub fn history_scope<'a>(&'a self, state: &'a AppState) -> HistoryScope<'a> {
        let everyone = self.sees_all_history();
        HistoryScope::new(
            state.store.as_ref(),
            self.company.id,
            (!everyone).then_some(self.user.id),
        )
    }

    /// The マスターユーザ, or a user with サービス利用権限「全操作履歴照会」.
    pub fn sees_all_history(&self) -> bool {
        self.user.is_master || self.user.may(permissions::HISTORY_ALL)
    }

    /// Records `draft`, an operation by this user that changes nothing else (a look at
    /// the 操作履歴, say).
    pub async fn record(&self, state: &AppState, draft: HistoryDraft) -> Result<(), Error> {
        state
            .store
            .append_history(draft)
            .await
            .map(|_| ())
            .map_err(from_store)
    }

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

    /// `value` when `verdict` allows it; else the refusal, recorded as one of `what`.
    pub async fn allowed<T>(
        &self,
        state: &AppState,
        area: HistoryArea,
        what: &str,
        value: T,
        verdict: Result<(), Error>,
    ) -> Result<T, Error> {
        match verdict {
            Ok(()) => Ok(value),
            Err(e) => Err(self.refuse(state, area, what, e).await),
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

    /// The store as this administrator may use it: the company's users, and the writes
    /// of 企業管理 and 利用者管理, bound to the company and to this administrator.
    pub fn scope<'a>(&'a self, state: &'a AppState) -> AdminScope<'a> {
        AdminScope::new(self.0.scope(state), self.0.user.id, &self.0.session.id_hash)
    }
}

/// A session waiting for the one-time password (ワンタイムパスワード認証).
#[derive(Debug, Clone)]
pub struct OtpActor(pub Actor);

/// A session waiting for ワンタイムパスワード利用登録 (the user has no token).
#[derive(Debug, Clone)]
pub struct OtpRegistrationActor(pub Actor);

/// A session waiting for パスワード強制変更: only that screen and ログアウト.
#[derive(Debug, Clone)]
pub struct PasswordChangeActor(pub Actor);

/// A session in any stage (ログアウト, and who is logged in).
#[derive(Debug, Clone)]
pub struct SessionActor(pub Actor);

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

/// Loads and checks the session of a request (timeouts, user still active, passwords
/// unchanged since it was opened), whatever its stage.
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
    let client = ClientInfo::from_parts(parts, &state.trusted_proxies);
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
    // A user deleted, locked or stopped since login, or whose passwords changed since
    // (elsewhere), loses the session at the next request. (The change itself ends the
    // sessions too; this holds even for a path that forgot to.)
    if user.deleted
        || user.login_locked
        || user.stopped
        || user.credential_version != session.credential_version
    {
        state
            .store
            .end_session(&id_hash, None)
            .await
            .map_err(from_store)?;
        return Err(Error::NotLoggedIn);
    }
    // ワンタイムパスワード利用停止: no further step of any session, until an administrator
    // releases it.
    if company.options.otp && user.otp_locked {
        state
            .store
            .end_session(&id_hash, None)
            .await
            .map_err(from_store)?;
        return Err(Error::OtpLocked);
    }
    // 電子証明書方式: every request of a session opened with a certificate must come over
    // a connection presenting that certificate, so a session cookie is of no use on
    // another computer.
    if let Some(serial) = &session.certificate_serial
        && crate::certificates::ClientCertificate::of(parts).serial() != Some(serial.as_str())
    {
        let err = Error::CertificateRequired;
        let mut draft = state
            .draft(&client, HistoryArea::Auth, "電子証明書の確認")
            .failed(err.code())
            .details(
                serde_json::json!({"reason": "session_certificate_mismatch", "serial": serial}),
            );
        draft.company_id = Some(company.id);
        draft.user_id = Some(user.id);
        draft.login_id = user.login_id.clone();
        state
            .limits
            .record_unauthenticated(state.store.as_ref(), draft)
            .await
            .map_err(from_store)?;
        return Err(err);
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

/// The session of a request in exactly `stage`; a session elsewhere in the login is sent
/// where it stands.
async fn in_stage(parts: &Parts, state: &AppState, stage: SessionStage) -> Result<Actor, Error> {
    let actor = authenticate(parts, state).await?;
    match (actor.session.stage, stage) {
        (s, wanted) if s == wanted => Ok(actor),
        (SessionStage::Otp, _) => Err(Error::OtpRequired),
        (SessionStage::OtpRegistration, _) => Err(Error::OtpRegistrationRequired),
        (SessionStage::PasswordChange, _) => Err(Error::PasswordChangeRequired),
        (SessionStage::Active, _) => Err(Error::AlreadyLoggedIn),
    }
}

impl FromRequestParts<AppState> for Actor {
    type Rejection = Rejection;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        in_stage(parts, state, SessionStage::Active)
            .await
            .map_err(|e| Rejection::new(parts, e))
    }
}

impl FromRequestParts<AppState> for PasswordChangeActor {
    type Rejection = Rejection;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        in_stage(parts, state, SessionStage::PasswordChange)
            .await
            .map(PasswordChangeActor)
            .map_err(|e| Rejection::new(parts, e))
    }
}

impl FromRequestParts<AppState> for OtpActor {
    type Rejection = Rejection;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        in_stage(parts, state, SessionStage::Otp)
            .await
            .map(OtpActor)
            .map_err(|e| Rejection::new(parts, e))
    }
}

impl FromRequestParts<AppState> for OtpRegistrationActor {
    type Rejection = Rejection;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        in_stage(parts, state, SessionStage::OtpRegistration)
            .await
            .map(OtpRegistrationActor)
            .map_err(|e| Rejection::new(parts, e))
    }
}

impl FromRequestParts<AppState> for SessionActor {
    type Rejection = Rejection;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        authenticate(parts, state)
            .await
            .map(SessionActor)
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
