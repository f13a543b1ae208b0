//! 手数料情報: the bank's effective-dated standard tables and the companies' settings.

use async_trait::async_trait;
use madoguchi_domain::Yen;
use madoguchi_domain::fees::{FeeKind, FeeMethod, FeeSetting, FeeTable, TableData};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::StoreResult;
use crate::connect::SqlStore;
use crate::error::StoreError;
use crate::history::{HistoryDraft, append_in};

/// One version of the bank's 基準手数料.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StandardTable {
    pub id: i64,
    pub name: String,
    /// `YYYY-MM-DD`: in force for 振込指定日 on or after this day.
    pub effective_date: String,
    pub table: FeeTable,
}

/// A company's fee setting with the version it was read at (0: never saved).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredFee {
    pub setting: FeeSetting,
    pub version: i64,
}

/// Standard tables and company fee settings.
#[async_trait]
pub trait FeeStore {
    /// Registers a standard table version; a second one for the same date is a `Conflict`.
    async fn add_standard_table(
        &self,
        name: &str,
        effective_date: &str,
        table: &FeeTable,
        history: HistoryDraft,
    ) -> StoreResult<StandardTable>;
    /// Every version, oldest first.
    async fn standard_tables(&self) -> StoreResult<Vec<StandardTable>>;
    /// The version in force on `date` (`YYYY-MM-DD`).
    async fn standard_table_on(&self, date: &str) -> StoreResult<Option<StandardTable>>;
    async fn fee_setting(&self, company_id: i64, kind: FeeKind) -> StoreResult<StoredFee>;
}

fn table_from_json(json: &str) -> StoreResult<FeeTable> {
    let data: TableData =
        serde_json::from_str(json).map_err(|e| StoreError::Corrupt(format!("fee table: {e}")))?;
    data.to_table()
        .map_err(|e| StoreError::Corrupt(format!("fee table: {e}")))
}

fn table_json(table: &FeeTable) -> StoreResult<String> {
    serde_json::to_string(&TableData::from(table)).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn standard_from_row(row: &AnyRow) -> StoreResult<StandardTable> {
    Ok(StandardTable {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        effective_date: row.try_get("effective_date")?,
        table: table_from_json(&row.try_get::<String, _>("table_json")?)?,
    })
}

#[async_trait]
impl FeeStore for SqlStore {
    async fn add_standard_table(
        &self,
        name: &str,
        effective_date: &str,
        table: &FeeTable,
        history: HistoryDraft,
    ) -> StoreResult<StandardTable> {
        let mut tx = self.begin_write().await?;
        let inserted = sqlx::query(
            "insert into standard_fee_tables (name, effective_date, table_json, created_at)
             values ($1, $2, $3, $4) returning *",
        )
        .bind(name)
        .bind(effective_date)
        .bind(table_json(table)?)
        .bind(history.occurred_at)
        .fetch_one(&mut *tx)
        .await;
        let row = match inserted {
            Ok(row) => row,
            Err(e) if StoreError::is_unique_violation(&e) => {
                return Err(StoreError::Conflict {
                    constraint: "effective_date",
                });
            }
            Err(e) => return Err(e.into()),
        };
        let standard = standard_from_row(&row)?;
        append_in(&mut tx, &self.history, &history).await?;
        tx.commit().await?;
        Ok(standard)
    }

    async fn standard_tables(&self) -> StoreResult<Vec<StandardTable>> {
        let rows = sqlx::query("select * from standard_fee_tables order by effective_date")
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(standard_from_row).collect()
    }

    async fn standard_table_on(&self, date: &str) -> StoreResult<Option<StandardTable>> {
        let row = sqlx::query(
            "select * from standard_fee_tables where effective_date <= $1
             order by effective_date desc limit 1",
        )
        .bind(date)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(standard_from_row).transpose()
    }

    async fn fee_setting(&self, company_id: i64, kind: FeeKind) -> StoreResult<StoredFee> {
        let row =
            sqlx::query("select * from company_fee_settings where company_id = $1 and kind = $2")
                .bind(company_id)
                .bind(kind.key())
                .fetch_optional(&self.pool)
                .await?;
        let Some(row) = row else {
            return Ok(StoredFee {
                setting: FeeSetting::default(),
                version: 0,
            });
        };
        let method: String = row.try_get("method")?;
        let minimum: i64 = row.try_get("minimum_payment")?;
        let table: Option<String> = row.try_get("table_json")?;
        Ok(StoredFee {
            setting: FeeSetting {
                use_standard: row.try_get::<i64, _>("use_standard")? != 0,
                method: FeeMethod::from_code(&method)
                    .ok_or_else(|| StoreError::Corrupt(format!("method {method}")))?,
                minimum_payment: Yen::from_stored(minimum)
                    .ok_or_else(|| StoreError::Corrupt("minimum".into()))?,
                table: table.as_deref().map(table_from_json).transpose()?,
            },
            version: row.try_get("version")?,
        })
    }
}

/// 手数料情報の変更's write, in the confirmed-change transaction: at `expected_version`
/// (else `Stale`); the new version.
pub(crate) async fn write_fee_setting(
    conn: &mut AnyConnection,
    company_id: i64,
    kind: FeeKind,
    expected_version: i64,
    setting: &FeeSetting,
    now: i64,
) -> StoreResult<i64> {
    let table = setting.table.as_ref().map(table_json).transpose()?;
    let sql = if expected_version == 0 {
        "insert into company_fee_settings (company_id, kind, use_standard, method,
             minimum_payment, table_json, version, updated_at)
         values ($1, $2, $3, $4, $5, $6, 1, $7)
         on conflict (company_id, kind) do nothing returning version"
    } else {
        "update company_fee_settings set use_standard = $3, method = $4, minimum_payment = $5,
             table_json = $6, version = version + 1, updated_at = $7
         where company_id = $1 and kind = $2 and version = $8 returning version"
    };
    let row = sqlx::query(sql)
        .bind(company_id)
        .bind(kind.key())
        .bind(i64::from(setting.use_standard))
        .bind(setting.method.code())
        .bind(setting.minimum_payment.get())
        .bind(table)
        .bind(now)
        .bind(expected_version)
        .fetch_optional(&mut *conn)
        .await?;
    match row {
        Some(row) => Ok(row.try_get("version")?),
        None => Err(StoreError::Stale),
    }
}
