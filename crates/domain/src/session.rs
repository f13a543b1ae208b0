//! The stages of a session. A session is in exactly one stage; each extractor of the web
//! layer admits only the stage it serves, so a handler can never be reached from a session
//! that has not passed every step of the login.

/// Where a session stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionStage {
    /// The login password was right; the company uses ワンタイムパスワード and the user has
    /// no token yet: only ワンタイムパスワード利用登録 and ログアウト are reachable.
    OtpRegistration,
    /// The login password was right; the one-time password is asked next.
    Otp,
    /// The login password was right, but the passwords must be replaced first
    /// (パスワード強制変更): only that screen and ログアウト are reachable.
    PasswordChange,
    /// Every step of the login is done.
    Active,
}

impl SessionStage {
    /// The stage a session starts in once the login password was accepted: the
    /// one-time password first (registering a token when the user has none), where the
    /// company uses it; then the forced change; then done.
    pub fn after_password(otp: Option<OtpStep>, must_change_password: bool) -> Self {
        match otp {
            Some(OtpStep::Register) => SessionStage::OtpRegistration,
            Some(OtpStep::Verify) => SessionStage::Otp,
            None => Self::after_otp(must_change_password),
        }
    }

    /// The stage after an accepted one-time password (or a registered token).
    pub fn after_otp(must_change_password: bool) -> Self {
        if must_change_password {
            SessionStage::PasswordChange
        } else {
            SessionStage::Active
        }
    }

    /// The stored form.
    pub fn code(self) -> &'static str {
        match self {
            SessionStage::OtpRegistration => "otp_registration",
            SessionStage::Otp => "otp",
            SessionStage::PasswordChange => "password_change",
            SessionStage::Active => "active",
        }
    }

    pub const ALL: [SessionStage; 4] = [
        SessionStage::OtpRegistration,
        SessionStage::Otp,
        SessionStage::PasswordChange,
        SessionStage::Active,
    ];

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }
}

/// The one-time-password step of a login at a company that uses ワンタイムパスワード.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OtpStep {
    /// The user has no token: register one (ワンタイムパスワード利用登録).
    Register,
    /// Type the code the token shows.
    Verify,
}

/// A credential whose wrong entries are counted and lock it at a threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Credential {
    /// ログインパスワード
    LoginPassword,
    /// 確認用パスワード
    ConfirmationPassword,
    /// ワンタイムパスワード
    Otp,
}

impl Credential {
    pub fn label(self) -> &'static str {
        match self {
            Credential::LoginPassword => "ログインパスワード",
            Credential::ConfirmationPassword => "確認用パスワード",
            Credential::Otp => "ワンタイムパスワード",
        }
    }

    /// 操作内容 of the 操作履歴 entry written when the credential locks.
    pub fn lock_operation(self) -> &'static str {
        match self {
            Credential::LoginPassword => "ログインパスワード利用停止",
            Credential::ConfirmationPassword => "確認用パスワード利用停止",
            Credential::Otp => "ワンタイムパスワード利用停止",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stages_round_trip() {
        for s in SessionStage::ALL {
            assert_eq!(SessionStage::from_code(s.code()), Some(s));
        }
        assert_eq!(SessionStage::from_code("certificate"), None);
        assert_eq!(
            SessionStage::after_password(None, true),
            SessionStage::PasswordChange
        );
        assert_eq!(
            SessionStage::after_password(Some(OtpStep::Verify), true),
            SessionStage::Otp,
            "the one-time password comes before the forced change"
        );
        assert_eq!(
            SessionStage::after_password(Some(OtpStep::Register), false),
            SessionStage::OtpRegistration
        );
    }
}
