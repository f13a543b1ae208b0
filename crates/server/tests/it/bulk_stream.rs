//! A 全銀協 file is stored as it is checked, batch by batch, in one transaction: a file
//! whose error comes after a thousand records were written saves nothing (and the
//! refusal names the line); a clean one of the same size is stored whole. Both engines.

use axum::http::StatusCode;
use madoguchi_domain::zengin::Kind;
use madoguchi_domain::{ApprovalMode, Business};
use madoguchi_store::TransferView;

use crate::bulk::{file, post_file, set_business, to_mufg};
use crate::support::engines;
use crate::transfers_support::{COMPANY, add_approver, app, grant_in, login};

const RECORDS: usize = 1_200;

#[tokio::test]
async fn an_error_after_written_batches_saves_nothing() {
    for engine in engines() {
        let app = app(engine).await;
        set_business(&app, Business::Salary, ApprovalMode::Single, 10_000_000_000).await;
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
        let records = |bad: Option<usize>| {
            (0..RECORDS)
                .map(|i| {
                    let mut r = to_mufg(&format!("{:07}", i + 1), 1_000);
                    if Some(i) == bad {
                        r.branch_code = "998".into();
                    }
                    r
                })
                .collect::<Vec<_>>()
        };
        let approver = approver.to_string();
        let fields = [("first_approver", approver.as_str())];
        // Record 1,100 (line 1,101) names a branch the master lacks: two batches of 500
        // were already in the order's transaction.
        let bytes = file(Kind::Salary, 17, records(Some(1_099)));
        let r = post_file(&mut m, "/api/v1/bulk/salary/files", &bytes, &fields).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{engine:?} {}",
            r.body
        );
        let v = r.json();
        assert_eq!(v["errors"][0]["line"], 1_101, "{v}");
        assert_eq!(v["errors"][0]["code"], "FIL-0010");
        let orders = || async {
            app.state
                .store
                .bulk_orders_of(COMPANY, Business::Salary, TransferView::All, 10)
                .await
                .unwrap()
        };
        assert!(orders().await.is_empty(), "{engine:?}: nothing saved");
        let records_left: i64 = sqlx::query_scalar("select count(*) from bulk_records")
            .fetch_one(app.raw_store().await.pool())
            .await
            .unwrap();
        assert_eq!(records_left, 0, "{engine:?}: no record kept");
        // The same file without the error: every record, the totals as summed.
        let bytes = file(Kind::Salary, 17, records(None));
        let r = post_file(&mut m, "/api/v1/bulk/salary/files", &bytes, &fields).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let o = &orders().await[0];
        assert_eq!(o.totals.count, RECORDS as i64);
        assert_eq!(o.totals.transfer, RECORDS as i64 * 1_000);
        let id = o.id;
        let all = app
            .state
            .store
            .bulk_records(COMPANY, id, 0, 10_000)
            .await
            .unwrap();
        assert_eq!(all.len(), RECORDS);
        assert_eq!(all.last().unwrap().line, RECORDS as i64 + 1);
    }
}
