//! The screens of a file business on both engines, as the manual's user works them: 業務選択
//! → 総合振込 → ファイル受付 with a wrong file (each error listed by line and field, the
//! approver kept, nothing saved) → a clean one → 取引内容確認 (確認用パスワード) → 確定 →
//! the approver's 承認待ち一覧 → 取引詳細 → 承認 → 結果 受付済み.

use axum::http::StatusCode;
use madoguchi_domain::zengin::Kind;
use madoguchi_domain::{ApprovalMode, Business};
use madoguchi_server::demo::CONFIRMATION_PASSWORD;

use crate::bulk::{file, post_file, set_business, to_mufg};
use crate::support::{Client, engines, hidden_fields};
use crate::transfers_support::{add_approver, app, grant_in};

/// Posts 実行 of the confirm page `page` with the 確認用パスワード.
async fn execute(c: &mut Client, page: &str, action: &str) -> crate::support::Resp {
    let mut fields = hidden_fields(page);
    fields.retain(|(k, _)| k != "csrf");
    fields.push(("confirmation_password".into(), CONFIRMATION_PASSWORD.into()));
    let fields: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    c.post_form(action, &fields).await
}

#[tokio::test]
async fn a_file_is_uploaded_confirmed_and_approved_on_the_screens() {
    for engine in engines() {
        let app = app(engine).await;
        set_business(
            &app,
            Business::BulkTransfer,
            ApprovalMode::Single,
            10_000_000,
        )
        .await;
        let approver = add_approver(&app, "shonin01").await;
        grant_in(
            &app,
            "shonin01",
            &["approve.bulk"],
            Business::BulkTransfer,
            10_000_000,
        )
        .await;
        let mut m = app.logged_in("master01").await;
        let menu = m.get("/menu").await;
        assert!(
            menu.body.contains("href=\"/bulk/bulk_transfer\""),
            "業務選択 offers 総合振込"
        );
        let works = m.get("/bulk/bulk_transfer").await;
        assert!(works.body.contains("ファイル受付") && works.body.contains("BSFK001"));
        let form = m.get("/bulk/bulk_transfer/upload").await;
        assert_eq!(form.status, StatusCode::OK);
        assert!(form.body.contains("次へ") && form.body.contains("手数料負担"));
        let csrf = m.csrf.clone().unwrap();
        let approver_id = approver.to_string();
        let fields = [
            ("csrf", csrf.as_str()),
            ("first_approver", approver_id.as_str()),
            ("fee_side", "payee"),
        ];
        let mut wrong = to_mufg("2222222", 0);
        wrong.branch_code = "998".into();
        let refused = post_file(
            &mut m,
            "/bulk/bulk_transfer/upload",
            &file(
                Kind::BulkTransfer,
                12,
                vec![to_mufg("1111111", 30_000), wrong],
            ),
            &fields,
        )
        .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            refused.body.contains("ファイルの内容に誤りがあります"),
            "{}",
            refused.body
        );
        assert!(
            refused.body.contains("FIL-0009") && refused.body.contains("81-90"),
            "the zero amount by line and columns"
        );
        assert!(
            refused
                .body
                .contains(&format!("<option value=\"{approver}\" selected>")),
            "the approver kept"
        );
        assert!(
            refused.body.contains("value=\"payee\" checked"),
            "先方負担 kept"
        );
        let csrf = m.csrf.clone().unwrap();
        let fields = [
            ("csrf", csrf.as_str()),
            ("first_approver", approver_id.as_str()),
            ("fee_side", "payee"),
        ];
        let ok = post_file(
            &mut m,
            "/bulk/bulk_transfer/upload",
            &file(
                Kind::BulkTransfer,
                12,
                vec![to_mufg("1111111", 30_000), to_mufg("2222222", 10_000)],
            ),
            &fields,
        )
        .await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
        let confirm_at = ok.location().to_owned();
        assert!(confirm_at.ends_with("/confirm"), "{confirm_at}");
        let confirm = m.get(&confirm_at).await;
        assert!(
            confirm.body.contains("BSFK012") && confirm.body.contains("確認用パスワード"),
            "{}",
            confirm.body
        );
        assert!(confirm.body.contains("2件") && confirm.body.contains("40,000円"));
        assert!(confirm.body.contains("承認待ち"), "the state after, marked");
        let done = execute(&mut m, &confirm.body, &confirm_at).await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
        let result = m.get(done.location()).await;
        assert!(
            result.body.contains("「承認待ち」にしました"),
            "{}",
            result.body
        );

        let mut a = app.logged_in("shonin01").await;
        let waiting = a.get("/bulk/bulk_transfer/approvals").await;
        let id = confirm_at.split('/').nth(4).unwrap().to_owned();
        assert!(
            waiting
                .body
                .contains(&format!("/bulk/bulk_transfer/orders/{id}")),
            "{}",
            waiting.body
        );
        let detail = a.get(&format!("/bulk/bulk_transfer/orders/{id}")).await;
        assert!(
            detail.body.contains("ﾔﾏﾀﾞ ﾀﾛｳ") && detail.body.contains(">承認<"),
            "{}",
            detail.body
        );
        let approve_at = format!("/bulk/bulk_transfer/orders/{id}/approve");
        let page = a.get(&approve_at).await;
        assert!(
            page.body.contains("本日の残り"),
            "the daily limit before the 承認"
        );
        let done = execute(&mut a, &page.body, &approve_at).await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
        let result = a.get(done.location()).await;
        assert!(
            result.body.contains("「受付済み」にしました"),
            "{}",
            result.body
        );
        // Another company's master finds nothing.
        let mut other = app.logged_in("other01").await;
        assert_eq!(
            other
                .get(&format!("/bulk/bulk_transfer/orders/{id}"))
                .await
                .status,
            StatusCode::NOT_FOUND
        );
    }
}
