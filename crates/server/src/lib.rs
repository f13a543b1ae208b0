//! madoguchi: the web service (screens and JSON API) and the operator's command line.
//!
//! One folder per area of the manual (`auth/`, `menu/`, …), each with its service
//! functions (one per operation of the manual), its screens and its API. The shared web
//! machinery — sessions and authorization types, CSRF, errors, the page frame — is in `web/`.
#![forbid(unsafe_code)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

pub mod app;
pub mod audit;
pub mod auth;
pub mod bulk;
pub mod certificates;
pub mod cli;
pub mod cli_banking;
pub mod clock;
pub mod company;
pub mod config;
pub mod confirm;
pub mod confirm_pages;
pub mod demo;
pub mod fees;
pub mod generate;
pub mod history;
pub mod host;
pub mod host_export;
pub mod host_results;
pub mod keys;
pub mod menu;
pub mod openapi;
pub mod operator;
pub mod orders;
pub mod passwords;
pub mod reference;
pub mod report;
pub mod sample_file;
pub mod seal;
pub mod state;
pub mod transfers;
pub mod users;
pub mod web;
