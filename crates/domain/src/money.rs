//! Typed yen amounts: the manual's digit rules for an amount entered on a screen or in
//! an API body. Money is whole yen in an `i64`, never floating point.

use crate::error::Error;
pub use crate::yen::Yen;

impl Yen {
    /// Parses an amount typed into a form: 半角数字 only (no sign, comma, decimal point or
    /// full-width digit), at most `max_digits` digits.
    pub fn parse(label: &'static str, input: &str, max_digits: usize) -> Result<Self, Error> {
        if input.is_empty() {
            return Err(Error::Required { label });
        }
        if input.len() > max_digits || !input.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Error::AmountFormat { label, max_digits });
        }
        // At most 18 digits fit an i64; callers never allow more than 15.
        input
            .parse::<i64>()
            .map(Yen)
            .map_err(|_| Error::AmountFormat { label, max_digits })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amount_rules() {
        let label = "総合振込";
        assert_eq!(
            Yen::parse(label, "999999999999", 12),
            Ok(Yen(999_999_999_999))
        );
        assert!(matches!(
            Yen::parse(label, "1000000000000", 12),
            Err(Error::AmountFormat { .. })
        ));
        assert!(matches!(
            Yen::parse(label, "１００", 12),
            Err(Error::AmountFormat { .. })
        ));
        assert!(matches!(
            Yen::parse(label, "-1", 12),
            Err(Error::AmountFormat { .. })
        ));
        assert!(matches!(
            Yen::parse(label, "1.5", 12),
            Err(Error::AmountFormat { .. })
        ));
        assert!(matches!(
            Yen::parse(label, "1,000", 12),
            Err(Error::AmountFormat { .. })
        ));
        assert!(matches!(
            Yen::parse(label, "+1", 12),
            Err(Error::AmountFormat { .. })
        ));
        assert!(matches!(
            Yen::parse(label, "", 12),
            Err(Error::Required { .. })
        ));
    }

    #[test]
    fn display_groups_thousands() {
        assert_eq!(Yen(0).to_string(), "0円");
        assert_eq!(Yen(999).to_string(), "999円");
        assert_eq!(Yen(1000).to_string(), "1,000円");
        assert_eq!(Yen(123_456_789).to_string(), "123,456,789円");
    }
}
