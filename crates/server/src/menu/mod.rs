//! トップページ (BTOP001) and 業務選択 (BSSK001): where a user lands and chooses an area.

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use madoguchi_domain::{Business, certificate, jst};

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
    /// 電子証明書方式: when the certificate expires and how to renew, in its last 30 days.
    certificate_notice: String,
}

/// GET /top — トップページ.
async fn view_top_get(State(state): State<AppState>, actor: Actor) -> Response {
    let certificate_notice = renewal_notice(&state, &actor).await;
    let page = TopPage {
        certificate_notice,
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

/// 電子証明書方式: when the user's certificate expires and how to renew it, in its last
/// 30 days (renewal is a new 電子証明書発行, which revokes the old one).
async fn renewal_notice(state: &AppState, actor: &Actor) -> String {
    if !actor.company().options.certificate {
        return String::new();
    }
    match actor.scope(state).certificate_in_use(actor.user().id).await {
        Ok(Some(cert)) if certificate::renewal_due(cert.not_after, state.now()) => format!(
            "電子証明書の有効期限は{}です。有効期限が切れるとログインできなくなります。ログアウトし、ログイン画面の「電子証明書発行」から更新してください。",
            jst::format_seconds(cert.not_after)
        ),
        _ => String::new(),
    }
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
    if actor.uses_transfers() {
        items.push(MenuItem {
            label: "振込振替",
            href: "/transfers",
            description: "振込振替の依頼・承認、取引状況の照会を行います。",
        });
    }
    for (b, href, description) in [
        (
            Business::BulkTransfer,
            "/bulk/bulk_transfer",
            "総合振込の依頼(ファイル受付)・承認、取引状況の照会を行います。",
        ),
        (
            Business::Salary,
            "/bulk/salary",
            "給与振込の依頼(ファイル受付)・承認、取引状況の照会を行います。",
        ),
        (
            Business::Bonus,
            "/bulk/bonus",
            "賞与振込の依頼(ファイル受付)・承認、取引状況の照会を行います。",
        ),
        (
            Business::DirectDebit,
            "/bulk/direct_debit",
            "口座振替の依頼(ファイル受付)・承認、取引状況の照会を行います。",
        ),
    ] {
        if actor.uses_business(b) {
            items.push(MenuItem {
                label: b.label(),
                href,
                description,
            });
        }
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
