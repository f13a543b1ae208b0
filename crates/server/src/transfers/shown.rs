//! What 確認, 結果 and 照会 show of a 振込振替 order, in the manual's words: the payee, the
//! amounts (支払金額, 先方負担手数料, 振込金額), the 振込指定日, the approvers and the state.

use madoguchi_domain::approval::{Approval, State};
use madoguchi_domain::{AccountKind, ApprovalMode, Yen, jst};
use madoguchi_store::{Account, TransferPayee, TransferRecord, UserRecord};

use crate::confirm::{Row, Section};

/// 円 with thousands separators.
pub fn yen(amount: i64) -> String {
    format!(
        "{}円",
        Yen::from_stored(amount).unwrap_or(Yen::ZERO).grouped()
    )
}

/// 法人営業部 普通 0253226
pub fn account_label(a: &Account) -> String {
    format!("{} {} {}", a.branch_name, a.kind.label(), a.number)
}

/// An item as it is (not a change: no red, no 「変更」 mark).
pub fn item(label: &str, value: impl Into<String>) -> Row {
    let value = value.into();
    Row::text(label, value.clone(), value)
}

/// An amount as it is.
pub fn amount_item(label: &str, amount: i64) -> Row {
    Row::amount(label, yen(amount), yen(amount))
}

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

/// 佐藤 花子 (sato01)
pub fn user_label(users: &[UserRecord], id: Option<i64>) -> String {
    match id {
        None => String::new(),
        Some(id) => users.iter().find(|u| u.id == id).map_or_else(
            || format!("#{id}"),
            |u| format!("{} ({})", u.name, u.login_id),
        ),
    }
}

/// The approval: the mode, the approvers named, and the state `before` → `after`
/// (changed in red on 確認 and 結果).
pub fn approval_section(users: &[UserRecord], before: Option<State>, after: &Approval) -> Section {
    let mut rows = vec![item("承認機能", after.mode.label())];
    match after.mode {
        ApprovalMode::None => {}
        ApprovalMode::Single => rows.push(item("承認者", user_label(users, after.first))),
        ApprovalMode::DoubleUnordered | ApprovalMode::DoubleOrdered => {
            let (first, last) = if after.mode == ApprovalMode::DoubleOrdered {
                ("一次承認者", "最終承認者")
            } else {
                ("承認者1", "承認者2")
            };
            rows.push(item(first, user_label(users, after.first)));
            rows.push(item(last, user_label(users, after.last)));
        }
    }
    let approved: Vec<String> = after
        .approved_by
        .iter()
        .map(|id| user_label(users, Some(*id)))
        .collect();
    if !approved.is_empty() {
        rows.push(item("承認済み", approved.join("、")));
    }
    rows.push(match before {
        Some(b) => Row::text("状態", b.label(), after.state.label()),
        None => item("状態", after.state.label()),
    });
    Section::new("承認", rows)
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
