//! 口座振替's results from the bank's host: `madoguchi host debit-results` has the host
//! simulator write the result file of each accepted 口座振替 of an 引落日 (the 全銀協
//! layout of the request, with each record's 振替結果コード and the trailer's 振替済・振替不能
//! 件数・金額), and `madoguchi host import-results FILE` reads such a file — every rule of
//! the parser, the sums of its trailer — finds the order it answers (委託者, 引落日, account,
//! 件数 and 金額) and records each record's result once, with its 操作履歴 entry.

use anyhow::Context;
use madoguchi_domain::Business;
use madoguchi_domain::zengin::{self, Kind};
use madoguchi_store::{BulkResults, RecordResult};
use time::Date;

use crate::state::AppState;

/// The simulator's result for a debtor's account: 99… has no account (取引なし), 98… has
/// too little in it (資金不足), any other is debited.
fn simulated(number: &str) -> u8 {
    if number.starts_with("99") {
        2
    } else if number.starts_with("98") {
        1
    } else {
        0
    }
}

/// The simulator's result files of the 口座振替 accepted for `date` and not yet answered:
/// (the order's reference, the file).
pub async fn simulate(state: &AppState, date: Date) -> anyhow::Result<Vec<(String, Vec<u8>)>> {
    let key = madoguchi_domain::transfer::date_key(date);
    let orders = state
        .store
        .bulk_accepted_for_date(Business::DirectDebit, &key)
        .await?;
    let mut out = Vec::new();
    for o in orders.iter().filter(|o| o.results.is_none()) {
        let file = crate::host_export::order_file(state, o, Kind::DirectDebit, date).await?;
        let codes: Vec<u8> = file.records.iter().map(|r| simulated(&r.number)).collect();
        let bytes = zengin::write_results(&file, &codes)
            .map_err(|e| anyhow::anyhow!("order {}: {}", o.id, e.message_ja()))?;
        out.push((crate::host::file_reference(o), bytes));
    }
    Ok(out)
}

/// What an import recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imported {
    pub order_id: i64,
    pub results: BulkResults,
}

/// Reads the result file `bytes` and records it against the order it answers.
pub async fn import(state: &AppState, bytes: &[u8]) -> anyhow::Result<Imported> {
    let mut results = Vec::new();
    let (summary, settled) = zengin::parse_results(bytes, |line, _, code| {
        results.push(RecordResult {
            line: line as i64,
            code: i64::from(code),
        })
    })
    .map_err(|errors| {
        let lines: Vec<String> = errors
            .iter()
            .take(20)
            .map(|e| format!("{} {}", e.code, e.message))
            .collect();
        anyhow::anyhow!("the result file is not right:\n{}", lines.join("\n"))
    })?;
    let h = &summary.header;
    let today = madoguchi_domain::jst::date_of(state.now());
    let year: i32 = today
        .get(..4)
        .and_then(|y| y.parse().ok())
        .context("today's year")?;
    let mut candidates = Vec::new();
    for y in [year, year - 1] {
        let Ok(month) = time::Month::try_from(h.month) else {
            break;
        };
        let Ok(date) = Date::from_calendar_date(y, month, h.day) else {
            continue;
        };
        let key = madoguchi_domain::transfer::date_key(date);
        candidates.extend(
            state
                .store
                .bulk_accepted_for_date(Business::DirectDebit, &key)
                .await?,
        );
    }
    let mut found = None;
    for o in candidates {
        let accounts = state.store.accounts(o.company_id).await?;
        let same_account = accounts.iter().any(|a| {
            a.id == o.account_id && a.branch_code == h.branch_code && a.number == h.number
        });
        if o.results.is_none()
            && same_account
            && o.requester_code == h.requester_code
            && o.totals.count == i64::try_from(summary.count)?
            && o.totals.amount == i64::try_from(summary.total)?
        {
            found = Some(o);
            break;
        }
    }
    let o = found.context(
        "no accepted 口座振替 without results matches the file (委託者コード, 引落日, 口座, 件数, 金額)",
    )?;
    let totals = BulkResults {
        at: state.now(),
        settled_count: i64::try_from(settled.settled_count)?,
        settled_amount: i64::try_from(settled.settled_amount)?,
        unsettled_count: i64::try_from(settled.unsettled_count)?,
        unsettled_amount: i64::try_from(settled.unsettled_amount)?,
    };
    let mut history = crate::host::file_entry(state, &o, "振替結果", crate::host::HOST);
    if let Some(d) = history.details.as_object_mut() {
        d.insert("settled_count".into(), totals.settled_count.into());
        d.insert("settled_amount".into(), totals.settled_amount.into());
        d.insert("unsettled_count".into(), totals.unsettled_count.into());
        d.insert("unsettled_amount".into(), totals.unsettled_amount.into());
    }
    let recorded = state
        .store
        .record_results(o.company_id, o.id, &results, totals, history)
        .await?;
    anyhow::ensure!(recorded, "the results of order {} are in already", o.id);
    Ok(Imported {
        order_id: o.id,
        results: totals,
    })
}
