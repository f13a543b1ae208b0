//! An uploaded file as the server holds it: read from the multipart body chunk by chunk
//! (at most `max_upload_bytes`), its size and SHA-256 taken on the way, and kept either in
//! memory (a CSV of payees, a 依頼 typed on screen) or spooled to an anonymous file in the
//! data directory (a 全銀協 file: read twice from there, never whole in memory). The spool
//! file is created 0600 and has no name, so it is gone when the upload is dropped, even if
//! the process is killed.

use std::io::{BufRead, BufReader, Cursor, Seek, SeekFrom};
use std::path::Path;

use axum::body::Bytes;
use axum::extract::Multipart;
use madoguchi_domain::{Error, FieldErrors};
use madoguchi_store::history::hex;
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;

/// Where the file's bytes are.
#[derive(Debug, Default)]
pub enum Content {
    #[default]
    Empty,
    Memory(Bytes),
    Spooled(std::fs::File),
}

impl Content {
    /// A reader of the whole file from its start (each call starts again).
    pub fn reader(&self) -> std::io::Result<Box<dyn BufRead + Send>> {
        Ok(match self {
            Content::Empty => Box::new(Cursor::new(Bytes::new())),
            Content::Memory(b) => Box::new(Cursor::new(b.clone())),
            Content::Spooled(f) => {
                let mut f = f.try_clone()?;
                f.seek(SeekFrom::Start(0))?;
                Box::new(BufReader::with_capacity(64 * 1024, f))
            }
        })
    }

    /// The bytes of a file held in memory (empty for a spooled one).
    pub fn bytes(&self) -> &[u8] {
        match self {
            Content::Memory(b) => b,
            _ => &[],
        }
    }
}

/// A file received: its name, where its bytes are, their size and SHA-256 (hex).
#[derive(Debug, Default)]
pub struct Received {
    pub name: String,
    pub content: Content,
    pub size: usize,
    pub sha256: String,
}

impl Received {
    /// `bytes` held in memory as the file `name`.
    pub fn in_memory(name: &str, bytes: Vec<u8>) -> Self {
        Self {
            name: name.to_owned(),
            size: bytes.len(),
            sha256: hex(&Sha256::digest(&bytes)),
            content: Content::Memory(Bytes::from(bytes)),
        }
    }
}

/// Where uploads are spooled: `uploads` in the data directory.
pub fn spool_dir(state: &crate::state::AppState) -> std::path::PathBuf {
    state.config.data_dir.join("uploads")
}

/// Reads a multipart body: the part `file` (at most `limit` bytes; spooled to an anonymous
/// file in `spool` when given, else kept in memory) and the text parts. The file is `None`
/// when it is larger than `limit`.
pub async fn read_multipart(
    mut multipart: Multipart,
    limit: usize,
    spool: Option<&Path>,
) -> Result<(Option<Received>, Vec<(String, String)>), Error> {
    let bad = |_| Error::Invalid(FieldErrors::new());
    let mut file = Received::default();
    let mut fields = Vec::new();
    while let Some(mut part) = multipart.next_field().await.map_err(bad)? {
        let name = part.name().unwrap_or_default().to_owned();
        if name != "file" {
            fields.push((name, part.text().await.map_err(bad)?));
            continue;
        }
        file.name = part.file_name().unwrap_or_default().to_owned();
        let mut hash = Sha256::new();
        let mut memory = Vec::new();
        let mut disk = match spool {
            Some(dir) => {
                std::fs::create_dir_all(dir).map_err(|_| Error::Internal)?;
                let f = tempfile::tempfile_in(dir).map_err(|_| Error::Internal)?;
                Some(tokio::fs::File::from_std(f))
            }
            None => None,
        };
        while let Some(chunk) = part.chunk().await.map_err(bad)? {
            if file.size + chunk.len() > limit {
                return Ok((None, fields));
            }
            file.size += chunk.len();
            hash.update(&chunk);
            match disk.as_mut() {
                Some(f) => f.write_all(&chunk).await.map_err(|_| Error::Internal)?,
                None => memory.extend_from_slice(&chunk),
            }
        }
        file.sha256 = hex(&hash.finalize());
        file.content = match disk {
            Some(mut f) => {
                f.flush().await.map_err(|_| Error::Internal)?;
                Content::Spooled(f.into_std().await)
            }
            None => Content::Memory(Bytes::from(memory)),
        };
    }
    Ok((Some(file), fields))
}
