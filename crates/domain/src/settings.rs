//! 企業情報の変更: 承認機能の利用有無 per business, 口座一日当たりの限度額 per account and
//! 企業一日当たりの限度額, all under the bank's 届出限度額.
//!
//! [`SettingsInput`] is what a form or an API body holds (strings, as typed);
//! [`SettingsInput::parse`] turns it into [`CompanySettings`] or every field's refusal.

use std::collections::BTreeMap;

use crate::business::Business;
use crate::company::{CompanyKana, CompanyName};
use crate::error::{Error, FieldErrors};
use crate::limits::{
    AccountDailyLimits, BankCeilings, CeilingItem, CompanyDailyLimits, CompanyLimit,
    TransferCategory,
};
use crate::yen::Yen;

/// 承認機能の利用有無.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ApprovalMode {
    /// 承認なし: accepted when the requester executes it.
    None,
    /// シングル承認: one approver.
    Single,
    /// ダブル承認(順序なし): two approvers in either order.
    DoubleUnordered,
    /// ダブル承認(順序あり): 一次承認者 then 最終承認者.
    DoubleOrdered,
}

impl ApprovalMode {
    pub const ALL: [ApprovalMode; 4] = [
        ApprovalMode::None,
        ApprovalMode::Single,
        ApprovalMode::DoubleUnordered,
        ApprovalMode::DoubleOrdered,
    ];

    pub fn label(self) -> &'static str {
        match self {
            ApprovalMode::None => "承認なし",
            ApprovalMode::Single => "シングル承認",
            ApprovalMode::DoubleUnordered => "ダブル承認(順序なし)",
            ApprovalMode::DoubleOrdered => "ダブル承認(順序あり)",
        }
    }

    /// The stored and API form.
    pub fn code(self) -> &'static str {
        match self {
            ApprovalMode::None => "none",
            ApprovalMode::Single => "single",
            ApprovalMode::DoubleUnordered => "double_unordered",
            ApprovalMode::DoubleOrdered => "double_ordered",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        ApprovalMode::ALL.into_iter().find(|m| m.code() == code)
    }
}

/// 承認機能の利用有無 of the four businesses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ApprovalModes {
    pub transfer: ApprovalMode,
    pub bulk_transfer: ApprovalMode,
    pub salary_bonus: ApprovalMode,
    pub direct_debit: ApprovalMode,
}

impl Default for ApprovalModes {
    /// At service start: 振込振替 承認なし, the bulk businesses シングル承認.
    fn default() -> Self {
        Self {
            transfer: ApprovalMode::None,
            bulk_transfer: ApprovalMode::Single,
            salary_bonus: ApprovalMode::Single,
            direct_debit: ApprovalMode::Single,
        }
    }
}

impl ApprovalModes {
    /// The mode that applies to `b` (賞与振込 follows 給与・賞与振込).
    pub fn get(&self, b: Business) -> ApprovalMode {
        match b {
            Business::Transfer => self.transfer,
            Business::BulkTransfer => self.bulk_transfer,
            Business::Salary | Business::Bonus => self.salary_bonus,
            Business::DirectDebit => self.direct_debit,
        }
    }

    pub fn set(&mut self, b: Business, mode: ApprovalMode) {
        match b {
            Business::Transfer => self.transfer = mode,
            Business::BulkTransfer => self.bulk_transfer = mode,
            Business::Salary | Business::Bonus => self.salary_bonus = mode,
            Business::DirectDebit => self.direct_debit = mode,
        }
    }
}

/// The modes the manual offers for `b`: 承認なし only for 振込振替 (the bulk businesses
/// always need an approval).
pub fn offered(b: Business) -> &'static [ApprovalMode] {
    match b {
        Business::Transfer => &ApprovalMode::ALL,
        Business::BulkTransfer | Business::Salary | Business::Bonus | Business::DirectDebit => {
            &ApprovalMode::ALL[1..]
        }
    }
}

/// Everything 企業情報の変更 sets, valid and within the ceilings.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CompanySettings {
    /// 企業名 (a valid [`CompanyName`]).
    pub name: String,
    /// 企業名(カナ) (a valid [`CompanyKana`]).
    pub name_kana: String,
    pub approval: ApprovalModes,
    /// By account id.
    pub accounts: BTreeMap<i64, AccountDailyLimits>,
    pub company: CompanyDailyLimits,
}

/// The field of 企業名.
pub const NAME_FIELD: &str = "company_name";
/// The field of 企業名(カナ).
pub const KANA_FIELD: &str = "company_kana";

/// The typed values of 企業情報の変更, as strings, keyed by field name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SettingsInput {
    pub name: String,
    pub name_kana: String,
    /// `approval_<business>` → mode code (a business of [`Business::APPROVAL_SETTINGS`]).
    pub approval: BTreeMap<Business, String>,
    /// account id → (item → typed amount).
    pub accounts: BTreeMap<i64, BTreeMap<TransferCategory, String>>,
    /// item → typed amount.
    pub company: BTreeMap<CompanyLimit, String>,
}

/// Field name of an approval choice.
pub fn approval_field(b: Business) -> String {
    format!("approval_{}", b.approval_key())
}

/// Field name of an account's limit.
pub fn account_field(account_id: i64, item: TransferCategory) -> String {
    format!("account_{account_id}_{}", item.key())
}

/// Field name of a company limit.
pub fn company_field(item: CompanyLimit) -> String {
    format!("company_{}", item.key())
}

impl SettingsInput {
    /// The input that shows `settings` as they are.
    pub fn from_settings(settings: &CompanySettings) -> Self {
        let approval = Business::APPROVAL_SETTINGS
            .into_iter()
            .map(|b| (b, settings.approval.get(b).code().to_owned()))
            .collect();
        let accounts = settings
            .accounts
            .iter()
            .map(|(id, l)| {
                let items = TransferCategory::ALL
                    .into_iter()
                    .map(|i| (i, l.get(i).get().to_string()))
                    .collect();
                (*id, items)
            })
            .collect();
        let company = CompanyLimit::ALL
            .into_iter()
            .map(|i| (i, settings.company.get(i).get().to_string()))
            .collect();
        Self {
            name: settings.name.clone(),
            name_kana: settings.name_kana.clone(),
            approval,
            accounts,
            company,
        }
    }

    /// Every field with its typed value (for carrying the input through 確認 in hidden fields).
    pub fn fields(&self) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = vec![
            (NAME_FIELD.to_owned(), self.name.clone()),
            (KANA_FIELD.to_owned(), self.name_kana.clone()),
        ];
        out.extend(
            self.approval
                .iter()
                .map(|(b, v)| (approval_field(*b), v.clone())),
        );
        for (id, items) in &self.accounts {
            out.extend(
                items
                    .iter()
                    .map(|(i, v)| (account_field(*id, *i), v.clone())),
            );
        }
        out.extend(
            self.company
                .iter()
                .map(|(i, v)| (company_field(*i), v.clone())),
        );
        out
    }

    /// The value typed into `field`, for showing the form again.
    pub fn value(&self, field: &str) -> String {
        match field {
            NAME_FIELD => return self.name.clone(),
            KANA_FIELD => return self.name_kana.clone(),
            _ => {}
        }
        for b in Business::APPROVAL_SETTINGS {
            if approval_field(b) == field {
                return self.approval.get(&b).cloned().unwrap_or_default();
            }
        }
        for item in CompanyLimit::ALL {
            if company_field(item) == field {
                return self.company.get(&item).cloned().unwrap_or_default();
            }
        }
        for (id, items) in &self.accounts {
            for (item, v) in items {
                if account_field(*id, *item) == field {
                    return v.clone();
                }
            }
        }
        String::new()
    }

    /// Reads the fields of a posted form for the company's `account_ids`.
    pub fn from_fields(fields: &BTreeMap<String, String>, account_ids: &[i64]) -> Self {
        let get = |name: &str| fields.get(name).cloned().unwrap_or_default();
        Self {
            name: get(NAME_FIELD),
            name_kana: get(KANA_FIELD),
            approval: Business::APPROVAL_SETTINGS
                .into_iter()
                .map(|b| (b, get(&approval_field(b))))
                .collect(),
            accounts: account_ids
                .iter()
                .map(|id| {
                    let items = TransferCategory::ALL
                        .into_iter()
                        .map(|i| (i, get(&account_field(*id, i))))
                        .collect();
                    (*id, items)
                })
                .collect(),
            company: CompanyLimit::ALL
                .into_iter()
                .map(|i| (i, get(&company_field(i))))
                .collect(),
        }
    }

    /// Applies the manual's rules: every field is checked, and every refusal is returned
    /// against its field. `account_ids` are the company's accounts, all of which must be
    /// present (and no other).
    pub fn parse(
        &self,
        account_ids: &[i64],
        ceilings: &BankCeilings,
    ) -> Result<CompanySettings, Error> {
        let mut errors = FieldErrors::new();
        let mut settings = CompanySettings::default();
        if let Some(name) = errors.check(NAME_FIELD, CompanyName::parse(&self.name)) {
            settings.name = name.as_str().to_owned();
        }
        if let Some(kana) = errors.check(KANA_FIELD, CompanyKana::parse(&self.name_kana)) {
            settings.name_kana = kana.as_str().to_owned();
        }

        for b in Business::APPROVAL_SETTINGS {
            let field = approval_field(b);
            let typed = self.approval.get(&b).map(String::as_str).unwrap_or("");
            match ApprovalMode::from_code(typed) {
                Some(mode) if offered(b).contains(&mode) => settings.approval.set(b, mode),
                Some(_) => errors.add(
                    field,
                    Error::ApprovalNotOffered {
                        business: b.approval_label(),
                    },
                ),
                None if typed.is_empty() => errors.add(
                    field,
                    Error::Required {
                        label: b.approval_label(),
                    },
                ),
                None => errors.add(
                    field,
                    Error::Choice {
                        label: b.approval_label(),
                        choices: choices(b),
                    },
                ),
            }
        }

        for id in self.accounts.keys() {
            if !account_ids.contains(id) {
                errors.add(format!("account_{id}"), Error::NotFound);
            }
        }
        for id in account_ids {
            let typed = self.accounts.get(id);
            let mut limits = AccountDailyLimits::default();
            let mut ok = true;
            for item in TransferCategory::ALL {
                let field = account_field(*id, item);
                let value = typed
                    .and_then(|t| t.get(&item))
                    .map(String::as_str)
                    .unwrap_or("");
                match parse_limit(CeilingItem::Account(item), value, ceilings) {
                    Ok(v) => limits.set(item, v),
                    Err(e) => {
                        errors.add(field, e);
                        ok = false;
                    }
                }
            }
            if ok {
                // 都度指定 and 事前登録 are parts of the account's 合計.
                for sub in [TransferCategory::AdHoc, TransferCategory::Registered] {
                    if limits.get(sub) > limits.transfer_total {
                        errors.add(
                            account_field(*id, sub),
                            Error::AboveTotal {
                                label: sub.label(),
                                total: TransferCategory::Total.label(),
                            },
                        );
                    }
                }
            }
            settings.accounts.insert(*id, limits);
        }

        for item in CompanyLimit::ALL {
            let value = self.company.get(&item).map(String::as_str).unwrap_or("");
            match parse_limit(CeilingItem::Company(item), value, ceilings) {
                Ok(v) => settings.company.set(item, v),
                Err(e) => errors.add(company_field(item), e),
            }
        }
        errors.into_result().map(|()| settings)
    }
}

fn choices(b: Business) -> &'static str {
    match b {
        Business::Transfer => "承認なし、シングル承認、ダブル承認(順序なし)、ダブル承認(順序あり)",
        Business::BulkTransfer | Business::Salary | Business::Bonus | Business::DirectDebit => {
            "シングル承認、ダブル承認(順序なし)、ダブル承認(順序あり)"
        }
    }
}

fn parse_limit(item: CeilingItem, typed: &str, ceilings: &BankCeilings) -> Result<Yen, Error> {
    let value = Yen::parse(item.label(), typed, item.max_digits())?;
    let ceiling = ceilings.get(item);
    if value > ceiling {
        return Err(Error::AboveCeiling {
            label: item.label(),
            ceiling,
        });
    }
    Ok(value)
}

/// One changed item, for the 操作履歴 and the red marks on 確認 and 結果.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingChange {
    /// Where the item is (承認機能の利用有無 / 口座一日当たりの限度額 … / 企業一日当たりの限度額).
    pub section: String,
    pub item: String,
    pub before: String,
    pub after: String,
}

#[cfg(test)]
mod tests;
