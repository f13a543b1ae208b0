//! 日本時間 (JST, a fixed +09:00 with no daylight saving). Times are stored as UTC
//! microseconds and shown in JST the way the manual writes them.

use time::{OffsetDateTime, UtcOffset};

/// Japan Standard Time.
pub const JST: UtcOffset = match UtcOffset::from_hms(9, 0, 0) {
    Ok(offset) => offset,
    Err(_) => UtcOffset::UTC,
};

/// Microseconds since the Unix epoch (UTC): the storage form of every time.
pub fn to_micros(t: OffsetDateTime) -> i64 {
    i64::try_from(t.unix_timestamp_nanos() / 1_000).unwrap_or(i64::MAX)
}

pub fn from_micros(micros: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(micros) * 1_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// 2026年11月24日 09時15分 (JST).
pub fn format_minutes(micros: i64) -> String {
    let t = from_micros(micros).to_offset(JST);
    format!(
        "{:04}年{:02}月{:02}日 {:02}時{:02}分",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute()
    )
}

/// 2026年11月24日 09時15分30秒 (JST).
pub fn format_seconds(micros: i64) -> String {
    let t = from_micros(micros).to_offset(JST);
    format!("{}{:02}秒", format_minutes(micros), t.second())
}

/// The day of `micros` in 日本時間, `YYYY-MM-DD`.
pub fn date_of(micros: i64) -> String {
    let t = from_micros(micros).to_offset(JST);
    format!("{:04}-{:02}-{:02}", t.year(), u8::from(t.month()), t.day())
}

/// 2019年10月1日 for the stored date `2019-10-01` (as it is, if it is not one).
pub fn format_date(date: &str) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    match time::Date::parse(date, &format) {
        Ok(d) => format!("{}年{}月{}日", d.year(), u8::from(d.month()), d.day()),
        Err(_) => date.to_owned(),
    }
}

/// 00:00 日本時間 of the date `YYYY-MM-DD`, as UTC microseconds.
pub fn start_of_day(date: &str) -> Option<i64> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let day = time::Date::parse(date, &format).ok()?;
    Some(to_micros(day.midnight().assume_offset(JST)))
}

/// Parses a typed date `YYYY-MM-DD` (a real calendar day), for field `label`.
pub fn parse_date(label: &'static str, typed: &str) -> Result<String, crate::error::Error> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    if typed.is_empty() {
        return Err(crate::error::Error::Required { label });
    }
    time::Date::parse(typed, &format)
        .map(|_| typed.to_owned())
        .map_err(|_| crate::error::Error::DateFormat { label })
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn shown_in_japan_time() {
        let t = to_micros(datetime!(2026-11-24 00:15:30 UTC));
        assert_eq!(format_minutes(t), "2026年11月24日 09時15分");
        assert_eq!(format_seconds(t), "2026年11月24日 09時15分30秒");
        let late = to_micros(datetime!(2026-11-24 15:00 UTC));
        assert_eq!(format_minutes(late), "2026年11月25日 00時00分");
        assert_eq!(date_of(late), "2026-11-25");
        assert_eq!(format_date("2019-10-01"), "2019年10月1日");
        assert_eq!(parse_date("日", "2027-04-01").as_deref(), Ok("2027-04-01"));
        assert!(parse_date("日", "2027-02-30").is_err());
        assert!(parse_date("日", "").is_err());
    }
}
