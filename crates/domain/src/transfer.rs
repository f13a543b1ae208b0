//! 振込振替 依頼 (domain.md §1–§3): what the creator types, parsed — 支払口座, 振込指定日,
//! 支払金額, 手数料負担, the approvers — and the bank's rules that decide whether it may
//! be asked: the 振込指定日 is a bank business day from today (today only before the
//! 当日扱いの受付時限) up to the bank's window; its 承認期限 is that day's 受付時限; the
//! 振込パターン follows from the paying branch and the payee's bank and branch.

use time::{Date, Duration, Time};

use crate::calendar::Calendar;
use crate::error::{Error, FieldErrors};
use crate::fees::Route;
use crate::jst::{self, JST};
use crate::yen::Yen;

/// 手数料負担: who bears the transfer fee.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeeSide {
    /// 当方負担: the payer pays the fee; the whole 支払金額 is transferred.
    Payer,
    /// 先方負担: the company's 先方負担手数料 is deducted (振込金額 = 支払金額 − 先方負担手数料).
    Payee,
}

impl FeeSide {
    pub fn label(self) -> &'static str {
        match self {
            FeeSide::Payer => "当方負担",
            FeeSide::Payee => "先方負担",
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            FeeSide::Payer => "payer",
            FeeSide::Payee => "payee",
        }
    }

    /// The stored code, or the label as typed on a screen.
    pub fn parse(input: &str) -> Result<Self, Error> {
        match input {
            "payer" | "当方負担" => Ok(FeeSide::Payer),
            "payee" | "先方負担" => Ok(FeeSide::Payee),
            "" => Err(Error::Required {
                label: "手数料負担",
            }),
            _ => Err(Error::UnknownCode {
                label: "手数料負担",
            }),
        }
    }
}

/// 振込パターン of a transfer from our branch `paying_branch` to `bank`/`branch`.
pub fn route(own_bank: &str, paying_branch: &str, bank: &str, branch: &str) -> Route {
    if bank != own_bank {
        Route::OtherBank
    } else if branch == paying_branch {
        Route::SameBranch
    } else {
        Route::OtherBranch
    }
}

/// The bank's window for 振込指定日: the 当日扱いの受付時限 and how far ahead a day may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TransferWindow {
    /// 受付時限 (日本時間): today is a 振込指定日 only before it; it is also the 承認期限.
    pub cutoff: Time,
    /// The last 振込指定日 is this many calendar days after today.
    pub days_ahead: u32,
}

impl TransferWindow {
    /// 15:00, as most banks' 当日扱い of 振込振替 ends, and a month ahead.
    pub const DEFAULT: TransferWindow = TransferWindow {
        cutoff: time::macros::time!(15:00),
        days_ahead: 30,
    };

    /// 15:00 for the cut-off.
    pub fn cutoff_label(&self) -> String {
        format!("{}:{:02}", self.cutoff.hour(), self.cutoff.minute())
    }

    /// 承認期限 of a transfer on `date`: that day's 受付時限, as UTC microseconds.
    pub fn deadline(&self, date: Date) -> i64 {
        jst::to_micros(date.with_time(self.cutoff).assume_offset(JST))
    }

    /// The earliest 振込指定日 asked at `now`: today before the 受付時限, else the next
    /// business day.
    pub fn first_day(&self, calendar: &Calendar, now: i64) -> Date {
        let today = jst::from_micros(now).to_offset(JST).date();
        if calendar.is_business_day(today) && now < self.deadline(today) {
            today
        } else {
            calendar.on_or_after(today.next_day().unwrap_or(today))
        }
    }

    /// The last 振込指定日 that may be asked at `now`.
    pub fn last_day(&self, now: i64) -> Date {
        let today = jst::from_micros(now).to_offset(JST).date();
        today.saturating_add(Duration::days(i64::from(self.days_ahead)))
    }

    /// Whether `date` may be the 振込指定日 of an order asked (or approved) at `now`.
    pub fn check(&self, calendar: &Calendar, date: Date, now: i64) -> Result<(), Error> {
        let today = jst::from_micros(now).to_offset(JST).date();
        if !calendar.is_business_day(date) {
            return Err(Error::NotBusinessDay {
                label: "振込指定日",
                date: date_label(date),
            });
        }
        if date == today && now >= self.deadline(today) {
            return Err(Error::PastCutoff {
                cutoff: self.cutoff_label(),
            });
        }
        if date < today || date > self.last_day(now) {
            return Err(Error::DateOutOfRange {
                label: "振込指定日",
                first: date_label(self.first_day(calendar, now)),
                last: date_label(self.last_day(now)),
            });
        }
        Ok(())
    }
}

/// 2026年12月2日
pub fn date_label(date: Date) -> String {
    format!(
        "{}年{}月{}日",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

/// `YYYY-MM-DD`, as stored.
pub fn date_key(date: Date) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

/// A 振込振替 as typed (the payee is chosen or typed apart from this).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
pub struct TransferInput {
    /// 支払口座 (the account's id).
    #[serde(default)]
    pub account_id: String,
    /// 振込指定日 `YYYY-MM-DD`.
    #[serde(default)]
    pub date: String,
    /// 支払金額
    #[serde(default)]
    pub amount: String,
    /// 手数料負担: 当方負担 (payer) or 先方負担 (payee).
    #[serde(default)]
    pub fee_side: String,
    /// 承認者 (シングル) or 一次承認者 (ダブル): a user id.
    #[serde(default)]
    pub first_approver: String,
    /// 最終承認者 (ダブル): a user id.
    #[serde(default)]
    pub last_approver: String,
}

/// A 振込振替 parsed: the fields' forms are right; whether the account, the day and the
/// approvers may be used is checked against the company next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransferRequest {
    pub account_id: i64,
    pub date: Date,
    pub amount: Yen,
    pub fee_side: FeeSide,
    pub first_approver: Option<i64>,
    pub last_approver: Option<i64>,
}

/// The digits a 支払金額 may have (up to 9,999,999,999円: the 振込金額 of a 全銀協 record
/// has 10).
pub const AMOUNT_DIGITS: usize = 10;

fn user_id(typed: &str, label: &'static str) -> Result<Option<i64>, Error> {
    if typed.is_empty() {
        return Ok(None);
    }
    typed
        .parse::<i64>()
        .map(Some)
        .map_err(|_| Error::UnknownCode { label })
}

impl TransferInput {
    /// Every field checked; the refusals by field (`account_id`, `date`, `amount`,
    /// `fee_side`, `first_approver`, `last_approver`).
    pub fn parse(&self) -> Result<TransferRequest, Error> {
        let mut errors = FieldErrors::new();
        let account = errors.check(
            "account_id",
            if self.account_id.is_empty() {
                Err(Error::Required {
                    label: "支払口座"
                })
            } else {
                self.account_id
                    .parse::<i64>()
                    .map_err(|_| Error::AccountNotUsable)
            },
        );
        let date = errors.check(
            "date",
            jst::parse_date("振込指定日", &self.date).and_then(|d| {
                Date::parse(
                    &d,
                    time::macros::format_description!("[year]-[month]-[day]"),
                )
                .map_err(|_| Error::DateFormat {
                    label: "振込指定日",
                })
            }),
        );
        let amount = errors.check(
            "amount",
            Yen::parse("支払金額", &self.amount, AMOUNT_DIGITS).and_then(|a| {
                if a == Yen::ZERO {
                    Err(Error::AmountZero {
                        label: "支払金額"
                    })
                } else {
                    Ok(a)
                }
            }),
        );
        let fee_side = errors.check("fee_side", FeeSide::parse(&self.fee_side));
        let first = errors.check("first_approver", user_id(&self.first_approver, "承認者"));
        let last = errors.check("last_approver", user_id(&self.last_approver, "最終承認者"));
        errors.into_result()?;
        match (account, date, amount, fee_side, first, last) {
            (
                Some(account_id),
                Some(date),
                Some(amount),
                Some(fee_side),
                Some(first),
                Some(last),
            ) => Ok(TransferRequest {
                account_id,
                date,
                amount,
                fee_side,
                first_approver: first,
                last_approver: last,
            }),
            _ => Err(Error::Internal),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    fn at(t: time::PrimitiveDateTime) -> i64 {
        jst::to_micros(t.assume_offset(JST))
    }

    #[test]
    fn the_day_is_a_business_day_from_today_before_the_cutoff() {
        let calendar = Calendar::new([date!(2026 - 12 - 03)]);
        let w = TransferWindow::DEFAULT;
        // Wednesday 2 December 2026, 14:59 and 15:00 日本時間.
        let before = at(datetime!(2026-12-02 14:59));
        let after = at(datetime!(2026-12-02 15:00));
        assert!(w.check(&calendar, date!(2026 - 12 - 02), before).is_ok());
        let e = w
            .check(&calendar, date!(2026 - 12 - 02), after)
            .unwrap_err();
        assert_eq!(e.code(), "VAL-0028");
        assert!(e.message_ja().contains("15:00"));
        // The 3rd is the bank's closing day, the 5th a Saturday: the next is the 4th.
        assert_eq!(w.first_day(&calendar, after), date!(2026 - 12 - 04));
        assert_eq!(
            w.check(&calendar, date!(2026 - 12 - 03), before)
                .unwrap_err()
                .code(),
            "VAL-0026"
        );
        assert_eq!(
            w.check(&calendar, date!(2026 - 12 - 05), before)
                .unwrap_err()
                .code(),
            "VAL-0026"
        );
        // Yesterday, and beyond the window.
        let e = w
            .check(&calendar, date!(2026 - 12 - 01), before)
            .unwrap_err();
        assert_eq!(e.code(), "VAL-0027");
        assert_eq!(
            e.message_ja(),
            "振込指定日は2026年12月2日から2027年1月1日までの銀行営業日を指定してください。"
        );
        assert!(w.check(&calendar, date!(2027 - 01 - 04), before).is_err());
        assert!(w.check(&calendar, date!(2026 - 12 - 30), before).is_ok());
        // 承認期限: 15:00 日本時間 of the 振込指定日 = 06:00 UTC.
        assert_eq!(
            w.deadline(date!(2026 - 12 - 04)),
            jst::to_micros(datetime!(2026-12-04 06:00 UTC))
        );
    }

    #[test]
    fn the_route_follows_from_the_branches() {
        assert_eq!(route("0397", "101", "0397", "101"), Route::SameBranch);
        assert_eq!(route("0397", "101", "0397", "201"), Route::OtherBranch);
        assert_eq!(route("0397", "101", "0001", "101"), Route::OtherBank);
    }

    #[test]
    fn every_field_is_checked_at_once() {
        let e = TransferInput {
            account_id: String::new(),
            date: "2026-13-01".into(),
            amount: "0".into(),
            fee_side: "相手".into(),
            first_approver: "x".into(),
            last_approver: String::new(),
        }
        .parse()
        .unwrap_err();
        let Error::Invalid(fields) = e else {
            panic!("{e:?}")
        };
        let codes: Vec<_> = fields
            .iter()
            .map(|f| (f.field.as_str(), f.error.code()))
            .collect();
        assert_eq!(
            codes,
            [
                ("account_id", "VAL-0001"),
                ("date", "VAL-0013"),
                ("amount", "VAL-0031"),
                ("fee_side", "VAL-0025"),
                ("first_approver", "VAL-0025"),
            ]
        );
        let ok = TransferInput {
            account_id: "3".into(),
            date: "2026-12-04".into(),
            amount: "50000".into(),
            fee_side: "先方負担".into(),
            first_approver: "7".into(),
            last_approver: String::new(),
        }
        .parse()
        .unwrap();
        assert_eq!(ok.fee_side, FeeSide::Payee);
        assert_eq!(ok.first_approver, Some(7));
    }
}
