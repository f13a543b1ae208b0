//! The operator's commands of the banking business: the 全銀協 金融機関・支店 master
//! (`banks`), the business calendar (`calendar`), 事前登録口座 (`payee`) and the bank's
//! host (`host export`).

use std::path::PathBuf;

use clap::Subcommand;

use crate::operator;
use crate::state::AppState;

#[derive(Debug, Subcommand)]
pub(crate) enum HostCommand {
    /// Write the transfers accepted for a 振込指定日 as a 全銀協 file (総合振込 layout,
    /// Shift_JIS, 120-byte records with CR+LF).
    Export {
        /// 振込指定日, YYYY-MM-DD.
        #[arg(long)]
        date: String,
        /// The file to write.
        #[arg(long)]
        out: PathBuf,
        /// The business: transfer (振込振替, the default), bulk_transfer (総合振込), salary
        /// (給与振込), bonus (賞与振込) or direct_debit (口座振替).
        #[arg(long, default_value = "transfer")]
        business: String,
    },
    /// The host simulator's 口座振替 result files for an 引落日: one per accepted order
    /// not yet answered, written into a folder as <reference>.txt.
    DebitResults {
        /// 引落日, YYYY-MM-DD.
        #[arg(long)]
        date: String,
        /// The folder to write into.
        #[arg(long)]
        dir: PathBuf,
    },
    /// Write a valid 全銀協 file of a company's business for its earliest 振込指定日 (to try
    /// 依頼(ファイル受付), and for benchmarks).
    SampleFile {
        #[arg(long, default_value_t = 1)]
        company: i64,
        /// bulk_transfer (総合振込), salary, bonus or direct_debit.
        #[arg(long, default_value = "bulk_transfer")]
        business: String,
        #[arg(long, default_value_t = 10)]
        records: usize,
        #[arg(long)]
        out: PathBuf,
    },
    /// Record a 口座振替 result file from the bank's host (振替結果コード per record).
    ImportResults {
        /// The result file (全銀協, Shift_JIS).
        file: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum BanksCommand {
    /// Replace the whole master from FILE (gzip'd or plain TSV: 金融機関コード, 支店コード,
    /// 名称, カナ; see reference-data/README.md); without --file, the one built in.
    Import {
        #[arg(long)]
        file: Option<PathBuf>,
    },
    /// Show a bank, or one of its branches.
    Show {
        #[arg(long)]
        bank: String,
        #[arg(long, default_value = "")]
        branch: String,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum PayeeCommand {
    /// Register a 事前登録口座 of a company; prints its id.
    Add {
        #[arg(long)]
        company: i64,
        /// 金融機関コード (4 digits)
        #[arg(long)]
        bank: String,
        /// 支店コード (3 digits)
        #[arg(long)]
        branch: String,
        /// 科目: 普通 or 当座
        #[arg(long)]
        kind: String,
        /// 口座番号 (7 digits)
        #[arg(long)]
        number: String,
        /// 受取人名 (半角カナ, or 全角 to be converted)
        #[arg(long)]
        name: String,
    },
    /// List a company's payees in use.
    List {
        #[arg(long)]
        company: i64,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum CalendarCommand {
    /// Replace the national holidays from FILE (TSV: YYYY-MM-DD, 名称); without --file,
    /// the ones built in. The bank's own closing days are kept.
    Import {
        #[arg(long)]
        file: Option<PathBuf>,
    },
    /// Close the bank on a day of its own (休業日), e.g. --date 2027-05-06 --name 振替休業日.
    Close {
        #[arg(long)]
        date: String,
        #[arg(long)]
        name: String,
    },
    /// Open again a day the bank closed with `calendar close`.
    Open {
        #[arg(long)]
        date: String,
    },
    /// List the closed days of a year (weekends and 12/31–1/3 are always closed).
    List {
        #[arg(long)]
        year: i32,
    },
}

impl HostCommand {
    pub(crate) async fn run(self, state: &AppState) -> anyhow::Result<()> {
        match self {
            HostCommand::Export {
                date,
                out,
                business,
            } => {
                let format = time::macros::format_description!("[year]-[month]-[day]");
                let day = time::Date::parse(&date, &format)
                    .map_err(|_| anyhow::anyhow!("--date must be YYYY-MM-DD"))?;
                let business = madoguchi_domain::Business::from_key(&business)
                    .ok_or_else(|| anyhow::anyhow!("--business must be transfer, bulk_transfer, salary, bonus or direct_debit"))?;
                let done = if business == madoguchi_domain::Business::Transfer {
                    crate::host_export::export(state, day).await?
                } else {
                    crate::host_export::export_business(state, business, day).await?
                };
                std::fs::write(&out, &done.bytes)
                    .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", out.display()))?;
                println!(
                    "wrote {}: {} records, {}円, {} groups",
                    out.display(),
                    done.count,
                    madoguchi_domain::Yen::from_stored(done.total)
                        .unwrap_or(madoguchi_domain::Yen::ZERO)
                        .grouped(),
                    done.groups
                );
            }
            HostCommand::DebitResults { date, dir } => {
                let format = time::macros::format_description!("[year]-[month]-[day]");
                let day = time::Date::parse(&date, &format)
                    .map_err(|_| anyhow::anyhow!("--date must be YYYY-MM-DD"))?;
                std::fs::create_dir_all(&dir)
                    .map_err(|e| anyhow::anyhow!("cannot make {}: {e}", dir.display()))?;
                let files = crate::host_results::simulate(state, day).await?;
                for (reference, bytes) in &files {
                    let path = dir.join(format!("{reference}.txt"));
                    std::fs::write(&path, bytes)
                        .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
                    println!("wrote {}", path.display());
                }
                println!("{} result files", files.len());
            }
            HostCommand::SampleFile {
                company,
                business,
                records,
                out,
            } => {
                let business = madoguchi_domain::Business::from_key(&business)
                    .filter(|b| *b != madoguchi_domain::Business::Transfer)
                    .ok_or_else(|| {
                        anyhow::anyhow!(
                            "--business must be bulk_transfer, salary, bonus or direct_debit"
                        )
                    })?;
                let bytes = crate::sample_file::sample(state, company, business, records).await?;
                std::fs::write(&out, &bytes)
                    .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", out.display()))?;
                println!(
                    "wrote {}: {records} records of {}",
                    out.display(),
                    business.label()
                );
            }
            HostCommand::ImportResults { file } => {
                let bytes = std::fs::read(&file)
                    .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", file.display()))?;
                let done = crate::host_results::import(state, &bytes).await?;
                let r = done.results;
                println!(
                    "order {}: 振替済 {}件 {}円, 振替不能 {}件 {}円",
                    done.order_id,
                    r.settled_count,
                    madoguchi_domain::Yen::from_stored(r.settled_amount)
                        .unwrap_or(madoguchi_domain::Yen::ZERO)
                        .grouped(),
                    r.unsettled_count,
                    madoguchi_domain::Yen::from_stored(r.unsettled_amount)
                        .unwrap_or(madoguchi_domain::Yen::ZERO)
                        .grouped()
                );
            }
        }
        Ok(())
    }
}

impl BanksCommand {
    pub(crate) async fn run(self, state: &AppState) -> anyhow::Result<()> {
        match self {
            BanksCommand::Import { file } => {
                let bytes = match file {
                    Some(path) => std::fs::read(&path)
                        .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?,
                    None => crate::reference::SHIPPED_BANKS.to_vec(),
                };
                let (banks, branches) = crate::reference::import_banks(state, &bytes).await?;
                println!("{banks} banks, {branches} branches");
            }
            BanksCommand::Show { bank, branch } => {
                let entry = state
                    .store
                    .bank_entry(&bank, &branch)
                    .await?
                    .ok_or_else(|| anyhow::anyhow!("no such bank or branch: {bank} {branch}"))?;
                println!(
                    "{}\t{}\t{}\t{}",
                    entry.bank_code, entry.branch_code, entry.name, entry.kana
                );
            }
        }
        Ok(())
    }
}

impl PayeeCommand {
    pub(crate) async fn run(self, state: &AppState) -> anyhow::Result<()> {
        match self {
            PayeeCommand::Add {
                company,
                bank,
                branch,
                kind,
                number,
                name,
            } => {
                let input = madoguchi_domain::payee::PayeeInput {
                    bank_code: bank,
                    branch_code: branch,
                    kind,
                    number,
                    name,
                };
                println!(
                    "{}",
                    operator::add_registered_payee(state, company, &input).await?
                );
            }
            PayeeCommand::List { company } => {
                for p in state.store.payees_of(company).await? {
                    println!(
                        "{}\t{}\t{} {}\t{} {}\t{}\t{}\t{}",
                        p.id,
                        p.kind.code(),
                        p.bank_code,
                        p.bank_name,
                        p.branch_code,
                        p.branch_name,
                        p.account_kind,
                        p.number,
                        p.name
                    );
                }
            }
        }
        Ok(())
    }
}

impl CalendarCommand {
    pub(crate) async fn run(self, state: &AppState) -> anyhow::Result<()> {
        match self {
            CalendarCommand::Import { file } => {
                let text = match file {
                    Some(path) => std::fs::read_to_string(&path)
                        .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?,
                    None => crate::reference::SHIPPED_HOLIDAYS.to_owned(),
                };
                let days = crate::reference::import_holidays(state, &text).await?;
                println!("{days} national holidays");
            }
            CalendarCommand::Close { date, name } => {
                crate::reference::close_day(state, &date, &name).await?;
            }
            CalendarCommand::Open { date } => {
                crate::reference::open_day(state, &date).await?;
            }
            CalendarCommand::List { year } => {
                let prefix = format!("{year:04}-");
                for d in state.store.closed_days().await? {
                    if d.day.starts_with(&prefix) {
                        let kind = if d.bank { "休業日" } else { "祝日" };
                        println!("{}\t{kind}\t{}", d.day, d.name);
                    }
                }
            }
        }
        Ok(())
    }
}
