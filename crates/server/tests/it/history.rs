//! The 操作履歴: append-only in the schema, hash-chained, and verifiable.

use madoguchi_store::{HistoryStore, SqlStore};

use crate::history_search::{company_of, login_draft};
use crate::support::{Engine, TestApp, engines, recent_history};

#[tokio::test]
async fn entries_record_who_where_what_and_the_chain_verifies() {
    for engine in engines() {
        let app = TestApp::new(engine).await;
        let mut c = app.logged_in("master01").await;
        c.post_form("/logout", &[]).await;
        let entries = recent_history(&app, 2).await;
        let logout = &entries[0];
        assert_eq!(logout.operation, "ログアウト");
        assert_eq!(logout.area, "ログイン", "shown in words");
        assert_eq!(logout.outcome, "正常");
        assert_eq!(logout.login_id, "master01");
        assert_eq!(logout.ip, "192.0.2.10", "{engine:?}: 操作端末 is recorded");
        assert!(logout.company_id.is_some() && logout.user_id.is_some());
        assert_eq!(
            logout.prev_hash, entries[1].hash,
            "each entry links to the one before"
        );
        let report = app.state.store.verify_history(&[]).await.unwrap();
        assert_eq!(report.first_bad, None, "{engine:?}");
        assert!(report.checked > 5);
    }
}

#[tokio::test]
async fn the_schema_refuses_update_and_delete() {
    for engine in engines() {
        let app = TestApp::new(engine).await;
        let raw = app.raw_store().await;
        let update = sqlx::query("update history set outcome = '正常' where seq = 1")
            .execute(raw.pool())
            .await;
        assert!(update.is_err(), "{engine:?}: UPDATE must be refused");
        let delete = sqlx::query("delete from history where seq = 1")
            .execute(raw.pool())
            .await;
        assert!(delete.is_err(), "{engine:?}: DELETE must be refused");
        raw.close().await;
    }
}

async fn drop_guard(engine: Engine, raw: &SqlStore) {
    let sql = match engine {
        Engine::Sqlite => "drop trigger history_no_update",
        Engine::Postgres => "drop trigger history_no_update on history",
    };
    sqlx::raw_sql(sql).execute(raw.pool()).await.unwrap();
}

#[tokio::test]
async fn verify_names_the_first_tampered_entry() {
    for engine in engines() {
        let app = TestApp::new(engine).await;
        app.logged_in("master01").await;
        // Someone with raw database access removes the guard and edits an entry.
        let raw = app.raw_store().await;
        drop_guard(engine, &raw).await;
        sqlx::query("update history set operation = '改ざん' where seq = 3")
            .execute(raw.pool())
            .await
            .unwrap();
        let report = app.state.store.verify_history(&[]).await.unwrap();
        let (seq, reason) = report.first_bad.expect("tampering must be found");
        assert_eq!(seq, 3, "{engine:?}: {reason}");
        assert!(reason.contains("MAC"), "{reason}");
        raw.close().await;
    }
}

#[tokio::test]
async fn concurrent_appends_keep_one_unbroken_chain() {
    for engine in engines() {
        let app = TestApp::new(engine).await;
        let mut tasks = Vec::new();
        for _ in 0..16 {
            let mut client = app.client();
            tasks.push(tokio::spawn(async move {
                client.login("nobody99", "Wrong9999").await.status
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
        let report = app.state.store.verify_history(&[]).await.unwrap();
        assert_eq!(report.first_bad, None, "{engine:?}");
    }
}

/// A hundred appends at once, half to a company's chain and half to the bank's: each gets
/// its own position on its chain, each chain stays contiguous with its head on its newest MAC (the head
/// row taken first, the MAC set by the insert's trigger), and the whole verifies.
#[tokio::test]
async fn a_hundred_appends_at_once_on_two_chains_verify() {
    for engine in engines() {
        let app = TestApp::new(engine).await;
        let company = company_of(&app, "master01").await;
        let before = app.state.store.verify_history(&[]).await.unwrap().checked;
        let tasks: Vec<_> = (0..100_i64)
            .map(|i| {
                let store = app.state.store.clone();
                tokio::spawn(async move {
                    store
                        .append_history(login_draft(
                            (i % 2 == 0).then_some(company),
                            1_780_000_000_000_000 + i,
                        ))
                        .await
                        .unwrap()
                })
            })
            .collect();
        for t in tasks {
            t.await.unwrap();
        }
        let raw = app.raw_store().await;
        let positions: Vec<(i64, i64)> = sqlx::query_as(
            "select chain, chain_seq from history \
             where occurred_at >= 1780000000000000 and occurred_at < 1780000000000100",
        )
        .fetch_all(raw.pool())
        .await
        .unwrap();
        let distinct: std::collections::BTreeSet<_> = positions.iter().collect();
        assert_eq!(
            (positions.len(), distinct.len()),
            (100, 100),
            "{engine:?}: one position each"
        );
        let report = app.state.store.verify_history(&[]).await.unwrap();
        assert_eq!(report.first_bad, None, "{engine:?}");
        assert_eq!(report.checked, before + 100, "{engine:?}");
    }
}

#[tokio::test]
async fn the_history_screen_shows_own_entries_unless_allowed_everyone() {
    for engine in engines() {
        let app = TestApp::new(engine).await;
        let mut master = app.logged_in("master01").await;
        let mut general = app.logged_in("ippan01").await;
        assert!(
            general.get("/menu").await.body.contains("操作履歴照会"),
            "{engine:?}: for everyone"
        );
        let own = general.get("/history").await;
        assert!(
            own.body.contains("BSRS001") && own.body.contains("ご自身の操作履歴"),
            "{engine:?}"
        );
        assert!(own.body.contains("<td>ippan01</td>") && !own.body.contains("<td>master01</td>"));
        let all = master.get("/history").await;
        assert!(
            all.body.contains("<td>ippan01</td>") && all.body.contains("<td>master01</td>"),
            "{engine:?}: the master sees everyone"
        );
        // 全操作履歴照会 opens the whole company's history, at the next request.
        let raw = app.raw_store().await;
        sqlx::query(
            "update users set permissions = '[\"admin.history_all\"]' where login_key = 'ippan01'",
        )
        .execute(raw.pool())
        .await
        .unwrap();
        let granted = general.get("/history").await;
        assert!(granted.body.contains("<td>master01</td>"), "{engine:?}");
        assert!(
            !granted.body.contains("株式会社サンプル商事")
                && !granted.body.contains("<td>other01</td>"),
            "never another company's"
        );
        assert_eq!(
            recent_history(&app, 1).await[0].operation,
            "操作履歴照会",
            "looking is recorded"
        );
    }
}

/// Two hundred appends at once on three chains, a third of their callers gone while they
/// wait (clients that went away): the appends that arrive while a batch is written go
/// together, yet every caller that waited finds its own entry, each chain stays
/// contiguous and the whole verifies. (Were a batch carried by a caller's own future, a
/// caller gone would take the other callers' entries with it.)
#[tokio::test]
async fn two_hundred_appends_at_once_with_callers_gone_all_verify() {
    for engine in engines() {
        let app = TestApp::new(engine).await;
        let company = company_of(&app, "master01").await;
        let chains = [Some(company), Some(company + 1_000), None];
        let base = 1_781_000_000_000_000_i64;
        let before = app.state.store.verify_history(&[]).await.unwrap().checked;
        let tasks: Vec<_> = (0..200_i64)
            .map(|i| {
                let store = app.state.store.clone();
                let draft = login_draft(chains[(i % 3) as usize], base + i);
                tokio::spawn(async move { store.append_history(draft).await })
            })
            .collect();
        // Every caller has started and the first batch is being written.
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        let mut waited = Vec::new();
        for (i, task) in (0_i64..).zip(tasks) {
            if i % 3 == 1 {
                task.abort();
            } else {
                waited.push((i, task));
            }
        }
        for (i, task) in waited.iter_mut() {
            assert!(
                matches!(task.await, Ok(Ok(()))),
                "{engine:?}: append {i} was answered with its commit"
            );
        }
        // One more, after everything already waiting: the callers gone leave nothing
        // half-written behind it.
        let last = base + 1_000;
        app.state
            .store
            .append_history(login_draft(Some(company), last))
            .await
            .unwrap();
        let raw = app.raw_store().await;
        let rows: Vec<(i64, i64, i64)> = sqlx::query_as(
            "select occurred_at, chain, chain_seq from history \
             where occurred_at >= 1781000000000000 and occurred_at <= 1781000000001000",
        )
        .fetch_all(raw.pool())
        .await
        .unwrap();
        let at: std::collections::BTreeSet<i64> = rows.iter().map(|r| r.0).collect();
        let positions: std::collections::BTreeSet<(i64, i64)> =
            rows.iter().map(|r| (r.1, r.2)).collect();
        assert_eq!(at.len(), rows.len(), "{engine:?}: each entry once");
        assert_eq!(positions.len(), rows.len(), "{engine:?}: one position each");
        for (i, _) in &waited {
            assert!(at.contains(&(base + i)), "{engine:?}: entry {i} is there");
        }
        let report = app.state.store.verify_history(&[]).await.unwrap();
        assert_eq!(report.first_bad, None, "{engine:?}");
        assert_eq!(report.checked, before + rows.len() as i64, "{engine:?}");
    }
}

/// A store without the 操作履歴's key refuses fifty appends at once: every caller of a
/// batch that failed hears so, none waits for ever, and nothing is written.
#[tokio::test]
async fn fifty_appends_at_once_without_the_key_are_each_refused() {
    for engine in engines() {
        let app = TestApp::new(engine).await;
        let keyless = app.raw_store().await;
        let before = app.state.store.verify_history(&[]).await.unwrap().checked;
        let tasks: Vec<_> = (0..50_i64)
            .map(|i| {
                let store = keyless.clone();
                tokio::spawn(async move {
                    store
                        .append_history(login_draft(None, 1_782_000_000_000_000 + i))
                        .await
                })
            })
            .collect();
        for task in tasks {
            let answer = tokio::time::timeout(std::time::Duration::from_secs(60), task)
                .await
                .expect("answered");
            assert!(
                matches!(
                    answer,
                    Ok(Err(madoguchi_store::StoreError::Corrupt(ref m)
                        | madoguchi_store::StoreError::Unwritten(ref m)))
                        if m.contains("no 操作履歴 key")
                ),
                "{engine:?}: {answer:?}"
            );
        }
        let report = app.state.store.verify_history(&[]).await.unwrap();
        assert_eq!(report.checked, before, "{engine:?}: nothing written");
    }
}
