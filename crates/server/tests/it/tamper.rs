//! The 操作履歴 against its own database's administrator: with raw access but not the key,
//! every kind of tampering — an edit, a deletion, an insertion, a swap, the tail cut, the
//! newest entries deleted, the chain rewritten after an edit, forged appends, a whole
//! company's chain removed, checkpoints deleted or forged — is found by the verification
//! (`madoguchi history verify` runs the same), on both engines; and a purge of what is past
//! its retention leaves the rest verifiable, and cannot be used to hide a deletion.

use madoguchi_server::audit;
use madoguchi_store::SqlStore;

use crate::support::{Engine, TestApp, engines};

/// Activity in both companies, then a signed checkpoint (in the database and the file),
/// then a little more activity.
async fn history(engine: Engine) -> (TestApp, SqlStore) {
    let app = TestApp::new(engine).await;
    for id in ["master01", "ippan01", "other01"] {
        let mut c = app.logged_in(id).await;
        c.get("/history").await;
    }
    audit::checkpoint(&app.state)
        .await
        .unwrap()
        .expect("a checkpoint");
    app.client().login("ippan01", "Wrong9999").await;
    let report = audit::verify(&app.state).await.unwrap();
    assert_eq!(report.first_bad, None, "{engine:?}: intact before");
    let raw = app.raw_store().await;
    unguard(engine, &raw).await;
    (app, raw)
}

/// The administrator removes the append-only guards.
async fn unguard(engine: Engine, raw: &SqlStore) {
    let sql = match engine {
        Engine::Sqlite => {
            "drop trigger history_no_update; drop trigger history_no_delete;
             drop trigger history_checkpoints_no_update; drop trigger history_checkpoints_no_delete;
             drop trigger history_purges_no_update; drop trigger history_purges_no_delete;"
        }
        Engine::Postgres => {
            "drop trigger history_no_update on history; drop trigger history_no_delete on history;
             drop trigger history_checkpoints_no_update_delete on history_checkpoints;
             drop trigger history_purges_no_update_delete on history_purges;"
        }
    };
    sqlx::raw_sql(sql).execute(raw.pool()).await.unwrap();
}

async fn run(raw: &SqlStore, sql: &str) {
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_owned()))
        .execute(raw.pool())
        .await
        .unwrap();
}

/// The company of master01 (アパレル株式会社): its chain id.
async fn apparel(app: &TestApp) -> i64 {
    app.state
        .store
        .user_by_login_key("master01")
        .await
        .unwrap()
        .unwrap()
        .company_id
}

async fn found(app: &TestApp, what: &str) -> String {
    let report = audit::verify(&app.state).await.unwrap();
    let (_, reason) = report
        .first_bad
        .unwrap_or_else(|| panic!("{what}: not found"));
    reason
}

#[tokio::test]
async fn every_tampering_is_found() {
    for engine in engines() {
        type Case = (&'static str, &'static str, fn(i64) -> String);
        let cases: [Case; 10] = [
            ("an edit", "MAC", |c| {
                format!(
                    "update history set operation = 'users.delete' where chain = {c} and chain_seq = 3"
                )
            }),
            ("a deletion", "missing", |c| {
                format!("delete from history where chain = {c} and chain_seq = 4")
            }),
            // In `seq` order the swapped-in later position comes where the earlier is due.
            ("a swap", "the entry is missing", |c| {
                format!(
                    "update history set chain_seq = -2 where chain = {c} and chain_seq = 2;
                     update history set chain_seq = 2 where chain = {c} and chain_seq = 3;
                     update history set chain_seq = 3 where chain = {c} and chain_seq = -2"
                )
            }),
            ("the tail cut, the head moved back", "removed", |c| {
                format!(
                    "delete from history where chain = {c} and chain_seq > 5;
                     update history_heads set seq = 5,
                         hash = (select hash from history where chain = {c} and chain_seq = 5)
                     where chain = {c}"
                )
            }),
            ("the newest entries deleted", "removed", |c| {
                format!(
                    "delete from history where chain = {c}
                     and chain_seq > (select seq from history_heads where chain = {c}) - 2"
                )
            }),
            ("a forged append", "MAC", |c| {
                format!(
                    "insert into history (seq, format, chain, chain_seq, occurred_at, company_id, user_id,
                        login_id, ip, user_agent, area, operation, outcome, error_code, details,
                        prev_hash, hash, peer)
                     select (select max(seq) + 1 from history), 2, {c}, h.seq + 1, 1, {c}, null,
                        'master01', '192.0.2.10', 'ua', 'users', 'users.delete', 'ok', '', '{{}}',
                        h.hash, '{hash}', ''
                     from history_heads h where h.chain = {c};
                     update history_heads set seq = seq + 1, hash = '{hash}' where chain = {c}",
                    hash = "ab".repeat(32)
                )
            }),
            ("a whole company's chain removed", "gone", |c| {
                format!(
                    "delete from history where chain = {c}; delete from history_heads where chain = {c}"
                )
            }),
            // Found at position 3, whichever `seq` the forged entry was given.
            ("an entry inserted in the middle", "chain at 3", |c| {
                format!(
                    "update history set chain_seq = chain_seq + 1000000 where chain = {c} and chain_seq >= 3;
                     update history set chain_seq = chain_seq - 999999 where chain = {c} and chain_seq >= 1000000;
                     insert into history (seq, format, chain, chain_seq, occurred_at, company_id, user_id,
                        login_id, ip, user_agent, area, operation, outcome, error_code, details,
                        prev_hash, hash, peer)
                     select (select max(seq) + 1 from history), 2, {c}, 3, 1, {c}, null, 'x', 'x', 'x',
                        'auth', 'auth.login', 'ok', '', '{{}}', hash, hash, ''
                     from history where chain = {c} and chain_seq = 2;
                     update history_heads set seq = seq + 1 where chain = {c}"
                )
            }),
            (
                "the checkpoints deleted",
                "missing from the database",
                |_| "delete from history_checkpoints".to_owned(),
            ),
            ("a checkpoint forged", "not signed", |_| {
                format!(
                    "insert into history_checkpoints (created_at, body, mac)
                     values (9999999999999999, '{{\"v\":1,\"at\":9999999999999999,\"heads\":[],\"legacy\":[0,\"\"]}}', '{}')",
                    "cd".repeat(32)
                )
            }),
        ];
        for (what, expected, sql) in cases {
            let (app, raw) = history(engine).await;
            run(&raw, &sql(apparel(&app).await)).await;
            let reason = found(&app, what).await;
            assert!(reason.contains(expected), "{engine:?} {what}: {reason}");
            raw.close().await;
        }
    }
}

#[tokio::test]
async fn a_chain_rewritten_after_an_edit_without_the_key_is_found() {
    for engine in engines() {
        let (app, raw) = history(engine).await;
        let c = apparel(&app).await;
        // The administrator edits entry 3 and recomputes every following hash the only way
        // they can — without the key (here: with a key of their own).
        let theirs = madoguchi_store::HistoryKey::new([9; 32]);
        let rows = app
            .state
            .store
            .search_history(&madoguchi_store::HistorySearch {
                company_id: Some(c),
                limit: 10_000,
                ..Default::default()
            })
            .await
            .unwrap();
        let mut chain: Vec<_> = rows.into_iter().filter(|e| e.chain == Some(c)).collect();
        chain.sort_by_key(|e| e.chain_seq);
        let mut prev = chain[1].hash.clone();
        for e in chain.iter_mut().skip(2) {
            if e.chain_seq == Some(3) {
                e.operation = "users.delete".into();
            }
            e.prev_hash = prev.clone();
            e.hash = e.expected_hash(&theirs);
            prev = e.hash.clone();
            run(
                &raw,
                &format!(
                    "update history set operation = '{}', prev_hash = '{}', hash = '{}' where seq = {}",
                    e.operation, e.prev_hash, e.hash, e.seq
                ),
            )
            .await;
        }
        run(
            &raw,
            &format!("update history_heads set hash = '{prev}' where chain = {c}"),
        )
        .await;
        let reason = found(&app, "rewritten").await;
        assert!(reason.contains("MAC"), "{engine:?}: {reason}");
        raw.close().await;
    }
}

#[tokio::test]
async fn checkpoints_are_kept_in_the_file_and_the_database_and_follow_appends() {
    for engine in engines() {
        let app = TestApp::new(engine).await;
        let first = audit::checkpoint(&app.state).await.unwrap();
        assert!(first.is_some(), "{engine:?}");
        assert_eq!(
            audit::checkpoint(&app.state).await.unwrap(),
            None,
            "nothing appended since"
        );
        app.logged_in("master01").await;
        assert!(app.state.store.since_checkpoint().await.unwrap() > 0);
        audit::checkpoint(&app.state)
            .await
            .unwrap()
            .expect("a second");
        let log = audit::read_log(&app.state.config.checkpoint_file()).unwrap();
        assert_eq!(log.len(), 2, "{engine:?}");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(app.state.config.checkpoint_file())
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o077, 0, "only the service reads it");
        }
        let report = audit::verify(&app.state).await.unwrap();
        assert_eq!(report.first_bad, None, "{engine:?}");
        assert!(report.checkpoint_at.is_some() && report.chains >= 2);
        let kept = audit::last_verified(&app.state).await.unwrap().unwrap();
        assert_eq!((kept.checked, kept.problem), (report.checked, None));
    }
}

/// Activity now, a year and a day of quiet, activity again: the first part is past the
/// retention period.
async fn aged(engine: Engine) -> TestApp {
    let app = TestApp::new(engine).await;
    for id in ["master01", "ippan01", "other01"] {
        app.logged_in(id).await.get("/history").await;
    }
    audit::checkpoint(&app.state).await.unwrap();
    app.clock.advance_secs(366 * 86_400);
    app.logged_in("master01").await.get("/history").await;
    app
}

async fn entries(app: &TestApp) -> i64 {
    app.state
        .store
        .search_history(&madoguchi_store::HistorySearch {
            limit: 100_000,
            ..Default::default()
        })
        .await
        .unwrap()
        .len() as i64
}

#[tokio::test]
async fn a_purge_removes_what_is_past_retention_and_the_rest_still_verifies() {
    for engine in engines() {
        let app = aged(engine).await;
        let before = entries(&app).await;
        let removed = audit::purge(&app.state).await.unwrap();
        assert!(removed > 0, "{engine:?}");
        assert_eq!(
            entries(&app).await,
            before - removed + 1,
            "{engine:?}: one entry says so"
        );
        let newest = crate::support::recent_history(&app, 1).await.remove(0);
        assert_eq!(newest.operation, "保存期間を過ぎた操作履歴の削除");
        let details: serde_json::Value = serde_json::from_str(&newest.details).unwrap();
        assert_eq!(details["removed"], removed, "{engine:?}");
        let report = audit::verify(&app.state).await.unwrap();
        assert_eq!(report.first_bad, None, "{engine:?}: the rest verifies");
        assert_eq!(report.checked, before - removed + 1);
        assert_eq!(
            audit::purge(&app.state).await.unwrap(),
            0,
            "nothing more is due"
        );

        // The kept entries are still searchable, and a second round of ageing purges again.
        app.clock.advance_secs(366 * 86_400);
        app.logged_in("ippan01").await;
        assert!(audit::purge(&app.state).await.unwrap() > 0);
        assert_eq!(
            audit::verify(&app.state).await.unwrap().first_bad,
            None,
            "{engine:?}"
        );
    }
}

#[tokio::test]
async fn nothing_is_purged_when_retention_is_off_and_the_schema_refuses_any_other_deletion() {
    for engine in engines() {
        let app = TestApp::with_config(engine, |c| c.history_retention_days = 0).await;
        app.logged_in("master01").await;
        app.clock.advance_secs(10 * 366 * 86_400);
        assert_eq!(audit::purge(&app.state).await.unwrap(), 0);

        // Without a signed start record, the guard refuses deleting even the oldest entry.
        let raw = app.raw_store().await;
        let refused = sqlx::raw_sql("delete from history where seq = 1")
            .execute(raw.pool())
            .await;
        assert!(refused.is_err(), "{engine:?}: append-only");
        raw.close().await;
    }
}

#[tokio::test]
async fn a_purge_record_cannot_be_forged_or_removed_unseen() {
    for engine in engines() {
        // A forged start record lets the schema delete, but not the verification pass.
        let app = aged(engine).await;
        let c = apparel(&app).await;
        let raw = app.raw_store().await;
        run(
            &raw,
            &format!(
                "insert into history_purges (created_at, chain, first_seq, prev_hash, mac)
                 select 1, {c}, 3, prev_hash, '{}' from history where chain = {c} and chain_seq = 3;
                 delete from history where chain = {c} and chain_seq < 3",
                "ef".repeat(32)
            ),
        )
        .await;
        let reason = found(&app, "a forged purge record").await;
        assert!(reason.contains("not signed"), "{engine:?}: {reason}");
        raw.close().await;

        // A genuine purge, then its record deleted: the chain has a gap at its start.
        let app = aged(engine).await;
        audit::purge(&app.state).await.unwrap();
        let raw = app.raw_store().await;
        unguard(engine, &raw).await;
        run(&raw, "delete from history_purges").await;
        let reason = found(&app, "a purge record removed").await;
        assert!(reason.contains("missing"), "{engine:?}: {reason}");
        raw.close().await;
    }
}

#[tokio::test]
async fn administrators_see_when_the_history_was_last_verified_and_whether_it_was_intact() {
    for engine in engines() {
        let app = TestApp::new(engine).await;
        let mut master = app.logged_in("master01").await;
        assert!(
            master
                .get("/history")
                .await
                .body
                .contains("改ざん検証：未実施")
        );
        audit::verify(&app.state).await.unwrap();
        let page = master.get("/history").await.body;
        assert!(page.contains("異常なし"), "{engine:?}");
        assert!(!page.contains("異常あり"));
        // A general user without 全操作履歴照会 is not shown the deployment's state.
        let page = app.logged_in("ippan01").await.get("/history").await.body;
        assert!(!page.contains("改ざん検証"), "{engine:?}");

        let raw = app.raw_store().await;
        unguard(engine, &raw).await;
        let c = apparel(&app).await;
        run(
            &raw,
            &format!("update history set ip = '198.51.100.1' where chain = {c} and chain_seq = 1"),
        )
        .await;
        raw.close().await;
        audit::verify(&app.state).await.unwrap();
        let page = master.get("/history").await.body;
        assert!(
            page.contains("異常あり（銀行にお問い合わせください）"),
            "{engine:?}"
        );

        // A forged record of a verification reads as unknown, never as intact.
        let raw = app.raw_store().await;
        run(&raw, "update deployment_meta set value = '{\"body\":\"{\\\"at\\\":1,\\\"checked\\\":1,\\\"problem\\\":null}\",\"mac\":\"00\"}' where key = 'history_last_verified'").await;
        raw.close().await;
        let page = master.get("/history").await.body;
        assert!(page.contains("検証の記録を確認できません"), "{engine:?}");
    }
}

#[tokio::test]
async fn generated_history_is_genuine_and_only_made_on_a_demo_database() {
    for engine in engines() {
        let app = TestApp::new(engine).await;
        let plan = madoguchi_server::generate::Plan {
            entries: 25_000,
            companies: 7,
            shares: vec![0.01, 0.1],
            days: 30,
        };
        let before = entries(&app).await;
        let written = madoguchi_server::generate::generate(&app.state, &plan)
            .await
            .unwrap();
        assert_eq!(written, 25_000);
        // Appends go on from where the bulk left each chain.
        app.logged_in("master01").await.get("/history").await;
        let report = audit::verify(&app.state).await.unwrap();
        assert_eq!(report.first_bad, None, "{engine:?}");
        assert!(report.checked > before + 25_000);
        assert!(
            report.chains >= 9,
            "{engine:?}: the demo's, the bank's and 7 more"
        );

        let raw = app.raw_store().await;
        run(&raw, "delete from deployment_meta where key = 'demo'").await;
        raw.close().await;
        let refused = madoguchi_server::generate::generate(&app.state, &plan).await;
        assert!(
            refused.is_err(),
            "{engine:?}: not on a bank's real database"
        );
    }
}

#[tokio::test]
async fn a_verification_while_entries_are_appended_finds_nothing_wrong() {
    for engine in engines() {
        let app = TestApp::new(engine).await;
        audit::checkpoint(&app.state).await.unwrap();
        let mut tasks = Vec::new();
        for i in 0..60 {
            let mut client = app.client();
            let id = ["master01", "other01", "nobody99"][i % 3];
            tasks.push(tokio::spawn(async move {
                client.login(id, "Wrong9999").await.status
            }));
        }
        for _ in 0..5 {
            let report = audit::verify(&app.state).await.unwrap();
            assert_eq!(
                report.first_bad, None,
                "{engine:?}: appends during the pass"
            );
        }
        for t in tasks {
            t.await.unwrap();
        }
        assert_eq!(audit::verify(&app.state).await.unwrap().first_bad, None);
    }
}
