//! Reading a 全銀協 file back with every rule of domain.md §7 checked: records of 120
//! bytes, CR+LF or no newline at all (CR alone or LF alone refused), ヘッダー → データ… →
//! トレーラー → エンド, the 種別コード of the business, each field's characters (N digits; C
//! 半角 of the 全銀協 set: no lower case, no small kana, no ｰ, no 全角), a real 振込指定日,
//! amounts above zero, and the trailer's 件数 and 金額 equal to the data's. Every error
//! names its line, columns, field and what was expected; nothing is returned unless the
//! whole file is right.

use std::io::{BufRead, Read};

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

/// What a file is read as: a company's request, or the bank's 口座振替 result file (its
/// 振替結果コード and the trailer's 振替済・振替不能 filled in).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Purpose {
    Request,
    Results,
}

/// 振替結果コード a result file may carry (domain.md §7).
pub const RESULT_CODES: [u8; 7] = [0, 1, 2, 3, 4, 8, 9];

fn data(line: usize, c: &[char], kind: Kind, purpose: Purpose, errors: &mut Errors) -> Record {
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
    let new_code = text(c, &d[10]);
    if !matches!(new_code.as_str(), "0" | "1" | "2") && new_code.chars().all(|c| c.is_ascii_digit())
    {
        errors.add(
            line,
            &d[10],
            "FIL-0012",
            format!("{line}行目 91桁目：新規コードは0・1・2のいずれかです（「{new_code}」）。"),
        );
    }
    match kind {
        Kind::BulkTransfer => {
            let class = text(c, &d[13]);
            if !matches!(class.as_str(), "7" | "8" | " ") {
                errors.add(
                    line,
                    &d[13],
                    "FIL-0012",
                    format!("{line}行目 112桁目：振込指定区分は7（電信）・8（文書）です（「{class}」）。"),
                );
            }
        }
        Kind::DirectDebit if purpose == Purpose::Results => {
            let result = text(c, &d[12]);
            let known = result
                .parse::<u8>()
                .is_ok_and(|code| RESULT_CODES.contains(&code));
            if !known && result.chars().all(|c| c.is_ascii_digit()) {
                errors.add(
                    line,
                    &d[12],
                    "FIL-0012",
                    format!("{line}行目 112桁目：振替結果コードは0～4・8・9のいずれかです（「{result}」）。"),
                );
            }
        }
        Kind::DirectDebit => {
            let result = text(c, &d[12]);
            if result != "0" {
                errors.add(
                    line,
                    &d[12],
                    "FIL-0012",
                    format!("{line}行目 112桁目：依頼の振替結果コードは0です（「{result}」）。"),
                );
            }
        }
        Kind::Salary | Kind::Bonus => {}
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

/// The records of a file, one at a time with bounded memory: CR+LF after each, or no
/// newline at all (told by what follows the first 120 bytes); a CR or an LF alone is
/// refused (FIL-0002) and ends the reading, as does a line far longer than a record.
struct Records<R> {
    reader: R,
    /// The first bytes, read to tell the framing, not yet handed out.
    head: Vec<u8>,
    /// `Some(true)`: CR+LF; `Some(false)`: no newlines; `None`: not read yet.
    crlf: Option<bool>,
    line: usize,
    done: bool,
}

/// The longest line read while looking for its CR+LF.
const MAX_LINE: u64 = 1024;

impl<R: BufRead> Records<R> {
    /// A CR or an LF alone at `line`: refused, and the reading ends.
    fn framing(
        &mut self,
        errors: &mut Errors,
        line: usize,
        len: usize,
        what: &str,
    ) -> Option<Vec<u8>> {
        errors.at(
            line,
            1,
            len.max(1),
            "改行",
            "FIL-0002",
            format!("{line}行目：改行コードが{what}のみです。改行はCR+LFとするか、改行なしとしてください。"),
        );
        self.done = true;
        None
    }

    fn new(reader: R) -> Self {
        Self {
            reader,
            head: Vec::new(),
            crlf: None,
            line: 0,
            done: false,
        }
    }

    /// The next record's bytes; `None` at the end (or after a framing error).
    fn next(&mut self, errors: &mut Errors) -> Option<Vec<u8>> {
        if self.done {
            return None;
        }
        let crlf = match self.crlf {
            Some(c) => c,
            None => {
                // What follows the first record tells the framing.
                let mut head = Vec::with_capacity(RECORD_LEN + 2);
                (&mut self.reader)
                    .take(RECORD_LEN as u64 + 2)
                    .read_to_end(&mut head)
                    .ok()?;
                let c = head.contains(&b'\r') || head.contains(&b'\n');
                self.head = head;
                self.crlf = Some(c);
                c
            }
        };
        self.line += 1;
        let line = self.line;
        let mut raw = Vec::with_capacity(RECORD_LEN + 2);
        let read = if crlf {
            match self.head.iter().position(|b| *b == b'\n') {
                Some(end) => {
                    raw.extend(self.head.drain(..=end));
                    Ok(raw.len())
                }
                None => {
                    raw.append(&mut self.head);
                    let rest = MAX_LINE.saturating_sub(raw.len() as u64);
                    (&mut self.reader)
                        .take(rest)
                        .read_until(b'\n', &mut raw)
                        .map(|_| raw.len())
                }
            }
        } else {
            let from_head = self.head.len().min(RECORD_LEN);
            raw.extend(self.head.drain(..from_head));
            let rest = (RECORD_LEN - raw.len()) as u64;
            (&mut self.reader)
                .take(rest)
                .read_to_end(&mut raw)
                .map(|_| raw.len())
        };
        if read.ok()? == 0 || raw == [0x1A] {
            self.done = true;
            return None;
        }
        if !crlf {
            return Some(raw);
        }
        if raw.ends_with(b"\r\n") {
            raw.truncate(raw.len() - 2);
        } else if raw.ends_with(b"\n") {
            return self.framing(errors, line, raw.len(), "LF");
        } else if !raw.contains(&b'\r') {
            // The last record without its CR+LF, or a line far too long (refused by its
            // length; nothing after it can be told apart).
            self.done = raw.len() as u64 >= MAX_LINE;
            return Some(raw);
        }
        if raw.contains(&b'\r') || raw.contains(&b'\n') {
            let what = if raw.contains(&b'\r') { "CR" } else { "LF" };
            return self.framing(errors, line, raw.len(), what);
        }
        Some(raw)
    }
}

/// What a file holds besides its records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    pub header: Header,
    /// 合計件数 and 合計金額 of the data (equal to the trailer's).
    pub count: u64,
    pub total: u64,
}

/// Reads a file of `kind` from `reader` one record at a time, handing each データ record
/// to `each` with its line number, in bounded memory: the header and totals, or every
/// error found (at most [`MAX_ERRORS`]). A caller must not keep what `each` got unless
/// the whole file is accepted.
pub fn parse_reader<R: BufRead>(
    reader: R,
    kind: Kind,
    mut each: impl FnMut(usize, Record),
) -> Result<Summary, Vec<FileError>> {
    read(reader, kind, Purpose::Request, |line, r, _| each(line, r)).map(|(s, _)| s)
}

/// The trailer's results of a 口座振替 result file: 振替済 and 振替不能, 件数 and 金額.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Settled {
    pub settled_count: u64,
    pub settled_amount: u64,
    pub unsettled_count: u64,
    pub unsettled_amount: u64,
}

/// Reads the bank's 口座振替 result file: each record with its 振替結果コード, and the
/// trailer's 振替済・振替不能, checked against the records (every rule of a request, the
/// result codes of domain.md §7, and the sums).
pub fn parse_results<R: BufRead>(
    reader: R,
    each: impl FnMut(usize, Record, u8),
) -> Result<(Summary, Settled), Vec<FileError>> {
    read(reader, Kind::DirectDebit, Purpose::Results, each)
}

fn read<R: BufRead>(
    reader: R,
    kind: Kind,
    purpose: Purpose,
    mut each: impl FnMut(usize, Record, u8),
) -> Result<(Summary, Settled), Vec<FileError>> {
    let mut settled = Settled::default();
    let mut reported = Settled::default();
    let mut errors = Errors(Vec::new());
    let mut records = Records::new(reader);
    let mut head = None;
    let (mut count, mut total) = (0_u64, 0_u64);
    let mut trailer = None;
    let mut expect = Expect::Header;
    let mut last = 0;
    while let Some(raw) = records.next(&mut errors) {
        let line = records.line;
        last = line;
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
        let chars = match decode(&raw) {
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
            '2' => {
                let r = data(line, &chars, kind, purpose, &mut errors);
                count += 1;
                total += r.amount;
                let code = if kind == Kind::DirectDebit {
                    u8::try_from(number(&chars, &kind.data_layout()[12])).unwrap_or(9)
                } else {
                    0
                };
                if code == 0 {
                    settled.settled_count += 1;
                    settled.settled_amount += r.amount;
                } else {
                    settled.unsettled_count += 1;
                    settled.unsettled_amount += r.amount;
                }
                each(line, r, code);
            }
            '8' => {
                let t = kind.trailer_layout();
                trailer = Some((line, number(&chars, &t[1]), number(&chars, &t[2])));
                if purpose == Purpose::Results {
                    reported = Settled {
                        settled_count: number(&chars, &t[3]),
                        settled_amount: number(&chars, &t[4]),
                        unsettled_count: number(&chars, &t[5]),
                        unsettled_amount: number(&chars, &t[6]),
                    };
                } else if kind == Kind::DirectDebit {
                    // A request carries no results yet.
                    for f in &t[3..7] {
                        if number(&chars, f) != 0 {
                            errors.add(
                                line,
                                f,
                                "FIL-0012",
                                format!(
                                    "{line}行目 {}～{}桁目：依頼の{}は0です。",
                                    f.from, f.to, f.label
                                ),
                            );
                        }
                    }
                }
                expect = Expect::End;
            }
            _ => expect = Expect::Nothing,
        }
    }
    if let Some((line, t_count, t_total)) = trailer {
        let t = kind.trailer_layout();
        if purpose == Purpose::Results {
            let pairs = [
                (&t[3], reported.settled_count, settled.settled_count),
                (&t[4], reported.settled_amount, settled.settled_amount),
                (&t[5], reported.unsettled_count, settled.unsettled_count),
                (&t[6], reported.unsettled_amount, settled.unsettled_amount),
            ];
            for (f, said, found) in pairs {
                if said != found {
                    errors.add(
                        line,
                        f,
                        "FIL-0007",
                        format!(
                            "{line}行目 {}～{}桁目：{}が{said}ですが、データからは{found}です。",
                            f.from, f.to, f.label
                        ),
                    );
                }
            }
        }
        if t_count != count {
            errors.add(
                line,
                &t[1],
                "FIL-0007",
                format!(
                    "{line}行目 2～7桁目：合計件数が{t_count}件ですが、データは{count}件です。"
                ),
            );
        }
        if t_total != total {
            errors.add(
                line,
                &t[2],
                "FIL-0007",
                format!("{line}行目 8～19桁目：合計金額が{t_total}円ですが、データの合計は{total}円です。"),
            );
        }
    }
    if expect != Expect::Nothing && errors.0.is_empty() {
        let missing = match expect {
            Expect::Header => "ヘッダー",
            Expect::DataOrTrailer => "トレーラー",
            _ => "エンド",
        };
        errors.at(
            last + 1,
            1,
            1,
            "データ区分",
            "FIL-0011",
            format!("{missing}レコードがありません。"),
        );
    }
    match head {
        Some(header) if errors.0.is_empty() => Ok((
            Summary {
                header,
                count,
                total,
            },
            settled,
        )),
        _ => Err(errors.0),
    }
}

/// Reads `bytes` as a file of `kind`: the file, or every error found.
pub fn parse(bytes: &[u8], kind: Kind) -> Result<File, Vec<FileError>> {
    let mut records = Vec::new();
    let summary = parse_reader(bytes, kind, |_, r| records.push(r))?;
    Ok(File {
        header: summary.header,
        records,
    })
}
