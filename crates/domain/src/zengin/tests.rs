//! The four layouts written and read back (a property test through Shift_JIS), each
//! field where domain.md §7 puts it, and one malformed file per rule.

use encoding_rs::SHIFT_JIS;
use proptest::prelude::*;

use super::*;

fn field(record: &[u8], from: usize, to: usize) -> String {
    SHIFT_JIS.decode(&record[from - 1..to]).0.into_owned()
}

fn sample(kind: Kind) -> File {
    File {
        header: Header {
            kind,
            requester_code: "0000000001".into(),
            requester_name: "ｱﾊﾟﾚﾙ(ｶ)".into(),
            month: 6,
            day: 11,
            bank_code: "0001".into(),
            bank_name: "ﾐｽﾞﾎ".into(),
            branch_code: "012".into(),
            branch_name: "ｼﾝｼﾞﾕｸ".into(),
            account_kind: 1,
            number: "1234567".into(),
        },
        records: vec![Record {
            bank_code: "0005".into(),
            bank_name: "ﾐﾂﾋﾞｼﾕ-ｴﾌｼﾞｴｲ".into(),
            branch_code: "001".into(),
            branch_name: "ﾎﾝﾃﾝ".into(),
            account_kind: 1,
            number: "7654321".into(),
            name: if matches!(kind, Kind::Salary | Kind::Bonus) {
                "ﾔﾏﾀﾞ ﾀﾛｳ".into()
            } else {
                "ﾔﾏﾀﾞ(ｶ".into()
            },
            amount: 49_395,
            new_code: 0,
            reference: if kind == Kind::DirectDebit {
                "00000000000000012345".into()
            } else {
                "1234".into()
            },
            reference2: if kind == Kind::DirectDebit {
                String::new()
            } else {
                "88".into()
            },
        }],
    }
}

#[test]
fn records_are_120_bytes_with_each_field_where_the_layout_puts_it() {
    let bytes = write(&sample(Kind::BulkTransfer)).unwrap();
    assert_eq!(bytes.len(), 4 * 122);
    let rec = |i: usize| &bytes[i * 122..i * 122 + 120];
    assert_eq!(&bytes[120..122], b"\r\n");
    let h = rec(0);
    assert_eq!(field(h, 1, 3), "121");
    assert_eq!(field(h, 5, 14), "0000000001");
    assert_eq!(field(h, 15, 54).trim_end(), "ｱﾊﾟﾚﾙ(ｶ)");
    assert_eq!(field(h, 55, 58), "0611");
    assert_eq!(field(h, 59, 62), "0001");
    assert_eq!(field(h, 78, 80), "012");
    assert_eq!(field(h, 96, 103), "11234567");
    let d = rec(1);
    assert_eq!(field(d, 2, 5), "0005");
    assert_eq!(field(d, 21, 23), "001");
    assert_eq!(field(d, 43, 50), "17654321");
    assert_eq!(field(d, 51, 80).trim_end(), "ﾔﾏﾀﾞ(ｶ");
    assert_eq!(field(d, 81, 90), "0000049395");
    assert_eq!(field(d, 112, 112), "7");
    let t = rec(2);
    assert_eq!(field(t, 1, 19), "8000001000000049395");
    assert_eq!(field(rec(3), 1, 1), "9");
    // 口座振替: the 20-digit 顧客番号 and the trailer's result counts.
    let debit = write(&sample(Kind::DirectDebit)).unwrap();
    assert_eq!(field(&debit[..120], 2, 3), "91");
    assert_eq!(field(&debit[122..242], 92, 111), "00000000000000012345");
    assert_eq!(field(&debit[244..364], 20, 55), "0".repeat(36));
}

#[test]
fn what_does_not_fit_is_refused() {
    let mut big = sample(Kind::BulkTransfer);
    big.records[0].amount = 10_000_000_000;
    assert_eq!(write(&big).unwrap_err().code(), "FIL-0000");
    assert!(encode(&["山".repeat(120)]).is_err(), "not one byte each");
}

/// Writes the sample of `kind` and applies `edit` to its bytes.
fn broken(kind: Kind, edit: impl FnOnce(&mut Vec<u8>)) -> Vec<FileError> {
    let mut bytes = write(&sample(kind)).unwrap();
    edit(&mut bytes);
    parse(&bytes, kind).unwrap_err()
}

fn first(errors: &[FileError]) -> (usize, usize, usize, &'static str, &'static str) {
    let e = &errors[0];
    (e.line, e.from, e.to, e.field, e.code)
}

/// Puts `text` (SJIS single bytes) at 1-based column `at` of record `line`.
fn put(bytes: &mut [u8], line: usize, at: usize, text: &str) {
    let (enc, _, _) = SHIFT_JIS.encode(text);
    let start = (line - 1) * 122 + at - 1;
    bytes[start..start + enc.len()].copy_from_slice(&enc);
}

#[test]
fn a_file_is_read_the_same_through_a_reader_of_any_buffer_size() {
    let written = File {
        records: vec![sample(Kind::BulkTransfer).records[0].clone(); 5],
        ..sample(Kind::BulkTransfer)
    };
    let bytes = write(&written).unwrap();
    let plain: Vec<u8> = bytes
        .iter()
        .copied()
        .filter(|b| *b != b'\r' && *b != b'\n')
        .collect();
    for input in [&bytes, &plain] {
        for capacity in [1, 7, 121, 122, 500, 8192] {
            let mut seen = Vec::new();
            let reader = std::io::BufReader::with_capacity(capacity, input.as_slice());
            let summary = parse_reader(reader, Kind::BulkTransfer, |line, r| seen.push((line, r)))
                .unwrap_or_else(|e| panic!("{capacity}: {e:?}"));
            assert_eq!(summary.count, 5);
            assert_eq!(summary.total, 5 * 49_395);
            assert_eq!(
                seen.iter().map(|(l, _)| *l).collect::<Vec<_>>(),
                [2, 3, 4, 5, 6]
            );
        }
    }
    // LF-only through a small buffer is still refused.
    let lf: Vec<u8> = bytes.iter().copied().filter(|b| *b != b'\r').collect();
    let e = parse_reader(
        std::io::BufReader::with_capacity(3, lf.as_slice()),
        Kind::BulkTransfer,
        |_, _| {},
    )
    .unwrap_err();
    assert_eq!(e[0].code, "FIL-0002");
}

#[test]
fn each_rule_of_the_layout_is_refused_with_its_line_and_field() {
    let k = Kind::BulkTransfer;
    assert!(parse(&write(&sample(k)).unwrap(), k).is_ok());
    // Without newlines is as good.
    let plain: Vec<u8> = write(&sample(k))
        .unwrap()
        .into_iter()
        .filter(|b| *b != b'\r' && *b != b'\n')
        .collect();
    assert_eq!(parse(&plain, k).unwrap(), sample(k));
    // A record one byte short.
    let e = broken(k, |b| {
        b.remove(130);
    });
    assert_eq!((e[0].line, e[0].code), (2, "FIL-0001"));
    // CR only, LF only.
    let e = broken(k, |b| {
        b.remove(121);
    });
    assert_eq!(e[0].code, "FIL-0002");
    assert!(e[0].message.contains("CR"));
    let e = broken(k, |b| {
        b.remove(120);
    });
    assert_eq!(e[0].code, "FIL-0002");
    assert!(e[0].message.contains("LF"));
    // The trailer before the data.
    let e = broken(k, |b| {
        let data: Vec<u8> = b[122..244].to_vec();
        let trailer: Vec<u8> = b[244..366].to_vec();
        b[122..244].copy_from_slice(&trailer);
        b[244..366].copy_from_slice(&data);
    });
    assert_eq!(first(&e), (3, 1, 1, "データ区分", "FIL-0003"));
    // A 給与 file uploaded as 総合振込.
    let e = parse(&write(&sample(Kind::Salary)).unwrap(), k).unwrap_err();
    assert_eq!(first(&e), (1, 2, 3, "種別コード", "FIL-0004"));
    // The trailer's 件数 and 金額.
    let e = broken(k, |b| put(b, 3, 2, "000002"));
    assert_eq!(first(&e), (3, 2, 7, "合計件数", "FIL-0007"));
    let e = broken(k, |b| put(b, 3, 8, "000000049396"));
    assert_eq!(first(&e), (3, 8, 19, "合計金額", "FIL-0007"));
    // Lower case, ｰ, a small kana in 受取人名; a letter in the amount.
    for (text, why) in [
        ("ﾔﾏﾀﾞa", "英小文字"),
        ("ﾔﾏﾀﾞｰ", "長音"),
        ("ﾔﾏﾀﾞｯ", "小さいカナ"),
    ] {
        let e = broken(k, |b| put(b, 2, 51, text));
        assert_eq!(first(&e), (2, 51, 80, "受取人名", "FIL-0006"), "{text}");
        assert!(e[0].message.contains(why), "{}", e[0].message);
    }
    let e = broken(k, |b| put(b, 2, 81, "00000A9395"));
    assert_eq!(first(&e), (2, 81, 90, "振込金額", "FIL-0005"));
    // A zero amount (with the trailer made to agree).
    let e = broken(k, |b| {
        put(b, 2, 81, "0000000000");
        put(b, 3, 8, "000000000000");
    });
    assert_eq!(first(&e), (2, 81, 90, "振込金額", "FIL-0009"));
    // A 振込指定日 that is no day; a 全角 character.
    let e = broken(k, |b| put(b, 1, 55, "0231"));
    assert_eq!(first(&e), (1, 55, 58, "振込指定日", "FIL-0008"));
    let e = broken(k, |b| {
        b[122 + 60] = 0x8E;
        b[122 + 61] = 0x52;
    });
    assert_eq!((e[0].line, e[0].code), (2, "FIL-0006"));
    // A 新規コード and a 振込指定区分 outside their codes; a 口座振替 request with a result.
    let e = broken(k, |b| put(b, 2, 91, "5"));
    assert_eq!(first(&e), (2, 91, 91, "新規コード", "FIL-0012"));
    let e = broken(k, |b| put(b, 2, 112, "X"));
    assert_eq!(first(&e), (2, 112, 112, "振込指定区分", "FIL-0012"));
    let e = broken(Kind::DirectDebit, |b| put(b, 2, 112, "1"));
    assert_eq!(first(&e), (2, 112, 112, "振替結果コード", "FIL-0012"));
    // No end record.
    let e = broken(k, |b| b.truncate(3 * 122));
    assert_eq!(e[0].code, "FIL-0011");
    // 給与: no letters in 受取人名.
    let e = broken(Kind::Salary, |b| put(b, 2, 51, "YAMADA"));
    assert_eq!(first(&e), (2, 51, 80, "受取人名", "FIL-0006"));
}

fn chars(set: &'static str, len: std::ops::RangeInclusive<usize>) -> impl Strategy<Value = String> {
    let set: Vec<char> = set.chars().collect();
    proptest::collection::vec(proptest::sample::select(set), len)
        .prop_map(|v| v.into_iter().collect::<String>())
        .prop_map(|s: String| s.trim().to_owned())
}

fn digits(n: usize) -> impl Strategy<Value = String> {
    proptest::collection::vec(0u8..10, n)
        .prop_map(|v| v.into_iter().map(|d| char::from(b'0' + d)).collect())
}

const NAME: &str = "ｱｲｳｴｵｶｷｸｹｺﾊﾋﾌﾍﾎﾏﾐﾑﾒﾓﾔﾕﾖﾗﾘﾙﾚﾛﾜｦﾝﾞﾟ ABCXYZ0123456789()-.";
const PAYROLL: &str = "ｱｲｳｴｵｶｷｸｹｺﾊﾋﾌﾍﾎﾏﾐﾑﾒﾓﾔﾕﾖﾗﾘﾙﾚﾛﾜｦﾝﾞﾟ 0123456789";
const BANK: &str = "ｱｲｳｴｵｶｷｸｹｺﾊﾋﾌﾍﾎﾏﾐﾑﾒﾓﾔﾕﾖﾗﾘﾙﾚﾛﾜﾝﾞﾟ -";

fn record(kind: Kind) -> impl Strategy<Value = Record> {
    let name = if matches!(kind, Kind::Salary | Kind::Bonus) {
        PAYROLL
    } else {
        NAME
    };
    let kinds: Vec<u8> = match kind {
        Kind::BulkTransfer => vec![1, 2, 4, 9],
        Kind::Salary | Kind::Bonus => vec![1, 2],
        Kind::DirectDebit => vec![1, 2, 3, 9],
    };
    (
        (
            digits(4),
            chars(BANK, 0..=15),
            digits(3),
            chars(BANK, 0..=15),
        ),
        (
            proptest::sample::select(kinds),
            digits(7),
            chars(name, 1..=30),
        ),
        (1u64..=9_999_999_999, 0u8..=2),
        (digits(20), digits(10), digits(10)),
    )
        .prop_map(
            move |((b, bn, br, brn), (ak, num, nm), (amount, new_code), (long, r1, r2))| {
                let debit = kind == Kind::DirectDebit;
                Record {
                    bank_code: b,
                    bank_name: bn,
                    branch_code: br,
                    branch_name: brn,
                    account_kind: ak,
                    number: num,
                    name: nm,
                    amount,
                    new_code,
                    reference: if debit { long } else { r1 },
                    reference2: if debit { String::new() } else { r2 },
                }
            },
        )
}

fn file(kind: Kind) -> impl Strategy<Value = File> {
    (
        (digits(10), chars(NAME, 1..=40), 1u8..=12, 1u8..=28),
        (
            digits(4),
            chars(BANK, 0..=15),
            digits(3),
            chars(BANK, 0..=15),
        ),
        (1u8..=2, digits(7)),
        proptest::collection::vec(record(kind), 0..20),
    )
        .prop_map(
            move |((code, name, month, day), (b, bn, br, brn), (ak, num), records)| File {
                header: Header {
                    kind,
                    requester_code: code,
                    requester_name: name,
                    month,
                    day,
                    bank_code: b,
                    bank_name: bn,
                    branch_code: br,
                    branch_name: brn,
                    account_kind: ak,
                    number: num,
                },
                records,
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn any_valid_file_reads_back_as_written(
        written in proptest::sample::select(Kind::ALL.to_vec()).prop_flat_map(file),
    ) {
        let bytes = write(&written).unwrap();
        prop_assert_eq!(bytes.len(), (written.records.len() + 3) * 122);
        let read = parse(&bytes, written.header.kind);
        prop_assert_eq!(read, Ok(written));
    }
}

#[test]
fn a_result_file_reads_back_with_its_codes_and_its_trailer_checked() {
    let mut f = sample(Kind::DirectDebit);
    let mut second = f.records[0].clone();
    second.amount = 1_000;
    f.records.push(second);
    let bytes = write_results(&f, &[0, 2]).unwrap();
    let mut codes = Vec::new();
    let (summary, settled) =
        parse_results(&bytes[..], |line, _, code| codes.push((line, code))).unwrap();
    assert_eq!(codes, [(2, 0), (3, 2)]);
    assert_eq!(summary.count, 2);
    assert_eq!(
        settled,
        Settled {
            settled_count: 1,
            settled_amount: 49_395,
            unsettled_count: 1,
            unsettled_amount: 1_000
        }
    );
    // A request may not carry results; a result file's trailer must match its records.
    assert_eq!(
        parse(&bytes, Kind::DirectDebit).unwrap_err()[0].code,
        "FIL-0012"
    );
    let mut wrong = bytes.clone();
    let trailer = 3 * 122;
    wrong[trailer + 24] = b'2';
    let errors = parse_results(&wrong[..], |_, _, _| {}).unwrap_err();
    assert_eq!(
        (errors[0].line, errors[0].from, errors[0].code),
        (4, 20, "FIL-0007")
    );
    let mut unknown = bytes;
    unknown[122 + 111] = b'5';
    assert_eq!(
        parse_results(&unknown[..], |_, _, _| {}).unwrap_err()[0].code,
        "FIL-0012"
    );
}
