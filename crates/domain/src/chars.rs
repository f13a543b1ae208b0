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

/// 全角: anything printable that is not 半角 and not a control character.
pub fn is_zenkaku(c: char) -> bool {
    !is_hankaku(c) && !c.is_control()
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
        assert!(is_zengin_kana_char('ｱ'));
        assert!(is_zengin_kana_char('ﾞ'));
        assert!(
            !is_zengin_kana_char('ｧ'),
            "small kana are not in the Zengin set"
        );
        assert!(!is_zengin_kana_char('a'));
    }
}
