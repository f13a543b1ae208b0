//! The window and lead time of the file businesses, and a clean file checked against the
//! company: its date, its account, the master, and the fees of each record.

use time::macros::{date, datetime, time};

use super::*;
use crate::fees::{FeeMethod, RouteFees};

fn yen(v: i64) -> Yen {
    Yen::from_stored(v).unwrap()
}

fn at(dt: time::PrimitiveDateTime) -> i64 {
    jst::to_micros(dt.assume_offset(JST))
}

fn calendar() -> Calendar {
    // 2027-01-11 成人の日.
    Calendar::new([date!(2027 - 01 - 11)])
}

fn window(lead_days: u32) -> BulkWindow {
    BulkWindow {
        cutoff: time!(18:00),
        lead_days,
        days_ahead: 30,
    }
}

#[test]
fn the_deadline_is_the_cutoff_lead_days_business_days_before() {
    let c = calendar();
    // 給与 on Wed 2027-01-13, three business days before: Thu 1/7 (1/11 is a holiday,
    // 1/9–10 a weekend) at 18:00.
    assert_eq!(
        window(3).deadline(&c, date!(2027 - 01 - 13)),
        at(datetime!(2027-01-07 18:00))
    );
    // 総合振込 on Tue 1/12: the business day before is Fri 1/8.
    assert_eq!(
        window(1).deadline(&c, date!(2027 - 01 - 12)),
        at(datetime!(2027-01-08 18:00))
    );
    assert_eq!(
        c.business_days_before(date!(2027 - 01 - 12), 0),
        date!(2027 - 01 - 12)
    );
}

#[test]
fn a_date_is_a_business_day_whose_deadline_is_ahead_within_the_window() {
    let c = calendar();
    let w = window(3);
    let now = at(datetime!(2027-01-07 17:59));
    assert!(w.check(&c, date!(2027 - 01 - 13), now).is_ok());
    let late = at(datetime!(2027-01-07 18:00));
    let e = w.check(&c, date!(2027 - 01 - 13), late).unwrap_err();
    assert_eq!(e.code(), "VAL-0027");
    assert!(
        e.message_ja().contains("2027年1月14日"),
        "{}",
        e.message_ja()
    );
    assert_eq!(w.first_day(&c, late), date!(2027 - 01 - 14));
    assert_eq!(
        w.check(&c, date!(2027 - 01 - 16), now).unwrap_err().code(),
        "VAL-0026"
    );
    assert_eq!(
        w.check(&c, date!(2027 - 02 - 08), now).unwrap_err().code(),
        "VAL-0027",
        "past the 30 days ahead"
    );
    // 口座振替 names its date 引落日.
    let e = w
        .check_as(&c, date!(2027 - 01 - 16), now, "引落日")
        .unwrap_err();
    assert!(e.message_ja().starts_with("引落日（"), "{}", e.message_ja());
}

#[test]
fn a_headers_mmdd_is_the_next_such_day() {
    let now = at(datetime!(2026-12-02 10:00));
    assert_eq!(date_of_header(12, 25, now), Some(date!(2026 - 12 - 25)));
    assert_eq!(date_of_header(1, 12, now), Some(date!(2027 - 01 - 12)));
    assert_eq!(date_of_header(12, 2, now), Some(date!(2026 - 12 - 02)));
}

fn file(kind: Kind, records: Vec<Record>) -> (Summary, Vec<(usize, Record)>) {
    let total = records.iter().map(|r| r.amount).sum();
    let summary = Summary {
        header: Header {
            kind,
            requester_code: "0000000001".into(),
            requester_name: "ﾃｽﾄ(ｶ".into(),
            month: 1,
            day: 13,
            bank_code: "0001".into(),
            bank_name: "ﾏﾄﾞｸﾞﾁ".into(),
            branch_code: "100".into(),
            branch_name: "ﾎﾝﾃﾝ".into(),
            account_kind: 1,
            number: "1234567".into(),
        },
        count: records.len() as u64,
        total,
    };
    let lines = records
        .into_iter()
        .enumerate()
        .map(|(i, r)| (i + 2, r))
        .collect();
    (summary, lines)
}

fn record(bank: &str, branch: &str, amount: u64) -> Record {
    Record {
        bank_code: bank.into(),
        bank_name: "ﾀｺｳ".into(),
        branch_code: branch.into(),
        branch_name: "ｼﾃﾝ".into(),
        account_kind: 1,
        number: "7654321".into(),
        name: "ﾔﾏﾀﾞ(ｶ".into(),
        amount,
        new_code: 0,
        reference: String::new(),
        reference2: String::new(),
    }
}

fn master(bank: &str, branch: &str) -> Option<String> {
    match (bank, branch) {
        ("0001", "") => Some("ﾏﾄﾞｸﾞﾁ".into()),
        ("0001", "100" | "200") => Some("ｼﾃﾝ".into()),
        ("0005", "") => Some("ﾀｺｳ".into()),
        ("0005", "001") => Some("ﾎﾝﾃﾝ".into()),
        _ => None,
    }
}

fn accounts() -> Vec<OwnAccount> {
    vec![OwnAccount {
        id: 7,
        branch_code: "100".into(),
        kind: 1,
        number: "1234567".into(),
    }]
}

/// 30,000円 the boundary: 同一店 0/0, 本支店 110/220, 他行 330/550.
fn standard() -> FeeTable {
    FeeTable::new(
        vec![yen(30_000)],
        vec![
            RouteFees([yen(0), yen(110), yen(330)]),
            RouteFees([yen(0), yen(220), yen(550)]),
        ],
    )
    .unwrap()
}

fn context<'a>(
    cal: &'a Calendar,
    accounts: &'a [OwnAccount],
    fees: Option<&'a BulkFees>,
    fee_side: FeeSide,
) -> Context<'a> {
    Context {
        business: Business::BulkTransfer,
        window: window(1),
        calendar: cal,
        now: at(datetime!(2027-01-07 10:00)),
        own_bank: "0001",
        accounts,
        master: &master,
        fees,
        fee_side,
    }
}

#[test]
fn fees_per_record_on_both_sides_follow_the_fee_engine() {
    let cal = calendar();
    let acc = accounts();
    let fees = BulkFees {
        payer: standard(),
        payee: Some(PayeeFeeRule {
            table: standard(),
            method: FeeMethod::Unshifted,
            minimum_payment: Yen::ZERO,
        }),
    };
    let records = vec![
        record("0005", "001", 30_000),
        record("0001", "200", 50_000),
        record("0001", "100", 10_000),
    ];
    let (s, r) = file(Kind::BulkTransfer, records.clone());
    let payer = check(s, r, &context(&cal, &acc, Some(&fees), FeeSide::Payer)).unwrap();
    let got: Vec<_> = payer
        .records
        .iter()
        .map(|p| {
            (
                p.deduction.get(),
                p.transfer_amount.get(),
                p.payer_fee.get(),
            )
        })
        .collect();
    assert_eq!(got, [(0, 30_000, 550), (0, 50_000, 220), (0, 10_000, 0)]);
    assert_eq!(payer.account_id, 7);
    assert_eq!(payer.date, date!(2027 - 01 - 13));
    assert_eq!(payer.deadline, at(datetime!(2027-01-12 18:00)));
    // 先方負担, 据置型: 30,000 → 550 deducted, 29,450 credited, the real fee 330 (差益 220).
    let (s, r) = file(Kind::BulkTransfer, records);
    let payee = check(s, r, &context(&cal, &acc, Some(&fees), FeeSide::Payee)).unwrap();
    let first = &payee.records[0];
    let calc = fees
        .payee
        .as_ref()
        .unwrap()
        .calculate(&fees.payer, crate::fees::Route::OtherBank, yen(30_000))
        .unwrap();
    assert_eq!(
        (first.deduction, first.transfer_amount, first.payer_fee),
        (calc.deduction, calc.transfer_amount, calc.real_fee)
    );
    assert_eq!(first.transfer_amount.get(), 29_450);
    assert_eq!(payee.records[1].deduction.get(), 220);
}

#[test]
fn unknown_banks_and_branches_and_a_foreign_account_are_refused_names_warned() {
    let cal = calendar();
    let acc = accounts();
    let mut renamed = record("0005", "001", 1_000);
    renamed.bank_name = "ﾍﾞﾂﾒｲ".into();
    renamed.branch_name = "ﾎﾝﾃﾝ".into();
    let (s, r) = file(
        Kind::Salary,
        vec![
            renamed.clone(),
            record("9999", "001", 1),
            record("0005", "999", 1),
        ],
    );
    let mut ctx = context(&cal, &acc, None, FeeSide::Payer);
    ctx.business = Business::Salary;
    let errors = check(s, r, &ctx).unwrap_err();
    let got: Vec<_> = errors.iter().map(|e| (e.line, e.from, e.code)).collect();
    assert_eq!(got, [(3, 2, "FIL-0010"), (4, 21, "FIL-0010")]);
    let (s, r) = file(Kind::Salary, vec![renamed]);
    let ok = check(s, r, &ctx).unwrap();
    assert_eq!(ok.warnings.len(), 1);
    assert_eq!(
        (ok.warnings[0].line, ok.warnings[0].field),
        (2, "被仕向銀行名")
    );
    assert_eq!(
        ok.records[0].payer_fee,
        Yen::ZERO,
        "no fees outside 総合振込"
    );
    // Another account than the user's.
    let (mut s, r) = file(Kind::Salary, vec![record("0005", "001", 1)]);
    s.header.number = "7777777".into();
    let errors = check(s, r, &ctx).unwrap_err();
    assert_eq!((errors[0].line, errors[0].code), (1, "FIL-0014"));
}

#[test]
fn a_date_past_the_lead_time_is_named_on_the_header() {
    let cal = calendar();
    let acc = accounts();
    let (s, r) = file(Kind::BulkTransfer, vec![record("0005", "001", 1)]);
    let mut ctx = context(&cal, &acc, None, FeeSide::Payer);
    ctx.now = at(datetime!(2027-01-12 18:00));
    let errors = check(s, r, &ctx).unwrap_err();
    assert_eq!(
        (errors[0].line, errors[0].from, errors[0].to, errors[0].code),
        (1, 55, 58, "FIL-0013")
    );
}
