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
    /// The idempotency key was claimed by another operation or another input.
    #[error("idempotency key reused")]
    KeyReused,
    /// The row changed since the caller read it (optimistic concurrency).
    #[error("stale")]
    Stale,
    /// The credential that was checked is locked now, or was changed since it was read:
    /// what it was checked for must not happen.
    #[error("credential refused")]
    CredentialRefused,
    /// The one-time password's step was accepted already: the code was used.
    #[error("one-time password used")]
    OtpUsed,
    /// The one-time password got locked while the code was judged.
    #[error("one-time password refused")]
    OtpRefused,
    /// The target may not be changed by this actor (the マスターユーザ by anyone else).
    #[error("not allowed")]
    NotAllowed,
    /// A daily limit does not fit the order: the `index`th reservation asked for, with what
    /// was used of it already today, and the refusal that names the limit and what remains.
    #[error("limit reached")]
    LimitReached {
        index: usize,
        used: i64,
        refusal: Box<madoguchi_domain::Error>,
    },
    /// An order reached its 承認期限 (the 受付時限 of its 振込指定日) before it was accepted.
    #[error("past the deadline")]
    PastDeadline,
    /// Stored data that cannot be right (e.g. an unknown enum code).
    #[error("corrupt data: {0}")]
    Corrupt(String),
    /// An 操作履歴 append written together with others (`history_group.rs`) was not
    /// written: their transaction failed, as the first of them was told in full.
    #[error("not written: its batch failed: {0}")]
    Unwritten(String),
    /// The database failed.
    #[error("database error")]
    Backend(#[from] sqlx::Error),
    /// Reading the SQLite file directly (verification's reader) failed.
    #[error("database file error: {0}")]
    SqliteFile(#[from] rusqlite::Error),
}

impl StoreError {
    /// The stable code recorded in the 操作履歴 when a confirmed change is refused for
    /// this reason (a replay of a finished change is not a refusal: `None`).
    pub fn refusal_code(&self) -> Option<&'static str> {
        use madoguchi_domain::Error;
        match self {
            StoreError::NotFound => Some(Error::NotFound.code()),
            StoreError::KeyReused => Some(Error::KeyReused.code()),
            StoreError::Stale => Some(Error::Stale.code()),
            StoreError::PastDeadline => Some(Error::PastDeadline.code()),
            StoreError::NotAllowed => Some(Error::NotAllowed { what: "" }.code()),
            StoreError::CredentialRefused => Some(Error::ConfirmationLocked.code()),
            StoreError::OtpUsed => Some(Error::OtpUsed.code()),
            StoreError::OtpRefused => Some(Error::OtpLocked.code()),
            StoreError::LimitReached { .. } => Some(
                Error::LimitReached {
                    label: String::new(),
                    remaining: String::new(),
                }
                .code(),
            ),
            StoreError::Conflict {
                constraint: "user_limit",
            } => Some(Error::TooManyUsers { max: 0 }.code()),
            StoreError::Conflict {
                constraint: "payee",
            } => Some(Error::PayeeTaken.code()),
            StoreError::Conflict { .. } => Some(Error::LoginIdTaken.code()),
            StoreError::AlreadyExecuted { .. }
            | StoreError::Corrupt(_)
            | StoreError::Unwritten(_)
            | StoreError::Backend(_)
            | StoreError::SqliteFile(_) => None,
        }
    }

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
