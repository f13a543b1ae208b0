//! The record layouts of domain.md §7, as data: each field's name, columns (1-based,
//! inclusive) and class. Header, data, trailer and end of 総合振込 (21), 給与 (11), 賞与
//! (12) and 口座振替 (91).

/// What characters a field holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// N: digits, right-justified and zero-filled.
    Digits,
    /// C: a name in 半角 of the 全銀協 set — digits, A–Z, ｱ–ﾝ, ﾞ ﾟ, space, `( ) - .`
    /// (給与・賞与 受取人名: kana, digits, space only).
    Name,
    /// C: a bank or branch name — as a name, with `-` the only symbol.
    BankName,
    /// C: a name of 給与・賞与: kana, digits and space, no letters or symbols.
    PayrollName,
    /// Anything of the set, or spaces (ダミー, unused codes).
    Any,
}

/// One field of a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    /// The manual's name of the field (errors name it).
    pub label: &'static str,
    /// First and last column, 1-based inclusive.
    pub from: usize,
    pub to: usize,
    pub class: Class,
}

const fn f(label: &'static str, from: usize, to: usize, class: Class) -> Field {
    Field {
        label,
        from,
        to,
        class,
    }
}

use Class::{Any, BankName, Digits, Name, PayrollName};

/// ヘッダー of 総合振込, 給与 and 賞与 (口座振替's names the same columns 引落日, 取引銀行…).
pub const HEADER: [Field; 13] = [
    f("データ区分", 1, 1, Digits),
    f("種別コード", 2, 3, Digits),
    f("コード区分", 4, 4, Digits),
    f("委託者コード", 5, 14, Digits),
    f("委託者名", 15, 54, Name),
    f("振込指定日", 55, 58, Digits),
    f("仕向銀行番号", 59, 62, Digits),
    f("仕向銀行名", 63, 77, BankName),
    f("仕向支店番号", 78, 80, Digits),
    f("仕向支店名", 81, 95, BankName),
    f("預金種目（依頼人）", 96, 96, Digits),
    f("口座番号（依頼人）", 97, 103, Digits),
    f("ダミー", 104, 120, Any),
];

/// データ of 総合振込.
pub const BULK_DATA: [Field; 16] = [
    f("データ区分", 1, 1, Digits),
    f("被仕向銀行番号", 2, 5, Digits),
    f("被仕向銀行名", 6, 20, BankName),
    f("被仕向支店番号", 21, 23, Digits),
    f("被仕向支店名", 24, 38, BankName),
    f("手形交換所番号", 39, 42, Any),
    f("預金種目", 43, 43, Digits),
    f("口座番号", 44, 50, Digits),
    f("受取人名", 51, 80, Name),
    f("振込金額", 81, 90, Digits),
    f("新規コード", 91, 91, Digits),
    f("顧客コード1", 92, 101, Any),
    f("顧客コード2", 102, 111, Any),
    f("振込指定区分", 112, 112, Any),
    f("識別表示", 113, 113, Any),
    f("ダミー", 114, 120, Any),
];

/// データ of 給与・賞与.
pub const PAYROLL_DATA: [Field; 14] = [
    f("データ区分", 1, 1, Digits),
    f("被仕向銀行番号", 2, 5, Digits),
    f("被仕向銀行名", 6, 20, BankName),
    f("被仕向支店番号", 21, 23, Digits),
    f("被仕向支店名", 24, 38, BankName),
    f("手形交換所番号", 39, 42, Any),
    f("預金種目", 43, 43, Digits),
    f("口座番号", 44, 50, Digits),
    f("受取人名", 51, 80, PayrollName),
    f("振込金額", 81, 90, Digits),
    f("新規コード", 91, 91, Digits),
    f("社員番号", 92, 101, Any),
    f("所属コード", 102, 111, Any),
    f("ダミー", 112, 120, Any),
];

/// データ of 口座振替.
pub const DEBIT_DATA: [Field; 14] = [
    f("データ区分", 1, 1, Digits),
    f("引落銀行番号", 2, 5, Digits),
    f("引落銀行名", 6, 20, BankName),
    f("引落支店番号", 21, 23, Digits),
    f("引落支店名", 24, 38, BankName),
    f("ダミー", 39, 42, Any),
    f("預金種目", 43, 43, Digits),
    f("口座番号", 44, 50, Digits),
    f("預金者名", 51, 80, Name),
    f("引落金額", 81, 90, Digits),
    f("新規コード", 91, 91, Digits),
    f("顧客番号", 92, 111, Digits),
    f("振替結果コード", 112, 112, Digits),
    f("ダミー", 113, 120, Any),
];

/// トレーラー of 総合振込, 給与 and 賞与.
pub const TRAILER: [Field; 4] = [
    f("データ区分", 1, 1, Digits),
    f("合計件数", 2, 7, Digits),
    f("合計金額", 8, 19, Digits),
    f("ダミー", 20, 120, Any),
];

/// トレーラー of 口座振替 (振替済/振替不能 are 0 in a request).
pub const DEBIT_TRAILER: [Field; 8] = [
    f("データ区分", 1, 1, Digits),
    f("合計件数", 2, 7, Digits),
    f("合計金額", 8, 19, Digits),
    f("振替済件数", 20, 25, Digits),
    f("振替済金額", 26, 37, Digits),
    f("振替不能件数", 38, 43, Digits),
    f("振替不能金額", 44, 55, Digits),
    f("ダミー", 56, 120, Any),
];

/// エンド.
pub const END: [Field; 2] = [f("データ区分", 1, 1, Digits), f("ダミー", 2, 120, Any)];

/// Whether `c` (a character of a single-byte Shift_JIS record) is allowed in `class`.
pub fn allows(class: Class, c: char) -> bool {
    let kana = ('\u{FF71}'..='\u{FF9F}').contains(&c) || c == 'ｦ';
    let base = c.is_ascii_digit() || c == ' ' || kana;
    match class {
        Class::Digits => c.is_ascii_digit(),
        Class::PayrollName => base,
        Class::BankName => base || c.is_ascii_uppercase() || c == '-',
        Class::Name => base || c.is_ascii_uppercase() || matches!(c, '(' | ')' | '-' | '.'),
        Class::Any => {
            base || c.is_ascii_uppercase()
                || matches!(c, '(' | ')' | '-' | '.' | '/' | '\\' | '｢' | '｣' | ',')
        }
    }
}
