//! ログインパスワード and 確認用パスワード: the manual's rules (半角英数字 6–12, letters and
//! digits mixed, case-sensitive, entered twice, different from the login ID), with the
//! lengths configurable per deployment so a bank can require longer passwords.

use std::fmt;

use crate::chars::{char_len, is_hankaku_alnum, mixes_letters_and_digits};
use crate::error::Error;

/// Label of the login password on every screen.
pub const LOGIN_PASSWORD: &str = "ログインパスワード";
/// Label of the confirmation password on every screen.
pub const CONFIRMATION_PASSWORD: &str = "確認用パスワード";

/// A password in clear text, held only as long as it takes to hash or verify it.
/// `Debug` never shows it, so it cannot leak into a log by accident.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    /// Wraps a typed password without checking it (for verifying at login).
    pub fn typed(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(***)")
    }
}

/// The password rules of one deployment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PasswordPolicy {
    pub min_len: usize,
    pub max_len: usize,
}

impl Default for PasswordPolicy {
    /// The manual's rule: 6 to 12 characters.
    fn default() -> Self {
        Self {
            min_len: 6,
            max_len: 12,
        }
    }
}

impl PasswordPolicy {
    /// Checks the policy itself (a deployment may lengthen, never weaken, the manual's rule).
    pub fn new(min_len: usize, max_len: usize) -> Result<Self, String> {
        if min_len < 6 {
            return Err(format!(
                "password minimum length {min_len} is below the manual's 6"
            ));
        }
        if max_len < min_len || max_len > 128 {
            return Err(format!(
                "password maximum length {max_len} must be {min_len}..=128"
            ));
        }
        Ok(Self { min_len, max_len })
    }

    /// Parses a new password entered twice, for the field called `label`.
    pub fn parse_new(
        &self,
        label: &'static str,
        first: &str,
        second: &str,
        login_id: &str,
    ) -> Result<Password, Error> {
        if first.is_empty() {
            return Err(Error::Required { label });
        }
        let len = char_len(first);
        if !is_hankaku_alnum(first) || len < self.min_len || len > self.max_len {
            return Err(Error::AlnumLength {
                label,
                min: self.min_len,
                max: self.max_len,
            });
        }
        if !mixes_letters_and_digits(first) {
            return Err(Error::NotMixed { label });
        }
        if first != second {
            return Err(Error::Mismatch { label });
        }
        if first.eq_ignore_ascii_case(login_id.trim()) {
            return Err(Error::SameAsLoginId { label });
        }
        Ok(Password(first.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(first: &str, second: &str) -> Result<Password, Error> {
        PasswordPolicy::default().parse_new(LOGIN_PASSWORD, first, second, "tanaka01")
    }

    #[test]
    fn manual_rules_at_the_boundaries() {
        assert!(matches!(
            parse("abc12", "abc12"),
            Err(Error::AlnumLength { .. })
        ));
        assert!(parse("abc123", "abc123").is_ok());
        assert!(parse("abcdef123456", "abcdef123456").is_ok());
        assert!(matches!(
            parse("abcdef1234567", "abcdef1234567"),
            Err(Error::AlnumLength { .. })
        ));
        assert!(matches!(
            parse("abcdefgh", "abcdefgh"),
            Err(Error::NotMixed { .. })
        ));
        assert!(matches!(
            parse("12345678", "12345678"),
            Err(Error::NotMixed { .. })
        ));
        assert!(matches!(
            parse("ａｂｃ１２３", "ａｂｃ１２３"),
            Err(Error::AlnumLength { .. })
        ));
        assert!(matches!(
            parse("Abc123", "abc123"),
            Err(Error::Mismatch { .. })
        ));
        assert!(matches!(parse("", ""), Err(Error::Required { .. })));
    }

    #[test]
    fn password_may_not_be_the_login_id() {
        assert!(matches!(
            parse("Tanaka01", "Tanaka01"),
            Err(Error::SameAsLoginId { .. })
        ));
    }

    #[test]
    fn a_bank_can_require_longer_passwords() {
        let policy = PasswordPolicy::new(10, 32).expect("a longer policy is allowed");
        assert!(
            policy
                .parse_new(LOGIN_PASSWORD, "abc12345", "abc12345", "x")
                .is_err()
        );
        assert!(
            policy
                .parse_new(LOGIN_PASSWORD, "abc1234567", "abc1234567", "x")
                .is_ok()
        );
        assert!(PasswordPolicy::new(4, 12).is_err());
    }

    #[test]
    fn debug_hides_the_secret() {
        assert_eq!(
            format!("{:?}", Password::typed("Secret99")),
            "Password(***)"
        );
    }
}
