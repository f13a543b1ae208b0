//! An 操作履歴 entry as its MAC sees it: the fields borrowed (`EntryView`), their
//! canonical, versioned form, and the check of the MAC. The MAC is computed here and only
//! here — when an entry is sealed and, millions at a time, when it is verified.
//!
//! The text fields are borrowed as bytes, as they lie in a page of verification
//! (`history_pages.rs`): nothing checks that they are UTF-8 first. That is sound because
//! a MAC covers the exact bytes: every sealed entry was UTF-8, so bytes that are not cannot
//! carry a MAC that holds without the key. (Checking UTF-8 field by field was a tenth of
//! verification's CPU.)

use sha2::{Digest, Sha256};

use crate::history_key::{HistoryKey, hex};

/// An entry's fields, borrowed: from a `HistoryEntry`, or straight from a page of
/// verification, which reads millions and copies none. Text fields are their bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EntryView<'a> {
    pub seq: i64,
    pub format: i64,
    pub chain: Option<i64>,
    pub chain_seq: Option<i64>,
    pub occurred_at: i64,
    pub company_id: Option<i64>,
    pub user_id: Option<i64>,
    pub login_id: &'a [u8],
    pub ip: &'a [u8],
    pub user_agent: &'a [u8],
    pub peer: &'a [u8],
    pub area: &'a [u8],
    pub operation: &'a [u8],
    pub outcome: &'a [u8],
    pub error_code: &'a [u8],
    pub details: &'a [u8],
    pub prev_hash: &'a [u8],
    pub hash: &'a [u8],
}

impl EntryView<'_> {
    /// What this entry's `hash` must be: format 1, the SHA-256 chain; format 2, the MAC
    /// under `key`. (Format 1's text must be UTF-8: it is hashed as JSON text; if it is
    /// not, the result is no hash at all and matches nothing.)
    pub fn expected_hash(&self, key: &HistoryKey) -> String {
        if self.format == 1 {
            self.canonical_v1()
                .map(|canonical| legacy_hash(self.prev_hash, &canonical))
                .unwrap_or_default()
        } else {
            let mut canonical = Vec::new();
            self.canonical_v2(&mut canonical);
            hex(&key.raw(&[b"entry", self.prev_hash, &canonical]))
        }
    }

    /// Whether `hash` is what it must be; `scratch` holds the canonical form (one buffer
    /// for every entry a thread checks).
    pub fn hash_holds(&self, key: &HistoryKey, scratch: &mut Vec<u8>) -> bool {
        if self.format == 1 {
            let expected = self.expected_hash(key);
            return !expected.is_empty() && self.hash == expected.as_bytes();
        }
        scratch.clear();
        self.canonical_v2(scratch);
        key.holds(&[b"entry", self.prev_hash, scratch], self.hash)
    }

    /// Format 1's fields in a fixed order; `peer` came later and is covered when present.
    fn canonical_v1(&self) -> Option<String> {
        let text = |bytes| std::str::from_utf8(bytes).ok();
        let mut fields = serde_json::json!([
            self.seq,
            self.occurred_at,
            self.company_id,
            self.user_id,
            text(self.login_id)?,
            text(self.ip)?,
            text(self.user_agent)?,
            text(self.area)?,
            text(self.operation)?,
            text(self.outcome)?,
            text(self.error_code)?,
            text(self.details)?,
        ]);
        if let (false, Some(list)) = (self.peer.is_empty(), fields.as_array_mut()) {
            list.push(serde_json::json!(text(self.peer)?));
        }
        Some(fields.to_string())
    }

    /// Format 2: a versioned JSON array of every field but the deployment-wide `seq`
    /// (given only at insert), ending with an object of later fields (none yet), appended
    /// to `out` — byte for byte what `serde_json` writes for the same values (a test
    /// holds it to that), written here straight from the bytes: verification runs it per
    /// entry.
    pub(crate) fn canonical_v2(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"[\"v2\"");
        for number in [
            self.chain,
            self.chain_seq,
            Some(self.occurred_at),
            self.company_id,
            self.user_id,
        ] {
            out.push(b',');
            match number {
                Some(n) => out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes()),
                None => out.extend_from_slice(b"null"),
            }
        }
        for text in [
            self.login_id,
            self.ip,
            self.user_agent,
            self.peer,
            self.area,
            self.operation,
            self.outcome,
            self.error_code,
            self.details,
        ] {
            out.push(b',');
            json_string(text, out);
        }
        out.extend_from_slice(b",{}]");
    }
}

/// `text` as a JSON string, escaped as `serde_json` escapes it: `"` and `\` with a
/// backslash, the control characters below U+0020 as `\b \t \n \f \r` or `\u00XX`,
/// every other byte as it is. Eight bytes at a time are passed over while none of them
/// needs escaping (most of an entry: its user agent, its addresses, its codes).
fn json_string(text: &[u8], out: &mut Vec<u8>) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push(b'"');
    let mut plain = 0;
    let mut i = 0;
    while i < text.len() {
        if let Some(eight) = text.get(i..i + 8).and_then(|e| <[u8; 8]>::try_from(e).ok())
            && !needs_escape(u64::from_le_bytes(eight))
        {
            i += 8;
            continue;
        }
        let b = text[i];
        let escape = ESCAPE[usize::from(b)];
        if escape != 0 {
            out.extend_from_slice(&text[plain..i]);
            if escape == b'u' {
                let hex = [HEX[usize::from(b >> 4)], HEX[usize::from(b & 0x0f)]];
                out.extend_from_slice(b"\\u00");
                out.extend_from_slice(&hex);
            } else {
                out.extend_from_slice(&[b'\\', escape]);
            }
            plain = i + 1;
        }
        i += 1;
    }
    out.extend_from_slice(&text[plain..]);
    out.push(b'"');
}

/// Whether any of eight bytes is `"`, `\` or below U+0020 (a zero byte of `w ^ c` is a
/// byte equal to `c`; `w - 0x20…` borrows into the top bit of a byte below 0x20).
fn needs_escape(w: u64) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const TOPS: u64 = 0x8080_8080_8080_8080;
    let zero = |x: u64| x.wrapping_sub(ONES) & !x & TOPS;
    let below_space = w.wrapping_sub(ONES * 0x20) & !w & TOPS;
    (below_space | zero(w ^ (ONES * u64::from(b'"'))) | zero(w ^ (ONES * u64::from(b'\\')))) != 0
}

/// Per byte, what follows the backslash of its escape (`u`: `\u00XX`), or 0 for none.
const ESCAPE: [u8; 256] = {
    let mut table = [0_u8; 256];
    let mut b = 0;
    while b < 0x20 {
        table[b] = b'u';
        b += 1;
    }
    table[0x08] = b'b';
    table[0x09] = b't';
    table[0x0a] = b'n';
    table[0x0c] = b'f';
    table[0x0d] = b'r';
    table[b'"' as usize] = b'"';
    table[b'\\' as usize] = b'\\';
    table
};

/// Format 1's chain hash.
fn legacy_hash(prev_hash: &[u8], canonical: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(prev_hash);
    hasher.update(b"\n");
    hasher.update(canonical.as_bytes());
    hex(&hasher.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view<'a>(login_id: &'a [u8], details: &'a [u8]) -> EntryView<'a> {
        EntryView {
            seq: 9,
            format: 2,
            chain: Some(4),
            chain_seq: Some(2),
            occurred_at: -1,
            company_id: Some(4),
            user_id: None,
            login_id,
            ip: b"192.0.2.1",
            user_agent: "Mozilla/5.0 (日本語)".as_bytes(),
            peer: b"",
            area: b"auth",
            operation: b"auth.login",
            outcome: b"ok",
            error_code: b"",
            details,
            prev_hash: b"00",
            hash: b"",
        }
    }

    #[test]
    fn the_canonical_form_is_what_serde_json_writes_for_every_character() {
        // Every control character, the two escaped ones, DEL, non-ASCII and the line
        // separators JavaScript minds (serde_json leaves those as they are).
        let mut awkward: String = (0_u8..0x20).map(char::from).collect();
        awkward.push_str("\"\\/\u{7f}山田\u{2028}\u{2029}\u{FFFD}𝄞 plain");
        let details = serde_json::json!({"before": awkward, "n": 1}).to_string();
        let e = view(awkward.as_bytes(), details.as_bytes());
        let tree = serde_json::json!([
            "v2",
            e.chain,
            e.chain_seq,
            e.occurred_at,
            e.company_id,
            e.user_id,
            awkward,
            "192.0.2.1",
            "Mozilla/5.0 (日本語)",
            "",
            "auth",
            "auth.login",
            "ok",
            "",
            details,
            {},
        ]);
        let mut canonical = Vec::new();
        e.canonical_v2(&mut canonical);
        assert_eq!(String::from_utf8(canonical).ok(), Some(tree.to_string()));
    }

    #[test]
    fn a_character_to_escape_is_found_wherever_it_is_among_eight() {
        for special in [
            "\"", "\\", "\n", "\u{1}", "\u{1f}", " ", "\u{7f}", "é", "山",
        ] {
            for at in 0..20 {
                let text = format!("{}{special}{}", "a".repeat(at), "b".repeat(19 - at));
                let mut written = Vec::new();
                json_string(text.as_bytes(), &mut written);
                assert_eq!(
                    String::from_utf8(written).ok(),
                    serde_json::to_string(&text).ok(),
                    "{text:?}"
                );
            }
        }
    }

    #[test]
    fn bytes_that_are_not_utf8_carry_no_mac_that_holds() {
        let key = HistoryKey::new([3; 32]);
        let genuine = view("山田".as_bytes(), b"{}");
        let hash = genuine.expected_hash(&key);
        let sealed = EntryView {
            hash: hash.as_bytes(),
            ..genuine
        };
        assert!(sealed.hash_holds(&key, &mut Vec::new()));
        let broken = EntryView {
            login_id: &"山田".as_bytes()[..4],
            ..sealed
        };
        assert!(!broken.hash_holds(&key, &mut Vec::new()));
        let legacy = EntryView {
            format: 1,
            login_id: b"\xff",
            ..sealed
        };
        assert_eq!(legacy.expected_hash(&key), "");
        assert!(!legacy.hash_holds(&key, &mut Vec::new()));
    }
}
