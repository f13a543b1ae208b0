//! Guesses sent all at once cannot get past a lock-out: at most N (the threshold) password
//! verdicts are judged between two successes or releases, a guess arriving after them is
//! refused without its password being looked at, and a success never follows the lock in
//! the 操作履歴. For the login password and for the 確認用パスワード. (Found by attack:
//! with 50 guesses at once the right one got in after 25 wrong ones.)

use axum::http::{Method, StatusCode};
use madoguchi_store::HistoryEntry;
use serde_json::json;

use crate::support::{Engine, TestApp, engines, key, recent_history};

const THRESHOLD: i64 = 5;

/// The 操作履歴 of `login_id`, oldest first.
async fn entries_of(app: &TestApp, login_id: &str) -> Vec<HistoryEntry> {
    let mut all: Vec<HistoryEntry> = recent_history(app, 3000)
        .await
        .into_iter()
        .filter(|e| e.login_id == login_id)
        .collect();
    all.reverse();
    all
}

/// Checks the lock property on the entries of one burst: between two successes at most N
/// verdicts are judged, at most `max_successes` succeed, and none after the lock.
fn assert_lock_held(
    engine: Engine,
    entries: &[HistoryEntry],
    operation: &str,
    wrong_code: &str,
    lock_operation: &str,
    max_successes: usize,
) {
    let mut since_success = 0;
    let mut successes = 0;
    let mut locked_at = None;
    for e in entries {
        if e.operation == lock_operation {
            assert!(locked_at.is_none(), "{engine:?}: the lock is recorded once");
            locked_at = Some(e.seq);
        } else if e.operation == operation && e.error_code == wrong_code {
            since_success += 1;
            assert!(
                since_success <= THRESHOLD,
                "{engine:?}: {since_success} wrong verdicts judged without a success between"
            );
        } else if e.operation == operation && e.outcome == "正常" {
            assert!(
                locked_at.is_none(),
                "{engine:?}: a success followed the lock"
            );
            since_success = 0;
            successes += 1;
        }
    }
    assert!(
        successes <= max_successes,
        "{engine:?}: {successes} successes"
    );
}

async fn login_burst(engine: Engine, guesses: usize, right_at: usize) {
    let app = TestApp::new(engine).await;
    let mut tasks = Vec::new();
    for i in 0..guesses {
        let mut client = app.client();
        let password = if i == right_at {
            "Demo1234"
        } else {
            "Wrong9999"
        };
        tasks.push(tokio::spawn(async move {
            client.api_login("ippan01", password).await.status
        }));
    }
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await.unwrap());
    }
    let succeeded = statuses.iter().filter(|s| **s == StatusCode::OK).count();
    assert!(succeeded <= 1, "{engine:?}: one right password");
    assert!(
        statuses
            .iter()
            .all(|s| *s == StatusCode::OK || *s == StatusCode::UNAUTHORIZED),
        "{engine:?}: {statuses:?}"
    );
    let entries = entries_of(&app, "ippan01").await;
    assert_lock_held(
        engine,
        &entries,
        "ログイン",
        "AUTH-0001",
        "ログインパスワード利用停止",
        succeeded,
    );
    assert_eq!(
        entries
            .iter()
            .filter(|e| e.operation == "ログイン" && e.outcome == "正常")
            .count(),
        succeeded,
        "{engine:?}: each success answered is recorded"
    );
    let user = app
        .state
        .store
        .user_by_login_key("ippan01")
        .await
        .unwrap()
        .unwrap();
    if succeeded == 0 {
        assert!(
            user.login_locked,
            "{engine:?}: {guesses} wrong guesses lock"
        );
        // After the lock even the right password gets the answer a wrong one gets.
        let after = app.client().api_login("ippan01", "Demo1234").await;
        let wrong = app.client().api_login("ippan01", "Wrong9999").await;
        assert_eq!(after.status, StatusCode::UNAUTHORIZED, "{engine:?}");
        assert_eq!(
            after.json(),
            wrong.json(),
            "{engine:?}: nothing tells them apart"
        );
    }
}

#[tokio::test]
async fn fifty_login_guesses_at_once_judge_at_most_five() {
    for engine in engines() {
        for right_at in [0, 3, 25, 49] {
            login_burst(engine, 50, right_at).await;
        }
    }
}

#[tokio::test]
async fn two_hundred_login_guesses_at_once_judge_at_most_five() {
    for engine in engines() {
        let right_at = usize::from(rand::random::<u8>()) % 200;
        login_burst(engine, 200, right_at).await;
        login_burst(engine, 200, 150).await;
    }
}

async fn confirmation_burst(engine: Engine, guesses: usize, right_at: usize) {
    let app = TestApp::new(engine).await;
    let mut c = crate::users::admin_api(&app, "master01").await;
    let settings = c.get("/api/v1/company/settings").await.json();
    let csrf = c.csrf.clone();
    let mut tasks = Vec::new();
    for i in 0..guesses {
        let mut client = app.client();
        client.copy_session_from(&c);
        client.csrf = csrf.clone();
        let mut body = settings.clone();
        body["confirmation_password"] = json!(if i == right_at {
            "Kakunin12"
        } else {
            "Wrong9999"
        });
        body["idempotency_key"] = json!(key(&format!("burst-{i}")));
        tasks.push(tokio::spawn(async move {
            client
                .json(Method::PUT, "/api/v1/company/settings", body)
                .await
                .status
        }));
    }
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await.unwrap());
    }
    let succeeded = statuses.iter().filter(|s| **s == StatusCode::OK).count();
    assert!(succeeded <= 1, "{engine:?}");
    let entries = entries_of(&app, "master01").await;
    assert_lock_held(
        engine,
        &entries,
        "企業情報の変更",
        "AUTH-0003",
        "確認用パスワード利用停止",
        succeeded,
    );
    // A guess whose input is checked after the right one committed finds the settings'
    // version moved on: 409 (Stale), its password never judged.
    assert!(
        statuses.iter().all(|s| [
            StatusCode::OK,
            StatusCode::UNAUTHORIZED,
            StatusCode::LOCKED,
            StatusCode::TOO_MANY_REQUESTS,
            StatusCode::CONFLICT
        ]
        .contains(s)),
        "{engine:?}: {statuses:?}"
    );
}

#[tokio::test]
async fn confirmation_guesses_at_once_judge_at_most_five() {
    for engine in engines() {
        for right_at in [2, 30] {
            confirmation_burst(engine, 50, right_at).await;
        }
    }
}
