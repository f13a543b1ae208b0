//! Keys kept outside the database: 32 bytes given as 64 hex characters (an environment
//! variable, best) or read from a key file in the data directory, made on first start with
//! 0600 permissions and refused when others may read it. The sealing key of token secrets
//! (`otp.key`) and the key of the 操作履歴's chains and checkpoints (`history.key`) are
//! such keys; a copy of the database holds neither.

use std::io::Write;
use std::path::Path;

/// A key as written: 64 hex characters.
pub fn parse_key(hex: &str) -> anyhow::Result<[u8; 32]> {
    let bytes = from_hex(hex.trim())
        .filter(|b| b.len() == 32)
        .ok_or_else(|| anyhow::anyhow!("a key must be 64 hex characters (32 bytes)"))?;
    let mut key = [0u8; 32];
    key.copy_from_slice(&bytes);
    Ok(key)
}

pub fn from_hex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

/// The key: `hex` when given, else the file `name` in `data_dir` (made when missing).
pub fn load(hex: Option<&str>, data_dir: &Path, name: &str) -> anyhow::Result<[u8; 32]> {
    match hex {
        Some(hex) => parse_key(hex),
        None => load_or_create(&data_dir.join(name)),
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
            let key: [u8; 32] = rand::random();
            let hex = madoguchi_store::history::hex(&key);
            write_private(path, format!("{hex}\n").as_bytes())?;
            tracing::info!(path = %path.display(), "created a key file");
            Ok(key)
        }
        Err(e) => Err(anyhow::anyhow!("cannot read {}: {e}", path.display())),
    }
}

/// Writes a new file only its owner may read (0600); an existing file is never replaced.
pub fn write_private(path: &Path, contents: &[u8]) -> anyhow::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
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
    file.write_all(contents)?;
    file.sync_all()?;
    Ok(())
}

#[cfg(unix)]
pub fn refuse_if_readable_by_others(path: &Path) -> anyhow::Result<()> {
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
pub fn refuse_if_readable_by_others(_: &Path) -> anyhow::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_file_is_made_private_and_read_back() {
        let dir = std::env::temp_dir().join(format!("madoguchi-seal-{}", rand::random::<u64>()));
        let path = dir.join("test.key");
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
