//! 冪等キー: the key a confirm screen (or an API client) sends with a 実行, so that a
//! double submit changes nothing twice. A key is bound to the operation and to what was
//! asked; it is parsed before anything else, so it is always safe in a URL, a header or a
//! database column.

use std::fmt;

use crate::error::Error;

/// The name of the key's field in forms and API bodies.
pub const FIELD: &str = "idempotency_key";

/// A well-formed idempotency key: 16–128 characters of `A–Z a–z 0–9 - _` (a UUID, or the
/// 64 hex characters the confirm screens generate).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    pub const MIN: usize = 16;
    pub const MAX: usize = 128;

    pub fn parse(input: &str) -> Result<Self, Error> {
        let shape = (Self::MIN..=Self::MAX).contains(&input.len())
            && input
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if shape {
            Ok(Self(input.to_owned()))
        } else {
            Err(Error::IdempotencyKeyFormat)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for IdempotencyKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_have_a_shape() {
        assert!(IdempotencyKey::parse(&"a".repeat(16)).is_ok());
        assert!(IdempotencyKey::parse("0f8fad5b-d9cb-469f-a165-70867728950e").is_ok());
        assert!(IdempotencyKey::parse(&"a".repeat(128)).is_ok());
        for bad in [
            String::new(),
            "a".repeat(15),
            "a".repeat(129),
            "a".repeat(60_000),
            format!("{}\0", "a".repeat(20)),
            format!("{}\r\nSet-Cookie: x=1", "a".repeat(20)),
            format!("{}/../", "a".repeat(20)),
            "ａ".repeat(20),
        ] {
            assert_eq!(
                IdempotencyKey::parse(&bad),
                Err(Error::IdempotencyKeyFormat),
                "{bad:?}"
            );
        }
    }
}
