//! Configuration: one typed struct, layered defaults → TOML file → `MADOGUCHI_*`
//! environment → command-line flags. No global state: the value is passed to whoever needs it.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use madoguchi_domain::PasswordPolicy;
use madoguchi_domain::transfer::TransferWindow;
use serde::Deserialize;

/// Everything a deployment can set.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Address the web server listens on.
    pub listen: SocketAddr,
    /// Folder of the SQLite database (used when `database_url` is not set).
    pub data_dir: PathBuf,
    /// `postgres://…` (or `sqlite://…`); overrides `data_dir`.
    pub database_url: Option<String>,
    /// Consecutive wrong login passwords before ログインパスワード利用停止.
    pub login_lock_threshold: u32,
    /// Consecutive wrong confirmation passwords before 確認用パスワード利用停止.
    pub confirmation_lock_threshold: u32,
    /// Consecutive wrong one-time passwords before ワンタイムパスワード利用停止.
    pub otp_lock_threshold: u32,
    /// Minutes after トークンの失効 before the user may register a new token.
    pub otp_reregistration_wait_minutes: u32,
    /// The issuer an authenticator app shows beside the account (the bank's name).
    pub otp_issuer: String,
    /// The key that seals token secrets: 64 hex characters (32 bytes), best given as
    /// `MADOGUCHI_OTP_KEY`. Unset: the key file `otp.key` in `data_dir`, created on first
    /// start with 0600 permissions.
    pub otp_key: Option<SecretText>,
    /// The key of the 操作履歴's MACs and signed checkpoints: 64 hex characters, best given
    /// as `MADOGUCHI_HISTORY_KEY`. Unset: the key file `history.key` in `data_dir`.
    pub history_key: Option<SecretText>,
    /// A checkpoint of the 操作履歴's chains is signed at least this often (seconds) while
    /// entries are appended…
    pub history_checkpoint_seconds: u32,
    /// …and as soon as this many entries were appended since the last one.
    pub history_checkpoint_entries: u32,
    /// The log file (outside the database) the checkpoints are appended to; relative to
    /// `data_dir`.
    pub history_checkpoint_file: PathBuf,
    /// The server verifies the whole 操作履歴 this often (hours; 0: only at start and by
    /// `madoguchi history verify`).
    pub history_verify_hours: u32,
    /// Days the 操作履歴 is kept (0: for ever). Older entries are purged daily by the
    /// server and by `madoguchi history purge`, leaving what remains verifiable.
    pub history_retention_days: u32,
    /// Minutes without a request before a session ends.
    pub session_idle_minutes: u32,
    /// Hours after login at which a session ends regardless of activity.
    pub session_absolute_hours: u32,
    /// Shortest password a user may set (the manual: 6).
    pub password_min_length: usize,
    /// Longest password a user may set (the manual: 12).
    pub password_max_length: usize,
    /// Argon2id memory cost in KiB (OWASP minimum: 19456).
    pub argon2_memory_kib: u32,
    /// Argon2id iterations (OWASP minimum with 19 MiB: 2).
    pub argon2_iterations: u32,
    /// Send the session cookie only over HTTPS (`__Host-` prefix). Browsers treat
    /// http://localhost and http://127.0.0.1 as secure, so the demo works with it on;
    /// turn it off only for plain-HTTP test rigs on other hosts.
    pub cookie_secure: bool,
    /// Largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// Users a company may have (the manual's products: マスターユーザ included, 100).
    pub max_users_per_company: usize,
    /// Addresses (or CIDR ranges) of reverse proxies whose `X-Forwarded-For` names the
    /// client; a request from anywhere else is attributed to its own peer address.
    pub trusted_proxies: Vec<String>,
    /// Login attempts per client address per minute (IPv6: per /64).
    pub login_per_address_per_minute: u32,
    /// Login attempts per login ID per minute.
    pub login_per_id_per_minute: u32,
    /// 確認用パスワード attempts per user per minute.
    pub confirmation_per_user_per_minute: u32,
    /// 確認用パスワード attempts per client address per minute.
    pub confirmation_per_address_per_minute: u32,
    /// ワンタイムパスワード attempts per user per minute.
    pub otp_per_user_per_minute: u32,
    /// ワンタイムパスワード attempts per client address per minute.
    pub otp_per_address_per_minute: u32,
    /// 「ログインIDは既に登録されています」 answers per administrator per hour.
    pub login_id_taken_per_hour: u32,
    /// Refusals of unauthenticated clients written one by one per minute (deployment-wide);
    /// beyond it they are counted into one summary entry per minute.
    pub unauthenticated_entries_per_minute: u32,
    /// Threads that hash passwords (0: one less than the cores, at least one), at the
    /// lowest scheduling priority.
    pub password_hash_threads: usize,
    /// Percent of its time a hashing thread may spend hashing (1–100); it rests the rest,
    /// so the pages keep their latency while logins saturate.
    pub password_hash_duty_percent: u32,
    /// Password checks that may wait for a hashing thread; beyond it a login is answered
    /// 429 「混み合っています」 at once instead of queueing.
    pub password_hash_queue: usize,
    /// Serve HTTPS (rustls) instead of HTTP, asking clients for their certificate of the
    /// bank's CA (電子証明書方式). Needs the CA (`madoguchi ca init`).
    pub tls: bool,
    /// The listener's certificate chain (PEM), with `tls_key`. Unset: one issued at start
    /// by the bank's CA for `tls_names`.
    pub tls_cert: Option<PathBuf>,
    /// The listener's private key (PEM, PKCS#8), with `tls_cert`.
    pub tls_key: Option<PathBuf>,
    /// Host names and addresses of the certificate issued at start.
    pub tls_names: Vec<String>,
    /// Load-balancer mode: the request header in which a trusted proxy forwards the client
    /// certificate it verified (URL-escaped PEM, e.g. nginx's `$ssl_client_escaped_cert`).
    /// Read only from `trusted_proxies`; checked again against the bank's CA and CRL.
    pub client_certificate_header: Option<String>,
    /// How often (seconds) a server looks for revocations made by another server on the
    /// same database, to rebuild its CRL.
    pub certificate_poll_seconds: u32,
    /// The 金融機関コード of the bank running the service: a payee at this bank is 同一店宛
    /// or 本支店宛, any other 他行宛.
    pub bank_code: String,
    /// 振込振替's 当日扱いの受付時限 (日本時間, `HH:MM`): today is a 振込指定日 only before it,
    /// and it is the 承認期限 of a transfer on its 振込指定日.
    pub transfer_cutoff: String,
    /// How many days ahead a 振込指定日 may be.
    pub transfer_days_ahead: u32,
    /// How often (seconds) a server hands accepted transfers to the bank's host and expires
    /// orders past their 承認期限.
    pub host_poll_seconds: u32,
    /// How long (seconds) a server's claim on an accepted transfer holds while it hands it
    /// to the host; a server that died holding one leaves it to another after this.
    pub host_lease_seconds: u32,
    /// The 受付時限 (日本時間, `HH:MM`) of 総合振込, 給与・賞与振込 and 口座振替 on the
    /// business day their lead time ends: a file must be approved before it.
    pub bulk_cutoff: String,
    /// Business days before its 振込指定日 a 総合振込 must be accepted (前営業日: 1).
    pub bulk_transfer_lead_days: u32,
    /// Business days before payday a 給与・賞与振込 must be accepted.
    pub payroll_lead_days: u32,
    /// Business days before its 引落日 a 口座振替 must be accepted.
    pub direct_debit_lead_days: u32,
    /// How many days ahead a 振込指定日 / 引落日 of these businesses may be.
    pub bulk_days_ahead: u32,
    /// Largest 全銀協 file accepted by 依頼(ファイル受付), in bytes.
    pub max_upload_bytes: usize,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data_dir: PathBuf::from("./data"),
            database_url: None,
            login_lock_threshold: 5,
            confirmation_lock_threshold: 5,
            otp_lock_threshold: 5,
            otp_reregistration_wait_minutes: 30,
            otp_issuer: "madoguchi".to_owned(),
            otp_key: None,
            history_key: None,
            history_checkpoint_seconds: 60,
            history_checkpoint_entries: 1000,
            history_checkpoint_file: PathBuf::from("history-checkpoints.log"),
            history_verify_hours: 24,
            history_retention_days: 365,
            session_idle_minutes: 10,
            session_absolute_hours: 8,
            password_min_length: 6,
            password_max_length: 12,
            argon2_memory_kib: 19_456,
            argon2_iterations: 2,
            cookie_secure: true,
            max_body_bytes: 64 * 1024,
            max_users_per_company: 100,
            trusted_proxies: Vec::new(),
            login_per_address_per_minute: 30,
            login_per_id_per_minute: 10,
            confirmation_per_user_per_minute: 10,
            confirmation_per_address_per_minute: 60,
            otp_per_user_per_minute: 10,
            otp_per_address_per_minute: 60,
            login_id_taken_per_hour: 10,
            unauthenticated_entries_per_minute: 600,
            password_hash_threads: 0,
            password_hash_duty_percent: 50,
            password_hash_queue: 64,
            tls: false,
            tls_cert: None,
            tls_key: None,
            tls_names: vec!["localhost".to_owned(), "127.0.0.1".to_owned()],
            client_certificate_header: None,
            certificate_poll_seconds: 2,
            bank_code: "0001".to_owned(),
            transfer_cutoff: "15:00".to_owned(),
            transfer_days_ahead: 30,
            host_poll_seconds: 1,
            host_lease_seconds: 30,
            bulk_cutoff: "18:00".to_owned(),
            bulk_transfer_lead_days: 1,
            payroll_lead_days: 3,
            direct_debit_lead_days: 5,
            bulk_days_ahead: 30,
            max_upload_bytes: 16 * 1024 * 1024,
        }
    }
}

/// A configuration value that is a secret: read like any other, never printed.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct SecretText(String);

impl SecretText {
    pub fn new(text: impl Into<String>) -> Self {
        Self(text.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for SecretText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretText(***)")
    }
}

/// Every configuration key (the file's keys; `MADOGUCHI_<KEY>` in the environment).
const KEYS: &[&str] = &[
    "listen",
    "data_dir",
    "database_url",
    "login_lock_threshold",
    "confirmation_lock_threshold",
    "otp_lock_threshold",
    "otp_reregistration_wait_minutes",
    "otp_issuer",
    "otp_key",
    "history_key",
    "history_checkpoint_seconds",
    "history_checkpoint_entries",
    "history_checkpoint_file",
    "history_verify_hours",
    "history_retention_days",
    "session_idle_minutes",
    "session_absolute_hours",
    "password_min_length",
    "password_max_length",
    "argon2_memory_kib",
    "argon2_iterations",
    "cookie_secure",
    "max_body_bytes",
    "max_users_per_company",
    "trusted_proxies",
    "login_per_address_per_minute",
    "login_per_id_per_minute",
    "confirmation_per_user_per_minute",
    "confirmation_per_address_per_minute",
    "otp_per_user_per_minute",
    "otp_per_address_per_minute",
    "login_id_taken_per_hour",
    "unauthenticated_entries_per_minute",
    "password_hash_threads",
    "password_hash_duty_percent",
    "password_hash_queue",
    "tls",
    "tls_cert",
    "tls_key",
    "tls_names",
    "client_certificate_header",
    "certificate_poll_seconds",
    "bank_code",
    "transfer_cutoff",
    "transfer_days_ahead",
    "host_poll_seconds",
    "host_lease_seconds",
    "bulk_cutoff",
    "bulk_transfer_lead_days",
    "payroll_lead_days",
    "direct_debit_lead_days",
    "bulk_days_ahead",
    "max_upload_bytes",
];

/// The `MADOGUCHI_*` variables that are not configuration keys (so they are not warned about).
const NON_CONFIG_VARS: &[&str] = &[
    "MADOGUCHI_CONFIG",
    "MADOGUCHI_TEST_DATABASE_URL",
    "MADOGUCHI_LOG",
];

impl Config {
    /// Defaults, then the TOML file (if any), then `MADOGUCHI_*` variables from `env`.
    /// Returns the config and warnings about variables that are not configuration keys.
    pub fn load(
        file: Option<&Path>,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> anyhow::Result<(Self, Vec<String>)> {
        let mut table = match file {
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|e| {
                    anyhow::anyhow!("cannot read config file {}: {e}", path.display())
                })?;
                text.parse::<toml::Table>()
                    .map_err(|e| anyhow::anyhow!("config file {}: {e}", path.display()))?
            }
            None => toml::Table::new(),
        };
        let mut warnings = Vec::new();
        for (name, value) in env {
            let Some(key) = name.strip_prefix("MADOGUCHI_") else {
                continue;
            };
            if NON_CONFIG_VARS.contains(&name.as_str()) {
                continue;
            }
            let key = key.to_ascii_lowercase();
            match Self::env_value(&key, &value) {
                Some(v) => {
                    table.insert(key, v);
                }
                None => warnings.push(format!("ignoring unknown environment variable {name}")),
            }
        }
        let config: Config = toml::Value::Table(table)
            .try_into()
            .map_err(|e| anyhow::anyhow!("invalid configuration: {e}"))?;
        config.check()?;
        Ok((config, warnings))
    }

    /// Converts an environment string into the TOML type of key `key` (None: unknown key).
    fn env_value(key: &str, value: &str) -> Option<toml::Value> {
        if !KEYS.contains(&key) {
            return None;
        }
        let number = value.parse::<i64>().ok().map(toml::Value::Integer);
        let boolean = match value {
            "true" | "1" | "yes" => Some(toml::Value::Boolean(true)),
            "false" | "0" | "no" => Some(toml::Value::Boolean(false)),
            _ => None,
        };
        Some(match key {
            "cookie_secure" | "tls" => boolean.unwrap_or(toml::Value::String(value.to_owned())),
            "listen"
            | "data_dir"
            | "database_url"
            | "otp_issuer"
            | "otp_key"
            | "history_key"
            | "history_checkpoint_file"
            | "tls_cert"
            | "tls_key"
            | "client_certificate_header"
            | "bank_code"
            | "transfer_cutoff" => toml::Value::String(value.to_owned()),
            "trusted_proxies" | "tls_names" => toml::Value::Array(
                value
                    .split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(|s| toml::Value::String(s.to_owned()))
                    .collect(),
            ),
            _ => number.unwrap_or(toml::Value::String(value.to_owned())),
        })
    }

    fn check(&self) -> anyhow::Result<()> {
        self.password_policy().map_err(anyhow::Error::msg)?;
        anyhow::ensure!(
            self.login_lock_threshold >= 1,
            "login_lock_threshold must be at least 1"
        );
        anyhow::ensure!(
            self.confirmation_lock_threshold >= 1,
            "confirmation_lock_threshold must be at least 1"
        );
        anyhow::ensure!(
            self.otp_lock_threshold >= 1,
            "otp_lock_threshold must be at least 1"
        );
        anyhow::ensure!(
            !self.otp_issuer.trim().is_empty() && !self.otp_issuer.contains(':'),
            "otp_issuer must be a name without ':'"
        );
        for key in [&self.otp_key, &self.history_key].into_iter().flatten() {
            crate::keys::parse_key(key.expose())?;
        }
        anyhow::ensure!(
            self.history_checkpoint_seconds >= 1 && self.history_checkpoint_entries >= 1,
            "history_checkpoint_seconds and history_checkpoint_entries must be at least 1"
        );
        anyhow::ensure!(
            self.certificate_poll_seconds >= 1,
            "certificate_poll_seconds must be at least 1"
        );
        anyhow::ensure!(
            self.bank_code.len() == 4 && self.bank_code.bytes().all(|b| b.is_ascii_digit()),
            "bank_code must be the bank's 4-digit 金融機関コード"
        );
        self.transfer_window()?;
        self.bulk_window(madoguchi_domain::Business::BulkTransfer)?;
        anyhow::ensure!(
            self.max_upload_bytes >= 1024,
            "max_upload_bytes must be at least 1024"
        );
        anyhow::ensure!(
            self.host_poll_seconds >= 1 && self.host_lease_seconds >= 1,
            "host_poll_seconds and host_lease_seconds must be at least 1"
        );
        anyhow::ensure!(
            self.tls_cert.is_some() == self.tls_key.is_some(),
            "tls_cert and tls_key are given together, or neither"
        );
        anyhow::ensure!(
            !(self.tls && self.client_certificate_header.is_some()),
            "tls (certificates verified here) and client_certificate_header (verified by a load balancer) exclude each other"
        );
        anyhow::ensure!(
            self.client_certificate_header.is_none() || !self.trusted_proxies.is_empty(),
            "client_certificate_header needs trusted_proxies: the header is read only from them"
        );
        anyhow::ensure!(
            self.session_idle_minutes >= 1,
            "session_idle_minutes must be at least 1"
        );
        anyhow::ensure!(
            self.session_absolute_hours >= 1,
            "session_absolute_hours must be at least 1"
        );
        anyhow::ensure!(
            self.argon2_memory_kib >= 8,
            "argon2_memory_kib must be at least 8"
        );
        anyhow::ensure!(
            self.argon2_iterations >= 1,
            "argon2_iterations must be at least 1"
        );
        for (name, value) in [
            (
                "login_per_address_per_minute",
                self.login_per_address_per_minute,
            ),
            ("login_per_id_per_minute", self.login_per_id_per_minute),
            (
                "confirmation_per_user_per_minute",
                self.confirmation_per_user_per_minute,
            ),
            (
                "confirmation_per_address_per_minute",
                self.confirmation_per_address_per_minute,
            ),
            ("otp_per_user_per_minute", self.otp_per_user_per_minute),
            (
                "otp_per_address_per_minute",
                self.otp_per_address_per_minute,
            ),
            ("login_id_taken_per_hour", self.login_id_taken_per_hour),
            (
                "unauthenticated_entries_per_minute",
                self.unauthenticated_entries_per_minute,
            ),
        ] {
            anyhow::ensure!(value >= 1, "{name} must be at least 1");
        }
        anyhow::ensure!(
            (1..=100).contains(&self.password_hash_duty_percent),
            "password_hash_duty_percent must be between 1 and 100"
        );
        crate::web::proxies::TrustedProxies::parse(&self.trusted_proxies)?;
        Ok(())
    }

    /// 振込振替's window for 振込指定日: `transfer_cutoff` and `transfer_days_ahead`.
    pub fn transfer_window(&self) -> anyhow::Result<TransferWindow> {
        let format = time::macros::format_description!("[hour]:[minute]");
        let cutoff = time::Time::parse(&self.transfer_cutoff, &format).map_err(|_| {
            anyhow::anyhow!("transfer_cutoff must be a time of day HH:MM (日本時間)")
        })?;
        Ok(TransferWindow {
            cutoff,
            days_ahead: self.transfer_days_ahead,
        })
    }

    /// The window of 振込指定日 / 引落日 of a file business: `bulk_cutoff`, its lead days
    /// and `bulk_days_ahead`.
    pub fn bulk_window(
        &self,
        business: madoguchi_domain::Business,
    ) -> anyhow::Result<madoguchi_domain::bulk::BulkWindow> {
        use madoguchi_domain::Business;
        let format = time::macros::format_description!("[hour]:[minute]");
        let cutoff = time::Time::parse(&self.bulk_cutoff, &format)
            .map_err(|_| anyhow::anyhow!("bulk_cutoff must be a time of day HH:MM (日本時間)"))?;
        let lead_days = match business {
            Business::Salary | Business::Bonus => self.payroll_lead_days,
            Business::DirectDebit => self.direct_debit_lead_days,
            _ => self.bulk_transfer_lead_days,
        };
        Ok(madoguchi_domain::bulk::BulkWindow {
            cutoff,
            lead_days,
            days_ahead: self.bulk_days_ahead,
        })
    }

    pub fn password_policy(&self) -> Result<PasswordPolicy, String> {
        PasswordPolicy::new(self.password_min_length, self.password_max_length)
    }

    /// The database URL: `database_url`, else the SQLite file under `data_dir`.
    /// The checkpoint log file's path.
    pub fn checkpoint_file(&self) -> PathBuf {
        self.data_dir.join(&self.history_checkpoint_file)
    }

    /// The 操作履歴's key: `history_key`, else the key file in `data_dir`.
    pub fn history_key(&self) -> anyhow::Result<madoguchi_store::HistoryKey> {
        let key = crate::keys::load(
            self.history_key.as_ref().map(SecretText::expose),
            &self.data_dir,
            "history.key",
        )?;
        Ok(madoguchi_store::HistoryKey::new(key))
    }

    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(url) => url.clone(),
            None => format!(
                "sqlite://{}?mode=rwc",
                self.data_dir.join("madoguchi.db").display()
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn environment_overrides_defaults_and_unknown_keys_warn() {
        let (config, warnings) = Config::load(
            None,
            env(&[
                ("MADOGUCHI_LOGIN_LOCK_THRESHOLD", "3"),
                ("MADOGUCHI_DATABASE_URL", "postgres://x@y/z"),
                ("MADOGUCHI_COOKIE_SECURE", "false"),
                ("MADOGUCHI_LISTEN", "0.0.0.0:9000"),
                ("MADOGUCHI_TRUSTED_PROXIES", "10.0.0.0/8, 192.0.2.7"),
                ("MADOGUCHI_NO_SUCH_THING", "1"),
                ("PATH", "/bin"),
            ]),
        )
        .unwrap();
        assert_eq!(config.login_lock_threshold, 3);
        assert_eq!(config.database_url.as_deref(), Some("postgres://x@y/z"));
        assert!(!config.cookie_secure);
        assert_eq!(config.listen.port(), 9000);
        assert_eq!(config.trusted_proxies, vec!["10.0.0.0/8", "192.0.2.7"]);
        assert_eq!(
            warnings,
            vec!["ignoring unknown environment variable MADOGUCHI_NO_SUCH_THING"]
        );
    }

    #[test]
    fn a_weaker_password_policy_is_refused() {
        let result = Config::load(None, env(&[("MADOGUCHI_PASSWORD_MIN_LENGTH", "4")]));
        assert!(result.is_err());
    }

    #[test]
    fn file_then_environment() {
        let dir = std::env::temp_dir().join(format!("madoguchi-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("madoguchi.toml");
        std::fs::write(
            &path,
            "session_idle_minutes = 15\npassword_min_length = 8\n",
        )
        .unwrap();
        let (config, _) =
            Config::load(Some(&path), env(&[("MADOGUCHI_SESSION_IDLE_MINUTES", "5")])).unwrap();
        assert_eq!(config.session_idle_minutes, 5);
        assert_eq!(config.password_min_length, 8);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn sqlite_url_from_data_dir() {
        let config = Config {
            data_dir: PathBuf::from("/var/lib/m"),
            ..Config::default()
        };
        assert_eq!(
            config.database_url(),
            "sqlite:///var/lib/m/madoguchi.db?mode=rwc"
        );
    }
}
