//! The outbox across a kill -9: the real server hands 300 accepted transfers to the host
//! simulator, is killed with SIGKILL while it does, and is started again; every transfer
//! is then answered once — the host received each reference once, one 「振込振替の処理結果」
//! per transfer, none lost.

use std::process::{Child, Command};
use std::time::{Duration, Instant};

use madoguchi_domain::approval::{Action, Approval};
use madoguchi_domain::limits_ledger::transfer_reservations;
use madoguchi_domain::{ApprovalMode, TransferCategory, Yen};
use madoguchi_store::{
    Acceptance, ConfirmedWrite, NewTransfer, TransferPayee, TransferPayeeKind, TransferView,
};

use crate::support::{TempDir, TestApp, engines, recent_history};
use crate::transfers::{COMPANY, TODAY, app, first_account, user_id};

const TRANSFERS: usize = 300;

fn key(k: &Option<madoguchi_server::config::SecretText>) -> String {
    k.as_ref()
        .map(|k| k.expose().to_owned())
        .unwrap_or_default()
}

fn serve(app: &TestApp, dir: &TempDir) -> Child {
    Command::new(env!("CARGO_BIN_EXE_madoguchi"))
        .args([
            "--database-url",
            &app.db.url,
            "--data-dir",
            dir.0.to_str().unwrap(),
        ])
        .args(["serve", "--listen", "127.0.0.1:0"])
        // The test server's keys: the entries it appends continue the same chains.
        .env("MADOGUCHI_HISTORY_KEY", key(&app.state.config.history_key))
        .env("MADOGUCHI_OTP_KEY", key(&app.state.config.otp_key))
        .env("MADOGUCHI_HOST_POLL_SECONDS", "1")
        .env("MADOGUCHI_HOST_LEASE_SECONDS", "1")
        .env("MADOGUCHI_LOG", "error")
        .spawn()
        .unwrap()
}

async fn answered(app: &TestApp) -> usize {
    app.state
        .store
        .transfers_of(COMPANY, TransferView::All, 1_000)
        .await
        .unwrap()
        .iter()
        .filter(|t| t.host.is_some())
        .count()
}

#[tokio::test]
async fn every_accepted_transfer_reaches_the_host_once_across_a_kill_9() {
    for engine in engines() {
        let app = app(engine).await;
        let account = first_account(&app).await;
        let user = user_id(&app, "master01").await;
        let settings = app.state.store.company_settings(COMPANY).await.unwrap();
        let limits = settings.settings.accounts[&account];
        for i in 0..TRANSFERS {
            let amount = Yen::from_stored(1_000).unwrap();
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
                company_id: COMPANY,
                account_id: account,
                payee: TransferPayee {
                    kind: TransferPayeeKind::New,
                    payee_id: None,
                    bank_code: "0005".into(),
                    branch_code: "001".into(),
                    account_kind: 1,
                    // Every tenth to an account the simulator does not know.
                    number: if i % 10 == 0 {
                        "9900001".into()
                    } else {
                        "1234567".into()
                    },
                    name: "ﾔﾏﾀﾞ ﾀﾛｳ".into(),
                },
                execution_date: TODAY.into(),
                deadline: i64::MAX,
                amount: amount.get(),
                fee_side: "payer",
                fee: 0,
                transfer_amount: amount.get(),
                approval,
            };
            let acceptance = Acceptance {
                day: TODAY.into(),
                reservations: transfer_reservations(
                    account,
                    &limits,
                    TransferCategory::AdHoc,
                    amount,
                ),
            };
            let history =
                madoguchi_server::operator::draft(&app.state, Some(COMPANY), "振込振替の依頼");
            app.state
                .store
                .execute_unattended(
                    ConfirmedWrite::CreateTransfer {
                        new: Box::new(new),
                        acceptance: Some(acceptance),
                    },
                    history,
                )
                .await
                .unwrap();
        }
        let dir = TempDir::new();
        let mut server = serve(&app, &dir);
        // Killed once it has answered some, while it goes on with the rest.
        let started = Instant::now();
        let mut before_kill = answered(&app).await;
        while before_kill < 20 && started.elapsed() < Duration::from_secs(60) {
            tokio::time::sleep(Duration::from_millis(5)).await;
            before_kill = answered(&app).await;
        }
        server.kill().unwrap();
        server.wait().unwrap();
        assert!(
            before_kill >= 20,
            "{engine:?}: the server delivered nothing"
        );
        let mut server = serve(&app, &dir);
        let started = Instant::now();
        while answered(&app).await < TRANSFERS && started.elapsed() < Duration::from_secs(90) {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        server.kill().unwrap();
        server.wait().unwrap();
        let all = app
            .state
            .store
            .transfers_of(COMPANY, TransferView::All, 1_000)
            .await
            .unwrap();
        assert_eq!(all.len(), TRANSFERS);
        for t in &all {
            let answer = t
                .host
                .as_ref()
                .unwrap_or_else(|| panic!("{engine:?}: #{} lost", t.id));
            assert_eq!(answer.accepted, t.payee.number != "9900001", "#{}", t.id);
            let reference = madoguchi_server::host::reference(t);
            assert_eq!(
                app.state.store.host_book_count(&reference).await.unwrap(),
                1
            );
        }
        let results = recent_history(&app, 2_000)
            .await
            .into_iter()
            .filter(|e| e.operation == "振込振替の処理結果")
            .count();
        assert_eq!(
            results, TRANSFERS,
            "{engine:?}: one answer recorded per transfer"
        );
        eprintln!("{engine:?}: {before_kill} of {TRANSFERS} answered when killed");
    }
}
