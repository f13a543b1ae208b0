//! What an order uses of the daily limits when the bank accepts it (domain.md §3): the
//! user's 一回当たり限度額 for the business, checked against the order's amount; and the
//! day's usage of each daily limit that applies — for 振込振替 the paying account's limit of
//! its category (都度指定 or 事前登録) **and** its 合計, for 総合振込・給与・賞与・口座振替 the
//! company's limit of the business. A day is 00:00–24:00 日本時間 by acceptance; fees are
//! not counted. The store adds the amounts with one conditional update per limit in the
//! transaction that accepts the order, so no interleaving accepts more than a limit.

use crate::error::Error;
use crate::limits::{AccountDailyLimits, CompanyDailyLimits, CompanyLimit, TransferCategory};
use crate::yen::Yen;

/// A daily limit whose usage is counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LimitScope {
    /// 口座一日当たりの限度額 of one account, for one category of 振込振替.
    Account {
        account_id: i64,
        category: TransferCategory,
    },
    /// 企業一日当たりの限度額 of one business.
    Company(CompanyLimit),
}

impl LimitScope {
    /// The stable name the store counts the usage under.
    pub fn key(self) -> String {
        match self {
            LimitScope::Account {
                account_id,
                category,
            } => format!("account:{account_id}:{}", category.key()),
            LimitScope::Company(l) => format!("company:{}", l.key()),
        }
    }

    /// How a refusal names it.
    pub fn label(self) -> String {
        match self {
            LimitScope::Account { category, .. } => {
                format!("口座一日当たりの限度額（{}）", category.label())
            }
            LimitScope::Company(l) => format!("企業一日当たりの限度額（{}）", l.label()),
        }
    }
}

/// One limit an order uses: its scope, the limit, and the order's amount.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reservation {
    pub scope: LimitScope,
    pub limit: Yen,
    pub amount: Yen,
}

/// The limits a 振込振替 of `amount` from `account_id` to a payee of `category` uses.
pub fn transfer_reservations(
    account_id: i64,
    limits: &AccountDailyLimits,
    category: TransferCategory,
    amount: Yen,
) -> Vec<Reservation> {
    let of = |category| Reservation {
        scope: LimitScope::Account {
            account_id,
            category,
        },
        limit: limits.get(category),
        amount,
    };
    match category {
        TransferCategory::Total => vec![of(TransferCategory::Total)],
        c => vec![of(c), of(TransferCategory::Total)],
    }
}

/// The limit a file of the business (総合振込 …) totalling `amount` uses.
pub fn company_reservation(
    limit: CompanyLimit,
    limits: &CompanyDailyLimits,
    amount: Yen,
) -> Reservation {
    Reservation {
        scope: LimitScope::Company(limit),
        limit: limits.get(limit),
        amount,
    }
}

/// 利用者一回当たり限度額: an order above the user's limit for the business is refused.
pub fn check_per_order(user_limit: Yen, amount: Yen) -> Result<(), Error> {
    if amount.get() > user_limit.get() {
        return Err(Error::AboveUserLimit {
            limit: user_limit.grouped(),
        });
    }
    Ok(())
}

/// The refusal of a reservation that does not fit: the limit, and what remains today.
pub fn reached(scope: LimitScope, limit: Yen, used: Yen) -> Error {
    Error::LimitReached {
        label: scope.label(),
        remaining: Yen::from_stored((limit.get() - used.get()).max(0))
            .unwrap_or(Yen::ZERO)
            .grouped(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn yen(v: i64) -> Yen {
        Yen::from_stored(v).unwrap()
    }

    #[test]
    fn an_ad_hoc_transfer_uses_its_category_and_the_total() {
        let limits = AccountDailyLimits {
            transfer_total: yen(1_000_000),
            transfer_ad_hoc: yen(300_000),
            transfer_registered: yen(800_000),
        };
        let r = transfer_reservations(7, &limits, TransferCategory::AdHoc, yen(50_000));
        assert_eq!(r.len(), 2);
        assert_eq!(r[0].scope.key(), "account:7:transfer_ad_hoc");
        assert_eq!(r[0].limit, yen(300_000));
        assert_eq!(r[1].scope.key(), "account:7:transfer_total");
        assert_eq!(r[1].limit, yen(1_000_000));
        let reg = transfer_reservations(7, &limits, TransferCategory::Registered, yen(1));
        assert_eq!(
            reg[0].scope.label(),
            "口座一日当たりの限度額（振込振替(事前登録)）"
        );
    }

    #[test]
    fn refusals_name_the_limit_and_what_remains() {
        assert!(check_per_order(yen(100_000), yen(100_000)).is_ok());
        let e = check_per_order(yen(100_000), yen(100_001)).unwrap_err();
        assert_eq!(e.code(), "LIM-0005");
        assert!(e.message_ja().contains("100,000円"));
        let scope = LimitScope::Account {
            account_id: 1,
            category: TransferCategory::Total,
        };
        let e = reached(scope, yen(1_000_000), yen(950_000));
        assert_eq!(e.code(), "LIM-0004");
        assert_eq!(
            e.message_ja(),
            "口座一日当たりの限度額（振込振替(合計)）を超えるため、受け付けできません。本日の残りは50,000円です。"
        );
        let company = LimitScope::Company(CompanyLimit::Salary);
        assert_eq!(company.key(), "company:salary");
    }
}
