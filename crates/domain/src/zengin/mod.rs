//! 全銀協フォーマット (domain.md §7): fixed-length records of 120 bytes — ヘッダー (1), データ
//! (2), トレーラー (8), エンド (9) — in JIS X 0201 (Shift_JIS single bytes), with CR+LF
//! after each record (the last may lack it, as editors leave files) or no newline at
//! all. N fields are digits right-justified and
//! zero-filled, C fields characters left-justified and space-filled. One file, one
//! header: the four businesses' layouts (総合振込 21, 給与 11, 賞与 12, 口座振替 91) are
//! written by [`write`] and read back, every rule checked, by [`parse`].

pub mod layout;
mod parse;

pub use parse::{
    FileError, MAX_ERRORS, RESULT_CODES, Settled, Summary, parse, parse_reader, parse_results,
};

use encoding_rs::SHIFT_JIS;

use crate::error::Error;

/// Bytes of every record.
pub const RECORD_LEN: usize = 120;

/// Which business a file is for (its 種別コード).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// 総合振込 (21)
    BulkTransfer,
    /// 給与振込 (11)
    Salary,
    /// 賞与振込 (12)
    Bonus,
    /// 口座振替 (91)
    DirectDebit,
}

impl Kind {
    pub const ALL: [Kind; 4] = [
        Kind::BulkTransfer,
        Kind::Salary,
        Kind::Bonus,
        Kind::DirectDebit,
    ];

    /// 種別コード.
    pub fn code(self) -> u8 {
        match self {
            Kind::BulkTransfer => 21,
            Kind::Salary => 11,
            Kind::Bonus => 12,
            Kind::DirectDebit => 91,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Kind::BulkTransfer => "総合振込",
            Kind::Salary => "給与振込",
            Kind::Bonus => "賞与振込",
            Kind::DirectDebit => "口座振替",
        }
    }

    fn data_layout(self) -> &'static [layout::Field] {
        match self {
            Kind::BulkTransfer => &layout::BULK_DATA,
            Kind::Salary | Kind::Bonus => &layout::PAYROLL_DATA,
            Kind::DirectDebit => &layout::DEBIT_DATA,
        }
    }

    fn trailer_layout(self) -> &'static [layout::Field] {
        match self {
            Kind::DirectDebit => &layout::DEBIT_TRAILER,
            _ => &layout::TRAILER,
        }
    }
}

/// The ヘッダー: who asks, for which day, from (or, for 口座振替, into) which account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    pub kind: Kind,
    /// 委託者コード (10 digits).
    pub requester_code: String,
    /// 委託者名 (半角カナ).
    pub requester_name: String,
    /// 振込指定日 / 引落日: month and day.
    pub month: u8,
    pub day: u8,
    /// 仕向銀行 / 取引銀行 and 支店.
    pub bank_code: String,
    pub bank_name: String,
    pub branch_code: String,
    pub branch_name: String,
    /// 預金種目 (1 普通, 2 当座, 9 その他).
    pub account_kind: u8,
    pub number: String,
}

/// One データ record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// 被仕向銀行 / 引落銀行 and 支店.
    pub bank_code: String,
    pub bank_name: String,
    pub branch_code: String,
    pub branch_name: String,
    pub account_kind: u8,
    pub number: String,
    /// 受取人名 / 預金者名 (半角カナ).
    pub name: String,
    /// 振込金額 / 引落金額.
    pub amount: u64,
    /// 新規コード (0 その他, 1 第1回, 2 変更).
    pub new_code: u8,
    /// 顧客コード1 (総合振込), 社員番号 (給与・賞与) or 顧客番号 (口座振替, 20 digits).
    pub reference: String,
    /// 顧客コード2 (総合振込) or 所属コード (給与・賞与); empty for 口座振替.
    pub reference2: String,
}

/// A whole file: its header and its records (the trailer and end follow from them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct File {
    pub header: Header,
    pub records: Vec<Record>,
}

impl File {
    /// 合計件数 and 合計金額.
    pub fn totals(&self) -> (u64, u64) {
        let total = self.records.iter().map(|r| r.amount).sum();
        (self.records.len() as u64, total)
    }
}

/// Lays the fields of `values` out by `layout` into one 120-character record: N
/// zero-filled on the left, C space-filled on the right. `None` when a value does not fit.
fn record(layout: &[layout::Field], values: &[&str]) -> Option<String> {
    let mut out = String::with_capacity(RECORD_LEN);
    for (field, value) in layout.iter().zip(values) {
        let width = field.to - field.from + 1;
        let len = value.chars().count();
        if len > width {
            return None;
        }
        match field.class {
            layout::Class::Digits => {
                out.push_str(&"0".repeat(width - len));
                out.push_str(value);
            }
            _ => {
                out.push_str(value);
                out.push_str(&" ".repeat(width - len));
            }
        }
    }
    (out.chars().count() == RECORD_LEN).then_some(out)
}

fn too_large(what: &'static str) -> Error {
    Error::ZenginField { field: what }
}

/// The エンド record.
pub fn end() -> String {
    format!("9{}", " ".repeat(RECORD_LEN - 1))
}

/// The file's records as text: ヘッダー, データ, トレーラー (a file ends with [`end`]
/// after one or, for the bank's own files, several of these groups).
pub fn records(file: &File) -> Result<Vec<String>, Error> {
    let h = &file.header;
    let kind = h.kind;
    let date = format!("{:02}{:02}", h.month, h.day);
    let header = record(
        &layout::HEADER,
        &[
            "1",
            &kind.code().to_string(),
            "0",
            &h.requester_code,
            &h.requester_name,
            &date,
            &h.bank_code,
            &h.bank_name,
            &h.branch_code,
            &h.branch_name,
            &h.account_kind.to_string(),
            &h.number,
            "",
        ],
    )
    .ok_or_else(|| too_large("ヘッダー"))?;
    let mut out = vec![header];
    for r in &file.records {
        let amount = r.amount.to_string();
        let account_kind = r.account_kind.to_string();
        let new_code = r.new_code.to_string();
        let common = [
            "2",
            r.bank_code.as_str(),
            &r.bank_name,
            &r.branch_code,
            &r.branch_name,
        ];
        let mut values: Vec<&str> = common.to_vec();
        match kind {
            Kind::BulkTransfer => values.extend([
                "",
                &account_kind,
                &r.number,
                &r.name,
                &amount,
                &new_code,
                &r.reference,
                &r.reference2,
                "7",
                "",
                "",
            ]),
            Kind::Salary | Kind::Bonus => values.extend([
                "",
                &account_kind,
                &r.number,
                &r.name,
                &amount,
                &new_code,
                &r.reference,
                &r.reference2,
                "",
            ]),
            Kind::DirectDebit => values.extend([
                "",
                &account_kind,
                &r.number,
                &r.name,
                &amount,
                &new_code,
                &r.reference,
                "0",
                "",
            ]),
        }
        out.push(record(kind.data_layout(), &values).ok_or_else(|| too_large("データ"))?);
    }
    let (count, total) = file.totals();
    let (count, total) = (count.to_string(), total.to_string());
    let trailer = match kind {
        Kind::DirectDebit => record(
            kind.trailer_layout(),
            &["8", &count, &total, "0", "0", "0", "0", ""],
        ),
        _ => record(kind.trailer_layout(), &["8", &count, &total, ""]),
    }
    .ok_or_else(|| too_large("トレーラー"))?;
    out.push(trailer);
    Ok(out)
}

/// The records in Shift_JIS, CR+LF after each; refused when a character is outside it or
/// a record is not 120 bytes.
pub fn encode(records: &[String]) -> Result<Vec<u8>, Error> {
    let mut out = Vec::with_capacity(records.len() * (RECORD_LEN + 2));
    for r in records {
        let (bytes, _, bad) = SHIFT_JIS.encode(r);
        if bad || bytes.len() != RECORD_LEN {
            return Err(too_large("文字"));
        }
        out.extend_from_slice(&bytes);
        out.extend_from_slice(b"\r\n");
    }
    Ok(out)
}

/// The whole file in Shift_JIS with CR+LF.
pub fn write(file: &File) -> Result<Vec<u8>, Error> {
    let mut all = records(file)?;
    all.push(end());
    encode(&all)
}

/// The bank's 口座振替 result file of `file`: each record with its 振替結果コード (`codes`,
/// in order) and the trailer's 振替済・振替不能 件数 and 金額.
pub fn write_results(file: &File, codes: &[u8]) -> Result<Vec<u8>, Error> {
    if file.header.kind != Kind::DirectDebit || codes.len() != file.records.len() {
        return Err(too_large("振替結果コード"));
    }
    let mut all = records(file)?;
    let mut settled = [0_u64; 4];
    for (i, (r, code)) in file.records.iter().zip(codes).enumerate() {
        let slot = if *code == 0 { 0 } else { 2 };
        settled[slot] += 1;
        settled[slot + 1] += r.amount;
        let mut chars: Vec<char> = all[i + 1].chars().collect();
        chars[111] = char::from(b'0' + code % 10);
        all[i + 1] = chars.into_iter().collect();
    }
    let trailer = &mut all[file.records.len() + 1];
    let head: String = trailer.chars().take(19).collect();
    let tail: String = trailer.chars().skip(55).collect();
    *trailer = format!(
        "{head}{:06}{:012}{:06}{:012}{tail}",
        settled[0], settled[1], settled[2], settled[3]
    );
    all.push(end());
    encode(&all)
}

#[cfg(test)]
mod tests;
