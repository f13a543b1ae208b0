//! 利用者登録 / 利用者変更: the three input steps as typed, and their rules.
//!
//! [`UserInput`] holds every field as typed (so 「戻る」 and error pages show it again);
//! [`UserInput::parse_basic`], [`UserInput::parse_permissions`] and
//! [`UserInput::parse_accounts`] check one step each, and [`UserInput::parse`] all three.

use std::collections::{BTreeMap, BTreeSet};

use crate::business::Business;
use crate::chars::char_len;
use crate::error::{Error, FieldErrors};
use crate::login_id::LoginId;
use crate::password::{CONFIRMATION_PASSWORD, LOGIN_PASSWORD, Password, PasswordPolicy};
use crate::permissions;
use crate::user::PersonName;
use crate::yen::Yen;

/// The field of a business's 利用者一回当たり限度額 (every business has one).
pub fn tx_limit_field(b: Business) -> String {
    format!("limit_{}", b.key())
}

/// Digits of a 利用者一回当たり限度額 (as the company's daily limits).
pub const TX_LIMIT_DIGITS: usize = 15;

/// Whether the input registers a new user or changes an existing one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Register,
    /// The user's login ID (for the "≠ login ID" rule when the ID is not retyped).
    Change,
}

/// Every field of the three steps, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserInput {
    pub login_id: String,
    pub login_id_again: String,
    pub login_password: String,
    pub login_password_again: String,
    /// 変更: only when 「変更する」 is checked.
    pub change_login_password: bool,
    pub force_change: bool,
    pub confirmation_password: String,
    pub confirmation_password_again: String,
    pub change_confirmation_password: bool,
    pub name: String,
    pub email: String,
    pub email_again: String,
    /// 管理者権限: "1" 付与する / "0" 付与しない
    pub admin: String,
    pub permissions: BTreeSet<String>,
    pub accounts: BTreeSet<i64>,
    /// business → typed amount
    pub tx_limits: BTreeMap<Business, String>,
}

/// Step 1 (基本情報), parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Basic {
    pub login_id: LoginId,
    pub login_password: Option<Password>,
    pub confirmation_password: Option<Password>,
    pub name: PersonName,
    pub email: String,
    pub is_admin: bool,
}

/// The parsed result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserDraft {
    pub login_id: LoginId,
    /// `None` when unchanged (変更 without 「変更する」).
    pub login_password: Option<Password>,
    pub force_change: bool,
    pub confirmation_password: Option<Password>,
    pub name: PersonName,
    pub email: String,
    pub is_admin: bool,
    pub permissions: BTreeSet<String>,
    pub accounts: BTreeSet<i64>,
    pub tx_limits: BTreeMap<Business, Yen>,
}

/// メールアドレス: 半角英数字記号 4–64, one `@` with a dotted domain.
pub fn parse_email(first: &str, second: &str) -> Result<String, Error> {
    const LABEL: &str = "メールアドレス";
    if first.is_empty() {
        return Err(Error::Required { label: LABEL });
    }
    let len = char_len(first);
    let printable = first.chars().all(|c| c.is_ascii_graphic());
    let shape = first.split_once('@').is_some_and(|(local, domain)| {
        !local.is_empty()
            && !domain.contains('@')
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
    });
    if !(4..=64).contains(&len) || !printable || !shape {
        return Err(Error::EmailFormat);
    }
    if first != second {
        return Err(Error::Mismatch { label: LABEL });
    }
    Ok(first.to_owned())
}

impl UserInput {
    /// Step 1 (基本情報): passwords are required when registering, and when changing only
    /// with 「変更する」.
    pub fn parse_basic(
        &self,
        mode: Mode,
        policy: &PasswordPolicy,
        errors: &mut FieldErrors,
    ) -> Option<Basic> {
        let login_id = errors.check(
            "login_id",
            LoginId::parse_twice(&self.login_id, &self.login_id_again),
        );
        let id_text = login_id
            .as_ref()
            .map(|i| i.as_str().to_owned())
            .unwrap_or_else(|| self.login_id.clone());
        let wants_login = mode == Mode::Register || self.change_login_password;
        let login_password = if wants_login {
            errors
                .check(
                    "login_password",
                    policy.parse_new(
                        LOGIN_PASSWORD,
                        &self.login_password,
                        &self.login_password_again,
                        &id_text,
                    ),
                )
                .map(Some)
        } else {
            Some(None)
        };
        let wants_confirmation = mode == Mode::Register || self.change_confirmation_password;
        let confirmation = if wants_confirmation {
            errors
                .check(
                    "confirmation_password",
                    policy.parse_new(
                        CONFIRMATION_PASSWORD,
                        &self.confirmation_password,
                        &self.confirmation_password_again,
                        &id_text,
                    ),
                )
                .map(Some)
        } else {
            Some(None)
        };
        let name = errors.check("name", PersonName::parse(&self.name));
        let email = errors.check("email", parse_email(&self.email, &self.email_again));
        let admin = match self.admin.as_str() {
            "1" => Some(true),
            "0" => Some(false),
            _ => {
                errors.add(
                    "admin",
                    Error::Choice {
                        label: "管理者権限",
                        choices: "付与する、付与しない",
                    },
                );
                None
            }
        };
        Some(Basic {
            login_id: login_id?,
            login_password: login_password?,
            confirmation_password: confirmation?,
            name: name?,
            email: email?,
            is_admin: admin?,
        })
    }

    /// Step 2 (権限): only known permission codes.
    pub fn parse_permissions(&self, errors: &mut FieldErrors) -> Option<BTreeSet<String>> {
        let unknown = self
            .permissions
            .iter()
            .any(|c| permissions::find(c).is_none());
        if unknown {
            errors.add(
                "permissions",
                Error::Choice {
                    label: "サービス利用権限",
                    choices: "画面の選択肢",
                },
            );
            return None;
        }
        Some(self.permissions.clone())
    }

    /// Step 3 (口座・限度額): accounts of the company, limits in 半角数字 and none above the
    /// company's matching daily limit.
    pub fn parse_accounts(
        &self,
        company_accounts: &[i64],
        company_limits: &BTreeMap<Business, Yen>,
        errors: &mut FieldErrors,
    ) -> Option<(BTreeSet<i64>, BTreeMap<Business, Yen>)> {
        let mut ok = true;
        if self.accounts.iter().any(|a| !company_accounts.contains(a)) {
            errors.add("accounts", Error::NotFound);
            ok = false;
        }
        let mut limits = BTreeMap::new();
        for b in Business::ALL {
            let (field, label) = (tx_limit_field(b), b.label());
            let typed = self.tx_limits.get(&b).map(String::as_str).unwrap_or("");
            match Yen::parse(label, typed, TX_LIMIT_DIGITS) {
                Ok(v) => {
                    let cap = company_limits.get(&b).copied().unwrap_or(Yen::ZERO);
                    if v > cap {
                        errors.add(field, Error::AboveCompanyLimit { label, limit: cap });
                        ok = false;
                    } else {
                        limits.insert(b, v);
                    }
                }
                Err(e) => {
                    errors.add(field, e);
                    ok = false;
                }
            }
        }
        ok.then_some((self.accounts.clone(), limits))
    }

    /// All three steps.
    pub fn parse(
        &self,
        mode: Mode,
        policy: &PasswordPolicy,
        company_accounts: &[i64],
        company_limits: &BTreeMap<Business, Yen>,
    ) -> Result<UserDraft, Error> {
        let mut errors = FieldErrors::new();
        let basic = self.parse_basic(mode, policy, &mut errors);
        let perms = self.parse_permissions(&mut errors);
        let accounts = self.parse_accounts(company_accounts, company_limits, &mut errors);
        errors.into_result()?;
        let (
            Some(Basic {
                login_id,
                login_password,
                confirmation_password,
                name,
                email,
                is_admin,
            }),
            Some(permissions),
            Some((accounts, tx_limits)),
        ) = (basic, perms, accounts)
        else {
            return Err(Error::Internal);
        };
        Ok(UserDraft {
            login_id,
            login_password,
            force_change: self.force_change,
            confirmation_password,
            name,
            email,
            is_admin,
            permissions,
            accounts,
            tx_limits,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn good() -> UserInput {
        UserInput {
            login_id: "sato0001".into(),
            login_id_again: "sato0001".into(),
            login_password: "Passw0rd".into(),
            login_password_again: "Passw0rd".into(),
            confirmation_password: "Kakunin1".into(),
            confirmation_password_again: "Kakunin1".into(),
            name: "佐藤　健一".into(),
            email: "ken1@example.co.jp".into(),
            email_again: "ken1@example.co.jp".into(),
            admin: "0".into(),
            permissions: ["inquiry.balance".to_owned()].into(),
            accounts: [1].into(),
            tx_limits: Business::ALL.map(|b| (b, "1000".to_owned())).into(),
            ..Default::default()
        }
    }

    fn limits() -> BTreeMap<Business, Yen> {
        Business::ALL
            .map(|b| (b, Yen::from_stored(1_000_000).unwrap()))
            .into()
    }

    fn codes(input: &UserInput, mode: Mode) -> Vec<(String, &'static str)> {
        match input.parse(mode, &PasswordPolicy::default(), &[1, 2], &limits()) {
            Ok(_) => Vec::new(),
            Err(Error::Invalid(f)) => f
                .iter()
                .map(|e| (e.field.clone(), e.error.code()))
                .collect(),
            Err(e) => vec![("?".into(), e.code())],
        }
    }

    #[test]
    fn a_good_registration_parses() {
        assert_eq!(codes(&good(), Mode::Register), vec![]);
    }

    #[test]
    fn email_rules() {
        assert!(parse_email("a@b.c", "a@b.c").is_ok());
        assert!(parse_email("ab@c.jp", "ab@c.jp").is_ok());
        assert!(parse_email("a@b", "a@b").is_err());
        assert!(parse_email("ａ@b.jp", "ａ@b.jp").is_err());
        assert!(
            parse_email(
                &format!("{}@example.jp", "a".repeat(54)),
                &format!("{}@example.jp", "a".repeat(54))
            )
            .is_err(),
            "65 characters"
        );
        assert!(
            parse_email(
                &format!("{}@example.jp", "a".repeat(53)),
                &format!("{}@example.jp", "a".repeat(53))
            )
            .is_ok(),
            "64 characters"
        );
        assert!(matches!(
            parse_email("ab@c.jp", "ab@c.jq"),
            Err(Error::Mismatch { .. })
        ));
    }

    #[test]
    fn field_rules_of_the_basic_step() {
        let mut i = good();
        i.login_id_again = "sato0002".into();
        assert_eq!(
            codes(&i, Mode::Register),
            vec![("login_id".into(), "VAL-0004")]
        );
        let mut i = good();
        i.login_password = "sato0001".into();
        i.login_password_again = "sato0001".into();
        assert_eq!(
            codes(&i, Mode::Register),
            vec![("login_password".into(), "VAL-0005")]
        );
        let mut i = good();
        i.name = "Sato".into();
        assert_eq!(codes(&i, Mode::Register), vec![("name".into(), "VAL-0008")]);
        let mut i = good();
        i.admin = String::new();
        assert_eq!(
            codes(&i, Mode::Register),
            vec![("admin".into(), "VAL-0012")]
        );
    }

    #[test]
    fn a_change_needs_passwords_only_when_asked() {
        let mut i = good();
        i.login_password.clear();
        i.login_password_again.clear();
        i.confirmation_password.clear();
        i.confirmation_password_again.clear();
        assert_eq!(codes(&i, Mode::Change), vec![]);
        i.change_login_password = true;
        assert_eq!(
            codes(&i, Mode::Change),
            vec![("login_password".into(), "VAL-0001")]
        );
    }

    #[test]
    fn limits_and_accounts() {
        let mut i = good();
        i.tx_limits.insert(Business::Bonus, "1000001".into());
        assert_eq!(
            codes(&i, Mode::Register),
            vec![("limit_bonus".into(), "LIM-0003")]
        );
        let mut i = good();
        i.tx_limits.insert(Business::Salary, "１".into());
        assert_eq!(
            codes(&i, Mode::Register),
            vec![("limit_salary".into(), "VAL-0011")]
        );
        let mut i = good();
        i.accounts.insert(99);
        assert_eq!(
            codes(&i, Mode::Register),
            vec![("accounts".into(), "REQ-0001")]
        );
        let mut i = good();
        i.permissions.insert("root".into());
        assert_eq!(
            codes(&i, Mode::Register),
            vec![("permissions".into(), "VAL-0012")]
        );
    }
}
