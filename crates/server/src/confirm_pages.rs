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
    pub nothing_changed: bool,
    /// Where 実行 posts.
    pub action: String,
    /// Where 「戻る」 posts.
    pub back_action: String,
    /// The name of the 確認用パスワード field (a user form has its own `confirmation_password`).
    pub password_name: &'static str,
}

impl ConfirmPage {
    pub fn respond(mut self, status: StatusCode) -> Response {
        self.nothing_changed = !Section::any_changed(&self.sections);
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
    pub sections: Vec<Section>,
    pub back_href: String,
    pub back_label: String,
    /// 「印刷」 (a PDF), where the manual offers it.
    pub print_href: String,
}

impl ResultPage {
    pub fn respond(self) -> Response {
        render(&self)
    }
}
