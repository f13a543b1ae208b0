//! The hand-over of accepted orders to the bank's host: a worker that dies after the host
//! received an order, the lease, two workers at once; the outbox across a kill -9 (the
//! real server hands 300 accepted transfers and 30 accepted 総合振込 files to the host
//! simulator, is killed with SIGKILL while it does, and is started again: every order is
//! answered once — the host received each reference once, one 「…の処理結果」 per order,
//! none lost); and `host export` as a 全銀協 file.

use std::process::{Child, Command};
use std::time::{Duration, Instant};

use madoguchi_domain::approval::{Action, Approval};
use madoguchi_domain::limits_ledger::transfer_reservations;
use madoguchi_domain::{ApprovalMode, TransferCategory, Yen};
use madoguchi_store::{
    Acceptance, ConfirmedWrite, NewTransfer, TransferPayee, TransferPayeeKind, TransferView,
};

use axum::http::{Method, StatusCode};
use madoguchi_server::host::{self, Host, Simulator};

use crate::support::{TempDir, TestApp, engines, recent_history};
use crate::transfers_support::{
    COMPANY, TODAY, app, details, first_account, login, new_account, order, request_body, user_id,
};

const TRANSFERS: usize = 300;
const FILES: usize = 30;

/// `FILES` accepted 総合振込 files of two records each, in the outbox.
async fn accepted_files(app: &TestApp, account: i64, user: i64) {
    use madoguchi_store::{BulkMove, BulkRecordRow, BulkTotals, FileFacts, NewBulkOrder};
    for i in 0..FILES {
        let records: Vec<BulkRecordRow> = (1..=2)
            .map(|line| BulkRecordRow {
                line: line + 1,
                bank_code: "0005".into(),
                bank_name: "ﾐﾂﾋﾞｼﾕ-ｴﾌｼﾞｴｲ".into(),
                branch_code: "001".into(),
                branch_name: "ﾎﾝﾃﾝ".into(),
                account_kind: 1,
                number: format!("{:07}", 1_000_000 + i as i64 * 2 + line),
                name: "ﾔﾏﾀﾞ ﾀﾛｳ".into(),
                amount: 10_000,
                deduction: 0,
                transfer_amount: 10_000,
                payer_fee: 0,
                new_code: 0,
                reference: String::new(),
                reference2: String::new(),
                result_code: None,
            })
            .collect();
        let mut totals = BulkTotals::default();
        records.iter().for_each(|r| totals.add(r));
        let new = NewBulkOrder {
            company_id: COMPANY,
            business: madoguchi_domain::Business::BulkTransfer,
            account_id: account,
            file: FileFacts {
                name: format!("sogo-{i}.txt"),
                size: 5 * 122,
                sha256: "0".repeat(64),
                entered: false,
            },
            requester_code: "0000000001".into(),
            requester_name: "ｱﾊﾟﾚﾙ(ｶ)".into(),
            execution_date: "2031-06-12".into(),
            deadline: i64::MAX,
            fee_side: "payer",
            totals,
            approval: Approval::new(ApprovalMode::None, user),
            warnings: Vec::new(),
        };
        let draft =
            madoguchi_server::operator::draft(&app.state, Some(COMPANY), "総合振込のファイル受付");
        let id = app
            .state
            .store
            .create_bulk(&new, &records, draft)
            .await
            .unwrap();
        let next = new
            .approval
            .apply(
                user,
                Action::Confirm {
                    first: None,
                    last: None,
                },
            )
            .unwrap();
        let accept = ConfirmedWrite::MoveBulk(Box::new(BulkMove {
            company_id: COMPANY,
            order_id: id,
            version: 1,
            next,
            acceptance: Some(Acceptance {
                day: TODAY.into(),
                reservations: Vec::new(),
            }),
            approving: false,
            business: madoguchi_domain::Business::BulkTransfer,
        }));
        let draft = madoguchi_server::operator::draft(&app.state, Some(COMPANY), "総合振込の確定");
        app.state
            .store
            .execute_unattended(accept, draft)
            .await
            .unwrap();
    }
}

async fn answered_files(app: &TestApp) -> Vec<madoguchi_store::BulkOrder> {
    app.state
        .store
        .bulk_orders_of(
            COMPANY,
            madoguchi_domain::Business::BulkTransfer,
            TransferView::All,
            1_000,
        )
        .await
        .unwrap()
}

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

/// Orders (transfers and files) the host's answer is recorded for.
async fn answered(app: &TestApp) -> usize {
    app.state
        .store
        .transfers_of(COMPANY, TransferView::All, 1_000)
        .await
        .unwrap()
        .iter()
        .filter(|t| t.host.is_some())
        .count()
        + answered_files(app)
            .await
            .iter()
            .filter(|o| o.host.is_some())
            .count()
}

#[tokio::test]
async fn every_accepted_order_reaches_the_host_once_across_a_kill_9() {
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
        accepted_files(&app, account, user).await;
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
        while answered(&app).await < TRANSFERS + FILES
            && started.elapsed() < Duration::from_secs(90)
        {
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
        let files = answered_files(&app).await;
        assert_eq!(files.len(), FILES);
        for o in &files {
            assert!(
                o.host.as_ref().is_some_and(|h| h.accepted),
                "{engine:?}: file #{} lost",
                o.id
            );
            let reference = madoguchi_server::host::file_reference(o);
            assert_eq!(
                app.state.store.host_book_count(&reference).await.unwrap(),
                1,
                "{engine:?}: {reference} received once"
            );
        }
        let file_results = recent_history(&app, 3_000)
            .await
            .into_iter()
            .filter(|e| {
                madoguchi_domain::history_search::operation_label(&e.operation)
                    == "総合振込の処理結果"
            })
            .count();
        assert_eq!(
            file_results, FILES,
            "{engine:?}: one answer recorded per file"
        );
        eprintln!(
            "{engine:?}: {before_kill} of {} answered when killed",
            TRANSFERS + FILES
        );
    }
}

/// A host that answers, then "crashes" before the answer is recorded.
struct Crashing(Simulator);

#[async_trait::async_trait]
impl Host for Crashing {
    async fn deliver(
        &self,
        reference: &str,
        t: &madoguchi_store::TransferRecord,
    ) -> anyhow::Result<madoguchi_store::HostAnswer> {
        self.0.deliver(reference, t).await?;
        anyhow::bail!("killed after the host received it")
    }

    async fn deliver_file(
        &self,
        reference: &str,
        o: &madoguchi_store::BulkOrder,
    ) -> anyhow::Result<madoguchi_store::HostAnswer> {
        self.0.deliver_file(reference, o).await?;
        anyhow::bail!("killed after the host received it")
    }
}

#[tokio::test]
async fn the_host_receives_each_accepted_transfer_exactly_once_across_a_crash() {
    for engine in engines() {
        let app = app(engine).await;
        let account = first_account(&app).await;
        let mut m = login(&app, "master01").await;
        let ok = m
            .json(
                Method::POST,
                "/api/v1/transfers",
                request_body(account, 10_000, "当方負担", "h-1"),
            )
            .await
            .json()["id"]
            .as_i64()
            .unwrap();
        let mut b = request_body(account, 10_000, "当方負担", "h-2");
        b["payee"] = new_account("9912345");
        let unknown = m.json(Method::POST, "/api/v1/transfers", b).await.json()["id"]
            .as_i64()
            .unwrap();
        let simulator = Simulator::new(&app.state);
        // The first worker delivers and dies before recording the answer.
        let crashing = Crashing(Simulator::new(&app.state));
        assert_eq!(host::deliver_due(&app.state, &crashing).await.unwrap(), 0);
        // Within the claim's lease nobody else takes it; after it, two workers at once.
        assert_eq!(host::deliver_due(&app.state, &simulator).await.unwrap(), 1);
        app.clock
            .advance_secs(i64::from(app.state.config.host_lease_seconds) + 1);
        let (a, b) = tokio::join!(
            host::deliver_due(&app.state, &simulator),
            host::deliver_due(&app.state, &simulator),
        );
        assert_eq!(a.unwrap() + b.unwrap(), 1);
        for (id, accepted) in [(ok, true), (unknown, false)] {
            let t = order(&app, id).await;
            assert_eq!(t.host.as_ref().unwrap().accepted, accepted);
            let reference = host::reference(&t);
            assert_eq!(
                app.state.store.host_book_count(&reference).await.unwrap(),
                1
            );
        }
        let results: Vec<_> = recent_history(&app, 20)
            .await
            .into_iter()
            .filter(|e| e.operation == "振込振替の処理結果")
            .collect();
        assert_eq!(results.len(), 2, "one answer recorded per transfer");
        let rejected = results
            .iter()
            .find(|e| details(e)["result"] == "振込不能")
            .unwrap();
        assert_eq!(rejected.error_code, "HST-0001");
        let shown = m.get(&format!("/api/v1/transfers/{unknown}")).await.json();
        assert_eq!(shown["host_result"], "振込不能");
        assert_eq!(shown["host_reason"], "口座なし");
    }
}

#[tokio::test]
async fn the_days_accepted_transfers_are_written_as_a_zengin_file() {
    for engine in engines() {
        let app = app(engine).await;
        let account = first_account(&app).await;
        let mut m = login(&app, "master01").await;
        for (k, amount, side) in [("z-1", 50_000, "先方負担"), ("z-2", 20_000, "当方負担")]
        {
            let r = m
                .json(
                    Method::POST,
                    "/api/v1/transfers",
                    request_body(account, amount, side, k),
                )
                .await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        }
        let dir = crate::support::TempDir::new();
        let out = dir.0.join("furikomi.txt");
        // Its own data directory: opening a demo database may create the bank's CA there.
        let data_dir = dir.0.to_str().unwrap().to_owned();
        let said = crate::cli::ok(
            &app.db,
            &[
                "--data-dir",
                &data_dir,
                "host",
                "export",
                "--date",
                TODAY,
                "--out",
                out.to_str().unwrap(),
            ],
        );
        assert!(said.contains("2 records, 69,395円, 1 groups"), "{said}");
        let bytes = std::fs::read(&out).unwrap();
        assert_eq!(bytes.len(), 5 * 122, "header, 2 data, trailer, end");
        let record = |i: usize| {
            encoding_rs::SHIFT_JIS
                .decode(&bytes[i * 122..i * 122 + 120])
                .0
                .into_owned()
        };
        let header = record(0);
        assert_eq!(&header[..3], "121");
        assert!(header.contains("0611"), "振込指定日 MMDD: {header}");
        let data = record(1);
        assert!(data.starts_with("20005"), "{data}");
        assert!(
            data.contains("0000049395"),
            "振込金額 after 先方負担: {data}"
        );
        let trailer = record(3);
        assert_eq!(&trailer[..19], "8000002000000069395");
        assert!(record(4).starts_with('9'));
        // Read back by the upload's own parser: every rule of the layout holds.
        let read =
            madoguchi_domain::zengin::parse(&bytes, madoguchi_domain::zengin::Kind::BulkTransfer)
                .unwrap();
        assert_eq!(read.records.len(), 2);
        assert_eq!(read.records[0].amount, 49_395);
        // Another day has nothing but the エンド.
        let empty = dir.0.join("empty.txt");
        crate::cli::ok(
            &app.db,
            &[
                "--data-dir",
                &data_dir,
                "host",
                "export",
                "--date",
                "2031-06-12",
                "--out",
                empty.to_str().unwrap(),
            ],
        );
        assert_eq!(std::fs::read(&empty).unwrap().len(), 122);
    }
}
