//! 電子証明書: the rules of a client certificate's life — its validity (one year, ending
//! at 08:59:59 日本時間), the state 証明書失効 shows, the renewal notice, and the password of
//! the PKCS#12 file it is delivered in.

use time::Time;

use crate::error::Error;
use crate::jst::{self, JST};

/// Days before expiry from which トップページ tells the user to renew.
pub const RENEWAL_NOTICE_DAYS: i64 = 30;

const DAY_MICROS: i64 = 86_400_000_000;

/// The end of the validity of a certificate issued at `issued_at` (UTC microseconds):
/// 08:59:59 日本時間 on the day after the same date one year later ("1年後の翌日"; a
/// certificate issued on 29 February runs to 1 March). So a certificate is valid for at
/// least a year, and expires before the bank's business day starts.
pub fn expiry_for(issued_at: i64) -> i64 {
    let day = jst::from_micros(issued_at).to_offset(JST).date();
    let next_year = day
        .replace_year(day.year() + 1)
        .or_else(|_| {
            day.replace_day(28)
                .and_then(|d| d.replace_year(d.year() + 1))
        })
        .unwrap_or(day);
    let end = next_year.next_day().unwrap_or(next_year);
    let at = Time::from_hms(8, 59, 59).unwrap_or(Time::MIDNIGHT);
    jst::to_micros(end.with_time(at).assume_offset(JST))
}

/// 証明書状態, as 証明書失効 lists it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CertificateState {
    /// 未発行: the user never obtained one.
    NotIssued,
    /// 発行済み: a certificate in use and in its validity.
    Issued,
    /// 失効済み: the newest certificate was revoked.
    Revoked,
    /// 期限切れ: the certificate in use has expired.
    Expired,
}

impl CertificateState {
    /// The state of a user whose newest certificate ends at `not_after` and was revoked
    /// at `revoked_at`, at `now`; `None` when they have none.
    pub fn of(newest: Option<(i64, Option<i64>)>, now: i64) -> Self {
        match newest {
            None => Self::NotIssued,
            Some((_, Some(_))) => Self::Revoked,
            Some((not_after, None)) if not_after < now => Self::Expired,
            Some(_) => Self::Issued,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::NotIssued => "未発行",
            Self::Issued => "発行済み",
            Self::Revoked => "失効済み",
            Self::Expired => "期限切れ",
        }
    }

    /// The stable code (the API).
    pub fn code(self) -> &'static str {
        match self {
            Self::NotIssued => "not_issued",
            Self::Issued => "issued",
            Self::Revoked => "revoked",
            Self::Expired => "expired",
        }
    }

    /// 証明書失効 applies to a certificate in use, in its validity or past it.
    pub fn revocable(self) -> bool {
        matches!(self, Self::Issued | Self::Expired)
    }
}

/// Whether トップページ should say that the certificate ending at `not_after` is due for
/// renewal at `now`.
pub fn renewal_due(not_after: i64, now: i64) -> bool {
    now <= not_after && not_after - now <= RENEWAL_NOTICE_DAYS * DAY_MICROS
}

/// The password of the PKCS#12 file (証明書ファイルのパスワード): what the user types
/// when importing it into the browser. 8–32 printable ASCII characters, since Windows and
/// Chromium take no other.
#[derive(Clone, PartialEq, Eq)]
pub struct FilePassword(String);

impl FilePassword {
    pub const LABEL: &'static str = "証明書ファイルのパスワード";
    pub const MIN: usize = 8;
    pub const MAX: usize = 32;

    pub fn parse(typed: &str, again: &str) -> Result<Self, Error> {
        if typed.is_empty() {
            return Err(Error::Required { label: Self::LABEL });
        }
        let printable = typed.chars().all(|c| c.is_ascii_graphic());
        let len = typed.chars().count();
        if !printable || !(Self::MIN..=Self::MAX).contains(&len) {
            return Err(Error::PrintableLength {
                label: Self::LABEL,
                min: Self::MIN,
                max: Self::MAX,
            });
        }
        if typed != again {
            return Err(Error::Mismatch { label: Self::LABEL });
        }
        Ok(Self(typed.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for FilePassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FilePassword(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn at(t: time::OffsetDateTime) -> i64 {
        jst::to_micros(t)
    }

    #[test]
    fn a_certificate_runs_to_08_59_59_jst_on_the_day_after_one_year() {
        // The manual's example: 有効期限 2022年02月20日 08時59分59秒.
        let issued = at(datetime!(2021-02-19 14:30 +09:00));
        assert_eq!(
            jst::format_seconds(expiry_for(issued)),
            "2022年02月20日 08時59分59秒"
        );
        // Just after midnight JST is still that JST day (the previous UTC day).
        let early = at(datetime!(2021-02-19 00:10 +09:00));
        assert_eq!(
            jst::format_seconds(expiry_for(early)),
            "2022年02月20日 08時59分59秒"
        );
        // 29 February: to 1 March of the next year.
        let leap = at(datetime!(2024-02-29 10:00 +09:00));
        assert_eq!(
            jst::format_seconds(expiry_for(leap)),
            "2025年03月01日 08時59分59秒"
        );
        // Year end.
        let eve = at(datetime!(2026-12-31 23:59 +09:00));
        assert_eq!(
            jst::format_seconds(expiry_for(eve)),
            "2028年01月01日 08時59分59秒"
        );
    }

    #[test]
    fn states_as_listed() {
        let now = 1_000;
        assert_eq!(CertificateState::of(None, now).label(), "未発行");
        assert_eq!(
            CertificateState::of(Some((2_000, None)), now).label(),
            "発行済み"
        );
        assert_eq!(
            CertificateState::of(Some((999, None)), now).label(),
            "期限切れ"
        );
        assert_eq!(
            CertificateState::of(Some((2_000, Some(500))), now).label(),
            "失効済み"
        );
        assert!(CertificateState::Expired.revocable());
        assert!(!CertificateState::Revoked.revocable());
        assert!(!CertificateState::NotIssued.revocable());
    }

    #[test]
    fn renewal_notice_in_the_last_thirty_days() {
        let day = DAY_MICROS;
        let end = 100 * day;
        assert!(!renewal_due(end, end - 31 * day));
        assert!(renewal_due(end, end - 30 * day));
        assert!(renewal_due(end, end - 1));
        assert!(
            !renewal_due(end, end + 1),
            "expired: no renewal, 失効 and a new one"
        );
    }

    #[test]
    fn file_password_rules() {
        assert!(FilePassword::parse("Import-2026", "Import-2026").is_ok());
        assert_eq!(
            FilePassword::parse("short1", "short1").unwrap_err().code(),
            "VAL-0023"
        );
        assert_eq!(
            FilePassword::parse("パスワード12345", "パスワード12345")
                .unwrap_err()
                .code(),
            "VAL-0023"
        );
        assert_eq!(
            FilePassword::parse("Import-2026", "Import-2027")
                .unwrap_err()
                .code(),
            "VAL-0004"
        );
        assert_eq!(FilePassword::parse("", "").unwrap_err().code(), "VAL-0001");
        assert_eq!(
            format!(
                "{:?}",
                FilePassword::parse("Import-2026", "Import-2026").unwrap()
            ),
            "FilePassword(***)"
        );
    }
}
