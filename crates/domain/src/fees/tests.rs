//! The worked examples of `reference/domain.md` §1.2, row by row, and properties.

use proptest::prelude::*;

use super::*;

fn yen(v: i64) -> Yen {
    Yen::from_stored(v).unwrap()
}

/// Example A (smtb): 他行宛 below 30,000 → 440, from 30,000 → 550.
fn table_a() -> FeeTable {
    FeeTable::new(
        vec![yen(30_000)],
        vec![
            RouteFees([yen(0), yen(0), yen(440)]),
            RouteFees([yen(0), yen(0), yen(550)]),
        ],
    )
    .unwrap()
}

fn rule(table: FeeTable, method: FeeMethod) -> PayeeFeeRule {
    PayeeFeeRule {
        table,
        method,
        minimum_payment: Yen::ZERO,
    }
}

/// (deduction, 振込金額, real fee, payer Δ) of one method.
type Expected = (i64, i64, i64, i64);

#[test]
fn worked_example_a_row_by_row() {
    // (P, [(deduct, 振込金額, real fee, payer Δ) for 据置型, 未満加算型, 以上加算型])
    let rows: [(i64, [Expected; 3]); 7] = [
        (
            29_999,
            [
                (440, 29_559, 440, 0),
                (440, 29_559, 440, 0),
                (440, 29_559, 440, 0),
            ],
        ),
        (
            30_000,
            [
                (550, 29_450, 440, 110),
                (440, 29_560, 440, 0),
                (440, 29_560, 440, 0),
            ],
        ),
        (
            30_439,
            [
                (550, 29_889, 440, 110),
                (440, 29_999, 440, 0),
                (440, 29_999, 440, 0),
            ],
        ),
        (
            30_440,
            [
                (550, 29_890, 440, 110),
                (550, 29_890, 440, 110),
                (440, 30_000, 550, -110),
            ],
        ),
        (
            30_549,
            [
                (550, 29_999, 440, 110),
                (550, 29_999, 440, 110),
                (440, 30_109, 550, -110),
            ],
        ),
        (
            30_550,
            [
                (550, 30_000, 550, 0),
                (550, 30_000, 550, 0),
                (550, 30_000, 550, 0),
            ],
        ),
        (
            100_000,
            [
                (550, 99_450, 550, 0),
                (550, 99_450, 550, 0),
                (550, 99_450, 550, 0),
            ],
        ),
    ];
    let methods = [
        FeeMethod::Unshifted,
        FeeMethod::AddLowerFee,
        FeeMethod::AddUpperFee,
    ];
    for (p, expected) in rows {
        for (method, (deduct, transfer, real, delta)) in methods.into_iter().zip(expected) {
            let c = rule(table_a(), method)
                .calculate(&table_a(), Route::OtherBank, yen(p))
                .unwrap();
            assert_eq!(
                (
                    c.deduction.get(),
                    c.transfer_amount.get(),
                    c.real_fee.get(),
                    c.payer_difference()
                ),
                (deduct, transfer, real, delta),
                "P = {p}, {}",
                method.label()
            );
        }
    }
}

#[test]
fn worked_example_b() {
    // 愛媛銀行: below 30,000 → 110, from 30,000 → 330; P = 30,329.
    let table = FeeTable::new(
        vec![yen(30_000)],
        vec![
            RouteFees([yen(110), yen(110), yen(110)]),
            RouteFees([yen(330), yen(330), yen(330)]),
        ],
    )
    .unwrap();
    let p = yen(30_329);
    let unshifted = rule(table.clone(), FeeMethod::Unshifted)
        .calculate(&table, Route::OtherBank, p)
        .unwrap();
    assert_eq!(
        (
            unshifted.deduction.get(),
            unshifted.transfer_amount.get(),
            unshifted.real_fee.get()
        ),
        (330, 29_999, 110)
    );
    assert_eq!(unshifted.payer_total(), 30_109);
    let lower = rule(table.clone(), FeeMethod::AddLowerFee)
        .calculate(&table, Route::OtherBank, p)
        .unwrap();
    assert_eq!(lower.payer_total(), 30_109);
    let upper = rule(table.clone(), FeeMethod::AddUpperFee)
        .calculate(&table, Route::OtherBank, p)
        .unwrap();
    assert_eq!(
        (
            upper.deduction.get(),
            upper.transfer_amount.get(),
            upper.real_fee.get()
        ),
        (110, 30_219, 330)
    );
    assert_eq!(upper.payer_total(), 30_549);
}

#[test]
fn below_the_minimum_nothing_is_deducted() {
    let r = PayeeFeeRule {
        minimum_payment: yen(10_000),
        ..rule(table_a(), FeeMethod::Unshifted)
    };
    assert_eq!(
        r.deduction(Route::OtherBank, yen(9_999)).unwrap(),
        Yen::ZERO
    );
    assert_eq!(
        r.deduction(Route::OtherBank, yen(10_000)).unwrap(),
        yen(440)
    );
}

#[test]
fn a_deduction_reaching_the_payment_is_refused() {
    let r = rule(table_a(), FeeMethod::Unshifted);
    assert!(matches!(
        r.deduction(Route::OtherBank, yen(440)),
        Err(Error::DeductionTooLarge { .. })
    ));
    assert!(matches!(
        r.deduction(Route::OtherBank, yen(300)),
        Err(Error::DeductionTooLarge { .. })
    ));
    assert_eq!(r.deduction(Route::OtherBank, yen(441)).unwrap(), yen(440));
    assert_eq!(
        r.deduction(Route::SameBranch, yen(1)).unwrap(),
        Yen::ZERO,
        "a free route never refuses"
    );
}

#[test]
fn table_rules() {
    let fees = RouteFees::default();
    assert!(matches!(
        FeeTable::new(vec![yen(0)], vec![fees, fees]),
        Err(Error::BoundaryOrder)
    ));
    assert!(matches!(
        FeeTable::new(vec![yen(5), yen(5)], vec![fees, fees, fees]),
        Err(Error::BoundaryOrder)
    ));
    assert!(matches!(
        FeeTable::new(vec![yen(5)], vec![fees]),
        Err(Error::FeeTiers)
    ));
    let big = RouteFees([yen(MAX_FEE + 1), yen(0), yen(0)]);
    assert!(matches!(
        FeeTable::new(vec![], vec![big]),
        Err(Error::FeeTooLarge { .. })
    ));
}

#[test]
fn several_tiers_shift_each_boundary() {
    // 3万 and 5万 boundaries, 他行宛 330 / 440 / 550.
    let t = FeeTable::new(
        vec![yen(30_000), yen(50_000)],
        vec![
            RouteFees([yen(0), yen(0), yen(330)]),
            RouteFees([yen(0), yen(0), yen(440)]),
            RouteFees([yen(0), yen(0), yen(550)]),
        ],
    )
    .unwrap();
    assert_eq!(
        t.tier(FeeMethod::AddUpperFee, Route::OtherBank, yen(50_549)),
        1
    );
    assert_eq!(
        t.tier(FeeMethod::AddUpperFee, Route::OtherBank, yen(50_550)),
        2
    );
    assert_eq!(
        t.tier(FeeMethod::AddLowerFee, Route::OtherBank, yen(50_439)),
        1
    );
    assert_eq!(
        t.tier(FeeMethod::AddLowerFee, Route::OtherBank, yen(50_440)),
        2
    );
    assert_eq!(
        t.tier(FeeMethod::Unshifted, Route::OtherBank, yen(49_999)),
        1
    );
}

fn arb_table() -> impl Strategy<Value = FeeTable> {
    (1usize..4).prop_flat_map(|tiers| {
        (
            proptest::collection::btree_set(1_000i64..200_000, tiers - 1),
            proptest::collection::vec(proptest::array::uniform3(0i64..1_000), tiers),
        )
            .prop_map(|(bounds, fees)| {
                FeeTable::new(
                    bounds.into_iter().map(yen).collect(),
                    fees.into_iter().map(|f| RouteFees(f.map(yen))).collect(),
                )
                .unwrap()
            })
    })
}

fn arb_route() -> impl Strategy<Value = Route> {
    prop_oneof![
        Just(Route::SameBranch),
        Just(Route::OtherBranch),
        Just(Route::OtherBank)
    ]
}

fn arb_method() -> impl Strategy<Value = FeeMethod> {
    prop_oneof![
        Just(FeeMethod::Unshifted),
        Just(FeeMethod::AddUpperFee),
        Just(FeeMethod::AddLowerFee)
    ]
}

proptest! {
    #[test]
    fn transfer_amount_is_payment_minus_deduction(table in arb_table(), method in arb_method(), route in arb_route(), p in 1i64..1_000_000, min in 0i64..20_000) {
        let r = PayeeFeeRule { table: table.clone(), method, minimum_payment: yen(min) };
        match r.calculate(&table, route, yen(p)) {
            Ok(c) => {
                prop_assert_eq!(c.transfer_amount.get(), p - c.deduction.get());
                prop_assert!(c.transfer_amount.get() > 0 || c.deduction == Yen::ZERO);
                if p < min { prop_assert_eq!(c.deduction, Yen::ZERO); }
            }
            Err(Error::DeductionTooLarge { fee, .. }) => prop_assert!(fee.get() >= p),
            Err(other) => prop_assert!(false, "unexpected {other:?}"),
        }
    }

    #[test]
    fn one_tier_makes_the_methods_agree(fees in proptest::array::uniform3(0i64..1_000), route in arb_route(), p in 1_000i64..1_000_000) {
        let table = FeeTable::flat(RouteFees(fees.map(yen)));
        let results: Vec<_> = FeeMethod::ALL.into_iter().map(|m| rule(table.clone(), m).calculate(&table, route, yen(p)).unwrap()).collect();
        prop_assert!(results.windows(2).all(|w| w[0] == w[1]));
        prop_assert_eq!(results[0].payer_difference(), 0);
    }

    /// With one boundary B and fees f_low < f_up: 据置型 gains f_up − f_low exactly on
    /// [B, B + f_up); 未満加算型 on [B + f_low, B + f_up); 以上加算型 loses it on
    /// [B + f_low, B + f_up); nothing elsewhere.
    #[test]
    fn difference_bands_match_the_reference(b in 10_000i64..100_000, f_low in 0i64..500, extra in 1i64..500, offset in -1_000i64..2_000) {
        let f_up = f_low + extra;
        let fees = |f| RouteFees([yen(f), yen(f), yen(f)]);
        let table = FeeTable::new(vec![yen(b)], vec![fees(f_low), fees(f_up)]).unwrap();
        let p = b + offset;
        let diff = |m| rule(table.clone(), m).calculate(&table, Route::OtherBank, yen(p)).unwrap().payer_difference();
        let in_band = |lo: i64, hi: i64| (lo..hi).contains(&p);
        prop_assert_eq!(diff(FeeMethod::Unshifted), if in_band(b, b + f_up) { extra } else { 0 });
        prop_assert_eq!(diff(FeeMethod::AddLowerFee), if in_band(b + f_low, b + f_up) { extra } else { 0 });
        prop_assert_eq!(diff(FeeMethod::AddUpperFee), if in_band(b + f_low, b + f_up) { -extra } else { 0 });
    }
}
