//! ワンタイムパスワード: the software token's secret, the code a user types, and the rule
//! that decides whether a code is right — RFC 6238 (HMAC-SHA-1, 6 digits, 30-second
//! steps), computed by `totp-rs`, with one step of clock drift either way.
//!
//! A right code is not yet an accepted one: the step it matched must also be later than
//! the last step accepted from the token (so a code is used at most once), and that is
//! decided by the store, in the transaction that acts on it.

use std::fmt;

use totp_rs::{Algorithm, Builder, Totp};

use crate::Error;

/// 桁数 of a code.
pub const DIGITS: u8 = 6;
/// Seconds a code is shown for.
pub const STEP_SECS: u64 = 30;
/// Steps of clock drift accepted either way.
pub const SKEW_STEPS: u16 = 1;
/// Bytes of a token secret (160 bits, RFC 4226's recommendation).
pub const SECRET_BYTES: usize = 20;

/// The field label, in the manual's words.
pub const LABEL: &str = "ワンタイムパスワード";

/// A code as typed: exactly six half-width digits (spaces around it are ignored, and
/// full-width digits are read as the digits they are).
#[derive(Clone, PartialEq, Eq)]
pub struct OtpCode(String);

impl OtpCode {
    pub fn parse(typed: &str) -> Result<Self, Error> {
        let trimmed = typed.trim_matches(|c: char| c.is_whitespace());
        if trimmed.is_empty() {
            return Err(Error::Required { label: LABEL });
        }
        let digits: Option<String> = trimmed
            .chars()
            .map(|c| match c {
                '0'..='9' => Some(c),
                '０'..='９' => char::from_u32(u32::from(c) - u32::from('０') + u32::from('0')),
                _ => None,
            })
            .collect();
        match digits {
            Some(d) if d.len() == usize::from(DIGITS) => Ok(OtpCode(d)),
            _ => Err(Error::FixedDigits {
                label: LABEL,
                digits: usize::from(DIGITS),
            }),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for OtpCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("OtpCode(******)")
    }
}

/// The step (30-second window since the epoch) of a moment.
pub fn step_of(unix_secs: u64) -> u64 {
    unix_secs / STEP_SECS
}

/// A token's shared secret. Never printed: `Debug` hides it, and it leaves the server
/// only once, on the registration screen, as [`TokenSecret::base32`] and the QR code.
#[derive(Clone, PartialEq, Eq)]
pub struct TokenSecret {
    totp: Totp,
}

impl TokenSecret {
    /// A secret from its bytes (at least 128 bits).
    pub fn from_bytes(bytes: Vec<u8>) -> Result<Self, Error> {
        Self::with_label(bytes, None, String::new())
    }

    fn with_label(bytes: Vec<u8>, issuer: Option<&str>, account: String) -> Result<Self, Error> {
        Builder::new()
            .with_algorithm(Algorithm::SHA1)
            .with_digits(DIGITS)
            .with_skew(SKEW_STEPS)
            .with_step_duration(STEP_SECS)
            .with_secret(bytes)
            .with_issuer(issuer)
            .with_account_name(account)
            .build()
            .map(|totp| TokenSecret { totp })
            .map_err(|_| Error::Internal)
    }

    /// A secret as an authenticator app takes it (base32; spaces and case ignored).
    pub fn from_base32(text: &str) -> Result<Self, Error> {
        let plain: String = text
            .chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| c.to_ascii_uppercase())
            .collect();
        let secret = totp_rs::Secret::try_from_base32(plain).map_err(|_| Error::Internal)?;
        Self::from_bytes(secret.as_ref().to_vec())
    }

    pub fn as_bytes(&self) -> &[u8] {
        self.totp.secret().as_ref()
    }

    /// The secret as an authenticator app takes it by hand: base32, in groups of four.
    pub fn base32(&self) -> String {
        let plain = self.totp.secret().to_base32();
        plain
            .as_bytes()
            .chunks(4)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// The `otpauth://totp/…` address the QR code carries. The label is `issuer:account`;
    /// a `:` in either is replaced, as the format reserves it.
    pub fn otpauth_url(&self, issuer: &str, account: &str) -> Result<String, Error> {
        let clean = |s: &str| s.replace(':', "_");
        let labelled = Self::with_label(
            self.as_bytes().to_vec(),
            Some(&clean(issuer)),
            clean(account),
        )?;
        labelled.totp.to_url().map_err(|_| Error::Internal)
    }

    /// The step `code` matches at `unix_secs` (the current step or one either side).
    pub fn matched_step(&self, code: &OtpCode, unix_secs: u64) -> Option<u64> {
        self.totp.check(code.as_str(), unix_secs)
    }

    /// The code shown at `unix_secs` (for tests and the demo's instructions).
    pub fn code_at(&self, unix_secs: u64) -> String {
        self.totp.generate(unix_secs).to_string()
    }
}

impl fmt::Debug for TokenSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TokenSecret(…)")
    }
}

/// トークンシリアル番号 of a software token: `SW` and ten digits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenSerial(String);

impl TokenSerial {
    /// The serial made of `random`'s last ten decimal digits.
    pub fn from_random(random: u64) -> Self {
        TokenSerial(format!("SW{:010}", random % 10_000_000_000))
    }

    /// A stored serial, as it was issued.
    pub fn stored(serial: String) -> Self {
        TokenSerial(serial)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Whether a typed code is accepted from a token whose last accepted step is
/// `last_step`: the step it matches, when it is right and not yet used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Right, at this step (later than any accepted before).
    Right { step: u64 },
    /// The code of a step already accepted (or an earlier one): used. It cannot get
    /// anyone in, and tells nothing about the codes to come, so it is refused without
    /// counting as a wrong code (the user typed the code just used; the next one works).
    Used,
    /// Wrong: counted toward the lock.
    Wrong,
}

/// Judges `code` against `secret` at `unix_secs`.
pub fn judge(secret: &TokenSecret, code: &OtpCode, unix_secs: u64, last_step: u64) -> Verdict {
    match secret.matched_step(code, unix_secs) {
        Some(step) if step > last_step => Verdict::Right { step },
        Some(_) => Verdict::Used,
        None => Verdict::Wrong,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B, SHA-1 (secret "12345678901234567890"): the 8-digit values,
    /// of which a 6-digit token shows the last six.
    const RFC6238: [(u64, &str); 6] = [
        (59, "94287082"),
        (1_111_111_109, "07081804"),
        (1_111_111_111, "14050471"),
        (1_234_567_890, "89005924"),
        (2_000_000_000, "69279037"),
        (20_000_000_000, "65353130"),
    ];

    fn rfc_secret() -> TokenSecret {
        TokenSecret::from_bytes(b"12345678901234567890".to_vec()).unwrap()
    }

    #[test]
    fn rfc6238_vectors() {
        let secret = rfc_secret();
        for (t, eight) in RFC6238 {
            assert_eq!(secret.code_at(t), eight[2..], "T = {t}");
            let code = OtpCode::parse(&eight[2..]).unwrap();
            assert_eq!(secret.matched_step(&code, t), Some(step_of(t)), "T = {t}");
        }
    }

    #[test]
    fn one_step_of_drift_either_way_and_no_more() {
        let secret = rfc_secret();
        let now: u64 = 1_234_567_890;
        let code_at = |offset: i64| {
            let t = now.checked_add_signed(offset * 30).unwrap();
            OtpCode::parse(&secret.code_at(t)).unwrap()
        };
        assert_eq!(
            secret.matched_step(&code_at(-1), now),
            Some(step_of(now) - 1)
        );
        assert_eq!(
            secret.matched_step(&code_at(1), now),
            Some(step_of(now) + 1)
        );
        assert_eq!(secret.matched_step(&code_at(-2), now), None);
        assert_eq!(secret.matched_step(&code_at(2), now), None);
    }

    #[test]
    fn a_used_step_is_wrong() {
        let secret = rfc_secret();
        let now = 1_234_567_890;
        let code = OtpCode::parse(&secret.code_at(now)).unwrap();
        let step = step_of(now);
        assert_eq!(
            judge(&secret, &code, now, step - 1),
            Verdict::Right { step }
        );
        assert_eq!(judge(&secret, &code, now, step), Verdict::Used);
        assert_eq!(judge(&secret, &code, now, step + 1), Verdict::Used);
        let other = OtpCode::parse(&secret.code_at(now + 90)).unwrap();
        assert_eq!(judge(&secret, &other, now, step - 1), Verdict::Wrong);
    }

    #[test]
    fn codes_are_six_digits() {
        assert_eq!(OtpCode::parse(" 012345 ").unwrap().as_str(), "012345");
        assert_eq!(OtpCode::parse("０１２３４５").unwrap().as_str(), "012345");
        assert_eq!(
            OtpCode::parse("").unwrap_err(),
            Error::Required { label: LABEL }
        );
        for bad in ["12345", "1234567", "12a456", "12 456", "１２３４５"] {
            assert!(
                matches!(OtpCode::parse(bad), Err(Error::FixedDigits { .. })),
                "{bad}"
            );
        }
    }

    #[test]
    fn secrets_are_shown_once_and_never_printed() {
        let secret = rfc_secret();
        assert_eq!(format!("{secret:?}"), "TokenSecret(…)");
        assert_eq!(
            format!("{:?}", OtpCode::parse("123456").unwrap()),
            "OtpCode(******)"
        );
        assert_eq!(secret.base32(), "GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ");
        assert_eq!(
            TokenSecret::from_base32("gezd gnbv gy3t qojq gezd gnbv gy3t qojq").unwrap(),
            secret
        );
        let url = secret.otpauth_url("まどぐち銀行", "ippan01").unwrap();
        assert!(url.starts_with("otpauth://totp/"), "{url}");
        assert!(
            url.contains("secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"),
            "{url}"
        );
        assert!(
            !url.contains("まどぐち"),
            "the issuer is percent-encoded: {url}"
        );
        assert!(TokenSecret::from_bytes(vec![1; 10]).is_err(), "80 bits");
    }

    #[test]
    fn serials() {
        assert_eq!(TokenSerial::from_random(42).as_str(), "SW0000000042");
        assert_eq!(
            TokenSerial::from_random(u64::MAX).as_str().len(),
            12,
            "always SW + 10 digits"
        );
    }
}
