//! 総合振込, 給与・賞与振込 and 口座振替 by file (domain.md §1, §3, §7): what a 全銀協 file
//! that [`crate::zengin`] read cleanly must also satisfy to be accepted from a company —
//! its 振込指定日 / 引落日 a business day within the bank's window and lead time, its
//! requester's account one the user may use, every bank and branch in the 全銀協 master
//! (a name that differs from the master's is a warning, not a refusal) — and the fees of
//! each record of 総合振込: the 先方負担手数料 deducted (by the company's
//! 先方負担手数料[総合振込] and its 手数料計算方法) and the 当方負担手数料 of the 振込金額.

pub mod entry;
pub mod payee;

use time::{Date, Duration, Month, Time};

use crate::calendar::Calendar;
use crate::error::Error;
use crate::fees::{FeeTable, PayeeFeeRule};
use crate::jst::{self, JST};
use crate::transfer::{self, FeeSide};
use crate::yen::Yen;
use crate::zengin::{FileError, Header, Kind, Record, Summary};
use crate::{Business, zengin};

/// The window of a file business's 振込指定日 (引落日): a business day at least
/// `lead_days` business days ahead, accepted before `cutoff` on the day the lead time
/// starts, and at most `days_ahead` days after today.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BulkWindow {
    /// 受付時限 (日本時間) on the last day a file may be accepted; also its 承認期限.
    pub cutoff: Time,
    /// Business days before the 振込指定日 the bank must have the file.
    pub lead_days: u32,
    pub days_ahead: u32,
}

impl BulkWindow {
    /// 承認期限 of a file for `date`: the 受付時限 of the `lead_days`th business day
    /// before it (UTC microseconds).
    pub fn deadline(&self, calendar: &Calendar, date: Date) -> i64 {
        let day = calendar.business_days_before(date, self.lead_days);
        jst::to_micros(day.with_time(self.cutoff).assume_offset(JST))
    }

    /// The earliest date a file asked at `now` may name.
    pub fn first_day(&self, calendar: &Calendar, now: i64) -> Date {
        let mut d = calendar.on_or_after(today(now));
        // Within a year there is always a business day whose deadline is still ahead.
        for _ in 0..400 {
            if self.deadline(calendar, d) > now {
                return d;
            }
            d = calendar.on_or_after(d.next_day().unwrap_or(d));
        }
        d
    }

    pub fn last_day(&self, now: i64) -> Date {
        today(now).saturating_add(Duration::days(i64::from(self.days_ahead)))
    }

    /// Whether a file asked (or approved) at `now` may name `date`.
    pub fn check(&self, calendar: &Calendar, date: Date, now: i64) -> Result<(), Error> {
        self.check_as(calendar, date, now, "振込指定日")
    }

    /// [`check`](Self::check) naming the date `label` (口座振替's 引落日).
    pub fn check_as(
        &self,
        calendar: &Calendar,
        date: Date,
        now: i64,
        label: &'static str,
    ) -> Result<(), Error> {
        if !calendar.is_business_day(date) {
            return Err(Error::NotBusinessDay {
                label,
                date: transfer::date_label(date),
            });
        }
        if self.deadline(calendar, date) <= now || date > self.last_day(now) {
            return Err(Error::DateOutOfRange {
                label,
                first: transfer::date_label(self.first_day(calendar, now)),
                last: transfer::date_label(self.last_day(now)),
            });
        }
        Ok(())
    }
}

fn today(now: i64) -> Date {
    jst::from_micros(now).to_offset(JST).date()
}

/// The date a header's MMDD names: this year's if it is not past, else next year's.
pub fn date_of_header(month: u8, day: u8, now: i64) -> Option<Date> {
    let today = today(now);
    let month = Month::try_from(month).ok()?;
    let this = Date::from_calendar_date(today.year(), month, day).ok();
    match this {
        Some(d) if d >= today => Some(d),
        _ => Date::from_calendar_date(today.year() + 1, month, day).ok(),
    }
}

/// 振替結果コード of 口座振替 in the manual's words (domain.md §7).
pub fn result_label(code: i64) -> &'static str {
    match code {
        0 => "振替済",
        1 => "資金不足",
        2 => "取引なし",
        3 => "預金者の都合による振替停止",
        4 => "預金口座振替依頼書なし",
        8 => "委託者の都合による振替停止",
        _ => "その他",
    }
}

/// The file kind of a business (振込振替 has none).
pub fn kind_of(business: Business) -> Option<Kind> {
    match business {
        Business::Transfer => None,
        Business::BulkTransfer => Some(Kind::BulkTransfer),
        Business::Salary => Some(Kind::Salary),
        Business::Bonus => Some(Kind::Bonus),
        Business::DirectDebit => Some(Kind::DirectDebit),
    }
}

/// An account the uploading user may use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnAccount {
    pub id: i64,
    pub branch_code: String,
    /// 預金種目 (全銀 code).
    pub kind: i64,
    pub number: String,
}

/// The fees of 総合振込.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BulkFees {
    /// 当方負担手数料[総合振込] in force on the 振込指定日.
    pub payer: FeeTable,
    /// 先方負担手数料[総合振込] with its 手数料計算方法, when the file is 先方負担.
    pub payee: Option<PayeeFeeRule>,
}

/// What the checks read besides the file.
pub struct Context<'a> {
    pub business: Business,
    pub window: BulkWindow,
    pub calendar: &'a Calendar,
    pub now: i64,
    /// This bank's 金融機関コード.
    pub own_bank: &'a str,
    pub accounts: &'a [OwnAccount],
    /// The master's カナ of a bank (branch `""`) or of a branch; `None` when it has none.
    pub master: &'a dyn Fn(&str, &str) -> Option<String>,
    /// Given for 総合振込 (`None`: no fees are computed).
    pub fees: Option<&'a BulkFees>,
    pub fee_side: FeeSide,
}

/// One record with its fees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Priced {
    pub line: usize,
    pub record: Record,
    pub deduction: Yen,
    pub transfer_amount: Yen,
    pub payer_fee: Yen,
}

/// A file that may be accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    pub header: Header,
    pub account_id: i64,
    pub date: Date,
    pub deadline: i64,
    pub records: Vec<Priced>,
    /// Names that differ from the master's (the file is still accepted).
    pub warnings: Vec<FileError>,
}

fn error(
    line: usize,
    from: usize,
    to: usize,
    field: &'static str,
    code: &'static str,
    message: String,
) -> FileError {
    FileError {
        line,
        from,
        to,
        field,
        code,
        message,
    }
}

/// The master's name as a file's 15 columns hold it.
fn fits15(kana: &str) -> String {
    kana.chars().take(15).collect()
}

/// What a file's header was found to name: its 振込指定日 and the user's account (`None`
/// where the header is refused).
#[derive(Debug, Clone, Copy)]
pub struct HeaderChecked<'a> {
    pub date: Option<Date>,
    pub account: Option<&'a OwnAccount>,
}

/// Checks the header `h` against `ctx`: the 振込指定日 (FIL-0013) and the requester's
/// account (FIL-0014), with the errors found.
pub fn check_header<'a>(h: &Header, ctx: &Context<'a>) -> (HeaderChecked<'a>, Vec<FileError>) {
    let mut errors = Vec::new();
    let (date_from, date_to) = (55, 58);
    let date = date_of_header(h.month, h.day, ctx.now);
    let label = entry::date_label(ctx.business);
    match date {
        None => errors.push(error(
            1,
            date_from,
            date_to,
            label,
            "FIL-0013",
            "1行目：日付がありません。".into(),
        )),
        Some(d) => {
            if let Err(e) = ctx.window.check_as(ctx.calendar, d, ctx.now, label) {
                errors.push(error(
                    1,
                    date_from,
                    date_to,
                    label,
                    "FIL-0013",
                    format!("1行目：{}", e.message_ja()),
                ));
            }
        }
    }
    let account = ctx.accounts.iter().find(|a| {
        h.bank_code == ctx.own_bank
            && a.branch_code == h.branch_code
            && a.kind == i64::from(h.account_kind)
            && a.number == h.number
    });
    if account.is_none() {
        errors.push(error(
            1,
            59,
            103,
            "口座番号（依頼人）",
            "FIL-0014",
            "1行目：仕向銀行・支店・預金種目・口座番号が、ご利用いただける口座ではありません。"
                .into(),
        ));
    }
    (HeaderChecked { date, account }, errors)
}

/// Checks record `r` of line `line` against `ctx` — its bank and branch in the master, its
/// amount, the fees of 総合振込 — the record priced, or its error. A name that differs
/// from the master's is pushed to `warnings` (at most [`zengin::MAX_ERRORS`] are kept).
pub fn check_record(
    line: usize,
    r: Record,
    head: &HeaderChecked<'_>,
    ctx: &Context<'_>,
    warnings: &mut Vec<FileError>,
) -> Result<Priced, FileError> {
    let bank = (ctx.master)(&r.bank_code, "");
    let branch = bank
        .as_ref()
        .and((ctx.master)(&r.bank_code, &r.branch_code));
    let (b, br) = match (bank, branch) {
        (None, _) => {
            return Err(error(
                line,
                2,
                5,
                "被仕向銀行番号",
                "FIL-0010",
                format!(
                    "{line}行目：金融機関コード{}は全銀協の金融機関にありません。",
                    r.bank_code
                ),
            ));
        }
        (Some(_), None) => {
            return Err(error(
                line,
                21,
                23,
                "被仕向支店番号",
                "FIL-0010",
                format!(
                    "{line}行目：金融機関コード{}に支店コード{}はありません。",
                    r.bank_code, r.branch_code
                ),
            ));
        }
        (Some(b), Some(br)) => (b, br),
    };
    let mut warn = |w: FileError| {
        if warnings.len() < zengin::MAX_ERRORS {
            warnings.push(w);
        }
    };
    if !r.bank_name.is_empty() && r.bank_name != fits15(&b) {
        warn(error(
            line,
            6,
            20,
            "被仕向銀行名",
            "FIL-0021",
            format!(
                "{line}行目：銀行名「{}」は全銀協の名称「{}」と異なります。",
                r.bank_name, b
            ),
        ));
    }
    if !r.branch_name.is_empty() && r.branch_name != fits15(&br) {
        warn(error(
            line,
            24,
            38,
            "被仕向支店名",
            "FIL-0021",
            format!(
                "{line}行目：支店名「{}」は全銀協の名称「{}」と異なります。",
                r.branch_name, br
            ),
        ));
    }
    let Some(amount) = i64::try_from(r.amount).ok().and_then(Yen::from_stored) else {
        return Err(error(
            line,
            81,
            90,
            "振込金額",
            "FIL-0009",
            format!("{line}行目：金額が正しくありません。"),
        ));
    };
    let (deduction, payer_fee) = match (ctx.fees, head.account) {
        (Some(fees), Some(a)) => {
            let route = transfer::route(ctx.own_bank, &a.branch_code, &r.bank_code, &r.branch_code);
            let deduction = match (&fees.payee, ctx.fee_side) {
                (Some(rule), FeeSide::Payee) => rule.deduction(route, amount).map_err(|e| {
                    error(
                        line,
                        81,
                        90,
                        "振込金額",
                        "FIL-0015",
                        format!("{line}行目：{}", e.message_ja()),
                    )
                })?,
                _ => Yen::ZERO,
            };
            let transfer_amount =
                Yen::from_stored(amount.get() - deduction.get()).unwrap_or(Yen::ZERO);
            (deduction, fees.payer.real_fee(route, transfer_amount))
        }
        _ => (Yen::ZERO, Yen::ZERO),
    };
    let transfer_amount = Yen::from_stored(amount.get() - deduction.get()).unwrap_or(Yen::ZERO);
    Ok(Priced {
        line,
        record: r,
        deduction,
        transfer_amount,
        payer_fee,
    })
}

/// Checks `summary` and its `records` (each with its line) against `ctx`: the file to
/// accept, or every error found (the header's, then the records' in order).
pub fn check(
    summary: Summary,
    records: Vec<(usize, Record)>,
    ctx: &Context<'_>,
) -> Result<Checked, Vec<FileError>> {
    let (head, mut errors) = check_header(&summary.header, ctx);
    let mut warnings = Vec::new();
    let mut priced = Vec::with_capacity(records.len());
    for (line, r) in records {
        if errors.len() >= zengin::MAX_ERRORS {
            break;
        }
        match check_record(line, r, &head, ctx, &mut warnings) {
            Ok(p) => priced.push(p),
            Err(e) => errors.push(e),
        }
    }
    match (head.date, head.account) {
        (Some(date), Some(account)) if errors.is_empty() => Ok(Checked {
            deadline: ctx.window.deadline(ctx.calendar, date),
            header: summary.header,
            account_id: account.id,
            date,
            records: priced,
            warnings,
        }),
        _ => Err(errors),
    }
}

#[cfg(test)]
mod tests;
