//! The screens of the confirm step, shared by every change: 確認 (with the 確認用パスワード
//! and every typed value carried in hidden fields) and 結果.

use askama::Template;
use axum::http::StatusCode;
use axum::response::Response;

use crate::confirm::{Section, Step};
use crate::web::page::{Frame, render, render_status};

#[derive(Template)]
#[template(path = "change_confirm.html")]
pub struct ConfirmPage {
    pub frame: Frame,
    pub steps: Vec<Step>,
    /// 「以下の内容で…を変更します。」
    pub lead: String,
    pub sections: Vec<Section>,
    /// Every typed field, carried to 実行 (and back to the input with 「戻る」).
    pub hidden: Vec<(String, String)>,
    pub version: i64,
    pub idempotency_key: String,
    pub error: String,
    /// A change (変更, 停止・解除): the legend 「変更した内容は赤字…」 and, when nothing
    /// changed, 「変更された項目はありません」. A registration or a deletion has neither.
    pub shows_changes: bool,
    pub nothing_changed: bool,
    /// Where 実行 posts.
    pub action: String,
    /// Where 「戻る」 posts.
    pub back_action: String,
    /// The name of the 確認用パスワード field (a user form has its own `confirmation_password`).
    pub password_name: &'static str,
}

impl ConfirmPage {
    /// The 確認 of a registration or an order (no 「変更」 legend), carrying nothing but
    /// the key: 実行 posts to `action`, 「戻る」 to `back_action`.
    pub fn new(
        frame: Frame,
        steps: Vec<Step>,
        lead: String,
        sections: Vec<Section>,
        key: String,
        action: String,
        back_action: String,
    ) -> Self {
        Self {
            frame,
            steps,
            lead,
            sections,
            hidden: Vec::new(),
            version: 0,
            idempotency_key: key,
            error: String::new(),
            shows_changes: false,
            nothing_changed: false,
            action,
            back_action,
            password_name: "confirmation_password",
        }
    }

    /// Every typed field carried to 実行 (and back).
    pub fn carrying(mut self, hidden: Vec<(String, String)>) -> Self {
        self.hidden = hidden;
        self
    }

    /// A change: the legend 「変更した内容は赤字…」.
    pub fn showing_changes(mut self) -> Self {
        self.shows_changes = true;
        self
    }

    /// Shown again after `error` (about the 確認用パスワード), with its status; or first.
    pub fn respond_after(mut self, error: Option<&madoguchi_domain::Error>) -> Response {
        let status = error.map_or(StatusCode::OK, |e| crate::web::error::status_of(e.kind()));
        self.error = error
            .map(|e| crate::confirm::password_message(e, self.password_name))
            .unwrap_or_default();
        self.respond(status)
    }

    pub fn respond(mut self, status: StatusCode) -> Response {
        self.nothing_changed = self.shows_changes && !Section::any_changed(&self.sections);
        render_status(status, &self)
    }
}

#[derive(Template)]
#[template(path = "change_result.html")]
pub struct ResultPage {
    pub frame: Frame,
    pub steps: Vec<Step>,
    /// 「以下の内容で…を変更しました。」
    pub lead: String,
    /// A change: the legend 「変更した内容は赤字で表示されています。」.
    pub shows_changes: bool,
    pub sections: Vec<Section>,
    /// The manual's way on from the 結果 (「利用者一覧へ」「利用者登録メニューへ」…), as
    /// (href, label); 「ホームへ」 is always there.
    pub links: Vec<(String, String)>,
    /// 「印刷」 (a PDF), where the manual offers it.
    pub print_href: String,
}

impl ResultPage {
    pub fn respond(self) -> Response {
        render(&self)
    }
}
