//! The company facts the user screens need: its accounts and the limits a user's
//! 利用者一回当たり限度額 may not exceed.

use std::collections::BTreeMap;

use madoguchi_domain::{Business, Error, Yen};
use madoguchi_store::Account;

use crate::state::AppState;
use crate::web::actor::AdminActor;

/// The accounts and the company's limits, as the user screens show and check them.
#[derive(Debug, Clone)]
pub struct CompanyContext {
    pub accounts: Vec<Account>,
    /// Business → the company's matching daily limit (振込振替: the largest account 合計,
    /// since a single transfer can never exceed its account's daily limit).
    pub limits: BTreeMap<Business, Yen>,
}

impl CompanyContext {
    pub fn account_ids(&self) -> Vec<i64> {
        self.accounts.iter().map(|a| a.id).collect()
    }
}

pub async fn context(state: &AppState, admin: &AdminActor) -> Result<CompanyContext, Error> {
    let scope = admin.scope(state);
    let accounts = scope.company().accounts().await?;
    let settings = scope.company().settings().await?.settings;
    let transfer = settings
        .accounts
        .values()
        .map(|l| l.transfer_total)
        .max()
        .unwrap_or(Yen::ZERO);
    let limits = Business::ALL
        .map(|b| {
            let limit = match b.company_limit() {
                Some(l) => settings.company.get(l),
                None => transfer,
            };
            (b, limit)
        })
        .into();
    Ok(CompanyContext { accounts, limits })
}
