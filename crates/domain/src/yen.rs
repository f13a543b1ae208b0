//! Whole yen: the one money type. Amounts are an `i64` of yen, never floating point, and
//! never negative. Parsing typed amounts (with the manual's digit rules) is in `money.rs`.

use std::fmt;

/// A non-negative amount of whole yen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Yen(pub(crate) i64);

impl Yen {
    pub const ZERO: Yen = Yen(0);

    /// Rebuilds an amount read back from storage; negative values are refused.
    pub fn from_stored(value: i64) -> Option<Self> {
        (value >= 0).then_some(Yen(value))
    }

    pub fn get(self) -> i64 {
        self.0
    }

    /// 1,234,567 (thousands separators, no unit).
    pub fn grouped(self) -> String {
        let digits = self.0.to_string();
        let mut out = String::with_capacity(digits.len() + digits.len() / 3);
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push(',');
            }
            out.push(c);
        }
        out
    }
}

impl fmt::Display for Yen {
    /// 1,234,567円
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}円", self.grouped())
    }
}
