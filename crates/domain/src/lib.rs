//! madoguchi-domain: the banking rules of madoguchi, pure and synchronous.
//!
//! Nothing here does I/O. Forms and API bodies are parsed into these types at the edge
//! ("parse, don't validate"), so the rest of the system only ever holds values that already
//! obey the manual's rules: a [`LoginId`] is always 半角英数字 with letters and digits mixed,
//! a [`Yen`] is never negative, and so on. Every refusal is an [`Error`] with a stable code
//! and a Japanese message.
#![forbid(unsafe_code)]
// Tests may unwrap: a failed unwrap there is a failed test, which is the point.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

pub mod approval;
pub mod bulk;
pub mod business;
pub mod calendar;
pub mod certificate;
pub mod chars;
pub mod company;
pub mod error;
pub mod fees;
pub mod history;
pub mod history_search;
pub mod idempotency;
pub mod jst;
pub mod kana;
pub mod limits;
pub mod limits_ledger;
pub mod login_id;
pub mod money;
pub mod otp;
pub mod password;
pub mod payee;
pub mod permissions;
pub mod session;
pub mod settings;
pub mod transfer;
pub mod user;
pub mod user_input;
pub mod yen;
pub mod zengin;

pub use business::Business;
pub use company::{
    AccountKind, AccountNumber, BranchCode, CompanyKana, CompanyName, CompanyOptions,
};
pub use error::{Error, ErrorKind, FieldError, FieldErrors};
pub use history::{HistoryArea, Outcome};
pub use idempotency::IdempotencyKey;
pub use limits::{
    AccountDailyLimits, BankCeilings, CeilingItem, CompanyDailyLimits, CompanyLimit,
    TransferCategory,
};
pub use login_id::LoginId;
pub use password::{Password, PasswordPolicy};
pub use session::{Credential, OtpStep, SessionStage};
pub use settings::{ApprovalMode, ApprovalModes, CompanySettings, SettingsInput};
pub use user::{PersonName, ServiceState};
pub use yen::Yen;
