//! 振込先 / 請求先 of the file businesses (`bulk_payees`): one list per company for 総合振込,
//! one for 給与・賞与振込 and one for 口座振替, with the bank's and branch's names from the
//! 全銀協 master. Registered one by one or many at once (a CSV file: all or none) through
//! the confirmed-change transaction; deleted entries are kept, out of the list.

use async_trait::async_trait;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::StoreResult;
use crate::connect::SqlStore;
use crate::error::StoreError;

/// A payee to register in a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewBulkPayee {
    pub bank_code: String,
    pub branch_code: String,
    /// 預金種目 (全銀 code: 1 普通, 2 当座).
    pub account_kind: i64,
    pub number: String,
    /// 受取人名 / 預金者名 (半角カナ).
    pub name: String,
    pub reference: String,
    pub reference2: String,
    /// `""` for none.
    pub group: String,
}

/// Payees registered together (one, or a CSV file's).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BulkPayeeRegistration {
    pub company_id: i64,
    /// The list's code (`bulk_transfer`, `salary`, `direct_debit`).
    pub list: &'static str,
    pub created_by: i64,
    pub payees: Vec<NewBulkPayee>,
}

/// A payee of a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BulkPayeeRecord {
    pub id: i64,
    pub bank_code: String,
    pub bank_name: String,
    pub branch_code: String,
    pub branch_name: String,
    /// The master's カナ of the bank and branch (`""` when the master lacks them).
    pub bank_kana: String,
    pub branch_kana: String,
    pub account_kind: i64,
    pub number: String,
    pub name: String,
    pub reference: String,
    pub reference2: String,
    pub group: String,
    pub created_at: i64,
}

fn from_row(row: &AnyRow) -> StoreResult<BulkPayeeRecord> {
    Ok(BulkPayeeRecord {
        id: row.try_get("id")?,
        bank_code: row.try_get("bank_code")?,
        bank_name: row.try_get("bank_name")?,
        branch_code: row.try_get("branch_code")?,
        branch_name: row.try_get("branch_name")?,
        bank_kana: row.try_get("bank_kana")?,
        branch_kana: row.try_get("branch_kana")?,
        account_kind: row.try_get("account_kind")?,
        number: row.try_get("number")?,
        name: row.try_get("name")?,
        reference: row.try_get("reference")?,
        reference2: row.try_get("reference2")?,
        group: row.try_get("group_name")?,
        created_at: row.try_get("created_at")?,
    })
}

/// Registers every payee of `r` in the caller's transaction; `Conflict { constraint:
/// "payee" }` when the list has one of the accounts already (and then none is kept: the
/// caller's savepoint is rolled back). The last id.
pub(crate) async fn register(
    conn: &mut AnyConnection,
    r: &BulkPayeeRegistration,
    now: i64,
) -> StoreResult<i64> {
    let mut last = 0;
    for p in &r.payees {
        let inserted = sqlx::query(
            "insert into bulk_payees (company_id, list, bank_code, branch_code, account_kind,
                 number, name, reference, reference2, group_name, created_by, created_at)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) returning id",
        )
        .bind(r.company_id)
        .bind(r.list)
        .bind(&p.bank_code)
        .bind(&p.branch_code)
        .bind(p.account_kind)
        .bind(&p.number)
        .bind(&p.name)
        .bind(&p.reference)
        .bind(&p.reference2)
        .bind(&p.group)
        .bind(r.created_by)
        .bind(now)
        .fetch_one(&mut *conn)
        .await;
        last = match inserted {
            Ok(row) => row.try_get("id")?,
            Err(e) if StoreError::is_unique_violation(&e) => {
                return Err(StoreError::Conflict {
                    constraint: "payee",
                });
            }
            Err(e) => return Err(e.into()),
        };
    }
    Ok(last)
}

/// Changes payee `id` of the company's `list` to `p` in the caller's transaction
/// (`NotFound` for another company's, another list's, or a deleted one; `Conflict {
/// constraint: "payee" }` when another payee of the list has the account).
pub(crate) async fn update(
    conn: &mut AnyConnection,
    company_id: i64,
    list: &str,
    id: i64,
    p: &NewBulkPayee,
) -> StoreResult<()> {
    let done = sqlx::query(
        "update bulk_payees set bank_code = $4, branch_code = $5, account_kind = $6,
             number = $7, name = $8, reference = $9, reference2 = $10, group_name = $11
         where id = $1 and company_id = $2 and list = $3 and deleted_at is null",
    )
    .bind(id)
    .bind(company_id)
    .bind(list)
    .bind(&p.bank_code)
    .bind(&p.branch_code)
    .bind(p.account_kind)
    .bind(&p.number)
    .bind(&p.name)
    .bind(&p.reference)
    .bind(&p.reference2)
    .bind(&p.group)
    .execute(&mut *conn)
    .await;
    match done {
        Ok(d) if d.rows_affected() == 1 => Ok(()),
        Ok(_) => Err(StoreError::NotFound),
        Err(e) if StoreError::is_unique_violation(&e) => Err(StoreError::Conflict {
            constraint: "payee",
        }),
        Err(e) => Err(e.into()),
    }
}

/// Deletes payee `id` of the company's `list` in the caller's transaction (`NotFound` for
/// another company's, another list's, or one deleted already).
pub(crate) async fn delete(
    conn: &mut AnyConnection,
    company_id: i64,
    list: &str,
    id: i64,
    now: i64,
) -> StoreResult<()> {
    let done = sqlx::query(
        "update bulk_payees set deleted_at = $4
         where id = $1 and company_id = $2 and list = $3 and deleted_at is null",
    )
    .bind(id)
    .bind(company_id)
    .bind(list)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() == 1 {
        Ok(())
    } else {
        Err(StoreError::NotFound)
    }
}

#[async_trait]
pub trait BulkPayeeStore {
    /// The company's payees of `list` in use, by グループ名 then as registered.
    async fn bulk_payees_of(
        &self,
        company_id: i64,
        list: &str,
    ) -> StoreResult<Vec<BulkPayeeRecord>>;
}

#[async_trait]
impl BulkPayeeStore for SqlStore {
    async fn bulk_payees_of(
        &self,
        company_id: i64,
        list: &str,
    ) -> StoreResult<Vec<BulkPayeeRecord>> {
        let rows = sqlx::query(
            "select p.id, p.bank_code, coalesce(b.name, '') as bank_name, p.branch_code,
                 coalesce(r.name, '') as branch_name, coalesce(b.kana, '') as bank_kana,
                 coalesce(r.kana, '') as branch_kana, p.account_kind, p.number, p.name,
                 p.reference, p.reference2, p.group_name, p.created_at
             from bulk_payees p
             left join banks b on b.code = p.bank_code
             left join branches r on r.bank_code = p.bank_code and r.code = p.branch_code
             where p.company_id = $1 and p.list = $2 and p.deleted_at is null
             order by p.group_name, p.id",
        )
        .bind(company_id)
        .bind(list)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(from_row).collect()
    }
}
