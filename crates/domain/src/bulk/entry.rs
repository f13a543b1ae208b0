//! 依頼(画面入力) of the file businesses as typed: the paying (collecting) account, the
//! 振込指定日 (引落日), the 手数料負担 of 総合振込, the approvers and an amount for each
//! payee picked — parsed into what is written as one 全銀協 file.

use time::Date;

use crate::Business;
use crate::error::{Error, FieldErrors};
use crate::transfer::{AMOUNT_DIGITS, FeeSide};
use crate::yen::Yen;

/// A 依頼(画面入力) as typed; `amounts` by payee id (an empty amount: not picked).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(default)]
pub struct EntryInput {
    pub account_id: String,
    /// `YYYY-MM-DD`.
    pub date: String,
    /// `payer` (当方負担) or `payee` (先方負担); 総合振込 only.
    pub fee_side: String,
    pub first_approver: String,
    pub last_approver: String,
    pub amounts: Vec<(i64, String)>,
}

/// A 依頼(画面入力) parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryRequest {
    pub account_id: i64,
    pub date: Date,
    pub fee_side: FeeSide,
    pub first_approver: Option<i64>,
    pub last_approver: Option<i64>,
    /// (payee id, 振込金額 / 引落金額), in the order typed.
    pub lines: Vec<(i64, Yen)>,
}

/// The field of payee `id`'s amount.
pub fn amount_field(id: i64) -> String {
    format!("amount_{id}")
}

/// 振込指定日, or 引落日 for 口座振替.
pub fn date_label(b: Business) -> &'static str {
    if b == Business::DirectDebit {
        "引落日"
    } else {
        "振込指定日"
    }
}

fn approver(typed: &str, label: &'static str) -> Result<Option<i64>, Error> {
    if typed.trim().is_empty() {
        return Ok(None);
    }
    typed
        .trim()
        .parse::<i64>()
        .map(Some)
        .map_err(|_| Error::UnknownCode { label })
}

impl EntryInput {
    /// Every field checked for business `b`; the refusals by field (`account_id`, `date`,
    /// `fee_side`, `amount_{id}`, `amounts` when none is picked, the approvers).
    pub fn parse(&self, b: Business) -> Result<EntryRequest, Error> {
        let mut errors = FieldErrors::new();
        let account = errors.check(
            "account_id",
            if self.account_id.trim().is_empty() {
                Err(Error::NotSelected {
                    label: if b == Business::DirectDebit {
                        "入金口座"
                    } else {
                        "支払口座"
                    },
                })
            } else {
                self.account_id
                    .trim()
                    .parse::<i64>()
                    .map_err(|_| Error::AccountNotUsable)
            },
        );
        let label = date_label(b);
        let date = errors.check(
            "date",
            crate::jst::parse_date(label, self.date.trim()).and_then(|d| {
                Date::parse(
                    &d,
                    time::macros::format_description!("[year]-[month]-[day]"),
                )
                .map_err(|_| Error::DateFormat { label })
            }),
        );
        let fee_side = if b == Business::BulkTransfer && !self.fee_side.is_empty() {
            errors.check("fee_side", FeeSide::parse(&self.fee_side))
        } else {
            Some(FeeSide::Payer)
        };
        let amount_label = if b == Business::DirectDebit {
            "引落金額"
        } else {
            "振込金額"
        };
        let mut lines = Vec::new();
        for (id, typed) in &self.amounts {
            let typed = typed.trim();
            if typed.is_empty() {
                continue;
            }
            let parsed = Yen::parse(amount_label, typed, AMOUNT_DIGITS).and_then(|a| {
                if a == Yen::ZERO {
                    Err(Error::AmountZero {
                        label: amount_label,
                    })
                } else {
                    Ok(a)
                }
            });
            if let Some(a) = errors.check(&amount_field(*id), parsed) {
                lines.push((*id, a));
            }
        }
        if lines.is_empty() && errors.is_empty() {
            errors.add(
                "amounts",
                Error::Required {
                    label: amount_label,
                },
            );
        }
        let first = errors.check("first_approver", approver(&self.first_approver, "承認者"));
        let last = errors.check("last_approver", approver(&self.last_approver, "最終承認者"));
        errors.into_result()?;
        match (account, date, fee_side, first, last) {
            (Some(account_id), Some(date), Some(fee_side), Some(first), Some(last)) => {
                Ok(EntryRequest {
                    account_id,
                    date,
                    fee_side,
                    first_approver: first,
                    last_approver: last,
                    lines,
                })
            }
            _ => Err(Error::Internal),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> EntryInput {
        EntryInput {
            account_id: "7".into(),
            date: "2026-12-25".into(),
            amounts: vec![(1, "250000".into()), (2, String::new()), (3, "1200".into())],
            ..EntryInput::default()
        }
    }

    #[test]
    fn the_amounts_typed_are_the_lines() {
        let r = input().parse(Business::Salary).unwrap();
        assert_eq!(
            r.lines,
            vec![
                (1, Yen::from_stored(250_000).unwrap()),
                (3, Yen::from_stored(1_200).unwrap())
            ]
        );
        assert_eq!(r.fee_side, FeeSide::Payer);
        assert_eq!(r.account_id, 7);
    }

    #[test]
    fn each_bad_amount_is_named_by_its_payee() {
        let mut i = input();
        i.amounts = vec![
            (1, "0".into()),
            (2, "１００".into()),
            (3, "12345678901".into()),
        ];
        let Err(Error::Invalid(f)) = i.parse(Business::DirectDebit) else {
            panic!("bad amounts accepted");
        };
        for id in 1..=3 {
            assert!(
                f.message_for(&amount_field(id))
                    .unwrap()
                    .contains("引落金額")
            );
        }
        let mut none = input();
        none.amounts.clear();
        none.date = "2026-02-30".into();
        let Err(Error::Invalid(f)) = none.parse(Business::BulkTransfer) else {
            panic!("no amounts accepted");
        };
        assert!(f.message_for("date").unwrap().contains("振込指定日"));
    }
}
