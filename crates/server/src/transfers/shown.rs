//! What 確認, 結果 and 照会 show of a 振込振替 order, in the manual's words: the payee, the
//! amounts (支払金額, 先方負担手数料, 振込金額), the 振込指定日, the approvers and the state.

use madoguchi_domain::approval::State;
use madoguchi_domain::{AccountKind, jst};
use madoguchi_store::{TransferPayee, TransferRecord};

use crate::confirm::Section;
pub use crate::orders::shown::{
    account_label, amount_item, approval_section, item, user_label, yen,
};

fn kind_label(code: i64) -> &'static str {
    AccountKind::from_code(code).map_or("", AccountKind::label)
}

/// The payee, with the bank's and branch's names.
pub fn payee_section(p: &TransferPayee, bank: &str, branch: &str) -> Section {
    Section::new(
        "振込先",
        vec![
            item("振込先区分", p.kind.label()),
            item("金融機関", format!("{bank} ({})", p.bank_code)),
            item("支店", format!("{branch} ({})", p.branch_code)),
            item("科目", kind_label(p.account_kind)),
            item("口座番号", &p.number),
            item("受取人名", &p.name),
        ],
    )
}

/// The amounts and the day.
pub struct Amounts<'a> {
    pub account: &'a str,
    pub date: &'a str,
    pub amount: i64,
    pub fee_side: &'a str,
    pub fee: i64,
    pub transfer_amount: i64,
}

pub fn amounts_section(a: &Amounts<'_>) -> Section {
    Section::new(
        "振込内容",
        vec![
            item("支払口座", a.account),
            item("振込指定日", jst::format_date(a.date)),
            amount_item("支払金額", a.amount),
            item("手数料負担", a.fee_side),
            amount_item("先方負担手数料", a.fee),
            amount_item("振込金額", a.transfer_amount),
        ],
    )
}

/// 処理結果: what the bank's host answered, once it has.
pub fn host_label(t: &TransferRecord) -> &'static str {
    match (&t.host, t.approval.state) {
        (Some(h), _) if h.accepted => "入金済み",
        (Some(_), _) => "振込不能",
        (None, State::Accepted) => "処理中",
        (None, _) => "",
    }
}
