//! ログインID: 半角英数字 6–12 characters, letters and digits mixed, unique across the
//! whole deployment regardless of case.

use std::fmt;

use crate::chars::{char_len, is_hankaku_alnum, mixes_letters_and_digits};
use crate::error::Error;

const LABEL: &str = "ログインID";
/// Shortest ログインID the manual allows.
pub const MIN_LEN: usize = 6;
/// Longest ログインID the manual allows.
pub const MAX_LEN: usize = 12;

/// A login ID that obeys the manual's rules. Displayed as typed; compared by [`LoginId::key`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginId(String);

impl LoginId {
    /// Parses a new login ID (registration): 半角英数字 6–12, letters and digits mixed.
    pub fn parse(input: &str) -> Result<Self, Error> {
        if input.is_empty() {
            return Err(Error::Required { label: LABEL });
        }
        let len = char_len(input);
        if !is_hankaku_alnum(input) || !(MIN_LEN..=MAX_LEN).contains(&len) {
            return Err(Error::AlnumLength {
                label: LABEL,
                min: MIN_LEN,
                max: MAX_LEN,
            });
        }
        if !mixes_letters_and_digits(input) {
            return Err(Error::NotMixed { label: LABEL });
        }
        Ok(Self(input.to_owned()))
    }

    /// Parses a login ID entered twice (登録: 2ヶ所に同じものを入力).
    pub fn parse_twice(first: &str, second: &str) -> Result<Self, Error> {
        let id = Self::parse(first)?;
        if first != second {
            return Err(Error::Mismatch { label: LABEL });
        }
        Ok(id)
    }

    /// Rebuilds a login ID read back from storage (already validated when it was stored).
    pub fn from_stored(value: String) -> Self {
        Self(value)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The uniqueness key: IDs differing only in case are the same ID.
    pub fn key(&self) -> String {
        self.0.to_ascii_lowercase()
    }
}

/// The key under which a typed login ID is looked up at login, or `None` when what was
/// typed cannot be anybody's login ID (wrong characters or length — a NUL byte, say): such
/// input matches nobody and never reaches the database.
pub fn lookup_key(typed: &str) -> Option<String> {
    let typed = typed.trim();
    let plausible = !typed.is_empty() && typed.len() <= MAX_LEN && is_hankaku_alnum(typed);
    plausible.then(|| typed.to_ascii_lowercase())
}

impl fmt::Display for LoginId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_boundaries() {
        assert!(LoginId::parse("abc12").is_err());
        assert!(LoginId::parse("abc123").is_ok());
        assert!(LoginId::parse("abcdef123456").is_ok());
        assert!(LoginId::parse("abcdef1234567").is_err());
    }

    #[test]
    fn needs_letters_and_digits_in_hankaku() {
        assert_eq!(
            LoginId::parse("abcdefg"),
            Err(Error::NotMixed { label: LABEL })
        );
        assert_eq!(
            LoginId::parse("1234567"),
            Err(Error::NotMixed { label: LABEL })
        );
        assert!(matches!(
            LoginId::parse("ａｂｃ１２３"),
            Err(Error::AlnumLength { .. })
        ));
        assert!(matches!(
            LoginId::parse("abc_123"),
            Err(Error::AlnumLength { .. })
        ));
        assert_eq!(LoginId::parse(""), Err(Error::Required { label: LABEL }));
    }

    #[test]
    fn twice_must_match_and_key_ignores_case() {
        assert_eq!(
            LoginId::parse_twice("Tanaka01", "tanaka01"),
            Err(Error::Mismatch { label: LABEL })
        );
        let id = LoginId::parse_twice("Tanaka01", "Tanaka01");
        assert_eq!(id.map(|i| i.key()), Ok("tanaka01".to_owned()));
    }
}
