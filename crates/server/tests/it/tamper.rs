//! The 操作履歴 against its own database's administrator: with raw access but not the key,
//! every kind of tampering — an edit, a deletion, an insertion, a swap, the tail cut, the
//! newest entries deleted, the chain rewritten after an edit, forged appends, a whole
//! company's chain removed, checkpoints deleted or forged — is found by the verification
//! (`madoguchi history verify` runs the same), on both engines.

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
             drop trigger history_checkpoints_no_update; drop trigger history_checkpoints_no_delete;"
        }
        Engine::Postgres => {
            "drop trigger history_no_update_delete on history;
             drop trigger history_checkpoints_no_update_delete on history_checkpoints;"
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
            ("a swap", "does not follow", |c| {
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
            ("an entry inserted in the middle", "MAC", |c| {
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
