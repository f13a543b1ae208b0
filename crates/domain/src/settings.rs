//! 企業情報の変更: 承認機能の利用有無 per business, 口座一日当たりの限度額 per account and
//! 企業一日当たりの限度額, all under the bank's 届出限度額.
//!
//! [`SettingsInput`] is what a form or an API body holds (strings, as typed);
//! [`SettingsInput::parse`] turns it into [`CompanySettings`] or every field's refusal.

use std::collections::BTreeMap;

use crate::error::{Error, FieldErrors};
use crate::money::{BankCeilings, CeilingItem, Yen};

/// The businesses that have an approval setting (給与・賞与振込 share one).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ApprovalBusiness {
    Transfer,
    BulkTransfer,
    SalaryBonus,
    DirectDebit,
}

impl ApprovalBusiness {
    pub const ALL: [ApprovalBusiness; 4] = [
        ApprovalBusiness::Transfer,
        ApprovalBusiness::BulkTransfer,
        ApprovalBusiness::SalaryBonus,
        ApprovalBusiness::DirectDebit,
    ];

    pub fn label(self) -> &'static str {
        match self {
            ApprovalBusiness::Transfer => "振込振替",
            ApprovalBusiness::BulkTransfer => "総合振込",
            ApprovalBusiness::SalaryBonus => "給与・賞与振込",
            ApprovalBusiness::DirectDebit => "口座振替",
        }
    }

    /// Field name in forms, the API and storage.
    pub fn key(self) -> &'static str {
        match self {
            ApprovalBusiness::Transfer => "transfer",
            ApprovalBusiness::BulkTransfer => "bulk_transfer",
            ApprovalBusiness::SalaryBonus => "salary_bonus",
            ApprovalBusiness::DirectDebit => "direct_debit",
        }
    }

    /// The modes the manual offers for this business: 承認なし only for 振込振替 (the
    /// bulk businesses always need an approval).
    pub fn offered(self) -> &'static [ApprovalMode] {
        match self {
            ApprovalBusiness::Transfer => &ApprovalMode::ALL,
            _ => &ApprovalMode::ALL[1..],
        }
    }
}

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
    pub fn get(&self, b: ApprovalBusiness) -> ApprovalMode {
        match b {
            ApprovalBusiness::Transfer => self.transfer,
            ApprovalBusiness::BulkTransfer => self.bulk_transfer,
            ApprovalBusiness::SalaryBonus => self.salary_bonus,
            ApprovalBusiness::DirectDebit => self.direct_debit,
        }
    }

    pub fn set(&mut self, b: ApprovalBusiness, mode: ApprovalMode) {
        match b {
            ApprovalBusiness::Transfer => self.transfer = mode,
            ApprovalBusiness::BulkTransfer => self.bulk_transfer = mode,
            ApprovalBusiness::SalaryBonus => self.salary_bonus = mode,
            ApprovalBusiness::DirectDebit => self.direct_debit = mode,
        }
    }
}

/// 口座一日当たりの限度額 of one account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AccountDailyLimits {
    pub transfer_total: Yen,
    pub transfer_ad_hoc: Yen,
    pub transfer_registered: Yen,
}

impl AccountDailyLimits {
    pub const ITEMS: [CeilingItem; 3] = [
        CeilingItem::TransferTotal,
        CeilingItem::TransferAdHoc,
        CeilingItem::TransferRegistered,
    ];

    pub fn get(&self, item: CeilingItem) -> Yen {
        match item {
            CeilingItem::TransferAdHoc => self.transfer_ad_hoc,
            CeilingItem::TransferRegistered => self.transfer_registered,
            _ => self.transfer_total,
        }
    }

    pub fn set(&mut self, item: CeilingItem, v: Yen) {
        match item {
            CeilingItem::TransferAdHoc => self.transfer_ad_hoc = v,
            CeilingItem::TransferRegistered => self.transfer_registered = v,
            _ => self.transfer_total = v,
        }
    }
}

/// 企業一日当たりの限度額.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CompanyDailyLimits {
    pub bulk_transfer: Yen,
    pub salary: Yen,
    pub bonus: Yen,
    pub direct_debit: Yen,
}

impl CompanyDailyLimits {
    pub const ITEMS: [CeilingItem; 4] = [
        CeilingItem::BulkTransfer,
        CeilingItem::Salary,
        CeilingItem::Bonus,
        CeilingItem::DirectDebit,
    ];

    pub fn get(&self, item: CeilingItem) -> Yen {
        match item {
            CeilingItem::Salary => self.salary,
            CeilingItem::Bonus => self.bonus,
            CeilingItem::DirectDebit => self.direct_debit,
            _ => self.bulk_transfer,
        }
    }

    pub fn set(&mut self, item: CeilingItem, v: Yen) {
        match item {
            CeilingItem::Salary => self.salary = v,
            CeilingItem::Bonus => self.bonus = v,
            CeilingItem::DirectDebit => self.direct_debit = v,
            _ => self.bulk_transfer = v,
        }
    }
}

/// Everything 企業情報の変更 sets, valid and within the ceilings.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CompanySettings {
    pub approval: ApprovalModes,
    /// By account id.
    pub accounts: BTreeMap<i64, AccountDailyLimits>,
    pub company: CompanyDailyLimits,
}

/// The typed values of 企業情報の変更, as strings, keyed by field name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SettingsInput {
    /// `approval_<business>` → mode code.
    pub approval: BTreeMap<ApprovalBusiness, String>,
    /// account id → (item → typed amount).
    pub accounts: BTreeMap<i64, BTreeMap<CeilingItem, String>>,
    /// item → typed amount.
    pub company: BTreeMap<CeilingItem, String>,
}

/// Field name of an approval choice.
pub fn approval_field(b: ApprovalBusiness) -> String {
    format!("approval_{}", b.key())
}

/// Field name of an account's limit.
pub fn account_field(account_id: i64, item: CeilingItem) -> String {
    format!("account_{account_id}_{}", item.key())
}

/// Field name of a company limit.
pub fn company_field(item: CeilingItem) -> String {
    format!("company_{}", item.key())
}

impl SettingsInput {
    /// The input that shows `settings` as they are.
    pub fn from_settings(settings: &CompanySettings) -> Self {
        let approval = ApprovalBusiness::ALL
            .into_iter()
            .map(|b| (b, settings.approval.get(b).code().to_owned()))
            .collect();
        let accounts = settings
            .accounts
            .iter()
            .map(|(id, l)| {
                let items = AccountDailyLimits::ITEMS
                    .into_iter()
                    .map(|i| (i, l.get(i).get().to_string()))
                    .collect();
                (*id, items)
            })
            .collect();
        let company = CompanyDailyLimits::ITEMS
            .into_iter()
            .map(|i| (i, settings.company.get(i).get().to_string()))
            .collect();
        Self {
            approval,
            accounts,
            company,
        }
    }

    /// Every field with its typed value (for carrying the input through 確認 in hidden fields).
    pub fn fields(&self) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = self
            .approval
            .iter()
            .map(|(b, v)| (approval_field(*b), v.clone()))
            .collect();
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
        for b in ApprovalBusiness::ALL {
            if approval_field(b) == field {
                return self.approval.get(&b).cloned().unwrap_or_default();
            }
        }
        for item in CompanyDailyLimits::ITEMS {
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
            approval: ApprovalBusiness::ALL
                .into_iter()
                .map(|b| (b, get(&approval_field(b))))
                .collect(),
            accounts: account_ids
                .iter()
                .map(|id| {
                    let items = AccountDailyLimits::ITEMS
                        .into_iter()
                        .map(|i| (i, get(&account_field(*id, i))))
                        .collect();
                    (*id, items)
                })
                .collect(),
            company: CompanyDailyLimits::ITEMS
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

        for b in ApprovalBusiness::ALL {
            let field = approval_field(b);
            let typed = self.approval.get(&b).map(String::as_str).unwrap_or("");
            match ApprovalMode::from_code(typed) {
                Some(mode) if b.offered().contains(&mode) => settings.approval.set(b, mode),
                Some(_) => errors.add(
                    field,
                    Error::ApprovalNotOffered {
                        business: b.label(),
                    },
                ),
                None if typed.is_empty() => errors.add(field, Error::Required { label: b.label() }),
                None => errors.add(
                    field,
                    Error::Choice {
                        label: b.label(),
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
            for item in AccountDailyLimits::ITEMS {
                let field = account_field(*id, item);
                let value = typed
                    .and_then(|t| t.get(&item))
                    .map(String::as_str)
                    .unwrap_or("");
                match parse_limit(item, value, ceilings) {
                    Ok(v) => limits.set(item, v),
                    Err(e) => {
                        errors.add(field, e);
                        ok = false;
                    }
                }
            }
            if ok {
                // 都度指定 and 事前登録 are parts of the account's 合計.
                for sub in [CeilingItem::TransferAdHoc, CeilingItem::TransferRegistered] {
                    if limits.get(sub) > limits.transfer_total {
                        errors.add(
                            account_field(*id, sub),
                            Error::AboveTotal {
                                label: sub.label(),
                                total: CeilingItem::TransferTotal.label(),
                            },
                        );
                    }
                }
            }
            settings.accounts.insert(*id, limits);
        }

        for item in CompanyDailyLimits::ITEMS {
            let value = self.company.get(&item).map(String::as_str).unwrap_or("");
            match parse_limit(item, value, ceilings) {
                Ok(v) => settings.company.set(item, v),
                Err(e) => errors.add(company_field(item), e),
            }
        }
        errors.into_result().map(|()| settings)
    }
}

fn choices(b: ApprovalBusiness) -> &'static str {
    match b {
        ApprovalBusiness::Transfer => {
            "承認なし、シングル承認、ダブル承認(順序なし)、ダブル承認(順序あり)"
        }
        _ => "シングル承認、ダブル承認(順序なし)、ダブル承認(順序あり)",
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
