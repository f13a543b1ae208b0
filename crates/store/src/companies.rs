//! 企業, 口座 and 届出限度額: what the bank operator registers.

use async_trait::async_trait;
use madoguchi_domain::{AccountKind, BankCeilings, CeilingItem, CompanyOptions, Yen};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::StoreResult;
use crate::connect::SqlStore;
use crate::error::StoreError;
use crate::history::{HistoryDraft, append_in};
use crate::model::{Account, Company, NewAccount, NewCompany};
use crate::settings::clamp_to_ceilings;

/// Companies, their accounts and the bank's ceilings.
#[async_trait]
pub trait CompanyStore {
    /// Registers a company; the history entry gets the new company's id.
    async fn create_company(&self, new: NewCompany, history: HistoryDraft) -> StoreResult<Company>;
    async fn company(&self, id: i64) -> StoreResult<Option<Company>>;
    async fn companies(&self) -> StoreResult<Vec<Company>>;
    /// Adds an account; an account number the bank already has is a `Conflict`.
    async fn add_account(&self, new: NewAccount, history: HistoryDraft) -> StoreResult<Account>;
    /// The company's accounts, in 支店番号・科目・口座番号 order.
    async fn accounts(&self, company_id: i64) -> StoreResult<Vec<Account>>;
    /// Sets (or replaces) the company's 届出限度額.
    async fn set_ceilings(
        &self,
        company_id: i64,
        ceilings: BankCeilings,
        history: HistoryDraft,
    ) -> StoreResult<()>;
    /// The company's 届出限度額; `None` until the operator has set them.
    async fn ceilings(&self, company_id: i64) -> StoreResult<Option<BankCeilings>>;
    /// True when no company exists yet (a fresh deployment).
    async fn is_empty(&self) -> StoreResult<bool>;
    /// A deployment-wide setting (e.g. that this is a demo database).
    async fn meta(&self, key: &str) -> StoreResult<Option<String>>;
    async fn set_meta(&self, key: &str, value: &str) -> StoreResult<()>;
}

fn company_from_row(row: &AnyRow) -> Result<Company, sqlx::Error> {
    Ok(Company {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        name_kana: row.try_get("name_kana")?,
        options: CompanyOptions {
            otp: row.try_get::<i64, _>("opt_otp")? != 0,
            certificate: row.try_get::<i64, _>("opt_certificate")? != 0,
        },
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

fn account_from_row(row: &AnyRow) -> StoreResult<Account> {
    let kind: i64 = row.try_get("kind")?;
    Ok(Account {
        id: row.try_get("id")?,
        company_id: row.try_get("company_id")?,
        branch_code: row.try_get("branch_code")?,
        branch_name: row.try_get("branch_name")?,
        kind: AccountKind::from_code(kind)
            .ok_or_else(|| StoreError::Corrupt(format!("account kind {kind}")))?,
        number: row.try_get("number")?,
        holder: row.try_get("holder")?,
    })
}

#[async_trait]
impl CompanyStore for SqlStore {
    async fn create_company(
        &self,
        new: NewCompany,
        mut history: HistoryDraft,
    ) -> StoreResult<Company> {
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(
            "insert into companies (name, name_kana, created_at, updated_at)
             values ($1, $2, $3, $3) returning *",
        )
        .bind(&new.name)
        .bind(&new.name_kana)
        .bind(history.occurred_at)
        .fetch_one(&mut *tx)
        .await?;
        let company = company_from_row(&row)?;
        history.company_id = Some(company.id);
        append_in(&mut tx, &self.history, &history).await?;
        tx.commit().await?;
        Ok(company)
    }

    async fn company(&self, id: i64) -> StoreResult<Option<Company>> {
        let row = sqlx::query("select * from companies where id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.as_ref().map(company_from_row).transpose()?)
    }

    async fn companies(&self) -> StoreResult<Vec<Company>> {
        let rows = sqlx::query("select * from companies order by id")
            .fetch_all(&self.pool)
            .await?;
        Ok(rows
            .iter()
            .map(company_from_row)
            .collect::<Result<_, _>>()?)
    }

    async fn add_account(&self, new: NewAccount, history: HistoryDraft) -> StoreResult<Account> {
        let mut tx = self.begin_write().await?;
        let inserted = sqlx::query(
            "insert into accounts (company_id, branch_code, branch_name, kind, number, holder, created_at)
             values ($1, $2, $3, $4, $5, $6, $7) returning *",
        )
        .bind(new.company_id)
        .bind(&new.branch_code)
        .bind(&new.branch_name)
        .bind(new.kind.code())
        .bind(&new.number)
        .bind(&new.holder)
        .bind(history.occurred_at)
        .fetch_one(&mut *tx)
        .await;
        let row = match inserted {
            Ok(row) => row,
            Err(e) if StoreError::is_unique_violation(&e) => {
                return Err(StoreError::Conflict {
                    constraint: "account_number",
                });
            }
            Err(e) => return Err(e.into()),
        };
        let account = account_from_row(&row)?;
        append_in(&mut tx, &self.history, &history).await?;
        tx.commit().await?;
        Ok(account)
    }

    async fn accounts(&self, company_id: i64) -> StoreResult<Vec<Account>> {
        let rows = sqlx::query(
            "select * from accounts where company_id = $1 order by branch_code, kind, number",
        )
        .bind(company_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(account_from_row).collect()
    }

    async fn set_ceilings(
        &self,
        company_id: i64,
        c: BankCeilings,
        history: HistoryDraft,
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "insert into bank_ceilings (company_id, transfer_total, transfer_ad_hoc,
                 transfer_registered, bulk_transfer, salary, bonus, direct_debit, updated_at)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9)
             on conflict (company_id) do update set
                 transfer_total = excluded.transfer_total,
                 transfer_ad_hoc = excluded.transfer_ad_hoc,
                 transfer_registered = excluded.transfer_registered,
                 bulk_transfer = excluded.bulk_transfer,
                 salary = excluded.salary,
                 bonus = excluded.bonus,
                 direct_debit = excluded.direct_debit,
                 updated_at = excluded.updated_at",
        )
        .bind(company_id)
        .bind(c.account.transfer_total.get())
        .bind(c.account.transfer_ad_hoc.get())
        .bind(c.account.transfer_registered.get())
        .bind(c.company.bulk_transfer.get())
        .bind(c.company.salary.get())
        .bind(c.company.bonus.get())
        .bind(c.company.direct_debit.get())
        .bind(history.occurred_at)
        .execute(&mut *tx)
        .await?;
        // A ceiling lowered below a current limit lowers that limit too, in this transaction,
        // and the history entry says which.
        let lowered = clamp_to_ceilings(&mut tx, company_id, &c, history.occurred_at).await?;
        let mut history = history;
        if let (false, Some(details)) = (lowered.is_empty(), history.details.as_object_mut()) {
            let lowered = serde_json::Value::Array(
                lowered
                    .into_iter()
                    .map(|(item, before, after)| {
                        serde_json::json!({"item": item, "before": before.to_string(), "after": after.to_string()})
                    })
                    .collect(),
            );
            details.insert("lowered_limits".to_owned(), lowered);
        }
        append_in(&mut tx, &self.history, &history).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn ceilings(&self, company_id: i64) -> StoreResult<Option<BankCeilings>> {
        let Some(row) = sqlx::query("select * from bank_ceilings where company_id = $1")
            .bind(company_id)
            .fetch_optional(&self.pool)
            .await?
        else {
            return Ok(None);
        };
        let mut ceilings = BankCeilings::default();
        for item in CeilingItem::ALL {
            let value: i64 = row.try_get(item.key())?;
            let yen = Yen::from_stored(value)
                .ok_or_else(|| StoreError::Corrupt(format!("negative ceiling {value}")))?;
            ceilings.set(item, yen);
        }
        Ok(Some(ceilings))
    }

    async fn is_empty(&self) -> StoreResult<bool> {
        let n: i64 = sqlx::query("select count(*) as n from companies")
            .fetch_one(&self.pool)
            .await?
            .try_get("n")?;
        Ok(n == 0)
    }

    async fn meta(&self, key: &str) -> StoreResult<Option<String>> {
        let row = sqlx::query("select value from deployment_meta where key = $1")
            .bind(key)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|r| r.try_get("value")).transpose()?)
    }

    async fn set_meta(&self, key: &str, value: &str) -> StoreResult<()> {
        sqlx::query(
            "insert into deployment_meta (key, value) values ($1, $2)
             on conflict (key) do update set value = excluded.value",
        )
        .bind(key)
        .bind(value)
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}
