//! The key of the 操作履歴's MACs and checkpoint signatures, and what an append needs
//! besides its connection.

use std::sync::Arc;

use hmac::{KeyInit, Mac};
use sha2::Sha256;

use crate::StoreResult;
use crate::error::StoreError;

/// The key of the chains' MACs and the checkpoints' signatures (32 bytes, kept outside
/// the database), held as HMAC's state after the key (its two padded blocks): each MAC
/// starts from a copy instead of hashing them again, a third of the work of an entry's
/// MAC (verification computes one per entry).
#[derive(Clone)]
pub struct HistoryKey(hmac::Hmac<Sha256>);

impl std::fmt::Debug for HistoryKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("HistoryKey(…)")
    }
}

impl HistoryKey {
    pub fn new(bytes: [u8; 32]) -> Self {
        // HMAC pads a key shorter than SHA-256's 64-byte block with zeros; padding it here
        // gives the same MACs through the infallible constructor.
        let mut block = [0_u8; 64];
        block[..32].copy_from_slice(&bytes);
        Self(<hmac::Hmac<Sha256> as KeyInit>::new(&block.into()))
    }

    /// HMAC-SHA-256 of `parts` (joined by newlines), in hex.
    pub fn mac(&self, parts: &[&str]) -> String {
        let parts: Vec<&[u8]> = parts.iter().map(|p| p.as_bytes()).collect();
        hex(&self.raw(&parts))
    }

    /// Whether `expected` is the hex MAC of `parts`, without allocating: verification
    /// checks one per entry.
    pub fn holds(&self, parts: &[&[u8]], expected: &[u8]) -> bool {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        let mut text = [0_u8; 64];
        for (pair, b) in text.chunks_exact_mut(2).zip(self.raw(parts)) {
            pair[0] = DIGITS[usize::from(b >> 4)];
            pair[1] = DIGITS[usize::from(b & 0x0f)];
        }
        expected == text
    }

    pub(crate) fn raw(&self, parts: &[&[u8]]) -> [u8; 32] {
        let mut mac = self.0.clone();
        for (i, part) in parts.iter().enumerate() {
            if i > 0 {
                mac.update(b"\n");
            }
            mac.update(part);
        }
        mac.finalize().into_bytes().into()
    }
}

/// What every append needs besides the connection: the key (the database numbers the
/// entries itself).
#[derive(Clone, Debug, Default)]
pub struct HistoryWriter {
    key: Option<Arc<HistoryKey>>,
}

impl HistoryWriter {
    pub(crate) fn with_key(self, key: HistoryKey) -> Self {
        Self {
            key: Some(Arc::new(key)),
        }
    }

    pub(crate) fn key(&self) -> StoreResult<&HistoryKey> {
        self.key
            .as_deref()
            .ok_or_else(|| StoreError::Corrupt("no 操作履歴 key is configured".to_owned()))
    }
}

/// Lower-case hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_prepared_key_makes_the_same_macs_as_the_key_itself() {
        let bytes = [0x0b_u8; 32];
        let mut reference = <hmac::Hmac<Sha256> as KeyInit>::new_from_slice(&bytes)
            .unwrap_or_else(|_| unreachable!("HMAC takes a key of any length"));
        reference.update(b"a\nb");
        assert_eq!(
            HistoryKey::new(bytes).mac(&["a", "b"]),
            hex(&reference.finalize().into_bytes())
        );
        let key = HistoryKey::new(bytes);
        let mac = key.mac(&["a", "b"]);
        assert!(key.holds(&[b"a", b"b"], mac.as_bytes()));
        assert!(!key.holds(&[b"a", b"c"], mac.as_bytes()));
        assert!(!key.holds(&[b"a", b"b"], mac.to_uppercase().as_bytes()));
    }
}
