//! 振込振替: 振込先 (the company's payees and 振込先管理), 依頼 (確定), 承認 by the company's
//! mode (承認, 差戻し, 引戻し, 削除), 承認待ち一覧 and 取引状況照会, and the hand-over of
//! accepted transfers to the bank's host (`crate::host`; docs/transfers.md).

pub mod acts;
pub mod api;
pub mod list_views;
pub mod order;
pub mod order_api;
pub mod payee_views;
pub mod payees;
pub mod revise;
pub mod revise_views;
pub mod shown;
pub mod views;

use axum::routing::{get, post};
use madoguchi_domain::{Error, HistoryArea};

use crate::state::AppState;
use crate::web::actor::Actor;
use crate::web::routes::Routes;

/// 依頼(事前登録口座): sees and pays the bank-registered payees.
pub(crate) const REGISTERED: &str = "transfer.registered";
/// 依頼(利用者登録口座): sees and pays the payees users registered.
pub(crate) const USER_REGISTERED: &str = "transfer.user_registered";
/// 依頼(新規口座指定): pays an account typed at 依頼.
pub(crate) const NEW_ACCOUNT: &str = "transfer.new_account";
/// 振込先管理: registers and deletes 利用者登録口座.
pub(crate) const MANAGE: &str = "transfer.payees";
/// 全取引照会: sees every order of the company.
pub(crate) const ALL: &str = "transfer.all";
/// 承認 of 振込振替.
pub(crate) const APPROVE: &str = "approve.transfer";

pub(crate) use crate::orders::may;

/// May `user` approve 振込振替 (and be named an approver)?
pub fn is_approver(user: &madoguchi_store::UserRecord) -> bool {
    !user.deleted && !user.stopped && (user.is_master || user.may(APPROVE))
}

/// `actor` holds a 依頼 permission (of any payee).
pub(crate) fn may_request(actor: &Actor) -> bool {
    [REGISTERED, USER_REGISTERED, NEW_ACCOUNT]
        .iter()
        .any(|p| may(actor, p))
}

/// `actor` may approve now: 承認 of 振込振替, neither stopped nor deleted.
pub(crate) fn may_approve(actor: &Actor) -> bool {
    may(actor, APPROVE) && is_approver(actor.user())
}

/// `what` goes on when `allowed`; else `PERM-0001`, recorded.
pub(crate) async fn permitted(
    state: &AppState,
    actor: &Actor,
    allowed: bool,
    what: &str,
) -> Result<(), Error> {
    let verdict = if allowed {
        Ok(())
    } else {
        Err(Error::Forbidden)
    };
    actor
        .allowed(state, HistoryArea::Transfer, what, (), verdict)
        .await
}

pub fn router() -> Routes {
    Routes::new()
        .route(
            "/api/v1/transfers/payees",
            get(api::list).post(api::register),
        )
        .route("/api/v1/transfers/payees/{id}/delete", post(api::delete))
        .route("/api/v1/transfers/form", get(order_api::form))
        .route(
            "/api/v1/transfers",
            get(order_api::list).post(order_api::request),
        )
        .route(
            "/api/v1/transfers/{id}",
            get(order_api::detail).put(order_api::revise),
        )
        .route("/api/v1/transfers/{id}/{act}", post(order_api::act))
        .route("/transfers", get(views::view_menu_get))
        .route(
            "/transfers/new",
            get(views::view_new_get).post(views::view_new_post),
        )
        .route("/transfers/new/back", post(views::view_back_post))
        .route("/transfers/new/execute", post(views::view_execute_post))
        .route("/transfers/result", get(views::view_result_get))
        .route("/transfers/payees", get(payee_views::view_list_get))
        .route(
            "/transfers/payees/new",
            get(payee_views::view_new_get).post(payee_views::view_new_post),
        )
        .route(
            "/transfers/payees/new/back",
            post(payee_views::view_new_back_post),
        )
        .route(
            "/transfers/payees/new/execute",
            post(payee_views::view_new_execute_post),
        )
        .route("/transfers/payees/back", post(payee_views::view_back_post))
        .route(
            "/transfers/payees/result",
            get(payee_views::view_result_get),
        )
        .route(
            "/transfers/payees/{id}/delete",
            get(payee_views::view_delete_get).post(payee_views::view_delete_post),
        )
        .route("/transfers/approvals", get(list_views::view_approvals_get))
        .route("/transfers/status", get(list_views::view_status_get))
        .route("/transfers/done", get(list_views::view_done_get))
        .route("/transfers/{id}", get(list_views::view_detail_get))
        .route(
            "/transfers/{id}/edit",
            get(revise_views::view_edit_get).post(revise_views::view_edit_post),
        )
        .route(
            "/transfers/{id}/edit/back",
            post(revise_views::view_edit_back_post),
        )
        .route(
            "/transfers/{id}/edit/execute",
            post(revise_views::view_edit_execute_post),
        )
        .route(
            "/transfers/{id}/{act}",
            get(list_views::view_act_get).post(list_views::view_act_post),
        )
}
