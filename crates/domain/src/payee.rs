//! 振込先 (payees): 金融機関コード, 支店コード, 科目, 口座番号 and 受取人名 as a user or the
//! bank's operator types them, parsed into what a 全銀 record can carry. 受取人名 typed in
//! 全角 is converted to 半角カナ where the 全銀協 rules allow; a character outside the set is
//! refused by name.

use crate::chars::is_zengin_kana_char;
use crate::company::{AccountKind, AccountNumber, BranchCode};
use crate::error::{Error, FieldErrors};
use crate::kana::to_zengin_hankaku;

/// 金融機関コード: four half-width digits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BankCode(String);

impl BankCode {
    pub fn parse(input: &str) -> Result<Self, Error> {
        let s = input.trim();
        if s.is_empty() {
            return Err(Error::Required {
                label: "金融機関コード",
            });
        }
        if s.len() != 4 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Error::FixedDigits {
                label: "金融機関コード",
                digits: 4,
            });
        }
        Ok(Self(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// 受取人名: 半角カナ of the 全銀協 set, at most 30 characters (the record's field).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayeeName(String);

impl PayeeName {
    pub const LABEL: &'static str = "受取人名";
    pub const MAX: usize = 30;

    pub fn parse(input: &str) -> Result<Self, Error> {
        Self::parse_as(input, Self::LABEL)
    }

    /// The same rules under another field's name (口座振替's 預金者名).
    pub fn parse_as(input: &str, label: &'static str) -> Result<Self, Error> {
        let s = input.trim();
        if s.is_empty() {
            return Err(Error::Required { label });
        }
        let converted = to_zengin_hankaku(s).map_err(|c| Error::NotZenginCharacter {
            label,
            character: c.to_string(),
        })?;
        if let Some(c) = converted.chars().find(|c| !is_zengin_kana_char(*c)) {
            return Err(Error::NotZenginCharacter {
                label,
                character: c.to_string(),
            });
        }
        if converted.chars().count() > Self::MAX {
            return Err(Error::HankakuKana {
                label,
                max: Self::MAX,
            });
        }
        Ok(Self(converted))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A payee as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
pub struct PayeeInput {
    #[serde(default)]
    pub bank_code: String,
    #[serde(default)]
    pub branch_code: String,
    /// 科目: 普通 or 当座 (or 1, 2).
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub number: String,
    #[serde(default)]
    pub name: String,
}

/// A payee parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payee {
    pub bank: BankCode,
    pub branch: BranchCode,
    pub kind: AccountKind,
    pub number: AccountNumber,
    pub name: PayeeName,
}

impl PayeeInput {
    /// Every field checked; the refusals by field (`bank_code`, `branch_code`, `kind`,
    /// `number`, `name`).
    pub fn parse(&self) -> Result<Payee, Error> {
        let mut errors = FieldErrors::new();
        let bank = errors.check("bank_code", BankCode::parse(&self.bank_code));
        let branch = errors.check("branch_code", BranchCode::parse(&self.branch_code));
        let kind = errors.check("kind", AccountKind::parse(&self.kind));
        let number = errors.check("number", AccountNumber::parse(&self.number));
        let name = errors.check("name", PayeeName::parse(&self.name));
        errors.into_result()?;
        match (bank, branch, kind, number, name) {
            (Some(bank), Some(branch), Some(kind), Some(number), Some(name)) => Ok(Payee {
                bank,
                branch,
                kind,
                number,
                name,
            }),
            _ => Err(Error::Internal),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(name: &str) -> PayeeInput {
        PayeeInput {
            bank_code: "0001".into(),
            branch_code: "001".into(),
            kind: "普通".into(),
            number: "1234567".into(),
            name: name.into(),
        }
    }

    #[test]
    fn a_payee_typed_in_zenkaku_is_stored_in_hankaku() {
        let p = input("カ）ヤマダショウジ").parse().unwrap();
        assert!(p.name.as_str().starts_with("ｶ)ﾔﾏ"), "{p:?}");
        let p = input("（カ）ヤマダショウジ").parse().unwrap();
        assert_eq!(p.name.as_str(), "(ｶ)ﾔﾏﾀﾞｼﾖｳｼﾞ");
        assert_eq!(p.bank.as_str(), "0001");
    }

    #[test]
    fn a_character_outside_the_set_is_named() {
        let e = PayeeName::parse("山田商事").unwrap_err();
        assert_eq!(e.code(), "VAL-0024");
        assert!(e.message_ja().contains("「山」"));
        let long = "ｱ".repeat(31);
        assert_eq!(PayeeName::parse(&long).unwrap_err().code(), "VAL-0009");
        assert!(PayeeName::parse(&"ｱ".repeat(30)).is_ok());
    }

    #[test]
    fn every_field_is_checked_at_once() {
        let bad = PayeeInput {
            bank_code: "01".into(),
            branch_code: "1".into(),
            kind: "定期".into(),
            number: "12".into(),
            name: "".into(),
        };
        let Err(Error::Invalid(fields)) = bad.parse() else {
            panic!("refused by field");
        };
        let names: Vec<&str> = fields.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(
            names,
            ["bank_code", "branch_code", "kind", "number", "name"]
        );
    }
}
