//! CSV downloads: UTF-8 with a BOM (Excel opens it as UTF-8) or Shift_JIS, chosen by the
//! user; a cell starting with `=`, `+`, `-`, `@`, a tab or a CR is prefixed with `'`, so a
//! spreadsheet never runs it as a formula.

use encoding_rs::SHIFT_JIS;

/// The file's encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// UTF-8 with a byte-order mark.
    Utf8,
    /// Shift_JIS (characters it lacks become `?`).
    ShiftJis,
}

impl Encoding {
    pub fn parse(typed: &str) -> Option<Self> {
        match typed {
            "" | "utf8" => Some(Encoding::Utf8),
            "sjis" => Some(Encoding::ShiftJis),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Encoding::Utf8 => "utf8",
            Encoding::ShiftJis => "sjis",
        }
    }

    /// `text` in this encoding.
    pub fn encode(self, text: &str) -> Vec<u8> {
        match self {
            Encoding::Utf8 => text.as_bytes().to_vec(),
            Encoding::ShiftJis => {
                let (bytes, _, had_errors) = SHIFT_JIS.encode(text);
                if !had_errors {
                    return bytes.into_owned();
                }
                // encoding_rs writes `&#…;` for what it cannot map: map char by char.
                let mut out = Vec::with_capacity(text.len());
                let mut buf = [0u8; 4];
                for c in text.chars() {
                    let (b, _, bad) = SHIFT_JIS.encode(c.encode_utf8(&mut buf));
                    if bad {
                        out.push(b'?');
                    } else {
                        out.extend_from_slice(&b);
                    }
                }
                out
            }
        }
    }
}

/// One cell: quoted, quotes doubled, a formula-like start neutralised.
pub fn cell(value: &str) -> String {
    let risky = value.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let value = if risky {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    format!("\"{}\"", value.replace('"', "\"\""))
}

/// One line of cells, CR+LF ended.
pub fn line(cells: &[&str]) -> String {
    let mut out = cells.iter().map(|c| cell(c)).collect::<Vec<_>>().join(",");
    out.push_str("\r\n");
    out
}
