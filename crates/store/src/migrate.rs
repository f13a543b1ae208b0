//! Schema migrations, embedded in the binary and run at start (and by `madoguchi migrate`).
//!
//! Each engine has its own folder because DDL differs (identity columns, triggers); the
//! file names are identical, which a test checks, so the two schemas move in step.

use sqlx::Row;

use crate::StoreResult;
use crate::connect::{Backend, SqlStore};
use crate::history::HistoryKey;

/// Names of the embedded migrations, in order.
pub const MIGRATION_NAMES: &[&str] = &[
    "0001_foundation",
    "0002_company_settings",
    "0003_fees",
    "0004_user_profiles",
    "0005_hardening",
    "0006_user_stop",
    "0007_otp",
    "0008_history_search",
    "0009_history_chains",
    "0010_history_retention",
    "0011_history_time_order",
    "0012_certificates",
    "0013_reference_data",
    "0014_limit_usage",
    "0015_payees",
    "0016_transfers",
    "0017_bulk",
    "0018_bulk_payees",
    "0019_history_in_seq_order",
    "0020_history_heads_follow",
];

const SQLITE: &[&str] = &[
    include_str!("../migrations/sqlite/0001_foundation.sql"),
    include_str!("../migrations/sqlite/0002_company_settings.sql"),
    include_str!("../migrations/sqlite/0003_fees.sql"),
    include_str!("../migrations/sqlite/0004_user_profiles.sql"),
    include_str!("../migrations/sqlite/0005_hardening.sql"),
    include_str!("../migrations/sqlite/0006_user_stop.sql"),
    include_str!("../migrations/sqlite/0007_otp.sql"),
    include_str!("../migrations/sqlite/0008_history_search.sql"),
    include_str!("../migrations/sqlite/0009_history_chains.sql"),
    include_str!("../migrations/sqlite/0010_history_retention.sql"),
    include_str!("../migrations/sqlite/0011_history_time_order.sql"),
    include_str!("../migrations/sqlite/0012_certificates.sql"),
    include_str!("../migrations/sqlite/0013_reference_data.sql"),
    include_str!("../migrations/sqlite/0014_limit_usage.sql"),
    include_str!("../migrations/sqlite/0015_payees.sql"),
    include_str!("../migrations/sqlite/0016_transfers.sql"),
    include_str!("../migrations/sqlite/0017_bulk.sql"),
    include_str!("../migrations/sqlite/0018_bulk_payees.sql"),
    include_str!("../migrations/sqlite/0019_history_in_seq_order.sql"),
    include_str!("../migrations/sqlite/0020_history_heads_follow.sql"),
];
const POSTGRES: &[&str] = &[
    include_str!("../migrations/postgres/0001_foundation.sql"),
    include_str!("../migrations/postgres/0002_company_settings.sql"),
    include_str!("../migrations/postgres/0003_fees.sql"),
    include_str!("../migrations/postgres/0004_user_profiles.sql"),
    include_str!("../migrations/postgres/0005_hardening.sql"),
    include_str!("../migrations/postgres/0006_user_stop.sql"),
    include_str!("../migrations/postgres/0007_otp.sql"),
    include_str!("../migrations/postgres/0008_history_search.sql"),
    include_str!("../migrations/postgres/0009_history_chains.sql"),
    include_str!("../migrations/postgres/0010_history_retention.sql"),
    include_str!("../migrations/postgres/0011_history_time_order.sql"),
    include_str!("../migrations/postgres/0012_certificates.sql"),
    include_str!("../migrations/postgres/0013_reference_data.sql"),
    include_str!("../migrations/postgres/0014_limit_usage.sql"),
    include_str!("../migrations/postgres/0015_payees.sql"),
    include_str!("../migrations/postgres/0016_transfers.sql"),
    include_str!("../migrations/postgres/0017_bulk.sql"),
    include_str!("../migrations/postgres/0018_bulk_payees.sql"),
    include_str!("../migrations/postgres/0019_history_in_seq_order.sql"),
    include_str!("../migrations/postgres/0020_history_heads_follow.sql"),
];

/// File names (without `.sql`) in one engine's migration folder, sorted; for the lockstep test.
pub fn migration_dir_names(engine: &str) -> std::io::Result<Vec<String>> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("migrations")
        .join(engine);
    let mut names = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let name = entry?.file_name().to_string_lossy().into_owned();
        if let Some(stem) = name.strip_suffix(".sql") {
            names.push(stem.to_owned());
        }
    }
    names.sort();
    Ok(names)
}

impl SqlStore {
    /// True when madoguchi's schema was created in this database (at least the first
    /// migration applied).
    pub async fn has_schema(&self) -> StoreResult<bool> {
        let applied = sqlx::query("select count(*) as n from schema_migrations where name = $1")
            .bind(MIGRATION_NAMES.first().copied().unwrap_or_default())
            .fetch_one(&self.pool)
            .await;
        match applied {
            Ok(row) => Ok(row.try_get::<i64, _>("n")? > 0),
            // No bookkeeping table at all: an empty database.
            Err(sqlx::Error::Database(_)) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    /// Applies every migration not yet applied, each in its own transaction, and returns
    /// the names applied now.
    /// Connects to `url` and brings its schema up to date; the names applied now.
    ///
    /// When anything was applied, the pool is opened afresh: a connection that had read
    /// the old schema would prepare its next statement against it (SQLite checks the
    /// schema only when the statement runs, and re-prepares it with more columns than
    /// sqlx has described — a panic in its worker; PostgreSQL refuses a cached plan whose
    /// result changed). Found by starting servers on fresh databases: 1 in 20 crashed
    /// loading the demo.
    pub async fn connect_migrated(url: &str, key: HistoryKey) -> StoreResult<(Self, Vec<String>)> {
        let store = Self::connect(url).await?.with_history_key(key.clone());
        let applied = store.migrate().await?;
        if applied.is_empty() {
            return Ok((store, applied));
        }
        store.close().await;
        Ok((Self::connect(url).await?.with_history_key(key), applied))
    }

    /// Applies the pending migrations; the names applied now. Prefer
    /// [`SqlStore::connect_migrated`], which also leaves no connection on the old schema.
    pub async fn migrate(&self) -> StoreResult<Vec<String>> {
        sqlx::raw_sql(
            "create table if not exists schema_migrations (
                name text primary key,
                applied_at bigint not null
            )",
        )
        .execute(&self.pool)
        .await?;
        let scripts = match self.backend {
            Backend::Sqlite => SQLITE,
            Backend::Postgres => POSTGRES,
        };
        let mut applied_now = Vec::new();
        for (name, sql) in MIGRATION_NAMES.iter().zip(scripts) {
            let mut tx = self.begin_write().await?;
            let done = sqlx::query("select count(*) as n from schema_migrations where name = $1")
                .bind(*name)
                .fetch_one(&mut *tx)
                .await?
                .try_get::<i64, _>("n")?;
            if done > 0 {
                tx.rollback().await?;
                continue;
            }
            sqlx::raw_sql(*sql).execute(&mut *tx).await?;
            sqlx::query("insert into schema_migrations (name, applied_at) values ($1, $2)")
                .bind(*name)
                .bind(madoguchi_domain::jst::to_micros(
                    time::OffsetDateTime::now_utc(),
                ))
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            applied_now.push((*name).to_owned());
        }
        Ok(applied_now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_engines_have_the_same_migrations_and_all_are_embedded() {
        let sqlite = migration_dir_names("sqlite").unwrap();
        let postgres = migration_dir_names("postgres").unwrap();
        assert_eq!(
            sqlite, postgres,
            "migrations/sqlite and migrations/postgres differ"
        );
        assert_eq!(sqlite, MIGRATION_NAMES, "a migration file is not embedded");
        assert_eq!(SQLITE.len(), MIGRATION_NAMES.len());
        assert_eq!(POSTGRES.len(), MIGRATION_NAMES.len());
    }
}
