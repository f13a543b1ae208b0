//! The `madoguchi` command line: run the service, migrate, and the bank operator's
//! commands. Errors go to stderr with a non-zero exit status.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use madoguchi_domain::{BankCeilings, CeilingItem, CompanyLimit, TransferCategory, Yen};
use madoguchi_store::{CompanyStore, UnlockWhich};

use crate::app;
use crate::cli_banking::{BanksCommand, CalendarCommand, HostCommand, PayeeCommand};
use crate::clock::Clock;
use crate::config::Config;
use crate::state::AppState;

/// madoguchi — 法人インターネットバンキング (corporate internet banking) administration service.
#[derive(Debug, Parser)]
#[command(name = "madoguchi", version, about, long_about = None)]
pub struct Cli {
    /// Configuration file (TOML). Also MADOGUCHI_CONFIG.
    #[arg(long, global = true, env = "MADOGUCHI_CONFIG")]
    config: Option<PathBuf>,
    /// Folder for the SQLite database (default ./data).
    #[arg(long, global = true)]
    data_dir: Option<PathBuf>,
    /// Use this database instead, e.g. postgres://user@host/db. Also MADOGUCHI_DATABASE_URL.
    #[arg(long, global = true)]
    database_url: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the web service (screens and JSON API).
    Serve {
        /// Address to listen on (default 127.0.0.1:8080).
        #[arg(long)]
        listen: Option<SocketAddr>,
        /// Load demo companies and users into an empty database.
        #[arg(long)]
        demo: bool,
        /// Serve HTTPS, asking for client certificates of the bank's CA (config `tls`).
        #[arg(long)]
        tls: bool,
        /// The listener's certificate chain (PEM); with --tls-key. Default: one issued
        /// by the bank's CA for `tls_names`.
        #[arg(long, requires = "tls_key")]
        tls_cert: Option<PathBuf>,
        /// The listener's private key (PEM).
        #[arg(long, requires = "tls_cert")]
        tls_key: Option<PathBuf>,
    },
    /// Bring the database schema up to date, then exit.
    Migrate,
    /// Companies (企業).
    #[command(subcommand)]
    Company(CompanyCommand),
    /// Accounts (口座) of a company.
    #[command(subcommand)]
    Account(AccountCommand),
    /// The bank's ceilings (届出限度額) of a company.
    #[command(subcommand)]
    Ceiling(CeilingCommand),
    /// A company's master user (マスターユーザ).
    #[command(subcommand)]
    Master(MasterCommand),
    /// Users (利用者).
    #[command(subcommand)]
    User(UserCommand),
    /// The operation history (操作履歴).
    #[command(subcommand)]
    History(HistoryCommand),
    /// The bank's standard fee tables (基準手数料).
    #[command(subcommand)]
    Fees(FeesCommand),
    /// The bank's certificate authority (電子証明書).
    #[command(subcommand)]
    Ca(CaCommand),
    /// The 全銀協 金融機関・支店 master.
    #[command(subcommand)]
    Banks(BanksCommand),
    /// 事前登録口座: the payees a company registered with the bank.
    #[command(subcommand)]
    Payee(PayeeCommand),
    /// The business calendar: national holidays and the bank's own closing days.
    #[command(subcommand)]
    Calendar(CalendarCommand),
    /// The bank's host (勘定系): accepted transfers as a 全銀協 file.
    #[command(subcommand)]
    Host(HostCommand),
}

#[derive(Debug, Subcommand)]
enum CaCommand {
    /// Create the bank's CA in the data directory (once): `bank-ca.key` (0600, never
    /// leaves the server) and `bank-ca.pem`.
    Init {
        /// The CA's name (CN and O), e.g. 〇〇銀行 法人インターネットバンキング認証局
        #[arg(long)]
        name: String,
    },
    /// Print the CA's certificate (PEM).
    Show,
}

#[derive(Debug, Subcommand)]
enum FeesCommand {
    /// Register a version of the standard fee table from a TOML file, in force for
    /// transfer dates on or after --effective.
    LoadStandard {
        /// TOML file: name, boundaries, same_branch, other_branch, other_bank
        #[arg(long)]
        file: PathBuf,
        /// First transfer date (振込指定日) it applies to, YYYY-MM-DD
        #[arg(long)]
        effective: String,
    },
    /// List every version of the standard fee table.
    ListStandard,
}

#[derive(Debug, Subcommand)]
enum CompanyCommand {
    /// Register a company; prints its id.
    Create {
        /// 企業名, e.g. アパレル株式会社
        #[arg(long)]
        name: String,
        /// 企業名(カナ) in half-width kana, e.g. ｱﾊﾟﾚﾙ(ｶ
        #[arg(long)]
        kana: String,
    },
    /// List all companies (with their contract options).
    List,
    /// Set a company's contract options. A change of either ends every session of the
    /// company.
    Options {
        #[arg(long)]
        company: i64,
        /// ワンタイムパスワード: on (every login and every 実行 asks for the code of the
        /// user's software token) or off
        #[arg(long, value_enum)]
        otp: Option<Switch>,
        /// 電子証明書方式: on (a login also needs the user's client certificate of the
        /// bank's CA, over `serve --tls`) or off
        #[arg(long, value_enum)]
        certificate: Option<Switch>,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Switch {
    On,
    Off,
}

#[derive(Debug, Subcommand)]
enum AccountCommand {
    /// Add an account to a company.
    Add {
        #[arg(long)]
        company: i64,
        /// 支店番号 (3 digits)
        #[arg(long)]
        branch_code: String,
        /// 支店名
        #[arg(long)]
        branch_name: String,
        /// 科目: 普通 or 当座
        #[arg(long)]
        kind: String,
        /// 口座番号 (7 digits)
        #[arg(long)]
        number: String,
        /// 口座名義 in half-width kana
        #[arg(long)]
        holder: String,
    },
    /// List a company's accounts.
    List {
        #[arg(long)]
        company: i64,
    },
}

#[derive(Debug, Args)]
struct CeilingArgs {
    /// 振込振替(合計), per account per day
    #[arg(long)]
    transfer_total: Option<String>,
    /// 振込振替(都度指定), per account per day
    #[arg(long)]
    transfer_ad_hoc: Option<String>,
    /// 振込振替(事前登録), per account per day
    #[arg(long)]
    transfer_registered: Option<String>,
    /// 総合振込, per company per day
    #[arg(long)]
    bulk_transfer: Option<String>,
    /// 給与振込, per company per day
    #[arg(long)]
    salary: Option<String>,
    /// 賞与振込, per company per day
    #[arg(long)]
    bonus: Option<String>,
    /// 口座振替, per company per day
    #[arg(long)]
    direct_debit: Option<String>,
}

impl CeilingArgs {
    fn value(&self, item: CeilingItem) -> Option<&str> {
        let value = match item {
            CeilingItem::Account(TransferCategory::Total) => &self.transfer_total,
            CeilingItem::Account(TransferCategory::AdHoc) => &self.transfer_ad_hoc,
            CeilingItem::Account(TransferCategory::Registered) => &self.transfer_registered,
            CeilingItem::Company(CompanyLimit::BulkTransfer) => &self.bulk_transfer,
            CeilingItem::Company(CompanyLimit::Salary) => &self.salary,
            CeilingItem::Company(CompanyLimit::Bonus) => &self.bonus,
            CeilingItem::Company(CompanyLimit::DirectDebit) => &self.direct_debit,
        };
        value.as_deref()
    }
}

#[derive(Debug, Subcommand)]
enum CeilingCommand {
    /// Set ceilings in yen (half-width digits). Items not given keep their value; the
    /// first time, all seven are required.
    Set {
        #[arg(long)]
        company: i64,
        #[command(flatten)]
        values: CeilingArgs,
    },
    /// Show a company's ceilings.
    Show {
        #[arg(long)]
        company: i64,
    },
}

#[derive(Debug, Subcommand)]
enum MasterCommand {
    /// Create the company's master user; prints one-time passwords to hand over.
    Create {
        #[arg(long)]
        company: i64,
        /// ログインID (half-width letters and digits, 6–12, mixed)
        #[arg(long)]
        login_id: String,
        /// 利用者名 (full-width, up to 30)
        #[arg(long)]
        name: String,
        /// メールアドレス
        #[arg(long, default_value = "")]
        email: String,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Which {
    Login,
    Confirmation,
    Both,
    /// ワンタイムパスワード
    Otp,
}

#[derive(Debug, Subcommand)]
enum UserCommand {
    /// Release a locked user (利用停止解除).
    Unlock {
        #[arg(long)]
        login_id: String,
        /// Which password's lock to release.
        #[arg(long, value_enum, default_value = "both")]
        which: Which,
    },
}

#[derive(Debug, Subcommand)]
enum HistoryCommand {
    /// Verify the whole operation history — every chain's MACs and head, against the
    /// newest signed checkpoint in the database or the log file; names the first bad entry.
    Verify,
    /// Sign a checkpoint of the chains' heads now (the server also does it on its own).
    Checkpoint,
    /// Generate realistic entries on a demo database, for measuring the history at scale
    /// (genuine chains and MACs; they describe nothing that happened).
    Generate {
        /// How many entries.
        #[arg(long)]
        entries: u64,
        /// Synthetic companies holding what the demo's companies do not.
        #[arg(long, default_value_t = 1000)]
        companies: u32,
        /// Percent of the entries held by each demo company, in id order.
        #[arg(long, value_delimiter = ',', default_value = "0.1,1")]
        shares: Vec<f64>,
        /// Days the entries spread over, up to now.
        #[arg(long, default_value_t = 365)]
        days: u32,
    },
    /// Remove the entries older than `history_retention_days` now (the server also does
    /// it daily); what remains stays verifiable.
    Purge,
}

/// Runs the command line; the exit status is non-zero on any error.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let (mut config, warnings) = Config::load(cli.config.as_deref(), std::env::vars())?;
    for w in warnings {
        tracing::warn!("{w}");
    }
    if let Some(dir) = cli.data_dir {
        config.data_dir = dir;
    }
    if let Some(url) = cli.database_url {
        config.database_url = Some(url);
    }
    match cli.command {
        Command::Serve {
            listen,
            demo,
            tls,
            tls_cert,
            tls_key,
        } => {
            if let Some(listen) = listen {
                config.listen = listen;
            }
            config.tls |= tls;
            if tls_cert.is_some() {
                (config.tls_cert, config.tls_key) = (tls_cert, tls_key);
            }
            serve(config, demo).await
        }
        Command::Ca(CaCommand::Init { name }) => {
            let ca = crate::certificates::ca::BankCa::create(
                &config.data_dir,
                &name,
                Clock::System.now_micros(),
            )?;
            println!(
                "created the bank's CA in {} ({} and {})",
                config.data_dir.display(),
                crate::certificates::ca::KEY_FILE,
                crate::certificates::ca::CERT_FILE
            );
            print!("{}", ca.cert_pem());
            Ok(())
        }
        Command::Ca(CaCommand::Show) => {
            match crate::certificates::ca::BankCa::load(&config.data_dir)? {
                Some(ca) => print!("{}", ca.cert_pem()),
                None => anyhow::bail!(
                    "no CA in {}: create it with `madoguchi ca init`",
                    config.data_dir.display()
                ),
            }
            Ok(())
        }
        Command::Migrate => {
            let store = app::connect(&config).await?;
            println!("database is up to date ({})", store.backend().name());
            Ok(())
        }
        other => {
            let state = app::open_existing(&config).await?;
            operator_command(&state, other).await
        }
    }
}

async fn serve(config: Config, demo: bool) -> anyhow::Result<()> {
    let store = app::connect(&config).await?;
    if demo {
        let loader = app::state_with_store(config.clone(), Clock::System, store.clone(), true)?;
        if crate::demo::load_if_empty(&loader).await? {
            tracing::info!("demo data loaded");
        }
        crate::demo::load_reference_if_empty(&loader).await?;
        crate::demo::load_payees_if_none(&loader).await?;
        crate::demo::load_bulk_payees_if_none(&loader).await?;
    }
    let is_demo = store.meta("demo").await?.as_deref() == Some("1");
    let listen = config.listen;
    let state = app::state_with_store(config, Clock::System, store, is_demo)?;
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {listen}: {e}"))?;
    let scheme = if state.config.tls { "https" } else { "http" };
    println!("madoguchi is serving on {scheme}://{listen}/");
    app::serve(state, listener).await
}

async fn operator_command(state: &AppState, command: Command) -> anyhow::Result<()> {
    use crate::operator;
    match command {
        Command::Company(CompanyCommand::Create { name, kana }) => {
            let company = operator::create_company(state, &name, &kana).await?;
            println!("{}", company.id);
        }
        Command::Company(CompanyCommand::List) => {
            for c in state.store.companies().await? {
                let otp = if c.options.otp { "otp=on" } else { "otp=off" };
                let cert = if c.options.certificate {
                    "certificate=on"
                } else {
                    "certificate=off"
                };
                println!("{}\t{}\t{}\t{otp}\t{cert}", c.id, c.name, c.name_kana);
            }
        }
        Command::Company(CompanyCommand::Options {
            company,
            otp,
            certificate,
        }) => {
            anyhow::ensure!(
                otp.is_some() || certificate.is_some(),
                "say what to set: --otp on|off and/or --certificate on|off"
            );
            if let Some(otp) = otp {
                operator::set_otp(state, company, matches!(otp, Switch::On)).await?;
            }
            if let Some(certificate) = certificate {
                operator::set_certificate(state, company, matches!(certificate, Switch::On))
                    .await?;
            }
        }
        Command::Account(AccountCommand::Add {
            company,
            branch_code,
            branch_name,
            kind,
            number,
            holder,
        }) => {
            let a = operator::add_account(
                state,
                company,
                &branch_code,
                &branch_name,
                &kind,
                &number,
                &holder,
            )
            .await?;
            println!("{}", a.id);
        }
        Command::Account(AccountCommand::List { company }) => {
            for a in state.store.accounts(company).await? {
                println!(
                    "{}\t{} {}\t{}\t{}\t{}",
                    a.id, a.branch_code, a.branch_name, a.kind, a.number, a.holder
                );
            }
        }
        Command::Ceiling(CeilingCommand::Set { company, values }) => {
            let current = state.store.ceilings(company).await?;
            let mut ceilings = current.unwrap_or_default();
            for item in CeilingItem::ALL {
                match values.value(item) {
                    Some(v) => {
                        let yen = Yen::parse(item.label(), v, item.max_digits())
                            .map_err(|e| anyhow::anyhow!("{} [{}]", e.message_ja(), e.code()))?;
                        ceilings.set(item, yen);
                    }
                    None if current.is_none() => {
                        anyhow::bail!(
                            "--{} is required the first time",
                            item.key().replace('_', "-")
                        )
                    }
                    None => {}
                }
            }
            operator::set_ceilings(state, company, ceilings).await?;
            print_ceilings(&ceilings);
        }
        Command::Ceiling(CeilingCommand::Show { company }) => {
            match state.store.ceilings(company).await? {
                Some(c) => print_ceilings(&c),
                None => anyhow::bail!("company {company} has no ceilings yet"),
            }
        }
        Command::Master(MasterCommand::Create {
            company,
            login_id,
            name,
            email,
        }) => {
            let (user, passwords) =
                operator::create_master(state, company, &login_id, &name, &email).await?;
            println!(
                "マスターユーザを登録しました: {} ({})",
                user.login_id, user.name
            );
            println!("初回ログインパスワード: {}", passwords.login);
            println!("初回確認用パスワード: {}", passwords.confirmation);
            println!("初回ログイン時に両方のパスワードの変更が必要です。この表示は一度だけです。");
        }
        Command::User(UserCommand::Unlock { login_id, which }) => {
            let which = match which {
                Which::Login => UnlockWhich::Login,
                Which::Confirmation => UnlockWhich::Confirmation,
                Which::Both => UnlockWhich::Both,
                Which::Otp => UnlockWhich::Otp,
            };
            let user = operator::unlock_user(state, &login_id, which).await?;
            println!("利用停止を解除しました: {}", user.login_id);
        }
        Command::History(HistoryCommand::Checkpoint) => {
            match crate::audit::checkpoint(state).await? {
                Some(c) => println!(
                    "checkpoint signed at {}",
                    madoguchi_domain::jst::format_seconds(c.created_at)
                ),
                None => println!("nothing appended since the last checkpoint"),
            }
        }
        Command::History(HistoryCommand::Generate {
            entries,
            companies,
            shares,
            days,
        }) => {
            let plan = crate::generate::Plan {
                entries,
                companies,
                shares: shares.iter().map(|p| p / 100.0).collect(),
                days,
            };
            let started = std::time::Instant::now();
            let written = crate::generate::generate(state, &plan).await?;
            let secs = started.elapsed().as_secs_f64();
            println!(
                "{written} entries generated in {secs:.1} s ({:.0} entries/s)",
                written as f64 / secs.max(1e-9)
            );
        }
        Command::History(HistoryCommand::Purge) => {
            let days = state.config.history_retention_days;
            if days == 0 {
                println!("history_retention_days is 0: the 操作履歴 is kept for ever");
            } else {
                let removed = crate::audit::purge(state).await?;
                println!("{removed} entries older than {days} days removed");
            }
        }
        Command::History(HistoryCommand::Verify) => {
            let started = std::time::Instant::now();
            let report = crate::audit::verify(state).await?;
            let secs = started.elapsed().as_secs_f64();
            let at = report
                .checkpoint_at
                .map(madoguchi_domain::jst::format_seconds)
                .unwrap_or_else(|| "none yet".to_owned());
            match report.first_bad {
                None => println!(
                    "操作履歴 OK: {} entries on {} chains intact; newest signed checkpoint: {at} ({secs:.1} s, {:.0} entries/s)",
                    report.checked,
                    report.chains,
                    report.checked as f64 / secs.max(1e-9)
                ),
                Some((seq, reason)) => {
                    anyhow::bail!(
                        "操作履歴 is broken at entry {seq}: {reason} ({} entries before it are intact)",
                        report.checked
                    )
                }
            }
        }
        Command::Fees(FeesCommand::LoadStandard { file, effective }) => {
            let text = std::fs::read_to_string(&file)
                .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", file.display()))?;
            let parsed: operator::StandardFile =
                toml::from_str(&text).map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
            let s = operator::load_standard(state, &parsed, &effective).await?;
            println!(
                "基準手数料を登録しました: {} ({}適用)",
                s.name, s.effective_date
            );
        }
        Command::Fees(FeesCommand::ListStandard) => {
            for s in state.store.standard_tables().await? {
                let data = madoguchi_domain::fees::TableData::from(&s.table);
                println!(
                    "{}\t{}\tboundaries={:?} fees={:?}",
                    s.effective_date, s.name, data.boundaries, data.fees
                );
            }
        }
        Command::Banks(c) => c.run(state).await?,
        Command::Payee(c) => c.run(state).await?,
        Command::Calendar(c) => c.run(state).await?,
        Command::Host(c) => c.run(state).await?,
        Command::Serve { .. } | Command::Migrate | Command::Ca(_) => {}
    }
    Ok(())
}

fn print_ceilings(c: &BankCeilings) {
    for item in CeilingItem::ALL {
        println!("{}\t{}", item.label(), c.get(item));
    }
}
