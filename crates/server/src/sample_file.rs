//! `madoguchi host sample-file`: a valid 全銀協 file of one company's business for its
//! earliest allowed 振込指定日 (引落日) — the file a company's accounting software would
//! send — for trying 依頼(ファイル受付) with the demo, for the browser tests and for the
//! benchmarks. Payees at real banks and branches of the loaded 全銀協 master (this bank's
//! 本支店 and, where the master has the paying branch, 同一店 included), names in 半角カナ.

use anyhow::Context;
use madoguchi_domain::Business;
use madoguchi_domain::zengin::{self, File, Header, Record};

use crate::state::AppState;

/// (金融機関コード, 支店コード) the records cycle through; `None` for the bank itself, at the
/// paying account's branch (同一店宛) and at another of its branches (本支店宛).
const PAYEES: [(Option<&str>, &str); 4] = [
    (Some("0005"), "001"),
    (Some("0009"), "001"),
    (None, ""),
    (None, "100"),
];

const NAMES: [&str; 4] = ["ﾔﾏﾀﾞ ﾀﾛｳ", "ｽｽﾞｷ ﾊﾅｺ", "ｻﾄｳ ｲﾁﾛｳ", "ﾀﾅｶ ﾐｻｷ"];

/// `records` records of `business` from company `company_id`'s first account.
pub async fn sample(
    state: &AppState,
    company_id: i64,
    business: Business,
    records: usize,
) -> anyhow::Result<Vec<u8>> {
    let kind = madoguchi_domain::bulk::kind_of(business)
        .with_context(|| format!("{} has no file layout", business.label()))?;
    let company = state
        .store
        .company(company_id)
        .await?
        .with_context(|| format!("no company {company_id}"))?;
    let accounts = state.store.accounts(company_id).await?;
    let account = accounts.first().context("the company has no account")?;
    let window = state.config.bulk_window(business)?;
    let calendar = crate::reference::calendar(state)
        .await
        .map_err(|e| anyhow::anyhow!("{}", e.message_ja()))?;
    let date = window.first_day(&calendar, state.now());
    let own = state.config.bank_code.clone();
    let kana = async |bank: &str, branch: &str| -> anyhow::Result<String> {
        Ok(state
            .store
            .bank_entry(bank, branch)
            .await?
            .map(|e| e.kana)
            .unwrap_or_default())
    };
    let mut payees = Vec::new();
    for (bank, branch) in PAYEES {
        let bank = bank.unwrap_or(&own);
        let branch = if branch.is_empty() {
            account.branch_code.as_str()
        } else {
            branch
        };
        let branch_kana = kana(bank, branch).await?;
        // A branch the loaded master lacks (a demo account's, say) is left out.
        if !branch_kana.is_empty() {
            payees.push((
                bank.to_owned(),
                kana(bank, "").await?,
                branch.to_owned(),
                branch_kana,
            ));
        }
    }
    anyhow::ensure!(!payees.is_empty(), "the 全銀協 master is not loaded");
    let mut file = File {
        header: Header {
            kind,
            requester_code: format!("{company_id:010}"),
            requester_name: company.name_kana.clone(),
            month: u8::from(date.month()),
            day: date.day(),
            bank_code: own.clone(),
            bank_name: kana(&own, "").await?,
            branch_code: account.branch_code.clone(),
            branch_name: kana(&own, &account.branch_code).await?,
            account_kind: u8::try_from(account.kind.code())?,
            number: account.number.clone(),
        },
        records: Vec::with_capacity(records),
    };
    for i in 0..records {
        let (bank, bank_name, branch, branch_name) = &payees[i % payees.len()];
        let amount = 10_000 + (i as u64 * 1_237) % 290_000;
        file.records.push(Record {
            bank_code: bank.clone(),
            bank_name: bank_name.chars().take(15).collect(),
            branch_code: branch.clone(),
            branch_name: branch_name.chars().take(15).collect(),
            account_kind: 1,
            number: format!("{:07}", 1_000_000 + i),
            name: NAMES[i % NAMES.len()].to_owned(),
            amount,
            new_code: 0,
            reference: if business == Business::DirectDebit {
                format!("{:020}", i + 1)
            } else {
                format!("{:010}", i + 1)
            },
            reference2: if business == Business::DirectDebit {
                String::new()
            } else {
                "0000000001".to_owned()
            },
        });
    }
    zengin::write(&file).map_err(|e| anyhow::anyhow!("{}", e.message_ja()))
}
