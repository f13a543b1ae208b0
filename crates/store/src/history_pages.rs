//! The 操作履歴 as verification reads it: the table in `seq` order, in pages of `PAGE`
//! entries, several read and checked at once, each entry's MAC checked where it is read.
//!
//! A page comes back as `Link`s: what the walk of the chains needs of each entry (its
//! numbers, its MAC and the one it follows) and whether its MAC holds. The fields the MAC
//! covers are borrowed where they lie and never copied into strings of their own:
//! - **SQLite**: the database file is read directly (rusqlite, on a blocking thread, one
//!   connection per reader), the columns borrowed from SQLite's row. Through sqlx `Any`,
//!   row by row cost a wake-up and a copy of the column descriptions per row, and pages
//!   the engine built as one string (JSON, then `concat`) spent most of the time in
//!   SQLite building them (docs/performance.md).
//! - **PostgreSQL**: each page is a `COPY … TO STDOUT` in the binary format (every field
//!   its length and its bytes: nothing for the backend to format or escape, and about half
//!   the backend's time of `string_agg` or `json_agg` building one string), read on its
//!   own connection and parsed on a blocking thread into `EntryView`s borrowing it.
//!
//! A page that does not read this way (a column altered to NULL, say) is corrupt.

use std::path::Path;
use std::sync::{Arc, Mutex};

use sqlx::Row;

use crate::StoreResult;
use crate::backend::Backend;
use crate::connect::SqlStore;
use crate::error::StoreError;
use crate::history::{EntryView, HistoryKey};

/// Entries read per page.
const PAGE: i64 = 10_000;

/// Pages read at once: on SQLite each on its own blocking thread, on PostgreSQL each built
/// by the backend of its own connection. At 1 M entries on two cores, 4 read 1.03–1.09 M
/// entries/s, 3 about 1.0 M, 2 about 0.9 M (while one waits on the disk another reads).
const READERS: usize = 4;

/// A MAC (or format-1 hash) as stored: 64 hex digits; anything else is `None`, which
/// follows nothing and is no entry's MAC.
pub(crate) type Digest = Option<[u8; 64]>;

pub(crate) fn digest(text: impl AsRef<[u8]>) -> Digest {
    text.as_ref().try_into().ok()
}

/// What the walk of the chains needs of one entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Link {
    pub(crate) seq: i64,
    pub(crate) format: i64,
    pub(crate) chain: Option<i64>,
    pub(crate) chain_seq: Option<i64>,
    pub(crate) prev_hash: Digest,
    pub(crate) hash: Digest,
    /// Its MAC (format 1: its hash) is what its contents make.
    pub(crate) holds: bool,
}

impl Link {
    fn of(e: &EntryView<'_>, key: &HistoryKey, scratch: &mut Vec<u8>) -> Self {
        Self {
            seq: e.seq,
            format: e.format,
            chain: e.chain,
            chain_seq: e.chain_seq,
            prev_hash: digest(e.prev_hash),
            hash: digest(e.hash),
            holds: e.hash_holds(key, scratch),
        }
    }
}

/// The columns of an entry in `EntryView`'s order.
const COLUMNS: &str = "seq, format, chain, chain_seq, occurred_at, company_id, user_id, login_id, \
    ip, user_agent, peer, area, operation, outcome, error_code, details, prev_hash, hash";

/// Where pages come from.
#[derive(Clone)]
enum Source {
    Sqlite(Arc<Files>),
    Postgres(Arc<Copies>),
}

/// PostgreSQL's pages: a pool of `READERS` connections of its own (`COPY` is
/// PostgreSQL's, not `Any`'s), and the buffers pages were copied into, kept for the next
/// pages. A fresh 4 MB buffer per page grew by doubling and touched new memory each time:
/// the copies and page faults were a sixth of the app's CPU (docs/performance.md).
struct Copies {
    pool: sqlx::PgPool,
    spare: Mutex<Vec<Vec<u8>>>,
}

impl Copies {
    /// Reads and checks the entries with `after < seq <= upto`.
    async fn page(&self, key: Arc<HistoryKey>, after: i64, upto: i64) -> StoreResult<Vec<Link>> {
        let spare = self.spare.lock().ok().and_then(|mut spare| spare.pop());
        let mut data = spare.unwrap_or_default();
        data.clear();
        copy_page(&self.pool, after, upto, &mut data).await?;
        let (links, data) = tokio::task::spawn_blocking(move || (copy_links(&data, &key), data))
            .await
            .map_err(task_failed)?;
        if let Ok(mut spare) = self.spare.lock() {
            spare.push(data);
        }
        links
    }
}

/// Read-only connections to the SQLite file, one per reader, kept for the pass.
struct Files {
    path: Arc<Path>,
    idle: Mutex<Vec<rusqlite::Connection>>,
}

impl Files {
    /// Checks the entries with `after < seq <= upto` (blocking).
    fn page(&self, key: &HistoryKey, after: i64, upto: i64) -> StoreResult<Vec<Link>> {
        let taken = self.idle.lock().ok().and_then(|mut idle| idle.pop());
        let conn = match taken {
            Some(conn) => conn,
            None => {
                let conn = rusqlite::Connection::open_with_flags(
                    &self.path,
                    rusqlite::OpenFlags::SQLITE_OPEN_READ_WRITE
                        | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
                )?;
                // It reads, and nothing else, once: SQLite's default 2 MiB of cache, whose
                // pages are reused. With the pool's 64 MiB each page read was a fresh
                // allocation (and page faults): 1.0 s more CPU per million entries.
                conn.execute_batch(
                    "PRAGMA query_only = 1; PRAGMA busy_timeout = 10000; PRAGMA cache_size = -2048;",
                )?;
                conn
            }
        };
        let links = read_rows(&conn, key, after, upto);
        if let Ok(mut idle) = self.idle.lock() {
            idle.push(conn);
        }
        links
    }
}

fn read_rows(
    conn: &rusqlite::Connection,
    key: &HistoryKey,
    after: i64,
    upto: i64,
) -> StoreResult<Vec<Link>> {
    let mut statement = conn.prepare(&format!(
        "select {COLUMNS} from history where seq > ?1 and seq <= ?2 order by seq limit ?3"
    ))?;
    let mut rows = statement.query((after, upto, PAGE))?;
    let mut links = Vec::with_capacity(usize::try_from(PAGE).unwrap_or(0));
    let mut scratch = Vec::with_capacity(1024);
    while let Some(row) = rows.next()? {
        let seq: i64 = row.get(0)?;
        let text = |i: usize| -> StoreResult<&[u8]> {
            row.get_ref(i)?.as_bytes().map_err(|e| {
                StoreError::Corrupt(format!("an 操作履歴 entry cannot be read (seq {seq}): {e}"))
            })
        };
        let entry = EntryView {
            seq,
            format: row.get(1)?,
            chain: row.get(2)?,
            chain_seq: row.get(3)?,
            occurred_at: row.get(4)?,
            company_id: row.get(5)?,
            user_id: row.get(6)?,
            login_id: text(7)?,
            ip: text(8)?,
            user_agent: text(9)?,
            peer: text(10)?,
            area: text(11)?,
            operation: text(12)?,
            outcome: text(13)?,
            error_code: text(14)?,
            details: text(15)?,
            prev_hash: text(16)?,
            hash: text(17)?,
        };
        links.push(Link::of(&entry, key, &mut scratch));
    }
    Ok(links)
}

impl SqlStore {
    /// The pages of one verification pass, from the first entry on, checked with `key`.
    pub(crate) async fn pages(&self, key: HistoryKey) -> StoreResult<Pages> {
        let row = sqlx::query(
            "select cast(coalesce(min(seq), 1) - 1 as bigint) as low, \
             cast(coalesce(max(seq), 0) as bigint) as top from history",
        )
        .fetch_one(&self.pool)
        .await?;
        let source = match self.backend {
            Backend::Sqlite => {
                let options: sqlx::sqlite::SqliteConnectOptions = self.url.parse()?;
                Source::Sqlite(Arc::new(Files {
                    path: options.get_filename().into(),
                    idle: Mutex::default(),
                }))
            }
            Backend::Postgres => Source::Postgres(Arc::new(Copies {
                pool: sqlx::postgres::PgPoolOptions::new()
                    .max_connections(u32::try_from(READERS).unwrap_or(1))
                    .connect(&self.url)
                    .await?,
                spare: Mutex::default(),
            })),
        };
        Ok(Pages {
            source,
            key: Arc::new(key),
            next: row.try_get("low")?,
            top: row.try_get("top")?,
            reading: std::collections::VecDeque::new(),
        })
    }
}

/// The entries with `after < seq <= upto` in `COPY`'s binary format (PostgreSQL),
/// appended to `data`.
async fn copy_page(
    pool: &sqlx::PgPool,
    after: i64,
    upto: i64,
    data: &mut Vec<u8>,
) -> StoreResult<()> {
    use futures_util::TryStreamExt;
    use sqlx::postgres::PgPoolCopyExt;
    // `COPY` takes no parameters; the bounds are numbers.
    let statement = format!(
        "copy (select {COLUMNS} from history where seq > {after} and seq <= {upto} \
         order by seq limit {PAGE}) to stdout with (format binary)"
    );
    let mut chunks = pool.copy_out_raw(&statement).await?;
    while let Some(chunk) = chunks.try_next().await? {
        data.extend_from_slice(&chunk);
    }
    Ok(())
}

/// The entries of a PostgreSQL page, checked (blocking).
fn copy_links(data: &[u8], key: &HistoryKey) -> StoreResult<Vec<Link>> {
    let corrupt = |after: Option<&Link>| {
        StoreError::Corrupt(format!(
            "an 操作履歴 entry cannot be read (after seq {})",
            after.map_or(0, |l| l.seq)
        ))
    };
    let mut reader = Copy::new(data).ok_or_else(|| corrupt(None))?;
    let mut links: Vec<Link> = Vec::with_capacity(usize::try_from(PAGE).unwrap_or(0));
    let mut scratch = Vec::with_capacity(1024);
    loop {
        match reader.entry() {
            Some(Some(entry)) => links.push(Link::of(&entry, key, &mut scratch)),
            Some(None) => return Ok(links),
            None => return Err(corrupt(links.last())),
        }
    }
}

/// A page in `COPY`'s binary format being read: a header, then per row the number of
/// fields (−1 ends the data) and per field its length (−1 for NULL) and bytes.
struct Copy<'a> {
    data: &'a [u8],
}

impl<'a> Copy<'a> {
    /// After the header, if there is one.
    fn new(data: &'a [u8]) -> Option<Self> {
        let rest = data.strip_prefix(b"PGCOPY\n\xff\r\n\0")?;
        let mut copy = Self { data: rest };
        let _flags = copy.take(4)?;
        let extension = usize::try_from(copy.int32()?).ok()?;
        copy.take(extension)?;
        Some(copy)
    }

    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let (head, rest) = self.data.split_at_checked(n)?;
        self.data = rest;
        Some(head)
    }

    fn int32(&mut self) -> Option<i32> {
        Some(i32::from_be_bytes(self.take(4)?.try_into().ok()?))
    }

    /// A field: `None` for NULL.
    fn field(&mut self) -> Option<Option<&'a [u8]>> {
        match self.int32()? {
            -1 => Some(None),
            n => self.take(usize::try_from(n).ok()?).map(Some),
        }
    }

    fn number(&mut self) -> Option<Option<i64>> {
        match self.field()? {
            None => Some(None),
            Some(bytes) => Some(Some(i64::from_be_bytes(bytes.try_into().ok()?))),
        }
    }

    fn int(&mut self) -> Option<i64> {
        self.number()?
    }

    fn text(&mut self) -> Option<&'a [u8]> {
        self.field()?
    }

    /// The next entry; `Some(None)` at the end of the data.
    fn entry(&mut self) -> Option<Option<EntryView<'a>>> {
        let fields = i16::from_be_bytes(self.take(2)?.try_into().ok()?);
        if fields == -1 {
            return Some(None);
        }
        if fields != 18 {
            return None;
        }
        Some(Some(EntryView {
            seq: self.int()?,
            format: self.int()?,
            chain: self.number()?,
            chain_seq: self.number()?,
            occurred_at: self.int()?,
            company_id: self.number()?,
            user_id: self.number()?,
            login_id: self.text()?,
            ip: self.text()?,
            user_agent: self.text()?,
            peer: self.text()?,
            area: self.text()?,
            operation: self.text()?,
            outcome: self.text()?,
            error_code: self.text()?,
            details: self.text()?,
            prev_hash: self.text()?,
            hash: self.text()?,
        }))
    }
}

/// A reading or checking task that panicked or was cancelled.
fn task_failed(e: tokio::task::JoinError) -> sqlx::Error {
    sqlx::Error::Protocol(format!("verification task: {e}"))
}

/// Reads and checks one page (a task of its own).
async fn page(
    source: Source,
    key: Arc<HistoryKey>,
    after: i64,
    upto: i64,
) -> StoreResult<Vec<Link>> {
    match source {
        Source::Sqlite(files) => tokio::task::spawn_blocking(move || files.page(&key, after, upto))
            .await
            .map_err(task_failed)?,
        Source::Postgres(copies) => copies.page(key, after, upto).await,
    }
}

/// The table in `seq` order for one verification: up to `top` (the largest `seq` when
/// the pass began) in ranges of `PAGE` numbers, `READERS` of them read ahead at once;
/// then what was appended since, page by page after the last entry read.
pub(crate) struct Pages {
    source: Source,
    key: Arc<HistoryKey>,
    /// Entries after this `seq` are still to be read.
    next: i64,
    top: i64,
    reading: std::collections::VecDeque<tokio::task::JoinHandle<StoreResult<Vec<Link>>>>,
}

impl Pages {
    /// The next entries in `seq` order, checked; empty at the end.
    pub(crate) async fn next(&mut self) -> StoreResult<Vec<Link>> {
        loop {
            while self.reading.len() < READERS && self.next < self.top {
                let (after, upto) = (self.next, self.next.saturating_add(PAGE).min(self.top));
                self.reading.push_back(tokio::spawn(page(
                    self.source.clone(),
                    self.key.clone(),
                    after,
                    upto,
                )));
                self.next = upto;
            }
            let Some(reading) = self.reading.pop_front() else {
                // Past the snapshot: entries appended during the pass.
                let links =
                    page(self.source.clone(), self.key.clone(), self.next, i64::MAX).await?;
                if let Some(last) = links.last() {
                    self.next = last.seq;
                }
                return Ok(links);
            };
            let links = reading.await.map_err(task_failed)??;
            // A range with no entries (numbers a rolled-back append took) is skipped.
            if !links.is_empty() {
                return Ok(links);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::GENESIS_HASH;

    fn key() -> HistoryKey {
        HistoryKey::new([1; 32])
    }

    /// A page as PostgreSQL's `COPY … with (format binary)` writes it.
    fn copy(rows: &[[Option<Vec<u8>>; 18]]) -> Vec<u8> {
        let mut data = b"PGCOPY\n\xff\r\n\0".to_vec();
        data.extend([0; 8]);
        for row in rows {
            data.extend(18_i16.to_be_bytes());
            for field in row {
                match field {
                    None => data.extend((-1_i32).to_be_bytes()),
                    Some(bytes) => {
                        data.extend(i32::try_from(bytes.len()).unwrap_or(0).to_be_bytes());
                        data.extend(bytes);
                    }
                }
            }
        }
        data.extend((-1_i16).to_be_bytes());
        data
    }

    fn row(e: &EntryView<'_>) -> [Option<Vec<u8>>; 18] {
        let int = |v: i64| Some(v.to_be_bytes().to_vec());
        let text = |t: &[u8]| Some(t.to_vec());
        [
            int(e.seq),
            int(e.format),
            e.chain.and_then(int),
            e.chain_seq.and_then(int),
            int(e.occurred_at),
            e.company_id.and_then(int),
            e.user_id.and_then(int),
            text(e.login_id),
            text(e.ip),
            text(e.user_agent),
            text(e.peer),
            text(e.area),
            text(e.operation),
            text(e.outcome),
            text(e.error_code),
            text(e.details),
            text(e.prev_hash),
            text(e.hash),
        ]
    }

    fn entry(hash: &str) -> EntryView<'_> {
        EntryView {
            seq: 7,
            format: 2,
            chain: Some(3),
            chain_seq: Some(1),
            occurred_at: 1700,
            company_id: Some(3),
            user_id: None,
            login_id: "山田".as_bytes(),
            ip: b"127.0.0.1",
            user_agent: b"ua",
            peer: b"",
            area: b"auth",
            operation: b"auth.login",
            outcome: b"ok",
            error_code: b"",
            details: b"{}",
            prev_hash: GENESIS_HASH.as_bytes(),
            hash: hash.as_bytes(),
        }
    }

    #[test]
    fn a_copied_page_reads_back_and_its_macs_hold() {
        let mac = entry("").expected_hash(&key());
        let good = entry(&mac);
        let forged = EntryView {
            seq: 8,
            chain_seq: Some(2),
            details: b"{\"x\":1}",
            ..good
        };
        let links = copy_links(&copy(&[row(&good), row(&forged)]), &key()).unwrap_or_default();
        assert_eq!(links.len(), 2);
        assert_eq!(
            (links[0].seq, links[0].chain, links[0].chain_seq),
            (7, Some(3), Some(1))
        );
        assert_eq!(links[0].prev_hash, digest(GENESIS_HASH));
        assert!(links[0].holds);
        assert!(!links[1].holds, "changed after its MAC was made");
        let other = copy_links(&copy(&[row(&good)]), &HistoryKey::new([2; 32]));
        assert!(!other.unwrap_or_default()[0].holds, "another key");
        // Text is read as bytes; bytes that are not UTF-8 read, and their MAC fails.
        let mut bad_utf8 = row(&good);
        bad_utf8[8] = Some(vec![0xff, 0xfe]);
        let links = copy_links(&copy(&[bad_utf8]), &key()).unwrap_or_default();
        assert!(!links[0].holds);
        assert_eq!(digest("short"), None);
    }

    #[test]
    fn a_page_that_does_not_read_is_corrupt() {
        let mut null_text = row(&entry(""));
        null_text[7] = None;
        let mut short_int = row(&entry(""));
        short_int[0] = Some(vec![1, 2]);
        for data in [
            copy(&[null_text]),
            copy(&[short_int]),
            copy(&[row(&entry(""))])[..40].to_vec(),
            b"PGCOPX".to_vec(),
        ] {
            assert!(
                matches!(copy_links(&data, &key()), Err(StoreError::Corrupt(_))),
                "{data:?}"
            );
        }
    }
}
