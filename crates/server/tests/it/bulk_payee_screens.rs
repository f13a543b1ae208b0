//! The screens of 振込先管理 and 依頼(画面入力) on both engines, as the manual's user works
//! them: 作業内容選択 → 振込先管理 → 登録 (the bank and branch found by カナ, a wrong
//! 金融機関コード refused at its field, what was typed kept) → 確認 (確認用パスワード) → 結果; 一括登録 of a CSV file with a bad line
//! (listed by line and field) and a clean one → 確認 → 結果, グループ shown; then 画面入力
//! with a bad amount (named at its payee, every amount kept) and a clean one → 取引内容確認.

use axum::http::StatusCode;
use madoguchi_domain::{ApprovalMode, Business};
use madoguchi_server::demo::CONFIRMATION_PASSWORD;

use crate::bulk::{post_file, set_business};
use crate::support::{Client, engines, hidden_fields};
use crate::transfers_support::{add_approver, app, first_account, grant_in};

/// Posts the form `page` carries to `action`, with the 確認用パスワード.
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
async fn payees_are_managed_and_a_salary_entered_on_the_screens() {
    for engine in engines() {
        let app = app(engine).await;
        set_business(&app, Business::Salary, ApprovalMode::Single, 10_000_000).await;
        let approver = add_approver(&app, "shonin01").await;
        grant_in(
            &app,
            "shonin01",
            &["approve.salary"],
            Business::Salary,
            10_000_000,
        )
        .await;
        let mut m = app.logged_in("master01").await;
        let works = m.get("/bulk/salary").await;
        assert!(
            works.body.contains("振込先管理") && works.body.contains("画面入力"),
            "{}",
            works.body
        );
        let empty = m.get("/bulk/salary/payees").await;
        assert!(
            empty.body.contains("BKYF031")
                && empty.body.contains("登録されている振込先はありません")
        );
        // The master searched by カナ: a bank, then its branch, each filling its code in.
        let banks = m.get("/bulk/salary/payees/new?q=ミツビシ").await;
        assert!(
            banks.body.contains("三菱ＵＦＪ") && banks.body.contains("new?bank_code=0005\""),
            "{}",
            banks.body
        );
        let branches = m.get("/bulk/salary/payees/new?bank_code=0005&q=ﾎﾝﾃﾝ").await;
        assert!(
            branches.body.contains("支店の検索")
                && branches.body.contains("bank_code=0005&#38;branch_code=001"),
            "{}",
            branches.body
        );
        let chosen = m
            .get("/bulk/salary/payees/new?bank_code=0005&branch_code=001")
            .await;
        assert!(chosen.body.contains("value=\"0005\"") && chosen.body.contains("value=\"001\""));
        // 登録: a wrong 金融機関コード at its field, everything typed kept.
        let form = m.get("/bulk/salary/payees/new").await;
        assert!(form.body.contains("社員番号") && form.body.contains("所属コード"));
        let typed = [
            ("bank_code", "0005"),
            ("branch_code", "001"),
            ("kind", "普通"),
            ("number", "1234567"),
            ("name", "ヤマダ　タロウ"),
            ("reference", "1001"),
            ("reference2", ""),
            ("group", "本社"),
        ];
        let mut wrong = typed;
        wrong[0].1 = "00A5";
        let refused = m.post_form("/bulk/salary/payees/new", &wrong).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            refused.body.contains("bank_code-error")
                && refused.body.contains("value=\"ヤマダ　タロウ\"")
        );
        let confirm = m.post_form("/bulk/salary/payees/new", &typed).await;
        assert!(
            confirm.body.contains("BKYF033") && confirm.body.contains("ﾔﾏﾀﾞ ﾀﾛｳ"),
            "{}",
            confirm.body
        );
        let done = execute(&mut m, &confirm.body, "/bulk/salary/payees/new/execute").await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
        let result = m.get(done.location()).await;
        assert!(
            result.body.contains("振込先を登録しました"),
            "{}",
            result.body
        );

        // 変更: the group only; 確認 shows it red, and nothing else.
        let id = app.state.store.bulk_payees_of(1, "salary").await.unwrap()[0].id;
        let edit = m.get(&format!("/bulk/salary/payees/{id}/edit")).await;
        assert!(
            edit.body.contains("BKYF036") && edit.body.contains("value=\"ﾔﾏﾀﾞ ﾀﾛｳ\""),
            "{}",
            edit.body
        );
        let mut moved = typed;
        moved[4].1 = "ﾔﾏﾀﾞ ﾀﾛｳ";
        moved[7].1 = "大阪";
        let confirm = m
            .post_form(&format!("/bulk/salary/payees/{id}/edit"), &moved)
            .await;
        assert!(
            confirm.body.contains("BKYF039") && confirm.body.contains("変更した内容は"),
            "{}",
            confirm.body
        );
        assert_eq!(
            confirm.body.matches("changed-mark").count(),
            1,
            "{}",
            confirm.body
        );
        let done = execute(
            &mut m,
            &confirm.body,
            &format!("/bulk/salary/payees/{id}/edit/execute"),
        )
        .await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
        let result = m.get(done.location()).await;
        assert!(
            result.body.contains("振込先を変更しました") && result.body.contains("大阪"),
            "{}",
            result.body
        );

        // 一括登録: a bad line listed by line and field, then a clean file.
        let csrf = m.csrf.clone().unwrap();
        let bad = "0005,001,普通,2222222,ｽｽﾞｷ ﾊﾅｺ,12X,,工場\r\n";
        let page = post_file(
            &mut m,
            "/bulk/salary/payees/import",
            bad.as_bytes(),
            &[("csrf", &csrf)],
        )
        .await;
        assert_eq!(
            page.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            page.body
        );
        assert!(
            page.body.contains("社員番号") && page.body.contains("1行目"),
            "{}",
            page.body
        );
        let good = "0005,001,普通,2222222,ｽｽﾞｷ ﾊﾅｺ,1002,,工場\r\n0005,001,普通,3333333,ｻﾄｳ ｼﾞﾛｳ,1003,,工場\r\n";
        let page = post_file(
            &mut m,
            "/bulk/salary/payees/import",
            good.as_bytes(),
            &[("csrf", &csrf)],
        )
        .await;
        assert!(
            page.body.contains("BKYF038") && page.body.contains("2件"),
            "{}",
            page.body
        );
        let done = execute(&mut m, &page.body, "/bulk/salary/payees/import/execute").await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
        let list = m.get("/bulk/salary/payees?group=工場").await;
        assert!(
            list.body.contains("ｽｽﾞｷ ﾊﾅｺ") && !list.body.contains("ﾔﾏﾀﾞ ﾀﾛｳ"),
            "{}",
            list.body
        );

        // 画面入力: a bad amount named at its payee, every amount kept; then a clean one.
        let entry = m.get("/bulk/salary/entry").await;
        assert!(
            entry.body.contains("BKYF003") && entry.body.contains("振込指定日"),
            "{}",
            entry.body
        );
        let payees = app.state.store.bulk_payees_of(1, "salary").await.unwrap();
        let account = first_account(&app).await.to_string();
        let approver = approver.to_string();
        let amount = |i: usize| format!("amount_{}", payees[i].id);
        let (a0, a1, a2) = (amount(0), amount(1), amount(2));
        let mut fields = vec![
            ("account_id", account.as_str()),
            ("date", "2031-06-17"),
            ("first_approver", approver.as_str()),
            (a0.as_str(), "250000"),
            (a1.as_str(), "１８００００"),
            (a2.as_str(), ""),
        ];
        let refused = m.post_form("/bulk/salary/entry", &fields).await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            refused.body
        );
        assert!(
            refused.body.contains(&format!("{a1}-error")),
            "{}",
            refused.body
        );
        assert!(
            refused.body.contains("value=\"250000\"")
                && refused.body.contains("value=\"2031-06-17\"")
        );
        fields[4].1 = "180000";
        let ok = m.post_form("/bulk/salary/entry", &fields).await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
        let confirm = m.get(ok.location()).await;
        assert!(
            confirm.body.contains("BKYF012")
                && confirm.body.contains("430,000円")
                && confirm.body.contains("画面入力"),
            "{}",
            confirm.body
        );
    }
}
