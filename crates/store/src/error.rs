//! Storage errors: what the service layer needs to tell apart, never SQL text for users.

/// A storage failure. Database details stay in the source for the log.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The row asked for does not exist (or is not this company's).
    #[error("not found")]
    NotFound,
    /// A uniqueness rule refused the write; `constraint` says which one.
    #[error("conflict on {constraint}")]
    Conflict { constraint: &'static str },
    /// The idempotency key of this confirm screen was used already: the change was made
    /// once and must not be made again. `outcome` is what the first execution recorded.
    #[error("already executed")]
    AlreadyExecuted { outcome: String },
    /// The row changed since the caller read it (optimistic concurrency).
    #[error("stale")]
    Stale,
    /// Stored data that cannot be right (e.g. an unknown enum code).
    #[error("corrupt data: {0}")]
    Corrupt(String),
    /// The database failed.
    #[error("database error")]
    Backend(#[from] sqlx::Error),
}

impl StoreError {
    /// True when a database error is a unique-constraint violation.
    pub(crate) fn is_unique_violation(err: &sqlx::Error) -> bool {
        match err {
            sqlx::Error::Database(db) => {
                db.is_unique_violation()
                    || db
                        .code()
                        .is_some_and(|c| c == "23505" || c == "2067" || c == "1555")
                    || db.message().contains("UNIQUE constraint failed")
            }
            _ => false,
        }
    }
}
