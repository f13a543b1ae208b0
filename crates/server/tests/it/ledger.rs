//! The usage of the daily limits under attack: 100 orders at once against one account's
//! remaining limit accept exactly as many as fit, never more — from one app server and
//! from two on the same database; a sub-limit and the 合計 hold together, and a refused
//! order adds nothing to either; every order's acceptance or refusal is in the 操作履歴.

use madoguchi_domain::limits::{AccountDailyLimits, TransferCategory};
use madoguchi_domain::limits_ledger::transfer_reservations;
use madoguchi_domain::{HistoryArea, Yen};
use madoguchi_store::{LedgerStore, SqlStore, StoreError};

use crate::support::{TestApp, engines, recent_history};

const DAY: &str = "2027-04-01";

fn yen(v: i64) -> Yen {
    Yen::from_stored(v).unwrap()
}

fn limits() -> AccountDailyLimits {
    AccountDailyLimits {
        transfer_total: yen(1_000_000),
        transfer_ad_hoc: yen(300_000),
        transfer_registered: yen(1_000_000),
    }
}

/// One order of `amount` to a payee of `category` through `store`: accepted or not.
async fn order(
    app: &TestApp,
    store: &SqlStore,
    category: TransferCategory,
    amount: i64,
) -> Result<(), StoreError> {
    let reservations = transfer_reservations(3, &limits(), category, yen(amount));
    let mut draft = app.state.draft(
        &madoguchi_server::web::client::ClientInfo::operator_cli(),
        HistoryArea::Operator,
        "限度額の使用",
    );
    draft.company_id = Some(1);
    store.reserve_limits(1, DAY, &reservations, draft).await
}

async fn used(app: &TestApp, scope: &str) -> i64 {
    app.state.store.limit_used(1, scope, DAY).await.unwrap()
}

#[tokio::test]
async fn a_hundred_orders_at_once_accept_exactly_what_fits() {
    for engine in engines() {
        let app = TestApp::new(engine).await;
        let first = app::connect_second(&app).await;
        let second = app::connect_second(&app).await;
        // 30,000 × 33 = 990,000 of the 1,000,000 合計; half of the orders through each of two
        // app servers' pools.
        let orders = (0..100).map(|i| {
            let store = if i % 2 == 0 { &first } else { &second };
            order(&app, store, TransferCategory::Registered, 30_000)
        });
        let results = futures_util::future::join_all(orders).await;
        let accepted = results.iter().filter(|r| r.is_ok()).count();
        assert_eq!(accepted, 33, "{engine:?}");
        for r in results.iter().filter_map(|r| r.as_ref().err()) {
            assert!(
                matches!(r, StoreError::LimitReached { .. }),
                "{engine:?}: {r:?}"
            );
        }
        assert_eq!(used(&app, "account:3:transfer_total").await, 990_000);
        assert_eq!(used(&app, "account:3:transfer_registered").await, 990_000);
        let entries = recent_history(&app, 200).await;
        let ok = entries
            .iter()
            .filter(|e| e.operation == "限度額の使用" && e.error_code.is_empty())
            .count();
        let refused = entries
            .iter()
            .filter(|e| e.error_code == "LIM-0004")
            .count();
        assert_eq!(
            (ok, refused),
            (33, 67),
            "{engine:?}: every order is recorded"
        );
        // What remains (10,000) is still usable, exactly.
        assert!(
            order(&app, &first, TransferCategory::Registered, 10_001)
                .await
                .is_err()
        );
        assert!(
            order(&app, &first, TransferCategory::Registered, 10_000)
                .await
                .is_ok()
        );
        assert_eq!(used(&app, "account:3:transfer_total").await, 1_000_000);
    }
}

#[tokio::test]
async fn a_sub_limit_and_the_total_hold_together() {
    for engine in engines() {
        let app = TestApp::new(engine).await;
        let store = app::connect_second(&app).await;
        // 都度指定 300,000: ten of 30,000 fit, whatever the 合計 leaves.
        let orders = (0..50).map(|_| order(&app, &store, TransferCategory::AdHoc, 30_000));
        let accepted = futures_util::future::join_all(orders)
            .await
            .iter()
            .filter(|r| r.is_ok())
            .count();
        assert_eq!(accepted, 10, "{engine:?}");
        assert_eq!(used(&app, "account:3:transfer_ad_hoc").await, 300_000);
        // 事前登録 fills the 合計 to 1,000,000.
        assert!(
            order(&app, &store, TransferCategory::Registered, 700_000)
                .await
                .is_ok()
        );
        assert_eq!(used(&app, "account:3:transfer_total").await, 1_000_000);
        // A refusal by the 合計 adds nothing to its category either.
        let before = used(&app, "account:3:transfer_registered").await;
        let refused = order(&app, &store, TransferCategory::Registered, 1)
            .await
            .unwrap_err();
        assert!(
            matches!(
                refused,
                StoreError::LimitReached {
                    index: 1,
                    used: 1_000_000,
                    ..
                }
            ),
            "{refused:?}"
        );
        assert_eq!(
            used(&app, "account:3:transfer_registered").await,
            before,
            "{engine:?}"
        );
        // Another day starts from nothing.
        assert_eq!(
            app.state
                .store
                .limit_used(1, "account:3:transfer_total", "2027-04-02")
                .await
                .unwrap(),
            0
        );
    }
}

mod app {
    use crate::support::TestApp;

    /// Another app server's store on the test database.
    pub async fn connect_second(app: &TestApp) -> madoguchi_store::SqlStore {
        madoguchi_server::app::connect(&app.state.config)
            .await
            .unwrap()
    }
}
