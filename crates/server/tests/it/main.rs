//! The one integration-test binary: each module is an area; each test runs on SQLite and,
//! when `MADOGUCHI_TEST_DATABASE_URL` is set, on PostgreSQL too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod api;
mod cli;
mod company;
mod company_api;
mod fees;
mod history;
mod login;
mod password_change;
mod sessions;
mod support;
mod users;
mod users_screens;
