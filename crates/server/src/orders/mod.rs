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

/// The approvers `mode` needs among `named` (first, last), each a user of the company
/// `may_approve` allows: refused by field when one is missing or may not approve.
pub fn approvers(
    mode: madoguchi_domain::ApprovalMode,
    named: (Option<i64>, Option<i64>),
    members: &[madoguchi_store::UserRecord],
    may_approve: impl Fn(&madoguchi_store::UserRecord) -> bool,
) -> Result<(Option<i64>, Option<i64>), madoguchi_domain::Error> {
    use madoguchi_domain::{ApprovalMode, Error, FieldErrors};
    let mut errors = FieldErrors::new();
    let mut check = |field: &str, label: &'static str, id: Option<i64>| match id {
        None => {
            errors.add(field, Error::NotSelected { label });
            None
        }
        Some(id) if members.iter().any(|u| u.id == id && may_approve(u)) => Some(id),
        Some(_) => {
            errors.add(field, Error::NotAnApprover { label });
            None
        }
    };
    let (first, last) = named;
    let chosen = match mode {
        ApprovalMode::None => (None, None),
        ApprovalMode::Single => (check("first_approver", "承認者", first), None),
        ApprovalMode::DoubleUnordered => (
            check("first_approver", "承認者1", first),
            check("last_approver", "承認者2", last),
        ),
        ApprovalMode::DoubleOrdered => (
            check("first_approver", "一次承認者", first),
            check("last_approver", "最終承認者", last),
        ),
    };
    errors.into_result()?;
    Ok(chosen)
}
