//! 手数料情報: the three tables' changes, the bank's effective-dated standard table, the
//! rules through the API, and the simulator against the worked examples.

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::{Client, TestApp, engines, recent_history};

async fn api(app: &TestApp, login_id: &str) -> Client {
    let mut c = app.client();
    assert_eq!(
        c.api_login(login_id, "Demo1234").await.status,
        StatusCode::OK
    );
    c
}

fn put(setting: &Value, key: &str, edit: impl FnOnce(&mut Value)) -> Value {
    let mut body = setting.clone();
    body["confirmation_password"] = json!("Kakunin12");
    body["idempotency_key"] = json!(crate::support::key(key));
    edit(&mut body);
    body
}

/// Worked example A's table: 他行宛 440 below 30,000, 550 from 30,000.
fn example_a(b: &mut Value, method: &str) {
    b["use_standard"] = json!(false);
    b["method"] = json!(method);
    b["minimum_payment"] = json!("0");
    b["tiers"] = json!([
        {"from": 0, "same_branch": 0, "other_branch": 0, "other_bank": 440},
        {"from": 30000, "same_branch": 0, "other_branch": 0, "other_bank": 550},
    ]);
}

#[tokio::test]
async fn the_standard_table_in_force_depends_on_the_transfer_date() {
    for engine in engines() {
        let app = TestApp::new(engine).await;
        let mut c = api(&app, "master01").await;
        let now = c
            .get("/api/v1/company/fees/standard?date=2027-03-31")
            .await
            .json();
        assert_eq!(now["effective_date"], "2019-10-01", "{engine:?}");
        assert_eq!(now["tiers"][1]["other_bank"], 550);
        let next = c
            .get("/api/v1/company/fees/standard?date=2027-04-01")
            .await
            .json();
        assert_eq!(next["effective_date"], "2027-04-01");
        assert_eq!(next["tiers"][1]["other_bank"], 605);
        let none = c.get("/api/v1/company/fees/standard?date=2000-01-01").await;
        assert_eq!(none.status, StatusCode::NOT_FOUND);
        let bad = c.get("/api/v1/company/fees/standard?date=2027-13-01").await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
}

#[tokio::test]
async fn a_company_using_the_standard_follows_a_revision_on_its_effective_date() {
    for engine in engines() {
        let app = TestApp::new(engine).await;
        let mut c = api(&app, "master01").await;
        let fee = c.get("/api/v1/company/fees/payer-bulk").await.json();
        assert_eq!(
            fee["use_standard"], true,
            "{engine:?}: companies start on the standard"
        );
        assert_eq!(fee["in_force"][1]["other_bank"], 550);
        // The simulator on a date after the revision uses the revised fees, untouched by anyone.
        let sim = c.get("/api/v1/company/fees/simulate?payment_amount=100000&route=other_bank&date=2027-04-01").await.json();
        assert_eq!(sim["lines"][0]["real_fee"], 605, "{engine:?}: {sim}");
        let sim = c.get("/api/v1/company/fees/simulate?payment_amount=100000&route=other_bank&date=2027-03-31").await.json();
        assert_eq!(sim["lines"][0]["real_fee"], 550);
        // And 照会 on that day says which version applies.
        let days = (time::Date::from_calendar_date(2027, time::Month::April, 2).unwrap()
            - time::OffsetDateTime::now_utc().date())
        .whole_days();
        app.clock.advance_secs(days * 86_400);
        let mut page = app.logged_in("master01").await;
        let view = page.get("/company/fees/payer-bulk/view").await;
        assert!(
            view.body.contains("基準手数料（2027年4月改定）") && view.body.contains("605円"),
            "{engine:?}"
        );
        assert!(view.body.contains("BKGK033"));
    }
}

#[tokio::test]
async fn the_fee_rules_through_the_api() {
    for engine in engines() {
        let app = TestApp::new(engine).await;
        let mut c = api(&app, "master01").await;
        let base = c.get("/api/v1/company/fees/payee-bulk").await.json();
        type Edit = fn(&mut Value);
        let cases: Vec<(Edit, &str, &str)> = vec![
            (
                |b| {
                    example_a(b, "unshifted");
                    b["tiers"][1]["from"] = json!(0);
                },
                "lower_1",
                "FEE-0001",
            ),
            (
                |b| {
                    example_a(b, "unshifted");
                    b["tiers"].as_array_mut().unwrap().push(json!({"from": 30000, "same_branch": 0, "other_branch": 0, "other_bank": 1}));
                },
                "lower_2",
                "FEE-0001",
            ),
            (
                |b| {
                    example_a(b, "unshifted");
                    b["tiers"][0]["other_branch"] = json!("");
                },
                "fee_0_other_branch",
                "VAL-0001",
            ),
            (
                |b| {
                    example_a(b, "unshifted");
                    b["tiers"][0]["other_bank"] = json!("４４０");
                },
                "fee_0_other_bank",
                "VAL-0011",
            ),
            (
                |b| {
                    example_a(b, "unshifted");
                    b["tiers"][0]["other_bank"] = json!(100000);
                },
                "fee_0_other_bank",
                "VAL-0011",
            ),
            (
                |b| {
                    example_a(b, "unshifted");
                    b["tiers"][0]["other_bank"] = json!(-1);
                },
                "fee_0_other_bank",
                "VAL-0011",
            ),
            (
                |b| {
                    example_a(b, "unshifted");
                    b["tiers"] = json!([]);
                },
                "fee_0_same_branch",
                "VAL-0001",
            ),
            (
                |b| {
                    example_a(b, "twice");
                },
                "method",
                "VAL-0012",
            ),
            (
                |b| {
                    example_a(b, "unshifted");
                    b["minimum_payment"] = json!("1.5");
                },
                "minimum_payment",
                "VAL-0011",
            ),
        ];
        for (i, (edit, field, code)) in cases.into_iter().enumerate() {
            let r = c
                .json(
                    Method::PUT,
                    "/api/v1/company/fees/payee-bulk",
                    put(&base, &format!("k{i}"), edit),
                )
                .await;
            assert_eq!(
                r.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{engine:?} case {i}: {}",
                r.body
            );
            let fields = r.json()["fields"].clone();
            assert!(
                fields
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|f| f["field"] == field && f["code"] == code),
                "{engine:?} case {i}: {fields}"
            );
        }
        let after = c.get("/api/v1/company/fees/payee-bulk").await.json();
        assert_eq!(
            after["version"], base["version"],
            "{engine:?}: nothing saved"
        );
        assert_eq!(
            recent_history(&app, 1).await[0].outcome,
            "エラー",
            "refusals are recorded"
        );
    }
}

#[tokio::test]
async fn worked_example_a_through_the_simulator() {
    for engine in engines() {
        let app = TestApp::new(engine).await;
        let mut c = api(&app, "master01").await;
        for (kind, method) in [("payee-bulk", "add_upper_fee"), ("payer-bulk", "unshifted")] {
            let base = c.get(&format!("/api/v1/company/fees/{kind}")).await.json();
            let r = c
                .json(
                    Method::PUT,
                    &format!("/api/v1/company/fees/{kind}"),
                    put(&base, kind, |b| example_a(b, method)),
                )
                .await;
            assert_eq!(r.status, StatusCode::OK, "{engine:?}: {}", r.body);
        }
        // Rows of example A: (P, [(deduct, 振込金額, real fee, Δ)] for 据置, 以上加算, 未満加算 — the simulator's order).
        let rows: [(i64, [[i64; 4]; 3]); 4] = [
            (
                30_000,
                [
                    [550, 29_450, 440, 110],
                    [440, 29_560, 440, 0],
                    [440, 29_560, 440, 0],
                ],
            ),
            (
                30_440,
                [
                    [550, 29_890, 440, 110],
                    [440, 30_000, 550, -110],
                    [550, 29_890, 440, 110],
                ],
            ),
            (
                30_549,
                [
                    [550, 29_999, 440, 110],
                    [440, 30_109, 550, -110],
                    [550, 29_999, 440, 110],
                ],
            ),
            (
                30_550,
                [
                    [550, 30_000, 550, 0],
                    [550, 30_000, 550, 0],
                    [550, 30_000, 550, 0],
                ],
            ),
        ];
        for (p, expected) in rows {
            let sim = c.get(&format!("/api/v1/company/fees/simulate?payment_amount={p}&route=other_bank&date=2026-12-01")).await.json();
            for (line, e) in sim["lines"].as_array().unwrap().iter().zip(expected) {
                let got = [
                    &line["deduction"],
                    &line["transfer_amount"],
                    &line["real_fee"],
                    &line["payer_difference"],
                ]
                .map(|v| v.as_i64().unwrap());
                assert_eq!(got, e, "{engine:?}: P = {p}, {}", line["label"]);
            }
            assert_eq!(
                sim["lines"][1]["current"], true,
                "以上手数料加算型 is the company's method"
            );
        }
        let small = c
            .get(
                "/api/v1/company/fees/simulate?payment_amount=440&route=other_bank&date=2026-12-01",
            )
            .await
            .json();
        assert_eq!(
            small["lines"][0]["error"]["code"], "FEE-0004",
            "{engine:?}: a deduction reaching the payment"
        );
        let bad = c
            .get("/api/v1/company/fees/simulate?payment_amount=１００&route=x&date=now")
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(bad.json()["fields"].as_array().unwrap().len(), 3);
    }
}

#[tokio::test]
async fn a_change_on_the_screens_with_history_and_no_double_execution() {
    for engine in engines() {
        let app = TestApp::new(engine).await;
        let mut c = app.logged_in("master01").await;
        let input = c.get("/company/fees/payee-transfer").await;
        assert!(
            input.body.contains("BKGK011") && input.body.contains("手数料を読み込む"),
            "{engine:?}"
        );
        assert!(
            !input
                .body
                .contains("name=\"method\" value=\"add_upper_fee\""),
            "振込振替 has no 手数料計算方法"
        );
        let version = crate::support::hidden_field(&input.body, "version").unwrap();
        let csrf = c.csrf.clone().unwrap();
        let loaded = c
            .post_form_raw(
                "/company/fees/payee-transfer/load",
                &[
                    ("csrf", &csrf),
                    ("version", &version),
                    ("use_standard", "1"),
                    ("method", "unshifted"),
                    ("minimum_payment", "0"),
                ],
            )
            .await;
        assert!(
            loaded
                .body
                .contains("name=\"fee_1_other_bank\" class=\"amount fee\" value=\"550\""),
            "{engine:?}: the standard fees are copied in"
        );
        let mut fields = vec![
            ("csrf", csrf.clone()),
            ("version", version.clone()),
            ("use_standard", "0".into()),
            ("method", "unshifted".into()),
            ("minimum_payment", "10000".into()),
            ("fee_0_same_branch", "0".into()),
            ("fee_0_other_branch", "110".into()),
            ("fee_0_other_bank", "330".into()),
        ];
        let as_pairs = |f: &Vec<(&str, String)>| {
            f.iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect::<Vec<_>>()
        };
        let pairs = as_pairs(&fields);
        let refs: Vec<(&str, &str)> = pairs
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let confirm = c.post_form_raw("/company/fees/payee-transfer", &refs).await;
        assert_eq!(
            confirm.status,
            StatusCode::OK,
            "{engine:?}: {}",
            confirm.body
        );
        assert!(
            confirm.body.contains("BKGK012") && confirm.body.contains("class=\"changed-mark\"")
        );
        let key = crate::support::hidden_field(&confirm.body, "idempotency_key").unwrap();
        fields.push(("idempotency_key", key));
        fields.push(("confirmation_password", "Kakunin12".into()));
        let pairs = as_pairs(&fields);
        let refs: Vec<(&str, &str)> = pairs
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let done = c
            .post_form_raw("/company/fees/payee-transfer/execute", &refs)
            .await;
        assert_eq!(
            done.status,
            StatusCode::SEE_OTHER,
            "{engine:?}: {}",
            done.body
        );
        let seq = recent_history(&app, 1).await[0].seq;
        let again = c
            .post_form_raw("/company/fees/payee-transfer/execute", &refs)
            .await;
        assert_eq!(again.status, StatusCode::SEE_OTHER);
        let entries = recent_history(&app, 1).await;
        assert_eq!(entries[0].seq, seq, "{engine:?}: executed once");
        assert_eq!(entries[0].operation, "先方負担手数料[振込振替]の変更");
        let details: Value = serde_json::from_str(&entries[0].details).unwrap();
        let changes = details["changes"].as_array().unwrap();
        assert!(changes.iter().any(|ch| ch["item"] == "適用最低支払金額"
            && ch["before"] == "0円"
            && ch["after"] == "10,000円"));
        assert!(
            changes
                .iter()
                .any(|ch| ch["item"] == "基準手数料の使用有無")
        );
        let result = c.get(done.location()).await;
        assert!(result.body.contains("BKGK013"));
    }
}

#[tokio::test]
async fn general_users_cannot_see_or_change_fees() {
    for engine in engines() {
        let app = TestApp::new(engine).await;
        let mut c = app.logged_in("ippan01").await;
        for path in [
            "/company/fees/payee-bulk",
            "/company/fees/payee-bulk/view",
            "/company/fees/simulate",
        ] {
            assert_eq!(
                c.get(path).await.status,
                StatusCode::FORBIDDEN,
                "{engine:?}: {path}"
            );
        }
        let mut a = api(&app, "ippan01").await;
        assert_eq!(
            a.get("/api/v1/company/fees/payer-bulk").await.json()["code"],
            "PERM-0001"
        );
        assert_eq!(
            c.get("/company/fees/nonsense").await.status,
            StatusCode::FORBIDDEN
        );
        let mut m = app.logged_in("master01").await;
        assert_eq!(
            m.get("/company/fees/nonsense").await.status,
            StatusCode::NOT_FOUND
        );
    }
}
