//! 操作履歴情報の検索 (BSRS001): the conditions as typed, parsed into what the store
//! searches by — 操作日付 (from–to, 日本時間), 利用者, 業務種別, 操作内容, 結果, 操作端末.

use crate::{Error, FieldErrors, HistoryArea, Outcome, jst};

/// 操作内容 a user can pick, by 業務種別: (業務種別, stable code, the manual's words). An
/// entry of a known operation stores its code; one of any other (a refused URL, say)
/// stores its words, and is found by 業務種別.
pub const OPERATIONS: &[(HistoryArea, &str, &str)] = &[
    (HistoryArea::Auth, "auth.login", "ログイン"),
    (HistoryArea::Auth, "auth.logout", "ログアウト"),
    (
        HistoryArea::Auth,
        "auth.password_change",
        "パスワード強制変更",
    ),
    (HistoryArea::Auth, "auth.otp", "ワンタイムパスワード認証"),
    (
        HistoryArea::Auth,
        "auth.otp_registration",
        "ワンタイムパスワード利用登録",
    ),
    (
        HistoryArea::Auth,
        "auth.login_lock",
        "ログインパスワード利用停止",
    ),
    (
        HistoryArea::Auth,
        "auth.otp_lock",
        "ワンタイムパスワード利用停止",
    ),
    (
        HistoryArea::Auth,
        "auth.idle_timeout",
        "セッションタイムアウト(無操作)",
    ),
    (
        HistoryArea::Auth,
        "auth.absolute_timeout",
        "セッションタイムアウト(最長時間)",
    ),
    (
        HistoryArea::Auth,
        "auth.certificate_issue",
        "電子証明書発行",
    ),
    (
        HistoryArea::Auth,
        "auth.certificate_renew",
        "電子証明書更新",
    ),
    (
        HistoryArea::Auth,
        "auth.certificate_verify",
        "電子証明書の検証",
    ),
    (
        HistoryArea::Auth,
        "auth.certificate_session",
        "電子証明書の確認",
    ),
    (HistoryArea::Company, "company.settings", "企業情報の変更"),
    (
        HistoryArea::Company,
        "company.fee_payee_transfer",
        "先方負担手数料[振込振替]の変更",
    ),
    (
        HistoryArea::Company,
        "company.fee_payee_bulk",
        "先方負担手数料[総合振込]の変更",
    ),
    (
        HistoryArea::Company,
        "company.fee_payer_bulk",
        "当方負担手数料[総合振込]の変更",
    ),
    (HistoryArea::Users, "users.register", "利用者情報の新規登録"),
    (HistoryArea::Users, "users.change", "利用者情報の変更"),
    (HistoryArea::Users, "users.delete", "利用者情報の削除"),
    (
        HistoryArea::Users,
        "users.service_state",
        "利用者停止・解除",
    ),
    (
        HistoryArea::Users,
        "users.otp_release",
        "ワンタイムパスワード利用停止解除",
    ),
    (HistoryArea::Users, "users.token_revoke", "トークン失効"),
    (HistoryArea::Users, "users.certificate_revoke", "証明書失効"),
    (
        HistoryArea::Users,
        "users.confirmation_lock",
        "確認用パスワード利用停止",
    ),
    (
        HistoryArea::Transfer,
        "transfer.payee_register",
        "振込先の登録",
    ),
    (
        HistoryArea::Transfer,
        "transfer.payee_delete",
        "振込先の削除",
    ),
    (HistoryArea::Transfer, "transfer.payee_list", "振込先一覧"),
    (HistoryArea::Transfer, "transfer.request", "振込振替の依頼"),
    (HistoryArea::Transfer, "transfer.revise", "振込振替の修正"),
    (HistoryArea::Transfer, "transfer.approve", "振込振替の承認"),
    (HistoryArea::Transfer, "transfer.return", "振込振替の差戻し"),
    (
        HistoryArea::Transfer,
        "transfer.withdraw",
        "振込振替の引戻し",
    ),
    (HistoryArea::Transfer, "transfer.delete", "振込振替の削除"),
    (
        HistoryArea::Transfer,
        "transfer.expire",
        "振込振替の期限切れ",
    ),
    (
        HistoryArea::Transfer,
        "transfer.host_result",
        "振込振替の処理結果",
    ),
    (HistoryArea::Transfer, "transfer.waiting", "承認待ち一覧"),
    (HistoryArea::Transfer, "transfer.status", "取引状況照会"),
    (HistoryArea::History, "history.look", "操作履歴照会"),
    (HistoryArea::History, "history.print", "操作履歴の印刷"),
    (
        HistoryArea::History,
        "history.download",
        "操作履歴のダウンロード",
    ),
    (
        HistoryArea::Operator,
        "operator.history_purge",
        "保存期間を過ぎた操作履歴の削除",
    ),
    (HistoryArea::Operator, "operator.company", "企業の登録"),
    (HistoryArea::Operator, "operator.account", "口座の登録"),
    (
        HistoryArea::Operator,
        "operator.ceilings",
        "届出限度額の設定",
    ),
    (
        HistoryArea::Operator,
        "operator.options",
        "契約オプションの変更",
    ),
    (HistoryArea::Operator, "operator.unlock", "利用停止解除"),
    (
        HistoryArea::Operator,
        "operator.banks_import",
        "金融機関マスタの取込",
    ),
    (
        HistoryArea::Operator,
        "operator.holidays_import",
        "祝日の取込",
    ),
    (HistoryArea::Operator, "operator.day_close", "休業日の登録"),
    (HistoryArea::Operator, "operator.day_open", "休業日の削除"),
    (
        HistoryArea::Operator,
        "operator.payee_register",
        "事前登録口座の登録",
    ),
    (
        HistoryArea::BulkTransfer,
        "bulk_transfer.upload",
        "総合振込のファイル受付",
    ),
    (
        HistoryArea::BulkTransfer,
        "bulk_transfer.confirm",
        "総合振込の確定",
    ),
    (
        HistoryArea::BulkTransfer,
        "bulk_transfer.approve",
        "総合振込の承認",
    ),
    (
        HistoryArea::BulkTransfer,
        "bulk_transfer.return",
        "総合振込の差戻し",
    ),
    (
        HistoryArea::BulkTransfer,
        "bulk_transfer.withdraw",
        "総合振込の引戻し",
    ),
    (
        HistoryArea::BulkTransfer,
        "bulk_transfer.delete",
        "総合振込の削除",
    ),
    (
        HistoryArea::BulkTransfer,
        "bulk_transfer.expire",
        "総合振込の期限切れ",
    ),
    (
        HistoryArea::BulkTransfer,
        "bulk_transfer.host",
        "総合振込の処理結果",
    ),
    (
        HistoryArea::Payroll,
        "salary_bonus.salary.upload",
        "給与振込のファイル受付",
    ),
    (
        HistoryArea::Payroll,
        "salary_bonus.salary.confirm",
        "給与振込の確定",
    ),
    (
        HistoryArea::Payroll,
        "salary_bonus.salary.approve",
        "給与振込の承認",
    ),
    (
        HistoryArea::Payroll,
        "salary_bonus.salary.return",
        "給与振込の差戻し",
    ),
    (
        HistoryArea::Payroll,
        "salary_bonus.salary.withdraw",
        "給与振込の引戻し",
    ),
    (
        HistoryArea::Payroll,
        "salary_bonus.salary.delete",
        "給与振込の削除",
    ),
    (
        HistoryArea::Payroll,
        "salary_bonus.salary.expire",
        "給与振込の期限切れ",
    ),
    (
        HistoryArea::Payroll,
        "salary_bonus.salary.host",
        "給与振込の処理結果",
    ),
    (
        HistoryArea::Payroll,
        "salary_bonus.bonus.upload",
        "賞与振込のファイル受付",
    ),
    (
        HistoryArea::Payroll,
        "salary_bonus.bonus.confirm",
        "賞与振込の確定",
    ),
    (
        HistoryArea::Payroll,
        "salary_bonus.bonus.approve",
        "賞与振込の承認",
    ),
    (
        HistoryArea::Payroll,
        "salary_bonus.bonus.return",
        "賞与振込の差戻し",
    ),
    (
        HistoryArea::Payroll,
        "salary_bonus.bonus.withdraw",
        "賞与振込の引戻し",
    ),
    (
        HistoryArea::Payroll,
        "salary_bonus.bonus.delete",
        "賞与振込の削除",
    ),
    (
        HistoryArea::Payroll,
        "salary_bonus.bonus.expire",
        "賞与振込の期限切れ",
    ),
    (
        HistoryArea::Payroll,
        "salary_bonus.bonus.host",
        "賞与振込の処理結果",
    ),
    (
        HistoryArea::DirectDebit,
        "direct_debit.upload",
        "口座振替のファイル受付",
    ),
    (
        HistoryArea::DirectDebit,
        "direct_debit.confirm",
        "口座振替の確定",
    ),
    (
        HistoryArea::DirectDebit,
        "direct_debit.approve",
        "口座振替の承認",
    ),
    (
        HistoryArea::DirectDebit,
        "direct_debit.return",
        "口座振替の差戻し",
    ),
    (
        HistoryArea::DirectDebit,
        "direct_debit.withdraw",
        "口座振替の引戻し",
    ),
    (
        HistoryArea::DirectDebit,
        "direct_debit.delete",
        "口座振替の削除",
    ),
    (
        HistoryArea::DirectDebit,
        "direct_debit.expire",
        "口座振替の期限切れ",
    ),
    (
        HistoryArea::DirectDebit,
        "direct_debit.host",
        "口座振替の処理結果",
    ),
    (
        HistoryArea::DirectDebit,
        "direct_debit.results",
        "口座振替の振替結果",
    ),
    (
        HistoryArea::BulkTransfer,
        "bulk_transfer.payee_list",
        "総合振込の振込先一覧",
    ),
    (
        HistoryArea::BulkTransfer,
        "bulk_transfer.payee_register",
        "総合振込の振込先の登録",
    ),
    (
        HistoryArea::BulkTransfer,
        "bulk_transfer.payee_delete",
        "総合振込の振込先の削除",
    ),
    (
        HistoryArea::BulkTransfer,
        "bulk_transfer.payee_import",
        "総合振込の振込先の一括登録",
    ),
    (
        HistoryArea::BulkTransfer,
        "bulk_transfer.payee_download",
        "総合振込の振込先のダウンロード",
    ),
    (
        HistoryArea::Payroll,
        "salary_bonus.payee_list",
        "給与・賞与振込の振込先一覧",
    ),
    (
        HistoryArea::Payroll,
        "salary_bonus.payee_register",
        "給与・賞与振込の振込先の登録",
    ),
    (
        HistoryArea::Payroll,
        "salary_bonus.payee_delete",
        "給与・賞与振込の振込先の削除",
    ),
    (
        HistoryArea::Payroll,
        "salary_bonus.payee_import",
        "給与・賞与振込の振込先の一括登録",
    ),
    (
        HistoryArea::Payroll,
        "salary_bonus.payee_download",
        "給与・賞与振込の振込先のダウンロード",
    ),
    (
        HistoryArea::DirectDebit,
        "direct_debit.payer_list",
        "口座振替の請求先一覧",
    ),
    (
        HistoryArea::DirectDebit,
        "direct_debit.payer_register",
        "口座振替の請求先の登録",
    ),
    (
        HistoryArea::DirectDebit,
        "direct_debit.payer_delete",
        "口座振替の請求先の削除",
    ),
    (
        HistoryArea::DirectDebit,
        "direct_debit.payer_import",
        "口座振替の請求先の一括登録",
    ),
    (
        HistoryArea::DirectDebit,
        "direct_debit.payer_download",
        "口座振替の請求先のダウンロード",
    ),
    (
        HistoryArea::BulkTransfer,
        "bulk_transfer.payee_change",
        "総合振込の振込先の変更",
    ),
    (
        HistoryArea::Payroll,
        "salary_bonus.payee_change",
        "給与・賞与振込の振込先の変更",
    ),
    (
        HistoryArea::DirectDebit,
        "direct_debit.payer_change",
        "口座振替の請求先の変更",
    ),
    (
        HistoryArea::BulkTransfer,
        "bulk_transfer.entry",
        "総合振込の画面入力",
    ),
    (
        HistoryArea::Payroll,
        "salary_bonus.salary.entry",
        "給与振込の画面入力",
    ),
    (
        HistoryArea::Payroll,
        "salary_bonus.bonus.entry",
        "賞与振込の画面入力",
    ),
    (
        HistoryArea::DirectDebit,
        "direct_debit.entry",
        "口座振替の画面入力",
    ),
];

/// The stable code of the operation called `label`, if it is a known one.
pub fn operation_code(label: &str) -> Option<&'static str> {
    OPERATIONS
        .iter()
        .find(|(_, _, l)| *l == label)
        .map(|(_, code, _)| *code)
}

/// The words of the operation stored as `stored`: a code's label, or the words as stored.
pub fn operation_label(stored: &str) -> &str {
    OPERATIONS
        .iter()
        .find(|(_, code, _)| *code == stored)
        .map(|(_, _, label)| *label)
        .unwrap_or(stored)
}

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
                    .find(|(_, _, label)| *label == typed)
                    .map(|(_, _, label)| *label)
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
    fn operations_have_unique_codes_and_words() {
        let mut codes: Vec<&str> = OPERATIONS.iter().map(|(_, c, _)| *c).collect();
        let mut labels: Vec<&str> = OPERATIONS.iter().map(|(_, _, l)| *l).collect();
        codes.sort_unstable();
        codes.dedup();
        labels.sort_unstable();
        labels.dedup();
        assert_eq!(codes.len(), OPERATIONS.len());
        assert_eq!(labels.len(), OPERATIONS.len());
        for (area, code, label) in OPERATIONS {
            assert!(code.starts_with(area.code()), "{code}");
            assert_eq!(operation_code(label), Some(*code));
            assert_eq!(operation_label(code), *label);
        }
        assert_eq!(operation_label("GET /company"), "GET /company");
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
