//! 銀行営業日: a day the bank is open — not a Saturday or Sunday, not 12/31–1/3, not a
//! national holiday (祝日, from the calendar the operator loads) and not one of the bank's
//! own closing days.

use std::collections::BTreeSet;

use time::{Date, Month, Weekday};

/// The days the bank is closed beyond weekends and the year-end holidays.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Calendar {
    closed: BTreeSet<Date>,
}

impl Calendar {
    /// National holidays and the bank's closing days.
    pub fn new(closed: impl IntoIterator<Item = Date>) -> Self {
        Self {
            closed: closed.into_iter().collect(),
        }
    }

    /// 12/31, 1/1, 1/2, 1/3: the banks' year-end and New Year holidays.
    fn year_end(day: Date) -> bool {
        matches!(
            (day.month(), day.day()),
            (Month::December, 31) | (Month::January, 1..=3)
        )
    }

    pub fn is_business_day(&self, day: Date) -> bool {
        !matches!(day.weekday(), Weekday::Saturday | Weekday::Sunday)
            && !Self::year_end(day)
            && !self.closed.contains(&day)
    }

    /// `day` when it is a business day, else the next one.
    pub fn on_or_after(&self, day: Date) -> Date {
        let mut d = day;
        // A year has fewer than 400 closed days in a row, whatever was loaded.
        for _ in 0..400 {
            if self.is_business_day(d) {
                return d;
            }
            match d.next_day() {
                Some(next) => d = next,
                None => return d,
            }
        }
        d
    }

    /// The `n`th business day after `day` (`n` = 0: `day` or the next business day).
    pub fn business_days_after(&self, day: Date, n: u32) -> Date {
        let mut d = self.on_or_after(day);
        for _ in 0..n {
            d = self.on_or_after(d.next_day().unwrap_or(d));
        }
        d
    }

    /// The `n`th business day before `day` (`n` = 0: `day` itself).
    pub fn business_days_before(&self, day: Date, n: u32) -> Date {
        let mut d = day;
        let mut left = n;
        // Fewer than 400 closed days in a row, whatever was loaded.
        for _ in 0..(400 + n as usize * 8) {
            if left == 0 {
                return d;
            }
            match d.previous_day() {
                Some(prev) => d = prev,
                None => return d,
            }
            if self.is_business_day(d) {
                left -= 1;
            }
        }
        d
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn calendar() -> Calendar {
        // 2027: 成人の日 1/11, 建国記念の日 2/11, GW 4/29, 5/3–5/5; a bank's own day 5/6.
        Calendar::new([
            date!(2027 - 01 - 11),
            date!(2027 - 02 - 11),
            date!(2027 - 04 - 29),
            date!(2027 - 05 - 03),
            date!(2027 - 05 - 04),
            date!(2027 - 05 - 05),
            date!(2027 - 05 - 06),
        ])
    }

    #[test]
    fn weekends_year_end_holidays_and_the_banks_days_are_closed() {
        let c = calendar();
        assert!(c.is_business_day(date!(2026 - 12 - 30)), "Wednesday");
        assert!(!c.is_business_day(date!(2026 - 12 - 31)), "大晦日");
        assert!(!c.is_business_day(date!(2027 - 01 - 01)));
        assert!(
            c.is_business_day(date!(2027 - 01 - 04)),
            "Monday after 三が日"
        );
        assert!(!c.is_business_day(date!(2027 - 01 - 09)), "Saturday");
        assert!(!c.is_business_day(date!(2027 - 01 - 11)), "成人の日");
        assert!(
            !c.is_business_day(date!(2027 - 05 - 06)),
            "the bank's own closing day"
        );
    }

    #[test]
    fn the_next_business_day_skips_golden_week() {
        let c = calendar();
        assert_eq!(c.on_or_after(date!(2027 - 05 - 01)), date!(2027 - 05 - 07));
        assert_eq!(c.on_or_after(date!(2026 - 12 - 31)), date!(2027 - 01 - 04));
        assert_eq!(
            c.business_days_after(date!(2027 - 04 - 28), 1),
            date!(2027 - 04 - 30)
        );
        assert_eq!(
            c.business_days_after(date!(2027 - 04 - 28), 2),
            date!(2027 - 05 - 07)
        );
        assert_eq!(
            c.business_days_after(date!(2027 - 04 - 28), 0),
            date!(2027 - 04 - 28)
        );
    }
}
