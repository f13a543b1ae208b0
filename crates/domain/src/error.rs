//! Domain errors: every refusal has a stable code (for the API and the 操作履歴) and a
//! Japanese message (for the screen).
//!
//! Codes never change meaning once released; a new rule gets a new code. The HTTP status
//! for each [`ErrorKind`] is chosen in exactly one place, in the server crate.

use std::fmt;

/// The broad class of a refusal; the server maps each to one HTTP status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// Bad input: a message at the field, nothing saved.
    Invalid,
    /// Not (or no longer) logged in, or wrong credentials.
    Unauthenticated,
    /// A credential is locked (利用停止) until an administrator releases it.
    Locked,
    /// Logged in, but not allowed to do this.
    Forbidden,
    /// The thing does not exist (or belongs to another company).
    NotFound,
    /// The request collides with the current state (double submit, stale edit, taken id).
    Conflict,
    /// Too many requests from this client or for this account: try again later.
    TooManyRequests,
    /// Something broke on our side; details are in the log under the request id.
    Internal,
}

/// One refusal of the domain, with its stable code and Japanese message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    #[error("ログインIDまたはログインパスワードが正しくありません。")]
    LoginFailed,
    #[error(
        "ログインパスワードが規定回数以上誤って入力されたため、利用停止となっています。管理者に利用停止の解除を依頼してください。"
    )]
    LoginLocked,
    #[error("確認用パスワードが正しくありません。")]
    ConfirmationWrong,
    #[error(
        "確認用パスワードが規定回数以上誤って入力されたため、利用停止となっています。管理者に利用停止の解除を依頼してください。"
    )]
    ConfirmationLocked,
    #[error("ログインしていません。ログインしてください。")]
    NotLoggedIn,
    #[error("一定時間操作が行われなかったため、ログアウトしました。再度ログインしてください。")]
    SessionIdle,
    #[error("ログインから一定時間が経過したため、ログアウトしました。再度ログインしてください。")]
    SessionExpired,
    #[error("パスワードの変更が必要です。新しいパスワードを登録してください。")]
    PasswordChangeRequired,
    #[error("すでにログインしています。")]
    AlreadyLoggedIn,
    #[error("不正な画面遷移を検知しました。お手数ですが、最初から操作をやり直してください。")]
    CsrfRejected,
    #[error("他のサイトからの要求は受け付けられません。")]
    CrossOriginRejected,
    #[error("この操作を行う権限がありません。")]
    Forbidden,
    #[error("対象のデータが見つかりません。")]
    NotFound,
    #[error("この操作はすでに実行されています。")]
    AlreadyExecuted,
    #[error("入力内容に誤りがあります。各項目のメッセージをご確認ください。")]
    Invalid(FieldErrors),
    #[error("システムエラーが発生しました。しばらくしてから再度お試しください。")]
    Internal,

    // Field rules. Each carries the label the screen shows, so the message names the field.
    #[error("{label}を入力してください。")]
    Required { label: &'static str },
    #[error("{label}を選択してください。")]
    NotSelected { label: &'static str },
    #[error("{label}は半角英数字{min}文字以上{max}文字以内で入力してください。")]
    AlnumLength {
        label: &'static str,
        min: usize,
        max: usize,
    },
    #[error("{label}は英字と数字を混在させてください。")]
    NotMixed { label: &'static str },
    #[error("{label}は2ヶ所に同じものを入力してください。")]
    Mismatch { label: &'static str },
    #[error("ログインIDと同じ文字列は{label}に使用できません。")]
    SameAsLoginId { label: &'static str },
    #[error("現在と同じ{label}は使用できません。")]
    Unchanged { label: &'static str },
    #[error("入力されたログインIDは既に登録されているため、使用できません。")]
    LoginIdTaken,
    #[error("{label}は全角{max}文字以内で入力してください。")]
    ZenkakuLength { label: &'static str, max: usize },
    #[error("{label}は半角カナ（全銀協で使用できる文字）{max}文字以内で入力してください。")]
    HankakuKana { label: &'static str, max: usize },
    #[error("{label}は半角数字{digits}桁で入力してください。")]
    FixedDigits { label: &'static str, digits: usize },
    #[error("{label}は半角数字{max_digits}桁以内で入力してください。")]
    AmountFormat {
        label: &'static str,
        max_digits: usize,
    },
    #[error("{label}は「{choices}」のいずれかを指定してください。")]
    Choice {
        label: &'static str,
        choices: &'static str,
    },
    #[error("{label}は届出限度額（{ceiling}）以下で入力してください。")]
    AboveCeiling {
        label: &'static str,
        ceiling: crate::yen::Yen,
    },
    #[error("{label}は{total}以下で入力してください。")]
    AboveTotal {
        label: &'static str,
        total: &'static str,
    },
    #[error("{business}では「承認なし」は選択できません。")]
    ApprovalNotOffered { business: &'static str },
    #[error("{label}はYYYY-MM-DD形式の日付で入力してください。")]
    DateFormat { label: &'static str },
    #[error("基準手数料が登録されていないため、計算できません。")]
    NoStandardTable,
    #[error("メールアドレスは半角英数字記号4文字以上64文字以内で、正しい形式で入力してください。")]
    EmailFormat,
    #[error("{label}は企業一日当たりの限度額（{limit}）以下で入力してください。")]
    AboveCompanyLimit {
        label: &'static str,
        limit: crate::yen::Yen,
    },
    #[error("登録できる利用者は{max}名までです。不要な利用者を削除してから登録してください。")]
    TooManyUsers { max: usize },
    #[error("{what}")]
    NotAllowed { what: &'static str },
    #[error("支払金額範囲は0円より大きく、上の行ほど大きな金額を入力してください。")]
    BoundaryOrder,
    #[error("手数料の行の数が支払金額範囲と合っていません。")]
    FeeTiers,
    #[error("手数料は{max}以下で入力してください。")]
    FeeTooLarge { max: crate::yen::Yen },
    #[error("先方負担手数料（{fee}）が支払金額（{payment}）以上になるため、計算できません。")]
    DeductionTooLarge {
        payment: crate::yen::Yen,
        fee: crate::yen::Yen,
    },
    #[error(
        "他の管理者が設定を変更したため、この内容では実行できません。お手数ですが、最初からやり直してください。"
    )]
    Stale,
    #[error(
        "冪等キー（idempotency_key）は半角英数字と「-」「_」で16文字以上128文字以内にしてください。"
    )]
    IdempotencyKeyFormat,
    #[error(
        "この確認画面（冪等キー）は別の内容の実行に使用済みです。お手数ですが、最初から操作をやり直してください。"
    )]
    KeyReused,
    #[error("{label}に使用できない文字（U+{code_point:04X}）が含まれています。")]
    UnusableCharacter {
        label: &'static str,
        code_point: u32,
    },
    #[error("必須の項目がありません。")]
    MissingField,
    #[error("項目の形式が正しくありません。")]
    WrongType,
    #[error("リクエストの形式が正しくありません（JSON）。")]
    MalformedBody,
    #[error(
        "短時間に多くの要求があったため、受け付けを一時停止しています。{retry_after_secs}秒ほど待ってから再度お試しください。"
    )]
    TooManyRequests { retry_after_secs: u64 },
    #[error("ただいま混み合っています。しばらくしてから再度お試しください。")]
    Busy,
    #[error(
        "入力されたログインIDは既に登録されているため、使用できません。短時間に多くの確認が行われたため、しばらくしてから再度お試しください。"
    )]
    LoginIdChecksThrottled,
    #[error("ワンタイムパスワードが正しくありません。")]
    OtpWrong,
    #[error(
        "ワンタイムパスワードが規定回数以上誤って入力されたため、利用停止となっています。管理者にワンタイムパスワードの利用停止解除を依頼してください。"
    )]
    OtpLocked,
    #[error(
        "このワンタイムパスワードは使用済みです。次に表示されるワンタイムパスワードを入力してください。"
    )]
    OtpUsed,
    #[error("ワンタイムパスワードの入力が必要です。")]
    OtpRequired,
    #[error("ワンタイムパスワード利用登録が必要です。トークンを登録してください。")]
    OtpRegistrationRequired,
    #[error(
        "トークンの失効後しばらくの間は、ワンタイムパスワード利用登録ができません。{from}以降に再度ログインしてください。"
    )]
    OtpRegistrationWait { from: String },
    #[error("操作日付（終了）は操作日付（開始）以降の日付を入力してください。")]
    DateOrder,
    #[error("{label}はIPアドレスの形式（例：192.0.2.10）で入力してください。")]
    AddressFormat { label: &'static str },
    #[error(
        "電子証明書が提示されていません。このログインIDの電子証明書をブラウザに取り込み、ブラウザを再起動してからログインしてください。お持ちでない場合は「電子証明書発行」から取得してください。"
    )]
    CertificateRequired,
    #[error(
        "提示された電子証明書は、このログインIDの利用者のものではないか、失効または有効期限切れです。ご自身の有効な電子証明書を選択してください。"
    )]
    CertificateRefused,
    #[error("このお客様は電子証明書方式をご利用になっていないため、電子証明書は発行できません。")]
    CertificateNotContracted,
    #[error("電子証明書の発行は現在ご利用いただけません。銀行にお問い合わせください。")]
    CertificateUnavailable,
    #[error("証明書署名要求（CSR）を読み取れません。PEM形式のPKCS#10で指定してください。")]
    CsrFormat,
    #[error(
        "{label}に全銀協の文字にない「{character}」が含まれています。半角カナ・英大文字・数字で入力してください。"
    )]
    NotZenginCharacter {
        label: &'static str,
        character: String,
    },
    #[error("入力された{label}は登録されていません。")]
    UnknownCode { label: &'static str },
    #[error("この振込先は既に登録されています。")]
    PayeeTaken,
    #[error("{label}を超えるため、受け付けできません。本日の残りは{remaining}円です。")]
    LimitReached { label: String, remaining: String },
    #[error("利用者一回当たり限度額（{limit}円）を超えるため、受け付けできません。")]
    AboveUserLimit { limit: String },
    #[error("{label}は半角英数字記号{min}文字以上{max}文字以内で入力してください。")]
    PrintableLength {
        label: &'static str,
        min: usize,
        max: usize,
    },
    /// An order's state does not allow what was asked (the approval state machine).
    #[error("{what}")]
    TransferRefused { what: &'static str },
    #[error("承認期限（{deadline}）を過ぎたため、この取引は承認できません。")]
    ApprovalExpired { deadline: String },
    /// `label`: 振込指定日, or 引落日 of 口座振替.
    #[error("{label}（{date}）は銀行営業日ではありません。銀行営業日を指定してください。")]
    NotBusinessDay { label: &'static str, date: String },
    #[error("{label}は{first}から{last}までの銀行営業日を指定してください。")]
    DateOutOfRange {
        label: &'static str,
        first: String,
        last: String,
    },
    #[error(
        "当日扱いの受付時限（{cutoff}）を過ぎています。振込指定日は翌営業日以降を指定してください。"
    )]
    PastCutoff { cutoff: String },
    #[error("指定された{label}は承認権限を持つ利用者ではありません。")]
    NotAnApprover { label: &'static str },
    #[error("指定された支払口座はご利用いただけません。")]
    AccountNotUsable,
    #[error("{label}は1円以上で入力してください。")]
    AmountZero { label: &'static str },
    /// The 受付時限 of the 振込指定日 passed while the order was being accepted.
    #[error("振込指定日の受付時限を過ぎたため、受け付けできません。")]
    PastDeadline,
    /// A value does not fit its field of a 全銀協 record.
    #[error("全銀協フォーマットの{field}に収まらない値があります。")]
    ZenginField { field: &'static str },
    /// A 全銀協 file refused: every error, each with its line, columns and field.
    #[error("ファイルの内容に誤りがあります（{}件）。各行のメッセージをご確認ください。", .0.len())]
    InvalidFile(Vec<crate::zengin::FileError>),
    /// One error of a 全銀協 record, shown at the field of a screen that typed it (its
    /// FIL code kept).
    #[error("{message}")]
    InRecord { code: &'static str, message: String },
    /// The bank's host could not carry out an accepted transfer (振込不能).
    #[error("振込先への入金ができませんでした（{reason}）。")]
    HostRejected { reason: String },
}

impl Error {
    /// The stable code, shown in the API and recorded in the 操作履歴.
    pub fn code(&self) -> &'static str {
        match self {
            Error::LoginFailed => "AUTH-0001",
            Error::LoginLocked => "AUTH-0002",
            Error::ConfirmationWrong => "AUTH-0003",
            Error::ConfirmationLocked => "AUTH-0004",
            Error::NotLoggedIn => "AUTH-0005",
            Error::SessionIdle => "AUTH-0006",
            Error::SessionExpired => "AUTH-0007",
            Error::PasswordChangeRequired => "AUTH-0008",
            Error::AlreadyLoggedIn => "AUTH-0009",
            Error::CsrfRejected => "SEC-0001",
            Error::CrossOriginRejected => "SEC-0002",
            Error::Forbidden => "PERM-0001",
            Error::NotFound => "REQ-0001",
            Error::AlreadyExecuted => "REQ-0002",
            Error::Invalid(_) => "VAL-0000",
            Error::Internal => "SYS-0001",
            Error::Required { .. } => "VAL-0001",
            Error::NotSelected { .. } => "VAL-0019",
            Error::AlnumLength { .. } => "VAL-0002",
            Error::NotMixed { .. } => "VAL-0003",
            Error::Mismatch { .. } => "VAL-0004",
            Error::SameAsLoginId { .. } => "VAL-0005",
            Error::Unchanged { .. } => "VAL-0006",
            Error::LoginIdTaken => "VAL-0007",
            Error::ZenkakuLength { .. } => "VAL-0008",
            Error::HankakuKana { .. } => "VAL-0009",
            Error::FixedDigits { .. } => "VAL-0010",
            Error::AmountFormat { .. } => "VAL-0011",
            Error::Choice { .. } => "VAL-0012",
            Error::AboveCeiling { .. } => "LIM-0001",
            Error::AboveTotal { .. } => "LIM-0002",
            Error::ApprovalNotOffered { .. } => "APR-0001",
            Error::Stale => "REQ-0003",
            Error::BoundaryOrder => "FEE-0001",
            Error::EmailFormat => "VAL-0014",
            Error::AboveCompanyLimit { .. } => "LIM-0003",
            Error::TooManyUsers { .. } => "USR-0001",
            Error::NotAllowed { .. } => "USR-0002",
            Error::DateFormat { .. } => "VAL-0013",
            Error::NoStandardTable => "FEE-0005",
            Error::FeeTiers => "FEE-0002",
            Error::FeeTooLarge { .. } => "FEE-0003",
            Error::DeductionTooLarge { .. } => "FEE-0004",
            Error::IdempotencyKeyFormat => "REQ-0004",
            Error::KeyReused => "REQ-0005",
            Error::UnusableCharacter { .. } => "VAL-0018",
            Error::MissingField => "VAL-0015",
            Error::WrongType => "VAL-0016",
            Error::MalformedBody => "VAL-0017",
            Error::TooManyRequests { .. } => "SEC-0003",
            Error::Busy => "SYS-0002",
            Error::LoginIdChecksThrottled => "SEC-0004",
            Error::OtpWrong => "AUTH-0010",
            Error::OtpLocked => "AUTH-0011",
            Error::OtpUsed => "AUTH-0012",
            Error::OtpRequired => "AUTH-0013",
            Error::OtpRegistrationRequired => "AUTH-0014",
            Error::OtpRegistrationWait { .. } => "AUTH-0015",
            Error::DateOrder => "VAL-0020",
            Error::AddressFormat { .. } => "VAL-0021",
            Error::CertificateRequired => "AUTH-0016",
            Error::CertificateRefused => "AUTH-0017",
            Error::CertificateNotContracted => "CRT-0001",
            Error::CertificateUnavailable => "CRT-0002",
            Error::CsrFormat => "VAL-0022",
            Error::PrintableLength { .. } => "VAL-0023",
            Error::LimitReached { .. } => "LIM-0004",
            Error::NotZenginCharacter { .. } => "VAL-0024",
            Error::PayeeTaken => "PAY-0001",
            Error::UnknownCode { .. } => "VAL-0025",
            Error::AboveUserLimit { .. } => "LIM-0005",
            Error::TransferRefused { .. } => "TRF-0001",
            Error::ApprovalExpired { .. } => "TRF-0002",
            Error::NotBusinessDay { .. } => "VAL-0026",
            Error::DateOutOfRange { .. } => "VAL-0027",
            Error::PastCutoff { .. } => "VAL-0028",
            Error::NotAnApprover { .. } => "VAL-0029",
            Error::AccountNotUsable => "VAL-0030",
            Error::AmountZero { .. } => "VAL-0031",
            Error::HostRejected { .. } => "HST-0001",
            Error::ZenginField { .. } => "FIL-0000",
            Error::InvalidFile(_) => "FIL-0100",
            Error::InRecord { code, .. } => code,
            Error::PastDeadline => "TRF-0003",
        }
    }

    /// The class of the refusal (decides the HTTP status).
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::LoginFailed
            | Error::ConfirmationWrong
            | Error::NotLoggedIn
            | Error::SessionIdle
            | Error::SessionExpired
            | Error::OtpWrong
            | Error::OtpUsed
            | Error::CertificateRequired
            | Error::CertificateRefused => ErrorKind::Unauthenticated,
            Error::LoginLocked | Error::ConfirmationLocked | Error::OtpLocked => ErrorKind::Locked,
            Error::PasswordChangeRequired
            | Error::OtpRequired
            | Error::OtpRegistrationRequired
            | Error::OtpRegistrationWait { .. }
            | Error::CsrfRejected
            | Error::CrossOriginRejected
            | Error::Forbidden => ErrorKind::Forbidden,
            Error::NotFound => ErrorKind::NotFound,
            Error::TooManyRequests { .. } | Error::Busy | Error::LoginIdChecksThrottled => {
                ErrorKind::TooManyRequests
            }
            Error::AlreadyExecuted
            | Error::AlreadyLoggedIn
            | Error::KeyReused
            | Error::LoginIdTaken
            | Error::Stale
            | Error::TooManyUsers { .. }
            | Error::LimitReached { .. }
            | Error::PayeeTaken
            | Error::TransferRefused { .. }
            | Error::ApprovalExpired { .. }
            | Error::HostRejected { .. }
            | Error::PastDeadline => ErrorKind::Conflict,
            Error::NotAllowed { .. }
            | Error::CertificateNotContracted
            | Error::AboveUserLimit { .. } => ErrorKind::Forbidden,
            Error::CertificateUnavailable => ErrorKind::Internal,
            Error::Internal => ErrorKind::Internal,
            Error::Invalid(_)
            | Error::Required { .. }
            | Error::NotSelected { .. }
            | Error::AlnumLength { .. }
            | Error::NotMixed { .. }
            | Error::Mismatch { .. }
            | Error::SameAsLoginId { .. }
            | Error::Unchanged { .. }
            | Error::ZenkakuLength { .. }
            | Error::HankakuKana { .. }
            | Error::FixedDigits { .. }
            | Error::AmountFormat { .. }
            | Error::Choice { .. }
            | Error::AboveCeiling { .. }
            | Error::AboveTotal { .. }
            | Error::ApprovalNotOffered { .. }
            | Error::BoundaryOrder
            | Error::EmailFormat
            | Error::AboveCompanyLimit { .. }
            | Error::DateFormat { .. }
            | Error::NoStandardTable
            | Error::FeeTiers
            | Error::FeeTooLarge { .. }
            | Error::DeductionTooLarge { .. }
            | Error::IdempotencyKeyFormat
            | Error::UnusableCharacter { .. }
            | Error::MissingField
            | Error::WrongType
            | Error::MalformedBody
            | Error::DateOrder
            | Error::AddressFormat { .. }
            | Error::CsrFormat
            | Error::PrintableLength { .. }
            | Error::NotZenginCharacter { .. }
            | Error::UnknownCode { .. }
            | Error::NotBusinessDay { .. }
            | Error::DateOutOfRange { .. }
            | Error::PastCutoff { .. }
            | Error::NotAnApprover { .. }
            | Error::AccountNotUsable
            | Error::AmountZero { .. }
            | Error::ZenginField { .. }
            | Error::InvalidFile(_)
            | Error::InRecord { .. } => ErrorKind::Invalid,
        }
    }

    /// The Japanese message for the screen.
    pub fn message_ja(&self) -> String {
        self.to_string()
    }
}

/// A refusal tied to one form field (by the field's `name`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub error: Error,
}

/// All the field refusals of one form: every field is checked, so the user sees every
/// problem at once rather than one per submit.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldErrors(Vec<FieldError>);

impl FieldErrors {
    pub fn new() -> Self {
        Self::default()
    }

    /// The one refusal `error` at `field`.
    pub fn single(field: impl Into<String>, error: Error) -> Self {
        let mut errors = Self::new();
        errors.add(field, error);
        errors
    }

    /// Records `error` against `field`.
    pub fn add(&mut self, field: impl Into<String>, error: Error) {
        self.0.push(FieldError {
            field: field.into(),
            error,
        });
    }

    /// Keeps the value of `result`, or records its error against `field`.
    pub fn check<T>(&mut self, field: &str, result: Result<T, Error>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(error) => {
                self.add(field, error);
                None
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &FieldError> {
        self.0.iter()
    }

    /// The first message for `field`, if any.
    pub fn message_for(&self, field: &str) -> Option<String> {
        self.0
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.error.message_ja())
    }

    /// `Ok(())` when nothing was recorded, else the whole set as one [`Error::Invalid`].
    pub fn into_result(self) -> Result<(), Error> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(Error::Invalid(self))
        }
    }
}

impl fmt::Display for FieldErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self
            .0
            .iter()
            .map(|e| format!("{}: {}", e.field, e.error))
            .collect();
        f.write_str(&parts.join(" / "))
    }
}

impl From<FieldErrors> for Error {
    fn from(errors: FieldErrors) -> Self {
        Error::Invalid(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique() {
        let all = [
            Error::LoginFailed,
            Error::LoginLocked,
            Error::ConfirmationWrong,
            Error::ConfirmationLocked,
            Error::NotLoggedIn,
            Error::SessionIdle,
            Error::SessionExpired,
            Error::PasswordChangeRequired,
            Error::CsrfRejected,
            Error::CrossOriginRejected,
            Error::Forbidden,
            Error::NotFound,
            Error::AlreadyExecuted,
            Error::Invalid(FieldErrors::new()),
            Error::Internal,
            Error::Required { label: "" },
            Error::NotSelected { label: "" },
            Error::AlnumLength {
                label: "",
                min: 0,
                max: 0,
            },
            Error::NotMixed { label: "" },
            Error::Mismatch { label: "" },
            Error::SameAsLoginId { label: "" },
            Error::Unchanged { label: "" },
            Error::LoginIdTaken,
            Error::ZenkakuLength { label: "", max: 0 },
            Error::HankakuKana { label: "", max: 0 },
            Error::FixedDigits {
                label: "",
                digits: 0,
            },
            Error::AmountFormat {
                label: "",
                max_digits: 0,
            },
            Error::Choice {
                label: "",
                choices: "",
            },
            Error::IdempotencyKeyFormat,
            Error::KeyReused,
            Error::AlreadyLoggedIn,
            Error::UnusableCharacter {
                label: "",
                code_point: 0,
            },
            Error::MissingField,
            Error::WrongType,
            Error::MalformedBody,
            Error::TooManyRequests {
                retry_after_secs: 0,
            },
            Error::Busy,
            Error::LoginIdChecksThrottled,
            Error::OtpWrong,
            Error::OtpLocked,
            Error::OtpUsed,
            Error::OtpRequired,
            Error::OtpRegistrationRequired,
            Error::OtpRegistrationWait {
                from: String::new(),
            },
            Error::DateOrder,
            Error::AddressFormat { label: "" },
            Error::CertificateRequired,
            Error::CertificateRefused,
            Error::CertificateNotContracted,
            Error::CertificateUnavailable,
            Error::CsrFormat,
            Error::PrintableLength {
                label: "",
                min: 0,
                max: 0,
            },
            Error::LimitReached {
                label: String::new(),
                remaining: String::new(),
            },
            Error::AboveUserLimit {
                limit: String::new(),
            },
            Error::NotZenginCharacter {
                label: "",
                character: String::new(),
            },
            Error::PayeeTaken,
            Error::UnknownCode { label: "" },
            Error::Stale,
            Error::NotAllowed { what: "" },
            Error::TooManyUsers { max: 0 },
            Error::TransferRefused { what: "" },
            Error::ApprovalExpired {
                deadline: String::new(),
            },
            Error::NotBusinessDay {
                label: "",
                date: String::new(),
            },
            Error::DateOutOfRange {
                label: "",
                first: String::new(),
                last: String::new(),
            },
            Error::PastCutoff {
                cutoff: String::new(),
            },
            Error::NotAnApprover { label: "" },
            Error::AccountNotUsable,
            Error::AmountZero { label: "" },
            Error::HostRejected {
                reason: String::new(),
            },
            Error::ZenginField { field: "" },
            Error::InvalidFile(Vec::new()),
            Error::InRecord {
                code: "FIL-0015",
                message: String::new(),
            },
            Error::PastDeadline,
        ];
        let mut codes: Vec<&str> = all.iter().map(Error::code).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), all.len());
    }

    #[test]
    fn messages_name_the_field() {
        let e = Error::AlnumLength {
            label: "ログインパスワード",
            min: 6,
            max: 12,
        };
        assert_eq!(
            e.message_ja(),
            "ログインパスワードは半角英数字6文字以上12文字以内で入力してください。"
        );
    }
}
