//! 振込先: the operator's 事前登録口座 and 振込先管理's 利用者登録口座 — the 全銀協 name rules
//! (全角 converted, a character outside named), the master's banks and branches, one
//! registration per account, the 確認用パスワード, who sees which payees, another company,
//! a lower role, and the 操作履歴.

use axum::http::{Method, StatusCode};
use madoguchi_domain::payee::PayeeInput;
use serde_json::{Value, json};

use crate::support::{Client, TestApp, engines, field_codes, key, recent_history};

fn body(name: &str, number: &str, idempotency: &str) -> Value {
    json!({
        "bank_code": "0001", "branch_code": "001", "kind": "普通", "number": number,
        "name": name, "confirmation_password": "Kakunin12", "idempotency_key": key(idempotency),
    })
}

async fn register(c: &mut Client, b: Value) -> crate::support::Resp {
    c.json(Method::POST, "/api/v1/transfers/payees", b).await
}

async fn app_with_master() -> Vec<TestApp> {
    let mut apps = Vec::new();
    for engine in engines() {
        let app = TestApp::new(engine).await;
        madoguchi_server::demo::load_reference_if_empty(&app.state)
            .await
            .unwrap();
        apps.push(app);
    }
    apps
}

#[tokio::test]
async fn a_payee_is_registered_once_in_hankaku_with_the_confirmation_password() {
    for app in app_with_master().await {
        let mut master = app.client();
        assert_eq!(
            master.api_login("master01", "Demo1234").await.status,
            StatusCode::OK
        );

        // 全角 受取人名 converted; the master's bank and branch names alongside.
        let done = register(
            &mut master,
            body("（カ）ヤマダショウジ", "1234567", "payee-1"),
        )
        .await;
        assert_eq!(done.status, StatusCode::OK, "{}", done.body);
        let id = done.json()["id"].as_i64().unwrap();
        let list = master.get("/api/v1/transfers/payees").await.json();
        let mine = list
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["id"] == id)
            .unwrap()
            .clone();
        assert_eq!(mine["kind"], "user");
        assert_eq!(mine["bank_name"], "みずほ");
        assert_eq!(mine["branch_name"], "東京営業部");
        assert!(mine["name"].as_str().unwrap().starts_with("(ｶ)ﾔﾏ"));

        // The same account again.
        let again = register(&mut master, body("ﾔﾏﾀﾞ", "1234567", "payee-2")).await;
        assert_eq!(again.status, StatusCode::CONFLICT);
        assert_eq!(again.json()["code"], "PAY-0001");
        // A kanji, an unknown branch, a bad number: named by field, nothing saved.
        let kanji = register(&mut master, body("山田商事", "7654321", "payee-3")).await;
        assert_eq!(
            field_codes(&kanji),
            vec![("name".to_owned(), "VAL-0024".to_owned())]
        );
        assert!(
            kanji.json()["fields"][0]["message"]
                .as_str()
                .unwrap()
                .contains("「山」")
        );
        let mut unknown = body("ﾔﾏﾀﾞ", "7654321", "payee-4");
        unknown["branch_code"] = json!("999");
        let unknown = register(&mut master, unknown).await;
        assert_eq!(
            field_codes(&unknown),
            vec![("branch_code".to_owned(), "VAL-0025".to_owned())]
        );
        let mut wrong = body("ﾔﾏﾀﾞ", "7654321", "payee-5");
        wrong["confirmation_password"] = json!("Wrong9999");
        let wrong = register(&mut master, wrong).await;
        assert_eq!(wrong.json()["code"], "AUTH-0003");
        let count = master
            .get("/api/v1/transfers/payees")
            .await
            .json()
            .as_array()
            .unwrap()
            .len();
        assert_eq!(count, 1, "only the first was saved");
        let ops: Vec<(String, String)> = recent_history(&app, 20)
            .await
            .into_iter()
            .filter(|e| e.operation == "振込先の登録")
            .map(|e| (e.error_code, e.area))
            .collect();
        assert_eq!(
            ops.len(),
            5,
            "every registration and refusal is recorded: {ops:?}"
        );
        assert!(ops.iter().all(|(_, area)| area == "振込振替"));

        // Deleted, it is gone from the list; deleting again finds nothing.
        let del = master
            .json(
                Method::POST,
                &format!("/api/v1/transfers/payees/{id}/delete"),
                json!({"confirmation_password": "Kakunin12", "idempotency_key": key("payee-del")}),
            )
            .await;
        assert_eq!(del.status, StatusCode::OK, "{}", del.body);
        assert!(
            master
                .get("/api/v1/transfers/payees")
                .await
                .json()
                .as_array()
                .unwrap()
                .is_empty()
        );
        // …and the account can be registered again.
        assert_eq!(
            register(&mut master, body("ﾔﾏﾀﾞ", "1234567", "payee-6"))
                .await
                .status,
            StatusCode::OK
        );
    }
}

#[tokio::test]
async fn who_sees_and_manages_which_payees() {
    for app in app_with_master().await {
        let (company, _) = crate::certificates::user_id(&app, "ippan01").await;
        let input = PayeeInput {
            bank_code: "0005".into(),
            branch_code: "001".into(),
            kind: "当座".into(),
            number: "7654321".into(),
            name: "ｻﾝﾌﾟﾙ(ｶ".into(),
        };
        let registered =
            madoguchi_server::operator::add_registered_payee(&app.state, company, &input)
                .await
                .unwrap();
        let mut master = app.client();
        master.api_login("master01", "Demo1234").await;
        let user_registered = register(&mut master, body("ﾔﾏﾀﾞ", "1234567", "who-1"))
            .await
            .json()["id"]
            .as_i64()
            .unwrap();

        // ippan01: 依頼(事前登録口座) and 依頼(利用者登録口座) — sees both, may not manage.
        let mut ippan = app.client();
        ippan.api_login("ippan01", "Demo1234").await;
        let seen: Vec<i64> = ippan
            .get("/api/v1/transfers/payees")
            .await
            .json()
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["id"].as_i64().unwrap())
            .collect();
        assert_eq!(seen, vec![registered, user_registered]);
        let refused = register(&mut ippan, body("ｽｽﾞｷ", "1111111", "who-2")).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
        assert_eq!(refused.json()["code"], "PERM-0001");
        // A 事前登録口座 is the bank's: no user deletes it.
        let del = master
            .json(
                Method::POST,
                &format!("/api/v1/transfers/payees/{registered}/delete"),
                json!({"confirmation_password": "Kakunin12", "idempotency_key": key("who-3")}),
            )
            .await;
        assert_eq!(del.status, StatusCode::NOT_FOUND);

        // Another company sees none of them and deletes none.
        let mut other = app.client();
        other.api_login("other01", "Demo1234").await;
        assert!(
            other
                .get("/api/v1/transfers/payees")
                .await
                .json()
                .as_array()
                .unwrap()
                .is_empty()
        );
        let foreign = other
            .json(
                Method::POST,
                &format!("/api/v1/transfers/payees/{user_registered}/delete"),
                json!({"confirmation_password": "Kakunin12", "idempotency_key": key("who-4")}),
            )
            .await;
        assert_eq!(foreign.status, StatusCode::NOT_FOUND);
        assert_eq!(
            ippan
                .get("/api/v1/transfers/payees")
                .await
                .json()
                .as_array()
                .unwrap()
                .len(),
            2
        );
        // The operator's registration is in the 操作履歴 too.
        assert!(
            recent_history(&app, 30)
                .await
                .iter()
                .any(|e| e.operation == "事前登録口座の登録")
        );
    }
}
