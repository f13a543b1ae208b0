//! サービス利用権限 (`reference/domain.md` §4.2): the checkboxes of 利用者登録[権限], with
//! the manual's descriptions. Admin screens are gated by 管理者権限, not by a checkbox.

/// One permission a user can be given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Permission {
    /// Stored and API code.
    pub code: &'static str,
    /// 区分 (明細照会, 振込振替, …).
    pub group: &'static str,
    /// The checkbox's label.
    pub label: &'static str,
    /// The manual's 説明.
    pub description: &'static str,
}

const fn p(
    code: &'static str,
    group: &'static str,
    label: &'static str,
    description: &'static str,
) -> Permission {
    Permission {
        code,
        group,
        label,
        description,
    }
}

/// A permission of 振込振替: its 依頼, 振込先管理 and 全取引照会, or its 承認.
pub fn concerns_transfer(code: &str) -> bool {
    code.starts_with("transfer.") || code == "approve.transfer"
}

/// A permission of business `b`: its 依頼, 振込先管理, 全取引照会 …, or its 承認
/// (給与振込 and 賞与振込 share 給与・賞与振込's).
pub fn concerns(b: crate::Business, code: &str) -> bool {
    use crate::Business;
    let area = match b {
        Business::Transfer => "transfer",
        Business::BulkTransfer => "bulk",
        Business::Salary | Business::Bonus => "salary",
        Business::DirectDebit => "debit",
    };
    code.strip_prefix(area)
        .is_some_and(|rest| rest.starts_with('.'))
        || code.strip_prefix("approve.") == Some(area)
}

/// Every permission, in the manual's order.
pub const ALL: &[Permission] = &[
    p(
        "inquiry.balance",
        "明細照会",
        "残高照会",
        "口座の残高の照会が可能",
    ),
    p(
        "inquiry.statement",
        "明細照会",
        "入出金明細照会",
        "口座の入出金明細の照会が可能",
    ),
    p(
        "inquiry.incoming",
        "明細照会",
        "振込入金明細照会",
        "口座への振込入金明細の照会が可能",
    ),
    p(
        "transfer.registered",
        "振込振替",
        "依頼(事前登録口座)",
        "金融機関に届け出ている事前登録口座への振込振替データの作成・編集・削除・照会が可能（自身が依頼者/承認者となっているデータのみ）",
    ),
    p(
        "transfer.user_registered",
        "振込振替",
        "依頼(利用者登録口座)",
        "振込先管理で登録した利用者登録口座への振込振替データの作成・編集・削除・照会が可能",
    ),
    p(
        "transfer.new_account",
        "振込振替",
        "依頼(新規口座指定)",
        "任意の金融機関・支店・口座を指定した振込振替データの作成・編集・削除・照会が可能",
    ),
    p(
        "transfer.payees",
        "振込振替",
        "振込先管理",
        "振込振替の振込先（利用者登録口座）の登録・変更・削除が可能",
    ),
    p(
        "transfer.all",
        "振込振替",
        "全取引照会",
        "企業内のほかの利用者が依頼者/承認者となっている取引を含む振込振替全取引の照会が可能",
    ),
    p(
        "bulk.screen",
        "総合振込",
        "依頼(画面入力)",
        "画面入力による依頼データの作成・編集・削除・照会・引戻し・切替が可能",
    ),
    p(
        "bulk.file",
        "総合振込",
        "依頼(ファイル受付)",
        "ファイル受付による依頼データの作成・編集・削除・照会・引戻し・切替が可能",
    ),
    p(
        "bulk.payees",
        "総合振込",
        "振込先管理",
        "総合振込の振込先の登録・変更・削除が可能",
    ),
    p(
        "bulk.all",
        "総合振込",
        "全取引照会",
        "企業内のほかの利用者が依頼者/承認者となっている取引を含む全取引の状況照会が可能",
    ),
    p(
        "salary.screen",
        "給与・賞与振込",
        "依頼(画面入力)",
        "画面入力による依頼データの作成・編集・削除・照会・引戻し・切替が可能",
    ),
    p(
        "salary.file",
        "給与・賞与振込",
        "依頼(ファイル受付)",
        "ファイル受付による依頼データの作成・編集・削除・照会・引戻し・切替が可能",
    ),
    p(
        "salary.payees",
        "給与・賞与振込",
        "振込先管理",
        "給与・賞与振込の振込先の登録・変更・削除が可能",
    ),
    p(
        "salary.all",
        "給与・賞与振込",
        "全取引照会",
        "企業内のほかの利用者が依頼者/承認者となっている取引を含む全取引の状況照会が可能",
    ),
    p(
        "debit.screen",
        "口座振替",
        "依頼(画面入力)",
        "画面入力による依頼データの作成・編集・削除・照会・引戻し・切替が可能",
    ),
    p(
        "debit.file",
        "口座振替",
        "依頼(ファイル受付)",
        "ファイル受付による依頼データの作成・編集・削除・照会・引戻し・切替が可能",
    ),
    p(
        "debit.payers",
        "口座振替",
        "請求先管理",
        "口座振替の請求先の登録・変更・削除が可能",
    ),
    p(
        "debit.all",
        "口座振替",
        "全取引照会",
        "企業内のほかの利用者が依頼者/承認者となっている取引を含む全取引の状況照会が可能",
    ),
    p(
        "debit.results",
        "口座振替",
        "振替結果照会",
        "口座振替の振替結果の照会が可能",
    ),
    p(
        "approve.transfer",
        "承認",
        "振込振替",
        "振込振替の承認・差戻し・削除が可能（承認機能を利用する場合）",
    ),
    p(
        "approve.bulk",
        "承認",
        "総合振込",
        "総合振込の承認・差戻し・削除が可能",
    ),
    p(
        "approve.salary",
        "承認",
        "給与・賞与振込",
        "給与・賞与振込の承認・差戻し・削除が可能",
    ),
    p(
        "approve.debit",
        "承認",
        "口座振替",
        "口座振替の承認・差戻し・削除が可能",
    ),
    p(
        "admin.history_all",
        "管理",
        "全操作履歴照会",
        "企業内のほかの利用者が行った操作の履歴照会が可能",
    ),
];

/// The permission with `code`.
pub fn find(code: &str) -> Option<&'static Permission> {
    ALL.iter().find(|p| p.code == code)
}

/// The groups in order, each with its permissions.
pub fn grouped() -> Vec<(&'static str, Vec<&'static Permission>)> {
    let mut out: Vec<(&'static str, Vec<&'static Permission>)> = Vec::new();
    for perm in ALL {
        match out.last_mut() {
            Some((group, list)) if *group == perm.group => list.push(perm),
            _ => out.push((perm.group, vec![perm])),
        }
    }
    out
}

/// The code of 全操作履歴照会, which decides whose 操作履歴 a user may see.
pub const HISTORY_ALL: &str = "admin.history_all";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_groups_follow_the_manual() {
        let mut codes: Vec<&str> = ALL.iter().map(|p| p.code).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), ALL.len());
        let groups: Vec<&str> = grouped().iter().map(|(g, _)| *g).collect();
        assert_eq!(
            groups,
            [
                "明細照会",
                "振込振替",
                "総合振込",
                "給与・賞与振込",
                "口座振替",
                "承認",
                "管理"
            ]
        );
        assert!(find(HISTORY_ALL).is_some());
    }
}
