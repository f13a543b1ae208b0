//! What 確認, 結果 and 照会 show of a file order, in the manual's words: the file (名称,
//! サイズ, 委託者), the 振込指定日 / 引落日, the totals (件数, 金額, 手数料), the approval.

use madoguchi_domain::approval::State;
use madoguchi_domain::{Business, jst};
use madoguchi_store::{Account, BulkOrder, BulkRecordRow};

use crate::confirm::Section;
use crate::orders::shown::{account_label, amount_item, item, yen};

/// 振込指定日, or 引落日 for 口座振替.
pub fn date_label(b: Business) -> &'static str {
    if b == Business::DirectDebit {
        "引落日"
    } else {
        "振込指定日"
    }
}

/// The file and the day.
pub fn file_section(o: &BulkOrder, account: Option<&Account>) -> Section {
    let method = if o.file.entered {
        "画面入力"
    } else {
        "ファイル受付"
    };
    let mut rows = vec![item("業務", o.business.label()), item("依頼方法", method)];
    rows.extend(file_rows(o));
    rows.extend([
        item("委託者コード", &o.requester_code),
        item("委託者名", &o.requester_name),
        item(
            if o.business == Business::DirectDebit {
                "入金口座"
            } else {
                "支払口座"
            },
            account.map(account_label).unwrap_or_default(),
        ),
        item(date_label(o.business), jst::format_date(&o.execution_date)),
        item("承認期限", jst::format_minutes(o.deadline)),
    ]);
    Section::new("依頼内容", rows)
}

/// ファイル名 and サイズ of an uploaded file (nothing for a 依頼 typed on screen).
fn file_rows(o: &BulkOrder) -> Vec<crate::confirm::Row> {
    if o.file.entered {
        return Vec::new();
    }
    vec![
        item("ファイル名", &o.file.name),
        item("ファイルサイズ", format!("{}バイト", o.file.size)),
    ]
}

/// Records shown on 確認 of 確定 before the whole list of 取引詳細.
pub const RECORDS_SHOWN: i64 = 20;

/// The first records of `o` (at most [`RECORDS_SHOWN`]): each payee, account, amount and,
/// for 総合振込, its fees.
pub fn records_section(o: &BulkOrder, records: &[BulkRecordRow]) -> Section {
    let rows = records
        .iter()
        .map(|r| {
            let kind = madoguchi_domain::AccountKind::from_code(r.account_kind)
                .map_or("", madoguchi_domain::AccountKind::label);
            let mut value = format!(
                "{}-{} {kind} {}　{}",
                r.bank_name,
                r.branch_name,
                r.number,
                yen(r.amount)
            );
            if o.business == Business::BulkTransfer {
                value.push_str(&format!(
                    "（先方負担手数料 {}、振込金額 {}、当方負担手数料 {}）",
                    yen(r.deduction),
                    yen(r.transfer_amount),
                    yen(r.payer_fee)
                ));
            }
            item(&format!("{}行目 {}", r.line, r.name), value)
        })
        .collect();
    let title = if o.totals.count > RECORDS_SHOWN {
        format!("明細（先頭{RECORDS_SHOWN}件。すべての明細は取引詳細に表示されます）")
    } else {
        "明細".to_owned()
    };
    Section::new(title, rows)
}

/// 合計件数, 合計金額 and the fees.
pub fn totals_section(o: &BulkOrder) -> Section {
    let t = &o.totals;
    let mut rows = vec![
        item("合計件数", format!("{}件", t.count)),
        amount_item(
            if o.business == Business::DirectDebit {
                "合計引落金額"
            } else {
                "合計支払金額"
            },
            t.amount,
        ),
    ];
    if o.business == Business::BulkTransfer {
        rows.push(item(
            "手数料負担",
            madoguchi_domain::transfer::FeeSide::parse(&o.fee_side)
                .map_or("", madoguchi_domain::transfer::FeeSide::label),
        ));
        rows.push(amount_item("先方負担手数料合計", t.deduction));
        rows.push(amount_item("合計振込金額", t.transfer));
        rows.push(amount_item("当方負担手数料合計", t.payer_fee));
    }
    Section::new("合計", rows)
}

/// 処理結果: what the bank's host answered, once it has.
pub fn host_label(o: &BulkOrder) -> &'static str {
    match (&o.host, o.approval.state, &o.results) {
        (_, _, Some(_)) => "振替結果あり",
        (Some(h), _, _) if h.accepted => "受付済み（勘定系）",
        (Some(_), _, _) => "受付不能",
        (None, State::Accepted, _) => "処理中",
        (None, _, _) => "",
    }
}
