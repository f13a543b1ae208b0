//! 利用者: names and the サービス状態 derived from the lock flags.

use crate::chars::{check_text, is_zenkaku};
use crate::error::Error;

/// 利用者名: 全角 up to 30 characters; half-width characters are refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonName(String);

impl PersonName {
    pub const MAX: usize = 30;
    const LABEL: &'static str = "利用者名";

    pub fn parse(input: &str) -> Result<Self, Error> {
        if input.trim().is_empty() {
            return Err(Error::Required { label: Self::LABEL });
        }
        let rule = Error::ZenkakuLength {
            label: Self::LABEL,
            max: Self::MAX,
        };
        check_text(Self::LABEL, input, Self::MAX, is_zenkaku, rule)?;
        Ok(Self(input.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// サービス状態 as the 利用者一覧 and 利用者停止・解除 show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServiceState {
    Available,
    LoginLocked,
    ConfirmationLocked,
    BothLocked,
    /// An administrator stopped the user (管理者による利用停止): no login, no session.
    Stopped,
}

impl ServiceState {
    /// The state of a user's flags (a stop by an administrator outweighs the locks).
    pub fn from_flags(login_locked: bool, confirmation_locked: bool, stopped: bool) -> Self {
        match (stopped, login_locked, confirmation_locked) {
            (true, _, _) => Self::Stopped,
            (false, false, false) => Self::Available,
            (false, true, false) => Self::LoginLocked,
            (false, false, true) => Self::ConfirmationLocked,
            (false, true, true) => Self::BothLocked,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Available => "利用可能",
            Self::LoginLocked => "ログインパスワード利用停止",
            Self::ConfirmationLocked => "確認用パスワード利用停止",
            Self::BothLocked => "ログインパスワード・確認用パスワード利用停止",
            Self::Stopped => "管理者による利用停止",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn person_name_is_zenkaku_up_to_30() {
        assert!(PersonName::parse("山田　太郎").is_ok());
        assert!(PersonName::parse(&"山".repeat(30)).is_ok());
        assert!(PersonName::parse(&"山".repeat(31)).is_err());
        assert!(PersonName::parse("Yamada").is_err());
        assert!(PersonName::parse("ﾔﾏﾀﾞ").is_err());
        assert!(
            PersonName::parse("山田 太郎").is_err(),
            "a half-width space is half-width"
        );
        for spoof in [
            "山田\u{202E}郎太",
            "山田\u{200B}太郎",
            "山田😀",
            "山田\u{E000}",
        ] {
            assert!(
                matches!(
                    PersonName::parse(spoof),
                    Err(Error::UnusableCharacter { .. })
                ),
                "{spoof:?}"
            );
        }
        assert_eq!(
            PersonName::parse("山田\u{202E}").unwrap_err().message_ja(),
            "利用者名に使用できない文字（U+202E）が含まれています。"
        );
    }
}
