//! 企業 and 口座: the names and account numbers the bank operator registers.

use std::fmt;

use crate::chars::{check_text, is_jis_text, is_zengin_kana_char};
use crate::error::Error;

/// 企業名: what the company is called on every screen (set by the bank operator).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompanyName(String);

impl CompanyName {
    pub const MAX: usize = 60;

    pub fn parse(input: &str) -> Result<Self, Error> {
        let s = input.trim();
        if s.is_empty() {
            return Err(Error::Required { label: "企業名" });
        }
        let rule = Error::ZenkakuLength {
            label: "企業名",
            max: Self::MAX,
        };
        check_text("企業名", s, Self::MAX, is_jis_text, rule)?;
        Ok(Self(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// 企業名(カナ): 半角カナ in the 全銀協 character set, as on the bank's records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompanyKana(String);

impl CompanyKana {
    pub const MAX: usize = 40;

    pub fn parse(input: &str) -> Result<Self, Error> {
        parse_zengin_kana("企業名(カナ)", input, Self::MAX).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// 口座名義: 半角カナ in the 全銀協 character set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountHolder(String);

impl AccountHolder {
    pub const MAX: usize = 30;

    pub fn parse(input: &str) -> Result<Self, Error> {
        parse_zengin_kana("口座名義", input, Self::MAX).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn parse_zengin_kana(label: &'static str, input: &str, max: usize) -> Result<String, Error> {
    let s = input.trim();
    if s.is_empty() {
        return Err(Error::Required { label });
    }
    check_text(
        label,
        s,
        max,
        is_zengin_kana_char,
        Error::HankakuKana { label, max },
    )?;
    Ok(s.to_owned())
}

/// 支店名 (e.g. 法人営業部).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BranchName(String);

impl BranchName {
    pub const MAX: usize = 30;

    pub fn parse(input: &str) -> Result<Self, Error> {
        let s = input.trim();
        if s.is_empty() {
            return Err(Error::Required { label: "支店名" });
        }
        let rule = Error::ZenkakuLength {
            label: "支店名",
            max: Self::MAX,
        };
        check_text("支店名", s, Self::MAX, is_jis_text, rule)?;
        Ok(Self(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn parse_fixed_digits(label: &'static str, input: &str, digits: usize) -> Result<String, Error> {
    let s = input.trim();
    if s.is_empty() {
        return Err(Error::Required { label });
    }
    if s.len() != digits || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Error::FixedDigits { label, digits });
    }
    Ok(s.to_owned())
}

/// 支店番号: three half-width digits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BranchCode(String);

impl BranchCode {
    pub fn parse(input: &str) -> Result<Self, Error> {
        parse_fixed_digits("支店番号", input, 3).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// 口座番号: seven half-width digits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountNumber(String);

impl AccountNumber {
    pub fn parse(input: &str) -> Result<Self, Error> {
        parse_fixed_digits("口座番号", input, 7).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// 科目: the kind of deposit account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountKind {
    /// 普通 (ordinary deposit), 全銀 code 1.
    Ordinary,
    /// 当座 (current account), 全銀 code 2.
    Current,
}

impl AccountKind {
    /// Accepts the Japanese name or the 全銀協 code.
    pub fn parse(input: &str) -> Result<Self, Error> {
        match input.trim() {
            "普通" | "1" => Ok(Self::Ordinary),
            "当座" | "2" => Ok(Self::Current),
            _ => Err(Error::Choice {
                label: "科目",
                choices: "普通、当座",
            }),
        }
    }

    /// The 全銀協 code, as stored.
    pub fn code(self) -> i64 {
        match self {
            Self::Ordinary => 1,
            Self::Current => 2,
        }
    }

    pub fn from_code(code: i64) -> Option<Self> {
        match code {
            1 => Some(Self::Ordinary),
            2 => Some(Self::Current),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Ordinary => "普通",
            Self::Current => "当座",
        }
    }
}

impl fmt::Display for AccountKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// What a company's contract includes beyond the base service, set by the bank operator.
/// Each option is a switch the rest of the system asks about; the next ones (電子証明書方式
/// and more) join here.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CompanyOptions {
    /// ワンタイムパスワード: every login and every 実行 also asks for the code of the
    /// user's token.
    pub otp: bool,
    /// 電子証明書方式: a login also needs the user's client certificate of the bank's CA.
    pub certificate: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_fields() {
        assert!(BranchCode::parse("081").is_ok());
        assert!(BranchCode::parse("81").is_err());
        assert!(BranchCode::parse("０８１").is_err());
        assert!(AccountNumber::parse("0253226").is_ok());
        assert!(AccountNumber::parse("253226").is_err());
        assert_eq!(AccountKind::parse("普通"), Ok(AccountKind::Ordinary));
        assert_eq!(AccountKind::parse("2"), Ok(AccountKind::Current));
        assert!(AccountKind::parse("定期").is_err());
    }

    #[test]
    fn kana_names_use_the_zengin_set() {
        assert!(CompanyKana::parse("ｱﾊﾟﾚﾙ(ｶ)").is_ok());
        assert!(CompanyKana::parse("アパレル").is_err());
        assert!(CompanyKana::parse("ｧﾊﾟﾚﾙ").is_err());
        assert!(CompanyName::parse("アパレル株式会社").is_ok());
        assert!(CompanyName::parse("  ").is_err());
    }
}
