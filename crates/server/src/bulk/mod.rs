//! 総合振込, 給与振込, 賞与振込 and 口座振替 by 全銀協 file: 依頼(ファイル受付) (the file
//! checked against every rule and the company, then stored 作成中), 確定, 承認 by the
//! company's 承認機能 (差戻し, 引戻し, 削除; the final 承認 uses the company's daily limit of
//! the business), 承認待ち一覧 and 取引状況照会 — on the approval state machine, limits
//! ledger, outbox and host adapter of 振込振替 (docs/bulk.md).

pub mod acts;
pub mod api;
pub mod entry;
pub mod entry_views;
pub mod payee_api;
pub mod payee_change;
pub mod payee_edit_views;
pub mod payee_import_views;
pub mod payee_views;
pub mod payees;
pub mod results;
pub mod shown;
pub mod spool;
pub mod upload;
pub mod views;

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post, put};
use madoguchi_domain::{Business, Error, HistoryArea};
use madoguchi_store::UserRecord;

use crate::state::AppState;
use crate::web::actor::Actor;
use crate::web::routes::Routes;

/// The businesses of this module, in the manual's order.
pub const BUSINESSES: [Business; 4] = [
    Business::BulkTransfer,
    Business::Salary,
    Business::Bonus,
    Business::DirectDebit,
];

/// The business of a path segment (`bulk_transfer`, `salary`, `bonus`, `direct_debit`).
pub fn business_of(key: &str) -> Result<Business, Error> {
    Business::from_key(key)
        .filter(|b| BUSINESSES.contains(b))
        .ok_or(Error::NotFound)
}

/// The サービス利用権限 of a business (給与・賞与振込 share one set).
pub(crate) struct Permissions {
    pub screen: &'static str,
    pub file: &'static str,
    pub all: &'static str,
    pub approve: &'static str,
}

pub(crate) fn permissions(b: Business) -> Permissions {
    match b {
        Business::Salary | Business::Bonus => Permissions {
            screen: "salary.screen",
            file: "salary.file",
            all: "salary.all",
            approve: "approve.salary",
        },
        Business::DirectDebit => Permissions {
            screen: "debit.screen",
            file: "debit.file",
            all: "debit.all",
            approve: "approve.debit",
        },
        _ => Permissions {
            screen: "bulk.screen",
            file: "bulk.file",
            all: "bulk.all",
            approve: "approve.bulk",
        },
    }
}

/// The マスターユーザ may do everything; anyone else what their サービス利用権限 say.
pub(crate) fn may(actor: &Actor, code: &str) -> bool {
    crate::orders::may(actor, code)
}

/// May `user` approve files of `b` (and be named an approver)?
pub fn is_approver(user: &UserRecord, b: Business) -> bool {
    !user.deleted && !user.stopped && (user.is_master || user.may(permissions(b).approve))
}

/// `actor` may approve files of `b` now.
pub(crate) fn may_approve(actor: &Actor, b: Business) -> bool {
    may(actor, permissions(b).approve) && is_approver(actor.user(), b)
}

/// `actor` holds any permission of `b`: its screens are offered.
pub fn uses(actor: &Actor, b: Business) -> bool {
    actor.uses_business(b)
}

/// `what` goes on when `allowed`; else `PERM-0001`, recorded under the business.
pub(crate) async fn permitted(
    state: &AppState,
    actor: &Actor,
    b: Business,
    allowed: bool,
    what: &str,
) -> Result<(), Error> {
    let verdict = if allowed {
        Ok(())
    } else {
        Err(Error::Forbidden)
    };
    actor
        .allowed(state, HistoryArea::of(b), what, (), verdict)
        .await
}

/// The 操作内容 of `b`: 「総合振込の承認」.
pub(crate) fn operation(b: Business, what: &str) -> String {
    format!("{}の{what}", b.label())
}

/// The largest 一括登録 実行 form: the CSV's text of `MAX_IMPORT` payees carried from 確認.
const IMPORT_FORM_BYTES: usize = 4 * 1024 * 1024;

pub fn router() -> Routes {
    Routes::new()
        .route(
            "/api/v1/bulk/{business}/files",
            // The upload's size is bounded by `max_upload_bytes` as it is read.
            post(api::upload).layer(DefaultBodyLimit::disable()),
        )
        .route(
            "/api/v1/bulk/{business}/payees",
            get(payee_api::list).post(payee_api::register),
        )
        .route(
            "/api/v1/bulk/{business}/payees/import",
            post(payee_api::import).layer(DefaultBodyLimit::disable()),
        )
        .route("/api/v1/bulk/{business}/payees/csv", get(payee_api::csv))
        .route(
            "/api/v1/bulk/{business}/payees/{id}",
            put(payee_api::change),
        )
        .route(
            "/api/v1/bulk/{business}/payees/{id}/delete",
            post(payee_api::delete),
        )
        .route("/api/v1/bulk/{business}/entries", post(payee_api::enter))
        .route("/api/v1/bulk/{business}/orders", get(api::list))
        .route("/api/v1/bulk/{business}/orders/{id}", get(api::detail))
        .route("/api/v1/bulk/{business}/orders/{id}/{act}", post(api::act))
        .route(
            "/api/v1/bulk/{business}/orders/{id}/results",
            get(api::results_csv),
        )
        .route(
            "/bulk/{business}/orders/{id}/results",
            get(views::view_results_get),
        )
        .route("/bulk/{business}", get(views::view_menu_get))
        .route(
            "/bulk/{business}/entry",
            get(entry_views::view_entry_get).post(entry_views::view_entry_post),
        )
        .route("/bulk/{business}/payees", get(payee_views::view_list_get))
        .route(
            "/bulk/{business}/payees/new",
            get(payee_views::view_new_get).post(payee_views::view_new_post),
        )
        .route(
            "/bulk/{business}/payees/new/back",
            post(payee_views::view_new_back_post),
        )
        .route(
            "/bulk/{business}/payees/new/execute",
            post(payee_views::view_new_execute_post),
        )
        .route(
            "/bulk/{business}/payees/import",
            get(payee_import_views::view_import_get)
                .post(payee_import_views::view_import_post)
                .layer(DefaultBodyLimit::disable()),
        )
        .route(
            "/bulk/{business}/payees/import/execute",
            post(payee_import_views::view_import_execute_post)
                .layer(DefaultBodyLimit::max(IMPORT_FORM_BYTES)),
        )
        .route(
            "/bulk/{business}/payees/download",
            get(payee_views::view_download_get),
        )
        .route(
            "/bulk/{business}/payees/back",
            post(payee_views::view_back_post),
        )
        .route(
            "/bulk/{business}/payees/result",
            get(payee_views::view_result_get),
        )
        .route(
            "/bulk/{business}/payees/{id}/edit",
            get(payee_edit_views::view_edit_get).post(payee_edit_views::view_edit_post),
        )
        .route(
            "/bulk/{business}/payees/{id}/edit/back",
            post(payee_edit_views::view_edit_back_post),
        )
        .route(
            "/bulk/{business}/payees/{id}/edit/execute",
            post(payee_edit_views::view_edit_execute_post),
        )
        .route(
            "/bulk/{business}/payees/{id}/delete",
            get(payee_edit_views::view_delete_get).post(payee_edit_views::view_delete_post),
        )
        .route(
            "/bulk/{business}/upload",
            get(views::view_upload_get)
                .post(views::view_upload_post)
                .layer(DefaultBodyLimit::disable()),
        )
        .route("/bulk/{business}/approvals", get(views::view_approvals_get))
        .route("/bulk/{business}/status", get(views::view_status_get))
        .route("/bulk/{business}/done", get(views::view_done_get))
        .route("/bulk/{business}/orders/{id}", get(views::view_detail_get))
        .route(
            "/bulk/{business}/orders/{id}/{act}",
            get(views::view_act_get).post(views::view_act_post),
        )
}
