//! Random tokens (session ids, CSRF tokens, idempotency keys) and their stored digests.

use sha2::{Digest, Sha256};

/// 256 random bits as 64 lower-case hex characters.
pub fn random_token() -> String {
    madoguchi_store::history::hex(&rand::random::<[u8; 32]>())
}

/// SHA-256 of a token, as stored in place of the token itself.
pub fn digest(token: &str) -> String {
    madoguchi_store::history::hex(&Sha256::digest(token.as_bytes()))
}

/// Constant-time comparison, so a token cannot be guessed byte by byte from timings.
pub fn same(a: &str, b: &str) -> bool {
    same_bytes(a.as_bytes(), b.as_bytes())
}

/// Constant-time comparison of byte strings (lengths are not secret).
pub fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    use subtle::ConstantTimeEq;
    a.len() == b.len() && bool::from(a.ct_eq(b))
}
