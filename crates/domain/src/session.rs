//! The stages of a session. A session is in exactly one stage; each extractor of the web
//! layer admits only the stage it serves, so a handler can never be reached from a session
//! that has not passed every step of the login.

/// Where a session stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionStage {
    /// The login password was right, but the passwords must be replaced first
    /// (パスワード強制変更): only that screen and ログアウト are reachable.
    PasswordChange,
    /// Every step of the login is done.
    Active,
}

impl SessionStage {
    /// The stage a session starts in once the login password was accepted. A new login
    /// step (the one-time password) is a new stage placed before the ones it precedes.
    pub fn after_password(must_change_password: bool) -> Self {
        if must_change_password {
            SessionStage::PasswordChange
        } else {
            SessionStage::Active
        }
    }

    /// The stored form.
    pub fn code(self) -> &'static str {
        match self {
            SessionStage::PasswordChange => "password_change",
            SessionStage::Active => "active",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        [SessionStage::PasswordChange, SessionStage::Active]
            .into_iter()
            .find(|s| s.code() == code)
    }
}

/// A credential whose wrong entries are counted and lock it at a threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Credential {
    /// ログインパスワード
    LoginPassword,
    /// 確認用パスワード
    ConfirmationPassword,
}

impl Credential {
    pub fn label(self) -> &'static str {
        match self {
            Credential::LoginPassword => "ログインパスワード",
            Credential::ConfirmationPassword => "確認用パスワード",
        }
    }

    /// 操作内容 of the 操作履歴 entry written when the credential locks.
    pub fn lock_operation(self) -> &'static str {
        match self {
            Credential::LoginPassword => "ログインパスワード利用停止",
            Credential::ConfirmationPassword => "確認用パスワード利用停止",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stages_round_trip() {
        for s in [SessionStage::PasswordChange, SessionStage::Active] {
            assert_eq!(SessionStage::from_code(s.code()), Some(s));
        }
        assert_eq!(SessionStage::from_code("otp"), None);
        assert_eq!(
            SessionStage::after_password(true),
            SessionStage::PasswordChange
        );
    }
}
