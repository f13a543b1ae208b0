//! 印刷: PDF reports in Japanese, with IPAex Gothic (shipped in `fonts/`, IPA Font License)
//! embedded as a subset, so a printout looks the same on any server and any reader.
//!
//! krilla places lines of text; the layout here is the bank report's fixed columns: a
//! title, a few header lines, then each section as a heading and label/value rows, with
//! long values wrapped and new pages as needed.

use krilla::Document;
use krilla::geom::Point;
use krilla::page::PageSettings;
use krilla::text::{Font, TextDirection};

use crate::confirm::Section;

/// IPAex Gothic, loaded once at start.
pub fn load_font() -> anyhow::Result<Font> {
    let data = include_bytes!("../fonts/ipaexg.ttf").to_vec();
    Font::new(data.into(), 0)
        .ok_or_else(|| anyhow::anyhow!("the bundled IPAex Gothic font could not be read"))
}

const WIDTH: f32 = 595.0; // A4, points
const HEIGHT: f32 = 842.0;
const MARGIN: f32 = 48.0;
const LINE: f32 = 16.0;
const VALUE_X: f32 = 250.0;
/// Characters of a value per line (full-width characters at 10 pt in 300 pt).
const VALUE_CHARS: usize = 30;

/// A PDF of `title`, `header` lines and `sections` (each row as label and value; a changed
/// value is marked 【変更】 since print has no colour to rely on).
pub fn sections_pdf(
    font: &Font,
    title: &str,
    header: &[String],
    sections: &[Section],
) -> anyhow::Result<Vec<u8>> {
    let mut lines: Vec<(f32, f32, String)> = Vec::new(); // (x, size, text); x < 0 starts a block
    lines.push((MARGIN, 16.0, title.to_owned()));
    lines.push((MARGIN, 10.0, String::new()));
    for h in header {
        lines.push((MARGIN, 10.0, h.clone()));
    }
    for section in sections {
        lines.push((MARGIN, 10.0, String::new()));
        lines.push((MARGIN, 12.0, format!("■ {}", section.title)));
        // A grid prints item by item (「範囲1 他行宛」), each with its own mark.
        for row in &section.items() {
            let value = if row.changed {
                format!("{}【変更】", row.after)
            } else {
                row.after.clone()
            };
            let chunks = wrap(&value, VALUE_CHARS);
            for (i, chunk) in chunks.iter().enumerate() {
                let label = if i == 0 {
                    row.label.clone()
                } else {
                    String::new()
                };
                lines.push((-1.0, 10.0, format!("{label}\u{1}{chunk}")));
            }
        }
    }

    // Lay the lines out on pages first, then draw each page whole.
    let mut pages: Vec<Vec<(f32, f32, f32, String)>> = vec![Vec::new()];
    let mut y = MARGIN;
    for (x, size, text) in lines {
        let step = if size > 10.0 { LINE + 4.0 } else { LINE };
        if y + step > HEIGHT - MARGIN {
            pages.push(Vec::new());
            y = MARGIN;
        }
        y += step;
        if let Some(page) = pages.last_mut() {
            page.push((x, y, size, text));
        }
    }
    let mut document = Document::new();
    for lines in pages {
        let settings =
            PageSettings::from_wh(WIDTH, HEIGHT).ok_or_else(|| anyhow::anyhow!("page size"))?;
        let mut page = document.start_page_with(settings);
        let mut surface = page.surface();
        for (x, y, size, text) in lines {
            if x < 0.0 {
                let (label, value) = text.split_once('\u{1}').unwrap_or((text.as_str(), ""));
                surface.draw_text(
                    Point::from_xy(MARGIN + 12.0, y),
                    font.clone(),
                    size,
                    label,
                    false,
                    TextDirection::Auto,
                );
                surface.draw_text(
                    Point::from_xy(VALUE_X, y),
                    font.clone(),
                    size,
                    value,
                    false,
                    TextDirection::Auto,
                );
            } else if !text.is_empty() {
                surface.draw_text(
                    Point::from_xy(x, y),
                    font.clone(),
                    size,
                    &text,
                    false,
                    TextDirection::Auto,
                );
            }
        }
        surface.finish();
        page.finish();
    }
    document
        .finish()
        .map_err(|e| anyhow::anyhow!("PDF could not be written: {e:?}"))
}

/// Splits `text` into pieces of at most `width` characters.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    if chars.is_empty() {
        return vec![String::new()];
    }
    chars
        .chunks(width.max(1))
        .map(|c| c.iter().collect())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::confirm::Row;

    #[test]
    fn a_report_is_a_pdf_with_the_font_embedded() {
        let font = load_font().unwrap();
        let sections = vec![Section::new(
            "利用者基本情報",
            (0..80)
                .map(|i| Row::text(format!("項目{i}"), "旧", "髙橋　渡邊 ｱﾊﾟﾚﾙ(ｶ) ①②"))
                .collect(),
        )];
        let pdf = sections_pdf(
            &font,
            "利用者登録結果",
            &["企業名：アパレル株式会社".into()],
            &sections,
        )
        .unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
        let text = String::from_utf8_lossy(&pdf);
        assert!(text.contains("IPAexGothic"), "the font is embedded");
        assert!(
            text.matches("/Type /Page").count() >= 3 || text.matches("/Type/Page").count() >= 3,
            "80 rows need several pages"
        );
        assert!(
            pdf.len() < 200_000,
            "only a subset of the font is embedded ({} bytes)",
            pdf.len()
        );
    }

    #[test]
    fn wrapping() {
        assert_eq!(wrap("あいうえお", 2), vec!["あい", "うえ", "お"]);
        assert_eq!(wrap("", 2), vec![""]);
    }
}
