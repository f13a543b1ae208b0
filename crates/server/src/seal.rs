//! Sealing of the secrets madoguchi must keep but never show again (the software tokens'
//! secrets): XChaCha20-Poly1305 with a key kept outside the database — the
//! `MADOGUCHI_OTP_KEY` environment variable, or the key file `otp.key` (0600) in the data
//! directory, made on first start. A copy of the database alone reveals no secret.
//!
//! Every sealed value is bound to its place (`context`: the user and serial of a token):
//! moved to another row, it no longer opens.

use std::io::Write;
use std::path::Path;

use chacha20poly1305::aead::{Aead, Payload};
use chacha20poly1305::{Key, KeyInit, XChaCha20Poly1305, XNonce};
use madoguchi_domain::Error;

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

/// A key as written: 64 hex characters.
pub fn parse_key(hex: &str) -> anyhow::Result<[u8; 32]> {
    let bytes = from_hex(hex.trim())
        .filter(|b| b.len() == 32)
        .ok_or_else(|| anyhow::anyhow!("otp_key must be 64 hex characters (32 bytes)"))?;
    let mut key = [0u8; 32];
    key.copy_from_slice(&bytes);
    Ok(key)
}

fn from_hex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

impl Seal {
    pub fn from_key(key: [u8; 32]) -> Self {
        Self {
            cipher: XChaCha20Poly1305::new(&Key::from(key)),
        }
    }

    /// The deployment's key: `key_hex` (the `otp_key` setting), else the key file in
    /// `data_dir` (made when missing; refused when others may read it).
    pub fn load(key_hex: Option<&str>, data_dir: &Path) -> anyhow::Result<Self> {
        if let Some(key) = key_hex {
            return Ok(Self::from_key(parse_key(key)?));
        }
        Ok(Self::from_key(load_or_create(&data_dir.join(KEY_FILE))?))
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

/// Reads the key file, or makes it (0600, written once) when there is none.
fn load_or_create(path: &Path) -> anyhow::Result<[u8; 32]> {
    match std::fs::read_to_string(path) {
        Ok(text) => {
            refuse_if_readable_by_others(path)?;
            parse_key(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir)?;
            }
            let key: [u8; 32] = rand::random();
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            {
                use std::os::unix::fs::OpenOptionsExt;
                options.mode(0o600);
            }
            let mut file = options
                .open(path)
                .map_err(|e| anyhow::anyhow!("cannot create {}: {e}", path.display()))?;
            writeln!(file, "{}", madoguchi_store::history::hex(&key))?;
            file.sync_all()?;
            tracing::info!(path = %path.display(), "created the key that seals token secrets");
            Ok(key)
        }
        Err(e) => Err(anyhow::anyhow!("cannot read {}: {e}", path.display())),
    }
}

#[cfg(unix)]
fn refuse_if_readable_by_others(path: &Path) -> anyhow::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path)?.permissions().mode();
    anyhow::ensure!(
        mode & 0o077 == 0,
        "{} may be read by others (mode {:o}): make it 0600",
        path.display(),
        mode & 0o777
    );
    Ok(())
}

#[cfg(not(unix))]
fn refuse_if_readable_by_others(_: &Path) -> anyhow::Result<()> {
    Ok(())
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

    #[test]
    fn the_key_file_is_made_private_and_read_back() {
        let dir = std::env::temp_dir().join(format!("madoguchi-seal-{}", rand::random::<u64>()));
        let path = dir.join(KEY_FILE);
        let made = load_or_create(&path).unwrap();
        assert_eq!(load_or_create(&path).unwrap(), made);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
            assert!(load_or_create(&path).is_err(), "readable by others");
        }
        std::fs::remove_dir_all(dir).unwrap();
        assert!(parse_key("abc").is_err());
        assert_eq!(parse_key(&"0f".repeat(32)).unwrap(), [0x0f; 32]);
    }
}
