//! Reading a 全銀協 file of 10,000 and 100,000 records with every rule checked
//! (`parse_reader`, streamed from a file on disk through a `BufReader`), against reading
//! the same file and computing its trailer alone; and the process's peak resident memory
//! before and after, to show the streamed read holds one record, not the file.
//! Figures go to docs/performance.md.
//!
//!   cargo bench -p madoguchi-domain --bench zengin
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader};
use std::time::Instant;

use madoguchi_domain::zengin::{File, Header, Kind, Record, parse_reader, write};

/// Peak resident set (VmHWM) of this process, in KiB.
fn peak_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn file(n: usize) -> File {
    File {
        header: Header {
            kind: Kind::BulkTransfer,
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
        records: (0..n)
            .map(|i| Record {
                bank_code: "0005".into(),
                bank_name: "ﾐﾂﾋﾞｼﾕ-ｴﾌｼﾞｴｲ".into(),
                branch_code: format!("{:03}", i % 1000),
                branch_name: "ﾎﾝﾃﾝ".into(),
                account_kind: 1,
                number: format!("{:07}", i),
                name: "ﾔﾏﾀﾞ ﾀﾛｳ".into(),
                amount: 10_000 + (i as u64 % 90_000),
                new_code: 0,
                reference: format!("{i}"),
                reference2: String::new(),
            })
            .collect(),
    }
}

/// Reads the file record by record and sums the amounts: the least any reader does.
fn trailer_only(path: &std::path::Path) -> (u64, u64) {
    let mut r = BufReader::new(std::fs::File::open(path).unwrap());
    let (mut count, mut total) = (0, 0);
    let mut line = Vec::with_capacity(122);
    loop {
        line.clear();
        if r.read_until(b'\n', &mut line).unwrap() == 0 {
            break;
        }
        if line[0] == b'2' {
            count += 1;
            total += std::str::from_utf8(&line[80..90])
                .unwrap()
                .parse::<u64>()
                .unwrap();
        }
    }
    (count, total)
}

/// In a process of its own (so its peak memory is its own): checks the file at `path`
/// of `n` records and prints the row.
fn measure(path: &std::path::Path, n: usize) {
    let size = std::fs::metadata(path).unwrap().len();
    let before = peak_kib();
    let t = Instant::now();
    let mut seen = 0_u64;
    let reader = BufReader::new(std::fs::File::open(path).unwrap());
    let summary = parse_reader(reader, Kind::BulkTransfer, |_, r| {
        seen += r.amount;
    })
    .unwrap();
    let checked = t.elapsed().as_secs_f64();
    let after = peak_kib();
    assert_eq!(summary.count, n as u64);
    assert_eq!(seen, summary.total);
    let t = Instant::now();
    let (count, total) = trailer_only(path);
    let alone = t.elapsed().as_secs_f64();
    assert_eq!((count, total), (summary.count, summary.total));
    println!(
        "| {n} | {:.1} MB | {:.0} ms | {:.0} | {:.1} ms | {:.0} | {} → {} KiB |",
        size as f64 / 1e6,
        checked * 1e3,
        n as f64 / checked,
        alone * 1e3,
        n as f64 / alone,
        before,
        after
    );
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--measure") {
        measure(
            std::path::Path::new(&args[i + 1]),
            args[i + 2].parse().unwrap(),
        );
        return;
    }
    let dir = std::env::temp_dir().join(format!("madoguchi-zengin-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    println!(
        "| records | file | checked (parse_reader) | records/s | trailer alone | records/s | peak RSS at start → end |"
    );
    println!("|---|---|---|---|---|---|---|");
    for n in [10_000, 100_000] {
        let path = dir.join(format!("sogo-{n}.txt"));
        std::fs::write(&path, write(&file(n)).unwrap()).unwrap();
        let status = std::process::Command::new(std::env::current_exe().unwrap())
            .args(["--measure", path.to_str().unwrap(), &n.to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    }
    std::fs::remove_dir_all(&dir).ok();
}
