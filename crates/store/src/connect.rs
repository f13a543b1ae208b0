//! Opening the database: picks the engine from the URL, sets SQLite's durability pragmas,
//! and names the per-engine statement that begins a write transaction.

use std::ops::{Deref, DerefMut};
use std::sync::Arc;
use std::time::Duration;

use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{Any, AnyConnection, AnyPool, Executor, Transaction};
use tokio::sync::{Mutex, OwnedMutexGuard};

use crate::StoreResult;
pub use crate::backend::Backend;
use crate::error::StoreError;
use crate::history_group::AppendQueue;
use crate::history_key::{HistoryKey, HistoryWriter};

/// The one [`crate::Store`] implementation: portable SQL on sqlx's `Any` pool.
#[derive(Clone, Debug)]
pub struct SqlStore {
    pub(crate) pool: AnyPool,
    pub(crate) backend: Backend,
    /// What appends to the 操作履歴 need (its key is set by `with_history_key`).
    pub(crate) history: HistoryWriter,
    /// Appends with no other change, waiting to be written together (`history_group.rs`).
    pub(crate) appends: Arc<AppendQueue>,
    /// Whether entries from before chains (format 1, the words stored instead of codes)
    /// exist: they never appear later, so it is looked up once.
    pub(crate) legacy: Arc<std::sync::OnceLock<bool>>,
    /// SQLite: this process's writers queue here, in order, before `BEGIN IMMEDIATE`.
    /// SQLite admits one writer; without the queue the others wait in its busy handler,
    /// which sleeps in growing steps (up to 100 ms each) and favours no one, so under
    /// load a request could wait a second behind writers that came later
    /// (docs/performance.md). Other processes (the CLI) still meet `busy_timeout`.
    writers: Arc<Mutex<()>>,
    /// Where it connected: verification reads with connections of its own
    /// (`history_pages.rs`).
    pub(crate) url: Url,
}

/// A transaction that will write; on SQLite it holds the process's place in the writers'
/// queue until it ends.
pub(crate) struct WriteTx {
    tx: Transaction<'static, Any>,
    _turn: Option<OwnedMutexGuard<()>>,
}

impl WriteTx {
    pub(crate) async fn commit(self) -> Result<(), sqlx::Error> {
        self.tx.commit().await
    }

    pub(crate) async fn rollback(self) -> Result<(), sqlx::Error> {
        self.tx.rollback().await
    }
}

impl Deref for WriteTx {
    type Target = AnyConnection;

    fn deref(&self) -> &AnyConnection {
        &self.tx
    }
}

impl DerefMut for WriteTx {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        &mut self.tx
    }
}

impl SqlStore {
    /// Connects to `url` (`sqlite://…?mode=rwc` or `postgres://…`).
    pub async fn connect(url: &str) -> StoreResult<Self> {
        install_default_drivers();
        let backend = Backend::from_url(url).ok_or_else(|| {
            StoreError::Corrupt(format!(
                "unsupported database URL (use sqlite:// or postgres://): {}",
                redact(url)
            ))
        })?;
        let options = match backend {
            // SQLite has one writer; a few connections are enough for WAL readers.
            Backend::Sqlite => {
                AnyPoolOptions::new()
                    .max_connections(8)
                    .after_connect(|conn, _meta| {
                        Box::pin(async move {
                            // WAL lets readers run beside the writer; FULL syncs the WAL on every
                            // commit so an acknowledged change survives a power loss.
                            conn.execute("PRAGMA journal_mode = WAL").await?;
                            conn.execute("PRAGMA synchronous = FULL").await?;
                            conn.execute("PRAGMA foreign_keys = ON").await?;
                            conn.execute("PRAGMA busy_timeout = 10000").await?;
                            // 64 MiB of page cache per connection (SQLite's default is 2 MiB),
                            // taken only as pages are read: the 操作履歴's indexes end with
                            // `seq`, so appends touch one hot page per company and index, and
                            // at millions of entries those pages no longer fit 2 MiB
                            // (docs/performance.md).
                            conn.execute("PRAGMA cache_size = -65536").await?;
                            // Statistics for the query planner, as SQLite advises for every
                            // new connection (cheap: sampled, and only where they are stale
                            // or missing). Without them it picks among the 操作履歴's
                            // search indexes blindly: a search by 操作端末 and 結果 walked
                            // every 結果 = 正常 entry of the week (docs/performance.md).
                            conn.execute("PRAGMA optimize = 0x10002").await?;
                            Ok(())
                        })
                    })
            }
            Backend::Postgres => AnyPoolOptions::new().max_connections(16),
        };
        let pool = options
            .acquire_timeout(Duration::from_secs(30))
            .connect(url)
            .await?;
        Ok(Self {
            pool,
            backend,
            history: HistoryWriter::default(),
            appends: Default::default(),
            legacy: Default::default(),
            writers: Default::default(),
            url: Url(Arc::from(url)),
        })
    }

    /// This store with the key of the 操作履歴's MACs and checkpoints; without one, it
    /// reads but refuses to append.
    pub fn with_history_key(self, key: HistoryKey) -> Self {
        Self {
            history: self.history.with_key(key),
            // A queue of its own: a batch is written with the key of the store whose
            // caller writes it, so clones with different keys must not share one.
            appends: Default::default(),
            ..self
        }
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The pool, for maintenance commands and tests that must reach under the seam.
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Begins a transaction that will write.
    ///
    /// SQLite: after this process's earlier writers (`writers`), `BEGIN IMMEDIATE` takes
    /// the write lock up front; a deferred `BEGIN` that
    /// upgrades later deadlocks under concurrent writers ("database is locked").
    /// PostgreSQL: READ COMMITTED, with every read-modify-write done as one atomic
    /// statement or behind the row lock of an `UPDATE` (see `docs/storage.md`).
    pub(crate) async fn begin_write(&self) -> Result<WriteTx, sqlx::Error> {
        match self.backend {
            Backend::Sqlite => {
                let turn = self.writers.clone().lock_owned().await;
                Ok(WriteTx {
                    tx: self.pool.begin_with("BEGIN IMMEDIATE").await?,
                    _turn: Some(turn),
                })
            }
            Backend::Postgres => Ok(WriteTx {
                tx: self.pool.begin().await?,
                _turn: None,
            }),
        }
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// A database URL with any password replaced, for messages.
/// A database URL, shown (`Debug`) without its password.
#[derive(Clone)]
pub(crate) struct Url(Arc<str>);

impl Deref for Url {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Url {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&redact(&self.0))
    }
}

pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let userinfo = &url[scheme_end + 3..at];
            match userinfo.find(':') {
                Some(colon) => format!(
                    "{}{}:***{}",
                    &url[..scheme_end + 3],
                    &userinfo[..colon],
                    &url[at..]
                ),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

/// ` values (…), (…)` of a multi-row insert: `rows` rows of `width` parameters. SQLite
/// gets anonymous `?`, bound in order: it finds the name of a numbered one (`$7501`) by a
/// linear scan of the statement's parameters for every bind, so a statement of thousands
/// of `$n` binds in quadratic time (docs/performance.md). PostgreSQL takes only `$n`.
pub(crate) fn values_sql(backend: Backend, rows: usize, width: usize) -> String {
    let mut sql = String::with_capacity(rows * width * 6 + 8);
    for r in 0..rows {
        sql.push_str(if r == 0 { " values (" } else { ", (" });
        for c in 0..width {
            if c > 0 {
                sql.push_str(", ");
            }
            match backend {
                Backend::Sqlite => sql.push('?'),
                Backend::Postgres => sql.push_str(&format!("${}", r * width + c + 1)),
            }
        }
        sql.push(')');
    }
    sql
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(
            redact("postgres://app:secret@db:5432/x"),
            "postgres://app:***@db:5432/x"
        );
        assert_eq!(redact("postgres://app@db/x"), "postgres://app@db/x");
        assert_eq!(redact("sqlite://data/m.db"), "sqlite://data/m.db");
    }

    #[test]
    fn values_are_anonymous_on_sqlite_and_numbered_on_postgres() {
        assert_eq!(values_sql(Backend::Sqlite, 2, 2), " values (?, ?), (?, ?)");
        assert_eq!(
            values_sql(Backend::Postgres, 2, 2),
            " values ($1, $2), ($3, $4)"
        );
    }
}
