//! Reference data: the 全銀協 master and the business calendar loaded from the files the
//! project ships, searched through the API by code and by カナ (全角 or 半角), and the bank's
//! own closing days kept across an import.

use axum::http::StatusCode;
use time::macros::date;

use crate::support::{TestApp, engines, recent_history};

async fn loaded(app: &TestApp) {
    madoguchi_server::demo::load_reference_if_empty(&app.state)
        .await
        .unwrap();
}

#[tokio::test]
async fn banks_and_branches_are_found_by_code_and_kana() {
    for engine in engines() {
        let app = TestApp::new(engine).await;
        loaded(&app).await;
        let mut c = app.logged_in("ippan01").await;
        let by_code = c.get("/api/v1/banks?q=0001").await.json();
        assert_eq!(by_code[0]["code"], "0001", "{engine:?}");
        assert_eq!(by_code[0]["name"], "みずほ");
        assert_eq!(by_code[0]["kana"], "ﾐｽﾞﾎ");
        let hankaku = c
            .get("/api/v1/banks?q=%EF%BE%90%EF%BD%BD%EF%BE%9E")
            .await
            .json(); // ﾐｽﾞ
        let zenkaku = c.get("/api/v1/banks?q=%E3%83%9F%E3%82%BA").await.json(); // ミズ
        assert_eq!(hankaku, zenkaku, "全角 and 半角 find the same");
        assert!(
            hankaku
                .as_array()
                .unwrap()
                .iter()
                .any(|b| b["code"] == "0001")
        );
        let branches = c.get("/api/v1/banks/0001/branches?q=001").await.json();
        assert_eq!(branches[0]["name"], "東京営業部");
        assert_eq!(branches[0]["kana"], "ﾄｳｷﾖｳ");
        assert_eq!(
            c.get("/api/v1/banks/9999/branches?q=1").await.status,
            StatusCode::NOT_FOUND
        );
        let wildcard = c.get("/api/v1/banks?q=%25").await.json();
        assert!(
            wildcard.as_array().unwrap().is_empty(),
            "% is taken literally"
        );
        assert_eq!(
            app.client().get("/api/v1/banks?q=0001").await.status,
            StatusCode::UNAUTHORIZED
        );
        let entry = recent_history(&app, 5)
            .await
            .into_iter()
            .find(|e| e.operation == "金融機関マスタの取込")
            .unwrap();
        assert!(
            entry.details.contains("28944"),
            "{engine:?}: {}",
            entry.details
        );
    }
}

#[tokio::test]
async fn the_banks_own_closing_days_survive_a_holiday_import() {
    for engine in engines() {
        let app = TestApp::new(engine).await;
        loaded(&app).await;
        let state = &app.state;
        let calendar = madoguchi_server::reference::calendar(state).await.unwrap();
        assert!(
            !calendar.is_business_day(date!(2027 - 01 - 11)),
            "{engine:?}: 成人の日"
        );
        assert!(calendar.is_business_day(date!(2027 - 05 - 06)));
        madoguchi_server::reference::close_day(state, "2027-05-06", "振替休業日")
            .await
            .unwrap();
        assert!(
            madoguchi_server::reference::close_day(state, "2027-01-11", "x")
                .await
                .is_err(),
            "a national holiday is closed already"
        );
        madoguchi_server::reference::import_holidays(
            state,
            madoguchi_server::reference::SHIPPED_HOLIDAYS,
        )
        .await
        .unwrap();
        let calendar = madoguchi_server::reference::calendar(state).await.unwrap();
        assert!(
            !calendar.is_business_day(date!(2027 - 05 - 06)),
            "{engine:?}: kept"
        );
        assert_eq!(
            calendar.on_or_after(date!(2027 - 05 - 01)),
            date!(2027 - 05 - 07)
        );
        madoguchi_server::reference::open_day(state, "2027-05-06")
            .await
            .unwrap();
        assert!(
            madoguchi_server::reference::open_day(state, "2027-05-06")
                .await
                .is_err()
        );
        let calendar = madoguchi_server::reference::calendar(state).await.unwrap();
        assert!(calendar.is_business_day(date!(2027 - 05 - 06)));
        let ops: Vec<String> = recent_history(&app, 10)
            .await
            .into_iter()
            .map(|e| e.operation)
            .collect();
        for op in ["祝日の取込", "休業日の登録", "休業日の削除"] {
            assert!(ops.iter().any(|o| o == op), "{engine:?}: {op}");
        }
    }
}
