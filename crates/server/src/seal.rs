//! Sealing of the secrets madoguchi must keep but never show again (the software tokens'
//! secrets): XChaCha20-Poly1305 with a key kept outside the database — the
//! `MADOGUCHI_OTP_KEY` environment variable, or the key file `otp.key` (0600) in the data
//! directory, made on first start. A copy of the database alone reveals no secret.
//!
//! Every sealed value is bound to its place (`context`: the user and serial of a token):
//! moved to another row, it no longer opens.

use std::path::Path;

use chacha20poly1305::aead::{Aead, Payload};
use chacha20poly1305::{Key, KeyInit, XChaCha20Poly1305, XNonce};
use madoguchi_domain::Error;

use crate::keys::{self, from_hex};

/// The key file's name in the data directory.
pub const KEY_FILE: &str = "otp.key";
const VERSION: &str = "v1";
const NONCE_BYTES: usize = 24;

/// The sealing key, loaded once.
#[derive(Clone)]
pub struct Seal {
    cipher: XChaCha20Poly1305,
}

impl std::fmt::Debug for Seal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Seal(…)")
    }
}

impl Seal {
    pub fn from_key(key: [u8; 32]) -> Self {
        Self {
            cipher: XChaCha20Poly1305::new(&Key::from(key)),
        }
    }

    /// The deployment's key: `key_hex` (the `otp_key` setting), else the key file
    /// `otp.key` in `data_dir` (see `keys.rs`).
    pub fn load(key_hex: Option<&str>, data_dir: &Path) -> anyhow::Result<Self> {
        Ok(Self::from_key(keys::load(key_hex, data_dir, KEY_FILE)?))
    }

    /// `plain` sealed for `context`: `v1.<nonce>.<ciphertext>` in hex.
    pub fn seal(&self, context: &str, plain: &[u8]) -> Result<String, Error> {
        let nonce: [u8; NONCE_BYTES] = rand::random();
        let sealed = self
            .cipher
            .encrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: plain,
                    aad: context.as_bytes(),
                },
            )
            .map_err(|_| Error::Internal)?;
        let hex = madoguchi_store::history::hex;
        Ok(format!("{VERSION}.{}.{}", hex(&nonce), hex(&sealed)))
    }

    /// Opens what [`Seal::seal`] sealed for the same `context`; anything else (another
    /// key, another context, a changed byte) is refused.
    pub fn open(&self, context: &str, sealed: &str) -> Result<Vec<u8>, Error> {
        let mut parts = sealed.split('.');
        let (Some(VERSION), Some(nonce), Some(body), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(Error::Internal);
        };
        let nonce: [u8; NONCE_BYTES] = from_hex(nonce)
            .and_then(|n| n.try_into().ok())
            .ok_or(Error::Internal)?;
        let body = from_hex(body).ok_or(Error::Internal)?;
        self.cipher
            .decrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: &body,
                    aad: context.as_bytes(),
                },
            )
            .map_err(|_| Error::Internal)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_opens_only_in_its_place_with_its_key() {
        let seal = Seal::from_key([7; 32]);
        let sealed = seal.seal("otp:1:SW0000000001", b"secret bytes").unwrap();
        assert!(!sealed.contains("secret"));
        assert_eq!(
            seal.open("otp:1:SW0000000001", &sealed).unwrap(),
            b"secret bytes"
        );
        assert!(seal.open("otp:2:SW0000000001", &sealed).is_err(), "moved");
        assert!(
            Seal::from_key([8; 32])
                .open("otp:1:SW0000000001", &sealed)
                .is_err()
        );
        let mut bent = sealed.clone();
        bent.pop();
        bent.push(if sealed.ends_with('0') { '1' } else { '0' });
        assert!(seal.open("otp:1:SW0000000001", &bent).is_err(), "changed");
        assert_ne!(
            seal.seal("c", b"x").unwrap(),
            seal.seal("c", b"x").unwrap(),
            "a fresh nonce every time"
        );
    }
}
