//! 手数料: 先方負担手数料 (deducted from the 支払金額), 当方負担手数料 (the real bank fee on
//! the 振込金額), the three 手数料計算方法, and the payer's 差益/差損.
//!
//! A fee table has amount tiers split at boundaries `B1 < B2 < …` and, per tier, a fee for
//! each 振込パターン. The 手数料計算方法 decide where the tier changes for a 支払金額 P
//! (`reference/domain.md` §1.2, generalised to several tiers by shifting every boundary):
//!
//! | 方式 | P is in the tier above boundary B iff |
//! |---|---|
//! | 据置型 (`Unshifted`) | P ≥ B |
//! | 未満手数料加算型 (`AddLowerFee`) | P ≥ B + fee of the tier below B |
//! | 以上手数料加算型 (`AddUpperFee`) | P ≥ B + fee of the tier above B |
//!
//! 振込金額 = P − 先方負担手数料, and the real fee is looked up on the 振込金額 in the
//! payer's table with plain boundaries. 差益 (+) / 差損 (−) = deduction − real fee.

use std::fmt;

use crate::error::Error;
use crate::money::Yen;

/// 振込パターン: where the money goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Route {
    /// 同一店宛
    SameBranch,
    /// 本支店宛
    OtherBranch,
    /// 他行宛
    OtherBank,
}

impl Route {
    pub const ALL: [Route; 3] = [Route::SameBranch, Route::OtherBranch, Route::OtherBank];

    pub fn label(self) -> &'static str {
        match self {
            Route::SameBranch => "同一店宛",
            Route::OtherBranch => "本支店宛",
            Route::OtherBank => "他行宛",
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            Route::SameBranch => "same_branch",
            Route::OtherBranch => "other_branch",
            Route::OtherBank => "other_bank",
        }
    }

    pub fn from_key(key: &str) -> Option<Self> {
        Route::ALL.into_iter().find(|r| r.key() == key)
    }

    fn index(self) -> usize {
        match self {
            Route::SameBranch => 0,
            Route::OtherBranch => 1,
            Route::OtherBank => 2,
        }
    }
}

/// 手数料計算方法 of 先方負担手数料[総合振込].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FeeMethod {
    /// 据置型
    Unshifted,
    /// 以上手数料加算型
    AddUpperFee,
    /// 未満手数料加算型
    AddLowerFee,
}

impl FeeMethod {
    pub const ALL: [FeeMethod; 3] = [
        FeeMethod::Unshifted,
        FeeMethod::AddUpperFee,
        FeeMethod::AddLowerFee,
    ];

    pub fn label(self) -> &'static str {
        match self {
            FeeMethod::Unshifted => "据置型",
            FeeMethod::AddUpperFee => "以上手数料加算型",
            FeeMethod::AddLowerFee => "未満手数料加算型",
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            FeeMethod::Unshifted => "unshifted",
            FeeMethod::AddUpperFee => "add_upper_fee",
            FeeMethod::AddLowerFee => "add_lower_fee",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        FeeMethod::ALL.into_iter().find(|m| m.code() == code)
    }
}

/// The fees of one amount tier, per 振込パターン (税込 yen).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RouteFees(pub [Yen; 3]);

impl RouteFees {
    pub fn get(&self, route: Route) -> Yen {
        self.0.get(route.index()).copied().unwrap_or(Yen::ZERO)
    }

    pub fn set(&mut self, route: Route, fee: Yen) {
        if let Some(slot) = self.0.get_mut(route.index()) {
            *slot = fee;
        }
    }
}

/// A fee table: `boundaries.len() + 1` tiers; tier 0 is below the first boundary.
/// Always valid: boundaries strictly increasing and positive, one fee row per tier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeeTable {
    boundaries: Vec<Yen>,
    fees: Vec<RouteFees>,
}

/// The largest fee a table may hold (a sanity bound; real fees are a few hundred yen).
pub const MAX_FEE: i64 = 99_999;
/// Digits allowed for a 支払金額範囲 boundary.
pub const BOUNDARY_DIGITS: usize = 12;

impl FeeTable {
    /// Builds a table, refusing boundaries that are not strictly increasing and positive,
    /// a fee row count that does not match, or a fee above [`MAX_FEE`].
    pub fn new(boundaries: Vec<Yen>, fees: Vec<RouteFees>) -> Result<Self, Error> {
        if fees.len() != boundaries.len() + 1 {
            return Err(Error::FeeTiers);
        }
        let mut previous = Yen::ZERO;
        for b in &boundaries {
            if *b <= previous {
                return Err(Error::BoundaryOrder);
            }
            previous = *b;
        }
        if fees.iter().any(|f| f.0.iter().any(|y| y.get() > MAX_FEE)) {
            return Err(Error::FeeTooLarge {
                max: Yen::from_stored(MAX_FEE).unwrap_or(Yen::ZERO),
            });
        }
        Ok(Self { boundaries, fees })
    }

    /// A table without amount tiers.
    pub fn flat(fees: RouteFees) -> Self {
        Self {
            boundaries: Vec::new(),
            fees: vec![fees],
        }
    }

    pub fn boundaries(&self) -> &[Yen] {
        &self.boundaries
    }

    pub fn tiers(&self) -> &[RouteFees] {
        &self.fees
    }

    /// The tier of `amount` with plain boundaries (据置: tier above B iff amount ≥ B).
    pub fn plain_tier(&self, amount: Yen) -> usize {
        self.boundaries.iter().take_while(|b| amount >= **b).count()
    }

    /// The tier of 支払金額 `payment` for `route` under `method`. Boundaries are tested in
    /// order, each shifted by the method, and the first one not reached ends the search.
    pub fn tier(&self, method: FeeMethod, route: Route, payment: Yen) -> usize {
        let mut tier = 0;
        for (i, boundary) in self.boundaries.iter().enumerate() {
            let shift = match method {
                FeeMethod::Unshifted => 0,
                FeeMethod::AddLowerFee => self.fee(i, route).get(),
                FeeMethod::AddUpperFee => self.fee(i + 1, route).get(),
            };
            if payment.get() >= boundary.get().saturating_add(shift) {
                tier = i + 1;
            } else {
                break;
            }
        }
        tier
    }

    /// The fee of `tier` for `route`.
    pub fn fee(&self, tier: usize, route: Route) -> Yen {
        self.fees
            .get(tier)
            .map(|f| f.get(route))
            .unwrap_or(Yen::ZERO)
    }

    /// The real fee (当方負担) on a 振込金額.
    pub fn real_fee(&self, route: Route, transfer_amount: Yen) -> Yen {
        self.fee(self.plain_tier(transfer_amount), route)
    }
}

/// How a company deducts 先方負担手数料.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayeeFeeRule {
    pub table: FeeTable,
    /// 手数料計算方法 (振込振替 has none: 据置型).
    pub method: FeeMethod,
    /// 適用最低支払金額: below it nothing is deducted.
    pub minimum_payment: Yen,
}

/// One fee calculation, as the simulator and (later) the transfer businesses see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FeeCalculation {
    /// 支払金額
    pub payment: Yen,
    /// 先方負担手数料 deducted
    pub deduction: Yen,
    /// 振込金額 = 支払金額 − 先方負担手数料
    pub transfer_amount: Yen,
    /// 当方負担手数料 (the real fee on the 振込金額)
    pub real_fee: Yen,
}

impl FeeCalculation {
    /// 差益 (positive) or 差損 (negative) of the payer: deduction − real fee.
    pub fn payer_difference(&self) -> i64 {
        self.deduction.get() - self.real_fee.get()
    }

    /// What leaves the payer's account: 振込金額 + real fee.
    pub fn payer_total(&self) -> i64 {
        self.transfer_amount.get() + self.real_fee.get()
    }
}

impl fmt::Display for FeeCalculation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "支払金額 {} − 先方負担手数料 {} = 振込金額 {}（当方負担手数料 {}）",
            self.payment, self.deduction, self.transfer_amount, self.real_fee
        )
    }
}

impl PayeeFeeRule {
    /// 先方負担手数料 for `payment` to `route`. A deduction that would reach or exceed the
    /// payment is refused.
    pub fn deduction(&self, route: Route, payment: Yen) -> Result<Yen, Error> {
        if payment < self.minimum_payment {
            return Ok(Yen::ZERO);
        }
        let fee = self
            .table
            .fee(self.table.tier(self.method, route, payment), route);
        if fee >= payment && fee > Yen::ZERO {
            return Err(Error::DeductionTooLarge { payment, fee });
        }
        Ok(fee)
    }

    /// The whole calculation: deduction, 振込金額, and the real fee from `payer_table`.
    pub fn calculate(
        &self,
        payer_table: &FeeTable,
        route: Route,
        payment: Yen,
    ) -> Result<FeeCalculation, Error> {
        let deduction = self.deduction(route, payment)?;
        let transfer_amount =
            Yen::from_stored(payment.get() - deduction.get()).ok_or(Error::Internal)?;
        Ok(FeeCalculation {
            payment,
            deduction,
            transfer_amount,
            real_fee: payer_table.real_fee(route, transfer_amount),
        })
    }
}

mod setting;

pub use setting::{
    FEE_DIGITS, FORM_ROWS, FeeInput, FeeKind, FeeRowInput, FeeSetting, TableData, fee_field,
    lower_field,
};

#[cfg(test)]
mod tests;
