//! Reading a 全銀協 file back with every rule of domain.md §7 checked: records of 120
//! bytes, CR+LF or no newline at all (CR alone or LF alone refused), ヘッダー → データ… →
//! トレーラー → エンド, the 種別コード of the business, each field's characters (N digits; C
//! 半角 of the 全銀協 set: no lower case, no small kana, no ｰ, no 全角), a real 振込指定日,
//! amounts above zero, and the trailer's 件数 and 金額 equal to the data's. Every error
//! names its line, columns, field and what was expected; nothing is returned unless the
//! whole file is right.

use super::layout::{self, Class, Field};
use super::{File, Header, Kind, RECORD_LEN, Record};

/// One refusal of a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileError {
    /// 1-based record number.
    pub line: usize,
    /// Columns, 1-based inclusive.
    pub from: usize,
    pub to: usize,
    /// The field's name (or 「レコード」).
    pub field: &'static str,
    /// Stable code (FIL-00nn).
    pub code: &'static str,
    pub message: String,
}

/// At most this many errors are reported (a wholly wrong file is not listed line by line).
pub const MAX_ERRORS: usize = 200;

struct Errors(Vec<FileError>);

impl Errors {
    fn add(&mut self, line: usize, field: &Field, code: &'static str, message: String) {
        self.at(line, field.from, field.to, field.label, code, message);
    }

    fn at(
        &mut self,
        line: usize,
        from: usize,
        to: usize,
        field: &'static str,
        code: &'static str,
        message: String,
    ) {
        if self.0.len() < MAX_ERRORS {
            self.0.push(FileError {
                line,
                from,
                to,
                field,
                code,
                message,
            });
        }
    }
}

/// The records of `bytes`: split at CR+LF, or every 120 bytes when there is no newline;
/// a CR or an LF alone is refused (FIL-0002).
fn lines(bytes: &[u8], errors: &mut Errors) -> Vec<Vec<u8>> {
    let mut body = bytes;
    // A trailing EOF mark (0x1A) some systems add.
    while let Some((&0x1A, rest)) = body.split_last() {
        body = rest;
    }
    if !body.contains(&b'\r') && !body.contains(&b'\n') {
        return body.chunks(RECORD_LEN).map(<[u8]>::to_vec).collect();
    }
    let mut pieces = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i + 1 < body.len() {
        if &body[i..i + 2] == b"\r\n" {
            pieces.push(&body[start..i]);
            start = i + 2;
            i += 2;
        } else {
            i += 1;
        }
    }
    let last = &body[start..];
    if !last.is_empty() {
        pieces.push(last);
    }
    let mut out = Vec::new();
    for (n, piece) in pieces.into_iter().enumerate() {
        let line = n + 1;
        if piece.contains(&b'\r') || piece.contains(&b'\n') {
            let what = if piece.contains(&b'\n') { "LF" } else { "CR" };
            errors.at(
                line,
                1,
                piece.len(),
                "改行",
                "FIL-0002",
                format!("{line}行目：改行コードが{what}のみです。改行はCR+LFとするか、改行なしとしてください。"),
            );
            return Vec::new();
        }
        out.push(piece.to_vec());
    }
    out
}

/// The text of a record of single bytes; the column of the first byte that is not one
/// character of JIS X 0201 (a 全角 character's byte, a control code).
fn decode(line: &[u8]) -> Result<Vec<char>, usize> {
    line.iter()
        .enumerate()
        .map(|(i, &b)| match b {
            0x20..=0x7E => Ok(char::from(b)),
            0xA1..=0xDF => char::from_u32(0xFF61 + u32::from(b - 0xA1)).ok_or(i + 1),
            _ => Err(i + 1),
        })
        .collect()
}

fn text(chars: &[char], f: &Field) -> String {
    chars[f.from - 1..f.to].iter().collect()
}

/// Checks every field of a record against `layout`.
fn check_fields(line: usize, chars: &[char], layout: &[Field], errors: &mut Errors) {
    for f in layout {
        let value = &chars[f.from - 1..f.to];
        if let Some((i, c)) = value
            .iter()
            .enumerate()
            .find(|(_, c)| !layout::allows(f.class, **c))
        {
            let column = f.from + i;
            let (code, message) = if f.class == Class::Digits {
                (
                    "FIL-0005",
                    format!(
                        "{line}行目 {}～{}桁目：{}は半角数字で入力してください（{column}桁目が「{c}」）。",
                        f.from, f.to, f.label
                    ),
                )
            } else {
                let why = match c {
                    'a'..='z' => "英小文字は使用できません",
                    'ｧ'..='ｯ' => "小さいカナ（拗音・促音）は大きいカナで入力してください",
                    'ｰ' => "長音「ｰ」は「-」で入力してください",
                    _ => "全銀協の文字にありません",
                };
                (
                    "FIL-0006",
                    format!(
                        "{line}行目 {}～{}桁目：{}に使用できない文字「{c}」があります（{column}桁目、{why}）。",
                        f.from, f.to, f.label
                    ),
                )
            };
            errors.add(line, f, code, message);
        }
    }
}

fn number(chars: &[char], f: &Field) -> u64 {
    text(chars, f).parse().unwrap_or(0)
}

/// Days of `month` (February with the 29th, as the year is not in the record).
fn days_in(month: u8) -> u8 {
    match month {
        2 => 29,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

fn header(line: usize, c: &[char], expected: Kind, errors: &mut Errors) -> Option<Header> {
    let h = &layout::HEADER;
    let kind = text(c, &h[1]);
    if kind != expected.code().to_string() {
        errors.add(
            line,
            &h[1],
            "FIL-0004",
            format!(
                "{line}行目 2～3桁目：種別コードが「{kind}」です。{}のファイルは「{}」です。",
                expected.label(),
                expected.code()
            ),
        );
    }
    if text(c, &h[2]) != "0" {
        errors.add(
            line,
            &h[2],
            "FIL-0012",
            format!("{line}行目 4桁目：コード区分は「0」（JIS）としてください。"),
        );
    }
    let date = text(c, &h[5]);
    let (month, day) = (
        date.get(..2)
            .and_then(|m| m.parse::<u8>().ok())
            .unwrap_or(0),
        date.get(2..)
            .and_then(|d| d.parse::<u8>().ok())
            .unwrap_or(0),
    );
    if !(1..=12).contains(&month) || day == 0 || day > days_in(month) {
        errors.add(
            line,
            &h[5],
            "FIL-0008",
            format!(
                "{line}行目 55～58桁目：{}「{date}」は月日（MMDD）として正しくありません。",
                h[5].label
            ),
        );
    }
    Some(Header {
        kind: expected,
        requester_code: text(c, &h[3]),
        requester_name: text(c, &h[4]).trim_end().to_owned(),
        month,
        day,
        bank_code: text(c, &h[6]),
        bank_name: text(c, &h[7]).trim_end().to_owned(),
        branch_code: text(c, &h[8]),
        branch_name: text(c, &h[9]).trim_end().to_owned(),
        account_kind: u8::try_from(number(c, &h[10])).unwrap_or(0),
        number: text(c, &h[11]),
    })
}

fn data(line: usize, c: &[char], kind: Kind, errors: &mut Errors) -> Record {
    let d = kind.data_layout();
    let allowed: &[u8] = match kind {
        Kind::BulkTransfer => &[1, 2, 4, 9],
        Kind::Salary | Kind::Bonus => &[1, 2],
        Kind::DirectDebit => &[1, 2, 3, 9],
    };
    let account_kind = u8::try_from(number(c, &d[6])).unwrap_or(0);
    if text(c, &d[6]).chars().all(|c| c.is_ascii_digit()) && !allowed.contains(&account_kind) {
        let list: Vec<String> = allowed.iter().map(u8::to_string).collect();
        errors.add(
            line,
            &d[6],
            "FIL-0012",
            format!(
                "{line}行目 43桁目：預金種目は{}のいずれかです（「{account_kind}」）。",
                list.join("・")
            ),
        );
    }
    let amount = number(c, &d[9]);
    if amount == 0 && text(c, &d[9]).chars().all(|c| c.is_ascii_digit()) {
        errors.add(
            line,
            &d[9],
            "FIL-0009",
            format!(
                "{line}行目 81～90桁目：{}は1円以上としてください。",
                d[9].label
            ),
        );
    }
    let reference2 = match kind {
        Kind::DirectDebit => String::new(),
        _ => text(c, &d[12]).trim_end().to_owned(),
    };
    Record {
        bank_code: text(c, &d[1]),
        bank_name: text(c, &d[2]).trim_end().to_owned(),
        branch_code: text(c, &d[3]),
        branch_name: text(c, &d[4]).trim_end().to_owned(),
        account_kind,
        number: text(c, &d[7]),
        name: text(c, &d[8]).trim_end().to_owned(),
        amount,
        new_code: u8::try_from(number(c, &d[10])).unwrap_or(0),
        reference: text(c, &d[11]).trim_end().to_owned(),
        reference2,
    }
}

/// Where a record may come.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    Header,
    DataOrTrailer,
    End,
    Nothing,
}

/// Reads `bytes` as a file of `kind`: the file, or every error found (at most
/// [`MAX_ERRORS`]).
pub fn parse(bytes: &[u8], kind: Kind) -> Result<File, Vec<FileError>> {
    let mut errors = Errors(Vec::new());
    let lines = lines(bytes, &mut errors);
    let mut head = None;
    let mut records = Vec::new();
    let mut trailer = None;
    let mut expect = Expect::Header;
    for (i, raw) in lines.iter().enumerate() {
        let line = i + 1;
        if raw.len() != RECORD_LEN {
            errors.at(
                line,
                1,
                raw.len().max(1),
                "レコード",
                "FIL-0001",
                format!(
                    "{line}行目：レコードの長さが{}バイトです。1レコードは120バイトとしてください。",
                    raw.len()
                ),
            );
            continue;
        }
        let chars = match decode(raw) {
            Ok(c) => c,
            Err(column) => {
                errors.at(
                    line,
                    column,
                    column,
                    "レコード",
                    "FIL-0006",
                    format!("{line}行目 {column}桁目：半角の全銀協の文字以外（全角文字・制御文字）があります。"),
                );
                continue;
            }
        };
        let class = chars[0];
        let layout: &[Field] = match (class, expect) {
            ('1', Expect::Header) => &layout::HEADER,
            ('2', Expect::DataOrTrailer) => kind.data_layout(),
            ('8', Expect::DataOrTrailer) => kind.trailer_layout(),
            ('9', Expect::End) => &layout::END,
            _ => {
                let wanted = match expect {
                    Expect::Header => "ヘッダー（1）",
                    Expect::DataOrTrailer => "データ（2）またはトレーラー（8）",
                    Expect::End => "エンド（9）",
                    Expect::Nothing => "何もない（エンドの後）",
                };
                errors.at(
                    line,
                    1,
                    1,
                    "データ区分",
                    "FIL-0003",
                    format!("{line}行目 1桁目：データ区分が「{class}」です。ここは{wanted}です。"),
                );
                continue;
            }
        };
        check_fields(line, &chars, layout, &mut errors);
        match class {
            '1' => {
                head = header(line, &chars, kind, &mut errors);
                expect = Expect::DataOrTrailer;
            }
            '2' => records.push((line, data(line, &chars, kind, &mut errors))),
            '8' => {
                let t = kind.trailer_layout();
                trailer = Some((line, number(&chars, &t[1]), number(&chars, &t[2])));
                expect = Expect::End;
            }
            _ => expect = Expect::Nothing,
        }
    }
    if let Some((line, count, total)) = trailer {
        let t = kind.trailer_layout();
        let actual = records.len() as u64;
        let sum: u64 = records.iter().map(|(_, r)| r.amount).sum();
        if count != actual {
            errors.add(
                line,
                &t[1],
                "FIL-0007",
                format!("{line}行目 2～7桁目：合計件数が{count}件ですが、データは{actual}件です。"),
            );
        }
        if total != sum {
            errors.add(
                line,
                &t[2],
                "FIL-0007",
                format!(
                    "{line}行目 8～19桁目：合計金額が{total}円ですが、データの合計は{sum}円です。"
                ),
            );
        }
    }
    if expect != Expect::Nothing && errors.0.is_empty() {
        let line = lines.len() + 1;
        let missing = match expect {
            Expect::Header => "ヘッダー",
            Expect::DataOrTrailer => "トレーラー",
            _ => "エンド",
        };
        errors.at(
            line,
            1,
            1,
            "データ区分",
            "FIL-0011",
            format!("{missing}レコードがありません。"),
        );
    }
    match head {
        Some(header) if errors.0.is_empty() => Ok(File {
            header,
            records: records.into_iter().map(|(_, r)| r).collect(),
        }),
        _ => Err(errors.0),
    }
}
