//! 振込振替: 依頼 → 確定 under each 承認機能, 承認・差戻し・引戻し・削除 by the state machine,
//! the 振込指定日's window, the 先方負担 deduction as the fee engine computes it, the
//! user's and the account's limits at acceptance (100 requests at once accept exactly what
//! fits), who may do what (a lower role, another company, a stale second approval), the
//! 承認期限, the hand-over to the host exactly once across a crash, and the 操作履歴.

use axum::http::{Method, StatusCode};
use madoguchi_domain::fees::{FeeMethod, PayeeFeeRule, Route};
use madoguchi_domain::{ApprovalMode, Business, HistoryArea, LoginId, PersonName, Yen, jst};
use madoguchi_server::demo::{CONFIRMATION_PASSWORD, LOGIN_PASSWORD};
use madoguchi_server::host::{self, Host, Simulator};
use madoguchi_store::{ConfirmedWrite, HistoryEntry, Target, UserUpdate};
use serde_json::{Value, json};
use time::macros::datetime;

use crate::support::{Client, TestApp, engines, field_codes, key, recent_history};

/// Wednesday 11 June 2031, 10:00 日本時間: a business day, before the 15:00 受付時限.
fn wednesday_ten() -> i64 {
    jst::to_micros(datetime!(2031-06-11 10:00 +9))
}

pub(crate) const TODAY: &str = "2031-06-11";
pub(crate) const COMPANY: i64 = 1;

fn yen(v: i64) -> Yen {
    Yen::from_stored(v).unwrap()
}

pub(crate) async fn app(engine: crate::support::Engine) -> TestApp {
    app_with(engine, |_| {}).await
}

async fn app_with(
    engine: crate::support::Engine,
    adjust: impl FnOnce(&mut madoguchi_server::config::Config),
) -> TestApp {
    let app = TestApp::with_config(engine, adjust).await;
    madoguchi_server::demo::load_reference_if_empty(&app.state)
        .await
        .unwrap();
    app.clock.set_micros(wednesday_ten());
    app
}

/// Gives `login` the サービス利用権限 `permissions`, every account, and a 振込振替
/// 一回当たり限度額 of `limit`.
pub(crate) async fn grant(app: &TestApp, login: &str, permissions: &[&str], limit: i64) {
    let store = &app.state.store;
    let user = store.user_by_login_key(login).await.unwrap().unwrap();
    let mut profile = user.profile.clone();
    for p in permissions {
        if !profile.permissions.iter().any(|q| q == p) {
            profile.permissions.push((*p).to_owned());
        }
    }
    profile.account_ids = store
        .accounts(user.company_id)
        .await
        .unwrap()
        .iter()
        .map(|a| a.id)
        .collect();
    profile.tx_limits.insert(Business::Transfer, yen(limit));
    let write = ConfirmedWrite::UpdateUser {
        target: Target {
            company_id: user.company_id,
            user_id: user.id,
            expected_version: user.version,
            actor_id: 0,
            acting_session: String::new(),
        },
        update: UserUpdate {
            login_id: user.login_id.clone(),
            login_key: login.to_owned(),
            name: user.name.clone(),
            email: user.email.clone(),
            is_admin: user.is_admin,
            login_password_hash: None,
            confirm_password_hash: None,
            must_change_password: false,
            must_change_confirmation: false,
            profile,
        },
    };
    let draft = madoguchi_server::operator::draft(&app.state, Some(user.company_id), "権限の設定");
    store.execute_unattended(write, draft).await.unwrap();
}

/// A third user of the demo company who approves (承認).
pub(crate) async fn add_approver(app: &TestApp, login: &str) -> i64 {
    let user = madoguchi_server::operator::create_user_with_passwords(
        &app.state,
        COMPANY,
        &LoginId::parse(login).unwrap(),
        &PersonName::parse("承認　次郎").unwrap(),
        "shonin@apparel.example.jp",
        false,
        (LOGIN_PASSWORD, CONFIRMATION_PASSWORD),
        false,
    )
    .await
    .unwrap();
    grant(app, login, &["approve.transfer"], 100_000_000).await;
    user.id
}

/// Sets the company's 承認機能 of 振込振替 and its accounts' 合計 limit.
pub(crate) async fn set_mode(app: &TestApp, mode: ApprovalMode, total_limit: Option<i64>) {
    let store = &app.state.store;
    let stored = store.company_settings(COMPANY).await.unwrap();
    let mut settings = stored.settings;
    settings.approval.transfer = mode;
    if let Some(limit) = total_limit {
        for l in settings.accounts.values_mut() {
            l.transfer_total = yen(limit);
            l.transfer_ad_hoc = yen(limit);
            l.transfer_registered = yen(limit);
        }
    }
    let write = ConfirmedWrite::CompanySettings {
        company_id: COMPANY,
        expected_version: stored.version,
        settings,
    };
    let draft = madoguchi_server::operator::draft(&app.state, Some(COMPANY), "承認機能の設定");
    store.execute_unattended(write, draft).await.unwrap();
}

pub(crate) async fn user_id(app: &TestApp, login: &str) -> i64 {
    app.state
        .store
        .user_by_login_key(login)
        .await
        .unwrap()
        .unwrap()
        .id
}

pub(crate) async fn first_account(app: &TestApp) -> i64 {
    app.state.store.accounts(COMPANY).await.unwrap()[0].id
}

/// A 新規口座指定 at another bank (0005 三菱ＵＦＪ; the service's own is 0001).
fn new_account(number: &str) -> Value {
    json!({"bank_code": "0005", "branch_code": "001", "kind": "普通", "number": number, "name": "ﾔﾏﾀﾞ ﾀﾛｳ"})
}

fn request_body(account: i64, amount: i64, fee_side: &str, k: &str) -> Value {
    json!({
        "payee": new_account("1234567"), "account_id": account.to_string(), "date": TODAY,
        "amount": amount.to_string(), "fee_side": fee_side,
        "confirmation_password": CONFIRMATION_PASSWORD, "idempotency_key": key(k),
    })
}

fn act_body(k: &str) -> Value {
    json!({"confirmation_password": CONFIRMATION_PASSWORD, "idempotency_key": key(k)})
}

pub(crate) fn details(e: &HistoryEntry) -> Value {
    serde_json::from_str(&e.details).unwrap()
}

pub(crate) async fn login(app: &TestApp, login: &str) -> Client {
    let mut c = app.client();
    assert_eq!(
        c.api_login(login, LOGIN_PASSWORD).await.status,
        StatusCode::OK
    );
    c
}

pub(crate) async fn order(app: &TestApp, id: i64) -> madoguchi_store::TransferRecord {
    app.state
        .store
        .transfer(COMPANY, id)
        .await
        .unwrap()
        .unwrap()
}

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

/// A host that answers, then "crashes" before the answer is recorded.
struct Crashing(Simulator);

#[async_trait::async_trait]
impl Host for Crashing {
    async fn deliver(
        &self,
        reference: &str,
        t: &madoguchi_store::TransferRecord,
    ) -> anyhow::Result<madoguchi_store::HostAnswer> {
        self.0.deliver(reference, t).await?;
        anyhow::bail!("killed after the host received it")
    }
}

#[tokio::test]
async fn the_host_receives_each_accepted_transfer_exactly_once_across_a_crash() {
    for engine in engines() {
        let app = app(engine).await;
        let account = first_account(&app).await;
        let mut m = login(&app, "master01").await;
        let ok = m
            .json(
                Method::POST,
                "/api/v1/transfers",
                request_body(account, 10_000, "当方負担", "h-1"),
            )
            .await
            .json()["id"]
            .as_i64()
            .unwrap();
        let mut b = request_body(account, 10_000, "当方負担", "h-2");
        b["payee"] = new_account("9912345");
        let unknown = m.json(Method::POST, "/api/v1/transfers", b).await.json()["id"]
            .as_i64()
            .unwrap();
        let simulator = Simulator::new(&app.state);
        // The first worker delivers and dies before recording the answer.
        let crashing = Crashing(Simulator::new(&app.state));
        assert_eq!(host::deliver_due(&app.state, &crashing).await.unwrap(), 0);
        // Within the claim's lease nobody else takes it; after it, two workers at once.
        assert_eq!(host::deliver_due(&app.state, &simulator).await.unwrap(), 1);
        app.clock
            .advance_secs(i64::from(app.state.config.host_lease_seconds) + 1);
        let (a, b) = tokio::join!(
            host::deliver_due(&app.state, &simulator),
            host::deliver_due(&app.state, &simulator),
        );
        assert_eq!(a.unwrap() + b.unwrap(), 1);
        for (id, accepted) in [(ok, true), (unknown, false)] {
            let t = order(&app, id).await;
            assert_eq!(t.host.as_ref().unwrap().accepted, accepted);
            let reference = host::reference(&t);
            assert_eq!(
                app.state.store.host_book_count(&reference).await.unwrap(),
                1
            );
        }
        let results: Vec<_> = recent_history(&app, 20)
            .await
            .into_iter()
            .filter(|e| e.operation == "振込振替の処理結果")
            .collect();
        assert_eq!(results.len(), 2, "one answer recorded per transfer");
        let rejected = results
            .iter()
            .find(|e| details(e)["result"] == "振込不能")
            .unwrap();
        assert_eq!(rejected.error_code, "HST-0001");
        let shown = m.get(&format!("/api/v1/transfers/{unknown}")).await.json();
        assert_eq!(shown["host_result"], "振込不能");
        assert_eq!(shown["host_reason"], "口座なし");
    }
}

#[tokio::test]
async fn the_days_accepted_transfers_are_written_as_a_zengin_file() {
    for engine in engines() {
        let app = app(engine).await;
        let account = first_account(&app).await;
        let mut m = login(&app, "master01").await;
        for (k, amount, side) in [("z-1", 50_000, "先方負担"), ("z-2", 20_000, "当方負担")]
        {
            let r = m
                .json(
                    Method::POST,
                    "/api/v1/transfers",
                    request_body(account, amount, side, k),
                )
                .await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        }
        let dir = crate::support::TempDir::new();
        let out = dir.0.join("furikomi.txt");
        // Its own data directory: opening a demo database may create the bank's CA there.
        let data_dir = dir.0.to_str().unwrap().to_owned();
        let said = crate::cli::ok(
            &app.db,
            &[
                "--data-dir",
                &data_dir,
                "host",
                "export",
                "--date",
                TODAY,
                "--out",
                out.to_str().unwrap(),
            ],
        );
        assert!(said.contains("2 transfers, 69,395円, 1 accounts"), "{said}");
        let bytes = std::fs::read(&out).unwrap();
        assert_eq!(bytes.len(), 5 * 122, "header, 2 data, trailer, end");
        let record = |i: usize| {
            encoding_rs::SHIFT_JIS
                .decode(&bytes[i * 122..i * 122 + 120])
                .0
                .into_owned()
        };
        let header = record(0);
        assert_eq!(&header[..3], "121");
        assert!(header.contains("0611"), "振込指定日 MMDD: {header}");
        let data = record(1);
        assert!(data.starts_with("20005"), "{data}");
        assert!(
            data.contains("0000049395"),
            "振込金額 after 先方負担: {data}"
        );
        let trailer = record(3);
        assert_eq!(&trailer[..19], "8000002000000069395");
        assert!(record(4).starts_with('9'));
        // Read back by the upload's own parser: every rule of the layout holds.
        let read =
            madoguchi_domain::zengin::parse(&bytes, madoguchi_domain::zengin::Kind::BulkTransfer)
                .unwrap();
        assert_eq!(read.records.len(), 2);
        assert_eq!(read.records[0].amount, 49_395);
        // Another day has nothing but the エンド.
        let empty = dir.0.join("empty.txt");
        crate::cli::ok(
            &app.db,
            &[
                "--data-dir",
                &data_dir,
                "host",
                "export",
                "--date",
                "2031-06-12",
                "--out",
                empty.to_str().unwrap(),
            ],
        );
        assert_eq!(std::fs::read(&empty).unwrap().len(), 122);
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
