//! Rows as the service layer sees them, and the inputs of the write methods.

use madoguchi_domain::{AccountKind, Business, CompanyOptions, ServiceState, SessionStage, Yen};

/// A new company (企業), as the operator registers it.
#[derive(Debug, Clone)]
pub struct NewCompany {
    pub name: String,
    pub name_kana: String,
}

/// 企業.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Company {
    pub id: i64,
    pub name: String,
    pub name_kana: String,
    /// The contract's options (ワンタイムパスワード …), set by the bank operator.
    pub options: CompanyOptions,
    pub created_at: i64,
    pub updated_at: i64,
}

/// A new account (口座) of a company.
#[derive(Debug, Clone)]
pub struct NewAccount {
    pub company_id: i64,
    pub branch_code: String,
    pub branch_name: String,
    pub kind: AccountKind,
    pub number: String,
    pub holder: String,
}

/// 口座: 支店番号・支店名・科目・口座番号・名義.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub id: i64,
    pub company_id: i64,
    pub branch_code: String,
    pub branch_name: String,
    pub kind: AccountKind,
    pub number: String,
    pub holder: String,
}

/// A new user (利用者), with password hashes already computed. The company is given by
/// whoever registers it (the operator, or an administrator's scoped store), not here.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub login_id: String,
    pub login_key: String,
    pub name: String,
    pub email: String,
    pub is_master: bool,
    pub is_admin: bool,
    pub login_password_hash: String,
    pub confirm_password_hash: Option<String>,
    pub must_change_password: bool,
    /// The confirmation password too must be replaced at the next login.
    pub must_change_confirmation: bool,
    pub profile: UserProfile,
}

/// What an administrator sets on a user besides the basics: サービス利用権限,
/// 利用可能口座 and 利用者一回当たり限度額 (by business; none set: up to the company's limit).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserProfile {
    pub permissions: Vec<String>,
    pub account_ids: Vec<i64>,
    pub tx_limits: std::collections::BTreeMap<Business, Yen>,
}

/// 利用者, as stored.
#[derive(Clone, PartialEq, Eq)]
pub struct UserRecord {
    pub id: i64,
    pub company_id: i64,
    pub login_id: String,
    pub name: String,
    pub email: String,
    pub is_master: bool,
    pub is_admin: bool,
    pub login_password_hash: String,
    /// `None` until the user sets one (an operator-created master sets it at first login).
    pub confirm_password_hash: Option<String>,
    pub must_change_password: bool,
    /// The confirmation password was set by someone else and must be replaced at login.
    pub must_change_confirmation: bool,
    pub login_failures: i64,
    pub login_locked: bool,
    pub confirm_failures: i64,
    pub confirm_locked: bool,
    pub otp_failures: i64,
    /// ワンタイムパスワード利用停止.
    pub otp_locked: bool,
    pub last_login_at: Option<i64>,
    pub previous_login_at: Option<i64>,
    /// 管理者による利用停止.
    pub stopped: bool,
    pub deleted: bool,
    pub profile: UserProfile,
    /// Increases with every change by an administrator (stale-edit detection).
    pub version: i64,
    /// Increases with every change of the user's passwords; a session opened under an
    /// older version is dead.
    pub credential_version: i64,
}

impl UserRecord {
    /// マスターユーザ or 管理者権限「付与する」.
    pub fn has_admin_authority(&self) -> bool {
        self.is_master || self.is_admin
    }

    pub fn service_state(&self) -> ServiceState {
        ServiceState::from_flags(self.login_locked, self.confirm_locked, self.stopped)
    }

    /// Has サービス利用権限 `code`.
    pub fn may(&self, code: &str) -> bool {
        self.profile.permissions.iter().any(|p| p == code)
    }
}

impl std::fmt::Debug for UserRecord {
    /// Never prints the password hashes.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserRecord")
            .field("id", &self.id)
            .field("company_id", &self.company_id)
            .field("login_id", &self.login_id)
            .field("is_master", &self.is_master)
            .field("is_admin", &self.is_admin)
            .field("login_locked", &self.login_locked)
            .field("confirm_locked", &self.confirm_locked)
            .field("otp_locked", &self.otp_locked)
            .field("stopped", &self.stopped)
            .finish_non_exhaustive()
    }
}

/// What a wrong password did to the counter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginFailure {
    /// Consecutive failures now recorded.
    pub failures: i64,
    /// The credential is locked (利用停止).
    pub locked: bool,
    /// This very failure locked it.
    pub locked_now: bool,
}

impl Account {
    /// 支店名(支店番号) 科目 口座番号, as the manual lists an account.
    pub fn label(&self) -> String {
        format!(
            "{}({}) {} {}",
            self.branch_name,
            self.branch_code,
            self.kind.label(),
            self.number
        )
    }
}

/// Which credential an unlock releases.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnlockWhich {
    Login,
    Confirmation,
    Both,
    /// ワンタイムパスワード (its lock, the count with it).
    Otp,
}

/// A session to create at login. The cookie holds a random token; only its SHA-256 is
/// stored, so a copy of the database does not hand out live sessions.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub id_hash: String,
    pub user_id: i64,
    pub company_id: i64,
    pub csrf_token: String,
    pub stage: SessionStage,
    /// The user's credential version the password was checked against.
    pub credential_version: i64,
    pub created_at: i64,
    pub ip: String,
    pub user_agent: String,
    /// The client certificate the login presented (電子証明書方式), by serial.
    pub certificate_serial: Option<String>,
}

/// A stored session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRecord {
    pub id_hash: String,
    pub user_id: i64,
    pub company_id: i64,
    pub csrf_token: String,
    pub stage: SessionStage,
    pub credential_version: i64,
    pub created_at: i64,
    pub last_seen_at: i64,
    /// The token being registered at ワンタイムパスワード利用登録 (sealed).
    pub otp_enrollment: Option<String>,
    /// The client certificate the session logged in with: its requests must present it.
    pub certificate_serial: Option<String>,
}
