//! What the tests of 振込振替 share: a demo app at a known business day (Wednesday 11 June
//! 2031, 10:00 日本時間), users granted permissions or made approvers, the company's
//! 承認機能, bodies of a 依頼 and of an act, and reading an order back.

use axum::http::StatusCode;
use madoguchi_domain::{ApprovalMode, Business, LoginId, PersonName, Yen, jst};
pub(crate) use madoguchi_server::demo::CONFIRMATION_PASSWORD;
use madoguchi_server::demo::LOGIN_PASSWORD;
use madoguchi_store::{ConfirmedWrite, HistoryEntry, Target, UserUpdate};
use serde_json::{Value, json};
use time::macros::datetime;

use crate::support::{Client, TestApp, key};

/// Wednesday 11 June 2031, 10:00 日本時間: a business day, before the 15:00 受付時限.
pub(crate) fn wednesday_ten() -> i64 {
    jst::to_micros(datetime!(2031-06-11 10:00 +9))
}

pub(crate) const TODAY: &str = "2031-06-11";
pub(crate) const COMPANY: i64 = 1;

pub(crate) fn yen(v: i64) -> Yen {
    Yen::from_stored(v).unwrap()
}

pub(crate) async fn app(engine: crate::support::Engine) -> TestApp {
    app_with(engine, |_| {}).await
}

pub(crate) async fn app_with(
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
    grant_in(app, login, permissions, Business::Transfer, limit).await;
}

/// Gives `login` the サービス利用権限 `permissions`, every account, and an 一回当たり限度額
/// of `limit` for `business`.
pub(crate) async fn grant_in(
    app: &TestApp,
    login: &str,
    permissions: &[&str],
    business: Business,
    limit: i64,
) {
    let accounts: Vec<i64> = app
        .state
        .store
        .accounts(COMPANY)
        .await
        .unwrap()
        .iter()
        .map(|a| a.id)
        .collect();
    change_profile(app, login, |profile| {
        for p in permissions {
            if !profile.permissions.iter().any(|q| q == p) {
                profile.permissions.push((*p).to_owned());
            }
        }
        profile.account_ids = accounts;
        profile.tx_limits.insert(business, yen(limit));
    })
    .await;
}

/// Takes サービス利用権限 `permission` from `login` (as 利用者情報の変更 would).
pub(crate) async fn revoke(app: &TestApp, login: &str, permission: &str) {
    change_profile(app, login, |profile| {
        profile.permissions.retain(|p| p != permission);
    })
    .await;
}

async fn change_profile(
    app: &TestApp,
    login: &str,
    change: impl FnOnce(&mut madoguchi_store::UserProfile),
) {
    let store = &app.state.store;
    let user = store.user_by_login_key(login).await.unwrap().unwrap();
    let mut profile = user.profile.clone();
    change(&mut profile);
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
pub(crate) fn new_account(number: &str) -> Value {
    json!({"bank_code": "0005", "branch_code": "001", "kind": "普通", "number": number, "name": "ﾔﾏﾀﾞ ﾀﾛｳ"})
}

pub(crate) fn request_body(account: i64, amount: i64, fee_side: &str, k: &str) -> Value {
    json!({
        "payee": new_account("1234567"), "account_id": account.to_string(), "date": TODAY,
        "amount": amount.to_string(), "fee_side": fee_side,
        "confirmation_password": CONFIRMATION_PASSWORD, "idempotency_key": key(k),
    })
}

pub(crate) fn act_body(k: &str) -> Value {
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
