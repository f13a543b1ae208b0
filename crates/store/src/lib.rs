//! madoguchi-store: everything madoguchi keeps, on SQLite (embedded default) or PostgreSQL
//! (scale-out), through one code path on sqlx's `Any` driver.
//!
//! The seam is the [`Store`] trait: business-shaped methods, one per thing the service
//! needs to read or change, never generic CRUD. Every method that changes state also
//! appends its 操作履歴 entry, in the same transaction, so a change without its history
//! entry (or the reverse) cannot happen. Portable-SQL rules that make `Any` safe on both
//! engines are in `docs/storage.md`.
#![forbid(unsafe_code)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

mod backend;
mod bulk;
mod bulk_payees;
mod certificates;
mod companies;
mod confirmed;
mod connect;
mod credentials;
mod error;
mod fees;
pub mod history;
mod history_canonical;
mod history_draft;
mod history_group;
mod history_key;
mod history_pages;
mod history_retention;
mod history_search;
mod history_verify;
mod idempotency;
mod ledger;
mod migrate;
mod model;
mod orders;
mod otp;
mod payees;
mod reference;
mod sessions;
mod settings;
mod transfer_outbox;
mod transfers;
mod user_admin;
mod users;

pub use bulk::{
    BulkMove, BulkOrder, BulkRecordRow, BulkResults, BulkStore, BulkTotals, BulkWriter, FileFacts,
    NewBulkOrder, RecordResult,
};
pub use bulk_payees::{BulkPayeeRecord, BulkPayeeRegistration, BulkPayeeStore, NewBulkPayee};
pub use certificates::{
    CertificateRecord, CertificateStore, NewCertificate, RevocationMark, Revoked,
};
pub use companies::CompanyStore;
pub use confirmed::{ConfirmedChange, ConfirmedStore, ConfirmedWrite, WriteEffect};
pub use connect::{Backend, SqlStore, redact};
pub use credentials::{AttemptClaim, CredentialStore};
pub use error::StoreError;
pub use fees::{FeeStore, StandardTable, StoredFee};
pub use history::{HistoryDraft, HistoryEntry, HistoryFilter, HistoryKey, HistoryStore};
pub use history_retention::{HistoryRetentionStore, Purged};
pub use history_search::{HistoryReadStore, HistorySearch};
pub use history_verify::{Checkpoint, CheckpointBody, HistoryVerifyStore, VerifyReport};
pub use idempotency::{ClaimedKey, Confirmed};
pub use ledger::LedgerStore;
pub use migrate::{MIGRATION_NAMES, migration_dir_names};
pub use model::{
    Account, Company, LoginFailure, NewAccount, NewCompany, NewSession, NewUser, SessionRecord,
    UnlockWhich, UserProfile, UserRecord,
};
pub use otp::{LoginOtp, OtpAcceptance, OtpStore, OtpToken, TokenStatus};
pub use payees::{NewPayee, PayeeKind, PayeeRecord, PayeeStore};
pub use reference::{BankEntry, ClosedDay, ReferenceStore};
pub use sessions::SessionStore;
pub use settings::{SettingsStore, StoredSettings};
pub use transfer_outbox::{Outbound, OutboundOrder, OutboxStore};
pub use transfers::{
    Acceptance, HostAnswer, NewTransfer, TransferMove, TransferPayee, TransferPayeeKind,
    TransferRecord, TransferRevision, TransferStore, TransferView,
};
pub use user_admin::{ServiceChange, Target, UserUpdate};
pub use users::UserStore;

/// The whole storage seam the server depends on.
pub trait Store:
    CompanyStore
    + ConfirmedStore
    + CredentialStore
    + UserStore
    + SessionStore
    + HistoryStore
    + HistoryReadStore
    + HistoryVerifyStore
    + HistoryRetentionStore
    + SettingsStore
    + FeeStore
    + OtpStore
    + CertificateStore
    + ReferenceStore
    + LedgerStore
    + PayeeStore
    + TransferStore
    + BulkStore
    + BulkPayeeStore
    + OutboxStore
    + Send
    + Sync
{
}

impl<T> Store for T where
    T: CompanyStore
        + ConfirmedStore
        + CredentialStore
        + UserStore
        + SessionStore
        + HistoryStore
        + HistoryReadStore
        + HistoryVerifyStore
        + HistoryRetentionStore
        + SettingsStore
        + FeeStore
        + OtpStore
        + CertificateStore
        + ReferenceStore
        + LedgerStore
        + PayeeStore
        + TransferStore
        + BulkStore
        + BulkPayeeStore
        + BulkPayeeStore
        + OutboxStore
        + Send
        + Sync
{
}

/// Result of every store call.
pub type StoreResult<T> = Result<T, StoreError>;
