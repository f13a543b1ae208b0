//! The web layer shared by every area: sessions and authorization types, forms with
//! CSRF checks, the error → HTTP mapping, security middleware and the page frame.

pub mod actor;
pub mod client;
pub mod cookies;
pub mod csv;
pub mod error;
pub mod extract;
pub mod form;
pub mod limits;
pub mod page;
pub mod proxies;
pub mod routes;
pub mod scope;
pub mod security;
pub mod token;
pub mod typed;
