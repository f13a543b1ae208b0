//! 総合振込, 給与振込, 賞与振込 and 口座振替 by 全銀協 file, on both engines: a clean file
//! through ファイル受付 → 確定 → 承認 → the host (fees per record, the company's daily limit
//! used, the 操作履歴 of each step); a file with errors refused whole with each error's
//! line and field, nothing saved; concurrent final approvals against one company's daily
//! limit; the approver's 一回当たり限度額 at approval; another company, a general user
//! without permission; and `host export` of a business read back by the parser.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use madoguchi_domain::zengin::{self, File, Header, Kind, Record};
use madoguchi_domain::{ApprovalMode, Business};
use madoguchi_store::{ConfirmedWrite, TransferView};

use crate::support::{Client, TestApp, engines, recent_history};
use crate::transfers_support::{
    COMPANY, act_body, add_approver, app, app_with, details, grant_in, login, yen,
};

/// A record to 三菱ＵＦＪ 本店 (names as the master has them).
pub(crate) fn to_mufg(number: &str, amount: u64) -> Record {
    Record {
        bank_code: "0005".into(),
        bank_name: "ﾐﾂﾋﾞｼﾕ-ｴﾌｼﾞｴｲ".into(),
        branch_code: "001".into(),
        branch_name: "ﾎﾝﾃﾝ".into(),
        account_kind: 1,
        number: number.into(),
        name: "ﾔﾏﾀﾞ ﾀﾛｳ".into(),
        amount,
        new_code: 0,
        reference: "0000000001".into(),
        reference2: "0000000002".into(),
    }
}

/// A file of `kind` from the demo company's 法人営業部 普通 0253226 for 6/`day`/2031.
pub(crate) fn file(kind: Kind, day: u8, records: Vec<Record>) -> Vec<u8> {
    zengin::write(&File {
        header: Header {
            kind,
            requester_code: "0000012345".into(),
            requester_name: "ｱﾊﾟﾚﾙ(ｶ)".into(),
            month: 6,
            day,
            bank_code: "0001".into(),
            bank_name: "ﾐｽﾞﾎ".into(),
            branch_code: "081".into(),
            branch_name: "ﾎｳｼﾞﾝｴｲｷﾞﾖｳﾌﾞ".into(),
            account_kind: 1,
            number: "0253226".into(),
        },
        records,
    })
    .unwrap()
}

/// POSTs `bytes` as the multipart part `file`, with `fields`, to `path`.
pub(crate) async fn post_file(
    c: &mut Client,
    path: &str,
    bytes: &[u8],
    fields: &[(&str, &str)],
) -> crate::support::Resp {
    let boundary = "madoguchi-test-boundary";
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\ncontent-disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!("--{boundary}\r\ncontent-disposition: form-data; name=\"file\"; filename=\"sogo.txt\"\r\ncontent-type: text/plain\r\n\r\n").as_bytes(),
    );
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let mut req = Request::builder().method(Method::POST).uri(path).header(
        "content-type",
        format!("multipart/form-data; boundary={boundary}"),
    );
    if let Some(csrf) = &c.csrf {
        req = req.header("x-csrf-token", csrf);
    }
    c.send(req.body(Body::from(body)).unwrap()).await
}

/// Sets the company's 承認機能 of `b` and its 企業一日当たりの限度額.
pub(crate) async fn set_business(app: &TestApp, b: Business, mode: ApprovalMode, daily: i64) {
    let store = &app.state.store;
    let stored = store.company_settings(COMPANY).await.unwrap();
    let mut settings = stored.settings;
    match b {
        Business::BulkTransfer => settings.approval.bulk_transfer = mode,
        Business::Salary | Business::Bonus => settings.approval.salary_bonus = mode,
        _ => settings.approval.direct_debit = mode,
    }
    settings.company.set(b.company_limit().unwrap(), yen(daily));
    let write = ConfirmedWrite::CompanySettings {
        company_id: COMPANY,
        expected_version: stored.version,
        settings,
    };
    let draft = madoguchi_server::operator::draft(&app.state, Some(COMPANY), "承認機能の設定");
    store.execute_unattended(write, draft).await.unwrap();
}

async fn bulk_count(app: &TestApp) -> usize {
    app.state
        .store
        .bulk_orders_of(COMPANY, Business::BulkTransfer, TransferView::All, 1000)
        .await
        .unwrap()
        .len()
        + app
            .state
            .store
            .bulk_orders_of(COMPANY, Business::Salary, TransferView::All, 1000)
            .await
            .unwrap()
            .len()
}

#[tokio::test]
async fn a_clean_file_goes_from_upload_through_approval_to_the_host() {
    for engine in engines() {
        let app = app(engine).await;
        set_business(
            &app,
            Business::BulkTransfer,
            ApprovalMode::Single,
            10_000_000,
        )
        .await;
        let approver = add_approver(&app, "shonin01").await;
        grant_in(
            &app,
            "shonin01",
            &["approve.bulk"],
            Business::BulkTransfer,
            10_000_000,
        )
        .await;
        let mut m = login(&app, "master01").await;
        // 12 June: the business day before (11 June) at 18:00 is still ahead.
        let bytes = file(
            Kind::BulkTransfer,
            12,
            vec![to_mufg("1111111", 30_000), to_mufg("2222222", 10_000)],
        );
        let r = post_file(
            &mut m,
            "/api/v1/bulk/bulk_transfer/files",
            &bytes,
            &[
                ("fee_side", "payee"),
                ("first_approver", &approver.to_string()),
            ],
        )
        .await;
        assert_eq!(r.status, StatusCode::CREATED, "{engine:?} {}", r.body);
        let v = r.json();
        let id = v["id"].as_i64().unwrap();
        assert_eq!(v["order"]["state"], "作成中");
        assert_eq!(v["order"]["count"], 2);
        assert_eq!(v["order"]["total_amount"], 40_000);
        // 先方負担 by the demo's 先方負担手数料[総合振込] (the bank's standard table, 据置型):
        // each record's deduction, and the 当方負担手数料 of what is credited.
        let detail = m
            .get(&format!("/api/v1/bulk/bulk_transfer/orders/{id}"))
            .await
            .json();
        let records = detail["records"].as_array().unwrap();
        let sum = |k: &str| records.iter().map(|r| r[k].as_i64().unwrap()).sum::<i64>();
        assert_eq!(
            detail["order"]["deduction_total"].as_i64().unwrap(),
            sum("deduction")
        );
        assert_eq!(
            detail["order"]["transfer_total"].as_i64().unwrap(),
            40_000 - sum("deduction")
        );
        assert!(sum("deduction") > 0 && sum("payer_fee") > 0, "{detail}");
        // 確定 by the creator → 承認待ち; nothing of the limit used yet.
        let r = m
            .json(
                Method::POST,
                &format!("/api/v1/bulk/bulk_transfer/orders/{id}/confirm"),
                act_body("b-1"),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert!(r.body.contains("承認待ち"));
        let day = madoguchi_domain::jst::date_of(app.state.now());
        let used = || async {
            app.state
                .store
                .limit_used(COMPANY, "company:bulk_transfer", &day)
                .await
                .unwrap()
        };
        assert_eq!(used().await, 0);
        // The approver's 承認 accepts it: the company's limit used by the 振込金額.
        let mut a = login(&app, "shonin01").await;
        let waiting = a
            .get("/api/v1/bulk/bulk_transfer/orders?view=waiting")
            .await
            .json();
        assert_eq!(waiting.as_array().unwrap().len(), 1);
        let r = a
            .json(
                Method::POST,
                &format!("/api/v1/bulk/bulk_transfer/orders/{id}/approve"),
                act_body("b-2"),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(used().await, 40_000 - sum("deduction"));
        // The host receives it once.
        let host = madoguchi_server::host::Simulator::new(&app.state);
        assert_eq!(
            madoguchi_server::host::deliver_due(&app.state, &host)
                .await
                .unwrap(),
            1
        );
        assert_eq!(
            madoguchi_server::host::deliver_due(&app.state, &host)
                .await
                .unwrap(),
            0
        );
        let o = app
            .state
            .store
            .bulk_order(COMPANY, id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(o.approval.state.label(), "受付済み");
        assert!(o.host.unwrap().accepted);
        let ops: Vec<String> = recent_history(&app, 12)
            .await
            .iter()
            .map(|e| e.operation.clone())
            .collect();
        for op in [
            "総合振込のファイル受付",
            "総合振込の確定",
            "総合振込の承認",
            "総合振込の処理結果",
        ] {
            assert!(
                ops.iter()
                    .any(|o| madoguchi_domain::history_search::operation_label(o) == op),
                "{op} in {ops:?}"
            );
        }
        let upload = recent_history(&app, 12)
            .await
            .into_iter()
            .find(|e| {
                madoguchi_domain::history_search::operation_label(&e.operation)
                    == "総合振込のファイル受付"
            })
            .unwrap();
        let d = details(&upload);
        assert_eq!(d["file_name"], "sogo.txt");
        assert_eq!(d["size"], bytes.len());
        assert_eq!(d["sha256"].as_str().unwrap().len(), 64);
    }
}

#[tokio::test]
async fn a_file_with_errors_is_refused_whole_each_error_named_and_nothing_saved() {
    for engine in engines() {
        let app = app(engine).await;
        set_business(
            &app,
            Business::BulkTransfer,
            ApprovalMode::Single,
            10_000_000,
        )
        .await;
        let approver = add_approver(&app, "shonin01").await;
        grant_in(
            &app,
            "shonin01",
            &["approve.bulk"],
            Business::BulkTransfer,
            10_000_000,
        )
        .await;
        let mut m = login(&app, "master01").await;
        let mut unknown = to_mufg("3333333", 5_000);
        unknown.branch_code = "998".into();
        let mut bytes = file(
            Kind::BulkTransfer,
            12,
            vec![to_mufg("1111111", 30_000), unknown],
        );
        // Lower case in the second record's 受取人名 (columns 51–80 of line 3).
        let at = 2 * 122 + 50;
        bytes[at] = b'a';
        let r = post_file(
            &mut m,
            "/api/v1/bulk/bulk_transfer/files",
            &bytes,
            &[("first_approver", &approver.to_string())],
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        let v = r.json();
        assert_eq!(v["code"], "FIL-0100");
        let errors = v["errors"].as_array().unwrap();
        assert!(
            errors
                .iter()
                .any(|e| e["line"] == 3 && e["columns"] == "51-80" && e["code"] == "FIL-0006"),
            "{v}"
        );
        // The parser's errors come first; the master is checked only on a clean file.
        let bytes = file(
            Kind::BulkTransfer,
            12,
            vec![to_mufg("1111111", 30_000), {
                let mut u = to_mufg("3333333", 5_000);
                u.branch_code = "998".into();
                u
            }],
        );
        let r = post_file(
            &mut m,
            "/api/v1/bulk/bulk_transfer/files",
            &bytes,
            &[("first_approver", &approver.to_string())],
        )
        .await;
        let v = r.json();
        let errors = v["errors"].as_array().unwrap();
        assert_eq!(errors.len(), 1, "{v}");
        assert_eq!(
            (errors[0]["line"].as_i64(), errors[0]["field"].as_str()),
            (Some(3), Some("被仕向支店番号"))
        );
        assert_eq!(errors[0]["code"], "FIL-0010");
        // Another company's account in the header.
        let mut other = zengin::parse(
            &file(Kind::BulkTransfer, 12, vec![to_mufg("1", 1)]),
            Kind::BulkTransfer,
        )
        .unwrap();
        other.header.number = "7654321".into();
        let r = post_file(
            &mut m,
            "/api/v1/bulk/bulk_transfer/files",
            &zengin::write(&other).unwrap(),
            &[("first_approver", &approver.to_string())],
        )
        .await;
        assert_eq!(r.json()["errors"][0]["code"], "FIL-0014");
        // A salary file sent as 総合振込: the 種別コード.
        let r = post_file(
            &mut m,
            "/api/v1/bulk/bulk_transfer/files",
            &file(Kind::Salary, 17, vec![to_mufg("1", 1)]),
            &[],
        )
        .await;
        assert_eq!(r.json()["errors"][0]["code"], "FIL-0004");
        assert_eq!(bulk_count(&app).await, 0, "nothing saved");
        let refused = recent_history(&app, 10)
            .await
            .into_iter()
            .filter(|e| {
                madoguchi_domain::history_search::operation_label(&e.operation)
                    == "総合振込のファイル受付"
                    && e.error_code == "FIL-0100"
            })
            .count();
        assert!(refused >= 4, "every refusal recorded");
    }
}

#[tokio::test]
async fn final_approvals_at_once_accept_only_what_fits_the_companys_daily_limit() {
    for engine in engines() {
        // Sixty 確認用パスワード of one approver judged at once: more than the attempts a
        // user is allowed in flight by default.
        let app = app_with(engine, |c| c.confirmation_lock_threshold = 1_000).await;
        // 給与振込: 2,500,000円 a day; sixty files of 100,000円 each, all approved at once
        // through two app servers on the one database.
        set_business(&app, Business::Salary, ApprovalMode::Single, 2_500_000).await;
        let approver = add_approver(&app, "shonin01").await;
        grant_in(
            &app,
            "shonin01",
            &["approve.salary"],
            Business::Salary,
            10_000_000,
        )
        .await;
        let mut m = login(&app, "master01").await;
        let mut ids = Vec::new();
        for i in 0..FILES_AT_ONCE {
            let bytes = file(
                Kind::Salary,
                17,
                vec![to_mufg(&format!("{:07}", i + 1), 100_000)],
            );
            let r = post_file(
                &mut m,
                "/api/v1/bulk/salary/files",
                &bytes,
                &[("first_approver", &approver.to_string())],
            )
            .await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
            let id = r.json()["id"].as_i64().unwrap();
            let r = m
                .json(
                    Method::POST,
                    &format!("/api/v1/bulk/salary/orders/{id}/confirm"),
                    act_body(&format!("c-{i}")),
                )
                .await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
            ids.push(id);
        }
        let second = app.second_server().await;
        let a = login(&app, "shonin01").await;
        let mut approvals = Vec::new();
        for (i, id) in ids.iter().enumerate() {
            let mut tab = if i % 2 == 0 { app.client() } else { second() };
            tab.copy_session_from(&a);
            tab.csrf = a.csrf.clone();
            let id = *id;
            approvals.push(async move {
                let r = tab
                    .json(
                        Method::POST,
                        &format!("/api/v1/bulk/salary/orders/{id}/approve"),
                        act_body(&format!("a-{i}")),
                    )
                    .await;
                (r.status, r.json())
            });
        }
        let mut accepted = 0;
        for (status, v) in futures_util::future::join_all(approvals).await {
            if status == StatusCode::OK {
                accepted += 1;
            } else {
                assert_eq!(v["code"], "LIM-0004", "{v}");
                assert!(v["message"].as_str().unwrap().contains("給与振込"), "{v}");
            }
        }
        assert_eq!(accepted, 25, "{engine:?}");
        let day = madoguchi_domain::jst::date_of(app.state.now());
        assert_eq!(
            app.state
                .store
                .limit_used(COMPANY, "company:salary", &day)
                .await
                .unwrap(),
            2_500_000
        );
        // The refused ones are still 承認待ち: nothing of them was written but the refusal.
        let waiting = app
            .state
            .store
            .bulk_orders_of(COMPANY, Business::Salary, TransferView::All, 1000)
            .await
            .unwrap()
            .iter()
            .filter(|o| o.approval.state.label() == "承認待ち")
            .count();
        assert_eq!(waiting, FILES_AT_ONCE - 25);
    }
}

/// How many files the concurrent test approves at once.
const FILES_AT_ONCE: usize = 60;

#[tokio::test]
async fn the_approvers_limit_refuses_at_approval_and_others_see_nothing() {
    for engine in engines() {
        let app = app(engine).await;
        set_business(
            &app,
            Business::DirectDebit,
            ApprovalMode::Single,
            10_000_000,
        )
        .await;
        let approver = add_approver(&app, "shonin01").await;
        // The approver may approve 口座振替 only up to 50,000円 a file.
        grant_in(
            &app,
            "shonin01",
            &["approve.debit"],
            Business::DirectDebit,
            50_000,
        )
        .await;
        let mut m = login(&app, "master01").await;
        let mut debit = to_mufg("1234567", 60_000);
        debit.reference = "00000000000000012345".into();
        debit.reference2 = String::new();
        // 口座振替: five business days before 20 June 2031 (Fri) is 13 June.
        let bytes = file(Kind::DirectDebit, 20, vec![debit]);
        let r = post_file(
            &mut m,
            "/api/v1/bulk/direct_debit/files",
            &bytes,
            &[("first_approver", &approver.to_string())],
        )
        .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let id = r.json()["id"].as_i64().unwrap();
        let r = m
            .json(
                Method::POST,
                &format!("/api/v1/bulk/direct_debit/orders/{id}/confirm"),
                act_body("d-1"),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::OK,
            "accepted for approval: the limit is the approver's, {}",
            r.body
        );
        let mut a = login(&app, "shonin01").await;
        let r = a
            .json(
                Method::POST,
                &format!("/api/v1/bulk/direct_debit/orders/{id}/approve"),
                act_body("d-2"),
            )
            .await;
        assert_eq!(r.json()["code"], "LIM-0005", "{}", r.body);
        // A general user without any permission of 口座振替, and another company's master.
        let mut g = login(&app, "ippan01").await;
        assert_eq!(
            g.get(&format!("/api/v1/bulk/direct_debit/orders/{id}"))
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        let r = post_file(&mut g, "/api/v1/bulk/direct_debit/files", &bytes, &[]).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let mut other = login(&app, "other01").await;
        assert_eq!(
            other
                .get(&format!("/api/v1/bulk/direct_debit/orders/{id}"))
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        // The wrong business in the path: not found either.
        assert_eq!(
            m.get(&format!("/api/v1/bulk/salary/orders/{id}"))
                .await
                .status,
            StatusCode::NOT_FOUND
        );
    }
}

#[tokio::test]
async fn host_export_writes_a_businesss_accepted_files_that_read_back() {
    for engine in engines() {
        let app = app(engine).await;
        set_business(&app, Business::Salary, ApprovalMode::Single, 10_000_000).await;
        let approver = add_approver(&app, "shonin01").await;
        grant_in(
            &app,
            "shonin01",
            &["approve.salary"],
            Business::Salary,
            10_000_000,
        )
        .await;
        let mut m = login(&app, "master01").await;
        let records = vec![to_mufg("1111111", 250_000), to_mufg("2222222", 310_000)];
        let bytes = file(Kind::Salary, 17, records.clone());
        let r = post_file(
            &mut m,
            "/api/v1/bulk/salary/files",
            &bytes,
            &[("first_approver", &approver.to_string())],
        )
        .await;
        let id = r.json()["id"].as_i64().unwrap();
        m.json(
            Method::POST,
            &format!("/api/v1/bulk/salary/orders/{id}/confirm"),
            act_body("e-1"),
        )
        .await;
        let mut a = login(&app, "shonin01").await;
        let r = a
            .json(
                Method::POST,
                &format!("/api/v1/bulk/salary/orders/{id}/approve"),
                act_body("e-2"),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let day = time::macros::date!(2031 - 06 - 17);
        let out = madoguchi_server::host_export::export_business(&app.state, Business::Salary, day)
            .await
            .unwrap();
        assert_eq!((out.count, out.total, out.groups), (2, 560_000, 1));
        let back = zengin::parse(&out.bytes, Kind::Salary).unwrap();
        assert_eq!(back.records, records);
        assert_eq!(back.header.requester_code, "0000012345");
    }
}

#[tokio::test]
async fn debit_results_come_back_once_and_are_shown_per_record_and_as_csv() {
    for engine in engines() {
        let app = app(engine).await;
        set_business(
            &app,
            Business::DirectDebit,
            ApprovalMode::Single,
            10_000_000,
        )
        .await;
        let approver = add_approver(&app, "shonin01").await;
        grant_in(
            &app,
            "shonin01",
            &["approve.debit"],
            Business::DirectDebit,
            10_000_000,
        )
        .await;
        let mut m = login(&app, "master01").await;
        let debit = |number: &str, amount: u64| {
            let mut r = to_mufg(number, amount);
            r.reference = format!("{:020}", amount);
            r.reference2 = String::new();
            r
        };
        // 99… is the simulator's 取引なし, 98… its 資金不足.
        let records = vec![
            debit("1111111", 5_000),
            debit("9911111", 7_000),
            debit("9811111", 3_000),
        ];
        let bytes = file(Kind::DirectDebit, 20, records);
        let r = post_file(
            &mut m,
            "/api/v1/bulk/direct_debit/files",
            &bytes,
            &[("first_approver", &approver.to_string())],
        )
        .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let id = r.json()["id"].as_i64().unwrap();
        m.json(
            Method::POST,
            &format!("/api/v1/bulk/direct_debit/orders/{id}/confirm"),
            act_body("r-1"),
        )
        .await;
        let mut a = login(&app, "shonin01").await;
        let r = a
            .json(
                Method::POST,
                &format!("/api/v1/bulk/direct_debit/orders/{id}/approve"),
                act_body("r-2"),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        // No results yet: nothing to download.
        assert_eq!(
            m.get(&format!("/api/v1/bulk/direct_debit/orders/{id}/results"))
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        let day = time::macros::date!(2031 - 06 - 20);
        let files = madoguchi_server::host_results::simulate(&app.state, day)
            .await
            .unwrap();
        assert_eq!(files.len(), 1);
        let (_, result_file) = &files[0];
        // A result file whose trailer does not match its records is refused.
        let mut wrong = result_file.clone();
        wrong[4 * 122 + 19] = b'9';
        assert!(
            madoguchi_server::host_results::import(&app.state, &wrong)
                .await
                .is_err()
        );
        let done = madoguchi_server::host_results::import(&app.state, result_file)
            .await
            .unwrap();
        assert_eq!(done.order_id, id);
        assert_eq!(
            (done.results.settled_count, done.results.settled_amount),
            (1, 5_000)
        );
        assert_eq!(
            (done.results.unsettled_count, done.results.unsettled_amount),
            (2, 10_000)
        );
        assert!(
            madoguchi_server::host_results::import(&app.state, result_file)
                .await
                .is_err(),
            "once"
        );
        let detail = m
            .get(&format!("/api/v1/bulk/direct_debit/orders/{id}"))
            .await
            .json();
        let codes: Vec<i64> = detail["records"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["result_code"].as_i64().unwrap())
            .collect();
        assert_eq!(codes, [0, 2, 1]);
        let csv = m
            .get(&format!("/api/v1/bulk/direct_debit/orders/{id}/results"))
            .await;
        assert_eq!(csv.status, StatusCode::OK);
        assert!(csv.body.starts_with('\u{feff}'));
        assert!(
            csv.body.contains("\"取引なし\"")
                && csv.body.contains("\"資金不足\"")
                && csv.body.contains("\"振替済\",\"1\",\"5000\""),
            "{}",
            csv.body
        );
        let sjis = m
            .get_raw(&format!(
                "/api/v1/bulk/direct_debit/orders/{id}/results?encoding=sjis"
            ))
            .await;
        let (text, _, bad) = encoding_rs::SHIFT_JIS.decode(&sjis);
        assert!(!bad && text.contains("取引なし"));
        // The approver holds no 振替結果照会.
        assert_eq!(
            a.get(&format!("/api/v1/bulk/direct_debit/orders/{id}/results"))
                .await
                .status,
            StatusCode::FORBIDDEN
        );
        let entry = recent_history(&app, 20)
            .await
            .into_iter()
            .find(|e| e.operation == "口座振替の振替結果")
            .unwrap();
        assert_eq!(details(&entry)["unsettled_count"], 2);
    }
}
