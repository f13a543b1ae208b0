//! 企業情報の変更: the screens' flow, the rules through the API, authority, tenancy,
//! stale edits, double submits, ceilings and the 操作履歴.

use std::collections::BTreeMap;

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::{Client, TestApp, engines, recent_history};

/// Every field of the 企業情報変更 form as the server filled it.
fn form_fields(html: &str) -> BTreeMap<String, String> {
    let mut fields = BTreeMap::new();
    for chunk in html.split("<input").skip(1) {
        let attr = |name: &str| {
            let marker = format!(" {name}=\"");
            chunk.find(&marker).map(|i| {
                let rest = &chunk[i + marker.len()..];
                rest[..rest.find('"').unwrap_or(0)].to_owned()
            })
        };
        let Some(name) = attr("name") else { continue };
        let kind = attr("type").unwrap_or_default();
        if kind == "radio" && !chunk.split('>').next().unwrap_or("").contains(" checked") {
            continue;
        }
        fields.insert(name, attr("value").unwrap_or_default());
    }
    fields
}

pub(crate) async fn open_input(c: &mut Client) -> BTreeMap<String, String> {
    let page = c.get("/company/info").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("BKGK002"));
    form_fields(&page.body)
}

pub(crate) async fn post(
    c: &mut Client,
    path: &str,
    fields: &BTreeMap<String, String>,
) -> crate::support::Resp {
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    c.post_form_raw(path, &pairs).await
}

#[tokio::test]
async fn the_whole_flow_with_red_changes_and_one_history_entry() {
    for engine in engines() {
        let app = TestApp::new(engine).await;
        let mut c = app.logged_in("master01").await;
        let menu = c.get("/menu").await;
        assert!(
            menu.body.contains("企業管理"),
            "{engine:?}: admins see 企業管理"
        );
        assert!(c.get("/company").await.body.contains("企業情報の変更"));

        let mut fields = open_input(&mut c).await;
        assert_eq!(fields["approval_transfer"], "none");
        assert_eq!(fields["company_bulk_transfer"], "300000000");

        // A rejected input keeps what was typed and saves nothing.
        fields.insert("company_bulk_transfer".into(), "１０００".into());
        fields.insert("company_salary".into(), "1".repeat(13));
        let rejected = post(&mut c, "/company/info", &fields).await;
        assert_eq!(
            rejected.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{engine:?}"
        );
        assert!(
            rejected
                .body
                .contains("総合振込は半角数字12桁以内で入力してください。")
        );
        assert!(
            rejected.body.contains("value=\"１０００\""),
            "the typed value stays"
        );
        assert!(
            rejected
                .body
                .contains("aria-describedby=\"company_salary-error\"")
        );
        let refusal = &recent_history(&app, 1).await[0];
        assert_eq!(
            (refusal.operation.as_str(), refusal.outcome.as_str()),
            ("企業情報の変更", "エラー")
        );
        assert!(refusal.details.contains("company_bulk_transfer"));

        fields.insert("company_bulk_transfer".into(), "250000000".into());
        fields.insert("company_salary".into(), "100000000".into());
        fields.insert("approval_transfer".into(), "double_ordered".into());
        let confirm = post(&mut c, "/company/info", &fields).await;
        assert_eq!(
            confirm.status,
            StatusCode::OK,
            "{engine:?}: {}",
            confirm.body
        );
        assert!(confirm.body.contains("BKGK003") && confirm.body.contains("確認用パスワード"));
        assert_eq!(
            confirm.body.matches("class=\"changed-mark\"").count(),
            2,
            "{engine:?}"
        );
        assert!(
            confirm
                .body
                .contains("<span class=\"changed\">250,000,000円</span>")
        );
        assert!(
            confirm.body.contains("（変更前：300,000,000円）"),
            "the old value for screen readers"
        );
        assert!(
            confirm
                .body
                .contains("<span class=\"changed\">ダブル承認(順序あり)</span>")
        );
        let before_execute = recent_history(&app, 1).await[0].seq;

        let mut exec = form_fields(&confirm.body);
        exec.insert("confirmation_password".into(), "Kakunin12".into());
        let done = post(&mut c, "/company/info/execute", &exec).await;
        assert_eq!(
            done.status,
            StatusCode::SEE_OTHER,
            "{engine:?}: {}",
            done.body
        );
        let result = c.get(done.location()).await;
        assert!(
            result.body.contains("BKGK004")
                && result.body.contains("以下の内容で企業情報を変更しました")
        );
        assert_eq!(result.body.matches("class=\"changed-mark\"").count(), 2);

        let entries = recent_history(&app, 3).await;
        let entry = &entries[0];
        assert_eq!(
            entry.seq,
            before_execute + 1,
            "{engine:?}: exactly one entry for the execution"
        );
        assert_eq!(
            (
                entry.area.as_str(),
                entry.operation.as_str(),
                entry.outcome.as_str()
            ),
            ("企業管理", "企業情報の変更", "正常")
        );
        let details: Value = serde_json::from_str(&entry.details).unwrap();
        let changes = details["changes"].as_array().unwrap();
        assert_eq!(changes.len(), 2);
        assert!(changes.iter().any(|ch| ch["item"] == "総合振込"
            && ch["before"] == "300,000,000円"
            && ch["after"] == "250,000,000円"));
        assert!(
            changes
                .iter()
                .any(|ch| ch["item"] == "振込振替" && ch["before"] == "承認なし")
        );

        // A double submit of the same confirm screen changes nothing twice.
        let again = post(&mut c, "/company/info/execute", &exec).await;
        assert_eq!(again.status, StatusCode::SEE_OTHER);
        assert_eq!(
            recent_history(&app, 1).await[0].seq,
            entry.seq,
            "{engine:?}: no second entry"
        );

        let saved = open_input(&mut c).await;
        assert_eq!(saved["company_bulk_transfer"], "250000000");
        assert_eq!(saved["approval_transfer"], "double_ordered");
    }
}

#[tokio::test]
async fn back_from_confirm_keeps_everything_typed() {
    for engine in engines() {
        let app = TestApp::new(engine).await;
        let mut c = app.logged_in("master01").await;
        let mut fields = open_input(&mut c).await;
        fields.insert("company_bonus".into(), "123456".into());
        let confirm = post(&mut c, "/company/info", &fields).await;
        let back = post(&mut c, "/company/info/back", &form_fields(&confirm.body)).await;
        assert!(back.body.contains("BKGK002"), "{engine:?}");
        assert_eq!(form_fields(&back.body)["company_bonus"], "123456");
    }
}

#[tokio::test]
async fn wrong_confirmation_passwords_count_toward_the_lock() {
    for engine in engines() {
        let app = TestApp::new(engine).await;
        let mut c = app.logged_in("master01").await;
        let mut fields = open_input(&mut c).await;
        fields.insert("company_bonus".into(), "1000".into());
        let confirm = post(&mut c, "/company/info", &fields).await;
        let mut exec = form_fields(&confirm.body);
        exec.insert("confirmation_password".into(), "Wrong9999".into());
        for attempt in 1..=4 {
            let r = post(&mut c, "/company/info/execute", &exec).await;
            assert_eq!(
                r.status,
                StatusCode::UNAUTHORIZED,
                "{engine:?}: attempt {attempt}"
            );
            assert!(r.body.contains("確認用パスワードが正しくありません。"));
            assert!(r.body.contains("BKGK003"), "the same confirm screen again");
        }
        let fifth = post(&mut c, "/company/info/execute", &exec).await;
        assert_eq!(fifth.status, StatusCode::LOCKED, "{engine:?}");
        exec.insert("confirmation_password".into(), "Kakunin12".into());
        let locked = post(&mut c, "/company/info/execute", &exec).await;
        assert_eq!(
            locked.status,
            StatusCode::LOCKED,
            "the right password does not pass while locked"
        );
        let saved = open_input(&mut c).await;
        assert_eq!(saved["company_bonus"], "200000000", "nothing was saved");
        let history = recent_history(&app, 10).await;
        assert_eq!(
            history
                .iter()
                .filter(|e| e.operation == "確認用パスワード利用停止")
                .count(),
            1
        );
        assert!(
            history
                .iter()
                .filter(|e| e.error_code == "AUTH-0003")
                .count()
                >= 4
        );
        let user = app
            .state
            .store
            .user_by_login_key("master01")
            .await
            .unwrap()
            .unwrap();
        assert!(user.confirm_locked && !user.login_locked);
    }
}

#[tokio::test]
async fn a_stale_edit_asks_to_start_again() {
    for engine in engines() {
        let app = TestApp::new(engine).await;
        let raw = app.raw_store().await;
        sqlx::query("update users set is_admin = 1 where login_key = 'ippan01'")
            .execute(raw.pool())
            .await
            .unwrap();
        let mut first = app.logged_in("master01").await;
        let mut second = app.logged_in("ippan01").await;
        let mut a = open_input(&mut first).await;
        let mut b = open_input(&mut second).await;
        a.insert("company_bonus".into(), "1111".into());
        b.insert("company_bonus".into(), "2222".into());
        let confirm_a = post(&mut first, "/company/info", &a).await;
        let confirm_b = post(&mut second, "/company/info", &b).await;
        let mut exec_b = form_fields(&confirm_b.body);
        exec_b.insert("confirmation_password".into(), "Kakunin12".into());
        assert_eq!(
            post(&mut second, "/company/info/execute", &exec_b)
                .await
                .status,
            StatusCode::SEE_OTHER
        );
        let mut exec_a = form_fields(&confirm_a.body);
        exec_a.insert("confirmation_password".into(), "Kakunin12".into());
        let stale = post(&mut first, "/company/info/execute", &exec_a).await;
        assert_eq!(stale.status, StatusCode::CONFLICT, "{engine:?}");
        assert!(stale.body.contains("最初からやり直してください"));
        assert_eq!(
            form_fields(&stale.body)["company_bonus"],
            "2222",
            "the input restarts from the saved settings"
        );
        assert_eq!(recent_history(&app, 1).await[0].error_code, "REQ-0003");
    }
}

#[tokio::test]
async fn general_users_and_other_companies_are_refused() {
    for engine in engines() {
        let app = TestApp::new(engine).await;
        let mut general = app.logged_in("ippan01").await;
        assert!(
            !general.get("/menu").await.body.contains("/company"),
            "{engine:?}: no button"
        );
        for path in ["/company", "/company/info", "/company/info/result?key=x"] {
            let r = general.get(path).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{engine:?}: {path}");
            assert!(r.body.contains("この操作を行う権限がありません。"));
        }
        let r = general
            .post_form("/company/info/execute", &[("version", "1")])
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let refused = &recent_history(&app, 1).await[0];
        assert_eq!(
            (refused.error_code.as_str(), refused.area.as_str()),
            ("PERM-0001", "企業管理")
        );
        assert_eq!(refused.login_id, "ippan01");

        let mut api = app.client();
        api.api_login("ippan01", "Demo1234").await;
        let r = api.get("/api/v1/company/settings").await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert_eq!(r.json()["code"], "PERM-0001");

        // Another company's admin sees only their own accounts, and cannot name ours.
        let mut ours = app.client();
        ours.api_login("master01", "Demo1234").await;
        let our_settings = ours.get("/api/v1/company/settings").await.json();
        let mut theirs = app.client();
        theirs.api_login("other01", "Demo1234").await;
        let their_settings = theirs.get("/api/v1/company/settings").await.json();
        assert_eq!(their_settings["accounts"].as_array().unwrap().len(), 1);
        let mut attempt = our_settings.clone();
        attempt["version"] = their_settings["version"].clone();
        attempt["confirmation_password"] = json!("Kakunin12");
        attempt["idempotency_key"] = json!(crate::support::key("k-1"));
        let r = theirs
            .json(Method::PUT, "/api/v1/company/settings", attempt)
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{engine:?}: {}",
            r.body
        );
        let after = ours.get("/api/v1/company/settings").await.json();
        assert_eq!(after, our_settings, "nothing of ours changed");
    }
}
