//! `madoguchi host export`: the transfers accepted for one 振込指定日, as a 全銀協 file
//! (総合振込 layout, domain.md §7) for a bank whose host takes files rather than the
//! adapter: per paying account, a ヘッダー (the company as 委託者, its account), the
//! データ (振込金額 after any 先方負担手数料), a トレーラー with their count and total;
//! one エンド. The layout allows several such groups before the エンド (the upload parser,
//! for a company's own file, takes one). Bank and branch names come from the 全銀協 master in 半角カナ.

use std::collections::BTreeMap;

use anyhow::Context;
use madoguchi_domain::zengin::{self, File, Header, Kind, Record};
use madoguchi_store::{Account, TransferRecord};
use time::Date;

use crate::state::AppState;

/// The most a トレーラー's 合計金額 (12 digits) and 合計件数 (6) hold.
const MAX_GROUP_TOTAL: i64 = 999_999_999_999;
const MAX_GROUP_COUNT: usize = 999_999;

/// What an export wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exported {
    pub bytes: Vec<u8>,
    /// Transfers and their total (振込金額).
    pub count: usize,
    pub total: i64,
    /// Paying accounts (each a header … trailer group, or several when one's day does
    /// not fit a trailer).
    pub groups: usize,
}

/// The master's カナ of a bank (`branch` empty) or branch; empty when it is not there.
async fn kana(state: &AppState, bank: &str, branch: &str) -> anyhow::Result<String> {
    Ok(state
        .store
        .bank_entry(bank, branch)
        .await?
        .map(|e| e.kana)
        .unwrap_or_default())
}

/// The file of the transfers accepted for `date`.
pub async fn export(state: &AppState, date: Date) -> anyhow::Result<Exported> {
    let key = madoguchi_domain::transfer::date_key(date);
    let orders = state.store.accepted_for_date(&key).await?;
    let mut groups: BTreeMap<(i64, i64), Vec<TransferRecord>> = BTreeMap::new();
    for t in orders {
        groups
            .entry((t.company_id, t.account_id))
            .or_default()
            .push(t);
    }
    let own = state.config.bank_code.clone();
    let own_kana = kana(state, &own, "").await?;
    let mut records = Vec::new();
    let (mut count, mut total) = (0, 0_i64);
    // A group's 合計金額 has 12 digits and its 合計件数 6: a paying account's day that does
    // not fit is written as several groups.
    let mut chunks: Vec<((i64, i64), Vec<TransferRecord>)> = Vec::new();
    for (key, orders) in groups {
        let mut chunk: Vec<TransferRecord> = Vec::new();
        let mut sum = 0_i64;
        for t in orders {
            if !chunk.is_empty()
                && (sum + t.transfer_amount > MAX_GROUP_TOTAL || chunk.len() >= MAX_GROUP_COUNT)
            {
                chunks.push((key, std::mem::take(&mut chunk)));
                sum = 0;
            }
            sum += t.transfer_amount;
            chunk.push(t);
        }
        chunks.push((key, chunk));
    }
    let accounts_written = chunks
        .iter()
        .map(|(k, _)| *k)
        .collect::<std::collections::BTreeSet<_>>()
        .len();
    for ((company_id, account_id), orders) in &chunks {
        let company = state
            .store
            .company(*company_id)
            .await?
            .with_context(|| format!("company {company_id} is gone"))?;
        let accounts: Vec<Account> = state.store.accounts(*company_id).await?;
        let account = accounts
            .iter()
            .find(|a| a.id == *account_id)
            .with_context(|| format!("account {account_id} is gone"))?;
        let mut file = File {
            header: Header {
                kind: Kind::BulkTransfer,
                requester_code: format!("{company_id:010}"),
                requester_name: company.name_kana.clone(),
                month: u8::from(date.month()),
                day: date.day(),
                bank_code: own.clone(),
                bank_name: own_kana.clone(),
                branch_code: account.branch_code.clone(),
                branch_name: kana(state, &own, &account.branch_code).await?,
                account_kind: u8::try_from(account.kind.code())?,
                number: account.number.clone(),
            },
            records: Vec::with_capacity(orders.len()),
        };
        for t in orders {
            let p = &t.payee;
            file.records.push(Record {
                bank_code: p.bank_code.clone(),
                bank_name: kana(state, &p.bank_code, "").await?,
                branch_code: p.branch_code.clone(),
                branch_name: kana(state, &p.bank_code, &p.branch_code).await?,
                account_kind: u8::try_from(p.account_kind)?,
                number: p.number.clone(),
                name: p.name.clone(),
                amount: u64::try_from(t.transfer_amount)?,
                new_code: 0,
                reference: String::new(),
                reference2: String::new(),
            });
        }
        let group = zengin::records(&file)
            .map_err(|e| anyhow::anyhow!("account {account_id}: {}", e.message_ja()))?;
        records.extend(group);
        let group_total: i64 = orders.iter().map(|t| t.transfer_amount).sum();
        count += orders.len();
        total += group_total;
    }
    records.push(zengin::end());
    let bytes = zengin::encode(&records)
        .map_err(|_| anyhow::anyhow!("a record is not in the 全銀協 character set"))?;
    Ok(Exported {
        bytes,
        count,
        total,
        groups: accounts_written,
    })
}

/// The file of every order of `business` (総合振込, 給与振込, 賞与振込, 口座振替) accepted for
/// `date`: each order its own ヘッダー … トレーラー group, as the company sent it (the
/// 振込金額 after any 先方負担手数料), then one エンド.
pub async fn export_business(
    state: &AppState,
    business: madoguchi_domain::Business,
    date: Date,
) -> anyhow::Result<Exported> {
    let kind = madoguchi_domain::bulk::kind_of(business)
        .with_context(|| format!("{} has no file layout", business.label()))?;
    let key = madoguchi_domain::transfer::date_key(date);
    let orders = state.store.bulk_accepted_for_date(business, &key).await?;
    let mut records = Vec::new();
    let (mut count, mut total) = (0, 0_i64);
    for o in &orders {
        let file = order_file(state, o, kind, date).await?;
        let group = zengin::records(&file)
            .map_err(|e| anyhow::anyhow!("order {}: {}", o.id, e.message_ja()))?;
        records.extend(group);
        count += file.records.len();
        total += o.totals.transfer;
    }
    records.push(zengin::end());
    let bytes = zengin::encode(&records)
        .map_err(|_| anyhow::anyhow!("a record is not in the 全銀協 character set"))?;
    Ok(Exported {
        bytes,
        count,
        total,
        groups: orders.len(),
    })
}

/// The file order `o` as the host receives it: its header (the company's account at this
/// bank, the day `date`) and every record with its 振込金額 (after any 先方負担手数料).
pub(crate) async fn order_file(
    state: &AppState,
    o: &madoguchi_store::BulkOrder,
    kind: Kind,
    date: Date,
) -> anyhow::Result<File> {
    let accounts: Vec<Account> = state.store.accounts(o.company_id).await?;
    let account = accounts
        .iter()
        .find(|a| a.id == o.account_id)
        .with_context(|| format!("account {} is gone", o.account_id))?;
    let own = state.config.bank_code.clone();
    let mut file = File {
        header: Header {
            kind,
            requester_code: o.requester_code.clone(),
            requester_name: o.requester_name.clone(),
            month: u8::from(date.month()),
            day: date.day(),
            bank_code: own.clone(),
            bank_name: kana(state, &own, "").await?,
            branch_code: account.branch_code.clone(),
            branch_name: kana(state, &own, &account.branch_code).await?,
            account_kind: u8::try_from(account.kind.code())?,
            number: account.number.clone(),
        },
        records: Vec::with_capacity(usize::try_from(o.totals.count)?),
    };
    let mut after = 0;
    loop {
        let page = state
            .store
            .bulk_records(o.company_id, o.id, after, 5_000)
            .await?;
        let Some(last) = page.last() else {
            break;
        };
        after = last.line;
        for r in page {
            file.records.push(Record {
                bank_code: r.bank_code,
                bank_name: r.bank_name,
                branch_code: r.branch_code,
                branch_name: r.branch_name,
                account_kind: u8::try_from(r.account_kind)?,
                number: r.number,
                name: r.name,
                amount: u64::try_from(r.transfer_amount)?,
                new_code: u8::try_from(r.new_code)?,
                reference: r.reference,
                reference2: r.reference2,
            });
        }
    }
    Ok(file)
}
