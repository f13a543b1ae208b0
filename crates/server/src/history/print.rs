//! 印刷 of a search: an A4 landscape PDF with IPAex Gothic embedded — the company, the
//! conditions, when it was printed, page numbers, and one line per entry in the list's
//! columns. Built off the async runtime (`spawn_blocking`); at most [`MAX_ROWS`] rows, so
//! memory stays bounded (the CSV has no such limit).

use krilla::Document;
use krilla::geom::Point;
use krilla::page::PageSettings;
use krilla::text::{Font, TextDirection};

use super::read::Shown;

/// The most rows one printout holds.
pub const MAX_ROWS: usize = 10_000;

const WIDTH: f32 = 842.0; // A4 landscape, points
const HEIGHT: f32 = 595.0;
const MARGIN: f32 = 36.0;
const ROW: f32 = 13.0;
const SIZE: f32 = 8.0;

/// The columns: heading, x, width in points.
const COLUMNS: [(&str, f32, f32); 7] = [
    ("操作日時", MARGIN, 118.0),
    ("ログインID", MARGIN + 122.0, 70.0),
    ("利用者名", MARGIN + 196.0, 90.0),
    ("業務種別", MARGIN + 290.0, 62.0),
    ("操作内容", MARGIN + 356.0, 190.0),
    ("結果", MARGIN + 550.0, 90.0),
    ("操作端末", MARGIN + 644.0, 126.0),
];

/// What the header says.
pub struct Heading {
    pub company: String,
    pub conditions: String,
    pub printed_at: String,
    /// More entries matched than were printed.
    pub truncated: bool,
}

/// `text` cut to fit `width` points at [`SIZE`] (half-width characters count half).
fn fit(text: &str, width: f32) -> String {
    let mut used = 0.0;
    let mut out = String::new();
    for c in text.chars() {
        let w = if c.is_ascii() || ('\u{FF61}'..='\u{FF9F}').contains(&c) {
            SIZE * 0.55
        } else {
            SIZE
        };
        if used + w > width - SIZE {
            out.push('…');
            return out;
        }
        used += w;
        out.push(c);
    }
    out
}

fn cells(s: &Shown) -> [String; 7] {
    let outcome = if s.error_code.is_empty() {
        s.outcome.clone()
    } else {
        format!("{}（{}）", s.outcome, s.error_code)
    };
    [
        s.at.clone(),
        s.login_id.clone(),
        s.name.clone(),
        s.area.clone(),
        s.operation.clone(),
        outcome,
        s.ip.clone(),
    ]
}

/// The PDF of `rows` (at most [`MAX_ROWS`] are printed).
pub fn pdf(font: &Font, heading: &Heading, rows: &[Shown]) -> anyhow::Result<Vec<u8>> {
    let rows = &rows[..rows.len().min(MAX_ROWS)];
    let mut header = vec![
        format!("企業名：{}", heading.company),
        format!("検索条件：{}", heading.conditions),
        format!("印刷日時：{}　件数：{}件", heading.printed_at, rows.len()),
    ];
    if heading.truncated {
        header.push(format!(
            "※条件に合う操作履歴が{MAX_ROWS}件を超えたため、新しい順に{MAX_ROWS}件を印刷しています。すべての件はCSVでダウンロードできます。"
        ));
    }
    let top = MARGIN + 24.0 + ROW * (header.len() as f32 + 1.5);
    let per_page = (((HEIGHT - MARGIN - ROW) - top) / ROW).floor().max(1.0) as usize;
    let pages = rows.len().div_ceil(per_page).max(1);
    let mut document = Document::new();
    for p in 0..pages {
        let settings =
            PageSettings::from_wh(WIDTH, HEIGHT).ok_or_else(|| anyhow::anyhow!("page size"))?;
        let mut page = document.start_page_with(settings);
        let mut surface = page.surface();
        let mut text = |x: f32, y: f32, size: f32, s: &str| {
            if !s.is_empty() {
                surface.draw_text(
                    Point::from_xy(x, y),
                    font.clone(),
                    size,
                    s,
                    false,
                    TextDirection::Auto,
                );
            }
        };
        text(MARGIN, MARGIN + 14.0, 14.0, "操作履歴照会");
        for (i, h) in header.iter().enumerate() {
            text(MARGIN, MARGIN + 24.0 + ROW * (i as f32 + 1.0), 9.0, h);
        }
        let mut y = top;
        for (name, x, _) in COLUMNS {
            text(x, y, SIZE, name);
        }
        for row in rows.iter().skip(p * per_page).take(per_page) {
            y += ROW;
            for ((_, x, width), value) in COLUMNS.iter().zip(cells(row)) {
                text(*x, y, SIZE, &fit(&value, *width));
            }
        }
        text(
            WIDTH / 2.0 - 20.0,
            HEIGHT - MARGIN / 2.0,
            SIZE,
            &format!("{} / {}", p + 1, pages),
        );
        surface.finish();
        page.finish();
    }
    document
        .finish()
        .map_err(|e| anyhow::anyhow!("PDF could not be written: {e:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_text_is_cut_to_its_column() {
        assert_eq!(fit("ログイン", 100.0), "ログイン");
        let cut = fit(&"あ".repeat(50), 60.0);
        assert!(cut.ends_with('…') && cut.chars().count() < 10, "{cut}");
        assert_eq!(fit("192.0.2.10", 126.0), "192.0.2.10");
    }
}
