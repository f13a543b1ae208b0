//! What 確認, 結果 and 照会 show of any order, in the manual's words: amounts in 円, an
//! account, a user, and the approval (the mode, the approvers, the state before → after).

use madoguchi_domain::approval::{Approval, State};
use madoguchi_domain::{ApprovalMode, Yen};
use madoguchi_store::{Acceptance, Account, UserRecord};

use crate::confirm::{Row, Section};
use crate::web::scope::CompanyScope;

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

/// The section of 確認 that warns of the daily limits.
pub const LIMITS: &str = "限度額";

/// What remains today of each limit of `a` (the warning of 確認 before the 承認).
pub async fn remaining_rows(
    scope: &CompanyScope<'_>,
    a: &Acceptance,
) -> Result<Vec<Row>, madoguchi_domain::Error> {
    let mut rows = Vec::new();
    for r in &a.reservations {
        let used = scope.limit_used(&r.scope.key(), &a.day).await?;
        let left = (r.limit.get() - used).max(0);
        rows.push(amount_item(
            &format!("本日の残り（{}）", r.scope.label()),
            left,
        ));
        if r.amount.get() > left {
            rows.push(item(
                "注意",
                "このままでは限度額を超えるため、承認時に受け付けできません。",
            ));
        }
    }
    Ok(rows)
}
