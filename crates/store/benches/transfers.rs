//! Accepted 振込振替 per second with the atomic limit checks: each one transaction that
//! stores the order, adds its amount to the paying account's 合計 and category usage with
//! conditional updates, puts it in the outbox and appends its 操作履歴 entry — against the
//! store's durable-commit rate on the same machine (a lone 操作履歴 append, one
//! transaction each). Writers all paying from one account (one limit row: they queue on
//! it) and each from its own. Figures go to docs/performance.md.
//!
//!   cargo bench -p madoguchi-store --bench transfers                   # SQLite
//!   MADOGUCHI_BENCH_DATABASE_URL=postgres://postgres@127.0.0.1/bench \
//!     cargo bench -p madoguchi-store --bench transfers                 # an empty database
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use madoguchi_domain::approval::{Action, Approval};
use madoguchi_domain::limits::{AccountDailyLimits, TransferCategory};
use madoguchi_domain::limits_ledger::transfer_reservations;
use madoguchi_domain::{AccountKind, ApprovalMode, HistoryArea, Outcome, Yen};
use madoguchi_store::{
    Acceptance, CompanyStore, ConfirmedStore, ConfirmedWrite, HistoryDraft, HistoryKey,
    HistoryStore, NewAccount, NewCompany, NewTransfer, NewUser, SqlStore, TransferPayee,
    TransferPayeeKind, UserProfile, UserStore,
};

const PER_RUN: usize = 4_000;

fn draft(company: i64, operation: &str) -> HistoryDraft {
    HistoryDraft {
        occurred_at: 1_780_000_000_000_000,
        company_id: Some(company),
        user_id: None,
        login_id: "bench01".into(),
        ip: "192.0.2.10".into(),
        user_agent: "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/126.0".into(),
        peer: String::new(),
        area: HistoryArea::Transfer,
        operation: operation.into(),
        outcome: Outcome::Ok,
        error_code: None,
        details: serde_json::json!({"amount": 30000, "state": "受付済み"}),
    }
}

fn order(company: i64, user: i64, account: i64) -> (NewTransfer, Acceptance) {
    let limits = AccountDailyLimits {
        transfer_total: Yen::from_stored(999_999_999_999_999).unwrap(),
        transfer_ad_hoc: Yen::from_stored(999_999_999_999_999).unwrap(),
        transfer_registered: Yen::from_stored(999_999_999_999_999).unwrap(),
    };
    let amount = Yen::from_stored(30_000).unwrap();
    let approval = Approval::new(ApprovalMode::None, user)
        .apply(
            user,
            Action::Confirm {
                first: None,
                last: None,
            },
        )
        .unwrap();
    let new = NewTransfer {
        company_id: company,
        account_id: account,
        payee: TransferPayee {
            kind: TransferPayeeKind::New,
            payee_id: None,
            bank_code: "0005".into(),
            branch_code: "001".into(),
            account_kind: 1,
            number: "1234567".into(),
            name: "ﾔﾏﾀﾞ ﾀﾛｳ".into(),
        },
        execution_date: "2031-06-11".into(),
        deadline: 1_944_000_000_000_000,
        amount: amount.get(),
        fee_side: "payer",
        fee: 0,
        transfer_amount: amount.get(),
        approval,
    };
    let acceptance = Acceptance {
        day: "2031-06-11".into(),
        reservations: transfer_reservations(account, &limits, TransferCategory::AdHoc, amount),
    };
    (new, acceptance)
}

/// p50 and p99 of `times`.
fn percentiles(times: &mut [Duration]) -> (Duration, Duration) {
    times.sort();
    let at = |p: f64| times[((times.len() as f64 * p) as usize).min(times.len() - 1)];
    (at(0.50), at(0.99))
}

/// Runs `writers` tasks doing `PER_RUN` operations between them; per second, p50, p99.
async fn run<F, Fut>(writers: usize, op: F) -> (f64, Duration, Duration)
where
    F: Fn(usize) -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    let wall = Instant::now();
    let tasks: Vec<_> = (0..writers)
        .map(|w| {
            let op = op.clone();
            tokio::spawn(async move {
                let mut times = Vec::with_capacity(PER_RUN / writers);
                for _ in 0..PER_RUN / writers {
                    let t = Instant::now();
                    op(w).await;
                    times.push(t.elapsed());
                }
                times
            })
        })
        .collect();
    let mut times = Vec::new();
    for t in tasks {
        times.extend(t.await.unwrap());
    }
    let rate = times.len() as f64 / wall.elapsed().as_secs_f64();
    let (p50, p99) = percentiles(&mut times);
    (rate, p50, p99)
}

fn main() {
    let dir = std::env::temp_dir().join(format!("madoguchi-transfer-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = std::env::var("MADOGUCHI_BENCH_DATABASE_URL")
        .unwrap_or_else(|_| format!("sqlite://{}/bench.db?mode=rwc", dir.display()));
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let (store, _) = SqlStore::connect_migrated(&url, HistoryKey::new([7; 32]))
            .await
            .unwrap();
        let company = store
            .create_company(
                NewCompany {
                    name: "ベンチ株式会社".into(),
                    name_kana: "ﾍﾞﾝﾁ(ｶ".into(),
                },
                draft(0, "企業の登録"),
            )
            .await
            .unwrap()
            .id;
        let mut accounts = Vec::new();
        for i in 0..8 {
            let a = store
                .add_account(
                    NewAccount {
                        company_id: company,
                        branch_code: "081".into(),
                        branch_name: "法人営業部".into(),
                        kind: AccountKind::Ordinary,
                        number: format!("{:07}", 1_000_000 + i),
                        holder: "ﾍﾞﾝﾁ(ｶ".into(),
                    },
                    draft(company, "口座の登録"),
                )
                .await
                .unwrap();
            accounts.push(a.id);
        }
        let user = store
            .create_user(
                company,
                NewUser {
                    login_id: "bench01".into(),
                    login_key: "bench01".into(),
                    name: "ベンチ 太郎".into(),
                    email: "bench@example.jp".into(),
                    is_master: true,
                    is_admin: true,
                    login_password_hash: "x".into(),
                    confirm_password_hash: None,
                    must_change_password: false,
                    must_change_confirmation: false,
                    profile: UserProfile::default(),
                },
                draft(company, "利用者の登録"),
            )
            .await
            .unwrap()
            .id;
        println!("| engine | what | writers | per second | p50 | p99 |");
        println!("|---|---|---|---|---|---|");
        let engine = store.backend().name();
        let show = |what: &str, writers: usize, (rate, p50, p99): (f64, Duration, Duration)| {
            println!(
                "| {engine} | {what} | {writers} | {rate:.0} | {:.2} ms | {:.2} ms |",
                p50.as_secs_f64() * 1e3,
                p99.as_secs_f64() * 1e3
            );
        };
        for writers in [1, 8] {
            let s = store.clone();
            show(
                "durable commit (one 操作履歴 append)",
                writers,
                run(writers, move |_| {
                    let s = s.clone();
                    async move {
                        s.append_history(draft(company, "ベンチ")).await.unwrap();
                    }
                })
                .await,
            );
            for (what, spread) in [
                ("accepted 振込振替, one account", false),
                ("accepted 振込振替, an account each", true),
            ] {
                if writers == 1 && spread {
                    continue;
                }
                let s = store.clone();
                let accounts = accounts.clone();
                show(
                    what,
                    writers,
                    run(writers, move |w| {
                        let s = s.clone();
                        let account = if spread {
                            accounts[w % accounts.len()]
                        } else {
                            accounts[0]
                        };
                        async move {
                            let (new, acceptance) = order(company, user, account);
                            s.execute_unattended(
                                ConfirmedWrite::CreateTransfer {
                                    new: Box::new(new),
                                    acceptance: Some(acceptance),
                                },
                                draft(company, "振込振替の依頼"),
                            )
                            .await
                            .unwrap();
                        }
                    })
                    .await,
                );
            }
        }
        store.close().await;
    });
    std::fs::remove_dir_all(&dir).ok();
}
