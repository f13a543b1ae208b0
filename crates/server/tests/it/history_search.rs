//! 操作履歴照会: every condition alone and combined against an oracle (the whole history
//! filtered here), 日本時間 day boundaries, keyset paging, visibility (master, general
//! user with and without 全操作履歴照会, another company), 印刷 read back, and the CSV
//! (neutralised cells, Shift_JIS) — on both engines.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use madoguchi_store::HistoryEntry;

use crate::support::{Client, TestApp, engines, recent_history};
use crate::users::user_id;

/// The company of `login_id`.
pub(crate) async fn company_of(app: &TestApp, login_id: &str) -> i64 {
    app.state
        .store
        .user_by_login_key(login_id)
        .await
        .unwrap()
        .unwrap()
        .company_id
}

/// A ログイン entry of master01 from 198.51.100.7 at `at` on `company`'s chain (the
/// bank's for `None`), appended straight to the store.
pub(crate) fn login_draft(company: Option<i64>, at: i64) -> madoguchi_store::HistoryDraft {
    madoguchi_store::HistoryDraft {
        occurred_at: at,
        company_id: company,
        user_id: None,
        login_id: "master01".into(),
        ip: "198.51.100.7".into(),
        user_agent: "test".into(),
        peer: String::new(),
        area: madoguchi_domain::HistoryArea::Auth,
        operation: "ログイン".into(),
        outcome: madoguchi_domain::Outcome::Ok,
        error_code: None,
        details: serde_json::json!({}),
    }
}

/// The company's entries, newest first: what every search is checked against.
async fn company_entries(app: &TestApp, login_id: &str) -> Vec<HistoryEntry> {
    let company = company_of(app, login_id).await;
    recent_history(app, 3000)
        .await
        .into_iter()
        .filter(|e| e.company_id == Some(company))
        .collect()
}

/// Every page of `query` through the API, as seqs.
async fn all_pages(c: &mut Client, query: &str) -> Vec<i64> {
    let mut seqs = Vec::new();
    let mut path = format!("/api/v1/history?{query}");
    loop {
        let r = c.get(&path).await;
        assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.body);
        let page = r.json();
        let entries = page["entries"].as_array().unwrap();
        assert!(entries.len() <= 50);
        seqs.extend(entries.iter().map(|e| e["seq"].as_i64().unwrap()));
        match page["next"].as_i64() {
            Some(next) => path = format!("/api/v1/history?{query}&before={next}"),
            None => return seqs,
        }
    }
}

/// Moves the manual clock to `target` (UTC µs).
fn set_clock(app: &TestApp, target: i64) {
    if let madoguchi_server::clock::Clock::Manual(t) = &app.clock {
        t.store(target, std::sync::atomic::Ordering::SeqCst);
    }
}

#[tokio::test]
async fn every_condition_alone_and_combined_finds_what_the_oracle_finds() {
    for engine in engines() {
        let app = TestApp::new(engine).await;
        // 2027-01-10 23:59:59 日本時間 and a second later, the next day.
        let late = madoguchi_domain::jst::start_of_day("2027-01-11").unwrap() - 1_000_000;
        set_clock(&app, late);
        app.client().api_login("ippan01", "Demo1234").await;
        app.client().api_login("ippan01", "Wrong9999").await;
        app.clock.advance_secs(1);
        app.client().api_login("ippan01", "Wrong9999").await;
        app.client().api_login("master01", "Demo1234").await;
        let mut master = app.client();
        master.api_login("master01", "Demo1234").await;
        // Enough of the master's own looks to need three pages.
        for _ in 0..110 {
            master.get("/api/v1/history?outcome=ok").await;
        }
        let ippan = user_id(&app, "ippan01").await;
        let oracle = company_entries(&app, "master01").await;
        let day_start = |d: &str| madoguchi_domain::jst::start_of_day(d).unwrap();
        type Pred = Box<dyn Fn(&HistoryEntry) -> bool>;
        let cases: Vec<(String, Pred)> = vec![
            ("".into(), Box::new(|_| true)),
            (
                format!("user={ippan}"),
                Box::new(move |e| e.user_id == Some(ippan)),
            ),
            ("area=auth".into(), Box::new(|e| e.area == "ログイン")),
            (
                "operation=ログイン".into(),
                Box::new(|e| e.operation == "ログイン"),
            ),
            ("outcome=error".into(), Box::new(|e| e.outcome == "エラー")),
            (
                "terminal=192.0.2.10".into(),
                Box::new(|e| e.ip == "192.0.2.10"),
            ),
            ("terminal=192.0.2.99".into(), Box::new(|_| false)),
            (
                "from=2027-01-10&to=2027-01-10".into(),
                Box::new(move |e| {
                    e.occurred_at >= day_start("2027-01-10")
                        && e.occurred_at < day_start("2027-01-11")
                }),
            ),
            (
                "from=2027-01-11".into(),
                Box::new(move |e| e.occurred_at >= day_start("2027-01-11")),
            ),
            (
                "to=2027-01-10".into(),
                Box::new(move |e| e.occurred_at < day_start("2027-01-11")),
            ),
            (
                format!("user={ippan}&outcome=error&area=auth&from=2027-01-11&to=2027-01-11"),
                Box::new(move |e| {
                    e.user_id == Some(ippan)
                        && e.outcome == "エラー"
                        && e.area == "ログイン"
                        && e.occurred_at >= day_start("2027-01-11")
                        && e.occurred_at < day_start("2027-01-12")
                }),
            ),
        ];
        for (query, pred) in &cases {
            // The oracle is read before the search: the search's own record is newer.
            let before_search = company_entries(&app, "master01").await;
            let expected: Vec<i64> = before_search
                .iter()
                .filter(|e| pred(e))
                .map(|e| e.seq)
                .collect();
            let found = all_pages(&mut master, query).await;
            let found: Vec<i64> = found
                .into_iter()
                .filter(|s| *s <= before_search[0].seq)
                .collect();
            assert_eq!(found, expected, "{engine:?}: {query}");
        }
        assert!(oracle.len() > 100, "{engine:?}: paged");
        // The day boundary in 日本時間: 23:59:59 on the 10th, 00:00:00 on the 11th.
        let tenth = all_pages(
            &mut master,
            &format!("user={ippan}&from=2027-01-10&to=2027-01-10"),
        )
        .await;
        let eleventh = all_pages(
            &mut master,
            &format!("user={ippan}&from=2027-01-11&to=2027-01-11"),
        )
        .await;
        assert_eq!((tenth.len(), eleventh.len()), (2, 1), "{engine:?}");
    }
}

#[tokio::test]
async fn bad_conditions_are_refused_at_their_fields_and_kept() {
    for engine in engines() {
        let app = TestApp::new(engine).await;
        let mut c = app.logged_in("master01").await;
        let r = c
            .get("/history?from=2027-01-11&to=2027-01-10&terminal=10.0.0&area=x")
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{engine:?}");
        for text in [
            "操作日付（終了）は操作日付（開始）以降",
            "IPアドレスの形式",
            "業務種別は",
            "value=\"10.0.0\"",
            "value=\"2027-01-11\"",
        ] {
            assert!(r.body.contains(text), "{engine:?}: {text}");
        }
        let api = c.get("/api/v1/history?terminal=abc").await;
        assert_eq!(api.json()["code"], "VAL-0000");
        assert_eq!(api.json()["fields"][0]["code"], "VAL-0021");
    }
}

#[tokio::test]
async fn each_user_reads_only_what_they_may() {
    for engine in engines() {
        let app = TestApp::new(engine).await;
        let master_id = user_id(&app, "master01").await;
        let mut master = app.logged_in("master01").await;
        let mut general = app.logged_in("ippan01").await;
        let mut other = app.logged_in("other01").await;
        // The general user's search names only themselves; naming the master is refused.
        let own = general.get("/api/v1/history").await.json();
        assert_eq!(own["scope"], "own");
        assert!(
            own["entries"]
                .as_array()
                .unwrap()
                .iter()
                .all(|e| e["login_id"] == "ippan01")
        );
        let refused = general
            .get(&format!("/api/v1/history?user={master_id}"))
            .await;
        assert_eq!(refused.json()["code"], "PERM-0001", "{engine:?}");
        assert!(
            recent_history(&app, 5)
                .await
                .iter()
                .any(|e| e.login_id == "ippan01" && e.error_code == "PERM-0001"),
            "the refusal is recorded"
        );
        // Someone else's entry is not found by the general user, nor by another company.
        let listed = master
            .get(&format!("/api/v1/history?user={master_id}"))
            .await
            .json();
        let master_entry = listed["entries"][0]["seq"].as_i64().unwrap();
        let path = format!("/api/v1/history/{master_entry}");
        assert_eq!(master.get(&path).await.status, StatusCode::OK);
        assert_eq!(general.get(&path).await.status, StatusCode::NOT_FOUND);
        assert_eq!(other.get(&path).await.status, StatusCode::NOT_FOUND);
        let others = other.get("/api/v1/history").await.json();
        assert!(
            others["entries"]
                .as_array()
                .unwrap()
                .iter()
                .all(|e| e["login_id"] != "master01" && e["login_id"] != "ippan01"),
            "{engine:?}: never another company's"
        );
        // The detail screen shows the entry's particulars.
        let screen = master.get(&format!("/history/{master_entry}")).await;
        assert!(screen.body.contains("BSRS002") && screen.body.contains("操作履歴詳細"));
    }
}

#[tokio::test]
async fn the_printout_and_the_csv_carry_the_search() {
    for engine in engines() {
        let app = TestApp::new(engine).await;
        let mut c = app.logged_in("master01").await;
        // A browser whose name looks like a formula: the CSV must not run it.
        let req = Request::get("/history")
            .header("user-agent", "=HYPERLINK(\"http://evil\")")
            .body(Body::empty())
            .unwrap();
        c.send(req).await;
        let pdf = c.get_raw("/history/print?area=history").await;
        assert!(pdf.starts_with(b"%PDF"), "{engine:?}");
        let text = pdf_extract::extract_text_from_mem(&pdf).unwrap();
        for expected in [
            "操作履歴照会",
            "アパレル株式会社",
            "検索条件",
            "業務種別",
            "1 / 1",
        ] {
            assert!(text.contains(expected), "{engine:?}: {expected} in {text}");
        }
        let csv = c.get_raw("/history/csv?area=history").await;
        assert!(csv.starts_with("\u{feff}".as_bytes()), "{engine:?}: a BOM");
        let csv = String::from_utf8(csv).unwrap();
        assert!(csv.contains("\"通番\",\"操作日時\",\"ログインID\""));
        assert!(
            csv.contains("\"'=HYPERLINK(\"\"http://evil\"\")\""),
            "{engine:?}: neutralised"
        );
        assert!(!csv.contains(",\"=HYPERLINK"));
        let sjis = c.get_raw("/history/csv?area=history&encoding=sjis").await;
        let (decoded, _, bad) = encoding_rs::SHIFT_JIS.decode(&sjis);
        assert!(!bad, "{engine:?}");
        assert!(decoded.contains("操作履歴照会") && decoded.contains("山田"));
        let ops: Vec<String> = recent_history(&app, 10)
            .await
            .into_iter()
            .map(|e| e.operation)
            .collect();
        assert!(
            ops.contains(&"操作履歴の印刷".to_owned()),
            "{engine:?}: {ops:?}"
        );
        assert!(ops.contains(&"操作履歴のダウンロード".to_owned()));
    }
}

#[tokio::test]
async fn the_list_is_by_operation_time_newest_first_across_pages_of_equal_times() {
    for engine in engines() {
        let app = TestApp::new(engine).await;
        let company = company_of(&app, "master01").await;
        let t = app.state.now();
        let draft = |at: i64| login_draft(Some(company), at);
        // Sixty at one microsecond, then sixty a second earlier written after them (a
        // request that waited), then five a second later.
        for at in [(t, 60), (t - 1_000_000, 60), (t + 1_000_000, 5)]
            .iter()
            .flat_map(|&(at, n)| std::iter::repeat_n(at, n))
        {
            app.state.store.append_history(draft(at)).await.unwrap();
        }
        // The numbers the database gave them, which rise as they were written.
        let raw = app.raw_store().await;
        let mut written: Vec<(i64, i64)> =
            sqlx::query_as("select occurred_at, seq from history where ip = '198.51.100.7'")
                .fetch_all(raw.pool())
                .await
                .unwrap();
        assert_eq!(written.len(), 125, "{engine:?}");
        written.sort_by(|a, b| b.cmp(a));
        let expected: Vec<i64> = written.iter().map(|w| w.1).collect();
        let mut master = app.client();
        master.api_login("master01", "Demo1234").await;
        let found = all_pages(&mut master, "terminal=198.51.100.7").await;
        assert_eq!(found, expected, "{engine:?}: by 操作日時, then as written");
    }
}
