//! 限度額: the bank's 届出限度額 (ceilings) and the limits a company sets under them —
//! 口座一日当たりの限度額 per account (振込振替: 合計, 都度指定, 事前登録) and
//! 企業一日当たりの限度額 for the businesses that have one. Every item is named by a typed
//! value and read by an exhaustive match, so no item can silently read another's field.

use crate::business::Business;
use crate::yen::Yen;

/// The three 口座一日当たりの限度額 of 振込振替.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TransferCategory {
    /// 振込振替(合計)
    Total,
    /// 振込振替(都度指定): payees entered by the user
    AdHoc,
    /// 振込振替(事前登録): payees the bank registered
    Registered,
}

impl TransferCategory {
    pub const ALL: [TransferCategory; 3] = [
        TransferCategory::Total,
        TransferCategory::AdHoc,
        TransferCategory::Registered,
    ];

    pub fn label(self) -> &'static str {
        match self {
            TransferCategory::Total => "振込振替(合計)",
            TransferCategory::AdHoc => "振込振替(都度指定)",
            TransferCategory::Registered => "振込振替(事前登録)",
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            TransferCategory::Total => "transfer_total",
            TransferCategory::AdHoc => "transfer_ad_hoc",
            TransferCategory::Registered => "transfer_registered",
        }
    }
}

/// The businesses with a 企業一日当たりの限度額 (振込振替's limits are per account).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CompanyLimit {
    BulkTransfer,
    Salary,
    Bonus,
    DirectDebit,
}

impl CompanyLimit {
    pub const ALL: [CompanyLimit; 4] = [
        CompanyLimit::BulkTransfer,
        CompanyLimit::Salary,
        CompanyLimit::Bonus,
        CompanyLimit::DirectDebit,
    ];

    pub fn business(self) -> Business {
        match self {
            CompanyLimit::BulkTransfer => Business::BulkTransfer,
            CompanyLimit::Salary => Business::Salary,
            CompanyLimit::Bonus => Business::Bonus,
            CompanyLimit::DirectDebit => Business::DirectDebit,
        }
    }

    pub fn label(self) -> &'static str {
        self.business().label()
    }

    pub fn key(self) -> &'static str {
        self.business().key()
    }
}

impl Business {
    /// Its 企業一日当たりの限度額, if it has one (振込振替's limits are per account).
    pub fn company_limit(self) -> Option<CompanyLimit> {
        match self {
            Business::Transfer => None,
            Business::BulkTransfer => Some(CompanyLimit::BulkTransfer),
            Business::Salary => Some(CompanyLimit::Salary),
            Business::Bonus => Some(CompanyLimit::Bonus),
            Business::DirectDebit => Some(CompanyLimit::DirectDebit),
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
    pub fn get(&self, c: TransferCategory) -> Yen {
        match c {
            TransferCategory::Total => self.transfer_total,
            TransferCategory::AdHoc => self.transfer_ad_hoc,
            TransferCategory::Registered => self.transfer_registered,
        }
    }

    pub fn set(&mut self, c: TransferCategory, v: Yen) {
        match c {
            TransferCategory::Total => self.transfer_total = v,
            TransferCategory::AdHoc => self.transfer_ad_hoc = v,
            TransferCategory::Registered => self.transfer_registered = v,
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
    pub fn get(&self, l: CompanyLimit) -> Yen {
        match l {
            CompanyLimit::BulkTransfer => self.bulk_transfer,
            CompanyLimit::Salary => self.salary,
            CompanyLimit::Bonus => self.bonus,
            CompanyLimit::DirectDebit => self.direct_debit,
        }
    }

    pub fn set(&mut self, l: CompanyLimit, v: Yen) {
        match l {
            CompanyLimit::BulkTransfer => self.bulk_transfer = v,
            CompanyLimit::Salary => self.salary = v,
            CompanyLimit::Bonus => self.bonus = v,
            CompanyLimit::DirectDebit => self.direct_debit = v,
        }
    }
}

/// One item the bank sets a 届出限度額 for: an account limit of 振込振替, or a company limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CeilingItem {
    Account(TransferCategory),
    Company(CompanyLimit),
}

impl CeilingItem {
    pub const ALL: [CeilingItem; 7] = [
        CeilingItem::Account(TransferCategory::Total),
        CeilingItem::Account(TransferCategory::AdHoc),
        CeilingItem::Account(TransferCategory::Registered),
        CeilingItem::Company(CompanyLimit::BulkTransfer),
        CeilingItem::Company(CompanyLimit::Salary),
        CeilingItem::Company(CompanyLimit::Bonus),
        CeilingItem::Company(CompanyLimit::DirectDebit),
    ];

    /// The item's name on screens and in the 操作履歴.
    pub fn label(self) -> &'static str {
        match self {
            CeilingItem::Account(c) => c.label(),
            CeilingItem::Company(l) => l.label(),
        }
    }

    /// The column / field name in code, storage and the API.
    pub fn key(self) -> &'static str {
        match self {
            CeilingItem::Account(c) => c.key(),
            CeilingItem::Company(l) => l.key(),
        }
    }

    /// Digits the manual allows: 15 for 口座一日当たり, 12 for 企業一日当たり.
    pub fn max_digits(self) -> usize {
        match self {
            CeilingItem::Account(_) => 15,
            CeilingItem::Company(_) => 12,
        }
    }
}

/// The bank's 届出限度額 for one company: no limit the company sets may exceed these.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct BankCeilings {
    pub account: AccountDailyLimits,
    pub company: CompanyDailyLimits,
}

impl BankCeilings {
    pub fn get(&self, item: CeilingItem) -> Yen {
        match item {
            CeilingItem::Account(c) => self.account.get(c),
            CeilingItem::Company(l) => self.company.get(l),
        }
    }

    pub fn set(&mut self, item: CeilingItem, value: Yen) {
        match item {
            CeilingItem::Account(c) => self.account.set(c, value),
            CeilingItem::Company(l) => self.company.set(l, value),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_item_reads_its_own_field() {
        let mut c = BankCeilings::default();
        for (i, item) in CeilingItem::ALL.into_iter().enumerate() {
            c.set(
                item,
                Yen::from_stored(i64::try_from(i).unwrap() + 1).unwrap(),
            );
        }
        for (i, item) in CeilingItem::ALL.into_iter().enumerate() {
            assert_eq!(c.get(item).get(), i64::try_from(i).unwrap() + 1, "{item:?}");
        }
        let keys: std::collections::BTreeSet<_> = CeilingItem::ALL.map(|i| i.key()).into();
        assert_eq!(keys.len(), 7);
        assert_eq!(Business::Transfer.company_limit(), None);
        assert_eq!(
            Business::Bonus.company_limit().map(CompanyLimit::business),
            Some(Business::Bonus)
        );
    }
}
