//! 全角 to 半角 for names in 全銀 records: katakana (濁点 and 半濁点 as their own
//! characters, small kana as large ones, ー as '-'), digits and letters (upper case), and
//! the few symbols the 全銀協 character set has. Used for the bank/branch master's カナ and
//! for names a user types in 全角.

/// The 半角 form of `text` in the 全銀協 character set, or the first character that has
/// none (a kanji, a hiragana, an emoji…).
pub fn to_zengin_hankaku(text: &str) -> Result<String, char> {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if let Some(k) = katakana(c) {
            out.push_str(k);
            continue;
        }
        let converted = match c {
            '　' | ' ' => ' ',
            'ー' | '－' | '‐' | '−' | '-' | 'ｰ' => '-',
            '．' | '.' | '・' | '･' => '.',
            '（' | '(' => '(',
            '）' | ')' => ')',
            '／' | '/' => '/',
            '，' | ',' => ',',
            '「' | '｢' => '｢',
            '」' | '｣' => '｣',
            '￥' | '\\' => '\\',
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).ok_or(c)?,
            'Ａ'..='Ｚ' => char::from_u32(c as u32 - 'Ａ' as u32 + 'A' as u32).ok_or(c)?,
            'ａ'..='ｚ' => char::from_u32(c as u32 - 'ａ' as u32 + 'A' as u32).ok_or(c)?,
            'a'..='z' => c.to_ascii_uppercase(),
            '0'..='9' | 'A'..='Z' => c,
            '\u{FF71}'..='\u{FF9F}' | 'ｦ' => c,
            'ｧ' => 'ｱ',
            'ｨ' => 'ｲ',
            'ｩ' => 'ｳ',
            'ｪ' => 'ｴ',
            'ｫ' => 'ｵ',
            'ｬ' => 'ﾔ',
            'ｭ' => 'ﾕ',
            'ｮ' => 'ﾖ',
            'ｯ' => 'ﾂ',
            _ => return Err(c),
        };
        out.push(converted);
    }
    Ok(out)
}

/// A 全角 katakana's 半角 spelling (small kana as large ones).
fn katakana(c: char) -> Option<&'static str> {
    const TABLE: &[(char, &str)] = &[
        ('ア', "ｱ"),
        ('イ', "ｲ"),
        ('ウ', "ｳ"),
        ('エ', "ｴ"),
        ('オ', "ｵ"),
        ('ァ', "ｱ"),
        ('ィ', "ｲ"),
        ('ゥ', "ｳ"),
        ('ェ', "ｴ"),
        ('ォ', "ｵ"),
        ('カ', "ｶ"),
        ('キ', "ｷ"),
        ('ク', "ｸ"),
        ('ケ', "ｹ"),
        ('コ', "ｺ"),
        ('ガ', "ｶﾞ"),
        ('ギ', "ｷﾞ"),
        ('グ', "ｸﾞ"),
        ('ゲ', "ｹﾞ"),
        ('ゴ', "ｺﾞ"),
        ('サ', "ｻ"),
        ('シ', "ｼ"),
        ('ス', "ｽ"),
        ('セ', "ｾ"),
        ('ソ', "ｿ"),
        ('ザ', "ｻﾞ"),
        ('ジ', "ｼﾞ"),
        ('ズ', "ｽﾞ"),
        ('ゼ', "ｾﾞ"),
        ('ゾ', "ｿﾞ"),
        ('タ', "ﾀ"),
        ('チ', "ﾁ"),
        ('ツ', "ﾂ"),
        ('テ', "ﾃ"),
        ('ト', "ﾄ"),
        ('ッ', "ﾂ"),
        ('ダ', "ﾀﾞ"),
        ('ヂ', "ﾁﾞ"),
        ('ヅ', "ﾂﾞ"),
        ('デ', "ﾃﾞ"),
        ('ド', "ﾄﾞ"),
        ('ナ', "ﾅ"),
        ('ニ', "ﾆ"),
        ('ヌ', "ﾇ"),
        ('ネ', "ﾈ"),
        ('ノ', "ﾉ"),
        ('ハ', "ﾊ"),
        ('ヒ', "ﾋ"),
        ('フ', "ﾌ"),
        ('ヘ', "ﾍ"),
        ('ホ', "ﾎ"),
        ('バ', "ﾊﾞ"),
        ('ビ', "ﾋﾞ"),
        ('ブ', "ﾌﾞ"),
        ('ベ', "ﾍﾞ"),
        ('ボ', "ﾎﾞ"),
        ('パ', "ﾊﾟ"),
        ('ピ', "ﾋﾟ"),
        ('プ', "ﾌﾟ"),
        ('ペ', "ﾍﾟ"),
        ('ポ', "ﾎﾟ"),
        ('マ', "ﾏ"),
        ('ミ', "ﾐ"),
        ('ム', "ﾑ"),
        ('メ', "ﾒ"),
        ('モ', "ﾓ"),
        ('ヤ', "ﾔ"),
        ('ユ', "ﾕ"),
        ('ヨ', "ﾖ"),
        ('ャ', "ﾔ"),
        ('ュ', "ﾕ"),
        ('ョ', "ﾖ"),
        ('ラ', "ﾗ"),
        ('リ', "ﾘ"),
        ('ル', "ﾙ"),
        ('レ', "ﾚ"),
        ('ロ', "ﾛ"),
        ('ワ', "ﾜ"),
        ('ヮ', "ﾜ"),
        ('ヰ', "ｲ"),
        ('ヱ', "ｴ"),
        ('ヲ', "ｦ"),
        ('ン', "ﾝ"),
        ('ヴ', "ｳﾞ"),
        ('ヵ', "ｶ"),
        ('ヶ', "ｹ"),
        ('゛', "ﾞ"),
        ('゜', "ﾟ"),
    ];
    TABLE.iter().find(|(k, _)| *k == c).map(|(_, h)| *h)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chars::is_zengin_kana_char;

    #[test]
    fn the_master_spells_convert_to_zengin_hankaku() {
        assert_eq!(to_zengin_hankaku("トウキヨウ").unwrap(), "ﾄｳｷﾖｳ");
        assert_eq!(
            to_zengin_hankaku("ガギグゲゴ　パピプペポ").unwrap(),
            "ｶﾞｷﾞｸﾞｹﾞｺﾞ ﾊﾟﾋﾟﾌﾟﾍﾟﾎﾟ"
        );
        assert_eq!(to_zengin_hankaku("ヴイ－．ＡＢＣ").unwrap(), "ｳﾞｲ-.ABC");
        // Small kana and the long vowel are not in the 全銀協 set.
        assert_eq!(
            to_zengin_hankaku("キャッシュセンター").unwrap(),
            "ｷﾔﾂｼﾕｾﾝﾀ-"
        );
        assert_eq!(to_zengin_hankaku("ｷｬｯｼｭ").unwrap(), "ｷﾔﾂｼﾕ");
        assert_eq!(
            to_zengin_hankaku("（カ）ａｂｃ１２３").unwrap(),
            "(ｶ)ABC123"
        );
        assert_eq!(to_zengin_hankaku("東京"), Err('東'));
        assert_eq!(to_zengin_hankaku("とうきょう"), Err('と'));
    }

    #[test]
    fn every_converted_character_is_in_the_zengin_set() {
        let all: String = ('\u{30A1}'..='\u{30F6}').collect();
        for c in all.chars() {
            if let Ok(h) = to_zengin_hankaku(&c.to_string()) {
                assert!(h.chars().all(is_zengin_kana_char), "{c} → {h}");
            }
        }
        for s in ["ＡＺａｚ０９", "　－．（）／", "ｱﾞｰ"] {
            let h = to_zengin_hankaku(s).unwrap();
            assert!(h.chars().all(is_zengin_kana_char), "{s} → {h}");
        }
    }
}
