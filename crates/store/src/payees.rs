//! 振込先: a company's 事前登録口座 (the operator's) and 利用者登録口座 (its users'), with
//! the bank's and branch's names from the master.

use async_trait::async_trait;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::StoreResult;
use crate::connect::SqlStore;
use crate::error::StoreError;

/// Who registered a payee, and so which limit category its transfers use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PayeeKind {
    /// 事前登録口座: registered with the bank (the 「事前登録」 limits).
    Registered,
    /// 利用者登録口座: registered by a user of the company (the 「都度指定」 limits).
    UserRegistered,
}

impl PayeeKind {
    pub fn code(self) -> &'static str {
        match self {
            PayeeKind::Registered => "registered",
            PayeeKind::UserRegistered => "user",
        }
    }

    fn from_code(code: &str) -> Option<Self> {
        match code {
            "registered" => Some(PayeeKind::Registered),
            "user" => Some(PayeeKind::UserRegistered),
            _ => None,
        }
    }
}

/// A payee to register.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPayee {
    pub company_id: i64,
    pub kind: PayeeKind,
    pub bank_code: String,
    pub branch_code: String,
    /// 科目 (全銀 code: 1 普通, 2 当座).
    pub account_kind: i64,
    pub number: String,
    /// 受取人名 (半角カナ).
    pub name: String,
    /// The user who registered it; `None` for the bank's operator.
    pub created_by: Option<i64>,
}

/// A registered payee.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayeeRecord {
    pub id: i64,
    pub kind: PayeeKind,
    pub bank_code: String,
    pub bank_name: String,
    pub branch_code: String,
    pub branch_name: String,
    pub account_kind: i64,
    pub number: String,
    pub name: String,
    pub created_at: i64,
}

fn payee_from_row(row: &AnyRow) -> StoreResult<PayeeRecord> {
    let kind: String = row.try_get("kind")?;
    Ok(PayeeRecord {
        id: row.try_get("id")?,
        kind: PayeeKind::from_code(&kind)
            .ok_or_else(|| StoreError::Corrupt(format!("payee kind {kind}")))?,
        bank_code: row.try_get("bank_code")?,
        bank_name: row.try_get("bank_name")?,
        branch_code: row.try_get("branch_code")?,
        branch_name: row.try_get("branch_name")?,
        account_kind: row.try_get("account_kind")?,
        number: row.try_get("number")?,
        name: row.try_get("name")?,
        created_at: row.try_get("created_at")?,
    })
}

/// Registers `new` in the caller's transaction: `Conflict { constraint: "payee" }` when
/// the company has that account as a payee of the kind already, `NotFound` when the bank
/// or branch is not in the master.
pub(crate) async fn register(
    conn: &mut AnyConnection,
    new: &NewPayee,
    now: i64,
) -> StoreResult<i64> {
    let known = sqlx::query("select code from branches where bank_code = $1 and code = $2")
        .bind(&new.bank_code)
        .bind(&new.branch_code)
        .fetch_optional(&mut *conn)
        .await?
        .is_some();
    if !known {
        return Err(StoreError::NotFound);
    }
    let inserted = sqlx::query(
        "insert into payees (company_id, kind, bank_code, branch_code, account_kind, number,
             name, created_by, created_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9) returning id",
    )
    .bind(new.company_id)
    .bind(new.kind.code())
    .bind(&new.bank_code)
    .bind(&new.branch_code)
    .bind(new.account_kind)
    .bind(&new.number)
    .bind(&new.name)
    .bind(new.created_by)
    .bind(now)
    .fetch_one(&mut *conn)
    .await;
    match inserted {
        Ok(row) => Ok(row.try_get("id")?),
        Err(e) if StoreError::is_unique_violation(&e) => Err(StoreError::Conflict {
            constraint: "payee",
        }),
        Err(e) => Err(e.into()),
    }
}

/// Deletes a 利用者登録口座 of the company in the caller's transaction (`NotFound` for
/// anything else: another company's, a 事前登録口座, one deleted already).
pub(crate) async fn delete(
    conn: &mut AnyConnection,
    company_id: i64,
    payee_id: i64,
    now: i64,
) -> StoreResult<()> {
    let done = sqlx::query(
        "update payees set deleted_at = $3
         where id = $1 and company_id = $2 and kind = 'user' and deleted_at is null",
    )
    .bind(payee_id)
    .bind(company_id)
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
pub trait PayeeStore {
    /// The company's payees in use, 事前登録口座 first, each by bank, branch and account.
    async fn payees_of(&self, company_id: i64) -> StoreResult<Vec<PayeeRecord>>;
}

#[async_trait]
impl PayeeStore for SqlStore {
    async fn payees_of(&self, company_id: i64) -> StoreResult<Vec<PayeeRecord>> {
        let rows = sqlx::query(
            "select p.id, p.kind, p.bank_code, coalesce(b.name, '') as bank_name,
                 p.branch_code, coalesce(r.name, '') as branch_name, p.account_kind, p.number,
                 p.name, p.created_at
             from payees p
             left join banks b on b.code = p.bank_code
             left join branches r on r.bank_code = p.bank_code and r.code = p.branch_code
             where p.company_id = $1 and p.deleted_at is null
             order by p.kind, p.bank_code, p.branch_code, p.account_kind, p.number",
        )
        .bind(company_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(payee_from_row).collect()
    }
}
