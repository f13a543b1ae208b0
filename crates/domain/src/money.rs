//! Yen amounts and the bank's 届出限度額 (ceilings). Money is whole yen in an `i64`,
//! never floating point.

use crate::error::Error;
pub use crate::yen::Yen;

impl Yen {
    /// Parses an amount typed into a form: 半角数字 only (no sign, comma, decimal point or
    /// full-width digit), at most `max_digits` digits.
    pub fn parse(label: &'static str, input: &str, max_digits: usize) -> Result<Self, Error> {
        if input.is_empty() {
            return Err(Error::Required { label });
        }
        if input.len() > max_digits || !input.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Error::AmountFormat { label, max_digits });
        }
        // At most 18 digits fit an i64; callers never allow more than 15.
        input
            .parse::<i64>()
            .map(Yen)
            .map_err(|_| Error::AmountFormat { label, max_digits })
    }
}

/// One item the bank sets a 届出限度額 for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CeilingItem {
    TransferTotal,
    TransferAdHoc,
    TransferRegistered,
    BulkTransfer,
    Salary,
    Bonus,
    DirectDebit,
}

impl CeilingItem {
    pub const ALL: [CeilingItem; 7] = [
        CeilingItem::TransferTotal,
        CeilingItem::TransferAdHoc,
        CeilingItem::TransferRegistered,
        CeilingItem::BulkTransfer,
        CeilingItem::Salary,
        CeilingItem::Bonus,
        CeilingItem::DirectDebit,
    ];

    /// The item's name on screens and in the 操作履歴.
    pub fn label(self) -> &'static str {
        match self {
            CeilingItem::TransferTotal => "振込振替(合計)",
            CeilingItem::TransferAdHoc => "振込振替(都度指定)",
            CeilingItem::TransferRegistered => "振込振替(事前登録)",
            CeilingItem::BulkTransfer => "総合振込",
            CeilingItem::Salary => "給与振込",
            CeilingItem::Bonus => "賞与振込",
            CeilingItem::DirectDebit => "口座振替",
        }
    }

    /// The column / field name in code, storage and the API.
    pub fn key(self) -> &'static str {
        match self {
            CeilingItem::TransferTotal => "transfer_total",
            CeilingItem::TransferAdHoc => "transfer_ad_hoc",
            CeilingItem::TransferRegistered => "transfer_registered",
            CeilingItem::BulkTransfer => "bulk_transfer",
            CeilingItem::Salary => "salary",
            CeilingItem::Bonus => "bonus",
            CeilingItem::DirectDebit => "direct_debit",
        }
    }

    /// Digits the manual allows: 15 for 口座一日当たり, 12 for 企業一日当たり.
    pub fn max_digits(self) -> usize {
        match self {
            CeilingItem::TransferTotal
            | CeilingItem::TransferAdHoc
            | CeilingItem::TransferRegistered => 15,
            _ => 12,
        }
    }
}

/// The bank's 届出限度額 for one company: no limit the company sets may exceed these.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct BankCeilings {
    pub transfer_total: Yen,
    pub transfer_ad_hoc: Yen,
    pub transfer_registered: Yen,
    pub bulk_transfer: Yen,
    pub salary: Yen,
    pub bonus: Yen,
    pub direct_debit: Yen,
}

impl BankCeilings {
    pub fn get(&self, item: CeilingItem) -> Yen {
        match item {
            CeilingItem::TransferTotal => self.transfer_total,
            CeilingItem::TransferAdHoc => self.transfer_ad_hoc,
            CeilingItem::TransferRegistered => self.transfer_registered,
            CeilingItem::BulkTransfer => self.bulk_transfer,
            CeilingItem::Salary => self.salary,
            CeilingItem::Bonus => self.bonus,
            CeilingItem::DirectDebit => self.direct_debit,
        }
    }

    pub fn set(&mut self, item: CeilingItem, value: Yen) {
        match item {
            CeilingItem::TransferTotal => self.transfer_total = value,
            CeilingItem::TransferAdHoc => self.transfer_ad_hoc = value,
            CeilingItem::TransferRegistered => self.transfer_registered = value,
            CeilingItem::BulkTransfer => self.bulk_transfer = value,
            CeilingItem::Salary => self.salary = value,
            CeilingItem::Bonus => self.bonus = value,
            CeilingItem::DirectDebit => self.direct_debit = value,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amount_rules() {
        let label = "総合振込";
        assert_eq!(
            Yen::parse(label, "999999999999", 12),
            Ok(Yen(999_999_999_999))
        );
        assert!(matches!(
            Yen::parse(label, "1000000000000", 12),
            Err(Error::AmountFormat { .. })
        ));
        assert!(matches!(
            Yen::parse(label, "１００", 12),
            Err(Error::AmountFormat { .. })
        ));
        assert!(matches!(
            Yen::parse(label, "-1", 12),
            Err(Error::AmountFormat { .. })
        ));
        assert!(matches!(
            Yen::parse(label, "1.5", 12),
            Err(Error::AmountFormat { .. })
        ));
        assert!(matches!(
            Yen::parse(label, "1,000", 12),
            Err(Error::AmountFormat { .. })
        ));
        assert!(matches!(
            Yen::parse(label, "+1", 12),
            Err(Error::AmountFormat { .. })
        ));
        assert!(matches!(
            Yen::parse(label, "", 12),
            Err(Error::Required { .. })
        ));
    }

    #[test]
    fn display_groups_thousands() {
        assert_eq!(Yen(0).to_string(), "0円");
        assert_eq!(Yen(999).to_string(), "999円");
        assert_eq!(Yen(1000).to_string(), "1,000円");
        assert_eq!(Yen(123_456_789).to_string(), "123,456,789円");
    }
}
