//! 業務: the businesses of the service — one vocabulary for approvals, limits, fees and
//! permissions (DESIGN §2). Where the manual groups 給与・賞与振込 (one approval setting),
//! [`Business::Salary`] stands for both.

use serde::{Deserialize, Serialize};

/// One business.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Business {
    /// 振込振替
    Transfer,
    /// 総合振込
    BulkTransfer,
    /// 給与振込
    Salary,
    /// 賞与振込
    Bonus,
    /// 口座振替
    DirectDebit,
}

impl Business {
    pub const ALL: [Business; 5] = [
        Business::Transfer,
        Business::BulkTransfer,
        Business::Salary,
        Business::Bonus,
        Business::DirectDebit,
    ];

    /// The businesses with a 承認機能の利用有無 of their own, in the manual's order
    /// (給与・賞与振込 share one, under [`Business::Salary`]).
    pub const APPROVAL_SETTINGS: [Business; 4] = [
        Business::Transfer,
        Business::BulkTransfer,
        Business::Salary,
        Business::DirectDebit,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Business::Transfer => "振込振替",
            Business::BulkTransfer => "総合振込",
            Business::Salary => "給与振込",
            Business::Bonus => "賞与振込",
            Business::DirectDebit => "口座振替",
        }
    }

    /// Field name in forms, the API and storage.
    pub fn key(self) -> &'static str {
        match self {
            Business::Transfer => "transfer",
            Business::BulkTransfer => "bulk_transfer",
            Business::Salary => "salary",
            Business::Bonus => "bonus",
            Business::DirectDebit => "direct_debit",
        }
    }

    pub fn from_key(key: &str) -> Option<Self> {
        Business::ALL.into_iter().find(|b| b.key() == key)
    }

    /// The business whose 承認機能の利用有無 applies (賞与振込 follows 給与・賞与振込).
    pub fn approval_setting(self) -> Business {
        match self {
            Business::Bonus => Business::Salary,
            other => other,
        }
    }

    /// The name of its approval setting on screens.
    pub fn approval_label(self) -> &'static str {
        match self {
            Business::Salary | Business::Bonus => "給与・賞与振込",
            other => other.label(),
        }
    }

    /// The key of its approval setting in forms, the API and storage.
    pub fn approval_key(self) -> &'static str {
        match self {
            Business::Salary | Business::Bonus => "salary_bonus",
            other => other.key(),
        }
    }

    /// The business of an approval setting's key.
    pub fn from_approval_key(key: &str) -> Option<Self> {
        Business::APPROVAL_SETTINGS
            .into_iter()
            .find(|b| b.approval_key() == key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip_and_bonus_shares_salarys_approval() {
        for b in Business::ALL {
            assert_eq!(Business::from_key(b.key()), Some(b));
            assert_eq!(
                serde_json::to_string(&b).ok(),
                Some(format!("\"{}\"", b.key()))
            );
        }
        assert_eq!(Business::Bonus.approval_setting(), Business::Salary);
        assert_eq!(Business::Bonus.approval_key(), "salary_bonus");
        assert_eq!(
            Business::from_approval_key("salary_bonus"),
            Some(Business::Salary)
        );
        assert_eq!(Business::from_approval_key("bonus"), None);
    }
}
