//! 企業情報の変更 through the JSON API: the rules at their boundaries, ceilings and
//! sub-limits, idempotency, stale versions, and what the operator's ceilings do.

use axum::http::{Method, StatusCode};
use madoguchi_domain::{BankCeilings, CeilingItem, Yen};
use serde_json::{Value, json};

use crate::support::{TestApp, engines, field_codes, recent_history};

/// A change to a request body, for table-driven cases.
type Edit = Box<dyn Fn(&mut Value)>;

fn put_body(settings: &Value, key: &str) -> Value {
    let mut body = settings.clone();
    body["confirmation_password"] = json!("Kakunin12");
    body["idempotency_key"] = json!(crate::support::key(key));
    body
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
        body["idempotency_key"] = json!(crate::support::key("another-key"));
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
        ceilings.company.bulk_transfer = Yen::from_stored(100_000_000).unwrap();
        ceilings.account.transfer_total = Yen::from_stored(5_000_000).unwrap();
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
