//! A company's 手数料情報: which table it uses (the bank's 基準手数料 or its own), the
//! 手数料計算方法 and 適用最低支払金額, and the form input that sets them.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{BOUNDARY_DIGITS, FeeMethod, FeeTable, MAX_FEE, Route, RouteFees};
use crate::error::{Error, FieldErrors};
use crate::money::Yen;

/// The three fee tables a company manages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FeeKind {
    /// 先方負担手数料[振込振替]
    PayeeTransfer,
    /// 先方負担手数料[総合振込]
    PayeeBulk,
    /// 当方負担手数料[総合振込]
    PayerBulk,
}

impl FeeKind {
    pub const ALL: [FeeKind; 3] = [
        FeeKind::PayeeTransfer,
        FeeKind::PayeeBulk,
        FeeKind::PayerBulk,
    ];

    pub fn label(self) -> &'static str {
        match self {
            FeeKind::PayeeTransfer => "先方負担手数料[振込振替]",
            FeeKind::PayeeBulk => "先方負担手数料[総合振込]",
            FeeKind::PayerBulk => "当方負担手数料[総合振込]",
        }
    }

    /// Path segment and storage key.
    pub fn key(self) -> &'static str {
        match self {
            FeeKind::PayeeTransfer => "payee-transfer",
            FeeKind::PayeeBulk => "payee-bulk",
            FeeKind::PayerBulk => "payer-bulk",
        }
    }

    pub fn from_key(key: &str) -> Option<Self> {
        FeeKind::ALL.into_iter().find(|k| k.key() == key)
    }

    /// 手数料計算方法 is chosen only for 先方負担手数料[総合振込] (振込振替 is always 据置型,
    /// and the real fee has no method).
    pub fn has_method(self) -> bool {
        self == FeeKind::PayeeBulk
    }

    /// 適用最低支払金額 exists for the 先方負担 tables.
    pub fn has_minimum(self) -> bool {
        self != FeeKind::PayerBulk
    }

    /// The amount the tiers are on: 支払金額 (先方負担) or 振込金額 (当方負担).
    pub fn range_label(self) -> &'static str {
        match self {
            FeeKind::PayerBulk => "振込金額範囲",
            FeeKind::PayeeTransfer | FeeKind::PayeeBulk => "支払金額範囲",
        }
    }

    /// Screen ids of 変更 / 確認 / 結果 / 照会.
    pub fn screen_ids(self) -> [&'static str; 4] {
        match self {
            FeeKind::PayeeTransfer => ["BKGK011", "BKGK012", "BKGK013", "BKGK031"],
            FeeKind::PayeeBulk => ["BKGK021", "BKGK022", "BKGK023", "BKGK032"],
            FeeKind::PayerBulk => ["BKGK025", "BKGK026", "BKGK027", "BKGK033"],
        }
    }
}

/// One company's setting for one [`FeeKind`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeeSetting {
    /// 基準手数料の使用有無: 使用する (always the bank's current table) or 使用しない.
    pub use_standard: bool,
    pub method: FeeMethod,
    pub minimum_payment: Yen,
    /// The company's own table (`None` while it uses the standard one).
    pub table: Option<FeeTable>,
}

impl Default for FeeSetting {
    /// A company starts on the bank's standard fees, 据置型, no minimum.
    fn default() -> Self {
        Self {
            use_standard: true,
            method: FeeMethod::Unshifted,
            minimum_payment: Yen::ZERO,
            table: None,
        }
    }
}

impl FeeSetting {
    /// The table in force: the bank's `standard` one (for the 振込指定日) while the company
    /// uses it, else its own.
    pub fn table<'a>(&'a self, standard: Option<&'a FeeTable>) -> Option<&'a FeeTable> {
        if self.use_standard {
            standard
        } else {
            self.table.as_ref()
        }
    }
}

/// The stored/API form of a table: boundaries and one fee triple per tier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableData {
    pub boundaries: Vec<i64>,
    /// Per tier: 同一店宛, 本支店宛, 他行宛.
    pub fees: Vec<[i64; 3]>,
}

impl From<&FeeTable> for TableData {
    fn from(t: &FeeTable) -> Self {
        Self {
            boundaries: t.boundaries().iter().map(|b| b.get()).collect(),
            fees: t.tiers().iter().map(|f| f.0.map(Yen::get)).collect(),
        }
    }
}

impl TableData {
    /// Rebuilds a table, applying every rule of [`FeeTable::new`].
    pub fn to_table(&self) -> Result<FeeTable, Error> {
        let yen = |v: i64| Yen::from_stored(v).ok_or(Error::BoundaryOrder);
        let boundaries = self
            .boundaries
            .iter()
            .map(|b| yen(*b))
            .collect::<Result<Vec<_>, _>>()?;
        let fees = self
            .fees
            .iter()
            .map(|f| {
                let mut row = RouteFees::default();
                for (route, v) in Route::ALL.into_iter().zip(f) {
                    row.set(
                        route,
                        Yen::from_stored(*v).ok_or(Error::FeeTooLarge { max: max_fee() })?,
                    );
                }
                Ok(row)
            })
            .collect::<Result<Vec<_>, Error>>()?;
        FeeTable::new(boundaries, fees)
    }
}

fn max_fee() -> Yen {
    Yen::from_stored(MAX_FEE).unwrap_or(Yen::ZERO)
}

/// Rows a fee form offers (a bank table rarely has more than three tiers).
pub const FORM_ROWS: usize = 5;
/// Digits of a fee (up to 99,999円).
pub const FEE_DIGITS: usize = 5;

/// The typed fields of a fee change, as strings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FeeInput {
    /// "1" 使用する / "0" 使用しない
    pub use_standard: String,
    pub method: String,
    pub minimum_payment: String,
    /// Row i: its lower bound (row 0 has none) and its three fees.
    pub rows: Vec<FeeRowInput>,
}

/// One row of the fee form.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FeeRowInput {
    pub lower: String,
    pub fees: [String; 3],
}

impl FeeRowInput {
    fn is_blank(&self) -> bool {
        self.lower.trim().is_empty() && self.fees.iter().all(|f| f.trim().is_empty())
    }
}

/// Field names of the fee form.
pub fn lower_field(row: usize) -> String {
    format!("lower_{row}")
}

pub fn fee_field(row: usize, route: Route) -> String {
    format!("fee_{row}_{}", route.key())
}

impl FeeInput {
    /// Reads a posted form.
    pub fn from_fields(fields: &BTreeMap<String, String>) -> Self {
        let get = |k: &str| fields.get(k).cloned().unwrap_or_default();
        Self {
            use_standard: get("use_standard"),
            method: get("method"),
            minimum_payment: get("minimum_payment"),
            rows: (0..FORM_ROWS)
                .map(|i| FeeRowInput {
                    lower: if i == 0 {
                        String::new()
                    } else {
                        get(&lower_field(i))
                    },
                    fees: Route::ALL.map(|r| get(&fee_field(i, r))),
                })
                .collect(),
        }
    }

    /// The input showing `setting` (with `table` in the rows: its own, or the standard one).
    pub fn from_setting(setting: &FeeSetting, table: Option<&FeeTable>) -> Self {
        let mut input = Self {
            use_standard: if setting.use_standard { "1" } else { "0" }.to_owned(),
            method: setting.method.code().to_owned(),
            minimum_payment: setting.minimum_payment.get().to_string(),
            rows: Vec::new(),
        };
        if let Some(t) = setting.table.as_ref().or(table) {
            input.load_table(t);
        }
        input
    }

    /// 「手数料を読み込む」: replaces the rows with `table` (a copy; nothing is linked).
    pub fn load_table(&mut self, table: &FeeTable) {
        self.rows = table
            .tiers()
            .iter()
            .enumerate()
            .map(|(i, fees)| FeeRowInput {
                lower: if i == 0 {
                    String::new()
                } else {
                    table
                        .boundaries()
                        .get(i - 1)
                        .map(|b| b.get().to_string())
                        .unwrap_or_default()
                },
                fees: Route::ALL.map(|r| fees.get(r).get().to_string()),
            })
            .collect();
    }

    /// Every field with its value, for hidden fields and re-showing the form.
    pub fn fields(&self) -> Vec<(String, String)> {
        let mut out = vec![
            ("use_standard".to_owned(), self.use_standard.clone()),
            ("method".to_owned(), self.method.clone()),
            ("minimum_payment".to_owned(), self.minimum_payment.clone()),
        ];
        for (i, row) in self.rows.iter().enumerate() {
            if i > 0 {
                out.push((lower_field(i), row.lower.clone()));
            }
            for (route, fee) in Route::ALL.into_iter().zip(&row.fees) {
                out.push((fee_field(i, route), fee.clone()));
            }
        }
        out
    }

    /// Applies the rules for `kind`: every field checked, each refusal at its field.
    pub fn parse(&self, kind: FeeKind) -> Result<FeeSetting, Error> {
        let mut errors = FieldErrors::new();
        let use_standard = match self.use_standard.as_str() {
            "1" => Some(true),
            "0" => Some(false),
            _ => {
                errors.add(
                    "use_standard",
                    Error::Choice {
                        label: "基準手数料の使用有無",
                        choices: "使用する、使用しない",
                    },
                );
                None
            }
        };
        let method = if kind.has_method() {
            match FeeMethod::from_code(&self.method) {
                Some(m) => m,
                None => {
                    errors.add(
                        "method",
                        Error::Choice {
                            label: "手数料計算方法",
                            choices: "据置型、以上手数料加算型、未満手数料加算型",
                        },
                    );
                    FeeMethod::Unshifted
                }
            }
        } else {
            FeeMethod::Unshifted
        };
        let minimum_payment = if kind.has_minimum() {
            errors
                .check(
                    "minimum_payment",
                    Yen::parse("適用最低支払金額", &self.minimum_payment, BOUNDARY_DIGITS),
                )
                .unwrap_or(Yen::ZERO)
        } else {
            Yen::ZERO
        };
        let table = match use_standard {
            Some(false) => self.parse_table(kind, &mut errors),
            _ => None,
        };
        errors.into_result()?;
        Ok(FeeSetting {
            use_standard: use_standard.unwrap_or(true),
            method,
            minimum_payment,
            table,
        })
    }

    fn parse_table(&self, kind: FeeKind, errors: &mut FieldErrors) -> Option<FeeTable> {
        let mut boundaries = Vec::new();
        let mut fees = Vec::new();
        let mut ok = true;
        // The first row is always checked (at least one tier); blank later rows are unused.
        let first = FeeRowInput::default();
        let rows: Vec<(usize, &FeeRowInput)> =
            std::iter::once((0, self.rows.first().unwrap_or(&first)))
                .chain(
                    self.rows
                        .iter()
                        .enumerate()
                        .skip(1)
                        .filter(|(_, r)| !r.is_blank()),
                )
                .collect();
        for (i, row) in rows {
            if i > 0 {
                match Yen::parse(kind.range_label(), &row.lower, BOUNDARY_DIGITS) {
                    Ok(b) if b > boundaries.last().copied().unwrap_or(Yen::ZERO) => {
                        boundaries.push(b)
                    }
                    Ok(_) => {
                        errors.add(lower_field(i), Error::BoundaryOrder);
                        ok = false;
                    }
                    Err(e) => {
                        errors.add(lower_field(i), e);
                        ok = false;
                    }
                }
            }
            let mut tier = RouteFees::default();
            for (route, typed) in Route::ALL.into_iter().zip(&row.fees) {
                match Yen::parse(route.label(), typed, FEE_DIGITS) {
                    Ok(fee) => tier.set(route, fee),
                    Err(e) => {
                        errors.add(fee_field(i, route), e);
                        ok = false;
                    }
                }
            }
            fees.push(tier);
        }
        if !ok {
            return None;
        }
        match FeeTable::new(boundaries, fees) {
            Ok(t) => Some(t),
            Err(e) => {
                errors.add("table", e);
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn own(rows: &[(&str, [&str; 3])]) -> FeeInput {
        FeeInput {
            use_standard: "0".into(),
            method: "add_upper_fee".into(),
            minimum_payment: "10000".into(),
            rows: rows
                .iter()
                .map(|(l, f)| FeeRowInput {
                    lower: (*l).into(),
                    fees: f.map(str::to_owned),
                })
                .collect(),
        }
    }

    fn field_codes(input: &FeeInput, kind: FeeKind) -> Vec<(String, &'static str)> {
        match input.parse(kind) {
            Err(Error::Invalid(f)) => f
                .iter()
                .map(|e| (e.field.clone(), e.error.code()))
                .collect(),
            other => panic!("expected refusal, got {other:?}"),
        }
    }

    #[test]
    fn a_two_tier_table_parses() {
        let s = own(&[("", ["0", "110", "330"]), ("30000", ["0", "220", "550"])])
            .parse(FeeKind::PayeeBulk)
            .unwrap();
        let t = s.table.unwrap();
        assert_eq!(t.boundaries(), &[Yen::from_stored(30_000).unwrap()]);
        assert_eq!(t.fee(1, Route::OtherBank).get(), 550);
        assert_eq!(s.method, FeeMethod::AddUpperFee);
        assert_eq!(s.minimum_payment.get(), 10_000);
    }

    #[test]
    fn blank_rows_are_dropped_and_every_pattern_is_required() {
        let s = own(&[
            ("", ["0", "110", "330"]),
            ("", ["", "", ""]),
            ("", ["", "", ""]),
        ])
        .parse(FeeKind::PayeeTransfer)
        .unwrap();
        assert_eq!(s.table.unwrap().tiers().len(), 1);
        assert_eq!(s.method, FeeMethod::Unshifted, "振込振替 has no method");
        let codes = field_codes(&own(&[("", ["0", "", "330"])]), FeeKind::PayeeBulk);
        assert_eq!(codes, vec![("fee_0_other_branch".to_owned(), "VAL-0001")]);
        let codes = field_codes(&own(&[("", ["", "", ""])]), FeeKind::PayeeBulk);
        assert_eq!(codes.len(), 3, "at least one tier, fully filled");
    }

    #[test]
    fn boundaries_strictly_increase_and_fees_are_half_width_yen() {
        let codes = field_codes(
            &own(&[
                ("", ["0", "1", "2"]),
                ("30000", ["0", "1", "2"]),
                ("30000", ["0", "1", "2"]),
            ]),
            FeeKind::PayeeBulk,
        );
        assert_eq!(codes, vec![("lower_2".to_owned(), "FEE-0001")]);
        let codes = field_codes(
            &own(&[("", ["0", "1", "2"]), ("0", ["0", "1", "2"])]),
            FeeKind::PayeeBulk,
        );
        assert_eq!(codes, vec![("lower_1".to_owned(), "FEE-0001")]);
        let codes = field_codes(&own(&[("", ["０", "-1", "100000"])]), FeeKind::PayeeBulk);
        assert_eq!(codes.len(), 3);
        assert!(
            own(&[("", ["0", "0", "99999"])])
                .parse(FeeKind::PayeeBulk)
                .is_ok()
        );
    }

    #[test]
    fn using_the_standard_needs_no_table_and_the_payer_table_has_no_minimum() {
        let input = FeeInput {
            use_standard: "1".into(),
            method: "unshifted".into(),
            minimum_payment: "0".into(),
            rows: vec![],
        };
        assert_eq!(input.parse(FeeKind::PayeeBulk).unwrap().table, None);
        let payer = FeeInput {
            use_standard: "1".into(),
            ..Default::default()
        };
        assert!(
            payer.parse(FeeKind::PayerBulk).is_ok(),
            "no method, no minimum for 当方負担"
        );
        let bad = FeeInput {
            use_standard: "2".into(),
            ..Default::default()
        };
        assert!(bad.parse(FeeKind::PayerBulk).is_err());
    }

    #[test]
    fn loading_copies_the_table_into_the_rows() {
        let t = own(&[("", ["0", "110", "330"]), ("30000", ["0", "220", "550"])])
            .parse(FeeKind::PayerBulk)
            .unwrap()
            .table
            .unwrap();
        let mut input = FeeInput::default();
        input.load_table(&t);
        assert_eq!(input.rows[1].lower, "30000");
        assert_eq!(input.rows[1].fees[2], "550");
        let data = TableData::from(&t);
        assert_eq!(data.to_table().unwrap(), t);
    }
}
