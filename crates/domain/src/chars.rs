//! Character classes the manual speaks of: 半角英数字, 全角, 半角カナ.
//!
//! The manual's rules are written in these terms ("半角英数字 6 文字以上 12 文字以内",
//! "全角 30 文字以内"), so the validators are too. "Length" always means characters as a
//! person counts them (Unicode scalar values), never bytes.

/// 半角英数字: ASCII letters and digits only.
pub fn is_hankaku_alnum(s: &str) -> bool {
    s.chars().all(|c| c.is_ascii_alphanumeric())
}

/// 英数混在: at least one ASCII letter and at least one ASCII digit.
pub fn mixes_letters_and_digits(s: &str) -> bool {
    s.chars().any(|c| c.is_ascii_alphabetic()) && s.chars().any(|c| c.is_ascii_digit())
}

/// 半角カナ (JIS X 0201 katakana block, U+FF61–U+FF9F).
pub fn is_hankaku_kana(c: char) -> bool {
    ('\u{FF61}'..='\u{FF9F}').contains(&c)
}

/// A character a Japanese form calls 半角: ASCII printable or 半角カナ.
pub fn is_hankaku(c: char) -> bool {
    (' '..='~').contains(&c) || is_hankaku_kana(c)
}

/// 全角: a double-byte character of the Japanese character set banks use (JIS X 0208 and
/// the Windows extensions such as ① and ㈱, i.e. what Shift_JIS encodes in two bytes),
/// never a private-use character. Emoji, bidi controls, zero-width and other invisible
/// characters are not in that set, so they are never 全角.
pub fn is_zenkaku(c: char) -> bool {
    if is_unusable(c) || c.is_ascii() {
        return false;
    }
    let mut buf = [0u8; 4];
    let (bytes, _, had_errors) = encoding_rs::SHIFT_JIS.encode(c.encode_utf8(&mut buf));
    !had_errors && bytes.len() == 2
}

/// A character no field accepts: control (Cc), format (Cf: bidi controls, zero-width
/// joiners, the BOM, soft hyphen…), private use (Co), surrogates and non-characters.
/// Checked by every text rule so that nothing invisible can spoof a name in a list or
/// in the 操作履歴.
pub fn is_unusable(c: char) -> bool {
    let u = u32::from(c);
    c.is_control()
        || matches!(u,
            0x00AD | 0x061C | 0x06DD | 0x070F | 0x08E2 | 0x180E | 0xFEFF
            | 0x0600..=0x0605 | 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x2064
            | 0x2066..=0x206F | 0xFFF9..=0xFFFB | 0x110BD | 0x110CD | 0x13430..=0x1343F
            | 0x1BCA0..=0x1BCA3 | 0x1D173..=0x1D17A | 0xE0001 | 0xE0020..=0xE007F
            // private use
            | 0xE000..=0xF8FF | 0xF0000..=0xFFFFD | 0x100000..=0x10FFFD
            // non-characters
            | 0xFDD0..=0xFDEF)
        || (u & 0xFFFE) == 0xFFFE
}

/// Checks the characters of a typed name against its rule `allowed`, at most `max`
/// characters. A character no field accepts, or one outside the rule that is not even
/// in the bank's character set (an emoji, say), is named in the refusal; anything else gets `otherwise` — the
/// manual's own message for the field ("全角30文字以内で…"). Characters outside the
/// bank's character set altogether (emoji, invisible ones) are named.
pub fn check_text(
    label: &'static str,
    s: &str,
    max: usize,
    allowed: fn(char) -> bool,
    otherwise: crate::error::Error,
) -> Result<(), crate::error::Error> {
    if let Some(c) = s.chars().find(|c| !allowed(*c)) {
        if is_unusable(c) || !(is_hankaku(c) || is_zenkaku(c)) {
            return Err(crate::error::Error::UnusableCharacter {
                label,
                code_point: u32::from(c),
            });
        }
        return Err(otherwise);
    }
    if char_len(s) > max {
        return Err(otherwise);
    }
    Ok(())
}

/// The first character of `s` no field accepts, if any.
pub fn first_unusable(s: &str) -> Option<char> {
    s.chars().find(|c| is_unusable(*c))
}

/// A character a free text field (企業名, 支店名) accepts: 全角, or printable 半角.
pub fn is_jis_text(c: char) -> bool {
    is_zenkaku(c) || (!is_unusable(c) && is_hankaku(c))
}

/// Number of characters as a person counts them.
pub fn char_len(s: &str) -> usize {
    s.chars().count()
}

/// Characters the 全銀協 standard allows in a 半角カナ name (口座名義, 企業名カナ):
/// digits, upper-case letters, 半角カナ without the small kana, 濁点・半濁点, and a few
/// symbols (space ( ) - . / , ￥ 「 」).
pub fn is_zengin_kana_char(c: char) -> bool {
    c.is_ascii_digit()
        || c.is_ascii_uppercase()
        || ('\u{FF71}'..='\u{FF9F}').contains(&c)
        || matches!(
            c,
            'ｦ' | '｢' | '｣' | ' ' | '(' | ')' | '-' | '.' | '/' | ',' | '\\'
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hankaku_alnum_refuses_zenkaku_digits_and_symbols() {
        assert!(is_hankaku_alnum("abc123"));
        assert!(!is_hankaku_alnum("ａｂｃ１２３"));
        assert!(!is_hankaku_alnum("abc-123"));
        assert!(!is_hankaku_alnum("abc 123"));
    }

    #[test]
    fn mixed_needs_both() {
        assert!(mixes_letters_and_digits("a1"));
        assert!(!mixes_letters_and_digits("abcdef"));
        assert!(!mixes_letters_and_digits("123456"));
    }

    #[test]
    fn zenkaku_and_hankaku_kana() {
        assert!(is_zenkaku('山'));
        assert!(is_zenkaku('Ａ'));
        assert!(!is_zenkaku('ｱ'));
        assert!(!is_zenkaku('A'));
        assert!(is_zenkaku('　'), "the full-width space is 全角");
        assert!(is_zenkaku('①') && is_zenkaku('㈱') && is_zenkaku('髙'));
        assert!(is_zengin_kana_char('ｱ'));
        assert!(is_zengin_kana_char('ﾞ'));
        assert!(
            !is_zengin_kana_char('ｧ'),
            "small kana are not in the Zengin set"
        );
        assert!(!is_zengin_kana_char('a'));
    }

    #[test]
    fn invisible_and_spoofing_characters_are_never_accepted() {
        for c in [
            '\u{0}',
            '\u{7}',
            '\u{1B}',
            '\u{7F}',
            '\u{85}',
            '\u{AD}',
            '\u{200B}',
            '\u{200D}',
            '\u{200E}',
            '\u{202E}',
            '\u{2066}',
            '\u{FEFF}',
            '\u{E000}',
            '\u{F8FF}',
            '\u{F0000}',
            '\u{FFFF}',
            '\u{E0041}',
        ] {
            assert!(is_unusable(c), "{:04X}", u32::from(c));
            assert!(!is_zenkaku(c), "{:04X}", u32::from(c));
            assert!(!is_jis_text(c), "{:04X}", u32::from(c));
        }
        for c in ['😀', '🇯', '\u{FE0F}', '\u{301}', '𠮷'] {
            assert!(
                !is_zenkaku(c),
                "{:04X} is not in the bank's 全角 set",
                u32::from(c)
            );
        }
        assert_eq!(first_unusable("山田\u{202E}太郎"), Some('\u{202E}'));
        assert_eq!(first_unusable("山田　太郎"), None);
        assert!(is_jis_text('A') && is_jis_text('株') && is_jis_text('ｱ'));
    }
}
