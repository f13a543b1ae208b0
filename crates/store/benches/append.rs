//! What one 操作履歴 append costs: `append_history` one entry per call (as every request
//! that changes nothing else appends), by 1, 8 and 64 writers at once for as many
//! companies (the appends that arrive while a batch is written go together:
//! history_group.rs), timed by the wall clock and by the CPU time of this process (every
//! thread: tokio's, sqlx's SQLite worker's, the MACs). On SQLite that includes the
//! engine; on PostgreSQL the server's own CPU is not counted here.
//! Figures go to docs/performance.md.
//!
//!   cargo bench -p madoguchi-store --bench append                      # SQLite
//!   MADOGUCHI_BENCH_DATABASE_URL=postgres://postgres@127.0.0.1/bench \
//!     cargo bench -p madoguchi-store --bench append                    # an empty database
//!
//! `MADOGUCHI_BENCH_FIRST_COMPANY=N` makes the writers append for companies N, N+1, …
//! (default 1): two of these at once on one PostgreSQL, with different N, are two app
//! servers writing for different companies.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Instant;

use madoguchi_domain::{HistoryArea, Outcome};
use madoguchi_store::{HistoryDraft, HistoryKey, HistoryReadStore, HistoryStore, SqlStore};

/// This process's CPU time so far (user, system; all threads), in seconds, from
/// `/proc/self/stat` (clock ticks of 1/100 s).
fn cpu_seconds() -> (f64, f64) {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap();
    // Fields after the command name, which is in parentheses and may hold spaces.
    let rest = &stat[stat.rfind(')').unwrap() + 2..];
    let fields: Vec<&str> = rest.split(' ').collect();
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
    let ticks = |i: usize| fields[i].parse::<u64>().unwrap() as f64 / 100.0;
    (ticks(11), ticks(12))
}

/// A line of the table: `n` transactions since `cpu` and `wall`.
fn row(what: &str, n: i64, cpu: (f64, f64), wall: Instant) {
    let (wall, (user, system)) = (wall.elapsed().as_secs_f64(), cpu_seconds());
    let (user, system) = (user - cpu.0, system - cpu.1);
    let n = n as f64;
    println!(
        "| {what} | {:.0} | {:.0} µs | {:.0} µs | {:.0} µs |",
        n / wall,
        wall / n * 1e6,
        (user + system) / n * 1e6,
        system / n * 1e6,
    );
}

fn draft(company: i64, i: i64) -> HistoryDraft {
    HistoryDraft {
        occurred_at: 1_780_000_000_000_000 + i,
        company_id: Some(company),
        user_id: Some(company * 10),
        login_id: format!("user{company:04}"),
        ip: "192.0.2.10".into(),
        user_agent: "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/126.0"
            .into(),
        peer: String::new(),
        area: HistoryArea::Users,
        operation: "利用者情報の変更".into(),
        outcome: Outcome::Ok,
        error_code: None,
        details: serde_json::json!({"before": {"利用者名": "山田太郎"}, "after": {"利用者名": "山田花子"}}),
    }
}

fn main() {
    let dir = std::env::temp_dir().join(format!("madoguchi-append-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = std::env::var("MADOGUCHI_BENCH_DATABASE_URL")
        .unwrap_or_else(|_| format!("sqlite://{}/bench.db?mode=rwc", dir.display()));
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let (store, _) = SqlStore::connect_migrated(&url, HistoryKey::new([7; 32]))
            .await
            .unwrap();
        let first: i64 = std::env::var("MADOGUCHI_BENCH_FIRST_COMPANY")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(1);
        println!(
            "| engine | writers | appends | appends/s | wall per append | CPU per append | of which system |"
        );
        println!("|---|---|---|---|---|---|---|");
        // `MADOGUCHI_BENCH_APPENDS=400` for a run under valgrind, whose instruction counts
        // are the same each time (the wall and CPU times of this VM vary by half).
        let appends: i64 = std::env::var("MADOGUCHI_BENCH_APPENDS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(4_000);
        // `MADOGUCHI_BENCH_WRITERS=1` (a list, by commas) runs only those writer counts.
        let counts: Vec<i64> = std::env::var("MADOGUCHI_BENCH_WRITERS")
            .ok()
            .map(|v| v.split(',').filter_map(|w| w.trim().parse().ok()).collect())
            .unwrap_or_else(|| vec![1, 8, 64]);
        for writers in counts {
            let per_writer = appends / writers;
            let (cpu, wall) = (cpu_seconds(), Instant::now());
            let tasks: Vec<_> = (0..writers)
                .map(|w| {
                    let store = store.clone();
                    tokio::spawn(async move {
                        for i in 0..per_writer {
                            store.append_history(draft(first + w, i)).await.unwrap();
                        }
                    })
                })
                .collect();
            for t in tasks {
                t.await.unwrap();
            }
            let what = format!("{} | {writers} | {}", store.backend().name(), per_writer * writers);
            row(&what, per_writer * writers, cpu, wall);
        }
        // The floor of any durable write per request: a transaction inserting one row of
        // one number into a table of its own (begin, insert, commit, the WAL's sync),
        // through the same pool. An append is this plus its chain head's upsert and MAC.
        sqlx::query("create table if not exists bench_floor (n bigint not null)")
            .execute(store.pool())
            .await
            .unwrap();
        let (cpu, wall) = (cpu_seconds(), Instant::now());
        for i in 0..appends {
            let mut tx = store.pool().begin().await.unwrap();
            // A number, not input: nothing to inject.
            sqlx::query(sqlx::AssertSqlSafe(format!("insert into bench_floor (n) values ({i})")))
                .execute(&mut *tx)
                .await
                .unwrap();
            tx.commit().await.unwrap();
        }
        let what = format!("{} | 1 | {appends} (one row, not an append)", store.backend().name());
        row(&what, appends, cpu, wall);
        // What the 操作履歴 itself adds to an append: the canonical form and its MAC.
        let entry = store
            .history(&madoguchi_store::HistoryFilter {
                company_id: Some(first),
                user_id: None,
                limit: 1,
            })
            .await
            .unwrap()
            .remove(0);
        let key = HistoryKey::new([7; 32]);
        let (n, wall) = (if appends < 4_000 { 2_000 } else { 200_000 }, Instant::now());
        for _ in 0..n {
            std::hint::black_box(std::hint::black_box(&entry).expected_hash(&key));
        }
        println!(
            "\nsealing one entry (canonical form + HMAC-SHA-256): {:.2} µs",
            wall.elapsed().as_secs_f64() / f64::from(n) * 1e6
        );
        store.close().await;
    });
    std::fs::remove_dir_all(&dir).ok();
}
