//! The screens of 振込振替, as a user follows them: 業務選択 → 振込振替 → 依頼入力 (a refused
//! field named beside it, what was typed kept) → 「次へ」 → 確認 with the 確認用パスワード →
//! 「実行」 → 依頼結果; then the approver's 承認待ち一覧 → 取引詳細 → 「承認」 → 確認 with the
//! state's change in red → 結果. A user without the permissions sees no button, and the
//! screen refuses.

use axum::http::StatusCode;
use madoguchi_domain::ApprovalMode;
use madoguchi_server::demo::CONFIRMATION_PASSWORD;

use crate::support::{engines, hidden_field, hidden_fields, recent_history};
use crate::transfers_support::{COMPANY, TODAY, add_approver, app, first_account, order, set_mode};

#[tokio::test]
async fn a_transfer_is_requested_and_approved_on_the_screens() {
    for engine in engines() {
        let app = app(engine).await;
        set_mode(&app, ApprovalMode::Single, None).await;
        let approver = add_approver(&app, "shonin01").await;
        let account = first_account(&app).await.to_string();
        let mut master = app.client();
        master.login("master01", "Demo1234").await;
        let menu = master.get("/menu").await;
        assert!(
            menu.body.contains("href=\"/transfers\""),
            "業務選択 offers 振込振替"
        );
        let works = master.get("/transfers").await;
        assert!(works.body.contains("振込振替の依頼") && works.body.contains("取引状況照会"));
        let form = master.get("/transfers/new").await;
        assert_eq!(form.status, StatusCode::OK);
        for label in [
            "振込先",
            "新規口座指定",
            "支払口座",
            "振込指定日",
            "支払金額",
            "手数料負担",
            "承認者",
            "次へ",
        ] {
            assert!(form.body.contains(label), "{label}");
        }
        let approver_s = approver.to_string();
        let typed = |amount: &'static str, name: &'static str| {
            vec![
                ("payee", "new".to_owned()),
                ("bank_code", "0005".to_owned()),
                ("branch_code", "001".to_owned()),
                ("kind", "普通".to_owned()),
                ("number", "1234567".to_owned()),
                ("name", name.to_owned()),
                ("account_id", account.clone()),
                ("date", TODAY.to_owned()),
                ("amount", amount.to_owned()),
                ("fee_side", "payee".to_owned()),
                ("first_approver", approver_s.clone()),
            ]
        };
        let pairs = |v: &[(&'static str, String)]| -> Vec<(&'static str, String)> { v.to_vec() };
        // A kanji 受取人名 and no amount: both named beside their fields, the rest kept.
        let bad = pairs(&typed("", "山田"));
        let bad_ref: Vec<(&str, &str)> = bad.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let refused = master.post_form("/transfers/new", &bad_ref).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(refused.body.contains("「山」"), "{}", refused.body);
        assert!(refused.body.contains("id=\"amount-error\""));
        assert!(
            refused.body.contains("value=\"1234567\""),
            "typed values stay"
        );
        // Right: 確認 with the 先方負担 deduction, then 実行.
        let good = pairs(&typed("50000", "ﾔﾏﾀﾞ ﾀﾛｳ"));
        let good_ref: Vec<(&str, &str)> = good.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let confirm = master.post_form("/transfers/new", &good_ref).await;
        assert_eq!(confirm.status, StatusCode::OK, "{}", confirm.body);
        assert!(confirm.body.contains("BFKF003") && confirm.body.contains("確認用パスワード"));
        assert!(confirm.body.contains("605円") && confirm.body.contains("49,395円"));
        assert!(
            confirm.body.contains("本日の残り"),
            "the limits as a warning"
        );
        let mut fields = hidden_fields(&confirm.body);
        fields.retain(|(k, _)| k != "csrf");
        fields.push(("confirmation_password".into(), CONFIRMATION_PASSWORD.into()));
        let fields_ref: Vec<(&str, &str)> = fields
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let done = master
            .post_form("/transfers/new/execute", &fields_ref)
            .await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
        let result = master.get(done.location()).await;
        assert!(result.body.contains("BFKF004") && result.body.contains("承認者の承認後"));
        let entries = recent_history(&app, 3).await;
        assert_eq!(entries[0].operation, "振込振替の依頼");

        // The approver: 承認待ち一覧 → 取引詳細 → 承認 → 確認 → 結果.
        let mut shonin = app.client();
        shonin.login("shonin01", "Demo1234").await;
        let waiting = shonin.get("/transfers/approvals").await;
        assert!(waiting.body.contains("ﾔﾏﾀﾞ ﾀﾛｳ"), "{}", waiting.body);
        let stored = app
            .state
            .store
            .transfers_of(COMPANY, madoguchi_store::TransferView::All, 5)
            .await
            .unwrap();
        let id = stored[0].id;
        let detail = shonin.get(&format!("/transfers/{id}")).await;
        for button in ["承認", "差戻し", "削除"] {
            assert!(detail.body.contains(&format!(">{button}</a>")), "{button}");
        }
        assert!(
            !detail.body.contains(">引戻し</a>"),
            "the creator's act only"
        );
        let confirm = shonin.get(&format!("/transfers/{id}/approve")).await;
        assert!(
            confirm.body.contains("class=\"changed\">受付済み"),
            "{}",
            confirm.body
        );
        let key = hidden_field(&confirm.body, "idempotency_key").unwrap();
        let wrong = shonin
            .post_form(
                &format!("/transfers/{id}/approve"),
                &[
                    ("idempotency_key", &key),
                    ("confirmation_password", "Wrong999"),
                ],
            )
            .await;
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
        assert!(wrong.body.contains("確認用パスワード"));
        let ok = shonin
            .post_form(
                &format!("/transfers/{id}/approve"),
                &[
                    ("idempotency_key", &key),
                    ("confirmation_password", CONFIRMATION_PASSWORD),
                ],
            )
            .await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
        let result = shonin.get(ok.location()).await;
        assert!(result.body.contains("「受付済み」"), "{}", result.body);
        assert_eq!(order(&app, id).await.approval.state.label(), "受付済み");
        let status = master.get("/transfers/status").await;
        assert!(status.body.contains("受付済み") && status.body.contains("処理中"));
    }
}

#[tokio::test]
async fn an_order_sent_back_is_revised_on_the_screens() {
    for engine in engines() {
        let app = app(engine).await;
        set_mode(&app, ApprovalMode::Single, None).await;
        let approver = add_approver(&app, "shonin01").await;
        let account = first_account(&app).await;
        let mut api = crate::transfers_support::login(&app, "master01").await;
        let body = serde_json::json!({
            "payee": {"bank_code": "0005", "branch_code": "001", "kind": "普通",
                "number": "1234567", "name": "ﾔﾏﾀﾞ ﾀﾛｳ"},
            "account_id": account.to_string(), "date": TODAY, "amount": "10000",
            "fee_side": "payer", "first_approver": approver.to_string(),
            "confirmation_password": CONFIRMATION_PASSWORD,
            "idempotency_key": crate::support::key("s-1"),
        });
        let id = api
            .json(axum::http::Method::POST, "/api/v1/transfers", body)
            .await
            .json()["id"]
            .as_i64()
            .unwrap();
        let mut shonin = crate::transfers_support::login(&app, "shonin01").await;
        shonin
            .json(
                axum::http::Method::POST,
                &format!("/api/v1/transfers/{id}/return"),
                serde_json::json!({"confirmation_password": CONFIRMATION_PASSWORD,
                    "idempotency_key": crate::support::key("s-2")}),
            )
            .await;
        let mut master = app.client();
        master.login("master01", "Demo1234").await;
        let detail = master.get(&format!("/transfers/{id}")).await;
        assert!(detail.body.contains(">修正</a>") && detail.body.contains(">削除</a>"));
        let form = master.get(&format!("/transfers/{id}/edit")).await;
        assert!(form.body.contains("BFKF005") && form.body.contains("value=\"10000\""));
        let mut fields = hidden_fields(&form.body);
        fields.retain(|(k, _)| k != "csrf");
        for (k, v) in [
            ("payee", "new"),
            ("bank_code", "0005"),
            ("branch_code", "001"),
            ("kind", "普通"),
            ("number", "1234567"),
            ("name", "ﾔﾏﾀﾞ ﾀﾛｳ"),
            ("account_id", &account.to_string()),
            ("date", TODAY),
            ("amount", "15000"),
            ("fee_side", "payer"),
            ("first_approver", &approver.to_string()),
        ] {
            fields.push((k.to_owned(), v.to_owned()));
        }
        let pairs: Vec<(&str, &str)> = fields
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let confirm = master
            .post_form(&format!("/transfers/{id}/edit"), &pairs)
            .await;
        assert!(
            confirm.body.contains("BFKF003") && confirm.body.contains("15,000円"),
            "{}",
            confirm.body
        );
        let mut fields = hidden_fields(&confirm.body);
        fields.retain(|(k, _)| k != "csrf");
        fields.push(("confirmation_password".into(), CONFIRMATION_PASSWORD.into()));
        let pairs: Vec<(&str, &str)> = fields
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let done = master
            .post_form(&format!("/transfers/{id}/edit/execute"), &pairs)
            .await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
        let t = order(&app, id).await;
        assert_eq!((t.amount, t.approval.state.label()), (15_000, "承認待ち"));
    }
}

#[tokio::test]
async fn without_the_permissions_there_is_no_button_and_the_screen_refuses() {
    for engine in engines() {
        let app = app(engine).await;
        let mut ippan = app.client();
        ippan.login("ippan01", "Demo1234").await;
        // The demo's ippan01 has 依頼(事前登録口座・利用者登録口座) but not 新規口座指定 or 承認.
        let works = ippan.get("/transfers").await;
        assert!(works.body.contains("振込振替の依頼"));
        assert!(!works.body.contains("承認待ち一覧"));
        let form = ippan.get("/transfers/new").await;
        assert!(
            !form.body.contains("新規口座指定"),
            "no button without 新規口座指定"
        );
        let waiting = ippan.get("/transfers/approvals").await;
        assert_eq!(waiting.status, StatusCode::FORBIDDEN);
        assert!(waiting.body.contains("PERM-0001") || waiting.body.contains("権限"));
        // Another company's order is not found on the screen either.
        let mut other = app.client();
        other.login("other01", "Demo1234").await;
        assert_eq!(
            other.get("/transfers/1").await.status,
            StatusCode::NOT_FOUND
        );
    }
}

#[tokio::test]
async fn a_payee_is_registered_and_deleted_on_the_screens() {
    for engine in engines() {
        let app = app(engine).await;
        let mut master = app.client();
        master.login("master01", "Demo1234").await;
        let works = master.get("/transfers").await;
        assert!(works.body.contains("振込先管理"));
        let list = master.get("/transfers/payees").await;
        assert!(list.body.contains("BFKF031") && list.body.contains(">登録</a>"));
        master.get("/transfers/payees/new").await;
        let typed = [
            ("bank_code", "0005"),
            ("branch_code", "001"),
            ("kind", "普通"),
            ("number", "7654321"),
            ("name", "ヤマダ商事"),
        ];
        let refused = master.post_form("/transfers/payees/new", &typed).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(refused.body.contains("「商」"), "{}", refused.body);
        assert!(
            refused.body.contains("value=\"7654321\""),
            "typed values stay"
        );
        let mut right = typed;
        right[4] = ("name", "ヤマダシヨウジ");
        let confirm = master.post_form("/transfers/payees/new", &right).await;
        assert!(confirm.body.contains("BFKF033") && confirm.body.contains("ﾔﾏﾀﾞｼﾖｳｼﾞ"));
        let key = hidden_field(&confirm.body, "idempotency_key").unwrap();
        let mut fields = right.to_vec();
        fields.push(("idempotency_key", &key));
        fields.push(("confirmation_password", CONFIRMATION_PASSWORD));
        let done = master
            .post_form("/transfers/payees/new/execute", &fields)
            .await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
        let result = master.get(done.location()).await;
        assert!(result.body.contains("BFKF034"));
        let payee = app.state.store.payees_of(COMPANY).await.unwrap()[0].clone();
        let list = master.get("/transfers/payees").await;
        assert!(
            list.body
                .contains(&format!("/transfers/payees/{}/delete", payee.id))
        );
        let confirm = master
            .get(&format!("/transfers/payees/{}/delete", payee.id))
            .await;
        assert!(confirm.body.contains("BFKF035"));
        let key = hidden_field(&confirm.body, "idempotency_key").unwrap();
        let done = master
            .post_form(
                &format!("/transfers/payees/{}/delete", payee.id),
                &[
                    ("idempotency_key", &key),
                    ("confirmation_password", CONFIRMATION_PASSWORD),
                ],
            )
            .await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
        assert!(master.get(done.location()).await.body.contains("BFKF036"));
        assert!(app.state.store.payees_of(COMPANY).await.unwrap().is_empty());
        // Without 振込先管理: no 登録 button, and the form is refused.
        let mut ippan = app.client();
        ippan.login("ippan01", "Demo1234").await;
        let list = ippan.get("/transfers/payees").await;
        assert_eq!(list.status, StatusCode::OK);
        assert!(!list.body.contains(">登録</a>"));
        assert_eq!(
            ippan.get("/transfers/payees/new").await.status,
            StatusCode::FORBIDDEN
        );
    }
}
