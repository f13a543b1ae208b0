//! 振込先管理 and 請求先管理 of the file businesses: a company's 振込先 of 総合振込 (with
//! 顧客コード1・2), of 給与・賞与振込 (社員番号, 所属コード; one list for both) and its 請求先 of
//! 口座振替 (顧客番号), each with an optional グループ名 a 依頼(画面入力) picks payees by —
//! typed on screen or read from a CSV file (UTF-8, with or without a BOM, or Shift_JIS),
//! every field checked as a 全銀協 record will carry it.

use std::borrow::Cow;
use std::collections::HashMap;

use encoding_rs::SHIFT_JIS;

use crate::chars::is_jis_text;
use crate::company::{AccountKind, AccountNumber, BranchCode};
use crate::error::{Error, FieldErrors};
use crate::payee::{BankCode, PayeeName};
use crate::zengin::FileError;
use crate::{Business, HistoryArea};

/// Which list of payees: 給与振込 and 賞与振込 share the 給与・賞与 one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PayeeList {
    BulkTransfer,
    Salary,
    DirectDebit,
}

/// A 全銀協 record's own reference field of a list: its label and its digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reference {
    pub label: &'static str,
    pub digits: usize,
}

/// At most this many payees in one CSV file.
pub const MAX_IMPORT: usize = 5_000;

/// グループ名: at most this many characters.
pub const GROUP_MAX: usize = 20;

impl PayeeList {
    /// The list a business's 依頼 picks from (振込振替 has its own 振込先).
    pub fn of(b: Business) -> Option<Self> {
        match b {
            Business::BulkTransfer => Some(Self::BulkTransfer),
            Business::Salary | Business::Bonus => Some(Self::Salary),
            Business::DirectDebit => Some(Self::DirectDebit),
            Business::Transfer => None,
        }
    }

    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            Self::BulkTransfer => "bulk_transfer",
            Self::Salary => "salary",
            Self::DirectDebit => "direct_debit",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        [Self::BulkTransfer, Self::Salary, Self::DirectDebit]
            .into_iter()
            .find(|l| l.code() == code)
    }

    /// The 業務種別 of the list's 操作履歴 entries.
    pub fn area(self) -> HistoryArea {
        match self {
            Self::BulkTransfer => HistoryArea::BulkTransfer,
            Self::Salary => HistoryArea::Payroll,
            Self::DirectDebit => HistoryArea::DirectDebit,
        }
    }

    /// 操作内容 of `what` on the list: `operation("の登録")` is 「総合振込の振込先の登録」.
    pub fn operation(self, what: &str) -> String {
        let business = match self {
            Self::BulkTransfer => "総合振込",
            Self::Salary => "給与・賞与振込",
            Self::DirectDebit => "口座振替",
        };
        format!("{business}の{}{what}", self.noun())
    }

    /// 振込先 or 請求先.
    pub fn noun(self) -> &'static str {
        match self {
            Self::DirectDebit => "請求先",
            _ => "振込先",
        }
    }

    /// The manual's name of the work: 振込先管理 or 請求先管理.
    pub fn manage_label(self) -> &'static str {
        match self {
            Self::DirectDebit => "請求先管理",
            _ => "振込先管理",
        }
    }

    /// 受取人名 or 預金者名.
    pub fn name_label(self) -> &'static str {
        match self {
            Self::DirectDebit => "預金者名",
            _ => PayeeName::LABEL,
        }
    }

    /// The record's reference fields of the list, in the record's order.
    pub fn references(self) -> &'static [Reference] {
        match self {
            Self::BulkTransfer => &[
                Reference {
                    label: "顧客コード1",
                    digits: 10,
                },
                Reference {
                    label: "顧客コード2",
                    digits: 10,
                },
            ],
            Self::Salary => &[
                Reference {
                    label: "社員番号",
                    digits: 10,
                },
                Reference {
                    label: "所属コード",
                    digits: 10,
                },
            ],
            Self::DirectDebit => &[Reference {
                label: "顧客番号",
                digits: 20,
            }],
        }
    }

    /// The CSV file's columns, as its first line names them.
    pub fn columns(self) -> Vec<&'static str> {
        let mut c = vec![
            "金融機関コード",
            "支店コード",
            "預金種目",
            "口座番号",
            self.name_label(),
        ];
        c.extend(self.references().iter().map(|r| r.label));
        c.push("グループ名");
        c
    }

    /// The column (1-based) and label of field `field` in the list's CSV file.
    pub fn column(self, field: &str) -> (usize, &'static str) {
        let columns = self.columns();
        let at = match field {
            "bank_code" => 0,
            "branch_code" => 1,
            "kind" => 2,
            "number" => 3,
            "name" => 4,
            "reference" => 5,
            "reference2" if self.references().len() > 1 => 6,
            _ => columns.len() - 1,
        };
        (at + 1, columns.get(at).copied().unwrap_or("グループ名"))
    }
}

/// A payee as typed (or as one line of a CSV file holds it).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(default)]
pub struct BulkPayeeInput {
    pub bank_code: String,
    pub branch_code: String,
    /// 預金種目: 普通 or 当座 (or 1, 2).
    pub kind: String,
    pub number: String,
    pub name: String,
    pub reference: String,
    pub reference2: String,
    pub group: String,
}

/// A payee parsed: what a 全銀協 record of its list can carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BulkPayee {
    pub bank: BankCode,
    pub branch: BranchCode,
    pub kind: AccountKind,
    pub number: AccountNumber,
    pub name: PayeeName,
    /// 顧客コード1 / 社員番号 / 顧客番号 (digits; may be empty).
    pub reference: String,
    /// 顧客コード2 / 所属コード (digits; empty for 口座振替).
    pub reference2: String,
    /// グループ名 (may be empty).
    pub group: String,
}

impl BulkPayee {
    /// The account, as two payees of one list may not share it.
    pub fn account(&self) -> (&str, &str, i64, &str) {
        (
            self.bank.as_str(),
            self.branch.as_str(),
            self.kind.code(),
            self.number.as_str(),
        )
    }
}

fn parse_reference(input: &str, r: Option<&Reference>) -> Result<String, Error> {
    let s = input.trim();
    let Some(r) = r else {
        return Ok(String::new());
    };
    if s.is_empty() {
        return Ok(String::new());
    }
    if s.len() > r.digits || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Error::AmountFormat {
            label: r.label,
            max_digits: r.digits,
        });
    }
    Ok(s.to_owned())
}

/// グループ名: any 全角 or printable 半角 text up to [`GROUP_MAX`] characters.
pub fn parse_group(input: &str) -> Result<String, Error> {
    let s = input.trim();
    crate::chars::check_text(
        "グループ名",
        s,
        GROUP_MAX,
        is_jis_text,
        Error::ZenkakuLength {
            label: "グループ名",
            max: GROUP_MAX,
        },
    )?;
    Ok(s.to_owned())
}

impl BulkPayeeInput {
    /// Every field checked for `list`; the refusals by field (`bank_code`, `branch_code`,
    /// `kind`, `number`, `name`, `reference`, `reference2`, `group`). A 全角 name is
    /// converted to 半角カナ where the 全銀協 rules allow; a character outside the set is
    /// refused by name.
    pub fn parse(&self, list: PayeeList) -> Result<BulkPayee, Error> {
        let refs = list.references();
        let mut errors = FieldErrors::new();
        let bank = errors.check("bank_code", BankCode::parse(&self.bank_code));
        let branch = errors.check("branch_code", BranchCode::parse(&self.branch_code));
        let kind = errors.check("kind", AccountKind::parse(&self.kind));
        let number = errors.check("number", AccountNumber::parse(&self.number));
        let name = errors.check("name", PayeeName::parse_as(&self.name, list.name_label()));
        let reference = errors.check("reference", parse_reference(&self.reference, refs.first()));
        let reference2 = errors.check("reference2", parse_reference(&self.reference2, refs.get(1)));
        let group = errors.check("group", parse_group(&self.group));
        errors.into_result()?;
        match (
            bank, branch, kind, number, name, reference, reference2, group,
        ) {
            (
                Some(bank),
                Some(branch),
                Some(kind),
                Some(number),
                Some(name),
                Some(reference),
                Some(reference2),
                Some(group),
            ) => Ok(BulkPayee {
                bank,
                branch,
                kind,
                number,
                name,
                reference,
                reference2,
                group,
            }),
            _ => Err(Error::Internal),
        }
    }

    /// The input of `fields` in the order of [`PayeeList::columns`].
    fn of_cells(list: PayeeList, cells: &[String]) -> Self {
        let at = |i: usize| cells.get(i).cloned().unwrap_or_default();
        let refs = list.references().len();
        Self {
            bank_code: at(0),
            branch_code: at(1),
            kind: at(2),
            number: at(3),
            name: at(4),
            reference: at(5),
            reference2: if refs > 1 { at(6) } else { String::new() },
            group: at(5 + refs),
        }
    }
}

/// The text of a CSV file: UTF-8 (a BOM dropped) when it is valid UTF-8, else Shift_JIS.
pub fn decode(bytes: &[u8]) -> Result<Cow<'_, str>, FileError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Ok(s) = std::str::from_utf8(bytes) {
        return Ok(Cow::Borrowed(s));
    }
    let (text, had_errors) = SHIFT_JIS.decode_without_bom_handling(bytes);
    if had_errors {
        return Err(file_error(
            0,
            0,
            "ファイル",
            "FIL-0030",
            "ファイルの文字コードを読み取れません。UTF-8またはShift_JISのCSVファイルを指定してください。"
                .into(),
        ));
    }
    Ok(text)
}

fn file_error(
    line: usize,
    column: usize,
    field: &'static str,
    code: &'static str,
    message: String,
) -> FileError {
    FileError {
        line,
        from: column,
        to: column,
        field,
        code,
        message,
    }
}

/// The cells of one CSV line: quoted cells with `""` for a quote; a leading `'` that
/// neutralised a formula on export is dropped.
fn cells(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cell = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                cell.push('"');
                chars.next();
            }
            (true, '"') => quoted = false,
            (false, '"') if cell.is_empty() => quoted = true,
            (false, ',') => out.push(std::mem::take(&mut cell)),
            (_, c) => cell.push(c),
        }
    }
    out.push(cell);
    for c in &mut out {
        if c.starts_with('\'') && c[1..].starts_with(['=', '+', '-', '@']) {
            c.remove(0);
        }
    }
    out
}

/// Reads a CSV file of `list` (its first line may name the columns): every payee with its
/// line, or every error named by line, column and field. Two lines for one account are an
/// error; so is a file of more than [`MAX_IMPORT`] payees or of none.
pub fn parse_csv(bytes: &[u8], list: PayeeList) -> Result<Vec<(usize, BulkPayee)>, Vec<FileError>> {
    let text = decode(bytes).map_err(|e| vec![e])?;
    let width = list.columns().len();
    let mut payees = Vec::new();
    let mut errors = Vec::new();
    let mut seen: HashMap<(String, String, i64, String), usize> = HashMap::new();
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        let raw = raw.trim_end_matches('\r');
        if raw.trim().is_empty() || (line == 1 && raw.contains("金融機関コード")) {
            continue;
        }
        if errors.len() >= crate::zengin::MAX_ERRORS {
            break;
        }
        let cells = cells(raw);
        if cells.len() != width {
            errors.push(file_error(
                line,
                0,
                "レコード",
                "FIL-0031",
                format!(
                    "{line}行目：項目の数が{}です（{width}項目必要です）。",
                    cells.len()
                ),
            ));
            continue;
        }
        match BulkPayeeInput::of_cells(list, &cells).parse(list) {
            Ok(p) => {
                let (bank, branch, kind, number) = p.account();
                let key = (bank.to_owned(), branch.to_owned(), kind, number.to_owned());
                if let Some(first) = seen.insert(key, line) {
                    let (column, field) = list.column("number");
                    errors.push(file_error(
                        line,
                        column,
                        field,
                        "FIL-0032",
                        format!("{line}行目：{first}行目と同じ口座です。"),
                    ));
                } else {
                    payees.push((line, p));
                }
            }
            Err(Error::Invalid(fields)) => {
                for f in fields.iter() {
                    let (column, field) = list.column(&f.field);
                    errors.push(file_error(
                        line,
                        column,
                        field,
                        f.error.code(),
                        format!("{line}行目：{}", f.error.message_ja()),
                    ));
                }
            }
            Err(other) => {
                return Err(vec![file_error(
                    line,
                    0,
                    "レコード",
                    other.code(),
                    other.message_ja(),
                )]);
            }
        }
    }
    if errors.is_empty() && payees.is_empty() {
        errors.push(file_error(
            0,
            0,
            "ファイル",
            "FIL-0033",
            format!("登録する{}がありません。", list.noun()),
        ));
    }
    if payees.len() > MAX_IMPORT {
        errors.push(file_error(
            0,
            0,
            "ファイル",
            "FIL-0033",
            format!("一度に登録できる{}は{MAX_IMPORT}件までです。", list.noun()),
        ));
    }
    if errors.is_empty() {
        Ok(payees)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(name: &str, reference: &str) -> BulkPayeeInput {
        BulkPayeeInput {
            bank_code: "0005".into(),
            branch_code: "001".into(),
            kind: "普通".into(),
            number: "1234567".into(),
            name: name.into(),
            reference: reference.into(),
            reference2: String::new(),
            group: "本社".into(),
        }
    }

    #[test]
    fn a_zenkaku_name_becomes_hankaku_and_a_kanji_is_named() {
        let p = input("ヤマダ　タロウ", "123")
            .parse(PayeeList::Salary)
            .unwrap();
        assert_eq!(p.name.as_str(), "ﾔﾏﾀﾞ ﾀﾛｳ");
        assert_eq!(p.reference, "123");
        let Err(Error::Invalid(f)) = input("山田", "").parse(PayeeList::DirectDebit) else {
            panic!("a kanji name accepted");
        };
        let msg = f.message_for("name").unwrap();
        assert!(msg.contains("預金者名") && msg.contains('山'), "{msg}");
    }

    #[test]
    fn references_are_digits_of_the_lists_width() {
        assert!(
            input("ﾀﾛｳ", &"1".repeat(20))
                .parse(PayeeList::DirectDebit)
                .is_ok()
        );
        let Err(Error::Invalid(f)) = input("ﾀﾛｳ", &"1".repeat(11)).parse(PayeeList::Salary)
        else {
            panic!("11 digits accepted as 社員番号");
        };
        assert!(f.message_for("reference").unwrap().contains("社員番号"));
        assert!(input("ﾀﾛｳ", "12A").parse(PayeeList::BulkTransfer).is_err());
    }

    #[test]
    fn columns_name_each_lists_fields() {
        assert_eq!(PayeeList::DirectDebit.columns().len(), 7);
        assert_eq!(PayeeList::Salary.columns()[5], "社員番号");
        assert_eq!(PayeeList::of(Business::Bonus), Some(PayeeList::Salary));
        assert_eq!(PayeeList::of(Business::Transfer), None);
    }

    #[test]
    fn a_csv_file_with_a_bom_or_in_shift_jis_is_read() {
        let text = "金融機関コード,支店コード,預金種目,口座番号,受取人名,社員番号,所属コード,グループ名\r\n\
                    0005,001,普通,1234567,ﾔﾏﾀﾞ ﾀﾛｳ,0001,\"10\",本社\r\n\
                    0009,002,2,7654321,スズキ　ハナコ,,,\r\n";
        let mut bom = b"\xEF\xBB\xBF".to_vec();
        bom.extend_from_slice(text.as_bytes());
        let read = parse_csv(&bom, PayeeList::Salary).unwrap();
        assert_eq!(read.len(), 2);
        assert_eq!(read[0].0, 2);
        assert_eq!(read[1].1.name.as_str(), "ｽｽﾞｷ ﾊﾅｺ");
        let (sjis, _, _) = SHIFT_JIS.encode(text);
        assert_eq!(parse_csv(&sjis, PayeeList::Salary).unwrap(), read);
    }

    #[test]
    fn every_bad_line_is_named_and_nothing_is_read() {
        let text = "0005,001,普通,1234567,ﾀﾛｳ,,,\n\
                    0005,001,普通,1234567,ﾊﾅｺ,,,\n\
                    0005,01,普通,1234567,ﾀﾛｳ,,,\n\
                    0005,001,普通\n\
                    0005,001,普通,7654321,ﾀﾛｳ,,,'=cmd\n";
        let errors = parse_csv(text.as_bytes(), PayeeList::BulkTransfer).unwrap_err();
        let at: Vec<(usize, &str, &str)> =
            errors.iter().map(|e| (e.line, e.field, e.code)).collect();
        assert_eq!(
            at,
            vec![
                (2, "口座番号", "FIL-0032"),
                (3, "支店コード", "VAL-0010"),
                (4, "レコード", "FIL-0031"),
            ],
            "{errors:?}"
        );
        assert!(parse_csv(b"\r\n", PayeeList::Salary).is_err());
        assert_eq!(cells("'=cmd,'x")[0], "=cmd");
    }
}
