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
    /// The bank operator's CLI (銀行担当者).
    Operator,
}

impl HistoryArea {
    pub const ALL: [HistoryArea; 6] = [
        HistoryArea::Auth,
        HistoryArea::Company,
        HistoryArea::Users,
        HistoryArea::History,
        HistoryArea::Transfer,
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
            HistoryArea::Operator => "銀行運用",
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
