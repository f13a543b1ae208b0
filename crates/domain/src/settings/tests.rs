//! The rules of 企業情報の変更 at their boundaries.
use super::*;

fn ceilings() -> BankCeilings {
    let mut c = BankCeilings::default();
    for item in CeilingItem::ALL {
        c.set(item, Yen::from_stored(999_999_999_999).unwrap_or_default());
    }
    c.account.transfer_total = Yen::from_stored(100_000_000).unwrap_or_default();
    c.account.transfer_ad_hoc = Yen::from_stored(100_000_000).unwrap_or_default();
    c.account.transfer_registered = Yen::from_stored(100_000_000).unwrap_or_default();
    c.company.bulk_transfer = Yen::from_stored(500_000_000).unwrap_or_default();
    c
}

fn good() -> SettingsInput {
    let mut input = SettingsInput {
        name: "アパレル株式会社".into(),
        name_kana: "ｱﾊﾟﾚﾙ(ｶ".into(),
        ..SettingsInput::default()
    };
    for b in Business::APPROVAL_SETTINGS {
        input.approval.insert(b, "single".into());
    }
    let mut items = BTreeMap::new();
    items.insert(TransferCategory::Total, "50000000".to_owned());
    items.insert(TransferCategory::AdHoc, "10000000".to_owned());
    items.insert(TransferCategory::Registered, "50000000".to_owned());
    input.accounts.insert(7, items);
    for item in CompanyLimit::ALL {
        input.company.insert(item, "1000".into());
    }
    input
}

fn field_error(input: &SettingsInput, field: &str) -> Option<Error> {
    match input.parse(&[7], &ceilings()) {
        Ok(_) => None,
        Err(Error::Invalid(f)) => f.iter().find(|e| e.field == field).map(|e| e.error.clone()),
        Err(other) => Some(other),
    }
}

#[test]
fn a_valid_input_parses() {
    let s = good().parse(&[7], &ceilings()).unwrap();
    assert_eq!(s.accounts[&7].transfer_ad_hoc.get(), 10_000_000);
    assert_eq!(s.approval.transfer, ApprovalMode::Single);
}

#[test]
fn approval_none_only_for_transfer() {
    let mut input = good();
    input.approval.insert(Business::Transfer, "none".into());
    assert!(input.parse(&[7], &ceilings()).is_ok());
    for b in [
        Business::BulkTransfer,
        Business::Salary,
        Business::DirectDebit,
    ] {
        let mut input = good();
        input.approval.insert(b, "none".into());
        assert!(matches!(
            field_error(&input, &approval_field(b)),
            Some(Error::ApprovalNotOffered { .. })
        ));
    }
    let mut input = good();
    input
        .approval
        .insert(Business::BulkTransfer, "triple".into());
    assert!(matches!(
        field_error(&input, "approval_bulk_transfer"),
        Some(Error::Choice { .. })
    ));
}

#[test]
fn digits_at_the_boundaries() {
    let mut c = ceilings();
    c.account.transfer_total = Yen::from_stored(999_999_999_999_999).unwrap();
    c.account.transfer_ad_hoc = c.account.transfer_total;
    c.account.transfer_registered = c.account.transfer_total;
    let mut input = good();
    input
        .accounts
        .get_mut(&7)
        .unwrap()
        .insert(TransferCategory::Total, "9".repeat(15));
    assert!(input.parse(&[7], &c).is_ok(), "15 digits are allowed");
    input
        .accounts
        .get_mut(&7)
        .unwrap()
        .insert(TransferCategory::Total, "1".repeat(16));
    assert!(matches!(
        input.parse(&[7], &c),
        Err(Error::Invalid(f)) if matches!(f.iter().next().map(|e| &e.error), Some(Error::AmountFormat { max_digits: 15, .. }))
    ));
    let mut input = good();
    input.company.insert(CompanyLimit::Salary, "9".repeat(12));
    assert!(
        input.parse(&[7], &ceilings()).is_ok(),
        "12 digits are allowed"
    );
    input.company.insert(CompanyLimit::Salary, "1".repeat(13));
    assert!(matches!(
        field_error(&input, "company_salary"),
        Some(Error::AmountFormat { max_digits: 12, .. })
    ));
}

#[test]
fn ceilings_and_sub_limits() {
    let mut input = good();
    input
        .company
        .insert(CompanyLimit::BulkTransfer, "500000000".into());
    assert!(
        input.parse(&[7], &ceilings()).is_ok(),
        "equal to the ceiling is fine"
    );
    input
        .company
        .insert(CompanyLimit::BulkTransfer, "500000001".into());
    let err = field_error(&input, "company_bulk_transfer").unwrap();
    assert_eq!(
        err.message_ja(),
        "総合振込は届出限度額（500,000,000円）以下で入力してください。"
    );

    let mut input = good();
    input
        .accounts
        .get_mut(&7)
        .unwrap()
        .insert(TransferCategory::AdHoc, "50000000".into());
    assert!(
        input.parse(&[7], &ceilings()).is_ok(),
        "a sub-limit equal to 合計 is fine"
    );
    input
        .accounts
        .get_mut(&7)
        .unwrap()
        .insert(TransferCategory::AdHoc, "50000001".into());
    assert!(matches!(
        field_error(&input, &account_field(7, TransferCategory::AdHoc)),
        Some(Error::AboveTotal { .. })
    ));
}

#[test]
fn accounts_must_be_the_companys_own() {
    let mut input = good();
    input.accounts.insert(99, BTreeMap::new());
    assert!(matches!(
        field_error(&input, "account_99"),
        Some(Error::NotFound)
    ));
    let input = SettingsInput {
        accounts: BTreeMap::new(),
        ..good()
    };
    assert!(matches!(
        field_error(&input, &account_field(7, TransferCategory::Total)),
        Some(Error::Required { .. })
    ));
}

#[test]
fn round_trip_through_the_input() {
    let s = good().parse(&[7], &ceilings()).unwrap();
    let again = SettingsInput::from_settings(&s)
        .parse(&[7], &ceilings())
        .unwrap();
    assert_eq!(s, again);
}

#[test]
fn company_name_and_kana_follow_their_rules() {
    let mut input = good();
    input.name = "ＡＮＳ株式会社".into();
    input.name_kana = "ｴｲｴﾇｴｽ(ｶ".into();
    let s = input.parse(&[7], &ceilings()).unwrap();
    assert_eq!(
        (s.name.as_str(), s.name_kana.as_str()),
        ("ＡＮＳ株式会社", "ｴｲｴﾇｴｽ(ｶ")
    );
    for (kana, code) in [
        ("ｱﾊﾟﾚﾙｶﾌﾞｼｷｶﾞｲｼﾔ", None),
        ("あぱれる", Some("VAL-0009")),
        ("ｧﾊﾟﾚﾙ", Some("VAL-0009")),
        ("", Some("VAL-0001")),
    ] {
        let mut input = good();
        input.name_kana = kana.into();
        assert_eq!(
            field_error(&input, KANA_FIELD).map(|e| e.code()),
            code,
            "{kana:?}"
        );
    }
    let mut input = good();
    input.name_kana = "ｱ".repeat(41);
    assert_eq!(
        field_error(&input, KANA_FIELD).map(|e| e.code()),
        Some("VAL-0009")
    );
    input.name_kana = "ｱ".repeat(40);
    assert_eq!(field_error(&input, KANA_FIELD), None);
    let mut input = good();
    input.name = "ア\u{202E}パレル".into();
    assert_eq!(
        field_error(&input, NAME_FIELD).map(|e| e.code()),
        Some("VAL-0018")
    );
    input.name = String::new();
    assert_eq!(
        field_error(&input, NAME_FIELD).map(|e| e.code()),
        Some("VAL-0001")
    );
}
