//! 振込先管理 / 請求先管理 and 依頼(画面入力) of the file businesses, on both engines:
//! payees registered one by one (全角 converted, the master checked, an account once) and
//! by CSV (all or none, each bad line named), listed for 給与振込 and 賞与振込 alike,
//! downloaded in Shift_JIS; a 依頼 from picked payees stored like a file, each bad amount
//! named at its payee; another company, a general user and a lower permission refused;
//! an approver's session that outlived their permission, and a logged-out one, refused.

use axum::http::{Method, StatusCode};
use madoguchi_domain::{ApprovalMode, Business};
use serde_json::{Value, json};

use crate::bulk::{post_file, set_business};
use crate::support::{Client, engines, key, recent_history};
use crate::transfers_support::{
    CONFIRMATION_PASSWORD, act_body, add_approver, app, first_account, grant_in, login,
};

fn payee(number: &str, name: &str, group: &str) -> Value {
    json!({
        "bank_code": "0005", "branch_code": "001", "kind": "普通", "number": number,
        "name": name, "reference": "1001", "reference2": "20", "group": group,
        "confirmation_password": CONFIRMATION_PASSWORD, "idempotency_key": key(number),
    })
}

async fn register(c: &mut Client, business: &str, body: Value) -> crate::support::Resp {
    c.json(
        Method::POST,
        &format!("/api/v1/bulk/{business}/payees"),
        body,
    )
    .await
}

async fn change(c: &mut Client, id: i64, body: Value) -> crate::support::Resp {
    let path = format!("/api/v1/bulk/bulk_transfer/payees/{id}");
    c.json(Method::PUT, &path, body).await
}

async fn import(c: &mut Client, business: &str, csv: &[u8], k: &str) -> crate::support::Resp {
    let k = key(k);
    post_file(
        c,
        &format!("/api/v1/bulk/{business}/payees/import"),
        csv,
        &[
            ("confirmation_password", CONFIRMATION_PASSWORD),
            ("idempotency_key", &k),
        ],
    )
    .await
}

async fn listed(c: &mut Client, business: &str) -> Vec<Value> {
    let r = c.get(&format!("/api/v1/bulk/{business}/payees")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.json().as_array().unwrap().clone()
}

#[tokio::test]
async fn payees_are_registered_one_by_one_and_by_csv_all_or_none() {
    for engine in engines() {
        let app = app(engine).await;
        let mut m = login(&app, "master01").await;
        let r = register(&mut m, "salary", payee("1111111", "ヤマダ　タロウ", "本社")).await;
        assert_eq!(r.status, StatusCode::OK, "{engine:?} {}", r.body);
        let list = listed(&mut m, "bonus").await;
        assert_eq!(list.len(), 1, "給与振込 and 賞与振込 share one list");
        assert_eq!(list[0]["name"], "ﾔﾏﾀﾞ ﾀﾛｳ");
        assert_eq!(list[0]["reference"], "1001");
        assert_eq!(list[0]["branch_name"], "本店");
        // The same account again, an unknown branch, a kanji name: refused by field.
        let mut again = payee("1111111", "ﾊﾅｺ", "");
        again["idempotency_key"] = json!(key("again"));
        assert_eq!(
            register(&mut m, "salary", again).await.json()["code"],
            "PAY-0001"
        );
        let mut unknown = payee("2222222", "ﾊﾅｺ", "");
        unknown["branch_code"] = json!("998");
        let r = register(&mut m, "salary", unknown).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert!(r.body.contains("VAL-0025"), "{}", r.body);
        let r = register(&mut m, "salary", payee("3333333", "山田", "")).await;
        assert!(
            r.body.contains("VAL-0024") && r.body.contains('山'),
            "{}",
            r.body
        );
        // 口座振替's list is its own: 預金者名 and a 20-digit 顧客番号.
        let mut debtor = payee("1111111", "ｽｽﾞｷ ｲﾁﾛｳ", "");
        debtor["reference"] = json!("12345678901234567890");
        debtor["idempotency_key"] = json!(key("debtor"));
        assert_eq!(
            register(&mut m, "direct_debit", debtor).await.status,
            StatusCode::OK
        );
        assert_eq!(listed(&mut m, "direct_debit").await.len(), 1);

        // A CSV file with a bad line: every error named, nothing saved.
        let bad = "金融機関コード,支店コード,預金種目,口座番号,受取人名,社員番号,所属コード,グループ名\r\n\
                   0005,001,普通,4444444,ｻﾄｳ ｼﾞﾛｳ,1002,20,工場\r\n\
                   0005,001,普通,5555555,ｽｽﾞｷ ﾊﾅｺ,ABC,20,工場\r\n\
                   0005,001,普通,4444444,ﾀﾅｶ ﾐｻｷ,1004,20,工場\r\n";
        let r = import(&mut m, "salary", bad.as_bytes(), "csv-bad").await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        let errors = r.json()["errors"].as_array().unwrap().clone();
        let at: Vec<(i64, String)> = errors
            .iter()
            .map(|e| {
                (
                    e["line"].as_i64().unwrap(),
                    e["field"].as_str().unwrap().into(),
                )
            })
            .collect();
        assert_eq!(
            at,
            vec![(3, "社員番号".to_owned()), (4, "口座番号".to_owned())],
            "{errors:?}"
        );
        assert_eq!(listed(&mut m, "salary").await.len(), 1);
        // An account the list has already: refused whole.
        let taken = "0005,001,普通,6666666,ｻﾄｳ ｼﾞﾛｳ,,,\r\n0005,001,普通,1111111,ﾀﾛｳ,,,\r\n";
        let r = import(&mut m, "salary", taken.as_bytes(), "csv-taken").await;
        let v = r.json();
        assert_eq!(v["code"], "FIL-0100", "{}", r.body);
        assert_eq!(
            (
                v["errors"][0]["line"].as_i64(),
                v["errors"][0]["code"].as_str()
            ),
            (Some(2), Some("PAY-0001"))
        );
        assert_eq!(listed(&mut m, "salary").await.len(), 1);
        // A clean one in Shift_JIS, 全角 names converted.
        let good = "0005,001,普通,4444444,サトウ　ジロウ,1002,20,工場\r\n\
                    0005,001,当座,5555555,ｽｽﾞｷ ﾊﾅｺ,1003,20,工場\r\n";
        let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode(good);
        let r = import(&mut m, "salary", &sjis, "csv-good").await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let list = listed(&mut m, "salary").await;
        assert_eq!(list.len(), 3);
        assert!(
            list.iter()
                .any(|p| p["name"] == "ｻﾄｳ ｼﾞﾛｳ" && p["group"] == "工場")
        );
        // The download reads back as the columns 一括登録 takes.
        let (status, bytes) = {
            let r = m.get("/api/v1/bulk/salary/payees/csv?encoding=sjis").await;
            (
                r.status,
                m.get_raw("/api/v1/bulk/salary/payees/csv?encoding=sjis")
                    .await,
            )
        };
        assert_eq!(status, StatusCode::OK);
        let (text, _, bad) = encoding_rs::SHIFT_JIS.decode(&bytes);
        assert!(!bad);
        assert_eq!(text.lines().count(), 4, "{text}");
        assert!(text.starts_with("\"金融機関コード\""), "{text}");
        let parsed = madoguchi_domain::bulk::payee::parse_csv(
            &bytes,
            madoguchi_domain::bulk::payee::PayeeList::Salary,
        )
        .unwrap();
        assert_eq!(parsed.len(), 3);
        // Each step and each refusal in the 操作履歴.
        let ops: Vec<String> = recent_history(&app, 40)
            .await
            .iter()
            .map(|e| madoguchi_domain::history_search::operation_label(&e.operation).to_owned())
            .collect();
        for op in [
            "給与・賞与振込の振込先の登録",
            "給与・賞与振込の振込先の一括登録",
            "給与・賞与振込の振込先のダウンロード",
            "口座振替の請求先の登録",
        ] {
            assert!(ops.iter().any(|o| o == op), "{op} in {ops:?}");
        }
        let refused = recent_history(&app, 40)
            .await
            .into_iter()
            .filter(|e| !e.error_code.is_empty())
            .count();
        assert!(refused >= 5, "every refusal recorded ({refused})");
        crate::support::assert_chain_intact(&app).await;
    }
}

#[tokio::test]
async fn payees_are_the_companys_and_need_the_permission() {
    for engine in engines() {
        let app = app(engine).await;
        let mut m = login(&app, "master01").await;
        let r = register(&mut m, "bulk_transfer", payee("1111111", "ﾀﾛｳ", "")).await;
        let id = r.json()["id"].as_i64().unwrap();
        // Another company sees none of them and cannot delete one.
        let mut other = login(&app, "other01").await;
        assert!(listed(&mut other, "bulk_transfer").await.is_empty());
        let r = other
            .json(
                Method::POST,
                &format!("/api/v1/bulk/bulk_transfer/payees/{id}/delete"),
                act_body("o-1"),
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
        // A general user with 依頼(画面入力) only: sees the list, may not change it.
        grant_in(
            &app,
            "ippan01",
            &["bulk.screen"],
            Business::BulkTransfer,
            1_000_000,
        )
        .await;
        let mut g = login(&app, "ippan01").await;
        assert_eq!(listed(&mut g, "bulk_transfer").await.len(), 1);
        let r = register(&mut g, "bulk_transfer", payee("2222222", "ﾊﾅｺ", "")).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
        let r = g
            .json(
                Method::POST,
                &format!("/api/v1/bulk/bulk_transfer/payees/{id}/delete"),
                act_body("g-1"),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        // ... and nothing of 口座振替's.
        assert_eq!(
            g.get("/api/v1/bulk/direct_debit/payees").await.status,
            StatusCode::FORBIDDEN
        );
        // 変更: the name (全角, converted) and the group; another company and a general
        // user may not; another payee's account is refused.
        let mut changed = payee("1111111", "タナカ　ジロウ", "支店");
        changed["idempotency_key"] = json!(key("change-1"));
        let r = change(&mut other, id, changed.clone()).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
        let r = change(&mut g, id, changed.clone()).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = change(&mut m, id, changed).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let list = listed(&mut m, "bulk_transfer").await;
        assert_eq!(
            (list[0]["name"].as_str(), list[0]["group"].as_str()),
            (Some("ﾀﾅｶ ｼﾞﾛｳ"), Some("支店"))
        );
        let second = register(&mut m, "bulk_transfer", payee("2222222", "ﾊﾅｺ", "")).await;
        assert_eq!(second.status, StatusCode::OK);
        let mut onto = payee("2222222", "ﾀﾅｶ ｼﾞﾛｳ", "");
        onto["idempotency_key"] = json!(key("change-2"));
        let r = change(&mut m, id, onto).await;
        assert_eq!(r.json()["code"], "PAY-0001", "{}", r.body);
        // A deletion with a wrong 確認用パスワード changes nothing; the right one deletes.
        let r = m
            .json(
                Method::POST,
                &format!("/api/v1/bulk/bulk_transfer/payees/{id}/delete"),
                json!({"confirmation_password": "wrong-Passw0rd", "idempotency_key": key("d-0")}),
            )
            .await;
        assert_ne!(r.status, StatusCode::OK);
        assert_eq!(listed(&mut m, "bulk_transfer").await.len(), 2);
        let r = m
            .json(
                Method::POST,
                &format!("/api/v1/bulk/bulk_transfer/payees/{id}/delete"),
                act_body("d-1"),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(listed(&mut m, "bulk_transfer").await.len(), 1);
    }
}

#[tokio::test]
async fn a_screen_entry_is_stored_and_approved_like_a_file() {
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
        let mut m = login(&app, "master01").await;
        let mut ids = Vec::new();
        for (n, name) in [("1111111", "ﾔﾏﾀﾞ ﾀﾛｳ"), ("2222222", "ｽｽﾞｷ ﾊﾅｺ")]
        {
            let r = register(&mut m, "salary", payee(n, name, "本社")).await;
            ids.push(r.json()["id"].as_i64().unwrap());
        }
        let other_list = register(&mut m, "bulk_transfer", payee("3333333", "ﾀﾛｳ", "")).await;
        let other_list = other_list.json()["id"].as_i64().unwrap();
        let account = first_account(&app).await;
        let body = |date: &str, lines: Value| json!({"account_id": account, "date": date, "first_approver": approver, "lines": lines});
        let orders = |app: &crate::support::TestApp| {
            let store = app.state.store.clone();
            async move {
                store
                    .bulk_orders_of(1, Business::Salary, madoguchi_store::TransferView::All, 100)
                    .await
                    .unwrap()
                    .len()
            }
        };
        // Each bad amount named at its payee; a Sunday; a payee of another list.
        let r = m
            .json(
                Method::POST,
                "/api/v1/bulk/salary/entries",
                body(
                    "2031-06-15",
                    json!([{"payee_id": ids[0], "amount": "0"}, {"payee_id": ids[1], "amount": "12,000"}]),
                ),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        let fields: Vec<String> = r.json()["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["field"].as_str().unwrap().to_owned())
            .collect();
        assert!(fields.contains(&format!("amount_{}", ids[0])), "{fields:?}");
        assert!(fields.contains(&format!("amount_{}", ids[1])), "{fields:?}");
        let r = m
            .json(
                Method::POST,
                "/api/v1/bulk/salary/entries",
                body(
                    "2031-06-15",
                    json!([{"payee_id": ids[0], "amount": "250000"}]),
                ),
            )
            .await;
        assert!(r.body.contains("\"date\""), "a Sunday: {}", r.body);
        let r = m
            .json(
                Method::POST,
                "/api/v1/bulk/salary/entries",
                body(
                    "2031-06-17",
                    json!([{"payee_id": other_list, "amount": "250000"}]),
                ),
            )
            .await;
        assert!(
            r.body.contains(&format!("amount_{other_list}")),
            "{}",
            r.body
        );
        assert_eq!(orders(&app).await, 0, "nothing saved");
        // A clean one: stored 作成中 as a file of the business, then 確定 and 承認.
        let r = m
            .json(
                Method::POST,
                "/api/v1/bulk/salary/entries",
                body(
                    "2031-06-17",
                    json!([{"payee_id": ids[0], "amount": "250000"}, {"payee_id": ids[1], "amount": "180000"}]),
                ),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let v = r.json();
        let id = v["id"].as_i64().unwrap();
        assert_eq!(v["order"]["file_name"], "画面入力");
        assert_eq!(v["order"]["count"], 2);
        assert_eq!(v["order"]["total_amount"], 430_000);
        assert_eq!(v["order"]["date"], "2031-06-17");
        let detail = m
            .get(&format!("/api/v1/bulk/salary/orders/{id}"))
            .await
            .json();
        let records = detail["records"].as_array().unwrap();
        assert_eq!(
            records[0]["reference"], "1001",
            "社員番号 as the record holds it"
        );
        assert_eq!(records[1]["name"], "ｽｽﾞｷ ﾊﾅｺ");
        let r = m
            .json(
                Method::POST,
                &format!("/api/v1/bulk/salary/orders/{id}/confirm"),
                act_body("s-1"),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let mut a = login(&app, "shonin01").await;
        let r = a
            .json(
                Method::POST,
                &format!("/api/v1/bulk/salary/orders/{id}/approve"),
                act_body("s-2"),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert!(r.body.contains("受付済み"), "{}", r.body);
        let ops: Vec<String> = recent_history(&app, 20)
            .await
            .iter()
            .map(|e| madoguchi_domain::history_search::operation_label(&e.operation).to_owned())
            .collect();
        assert!(ops.iter().any(|o| o == "給与振込の画面入力"), "{ops:?}");
        // A general user without 依頼(画面入力) of 給与振込: refused.
        let mut g = login(&app, "ippan01").await;
        let r = g
            .json(
                Method::POST,
                "/api/v1/bulk/salary/entries",
                body(
                    "2031-06-17",
                    json!([{"payee_id": ids[0], "amount": "1000"}]),
                ),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        // With 依頼(画面入力) only (no ファイル受付), their own 依頼 is theirs to 確定.
        grant_in(
            &app,
            "ippan01",
            &["salary.screen"],
            Business::Salary,
            1_000_000,
        )
        .await;
        let mut g = login(&app, "ippan01").await;
        let one = json!([{"payee_id": ids[0], "amount": "1000"}]);
        let r = g
            .json(
                Method::POST,
                "/api/v1/bulk/salary/entries",
                body("2031-06-17", one),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let own = r.json()["id"].as_i64().unwrap();
        let r = g
            .json(
                Method::POST,
                &format!("/api/v1/bulk/salary/orders/{own}/confirm"),
                act_body("g-confirm"),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert!(r.body.contains("2行目"), "the records shown: {}", r.body);
    }
}

#[tokio::test]
async fn a_stale_session_can_no_longer_act_on_a_file() {
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
        let mut m = login(&app, "master01").await;
        let p = register(&mut m, "salary", payee("1111111", "ﾀﾛｳ", "")).await;
        let p = p.json()["id"].as_i64().unwrap();
        let account = first_account(&app).await;
        let entry = json!({"account_id": account, "date": "2031-06-17", "first_approver": approver,
               "lines": [{"payee_id": p, "amount": "1000"}]});
        let mut ids = Vec::new();
        for k in ["one", "two"] {
            let r = m
                .json(Method::POST, "/api/v1/bulk/salary/entries", entry.clone())
                .await;
            let id = r.json()["id"].as_i64().unwrap();
            let r = m
                .json(
                    Method::POST,
                    &format!("/api/v1/bulk/salary/orders/{id}/confirm"),
                    act_body(&format!("st-{k}")),
                )
                .await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
            ids.push(id);
        }
        // The approver's session outlives the 承認 permission taken from them.
        let mut a = login(&app, "shonin01").await;
        crate::transfers_support::revoke(&app, "shonin01", "approve.salary").await;
        let r = a
            .json(
                Method::POST,
                &format!("/api/v1/bulk/salary/orders/{}/approve", ids[0]),
                act_body("st-a"),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{engine:?} {}", r.body);
        // A logged-out session is not one.
        grant_in(
            &app,
            "shonin01",
            &["approve.salary"],
            Business::Salary,
            10_000_000,
        )
        .await;
        let mut gone = login(&app, "shonin01").await;
        let mut copy = app.client();
        copy.copy_session_from(&gone);
        copy.csrf = gone.csrf.clone();
        gone.json(Method::POST, "/api/v1/logout", json!({})).await;
        let r = copy
            .json(
                Method::POST,
                &format!("/api/v1/bulk/salary/orders/{}/approve", ids[1]),
                act_body("st-b"),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);
        // Neither moved; the refusal is in the 操作履歴.
        for id in &ids {
            let o = app.state.store.bulk_order(1, *id).await.unwrap().unwrap();
            assert_eq!(o.approval.state.label(), "承認待ち");
        }
        let refused = recent_history(&app, 30).await.into_iter().any(|e| {
            madoguchi_domain::history_search::operation_label(&e.operation) == "給与振込の承認"
                && e.error_code == "PERM-0001"
        });
        assert!(refused, "the refusal recorded");
    }
}
