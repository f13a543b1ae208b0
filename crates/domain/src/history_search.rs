//! 操作履歴情報の検索 (BSRS001): the conditions as typed, parsed into what the store
//! searches by — 操作日付 (from–to, 日本時間), 利用者, 業務種別, 操作内容, 結果, 操作端末.

use crate::{Error, FieldErrors, HistoryArea, Outcome, jst};

/// 操作内容 a user can pick, by 業務種別, in the manual's words. Entries of other
/// operations (refusals of a URL, say) are listed too; they are found by 業務種別.
pub const OPERATIONS: &[(HistoryArea, &str)] = &[
    (HistoryArea::Auth, "ログイン"),
    (HistoryArea::Auth, "ログアウト"),
    (HistoryArea::Auth, "パスワード強制変更"),
    (HistoryArea::Auth, "ワンタイムパスワード認証"),
    (HistoryArea::Auth, "ワンタイムパスワード利用登録"),
    (HistoryArea::Auth, "ログインパスワード利用停止"),
    (HistoryArea::Auth, "ワンタイムパスワード利用停止"),
    (HistoryArea::Auth, "セッションタイムアウト(無操作)"),
    (HistoryArea::Auth, "セッションタイムアウト(最長時間)"),
    (HistoryArea::Company, "企業情報の変更"),
    (HistoryArea::Company, "先方負担手数料[振込振替]の変更"),
    (HistoryArea::Company, "先方負担手数料[総合振込]の変更"),
    (HistoryArea::Company, "当方負担手数料[総合振込]の変更"),
    (HistoryArea::Users, "利用者情報の新規登録"),
    (HistoryArea::Users, "利用者情報の変更"),
    (HistoryArea::Users, "利用者情報の削除"),
    (HistoryArea::Users, "利用者停止・解除"),
    (HistoryArea::Users, "ワンタイムパスワード利用停止解除"),
    (HistoryArea::Users, "トークン失効"),
    (HistoryArea::Users, "確認用パスワード利用停止"),
    (HistoryArea::History, "操作履歴照会"),
    (HistoryArea::History, "操作履歴の印刷"),
    (HistoryArea::History, "操作履歴のダウンロード"),
    (HistoryArea::Operator, "企業の登録"),
    (HistoryArea::Operator, "口座の登録"),
    (HistoryArea::Operator, "届出限度額の設定"),
    (HistoryArea::Operator, "契約オプションの変更"),
    (HistoryArea::Operator, "利用停止解除"),
];

/// The conditions as typed (every field optional; empty means any).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
pub struct SearchInput {
    /// 操作日付 from, `YYYY-MM-DD`.
    #[serde(default)]
    pub from: String,
    /// 操作日付 to (that day included), `YYYY-MM-DD`.
    #[serde(default)]
    pub to: String,
    /// 利用者: a user id of the company.
    #[serde(default)]
    pub user: String,
    /// 業務種別: `HistoryArea::code`.
    #[serde(default)]
    pub area: String,
    /// 操作内容: one of [`OPERATIONS`].
    #[serde(default)]
    pub operation: String,
    /// 結果: `ok` or `error`.
    #[serde(default)]
    pub outcome: String,
    /// 操作端末: the address, exactly.
    #[serde(default)]
    pub terminal: String,
}

/// The parsed conditions.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Conditions {
    /// From this moment (UTC µs): 00:00 日本時間 of the from-day.
    pub since: Option<i64>,
    /// Before this moment: 00:00 日本時間 of the day after the to-day.
    pub until: Option<i64>,
    pub user_id: Option<i64>,
    pub area: Option<HistoryArea>,
    pub operation: Option<&'static str>,
    pub outcome: Option<Outcome>,
    pub terminal: Option<String>,
}

impl Conditions {
    /// No condition at all: the newest entries.
    pub fn is_empty(&self) -> bool {
        *self == Conditions::default()
    }
}

impl SearchInput {
    /// Parses every field, reporting every problem at its field.
    pub fn parse(&self) -> Result<Conditions, Error> {
        let mut f = FieldErrors::new();
        let day = |label: &'static str, typed: &str| -> Result<Option<i64>, Error> {
            let typed = typed.trim();
            if typed.is_empty() {
                return Ok(None);
            }
            let date = jst::parse_date(label, typed)?;
            jst::start_of_day(&date)
                .map(Some)
                .ok_or(Error::DateFormat { label })
        };
        let since = f
            .check("from", day("操作日付（開始）", &self.from))
            .flatten();
        let to_start = f.check("to", day("操作日付（終了）", &self.to)).flatten();
        let until = to_start.map(|t| t + 24 * 3600 * 1_000_000);
        if let (Some(s), Some(u)) = (since, until)
            && s >= u
        {
            f.add("to", Error::DateOrder);
        }
        let user_id = match self.user.trim() {
            "" => None,
            typed => f.check(
                "user",
                typed.parse::<i64>().map_err(|_| Error::Choice {
                    label: "利用者",
                    choices: "一覧の利用者",
                }),
            ),
        };
        let area = match self.area.trim() {
            "" => None,
            typed => f.check(
                "area",
                HistoryArea::from_code(typed).ok_or(Error::Choice {
                    label: "業務種別",
                    choices: "ログイン・企業管理・利用者管理・操作履歴照会・銀行運用",
                }),
            ),
        };
        let operation = match self.operation.trim() {
            "" => None,
            typed => f.check(
                "operation",
                OPERATIONS
                    .iter()
                    .find(|(_, label)| *label == typed)
                    .map(|(_, label)| *label)
                    .ok_or(Error::Choice {
                        label: "操作内容",
                        choices: "一覧の操作内容",
                    }),
            ),
        };
        let outcome = match self.outcome.trim() {
            "" => None,
            typed => f.check(
                "outcome",
                Outcome::from_code(typed).ok_or(Error::Choice {
                    label: "結果",
                    choices: "正常・エラー",
                }),
            ),
        };
        let terminal = match self.terminal.trim() {
            "" => None,
            typed => f.check("terminal", terminal(typed)),
        };
        f.into_result()?;
        Ok(Conditions {
            since,
            until,
            user_id,
            area,
            operation,
            outcome,
            terminal,
        })
    }
}

/// 操作端末 as searched: an IPv4 or IPv6 address, exactly.
fn terminal(typed: &str) -> Result<String, Error> {
    typed
        .parse::<std::net::IpAddr>()
        .map(|ip| ip.to_string())
        .map_err(|_| Error::AddressFormat {
            label: "操作端末"
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(f: impl FnOnce(&mut SearchInput)) -> SearchInput {
        let mut i = SearchInput::default();
        f(&mut i);
        i
    }

    #[test]
    fn nothing_typed_is_no_condition() {
        assert!(SearchInput::default().parse().unwrap().is_empty());
    }

    #[test]
    fn dates_are_whole_days_in_japan_time() {
        let c = input(|i| {
            i.from = "2026-11-24".into();
            i.to = "2026-11-24".into();
        })
        .parse()
        .unwrap();
        // 2026-11-24 00:00 JST is 2026-11-23 15:00 UTC.
        assert_eq!(c.since, Some(1_795_446_000_000_000));
        assert_eq!(c.until, Some(1_795_446_000_000_000 + 86_400_000_000));
        let backwards = input(|i| {
            i.from = "2026-11-25".into();
            i.to = "2026-11-24".into();
        })
        .parse()
        .unwrap_err();
        assert_eq!(
            backwards,
            Error::Invalid(FieldErrors::single("to", Error::DateOrder))
        );
    }

    #[test]
    fn every_field_is_checked_at_once() {
        let err = input(|i| {
            i.from = "2026-02-30".into();
            i.user = "x".into();
            i.area = "nope".into();
            i.operation = "何か".into();
            i.outcome = "maybe".into();
            i.terminal = "10.0.0".into();
        })
        .parse()
        .unwrap_err();
        let Error::Invalid(f) = err else {
            panic!("{err:?}")
        };
        let fields: Vec<&str> = f.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            ["from", "user", "area", "operation", "outcome", "terminal"]
        );
    }

    #[test]
    fn known_values_parse() {
        let c = input(|i| {
            i.user = "7".into();
            i.area = "users".into();
            i.operation = "利用者情報の変更".into();
            i.outcome = "error".into();
            i.terminal = " 192.0.2.10 ".into();
        })
        .parse()
        .unwrap();
        assert_eq!(c.user_id, Some(7));
        assert_eq!(c.area, Some(HistoryArea::Users));
        assert_eq!(c.operation, Some("利用者情報の変更"));
        assert_eq!(c.outcome, Some(Outcome::Error));
        assert_eq!(c.terminal.as_deref(), Some("192.0.2.10"));
    }
}
