//! 振込振替: 依頼 → 確定 under each 承認機能, 承認・差戻し・引戻し・削除 by the state machine,
//! the 振込指定日's window, the 先方負担 deduction as the fee engine computes it, the
//! user's and the account's limits at acceptance (100 requests at once accept exactly what
//! fits), who may do what (a lower role, another company, a stale second approval), the
//! 承認期限, 修正, and the 操作履歴. The host's side is in `host_crash.rs`.

use axum::http::{Method, StatusCode};
use madoguchi_domain::fees::{FeeMethod, PayeeFeeRule, Route};
use madoguchi_domain::{ApprovalMode, HistoryArea, Yen, jst};
use madoguchi_server::host;
use madoguchi_store::ConfirmedWrite;
use serde_json::json;
use time::macros::datetime;

use crate::support::{engines, field_codes, key, recent_history};
use crate::transfers_support::*;
#[tokio::test]
async fn without_approval_the_order_is_accepted_at_confirmation_with_the_payee_fee_deducted() {
    for engine in engines() {
        let app = app(engine).await;
        let account = first_account(&app).await;
        let mut master = login(&app, "master01").await;
        let done = master
            .json(
                Method::POST,
                "/api/v1/transfers",
                request_body(account, 50_000, "先方負担", "t-none-1"),
            )
            .await;
        assert_eq!(done.status, StatusCode::OK, "{}", done.body);
        let id = done.json()["id"].as_i64().unwrap();
        let t = order(&app, id).await;
        assert_eq!(t.approval.state.label(), "受付済み");
        // The fee engine: the bank's standard table from 2027-04-01, 他行宛 ≥ 30,000 → 605.
        let standard = app
            .state
            .store
            .standard_table_on(TODAY)
            .await
            .unwrap()
            .unwrap();
        let expected = PayeeFeeRule {
            table: standard.table,
            method: FeeMethod::Unshifted,
            minimum_payment: Yen::ZERO,
        }
        .deduction(Route::OtherBank, yen(50_000))
        .unwrap();
        assert_eq!(expected, yen(605));
        assert_eq!((t.fee, t.transfer_amount), (605, 49_395));
        // The limits were used by the 支払金額 (fees are not counted), in the 日本時間 day.
        let used = |scope: String| {
            let store = app.state.store.clone();
            async move { store.limit_used(COMPANY, &scope, TODAY).await.unwrap() }
        };
        assert_eq!(
            used(format!("account:{account}:transfer_total")).await,
            50_000
        );
        assert_eq!(
            used(format!("account:{account}:transfer_ad_hoc")).await,
            50_000
        );
        // 確認's sections: 振込金額 in the changes.
        assert!(done.body.contains("49,395円"), "{}", done.body);
        let entry = recent_history(&app, 5)
            .await
            .into_iter()
            .find(|e| e.operation == "振込振替の依頼")
            .unwrap();
        assert_eq!(entry.area, HistoryArea::Transfer.label());
        assert_eq!(details(&entry)["state"], "受付済み");
        assert_eq!(details(&entry)["fee"], 605);

        // 当方負担: nothing deducted. The same key again changes nothing.
        let payer = master
            .json(
                Method::POST,
                "/api/v1/transfers",
                request_body(account, 20_000, "当方負担", "t-none-2"),
            )
            .await;
        let t2 = order(&app, payer.json()["id"].as_i64().unwrap()).await;
        assert_eq!((t2.fee, t2.transfer_amount), (0, 20_000));
        let again = master
            .json(
                Method::POST,
                "/api/v1/transfers",
                request_body(account, 20_000, "当方負担", "t-none-2"),
            )
            .await;
        assert_eq!(again.status, StatusCode::OK);
        assert_eq!(again.json()["repeated"], true);
        let all = master.get("/api/v1/transfers").await.json();
        assert_eq!(all.as_array().unwrap().len(), 2);
    }
}

#[tokio::test]
async fn the_day_the_account_and_the_amount_are_checked_and_nothing_is_saved() {
    for engine in engines() {
        let app = app(engine).await;
        let account = first_account(&app).await;
        let mut master = login(&app, "master01").await;
        let with = |date: &str, amount: &str, acct: String, k: &str| {
            let mut b = request_body(account, 1, "当方負担", k);
            b["date"] = json!(date);
            b["amount"] = json!(amount);
            b["account_id"] = json!(acct);
            b
        };
        // A Saturday, a day past the window, yesterday.
        for (date, code) in [
            ("2031-06-14", "VAL-0026"),
            ("2031-07-14", "VAL-0027"),
            ("2031-06-10", "VAL-0027"),
        ] {
            let r = master
                .json(
                    Method::POST,
                    "/api/v1/transfers",
                    with(date, "1000", account.to_string(), date),
                )
                .await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{date}");
            assert_eq!(field_codes(&r), vec![("date".to_owned(), code.to_owned())]);
        }
        // Another company's account; a zero amount.
        let r = master
            .json(
                Method::POST,
                "/api/v1/transfers",
                with(TODAY, "1000", "4".into(), "acct"),
            )
            .await;
        assert_eq!(
            field_codes(&r),
            vec![("account_id".to_owned(), "VAL-0030".to_owned())]
        );
        let r = master
            .json(
                Method::POST,
                "/api/v1/transfers",
                with(TODAY, "0", account.to_string(), "zero"),
            )
            .await;
        assert_eq!(
            field_codes(&r),
            vec![("amount".to_owned(), "VAL-0031".to_owned())]
        );
        // Today after 15:00: the next business day is named.
        app.clock
            .set_micros(jst::to_micros(datetime!(2031-06-11 15:00 +9)));
        let mut master = login(&app, "master01").await;
        let r = master
            .json(
                Method::POST,
                "/api/v1/transfers",
                request_body(account, 1000, "当方負担", "late"),
            )
            .await;
        assert_eq!(
            field_codes(&r),
            vec![("date".to_owned(), "VAL-0028".to_owned())]
        );
        assert!(r.body.contains("15:00"), "{}", r.body);
        let form = master.get("/api/v1/transfers/form").await.json();
        assert_eq!(form["first_date"], "2031-06-12");
        assert!(
            app.state
                .store
                .transfers_of(COMPANY, madoguchi_store::TransferView::All, 10)
                .await
                .unwrap()
                .is_empty()
        );
        let refused = recent_history(&app, 3).await;
        assert_eq!(refused[0].operation, "振込振替の依頼");
        assert_eq!(refused[0].error_code, "VAL-0000");
        assert!(
            refused[0].details.contains("VAL-0028"),
            "{}",
            refused[0].details
        );
    }
}

#[tokio::test]
async fn double_ordered_approval_needs_the_first_then_the_last_approver() {
    for engine in engines() {
        let app = app(engine).await;
        set_mode(&app, ApprovalMode::DoubleOrdered, None).await;
        grant(&app, "ippan01", &["transfer.new_account"], 1_000_000).await;
        let first = add_approver(&app, "shonin01").await;
        let master = user_id(&app, "master01").await;
        let account = first_account(&app).await;
        let mut creator = login(&app, "ippan01").await;
        // The approvers must hold 承認権限 (ippan01 does not).
        let ippan = user_id(&app, "ippan01").await;
        let mut b = request_body(account, 300_000, "当方負担", "d-1");
        b["first_approver"] = json!(ippan.to_string());
        b["last_approver"] = json!(master.to_string());
        let r = creator.json(Method::POST, "/api/v1/transfers", b).await;
        assert_eq!(
            field_codes(&r),
            vec![("first_approver".to_owned(), "VAL-0029".to_owned())]
        );
        let mut b = request_body(account, 300_000, "当方負担", "d-2");
        b["first_approver"] = json!(first.to_string());
        b["last_approver"] = json!(master.to_string());
        let r = creator.json(Method::POST, "/api/v1/transfers", b).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let id = r.json()["id"].as_i64().unwrap();
        assert_eq!(order(&app, id).await.approval.state.label(), "承認待ち");
        // The warning of what remains today (the bank accepts it only at the last 承認).
        let limits = r.json()["limits"].clone();
        assert_eq!(
            limits[0]["label"],
            "本日の残り（口座一日当たりの限度額（振込振替(都度指定)））"
        );
        assert_eq!(limits[0]["value"], "10,000,000円");
        let total = format!("account:{account}:transfer_total");
        let used = || async {
            app.state
                .store
                .limit_used(COMPANY, &total, TODAY)
                .await
                .unwrap()
        };
        assert_eq!(used().await, 0, "nothing used before the bank accepts it");

        // The 最終承認者 may not act before the 一次承認者.
        let mut last = login(&app, "master01").await;
        let waiting = last.get("/api/v1/transfers?view=waiting").await.json();
        assert!(waiting.as_array().unwrap().is_empty());
        let early = last
            .json(
                Method::POST,
                &format!("/api/v1/transfers/{id}/approve"),
                act_body("d-3"),
            )
            .await;
        assert_eq!(early.status, StatusCode::CONFLICT);
        assert_eq!(early.json()["code"], "TRF-0001");
        // The creator without 承認権限 may not approve at all.
        let own = creator
            .json(
                Method::POST,
                &format!("/api/v1/transfers/{id}/approve"),
                act_body("d-4"),
            )
            .await;
        assert_eq!(own.status, StatusCode::FORBIDDEN);

        let mut shonin = login(&app, "shonin01").await;
        let waiting = shonin.get("/api/v1/transfers?view=waiting").await.json();
        assert_eq!(waiting[0]["id"], id);
        let one = shonin
            .json(
                Method::POST,
                &format!("/api/v1/transfers/{id}/approve"),
                act_body("d-5"),
            )
            .await;
        assert_eq!(one.status, StatusCode::OK, "{}", one.body);
        assert_eq!(order(&app, id).await.approval.state.label(), "一次承認済み");
        let twice = shonin
            .json(
                Method::POST,
                &format!("/api/v1/transfers/{id}/approve"),
                act_body("d-6"),
            )
            .await;
        assert_eq!(twice.json()["code"], "TRF-0001");
        // The creator may no longer 引戻し once approved.
        let withdraw = creator
            .json(
                Method::POST,
                &format!("/api/v1/transfers/{id}/withdraw"),
                act_body("d-7"),
            )
            .await;
        assert_eq!(withdraw.json()["code"], "TRF-0001");
        let done = last
            .json(
                Method::POST,
                &format!("/api/v1/transfers/{id}/approve"),
                act_body("d-8"),
            )
            .await;
        assert_eq!(done.status, StatusCode::OK, "{}", done.body);
        let t = order(&app, id).await;
        assert_eq!(t.approval.state.label(), "受付済み");
        assert_eq!(t.approval.approved_by, vec![first, master]);
        assert_eq!(used().await, 300_000);
        let ops: Vec<String> = recent_history(&app, 12)
            .await
            .into_iter()
            .map(|e| e.operation)
            .collect();
        assert!(
            ops.iter().filter(|o| *o == "振込振替の承認").count() >= 4,
            "{ops:?}"
        );
    }
}

#[tokio::test]
async fn return_withdraw_and_delete_follow_the_state_machine() {
    for engine in engines() {
        let app = app(engine).await;
        set_mode(&app, ApprovalMode::Single, None).await;
        grant(&app, "ippan01", &["transfer.new_account"], 1_000_000).await;
        let approver = add_approver(&app, "shonin01").await;
        let account = first_account(&app).await;
        let mut creator = login(&app, "ippan01").await;
        let mut shonin = login(&app, "shonin01").await;
        let new = |k: &str| {
            let mut b = request_body(account, 10_000, "当方負担", k);
            b["first_approver"] = json!(approver.to_string());
            b
        };
        let id = creator
            .json(Method::POST, "/api/v1/transfers", new("r-1"))
            .await
            .json()["id"]
            .as_i64()
            .unwrap();
        // 差戻し by the approver; then the creator deletes it.
        let r = shonin
            .json(
                Method::POST,
                &format!("/api/v1/transfers/{id}/return"),
                act_body("r-2"),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(order(&app, id).await.approval.state.label(), "差戻済み");
        let r = creator
            .json(
                Method::POST,
                &format!("/api/v1/transfers/{id}/delete"),
                act_body("r-3"),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(order(&app, id).await.approval.state.label(), "削除済み");
        // 引戻し by the creator before approval; then it cannot be approved.
        let id = creator
            .json(Method::POST, "/api/v1/transfers", new("r-4"))
            .await
            .json()["id"]
            .as_i64()
            .unwrap();
        let r = creator
            .json(
                Method::POST,
                &format!("/api/v1/transfers/{id}/withdraw"),
                act_body("r-5"),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let r = shonin
            .json(
                Method::POST,
                &format!("/api/v1/transfers/{id}/approve"),
                act_body("r-6"),
            )
            .await;
        assert_eq!(r.json()["code"], "TRF-0001");
        // A wrong 確認用パスワード moves nothing.
        let id = creator
            .json(Method::POST, "/api/v1/transfers", new("r-7"))
            .await
            .json()["id"]
            .as_i64()
            .unwrap();
        let mut wrong = act_body("r-8");
        wrong["confirmation_password"] = json!("Wrong9999");
        let r = shonin
            .json(
                Method::POST,
                &format!("/api/v1/transfers/{id}/approve"),
                wrong,
            )
            .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);
        assert_eq!(order(&app, id).await.approval.state.label(), "承認待ち");
    }
}

#[tokio::test]
async fn another_company_a_lower_role_and_a_stale_second_approval_are_refused() {
    for engine in engines() {
        let app = app(engine).await;
        set_mode(&app, ApprovalMode::Single, None).await;
        let master = user_id(&app, "master01").await;
        let account = first_account(&app).await;
        let mut m = login(&app, "master01").await;
        let mut b = request_body(account, 10_000, "当方負担", "x-1");
        b["first_approver"] = json!(master.to_string());
        let id = m.json(Method::POST, "/api/v1/transfers", b).await.json()["id"]
            .as_i64()
            .unwrap();
        // Another company's master: not found, by id or in a list.
        let mut other = login(&app, "other01").await;
        assert_eq!(
            other.get(&format!("/api/v1/transfers/{id}")).await.status,
            StatusCode::NOT_FOUND
        );
        let r = other
            .json(
                Method::POST,
                &format!("/api/v1/transfers/{id}/approve"),
                act_body("x-2"),
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert!(
            other
                .get("/api/v1/transfers")
                .await
                .json()
                .as_array()
                .unwrap()
                .is_empty()
        );
        // A general user with no part in it and no 全取引照会: not found; without any
        // permission of 振込振替: no list either.
        let mut ippan = login(&app, "ippan01").await;
        assert_eq!(
            ippan.get(&format!("/api/v1/transfers/{id}")).await.status,
            StatusCode::NOT_FOUND
        );
        grant(&app, "ippan01", &["transfer.all"], 0).await;
        let mut ippan = login(&app, "ippan01").await;
        assert_eq!(
            ippan.get(&format!("/api/v1/transfers/{id}")).await.status,
            StatusCode::OK
        );
        let r = ippan
            .json(
                Method::POST,
                &format!("/api/v1/transfers/{id}/approve"),
                act_body("x-3"),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        // Two sessions of the approver approve at once: one moves it, the other is refused.
        let mut second = login(&app, "master01").await;
        let path = format!("/api/v1/transfers/{id}/approve");
        let (a, b) = tokio::join!(
            m.json(Method::POST, &path, act_body("x-4")),
            second.json(Method::POST, &path, act_body("x-5")),
        );
        let mut statuses = [a.status, b.status];
        statuses.sort();
        assert_eq!(statuses[0], StatusCode::OK, "{} / {}", a.body, b.body);
        assert_eq!(statuses[1], StatusCode::CONFLICT, "{} / {}", a.body, b.body);
        let t = order(&app, id).await;
        assert_eq!(t.approval.approved_by, vec![master]);
        let total = format!("account:{account}:transfer_total");
        assert_eq!(
            app.state
                .store
                .limit_used(COMPANY, &total, TODAY)
                .await
                .unwrap(),
            10_000,
            "used once"
        );
    }
}

#[tokio::test]
async fn a_hundred_requests_at_once_through_two_servers_accept_exactly_what_the_limit_holds() {
    for engine in engines() {
        // One user's confirmations are judged at most `confirmation_lock_threshold` at a
        // time (a burst of guesses waits): raised, so that all 100 reach the limits.
        let app = app_with(engine, |c| c.confirmation_lock_threshold = 1_000).await;
        // 合計 1,000,000: 33 orders of 30,000 fit.
        set_mode(&app, ApprovalMode::None, Some(1_000_000)).await;
        let account = first_account(&app).await;
        // Two app servers on one database, each its own pool: half the requests each.
        let second = app.second_server().await;
        let mut clients = Vec::new();
        for _ in 0..4 {
            clients.push(login(&app, "master01").await);
        }
        let mut futures = Vec::new();
        for (i, c) in clients.iter().enumerate() {
            for j in 0..25 {
                let mut tab = if j % 2 == 0 { app.client() } else { second() };
                tab.copy_session_from(c);
                tab.csrf = c.csrf.clone();
                let mut c = tab;
                let k = format!("many-{i}-{j}");
                futures.push(async move {
                    c.json(
                        Method::POST,
                        "/api/v1/transfers",
                        request_body(account, 30_000, "当方負担", &k),
                    )
                    .await
                });
            }
        }
        let results = futures_util::future::join_all(futures).await;
        let accepted = results
            .iter()
            .filter(|r| r.status == StatusCode::OK)
            .count();
        let refused: Vec<_> = results
            .iter()
            .filter(|r| r.status != StatusCode::OK)
            .map(|r| r.json()["code"].as_str().unwrap_or("").to_owned())
            .collect();
        assert_eq!(accepted, 33, "{engine:?} {refused:?}");
        assert!(refused.iter().all(|c| c == "LIM-0004"), "{refused:?}");
        let total = format!("account:{account}:transfer_total");
        assert_eq!(
            app.state
                .store
                .limit_used(COMPANY, &total, TODAY)
                .await
                .unwrap(),
            990_000
        );
        let refusal = results
            .iter()
            .find(|r| r.status == StatusCode::CONFLICT)
            .unwrap();
        assert!(
            refusal.json()["message"]
                .as_str()
                .unwrap()
                .contains("本日の残りは10,000円です"),
            "{}",
            refusal.body
        );
        let stored = app
            .state
            .store
            .transfers_of(COMPANY, madoguchi_store::TransferView::All, 500)
            .await
            .unwrap();
        assert_eq!(stored.len(), 33, "a refused order is not stored");
    }
}

#[tokio::test]
async fn the_users_per_order_limit_binds_the_approver_at_the_final_approval() {
    for engine in engines() {
        let app = app(engine).await;
        set_mode(&app, ApprovalMode::Single, None).await;
        grant(&app, "ippan01", &["transfer.new_account"], 1_000_000).await;
        let approver = add_approver(&app, "shonin01").await;
        grant(&app, "shonin01", &[], 100_000).await;
        let account = first_account(&app).await;
        let mut creator = login(&app, "ippan01").await;
        // Above the creator's own limit: refused at 確定.
        let mut b = request_body(account, 1_000_001, "当方負担", "u-1");
        b["first_approver"] = json!(approver.to_string());
        let r = creator.json(Method::POST, "/api/v1/transfers", b).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert_eq!(r.json()["code"], "LIM-0005");
        // Within it, but above the approver's: refused at 承認, not before.
        let mut b = request_body(account, 200_000, "当方負担", "u-2");
        b["first_approver"] = json!(approver.to_string());
        let r = creator.json(Method::POST, "/api/v1/transfers", b).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let id = r.json()["id"].as_i64().unwrap();
        let mut shonin = login(&app, "shonin01").await;
        let r = shonin
            .json(
                Method::POST,
                &format!("/api/v1/transfers/{id}/approve"),
                act_body("u-3"),
            )
            .await;
        assert_eq!(r.json()["code"], "LIM-0005", "{}", r.body);
        assert_eq!(order(&app, id).await.approval.state.label(), "承認待ち");
    }
}

#[tokio::test]
async fn past_the_deadline_an_order_cannot_be_approved_and_expires() {
    for engine in engines() {
        let app = app(engine).await;
        set_mode(&app, ApprovalMode::Single, None).await;
        let master = user_id(&app, "master01").await;
        let account = first_account(&app).await;
        let mut m = login(&app, "master01").await;
        let mut b = request_body(account, 10_000, "当方負担", "e-1");
        b["first_approver"] = json!(master.to_string());
        let id = m.json(Method::POST, "/api/v1/transfers", b).await.json()["id"]
            .as_i64()
            .unwrap();
        // 15:00 日本時間 of the 振込指定日.
        app.clock
            .set_micros(jst::to_micros(datetime!(2031-06-11 15:00 +9)));
        let mut m = login(&app, "master01").await;
        let r = m
            .json(
                Method::POST,
                &format!("/api/v1/transfers/{id}/approve"),
                act_body("e-2"),
            )
            .await;
        assert_eq!(r.json()["code"], "TRF-0002", "{}", r.body);
        assert_eq!(host::expire_due(&app.state).await.unwrap(), 1);
        assert_eq!(host::expire_due(&app.state).await.unwrap(), 0);
        assert_eq!(order(&app, id).await.approval.state.label(), "期限切れ");
        let entry = recent_history(&app, 3)
            .await
            .into_iter()
            .find(|e| e.operation == "振込振替の期限切れ")
            .unwrap();
        assert_eq!(details(&entry)["before"], "承認待ち");
    }
}

#[tokio::test]
async fn an_order_sent_back_is_revised_by_its_creator_and_confirmed_again() {
    for engine in engines() {
        let app = app(engine).await;
        set_mode(&app, ApprovalMode::Single, None).await;
        grant(&app, "ippan01", &["transfer.new_account"], 1_000_000).await;
        let approver = add_approver(&app, "shonin01").await;
        let account = first_account(&app).await;
        let mut creator = login(&app, "ippan01").await;
        let mut shonin = login(&app, "shonin01").await;
        let mut b = request_body(account, 10_000, "当方負担", "v-1");
        b["first_approver"] = json!(approver.to_string());
        let id = creator
            .json(Method::POST, "/api/v1/transfers", b.clone())
            .await
            .json()["id"]
            .as_i64()
            .unwrap();
        let path = format!("/api/v1/transfers/{id}");
        // Not while it waits for the approver.
        let mut revised = b.clone();
        revised["amount"] = json!("12000");
        revised["idempotency_key"] = json!(key("v-2"));
        let early = creator.json(Method::PUT, &path, revised.clone()).await;
        assert_eq!(early.json()["code"], "TRF-0001", "{}", early.body);
        shonin
            .json(Method::POST, &format!("{path}/return"), act_body("v-3"))
            .await;
        // The approver may not revise it; another company does not find it.
        let mut theirs = revised.clone();
        theirs["idempotency_key"] = json!(key("v-4"));
        let r = shonin.json(Method::PUT, &path, theirs.clone()).await;
        assert_eq!(r.json()["code"], "TRF-0001");
        let mut other = login(&app, "other01").await;
        assert_eq!(
            other.json(Method::PUT, &path, theirs).await.status,
            StatusCode::NOT_FOUND
        );
        // The creator: a rule still holds (a Saturday), then the 修正 goes through.
        let mut saturday = revised.clone();
        saturday["date"] = json!("2031-06-14");
        saturday["idempotency_key"] = json!(key("v-5"));
        let r = creator.json(Method::PUT, &path, saturday).await;
        assert_eq!(
            field_codes(&r),
            vec![("date".to_owned(), "VAL-0026".to_owned())]
        );
        revised["idempotency_key"] = json!(key("v-6"));
        let r = creator.json(Method::PUT, &path, revised).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let t = order(&app, id).await;
        assert_eq!(t.approval.state.label(), "承認待ち");
        assert_eq!(t.amount, 12_000);
        assert!(t.approval.approved_by.is_empty());
        let r = shonin
            .json(Method::POST, &format!("{path}/approve"), act_body("v-7"))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(order(&app, id).await.approval.state.label(), "受付済み");
        let entry = recent_history(&app, 10)
            .await
            .into_iter()
            .find(|e| e.operation == "振込振替の修正" && e.error_code.is_empty())
            .unwrap();
        assert_eq!(details(&entry)["before"], "差戻済み");
    }
}

#[tokio::test]
async fn an_approval_written_at_the_deadline_is_refused_in_its_transaction() {
    for engine in engines() {
        let app = app(engine).await;
        set_mode(&app, ApprovalMode::Single, None).await;
        let master = user_id(&app, "master01").await;
        let account = first_account(&app).await;
        let mut m = login(&app, "master01").await;
        let mut b = request_body(account, 10_000, "当方負担", "w-1");
        b["first_approver"] = json!(master.to_string());
        let id = m.json(Method::POST, "/api/v1/transfers", b).await.json()["id"]
            .as_i64()
            .unwrap();
        // Decided before 15:00 (the 承認期限), written at 15:00: the write refuses it.
        let t = order(&app, id).await;
        let next = t
            .approval
            .apply(master, madoguchi_domain::approval::Action::Approve)
            .unwrap();
        app.clock.set_micros(t.deadline);
        let write = ConfirmedWrite::MoveTransfer(Box::new(madoguchi_store::TransferMove {
            company_id: COMPANY,
            transfer_id: id,
            version: t.version,
            next,
            acceptance: None,
            approving: true,
        }));
        let draft = madoguchi_server::operator::draft(&app.state, Some(COMPANY), "振込振替の承認");
        let refused = app.state.store.execute_unattended(write, draft).await;
        assert!(
            matches!(refused, Err(madoguchi_store::StoreError::PastDeadline)),
            "{engine:?}: {refused:?}"
        );
        assert_eq!(order(&app, id).await.approval.state.label(), "承認待ち");
    }
}
