//! The forms of 利用者管理: reading the posted pairs (checkboxes repeat a name), the hidden
//! fields that carry the wizard's other steps from page to page, and the selection of a
//! user on the lists.

use madoguchi_domain::Business;
use madoguchi_domain::user_input::{UserInput, tx_limit_field};
use madoguchi_domain::{Error, FieldErrors};
use serde::Deserialize;

/// A posted form as name/value pairs (checkbox names repeat).
pub type Pairs = Vec<(String, String)>;

/// The steps of 利用者登録 (BRSK006–010), as the step bar names them.
pub const REGISTER_STEPS: [&str; 5] = [
    "利用者基本情報を入力",
    "利用者権限を入力",
    "利用口座・限度額を入力",
    "内容確認",
    "登録完了",
];

/// The steps of 利用者変更 (BRSK011–015).
pub const CHANGE_STEPS: [&str; 5] = [
    "利用者基本情報を変更",
    "利用者権限を変更",
    "利用口座・限度額を変更",
    "内容確認",
    "変更完了",
];

/// The steps of 利用者削除 (BRSK016–017).
pub const DELETE_STEPS: [&str; 2] = ["削除内容を確認", "削除完了"];

/// The first value of field `k` in a posted form.
pub fn get_pair(pairs: &Pairs, k: &str) -> String {
    pairs
        .iter()
        .find(|(n, _)| n == k)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

/// The `version` a change or deletion was started at.
pub fn version_of(pairs: &Pairs) -> i64 {
    get_pair(pairs, "version").parse().unwrap_or(-1)
}

/// `?user=` of the list's 照会, 変更 and 削除.
#[derive(Deserialize)]
pub struct UserQuery {
    pub user: Option<i64>,
}

/// The refusal of 照会, 変更 or 削除 with nobody selected: 「利用者を選択してください。」.
pub fn nobody_selected() -> Error {
    let mut f = FieldErrors::new();
    f.add("user", Error::NotSelected { label: "利用者" });
    Error::Invalid(f)
}

/// Fields shown on step `step` (the others travel as hidden fields).
pub fn step_fields(step: usize) -> &'static [&'static str] {
    match step {
        0 => &[
            "login_id",
            "login_id_again",
            "login_password",
            "login_password_again",
            "change_login_password",
            "force_change",
            "confirmation_password",
            "confirmation_password_again",
            "change_confirmation_password",
            "name",
            "email",
            "email_again",
            "admin",
        ],
        1 => &["perm"],
        _ => &[
            "account",
            "limit_transfer",
            "limit_bulk_transfer",
            "limit_salary",
            "limit_bonus",
            "limit_direct_debit",
        ],
    }
}

/// The step (0–2) a field belongs to, for showing the first step with an error.
pub fn step_of(field: &str) -> usize {
    match field {
        "permissions" => 1,
        "accounts" => 2,
        f if f.starts_with("limit_") => 2,
        _ => 0,
    }
}

/// Reads a posted form.
pub fn input_from_pairs(pairs: &[(String, String)]) -> UserInput {
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let checked = |k: &str| pairs.iter().any(|(n, v)| n == k && v == "1");
    UserInput {
        login_id: get("login_id"),
        login_id_again: get("login_id_again"),
        login_password: get("login_password"),
        login_password_again: get("login_password_again"),
        change_login_password: checked("change_login_password"),
        force_change: checked("force_change"),
        confirmation_password: get("confirmation_password"),
        confirmation_password_again: get("confirmation_password_again"),
        change_confirmation_password: checked("change_confirmation_password"),
        name: get("name"),
        email: get("email"),
        email_again: get("email_again"),
        admin: get("admin"),
        permissions: pairs
            .iter()
            .filter(|(n, _)| n == "perm")
            .map(|(_, v)| v.clone())
            .collect(),
        accounts: pairs
            .iter()
            .filter(|(n, _)| n == "account")
            .filter_map(|(_, v)| v.parse().ok())
            .collect(),
        tx_limits: Business::ALL.map(|b| (b, get(&tx_limit_field(b)))).into(),
    }
}

/// Every field of `input` as form pairs (checkboxes only when checked).
pub fn pairs_of(input: &UserInput) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = [
        ("login_id", &input.login_id),
        ("login_id_again", &input.login_id_again),
        ("login_password", &input.login_password),
        ("login_password_again", &input.login_password_again),
        ("confirmation_password", &input.confirmation_password),
        (
            "confirmation_password_again",
            &input.confirmation_password_again,
        ),
        ("name", &input.name),
        ("email", &input.email),
        ("email_again", &input.email_again),
        ("admin", &input.admin),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.clone()))
    .collect();
    for (flag, on) in [
        ("change_login_password", input.change_login_password),
        ("force_change", input.force_change),
        (
            "change_confirmation_password",
            input.change_confirmation_password,
        ),
    ] {
        if on {
            out.push((flag.to_owned(), "1".to_owned()));
        }
    }
    out.extend(
        input
            .permissions
            .iter()
            .map(|p| ("perm".to_owned(), p.clone())),
    );
    out.extend(
        input
            .accounts
            .iter()
            .map(|a| ("account".to_owned(), a.to_string())),
    );
    out.extend(
        input
            .tx_limits
            .iter()
            .map(|(b, v)| (tx_limit_field(*b), v.clone())),
    );
    out
}

/// The hidden fields of step `step`: everything not shown on it.
pub fn hidden_for(input: &UserInput, step: usize) -> Vec<(String, String)> {
    let shown = step_fields(step);
    pairs_of(input)
        .into_iter()
        .filter(|(k, _)| !shown.contains(&k.as_str()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_round_trip() {
        let pairs: Vec<(String, String)> = [
            ("login_id", "sato0001"),
            ("perm", "inquiry.balance"),
            ("perm", "bulk.file"),
            ("account", "3"),
            ("force_change", "1"),
            ("limit_bonus", "100"),
            ("admin", "0"),
        ]
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
        let input = input_from_pairs(&pairs);
        assert_eq!(input.permissions.len(), 2);
        assert!(input.force_change && !input.change_login_password);
        assert_eq!(input_from_pairs(&pairs_of(&input)), input);
        assert!(hidden_for(&input, 1).iter().all(|(k, _)| k != "perm"));
        assert!(hidden_for(&input, 0).iter().any(|(k, _)| k == "perm"));
    }
}
