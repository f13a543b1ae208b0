//! The CSV download of a search: UTF-8 with a BOM (Excel opens it as UTF-8) or
//! Shift_JIS, chosen by the user; streamed page by page (keyset), so memory stays the
//! same for a hundred rows or a million. A cell starting with `=`, `+`, `-`, `@`, a tab
//! or a CR is prefixed with `'`, so a spreadsheet never runs it as a formula.

use axum::body::Bytes;
use futures_util::Stream;
use madoguchi_domain::history_search::Conditions;

use super::read::{self, DOWNLOAD, Shown};
use crate::state::AppState;
use crate::web::actor::Actor;
pub use crate::web::csv::{Encoding, cell, line};

/// Rows fetched per page while streaming.
const CHUNK: i64 = 1000;

/// The header line.
pub const HEADER: [&str; 11] = [
    "通番",
    "操作日時",
    "ログインID",
    "利用者名",
    "業務種別",
    "操作内容",
    "結果",
    "エラーコード",
    "操作端末",
    "ブラウザ",
    "詳細",
];

/// One entry as a line.
pub fn entry_line(s: &Shown) -> String {
    line(&[
        &s.seq.to_string(),
        &s.at,
        &s.login_id,
        &s.name,
        &s.area,
        &s.operation,
        &s.outcome,
        &s.error_code,
        &s.ip,
        &s.user_agent,
        &s.details,
    ])
}

/// The file, streamed: the header (after a BOM in UTF-8), then every entry matching `c`,
/// newest first, fetched `CHUNK` at a time.
pub fn stream(
    state: AppState,
    actor: Actor,
    c: Conditions,
    encoding: Encoding,
) -> impl Stream<Item = Result<Bytes, std::io::Error>> {
    struct Cursor {
        state: AppState,
        actor: Actor,
        c: Conditions,
        before: Option<i64>,
        started: bool,
        done: bool,
    }
    let start = Cursor {
        state,
        actor,
        c,
        before: None,
        started: false,
        done: false,
    };
    futures_util::stream::unfold(start, move |mut cur| async move {
        if cur.done {
            return None;
        }
        if !cur.started {
            cur.started = true;
            let mut head = Vec::new();
            if encoding == Encoding::Utf8 {
                head.extend_from_slice("\u{feff}".as_bytes());
            }
            head.extend(encoding.encode(&line(&HEADER)));
            return Some((Ok(Bytes::from(head)), cur));
        }
        let fetched = read::rows(&cur.state, &cur.actor, &cur.c, cur.before, CHUNK, DOWNLOAD).await;
        let entries = match fetched {
            Ok(entries) => entries,
            Err(e) => {
                cur.done = true;
                return Some((Err(std::io::Error::other(e.to_string())), cur));
            }
        };
        if entries.len() < usize::try_from(CHUNK).unwrap_or(usize::MAX) {
            cur.done = true;
        }
        cur.before = entries.last().map(|e| e.seq);
        if entries.is_empty() {
            return None;
        }
        let names = match read::names(&cur.state, &cur.actor).await {
            Ok(n) => n,
            Err(e) => {
                cur.done = true;
                return Some((Err(std::io::Error::other(e.to_string())), cur));
            }
        };
        let text: String = entries
            .into_iter()
            .map(|e| entry_line(&read::shown(e, &names)))
            .collect();
        Some((Ok(Bytes::from(encoding.encode(&text))), cur))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised_and_quotes_doubled() {
        assert_eq!(cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        for risky in ["+1", "-1", "@SUM(A1)", "\tx", "\rx"] {
            assert!(cell(risky).starts_with("\"'"), "{risky}");
        }
        assert_eq!(cell("ログイン"), "\"ログイン\"");
    }

    #[test]
    fn shift_jis_maps_what_it_can() {
        assert_eq!(
            Encoding::ShiftJis.encode("ｱﾊﾟﾚﾙ"),
            [0xB1, 0xCA, 0xDF, 0xDA, 0xD9]
        );
        assert_eq!(
            Encoding::ShiftJis.encode("𠮷田"),
            [b'?', 0x93, 0x63],
            "no &#…; in a CSV"
        );
        assert_eq!(Encoding::Utf8.encode("田"), "田".as_bytes());
        assert_eq!(Encoding::parse("sjis"), Some(Encoding::ShiftJis));
        assert_eq!(Encoding::parse("latin1"), None);
    }
}
