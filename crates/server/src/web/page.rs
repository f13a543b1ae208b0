//! The frame every screen shares (header, 画面ID, user, ログアウト, デモ環境 banner) and the
//! helper that renders a template into a response.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use madoguchi_domain::{Error, jst};

use crate::state::AppState;
use crate::web::actor::Actor;

/// What the common frame of a screen shows.
#[derive(Debug, Clone)]
pub struct Frame {
    /// 画面ID, shown at the right of the title.
    pub screen_id: &'static str,
    pub title: &'static str,
    /// Empty on screens before login.
    pub company: String,
    pub user: String,
    /// 前回ログイン日時, or empty.
    pub last_login: String,
    /// The session's CSRF token, for the logout form and every other form on the page.
    pub csrf: String,
    pub demo: bool,
    pub logged_in: bool,
    /// The company uses ワンタイムパスワード: every 確認 also asks for it.
    pub otp: bool,
    /// The company uses 電子証明書方式 (利用者管理 offers 証明書失効).
    pub certificate: bool,
    /// The user holds a permission of 振込振替: the menu offers 資金移動.
    pub transfers: bool,
}

impl Frame {
    /// The frame for a logged-in screen.
    pub fn new(
        state: &AppState,
        actor: &Actor,
        screen_id: &'static str,
        title: &'static str,
    ) -> Self {
        Self {
            screen_id,
            title,
            company: actor.company().name.clone(),
            user: actor.user().name.clone(),
            last_login: actor
                .user()
                .previous_login_at
                .map(jst::format_minutes)
                .unwrap_or_default(),
            csrf: actor.session().csrf_token.clone(),
            demo: state.demo,
            logged_in: true,
            otp: actor.company().options.otp,
            certificate: actor.company().options.certificate,
            transfers: actor.uses_transfers(),
        }
    }

    /// The frame for a screen before login.
    pub fn public(state: &AppState, screen_id: &'static str, title: &'static str) -> Self {
        Self {
            screen_id,
            title,
            company: String::new(),
            user: String::new(),
            last_login: String::new(),
            csrf: String::new(),
            demo: state.demo,
            logged_in: false,
            otp: false,
            certificate: false,
            transfers: false,
        }
    }
}

/// Renders `page` with status 200.
pub fn render<T: Template>(page: &T) -> Response {
    render_status(StatusCode::OK, page)
}

/// Renders `page` with `status` (e.g. 422 for a form shown again with messages).
pub fn render_status<T: Template>(status: StatusCode, page: &T) -> Response {
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed to render");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// The messages of a refusal, by field (and the summary at the top).
pub struct Messages {
    pub(crate) summary: String,
    fields: Vec<(String, String)>,
}

impl Messages {
    pub(crate) fn of(err: Option<&Error>) -> Self {
        match err {
            None => Self {
                summary: String::new(),
                fields: Vec::new(),
            },
            Some(Error::Invalid(f)) => Self {
                summary: "入力内容に誤りがあります。各項目のメッセージをご確認ください。"
                    .to_owned(),
                fields: f
                    .iter()
                    .map(|e| (e.field.clone(), e.error.message_ja()))
                    .collect(),
            },
            Some(other) => Self {
                summary: other.message_ja(),
                fields: Vec::new(),
            },
        }
    }

    /// The message beside field `name` (empty when none).
    pub fn get(&self, name: &str) -> &str {
        self.fields
            .iter()
            .find(|(f, _)| f == name)
            .map_or("", |(_, m)| m.as_str())
    }
}
