//! What the orders of every business share on screens and in the API: how they are shown
//! (`shown`), the answer of an act (`api`), the form of an act's 実行 and the key of a 結果,
//! and who may do what by their サービス利用権限. 振込振替 (`transfers`) and the file
//! businesses (`bulk`) are peers that both build on this.

pub mod api;
pub mod shown;

use serde::Deserialize;

use crate::web::actor::Actor;

/// `?key=` of a 結果.
#[derive(Deserialize)]
pub struct KeyQuery {
    #[serde(default)]
    pub key: String,
}

/// The マスターユーザ may do everything; anyone else what their サービス利用権限 say.
pub fn may(actor: &Actor, code: &str) -> bool {
    actor.user().is_master || actor.user().may(code)
}

/// The fields of 実行.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct ActForm {
    pub(crate) idempotency_key: String,
    pub(crate) confirmation_password: String,
    pub(crate) one_time_password: String,
}
