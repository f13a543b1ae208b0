//! 企業情報の変更: the screens' flow, the rules through the API, authority, tenancy,
//! stale edits, double submits, ceilings and the 操作履歴.

use std::collections::BTreeMap;

use axum::http::{Method, StatusCode};
use madoguchi_domain::{BankCeilings, CeilingItem, Yen};
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

async fn open_input(c: &mut Client) -> BTreeMap<String, String> {
    let page = c.get("/company/info").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("BKGK002"));
    form_fields(&page.body)
}

async fn post(
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
        attempt["idempotency_key"] = json!("k-1");
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

/// A change to a request body, for table-driven cases.
type Edit = Box<dyn Fn(&mut Value)>;

fn put_body(settings: &Value, key: &str) -> Value {
    let mut body = settings.clone();
    body["confirmation_password"] = json!("Kakunin12");
    body["idempotency_key"] = json!(key);
    body
}

fn field_codes(resp: &crate::support::Resp) -> Vec<(String, String)> {
    resp.json()["fields"]
        .as_array()
        .map(|f| {
            f.iter()
                .map(|e| {
                    (
                        e["field"].as_str().unwrap().to_owned(),
                        e["code"].as_str().unwrap().to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn the_api_applies_the_same_rules_at_the_boundaries() {
    for engine in engines() {
        let app = TestApp::new(engine).await;
        // Ceilings high enough to reach the digit limits.
        let company = app
            .state
            .store
            .user_by_login_key("master01")
            .await
            .unwrap()
            .unwrap()
            .company_id;
        let mut ceilings = BankCeilings::default();
        for item in CeilingItem::ALL {
            ceilings.set(
                item,
                Yen::from_stored(if item.max_digits() == 15 {
                    999_999_999_999_999
                } else {
                    999_999_999_999
                })
                .unwrap(),
            );
        }
        madoguchi_server::operator::set_ceilings(&app.state, company, ceilings)
            .await
            .unwrap();
        let mut c = app.client();
        c.api_login("master01", "Demo1234").await;
        let base = c.get("/api/v1/company/settings").await.json();
        let first = base["accounts"][0]["account_id"].as_i64().unwrap();
        let acct = |field: &str| format!("account_{first}_{field}");

        let cases: Vec<(Edit, Option<(String, &str)>)> = vec![
            (
                Box::new(|b: &mut Value| {
                    b["accounts"][0]["transfer_total"] = json!("9".repeat(15))
                }),
                None,
            ),
            (
                Box::new(|b: &mut Value| {
                    b["accounts"][0]["transfer_total"] = json!("1".repeat(16))
                }),
                Some((acct("transfer_total"), "VAL-0011")),
            ),
            (
                Box::new(|b: &mut Value| b["company_limits"]["salary"] = json!("9".repeat(12))),
                None,
            ),
            (
                Box::new(|b: &mut Value| b["company_limits"]["salary"] = json!("1".repeat(13))),
                Some(("company_salary".into(), "VAL-0011")),
            ),
            (
                Box::new(|b: &mut Value| b["company_limits"]["bonus"] = json!(-1)),
                Some(("company_bonus".into(), "VAL-0011")),
            ),
            (
                Box::new(|b: &mut Value| b["company_limits"]["bonus"] = json!(1.5)),
                Some(("company_bonus".into(), "VAL-0011")),
            ),
            (
                Box::new(|b: &mut Value| b["company_limits"]["bonus"] = json!("")),
                Some(("company_bonus".into(), "VAL-0001")),
            ),
            (
                Box::new(|b: &mut Value| b["company_limits"]["bonus"] = json!("+100")),
                Some(("company_bonus".into(), "VAL-0011")),
            ),
            (
                Box::new(|b: &mut Value| b["approval"]["bulk_transfer"] = json!("none")),
                Some(("approval_bulk_transfer".into(), "APR-0001")),
            ),
            (
                Box::new(|b: &mut Value| b["approval"]["salary_bonus"] = json!("none")),
                Some(("approval_salary_bonus".into(), "APR-0001")),
            ),
            (
                Box::new(|b: &mut Value| b["approval"]["direct_debit"] = json!("none")),
                Some(("approval_direct_debit".into(), "APR-0001")),
            ),
            (
                Box::new(|b: &mut Value| b["approval"]["transfer"] = json!("double_unordered")),
                None,
            ),
        ];
        for (i, (edit, expected)) in cases.into_iter().enumerate() {
            // Each case starts from the saved settings, with a fresh key.
            let settings = c.get("/api/v1/company/settings").await.json();
            let mut body = put_body(&settings, &format!("key-{i}"));
            edit(&mut body);
            let r = c.json(Method::PUT, "/api/v1/company/settings", body).await;
            match expected {
                None => assert_eq!(r.status, StatusCode::OK, "{engine:?} case {i}: {}", r.body),
                Some((field, code)) => {
                    assert_eq!(
                        r.status,
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "{engine:?} case {i}"
                    );
                    assert_eq!(r.json()["code"], "VAL-0000");
                    assert!(
                        field_codes(&r).contains(&(field.clone(), code.to_owned())),
                        "{engine:?} case {i}: {:?}",
                        field_codes(&r)
                    );
                }
            }
        }
    }
}

#[tokio::test]
async fn limits_stay_under_the_ceilings_and_sub_limits_under_the_total() {
    for engine in engines() {
        let app = TestApp::new(engine).await;
        let mut c = app.client();
        c.api_login("master01", "Demo1234").await;
        let base = c.get("/api/v1/company/settings").await.json();
        let first = base["accounts"][0]["account_id"].as_i64().unwrap();
        let put = |edit: Box<dyn Fn(&mut Value)>, key: &str| {
            let mut body = put_body(&base, key);
            edit(&mut body);
            body
        };
        // Demo ceilings: 総合振込 500,000,000; 振込振替(合計) 100,000,000.
        let at = put(
            Box::new(|b| b["company_limits"]["bulk_transfer"] = json!("500000000")),
            "a",
        );
        let r = c.json(Method::PUT, "/api/v1/company/settings", at).await;
        assert_eq!(r.status, StatusCode::OK, "{engine:?}: equal to the ceiling");
        let settings = c.get("/api/v1/company/settings").await.json();
        let mut above = put_body(&settings, "b");
        above["company_limits"]["bulk_transfer"] = json!("500000001");
        let r = c.json(Method::PUT, "/api/v1/company/settings", above).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let fields = r.json()["fields"].clone();
        assert_eq!(fields[0]["code"], "LIM-0001");
        assert_eq!(
            fields[0]["message"],
            "総合振込は届出限度額（500,000,000円）以下で入力してください。"
        );

        let mut sub = put_body(&settings, "c");
        sub["accounts"][0]["transfer_ad_hoc"] = json!("50000000");
        let r = c.json(Method::PUT, "/api/v1/company/settings", sub).await;
        assert_eq!(
            r.status,
            StatusCode::OK,
            "{engine:?}: 都度指定 equal to 合計"
        );
        let settings = c.get("/api/v1/company/settings").await.json();
        let mut sub = put_body(&settings, "d");
        sub["accounts"][0]["transfer_registered"] = json!("50000001");
        let r = c.json(Method::PUT, "/api/v1/company/settings", sub).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            field_codes(&r),
            vec![(
                format!("account_{first}_transfer_registered"),
                "LIM-0002".to_owned()
            )]
        );
    }
}

#[tokio::test]
async fn api_put_is_idempotent_and_detects_stale_versions() {
    for engine in engines() {
        let app = TestApp::new(engine).await;
        let mut c = app.client();
        c.api_login("master01", "Demo1234").await;
        let base = c.get("/api/v1/company/settings").await.json();
        let mut body = put_body(&base, "same-key");
        body["company_limits"]["direct_debit"] = json!("777");
        let first = c
            .json(Method::PUT, "/api/v1/company/settings", body.clone())
            .await;
        assert_eq!(first.status, StatusCode::OK, "{engine:?}: {}", first.body);
        assert_eq!(first.json()["repeated"], false);
        assert_eq!(first.json()["changes"][0]["after"], "777円");
        let seq = recent_history(&app, 1).await[0].seq;
        let second = c
            .json(Method::PUT, "/api/v1/company/settings", body.clone())
            .await;
        assert_eq!(second.status, StatusCode::OK);
        assert_eq!(second.json()["repeated"], true);
        assert_eq!(
            recent_history(&app, 1).await[0].seq,
            seq,
            "{engine:?}: changed once"
        );
        body["idempotency_key"] = json!("another-key");
        let stale = c.json(Method::PUT, "/api/v1/company/settings", body).await;
        assert_eq!(stale.status, StatusCode::CONFLICT, "{engine:?}");
        assert_eq!(stale.json()["code"], "REQ-0003");
        let mut wrong = put_body(&c.get("/api/v1/company/settings").await.json(), "k3");
        wrong["confirmation_password"] = json!("Wrong9999");
        let r = c.json(Method::PUT, "/api/v1/company/settings", wrong).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        assert_eq!(r.json()["code"], "AUTH-0003");
    }
}

#[tokio::test]
async fn lowering_a_ceiling_lowers_the_limits_above_it_and_says_so() {
    for engine in engines() {
        let app = TestApp::new(engine).await;
        let company = app
            .state
            .store
            .user_by_login_key("master01")
            .await
            .unwrap()
            .unwrap()
            .company_id;
        let mut ceilings = app.state.store.ceilings(company).await.unwrap().unwrap();
        ceilings.bulk_transfer = Yen::from_stored(100_000_000).unwrap();
        ceilings.transfer_total = Yen::from_stored(5_000_000).unwrap();
        madoguchi_server::operator::set_ceilings(&app.state, company, ceilings)
            .await
            .unwrap();
        let stored = app.state.store.company_settings(company).await.unwrap();
        assert_eq!(
            stored.settings.company.bulk_transfer.get(),
            100_000_000,
            "{engine:?}"
        );
        for limits in stored.settings.accounts.values() {
            assert_eq!(limits.transfer_total.get(), 5_000_000);
            assert!(
                limits.transfer_ad_hoc <= limits.transfer_total
                    && limits.transfer_registered <= limits.transfer_total
            );
        }
        let entry = &recent_history(&app, 1).await[0];
        assert_eq!(entry.operation, "届出限度額の設定");
        let details: Value = serde_json::from_str(&entry.details).unwrap();
        let lowered = details["lowered_limits"].as_array().unwrap();
        assert!(lowered.iter().any(|l| l["item"] == "総合振込"
            && l["before"] == "300,000,000円"
            && l["after"] == "100,000,000円"));
        assert_eq!(
            lowered.len(),
            1 + 3 * 3,
            "{engine:?}: 総合振込 and the three accounts' 合計, 都度指定, 事前登録"
        );
    }
}

#[tokio::test]
async fn a_ceiling_set_meanwhile_makes_an_edit_in_progress_stale() {
    for engine in engines() {
        let app = TestApp::new(engine).await;
        let mut c = app.client();
        c.api_login("master01", "Demo1234").await;
        let base = c.get("/api/v1/company/settings").await.json();
        // The operator sets new ceilings (lowering nothing) while the administrator edits.
        let company = app
            .state
            .store
            .user_by_login_key("master01")
            .await
            .unwrap()
            .unwrap()
            .company_id;
        let ceilings = app.state.store.ceilings(company).await.unwrap().unwrap();
        madoguchi_server::operator::set_ceilings(&app.state, company, ceilings)
            .await
            .unwrap();
        let r = c
            .json(
                Method::PUT,
                "/api/v1/company/settings",
                put_body(&base, "after-ceiling"),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::CONFLICT,
            "{engine:?}: checked again under the new ceilings"
        );
        assert_eq!(r.json()["code"], "REQ-0003");
    }
}

#[tokio::test]
async fn idempotency_keys_belong_to_their_user() {
    for engine in engines() {
        let app = TestApp::new(engine).await;
        for login_id in ["master01", "other01"] {
            let mut c = app.client();
            c.api_login(login_id, "Demo1234").await;
            let base = c.get("/api/v1/company/settings").await.json();
            let r = c
                .json(
                    Method::PUT,
                    "/api/v1/company/settings",
                    put_body(&base, "1"),
                )
                .await;
            assert_eq!(
                r.status,
                StatusCode::OK,
                "{engine:?}: {login_id}: {}",
                r.body
            );
            assert_eq!(
                r.json()["repeated"],
                false,
                "{engine:?}: another user's key \"1\" is not ours"
            );
        }
    }
}
