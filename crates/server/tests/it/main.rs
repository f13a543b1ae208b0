//! The one integration-test binary: each module is an area; each test runs on SQLite and,
//! when `MADOGUCHI_TEST_DATABASE_URL` is set, on PostgreSQL too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod api;
mod architecture;
mod bulk;
mod bulk_payee_screens;
mod bulk_payees;
mod bulk_screens;
mod bulk_stream;
mod certificates;
mod certificates_proxy;
mod certificates_screens;
mod cli;
mod company;
mod company_api;
mod credential_sessions;
mod fees;
mod guesses;
mod history;
mod history_search;
mod host_crash;
mod hostile_input;
mod ledger;
mod limits;
mod login;
mod master_rules;
mod otp;
mod password_change;
mod payees;
mod reference;
mod routes;
mod screens_fidelity;
mod sessions;
mod support;
mod tamper;
mod transfers;
mod transfers_screens;
mod transfers_support;
mod users;
mod users_screens;
