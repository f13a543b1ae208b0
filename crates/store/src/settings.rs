//! 企業情報の変更: approval modes and daily limits, with optimistic concurrency (a
//! version per company) and idempotent execution.

use std::collections::BTreeMap;

use async_trait::async_trait;
use madoguchi_domain::{
    AccountDailyLimits, ApprovalMode, ApprovalModes, BankCeilings, CompanyLimit, CompanySettings,
    TransferCategory, Yen,
};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::StoreResult;
use crate::connect::SqlStore;
use crate::error::StoreError;

/// The settings with the version they were read at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredSettings {
    pub settings: CompanySettings,
    /// 0 while the company has never saved settings.
    pub version: i64,
}

/// Approval modes and limits.
#[async_trait]
pub trait SettingsStore {
    /// The company's settings (defaults and zero limits until first saved), with every
    /// account of the company present.
    async fn company_settings(&self, company_id: i64) -> StoreResult<StoredSettings>;
}

fn yen(row: &AnyRow, column: &str) -> StoreResult<Yen> {
    let v: i64 = row.try_get(column)?;
    Yen::from_stored(v).ok_or_else(|| StoreError::Corrupt(format!("{column} = {v}")))
}

fn mode(row: &AnyRow, column: &str) -> StoreResult<ApprovalMode> {
    let v: String = row.try_get(column)?;
    ApprovalMode::from_code(&v).ok_or_else(|| StoreError::Corrupt(format!("{column} = {v}")))
}

pub(crate) async fn read_settings(
    conn: &mut AnyConnection,
    company_id: i64,
) -> StoreResult<StoredSettings> {
    let mut settings = CompanySettings::default();
    let mut version = 0;
    let company = sqlx::query("select name, name_kana from companies where id = $1")
        .bind(company_id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    settings.name = company.try_get("name")?;
    settings.name_kana = company.try_get("name_kana")?;
    if let Some(row) = sqlx::query("select * from company_settings where company_id = $1")
        .bind(company_id)
        .fetch_optional(&mut *conn)
        .await?
    {
        settings.approval = ApprovalModes {
            transfer: mode(&row, "approval_transfer")?,
            bulk_transfer: mode(&row, "approval_bulk_transfer")?,
            salary_bonus: mode(&row, "approval_salary_bonus")?,
            direct_debit: mode(&row, "approval_direct_debit")?,
        };
        settings.company.bulk_transfer = yen(&row, "limit_bulk_transfer")?;
        settings.company.salary = yen(&row, "limit_salary")?;
        settings.company.bonus = yen(&row, "limit_bonus")?;
        settings.company.direct_debit = yen(&row, "limit_direct_debit")?;
        version = row.try_get("version")?;
    }
    let rows = sqlx::query(
        "select a.id as account_id,
                coalesce(l.transfer_total, 0) as transfer_total,
                coalesce(l.transfer_ad_hoc, 0) as transfer_ad_hoc,
                coalesce(l.transfer_registered, 0) as transfer_registered
         from accounts a left join account_limits l on l.account_id = a.id
         where a.company_id = $1",
    )
    .bind(company_id)
    .fetch_all(&mut *conn)
    .await?;
    let mut accounts = BTreeMap::new();
    for row in &rows {
        let limits = AccountDailyLimits {
            transfer_total: yen(row, "transfer_total")?,
            transfer_ad_hoc: yen(row, "transfer_ad_hoc")?,
            transfer_registered: yen(row, "transfer_registered")?,
        };
        accounts.insert(row.try_get::<i64, _>("account_id")?, limits);
    }
    settings.accounts = accounts;
    Ok(StoredSettings { settings, version })
}

/// Writes the settings row at `new_version` (insert when `expected_version` is 0).
/// The `update … where version = …` also takes the row's lock, which serialises every
/// writer of this company's settings on PostgreSQL.
async fn write_settings_row(
    conn: &mut AnyConnection,
    company_id: i64,
    expected_version: i64,
    s: &CompanySettings,
    now: i64,
) -> StoreResult<i64> {
    let sql = if expected_version == 0 {
        "insert into company_settings (company_id, approval_transfer, approval_bulk_transfer,
             approval_salary_bonus, approval_direct_debit, limit_bulk_transfer, limit_salary,
             limit_bonus, limit_direct_debit, version, updated_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, 1, $10)
         on conflict (company_id) do nothing returning version"
    } else {
        "update company_settings set approval_transfer = $2, approval_bulk_transfer = $3,
             approval_salary_bonus = $4, approval_direct_debit = $5, limit_bulk_transfer = $6,
             limit_salary = $7, limit_bonus = $8, limit_direct_debit = $9,
             version = version + 1, updated_at = $10
         where company_id = $1 and version = $11 returning version"
    };
    let row = sqlx::query(sql)
        .bind(company_id)
        .bind(s.approval.transfer.code())
        .bind(s.approval.bulk_transfer.code())
        .bind(s.approval.salary_bonus.code())
        .bind(s.approval.direct_debit.code())
        .bind(s.company.bulk_transfer.get())
        .bind(s.company.salary.get())
        .bind(s.company.bonus.get())
        .bind(s.company.direct_debit.get())
        .bind(now)
        .bind(expected_version)
        .fetch_optional(&mut *conn)
        .await?;
    match row {
        Some(row) => Ok(row.try_get("version")?),
        None => Err(StoreError::Stale),
    }
}

/// 企業情報の変更's write, in the confirmed-change transaction: the settings row at
/// `expected_version` (else `Stale`), every account's limits, and the 企業名 and
/// 企業名(カナ); the new version.
pub(crate) async fn write_settings(
    conn: &mut AnyConnection,
    company_id: i64,
    expected_version: i64,
    settings: &CompanySettings,
    now: i64,
) -> StoreResult<i64> {
    let version = write_settings_row(conn, company_id, expected_version, settings, now).await?;
    write_account_limits(conn, company_id, settings, now).await?;
    sqlx::query("update companies set name = $2, name_kana = $3, updated_at = $4 where id = $1")
        .bind(company_id)
        .bind(&settings.name)
        .bind(&settings.name_kana)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    Ok(version)
}

async fn write_account_limits(
    conn: &mut AnyConnection,
    company_id: i64,
    s: &CompanySettings,
    now: i64,
) -> StoreResult<()> {
    for (account_id, l) in &s.accounts {
        sqlx::query(
            "insert into account_limits (account_id, company_id, transfer_total, transfer_ad_hoc,
                 transfer_registered, updated_at)
             select $1, $2, $3, $4, $5, $6 where exists
                 (select 1 from accounts where id = $1 and company_id = $2)
             on conflict (account_id) do update set transfer_total = excluded.transfer_total,
                 transfer_ad_hoc = excluded.transfer_ad_hoc,
                 transfer_registered = excluded.transfer_registered,
                 updated_at = excluded.updated_at",
        )
        .bind(*account_id)
        .bind(company_id)
        .bind(l.transfer_total.get())
        .bind(l.transfer_ad_hoc.get())
        .bind(l.transfer_registered.get())
        .bind(now)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Lowers every limit of the company that is above `ceilings` (sub-limits also to the new
/// 合計), in the caller's transaction; returns what changed as (item, before, after).
pub(crate) async fn clamp_to_ceilings(
    conn: &mut AnyConnection,
    company_id: i64,
    ceilings: &BankCeilings,
    now: i64,
) -> StoreResult<Vec<(String, Yen, Yen)>> {
    let stored = read_settings(conn, company_id).await?;
    let mut clamped = stored.settings.clone();
    let mut changes = Vec::new();
    for item in CompanyLimit::ALL {
        let before = clamped.company.get(item);
        let after = before.min(ceilings.company.get(item));
        if after != before {
            clamped.company.set(item, after);
            changes.push((item.label().to_owned(), before, after));
        }
    }
    let labels = account_labels(conn, company_id).await?;
    for (id, limits) in clamped.accounts.iter_mut() {
        let total = limits.transfer_total.min(ceilings.account.transfer_total);
        for item in TransferCategory::ALL {
            let before = limits.get(item);
            // 都度指定 and 事前登録 stay within the (possibly lowered) 合計 too.
            let cap = match item {
                TransferCategory::Total => total,
                TransferCategory::AdHoc | TransferCategory::Registered => {
                    ceilings.account.get(item).min(total)
                }
            };
            let after = before.min(cap);
            if after != before {
                limits.set(item, after);
                let account = labels.get(id).cloned().unwrap_or_default();
                changes.push((format!("{account} {}", item.label()), before, after));
            }
        }
    }
    // The version moves even when nothing was lowered: an administrator's edit begun under
    // the old ceilings must be checked again, so it is refused as stale at 実行.
    if stored.version > 0 {
        write_settings_row(conn, company_id, stored.version, &clamped, now).await?;
    }
    if !changes.is_empty() {
        write_account_limits(conn, company_id, &clamped, now).await?;
    }
    Ok(changes)
}

async fn account_labels(
    conn: &mut AnyConnection,
    company_id: i64,
) -> StoreResult<BTreeMap<i64, String>> {
    let rows = sqlx::query(
        "select id, branch_name, branch_code, kind, number from accounts where company_id = $1",
    )
    .bind(company_id)
    .fetch_all(&mut *conn)
    .await?;
    let mut out = BTreeMap::new();
    for r in &rows {
        let kind = madoguchi_domain::AccountKind::from_code(r.try_get("kind")?)
            .map(|k| k.label())
            .unwrap_or("");
        let label = format!(
            "{}({}) {} {}",
            r.try_get::<String, _>("branch_name")?,
            r.try_get::<String, _>("branch_code")?,
            kind,
            r.try_get::<String, _>("number")?
        );
        out.insert(r.try_get::<i64, _>("id")?, label);
    }
    Ok(out)
}

#[async_trait]
impl SettingsStore for SqlStore {
    async fn company_settings(&self, company_id: i64) -> StoreResult<StoredSettings> {
        let mut conn = self.pool.acquire().await?;
        read_settings(&mut conn, company_id).await
    }
}
