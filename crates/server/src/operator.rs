//! The bank operator's operations (銀行担当者), run from the CLI: onboard a company, its
//! accounts, ceilings and マスターユーザ; release a lock. Each is recorded in the 操作履歴
//! under 業務種別「銀行運用」.

use madoguchi_domain::{
    AccountKind, AccountNumber, BankCeilings, BranchCode, CompanyKana, CompanyName, Error,
    HistoryArea, LoginId, Password, PersonName,
    company::{AccountHolder, BranchName},
};
use madoguchi_store::{
    Account, Company, HistoryDraft, NewAccount, NewCompany, NewUser, UnlockWhich, UserProfile,
    UserRecord,
};

use crate::state::AppState;
use crate::web::client::ClientInfo;

/// Who the CLI's history entries name as the actor.
pub const OPERATOR: &str = "銀行担当者";

/// A 操作履歴 entry by the bank operator (業務種別「銀行運用」).
pub fn draft(state: &AppState, company_id: Option<i64>, operation: &str) -> HistoryDraft {
    let mut d = state.draft(
        &ClientInfo::operator_cli(),
        HistoryArea::Operator,
        operation,
    );
    d.company_id = company_id;
    d.login_id = OPERATOR.to_owned();
    d
}

fn invalid(e: Error) -> anyhow::Error {
    anyhow::anyhow!("{} [{}]", e.message_ja(), e.code())
}

/// 企業の登録.
pub async fn create_company(state: &AppState, name: &str, kana: &str) -> anyhow::Result<Company> {
    let name = CompanyName::parse(name).map_err(invalid)?;
    let kana = CompanyKana::parse(kana).map_err(invalid)?;
    let d = draft(state, None, "企業の登録")
        .details(serde_json::json!({"企業名": name.as_str(), "企業名(カナ)": kana.as_str()}));
    let new = NewCompany {
        name: name.as_str().to_owned(),
        name_kana: kana.as_str().to_owned(),
    };
    Ok(state.store.create_company(new, d).await?)
}

async fn company(state: &AppState, company_id: i64) -> anyhow::Result<Company> {
    state
        .store
        .company(company_id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("company {company_id} does not exist"))
}

const ON_OFF: [&str; 2] = ["利用しない", "利用する"];

/// 契約オプションの変更: ワンタイムパスワード (on or off). Turning it on or off ends the
/// company's sessions, so every user passes the login the contract now asks for.
pub async fn set_otp(state: &AppState, company_id: i64, on: bool) -> anyhow::Result<()> {
    let before = company(state, company_id).await?.options;
    let d = draft(state, Some(company_id), "契約オプションの変更").details(serde_json::json!({
        "ワンタイムパスワード": {"before": ON_OFF[usize::from(before.otp)], "after": ON_OFF[usize::from(on)]},
    }));
    let options = madoguchi_domain::CompanyOptions { otp: on, ..before };
    Ok(state
        .store
        .set_company_options(company_id, options, d)
        .await?)
}

/// 契約オプションの変更: 電子証明書方式 (on or off), ending the company's sessions when it
/// changes. Refused while the bank has no CA to issue the certificates.
pub async fn set_certificate(state: &AppState, company_id: i64, on: bool) -> anyhow::Result<()> {
    anyhow::ensure!(
        !on || crate::certificates::ca::BankCa::load(&state.config.data_dir)?.is_some(),
        "the bank has no CA yet in {}: create it with `madoguchi ca init` first",
        state.config.data_dir.display()
    );
    let before = company(state, company_id).await?.options;
    let d = draft(state, Some(company_id), "契約オプションの変更").details(serde_json::json!({
        "電子証明書方式": {"before": ON_OFF[usize::from(before.certificate)], "after": ON_OFF[usize::from(on)]},
    }));
    Ok(state
        .store
        .set_certificate_option(company_id, on, d)
        .await?)
}

/// 口座の登録.
pub async fn add_account(
    state: &AppState,
    company_id: i64,
    branch_code: &str,
    branch_name: &str,
    kind: &str,
    number: &str,
    holder: &str,
) -> anyhow::Result<Account> {
    company(state, company_id).await?;
    let new = NewAccount {
        company_id,
        branch_code: BranchCode::parse(branch_code)
            .map_err(invalid)?
            .as_str()
            .to_owned(),
        branch_name: BranchName::parse(branch_name)
            .map_err(invalid)?
            .as_str()
            .to_owned(),
        kind: AccountKind::parse(kind).map_err(invalid)?,
        number: AccountNumber::parse(number)
            .map_err(invalid)?
            .as_str()
            .to_owned(),
        holder: AccountHolder::parse(holder)
            .map_err(invalid)?
            .as_str()
            .to_owned(),
    };
    let d = draft(state, Some(company_id), "口座の登録").details(serde_json::json!({
        "支店番号": new.branch_code, "支店名": new.branch_name, "科目": new.kind.label(),
        "口座番号": new.number, "名義": new.holder,
    }));
    state.store.add_account(new, d).await.map_err(|e| match e {
        madoguchi_store::StoreError::Conflict { .. } => {
            anyhow::anyhow!("this account is already registered")
        }
        other => other.into(),
    })
}

/// 届出限度額の設定.
pub async fn set_ceilings(
    state: &AppState,
    company_id: i64,
    ceilings: BankCeilings,
) -> anyhow::Result<()> {
    company(state, company_id).await?;
    let before = state.store.ceilings(company_id).await?;
    let mut changes = serde_json::Map::new();
    for item in madoguchi_domain::CeilingItem::ALL {
        let after = ceilings.get(item);
        let old = before.map(|b| b.get(item));
        if old != Some(after) {
            changes.insert(
                item.label().to_owned(),
                serde_json::json!({"before": old.map(|y| y.to_string()), "after": after.to_string()}),
            );
        }
    }
    let d = draft(state, Some(company_id), "届出限度額の設定")
        .details(serde_json::Value::Object(changes));
    Ok(state.store.set_ceilings(company_id, ceilings, d).await?)
}

/// The one-time passwords of a new マスターユーザ, shown once to the operator.
pub struct InitialPasswords {
    pub login: String,
    pub confirmation: String,
}

/// マスターユーザの登録: one per company, with one-time passwords that must be changed
/// at first login.
pub async fn create_master(
    state: &AppState,
    company_id: i64,
    login_id: &str,
    name: &str,
    email: &str,
) -> anyhow::Result<(UserRecord, InitialPasswords)> {
    company(state, company_id).await?;
    let login_id = LoginId::parse(login_id).map_err(invalid)?;
    let name = PersonName::parse(name).map_err(invalid)?;
    let passwords = InitialPasswords {
        login: crate::passwords::generate_password(state.policy.min_len, state.policy.max_len),
        confirmation: crate::passwords::generate_password(
            state.policy.min_len,
            state.policy.max_len,
        ),
    };
    let user = create_user_with_passwords(
        state,
        company_id,
        &login_id,
        &name,
        email,
        true,
        (&passwords.login, &passwords.confirmation),
        true,
    )
    .await?;
    Ok((user, passwords))
}

/// Registers a user with known passwords (operator's master, demo data).
#[allow(clippy::too_many_arguments)]
pub async fn create_user_with_passwords(
    state: &AppState,
    company_id: i64,
    login_id: &LoginId,
    name: &PersonName,
    email: &str,
    is_master: bool,
    (login_password, confirmation_password): (&str, &str),
    must_change: bool,
) -> anyhow::Result<UserRecord> {
    // The operator's and the demo's passwords are not typed by the user: the generated ones
    // obey the policy by construction, and the demo's are documented fixed values.
    let login = Password::typed(login_password);
    let confirmation = Password::typed(confirmation_password);
    let new = NewUser {
        login_id: login_id.as_str().to_owned(),
        login_key: login_id.key(),
        name: name.as_str().to_owned(),
        email: email.to_owned(),
        is_master,
        is_admin: is_master,
        login_password_hash: state.hasher.hash(&login).await?,
        confirm_password_hash: Some(state.hasher.hash(&confirmation).await?),
        must_change_password: must_change,
        must_change_confirmation: must_change,
        profile: if is_master {
            master_profile(state, company_id).await?
        } else {
            UserProfile::default()
        },
    };
    let operation = if is_master {
        "マスターユーザの登録"
    } else {
        "利用者の登録"
    };
    let d = draft(state, Some(company_id), operation).details(serde_json::json!({
        "ログインID": login_id.as_str(), "利用者名": name.as_str(), "マスターユーザ": is_master,
        "ログイン時に強制変更する": must_change,
    }));
    state
        .store
        .create_user(company_id, new, d)
        .await
        .map_err(|e| match e {
            madoguchi_store::StoreError::Conflict {
                constraint: "master",
            } => {
                anyhow::anyhow!("this company already has a master user")
            }
            madoguchi_store::StoreError::Conflict { .. } => invalid(Error::LoginIdTaken),
            other => other.into(),
        })
}

/// A マスターユーザ has every authority: every permission and every account of the
/// company, limited only by the company's own limits (no 一回当たり limit of its own).
pub async fn master_profile(state: &AppState, company_id: i64) -> anyhow::Result<UserProfile> {
    Ok(UserProfile {
        permissions: madoguchi_domain::permissions::ALL
            .iter()
            .map(|p| p.code.to_owned())
            .collect(),
        account_ids: state
            .store
            .accounts(company_id)
            .await?
            .iter()
            .map(|a| a.id)
            .collect(),
        tx_limits: Default::default(),
    })
}

/// 利用停止解除 by the operator (a master with no other admin to release them).
pub async fn unlock_user(
    state: &AppState,
    login_id: &str,
    which: UnlockWhich,
) -> anyhow::Result<UserRecord> {
    let key = madoguchi_domain::login_id::lookup_key(login_id)
        .ok_or_else(|| anyhow::anyhow!("no user with login ID {login_id}"))?;
    let user = state
        .store
        .user_by_login_key(&key)
        .await?
        .filter(|u| !u.deleted)
        .ok_or_else(|| anyhow::anyhow!("no user with login ID {login_id}"))?;
    let what = match which {
        UnlockWhich::Login => "ログインパスワード",
        UnlockWhich::Confirmation => "確認用パスワード",
        UnlockWhich::Both => "ログインパスワード・確認用パスワード",
        UnlockWhich::Otp => "ワンタイムパスワード",
    };
    let d = draft(state, Some(user.company_id), "利用停止解除").details(serde_json::json!({
        "ログインID": user.login_id, "解除": what, "変更前のサービス状態": user.service_state().label(),
    }));
    state.store.unlock_user(user.id, which, d).await?;
    Ok(user)
}

/// The bank's standard fee table as the operator writes it in a TOML file.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StandardFile {
    /// e.g. 「基準手数料（2019年10月改定）」
    pub name: String,
    /// Lower bounds of the tiers after the first (yen), strictly increasing.
    #[serde(default)]
    pub boundaries: Vec<i64>,
    /// Fee per tier (税込 yen) for 同一店宛, 本支店宛 and 他行宛.
    pub same_branch: Vec<i64>,
    pub other_branch: Vec<i64>,
    pub other_bank: Vec<i64>,
}

impl StandardFile {
    /// The table the file describes, under every rule of a fee table.
    pub fn table(&self) -> anyhow::Result<madoguchi_domain::fees::FeeTable> {
        let tiers = self.boundaries.len() + 1;
        anyhow::ensure!(
            [&self.same_branch, &self.other_branch, &self.other_bank]
                .iter()
                .all(|f| f.len() == tiers),
            "each of same_branch, other_branch and other_bank needs {tiers} fees (one per tier)"
        );
        let fees = (0..tiers)
            .map(|i| {
                [&self.same_branch, &self.other_branch, &self.other_bank]
                    .map(|f| f.get(i).copied().unwrap_or(0))
            })
            .collect();
        madoguchi_domain::fees::TableData {
            boundaries: self.boundaries.clone(),
            fees,
        }
        .to_table()
        .map_err(invalid)
    }
}

/// 基準手数料の登録: a new version of the bank's standard table, in force for 振込指定日 on
/// or after `effective_date`. Companies on 「使用する」 follow it from that day.
pub async fn load_standard(
    state: &AppState,
    file: &StandardFile,
    effective_date: &str,
) -> anyhow::Result<madoguchi_store::StandardTable> {
    let date = madoguchi_domain::jst::parse_date("適用日", effective_date).map_err(invalid)?;
    let table = file.table()?;
    let d = draft(state, None, "基準手数料の登録").details(serde_json::json!({
        "名称": file.name, "適用日": date,
        "table": madoguchi_domain::fees::TableData::from(&table),
    }));
    state
        .store
        .add_standard_table(&file.name, &date, &table, d)
        .await
        .map_err(|e| match e {
            madoguchi_store::StoreError::Conflict { .. } => {
                anyhow::anyhow!("a standard table effective {date} already exists")
            }
            other => other.into(),
        })
}

/// 事前登録口座の登録: a payee the company registered with the bank on paper; its
/// transfers use the 「事前登録」 limits.
pub async fn add_registered_payee(
    state: &AppState,
    company_id: i64,
    input: &madoguchi_domain::payee::PayeeInput,
) -> anyhow::Result<i64> {
    company(state, company_id).await?;
    let payee = input.parse().map_err(invalid)?;
    anyhow::ensure!(
        state
            .store
            .bank_entry(payee.bank.as_str(), payee.branch.as_str())
            .await?
            .is_some(),
        "no branch {} of bank {} in the master (`madoguchi banks import`)",
        payee.branch.as_str(),
        payee.bank.as_str()
    );
    let new = crate::web::scope::new_payee(
        company_id,
        madoguchi_store::PayeeKind::Registered,
        None,
        &payee,
    );
    let d = draft(state, Some(company_id), "事前登録口座の登録").details(serde_json::json!({
        "bank_code": new.bank_code, "branch_code": new.branch_code,
        "number": new.number, "name": new.name,
    }));
    match state
        .store
        .execute_unattended(madoguchi_store::ConfirmedWrite::RegisterPayee { new }, d)
        .await?
    {
        madoguchi_store::WriteEffect::Created(id) => Ok(id),
        _ => anyhow::bail!("the payee was not registered"),
    }
}
