//! 企業情報の変更: read the settings, preview a change (入力 → 確認), execute it (実行).
//! One set of functions serves the screens and the JSON API.

use madoguchi_domain::{
    BankCeilings, Business, CompanyLimit, CompanySettings, Error, HistoryArea, SettingsInput,
    TransferCategory,
};
use madoguchi_store::{Account, StoredSettings};

use crate::confirm::{
    self, Confirmation, Executed, Operation, Prepared, Request, ResultKind, Row, Section,
};
use crate::state::AppState;
use crate::web::actor::AdminActor;

/// 操作内容 of this operation in the 操作履歴.
pub const OPERATION: &str = "企業情報の変更";

/// What the 企業情報変更 screen shows.
#[derive(Debug, Clone)]
pub struct SettingsView {
    pub stored: StoredSettings,
    pub accounts: Vec<Account>,
    pub ceilings: BankCeilings,
}

impl SettingsView {
    pub fn account_ids(&self) -> Vec<i64> {
        self.accounts.iter().map(|a| a.id).collect()
    }
}

/// Reads the company's settings, accounts and ceilings.
pub async fn load(state: &AppState, admin: &AdminActor) -> Result<SettingsView, Error> {
    let scope = admin.scope(state);
    let company = scope.company();
    let stored = company.settings().await?;
    let accounts = company.accounts().await?;
    let ceilings = company.ceilings().await?;
    Ok(SettingsView {
        stored,
        accounts,
        ceilings,
    })
}

/// The whole settings before and after, as 確認 and 結果 show them (each item marked
/// changed on its own).
pub fn sections(view: &SettingsView, after: &CompanySettings) -> Vec<Section> {
    let before = &view.stored.settings;
    let approvals = Business::APPROVAL_SETTINGS
        .into_iter()
        .map(|b| {
            Row::text(
                b.approval_label(),
                before.approval.get(b).label(),
                after.approval.get(b).label(),
            )
        })
        .collect();
    let mut account_rows = Vec::new();
    for account in &view.accounts {
        let b = before
            .accounts
            .get(&account.id)
            .copied()
            .unwrap_or_default();
        let a = after.accounts.get(&account.id).copied().unwrap_or_default();
        for item in TransferCategory::ALL {
            account_rows.push(Row::amount(
                format!("{} {}", account.label(), item.label()),
                b.get(item).to_string(),
                a.get(item).to_string(),
            ));
        }
    }
    let company_rows = CompanyLimit::ALL
        .into_iter()
        .map(|i| {
            Row::amount(
                i.label(),
                before.company.get(i).to_string(),
                after.company.get(i).to_string(),
            )
        })
        .collect();
    vec![
        Section::new(
            "企業情報",
            vec![
                Row::text("企業名(カナ)", &before.name_kana, &after.name_kana),
                Row::text("企業名", &before.name, &after.name),
            ],
        ),
        Section::new("承認機能の利用有無", approvals),
        Section::new("口座一日当たりの限度額", account_rows),
        Section::new("企業一日当たりの限度額", company_rows),
    ]
}

/// A checked change, ready for 確認.
#[derive(Debug, Clone)]
pub struct Preview {
    pub settings: CompanySettings,
    pub sections: Vec<Section>,
}

async fn refuse_invalid(state: &AppState, admin: &AdminActor, err: Error) -> Error {
    admin
        .actor()
        .refuse_input(state, HistoryArea::Company, OPERATION, err)
        .await
}

/// 変更: checks the input against the manual's rules and the bank's ceilings, and that
/// nobody changed the settings since the input screen was opened at `version`.
pub async fn preview(
    state: &AppState,
    admin: &AdminActor,
    input: &SettingsInput,
    version: i64,
) -> Result<(SettingsView, Preview), Error> {
    let view = load(state, admin).await?;
    if version != view.stored.version {
        return Err(refuse_invalid(state, admin, Error::Stale).await);
    }
    let settings = match input.parse(&view.account_ids(), &view.ceilings) {
        Ok(s) => s,
        Err(e) => return Err(refuse_invalid(state, admin, e).await),
    };
    let sections = sections(&view, &settings);
    Ok((view, Preview { settings, sections }))
}

/// The operation of 実行.
fn operation() -> Operation {
    Operation {
        code: "company.settings",
        area: HistoryArea::Company,
        label: OPERATION.to_owned(),
        result: ResultKind::CompanyInfo,
    }
}

/// 実行: checks everything again, then the 確認用パスワード, then saves the change and its
/// 操作履歴 entry in one transaction (the confirmed-change pipeline). A repeat of the same
/// request with the same key changes nothing and returns the first execution's result.
pub async fn execute(
    state: &AppState,
    admin: &AdminActor,
    input: &SettingsInput,
    version: i64,
    confirmation: &Confirmation,
    key: &str,
) -> Result<Executed, Error> {
    let fingerprint = serde_json::json!({"version": version, "fields": input.fields()});
    let request = Request {
        key,
        fingerprint: &fingerprint,
        confirmation,
    };
    let prepare = async || {
        let (_, preview) = preview(state, admin, input, version).await?;
        Ok(Prepared {
            details: serde_json::json!({
                "changes": Section::changes_json(&preview.sections),
                "version": version,
            }),
            change: preview.settings,
            sections: preview.sections,
        })
    };
    let write = async |settings| Ok(admin.scope(state).settings_write(version, settings));
    let (done, _) =
        confirm::execute(state, admin.actor(), &operation(), request, prepare, write).await?;
    Ok(done)
}
