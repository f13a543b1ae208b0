//! トップページ (BTOP001) and 業務選択 (BSSK001): where a user lands and chooses an area.

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use madoguchi_domain::jst;

use crate::state::AppState;
use crate::web::actor::Actor;
use crate::web::cookies;
use crate::web::page::{Frame, render};
use crate::web::routes::Routes;

pub fn router() -> Routes {
    Routes::new()
        .route("/", get(view_root_get))
        .route("/top", get(view_top_get))
        .route("/menu", get(view_menu_get))
}

/// GET / — the top page when logged in, else the login page.
async fn view_root_get(State(state): State<AppState>, headers: axum::http::HeaderMap) -> Response {
    let target = if cookies::read(&headers, state.cookies.session_name()).is_some() {
        "/top"
    } else {
        "/login"
    };
    Redirect::to(target).into_response()
}

#[derive(Template)]
#[template(path = "top.html")]
struct TopPage {
    frame: Frame,
    company_kana: String,
    login_id: String,
    previous_login: String,
}

/// GET /top — トップページ.
async fn view_top_get(State(state): State<AppState>, actor: Actor) -> Response {
    let page = TopPage {
        frame: Frame::new(&state, &actor, "BTOP001", "トップページ"),
        company_kana: actor.company().name_kana.clone(),
        login_id: actor.user().login_id.clone(),
        previous_login: actor
            .user()
            .previous_login_at
            .map(jst::format_minutes)
            .unwrap_or_else(|| "（初回ログイン）".to_owned()),
    };
    render(&page)
}

/// One button of 業務選択.
pub struct MenuItem {
    pub label: &'static str,
    pub href: &'static str,
    pub description: &'static str,
}

/// The areas this user may open. A button appears only for a function that works.
pub fn menu_items(actor: &Actor) -> Vec<MenuItem> {
    let mut items = Vec::new();
    if actor.user().has_admin_authority() {
        items.push(MenuItem {
            label: "企業管理",
            href: "/company",
            description: "企業情報（承認機能の利用有無・限度額）と手数料情報の変更を行います。",
        });
        items.push(MenuItem {
            label: "利用者管理",
            href: "/users",
            description: "利用者情報の登録・変更・削除、利用者停止・解除を行います。",
        });
    }
    items.push(MenuItem {
        label: "操作履歴照会",
        href: "/history",
        description: if actor.sees_all_history() {
            "企業内の利用者の操作履歴を照会します。"
        } else {
            "ご自身の操作履歴を照会します。"
        },
    });
    items
}

#[derive(Template)]
#[template(path = "menu.html")]
struct MenuPage {
    frame: Frame,
    items: Vec<MenuItem>,
}

/// GET /menu — 業務選択.
async fn view_menu_get(State(state): State<AppState>, actor: Actor) -> Response {
    let page = MenuPage {
        frame: Frame::new(&state, &actor, "BSSK001", "業務選択"),
        items: menu_items(&actor),
    };
    render(&page)
}
