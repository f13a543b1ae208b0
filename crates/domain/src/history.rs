//! Vocabulary of the 操作履歴: which 業務種別 an entry belongs to, and its 結果.

/// 業務種別 of an 操作履歴 entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HistoryArea {
    /// ログイン・ログアウト and password changes at login.
    Auth,
    /// 企業管理.
    Company,
    /// 利用者管理.
    Users,
    /// 操作履歴照会.
    History,
    /// 振込振替.
    Transfer,
    /// 総合振込.
    BulkTransfer,
    /// 給与・賞与振込.
    Payroll,
    /// 口座振替.
    DirectDebit,
    /// The bank operator's CLI (銀行担当者).
    Operator,
}

impl HistoryArea {
    pub const ALL: [HistoryArea; 9] = [
        HistoryArea::Auth,
        HistoryArea::Company,
        HistoryArea::Users,
        HistoryArea::History,
        HistoryArea::Transfer,
        HistoryArea::BulkTransfer,
        HistoryArea::Payroll,
        HistoryArea::DirectDebit,
        HistoryArea::Operator,
    ];

    /// The stable code (searches, the API).
    pub fn code(self) -> &'static str {
        match self {
            HistoryArea::Auth => "auth",
            HistoryArea::Company => "company",
            HistoryArea::Users => "users",
            HistoryArea::History => "history",
            HistoryArea::Transfer => "transfer",
            HistoryArea::BulkTransfer => "bulk_transfer",
            HistoryArea::Payroll => "salary_bonus",
            HistoryArea::DirectDebit => "direct_debit",
            HistoryArea::Operator => "operator",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            HistoryArea::Auth => "ログイン",
            HistoryArea::Company => "企業管理",
            HistoryArea::Users => "利用者管理",
            HistoryArea::History => "操作履歴照会",
            HistoryArea::Transfer => "振込振替",
            HistoryArea::BulkTransfer => "総合振込",
            HistoryArea::Payroll => "給与・賞与振込",
            HistoryArea::DirectDebit => "口座振替",
            HistoryArea::Operator => "銀行運用",
        }
    }

    /// The 業務種別 of a business's entries.
    pub fn of(business: crate::Business) -> Self {
        use crate::Business;
        match business {
            Business::Transfer => HistoryArea::Transfer,
            Business::BulkTransfer => HistoryArea::BulkTransfer,
            Business::Salary | Business::Bonus => HistoryArea::Payroll,
            Business::DirectDebit => HistoryArea::DirectDebit,
        }
    }
}

/// 結果 of an 操作履歴 entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// 正常
    Ok,
    /// エラー (with the error code alongside)
    Error,
}

impl Outcome {
    pub const ALL: [Outcome; 2] = [Outcome::Ok, Outcome::Error];

    /// The stable code (searches, the API).
    pub fn code(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Error => "error",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|o| o.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            Outcome::Ok => "正常",
            Outcome::Error => "エラー",
        }
    }
}
