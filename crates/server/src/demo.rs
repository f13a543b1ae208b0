//! Demo data (`serve --demo`), loaded only into an empty database: アパレル株式会社 with
//! two accounts, its master `master01`, a general user `ippan01`, and a second company
//! with its own master `other01`, to show that tenants are separate. The README lists them.

use madoguchi_domain::{
    AccountDailyLimits, BankCeilings, Business, CompanyDailyLimits, LoginId, PersonName, Yen,
};

use crate::operator;
use crate::state::AppState;

/// The demo login password of every demo user.
pub const LOGIN_PASSWORD: &str = "Demo1234";
/// The demo confirmation password of every demo user.
pub const CONFIRMATION_PASSWORD: &str = "Kakunin12";

fn yen(v: i64) -> Yen {
    Yen::from_stored(v).unwrap_or(Yen::ZERO)
}

/// Loads the demo data if the database is empty. Returns whether it did.
/// The bank/branch master and the national holidays built into this binary, into a
/// database that has none yet (`serve --demo`; the tests that need them load them
/// themselves, so every other test's database stays small).
pub async fn load_reference_if_empty(state: &AppState) -> anyhow::Result<()> {
    if state.store.bank_entry("0001", "").await?.is_none() {
        let (banks, branches) =
            crate::reference::import_banks(state, crate::reference::SHIPPED_BANKS).await?;
        tracing::info!(banks, branches, "loaded the 金融機関・支店 master");
    }
    if state.store.closed_days().await?.is_empty() {
        let days =
            crate::reference::import_holidays(state, crate::reference::SHIPPED_HOLIDAYS).await?;
        tracing::info!(days, "loaded the national holidays");
    }
    Ok(())
}

/// The demo company's 事前登録口座 (two payees at other banks), once the 金融機関・支店 master
/// is loaded, on a demo database whose company has none yet.
pub async fn load_payees_if_none(state: &AppState) -> anyhow::Result<()> {
    let demo = state.store.meta("demo").await?.as_deref() == Some("1");
    let Some(company) = state.store.companies().await?.into_iter().next() else {
        return Ok(());
    };
    if !demo || !state.store.payees_of(company.id).await?.is_empty() {
        return Ok(());
    }
    for (bank, branch, number, name) in [
        ("0005", "001", "1122334", "ｶ)ﾄｳｷﾖｳﾃｷｽﾀｲﾙ"),
        ("0009", "001", "2233445", "ﾕ)ｼﾞﾝﾎﾞｳﾁﾖｳﾎｳｾｲ"),
    ] {
        let input = madoguchi_domain::payee::PayeeInput {
            bank_code: bank.to_owned(),
            branch_code: branch.to_owned(),
            kind: "普通".to_owned(),
            number: number.to_owned(),
            name: name.to_owned(),
        };
        operator::add_registered_payee(state, company.id, &input).await?;
    }
    Ok(())
}

/// The demo company's 振込先 of 総合振込 and 給与・賞与振込 and its 請求先 of 口座振替 (in two
/// グループ), so 依頼(画面入力) can be tried at once; on a demo database whose lists are empty.
pub async fn load_bulk_payees_if_none(state: &AppState) -> anyhow::Result<()> {
    use madoguchi_domain::bulk::payee::{BulkPayeeInput, PayeeList};
    let demo = state.store.meta("demo").await?.as_deref() == Some("1");
    let Some(company) = state.store.companies().await?.into_iter().next() else {
        return Ok(());
    };
    let Some(master) = state
        .store
        .users_of(company.id)
        .await?
        .into_iter()
        .find(|u| u.is_master)
    else {
        return Ok(());
    };
    const PAYEES: [(&str, &str, &str, &str, &str); 4] = [
        ("0005", "001", "1234501", "ﾔﾏﾀﾞ ﾀﾛｳ", "本社"),
        ("0009", "001", "1234502", "ｽｽﾞｷ ﾊﾅｺ", "本社"),
        ("0001", "081", "1234503", "ｻﾄｳ ｲﾁﾛｳ", "物流センター"),
        ("0001", "100", "1234504", "ﾀﾅｶ ﾐｻｷ", "物流センター"),
    ];
    for list in [
        PayeeList::BulkTransfer,
        PayeeList::Salary,
        PayeeList::DirectDebit,
    ] {
        if !demo
            || !state
                .store
                .bulk_payees_of(company.id, list.code())
                .await?
                .is_empty()
        {
            continue;
        }
        let mut payees = Vec::new();
        for (i, (bank, branch, number, name, group)) in PAYEES.into_iter().enumerate() {
            if state.store.bank_entry(bank, branch).await?.is_none() {
                continue;
            }
            let input = BulkPayeeInput {
                bank_code: bank.to_owned(),
                branch_code: branch.to_owned(),
                kind: "普通".to_owned(),
                number: number.to_owned(),
                name: name.to_owned(),
                reference: format!("{}", 1001 + i),
                reference2: if list == PayeeList::DirectDebit {
                    String::new()
                } else {
                    "10".to_owned()
                },
                group: group.to_owned(),
            };
            let p = input
                .parse(list)
                .map_err(|e| anyhow::anyhow!(e.message_ja()))?;
            payees.push(madoguchi_store::NewBulkPayee {
                bank_code: p.bank.as_str().to_owned(),
                branch_code: p.branch.as_str().to_owned(),
                account_kind: p.kind.code(),
                number: p.number.as_str().to_owned(),
                name: p.name.as_str().to_owned(),
                reference: p.reference,
                reference2: p.reference2,
                group: p.group,
            });
        }
        let write = madoguchi_store::ConfirmedWrite::RegisterBulkPayees(Box::new(
            madoguchi_store::BulkPayeeRegistration {
                company_id: company.id,
                list: list.code(),
                created_by: master.id,
                payees,
            },
        ));
        let d = operator::draft(state, Some(company.id), &list.operation("の一括登録"));
        state.store.execute_unattended(write, d).await?;
    }
    Ok(())
}

pub async fn load_if_empty(state: &AppState) -> anyhow::Result<bool> {
    if !state.store.is_empty().await? {
        return Ok(false);
    }
    let apparel = operator::create_company(state, "アパレル株式会社", "ｱﾊﾟﾚﾙ(ｶ)").await?;
    operator::add_account(
        state,
        apparel.id,
        "081",
        "法人営業部",
        "普通",
        "0253226",
        "ｱﾊﾟﾚﾙ(ｶ)",
    )
    .await?;
    operator::add_account(
        state,
        apparel.id,
        "081",
        "法人営業部",
        "当座",
        "0100234",
        "ｱﾊﾟﾚﾙ(ｶ)",
    )
    .await?;
    operator::add_account(
        state,
        apparel.id,
        "012",
        "新宿支店",
        "普通",
        "1234567",
        "ｱﾊﾟﾚﾙ(ｶ)",
    )
    .await?;
    let ceilings = BankCeilings {
        account: AccountDailyLimits {
            transfer_total: yen(100_000_000),
            transfer_ad_hoc: yen(50_000_000),
            transfer_registered: yen(100_000_000),
        },
        company: CompanyDailyLimits {
            bulk_transfer: yen(500_000_000),
            salary: yen(200_000_000),
            bonus: yen(300_000_000),
            direct_debit: yen(100_000_000),
        },
    };
    operator::set_ceilings(state, apparel.id, ceilings).await?;
    initial_settings(state, apparel.id).await?;
    let passwords = (LOGIN_PASSWORD, CONFIRMATION_PASSWORD);
    operator::create_user_with_passwords(
        state,
        apparel.id,
        &LoginId::parse("master01")?,
        &PersonName::parse("山田　太郎")?,
        "yamada@apparel.example.jp",
        true,
        passwords,
        false,
    )
    .await?;
    operator::create_user_with_passwords(
        state,
        apparel.id,
        &LoginId::parse("ippan01")?,
        &PersonName::parse("佐藤　花子")?,
        "sato@apparel.example.jp",
        false,
        passwords,
        false,
    )
    .await?;

    let other = operator::create_company(state, "株式会社サンプル商事", "ｶ)ｻﾝﾌﾟﾙｼﾖｳｼﾞ").await?;
    operator::add_account(
        state,
        other.id,
        "101",
        "本店営業部",
        "普通",
        "7654321",
        "ｶ)ｻﾝﾌﾟﾙｼﾖｳｼﾞ",
    )
    .await?;
    operator::set_ceilings(state, other.id, ceilings).await?;
    initial_settings(state, other.id).await?;
    operator::create_user_with_passwords(
        state,
        other.id,
        &LoginId::parse("other01")?,
        &PersonName::parse("鈴木　一郎")?,
        "suzuki@sample.example.jp",
        true,
        passwords,
        false,
    )
    .await?;
    demo_profile(state, apparel.id).await?;
    standard_fees(state).await?;
    state.store.set_meta("demo", "1").await?;
    Ok(true)
}

/// Daily limits a little below the ceilings, as a company would have set them.
async fn initial_settings(state: &AppState, company_id: i64) -> anyhow::Result<()> {
    // The name and kana as the operator registered them; the limits set below.
    let mut settings = state.store.company_settings(company_id).await?.settings;
    for account in state.store.accounts(company_id).await? {
        let limits = AccountDailyLimits {
            transfer_total: yen(50_000_000),
            transfer_ad_hoc: yen(10_000_000),
            transfer_registered: yen(50_000_000),
        };
        settings.accounts.insert(account.id, limits);
    }
    settings.company = CompanyDailyLimits {
        bulk_transfer: yen(300_000_000),
        salary: yen(100_000_000),
        bonus: yen(200_000_000),
        direct_debit: yen(50_000_000),
    };
    let history = operator::draft(state, Some(company_id), "企業情報の初期設定");
    let write = madoguchi_store::ConfirmedWrite::CompanySettings {
        company_id,
        expected_version: 0,
        settings,
    };
    state.store.execute_unattended(write, history).await?;
    Ok(())
}

/// A realistic standard table (domain.md §1.3) in force since 2019-10-01, and an announced
/// revision from 2027-04-01, so 照会 shows versions and the simulator can pick by date.
async fn standard_fees(state: &AppState) -> anyhow::Result<()> {
    let current = operator::StandardFile {
        name: "基準手数料（2019年10月改定）".to_owned(),
        boundaries: vec![30_000],
        same_branch: vec![0, 0],
        other_branch: vec![110, 220],
        other_bank: vec![330, 550],
    };
    operator::load_standard(state, &current, "2019-10-01").await?;
    let revision = operator::StandardFile {
        name: "基準手数料（2027年4月改定）".to_owned(),
        boundaries: vec![30_000],
        same_branch: vec![0, 0],
        other_branch: vec![110, 220],
        other_bank: vec![385, 605],
    };
    operator::load_standard(state, &revision, "2027-04-01").await?;
    Ok(())
}

/// ippan01's サービス利用権限, accounts and 一回当たり限度額, as an administrator would set them.
async fn demo_profile(state: &AppState, company_id: i64) -> anyhow::Result<()> {
    let Some(user) = state.store.user_by_login_key("ippan01").await? else {
        return Ok(());
    };
    let accounts = state.store.accounts(company_id).await?;
    let update = madoguchi_store::UserUpdate {
        login_id: user.login_id.clone(),
        login_key: user.login_id.to_ascii_lowercase(),
        name: user.name.clone(),
        email: user.email.clone(),
        is_admin: false,
        login_password_hash: None,
        confirm_password_hash: None,
        must_change_password: false,
        must_change_confirmation: false,
        profile: madoguchi_store::UserProfile {
            permissions: [
                "inquiry.balance",
                "inquiry.statement",
                "transfer.registered",
                "transfer.user_registered",
                "bulk.screen",
            ]
            .map(str::to_owned)
            .to_vec(),
            account_ids: accounts.iter().take(2).map(|a| a.id).collect(),
            tx_limits: [
                (Business::Transfer, yen(1_000_000)),
                (Business::BulkTransfer, yen(10_000_000)),
                (Business::Salary, Yen::ZERO),
                (Business::Bonus, Yen::ZERO),
                (Business::DirectDebit, Yen::ZERO),
            ]
            .into(),
        },
    };
    let history = operator::draft(state, Some(company_id), "利用者情報の初期設定");
    let write = madoguchi_store::ConfirmedWrite::UpdateUser {
        target: madoguchi_store::Target {
            company_id,
            user_id: user.id,
            expected_version: user.version,
            actor_id: 0,
            acting_session: String::new(),
        },
        update,
    };
    state.store.execute_unattended(write, history).await?;
    Ok(())
}
