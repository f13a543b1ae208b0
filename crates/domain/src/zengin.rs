//! 全銀協フォーマット (domain.md §7): fixed-length records of 120 bytes — ヘッダー (1), データ
//! (2), トレーラー (8), エンド (9) — in JIS X 0201 (Shift_JIS single bytes), CR+LF between
//! records. N fields are digits right-justified and zero-filled, C fields characters
//! left-justified and space-filled. This module writes the 総合振込 layout (種別コード 21),
//! the one a bank's host takes for transfers handed over as a file.

use encoding_rs::SHIFT_JIS;

use crate::error::Error;

/// Bytes of every record.
pub const RECORD_LEN: usize = 120;

/// 種別コード of 総合振込.
pub const BULK_TRANSFER: u8 = 21;

/// A field of N digits: `value` right-justified, zero-filled; `None` when it does not fit.
fn n(value: u64, width: usize) -> Option<String> {
    let digits = value.to_string();
    (digits.len() <= width).then(|| format!("{digits:0>width$}"))
}

/// A field of C characters: `text` left-justified, space-filled, cut at `width` (every
/// character of the 全銀協 set is one byte).
fn c(text: &str, width: usize) -> String {
    let cut: String = text.chars().take(width).collect();
    let len = cut.chars().count();
    format!("{cut}{}", " ".repeat(width - len))
}

fn too_large() -> Error {
    Error::Internal
}

/// The 依頼人's side of a file: who pays, from which account, on which day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    /// 委託者コード (up to 10 digits).
    pub requester_code: u64,
    /// 委託者名 (半角カナ).
    pub requester_name: String,
    /// 振込指定日: month and day.
    pub month: u8,
    pub day: u8,
    /// 仕向銀行 (the bank itself) and 支店.
    pub bank_code: String,
    pub bank_name: String,
    pub branch_code: String,
    pub branch_name: String,
    /// 預金種目 (1 普通, 2 当座).
    pub account_kind: i64,
    pub number: String,
}

/// One transfer of a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transfer {
    /// 被仕向銀行・支店.
    pub bank_code: String,
    pub bank_name: String,
    pub branch_code: String,
    pub branch_name: String,
    pub account_kind: i64,
    pub number: String,
    /// 受取人名 (半角カナ).
    pub name: String,
    /// 振込金額 (up to 10 digits).
    pub amount: i64,
}

fn digits(text: &str, width: usize) -> Result<String, Error> {
    let ok = text.len() == width && text.bytes().all(|b| b.is_ascii_digit());
    if ok {
        Ok(text.to_owned())
    } else {
        Err(too_large())
    }
}

/// The ヘッダー of 総合振込.
pub fn header(h: &Header) -> Result<String, Error> {
    Ok([
        "1".to_owned(),
        n(u64::from(BULK_TRANSFER), 2).ok_or_else(too_large)?,
        "0".to_owned(),
        n(h.requester_code, 10).ok_or_else(too_large)?,
        c(&h.requester_name, 40),
        n(u64::from(h.month), 2).ok_or_else(too_large)?,
        n(u64::from(h.day), 2).ok_or_else(too_large)?,
        digits(&h.bank_code, 4)?,
        c(&h.bank_name, 15),
        digits(&h.branch_code, 3)?,
        c(&h.branch_name, 15),
        n(u64::try_from(h.account_kind).map_err(|_| too_large())?, 1).ok_or_else(too_large)?,
        digits(&h.number, 7)?,
        c("", 17),
    ]
    .concat())
}

/// A データ of 総合振込 (電信扱い, no 顧客コード).
pub fn data(t: &Transfer) -> Result<String, Error> {
    let amount = u64::try_from(t.amount).map_err(|_| too_large())?;
    Ok([
        "2".to_owned(),
        digits(&t.bank_code, 4)?,
        c(&t.bank_name, 15),
        digits(&t.branch_code, 3)?,
        c(&t.branch_name, 15),
        "0000".to_owned(),
        n(u64::try_from(t.account_kind).map_err(|_| too_large())?, 1).ok_or_else(too_large)?,
        digits(&t.number, 7)?,
        c(&t.name, 30),
        n(amount, 10).ok_or_else(too_large)?,
        "0".to_owned(),
        n(0, 10).ok_or_else(too_large)?,
        n(0, 10).ok_or_else(too_large)?,
        "7".to_owned(),
        " ".to_owned(),
        c("", 7),
    ]
    .concat())
}

/// The トレーラー: 合計件数 and 合計金額 of the data since the header.
pub fn trailer(count: u64, total: u64) -> Result<String, Error> {
    Ok([
        "8".to_owned(),
        n(count, 6).ok_or_else(too_large)?,
        n(total, 12).ok_or_else(too_large)?,
        c("", 101),
    ]
    .concat())
}

/// The エンド.
pub fn end() -> String {
    format!("9{}", c("", 119))
}

/// The records in Shift_JIS, CR+LF after each; refused when a character is outside it or
/// a record is not 120 bytes.
pub fn encode(records: &[String]) -> Result<Vec<u8>, Error> {
    let mut out = Vec::with_capacity(records.len() * (RECORD_LEN + 2));
    for r in records {
        let (bytes, _, bad) = SHIFT_JIS.encode(r);
        if bad || bytes.len() != RECORD_LEN {
            return Err(Error::Internal);
        }
        out.extend_from_slice(&bytes);
        out.extend_from_slice(b"\r\n");
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(record: &[u8], from: usize, to: usize) -> String {
        SHIFT_JIS.decode(&record[from - 1..to]).0.into_owned()
    }

    #[test]
    fn records_are_120_bytes_with_each_field_where_the_layout_puts_it() {
        let h = header(&Header {
            requester_code: 1,
            requester_name: "ｱﾊﾟﾚﾙ(ｶ)".into(),
            month: 6,
            day: 11,
            bank_code: "0001".into(),
            bank_name: "ﾐｽﾞﾎ".into(),
            branch_code: "012".into(),
            branch_name: "ｼﾝｼﾞﾕｸ".into(),
            account_kind: 1,
            number: "1234567".into(),
        })
        .unwrap();
        let d = data(&Transfer {
            bank_code: "0005".into(),
            bank_name: "ﾐﾂﾋﾞｼﾕ-ｴﾌｼﾞｴｲ".into(),
            branch_code: "001".into(),
            branch_name: "ﾎﾝﾃﾝ".into(),
            account_kind: 1,
            number: "7654321".into(),
            name: "ﾔﾏﾀﾞ ﾀﾛｳ".into(),
            amount: 49_395,
        })
        .unwrap();
        let bytes = encode(&[h, d, trailer(1, 49_395).unwrap(), end()]).unwrap();
        assert_eq!(bytes.len(), 4 * 122);
        let rec = |i: usize| &bytes[i * 122..i * 122 + 120];
        assert_eq!(&bytes[120..122], b"\r\n");
        let h = rec(0);
        assert_eq!(field(h, 1, 1), "1");
        assert_eq!(field(h, 2, 3), "21");
        assert_eq!(field(h, 5, 14), "0000000001");
        assert_eq!(field(h, 15, 54).trim_end(), "ｱﾊﾟﾚﾙ(ｶ)");
        assert_eq!(field(h, 55, 58), "0611");
        assert_eq!(field(h, 59, 62), "0001");
        assert_eq!(field(h, 78, 80), "012");
        assert_eq!(field(h, 96, 96), "1");
        assert_eq!(field(h, 97, 103), "1234567");
        let d = rec(1);
        assert_eq!(field(d, 2, 5), "0005");
        assert_eq!(field(d, 21, 23), "001");
        assert_eq!(field(d, 43, 43), "1");
        assert_eq!(field(d, 44, 50), "7654321");
        assert_eq!(field(d, 51, 80).trim_end(), "ﾔﾏﾀﾞ ﾀﾛｳ");
        assert_eq!(field(d, 81, 90), "0000049395");
        assert_eq!(field(d, 112, 112), "7");
        let t = rec(2);
        assert_eq!(field(t, 2, 7), "000001");
        assert_eq!(field(t, 8, 19), "000000049395");
        assert_eq!(field(rec(3), 1, 1), "9");
    }

    #[test]
    fn what_does_not_fit_is_refused() {
        let big = Transfer {
            bank_code: "0005".into(),
            bank_name: String::new(),
            branch_code: "001".into(),
            branch_name: String::new(),
            account_kind: 1,
            number: "7654321".into(),
            name: "ﾔﾏﾀﾞ".into(),
            amount: 10_000_000_000,
        };
        assert!(data(&big).is_err(), "振込金額 is 10 digits");
        assert!(encode(&["山".repeat(120)]).is_err(), "not one byte each");
    }
}
