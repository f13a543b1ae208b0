//! Benchmarks of the fee engine: one calculation per method on a realistic three-tier
//! table, and a 総合振込 file of 10,000 payments. Figures go to docs/performance.md.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use madoguchi_domain::Yen;
use madoguchi_domain::fees::{FeeMethod, FeeTable, PayeeFeeRule, Route, RouteFees};

fn yen(v: i64) -> Yen {
    Yen::from_stored(v).unwrap()
}

fn table() -> FeeTable {
    FeeTable::new(
        vec![yen(30_000), yen(50_000)],
        vec![
            RouteFees([yen(0), yen(110), yen(330)]),
            RouteFees([yen(0), yen(165), yen(440)]),
            RouteFees([yen(0), yen(220), yen(550)]),
        ],
    )
    .unwrap()
}

fn bench(c: &mut Criterion) {
    let payer = table();
    for method in FeeMethod::ALL {
        let rule = PayeeFeeRule {
            table: table(),
            method,
            minimum_payment: yen(10_000),
        };
        c.bench_function(&format!("calculate/{}", method.code()), |b| {
            b.iter(|| {
                rule.calculate(&payer, black_box(Route::OtherBank), black_box(yen(30_440)))
                    .unwrap()
            })
        });
    }
    let rule = PayeeFeeRule {
        table: table(),
        method: FeeMethod::AddUpperFee,
        minimum_payment: yen(10_000),
    };
    let payments: Vec<(Route, Yen)> = (0..10_000)
        .map(|i| (Route::ALL[i % 3], yen(1_000 + (i as i64 * 7_919) % 200_000)))
        .collect();
    c.bench_function("bulk_file/10000_payments", |b| {
        b.iter(|| {
            let mut total = 0i64;
            for (route, p) in &payments {
                if let Ok(calc) = rule.calculate(&payer, *route, *p) {
                    total += calc.transfer_amount.get();
                }
            }
            black_box(total)
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
