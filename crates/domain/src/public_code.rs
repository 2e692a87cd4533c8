//! The code printed on a container's QR label: short, unambiguous, typed by hand if needed.

use crate::ValidationError;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Digits and capitals without the look-alikes 0/O, 1/I/L and U/V.
const ALPHABET: &[u8; 29] = b"23456789ABCDEFGHJKMNPQRSTWXYZ";
/// `ALPHABET` as a table of the bytes allowed, checked once per byte (every container read
/// from the database parses its code again).
const ALLOWED: [bool; 256] = {
    let mut allowed = [false; 256];
    let mut i = 0;
    while i < ALPHABET.len() {
        allowed[ALPHABET[i] as usize] = true;
        i += 1;
    }
    allowed
};
const MIN_LENGTH: usize = 4;
const MAX_LENGTH: usize = 12;

/// A container's stable public code (e.g. `K7M3QPX`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PublicCode(String);

impl PublicCode {
    /// Length of generated codes: 29^7 ≈ 17 billion, so clashes stay rare at millions of containers.
    pub const GENERATED_LENGTH: usize = 7;

    /// Parses a code typed or scanned by a person: case and surrounding spaces don't matter.
    ///
    /// # Errors
    /// When the length is outside 4..=12 or a character is not in the code alphabet.
    pub fn parse(value: &str) -> Result<Self, ValidationError> {
        Self::check(value.trim().to_ascii_uppercase())
    }

    /// [`Self::parse`] of a `String` given up: kept without a copy when already a code as
    /// stored (trimmed, in capitals).
    ///
    /// # Errors
    /// As [`Self::parse`].
    pub fn parse_owned(mut value: String) -> Result<Self, ValidationError> {
        if value.trim().len() != value.len() {
            value = value.trim().to_owned();
        }
        value.make_ascii_uppercase();
        Self::check(value)
    }

    fn check(code: String) -> Result<Self, ValidationError> {
        if !(MIN_LENGTH..=MAX_LENGTH).contains(&code.len()) {
            return Err(ValidationError::new(
                "public_code",
                format!("must be {MIN_LENGTH} to {MAX_LENGTH} characters long"),
            ));
        }
        if let Some(bad) = code.bytes().find(|&b| !ALLOWED[usize::from(b)]) {
            return Err(ValidationError::new(
                "public_code",
                format!(
                    "'{}' is not allowed; use digits 2-9 and capitals except I, L, O, U, V",
                    char::from(bad)
                ),
            ));
        }
        Ok(Self(code))
    }

    /// A new code from random bytes (the caller owns the randomness, keeping this pure).
    #[must_use]
    pub fn from_random(random: [u8; Self::GENERATED_LENGTH]) -> Self {
        let len = ALPHABET.len();
        // Rejection-free mapping; the tiny bias of 256 % 29 is irrelevant for labels.
        Self(
            random
                .iter()
                .map(|b| char::from(ALPHABET[usize::from(*b) % len]))
                .collect(),
        )
    }

    /// A longest-length code (12 characters) for bulk imports, where a million new codes at
    /// once would make the short codes collide.
    #[must_use]
    pub fn long_from_random(random: [u8; MAX_LENGTH]) -> Self {
        let len = ALPHABET.len();
        Self(
            random
                .iter()
                .map(|b| char::from(ALPHABET[usize::from(*b) % len]))
                .collect(),
        )
    }

    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    #[must_use]
    pub fn into_string(self) -> String {
        self.0
    }
}

impl fmt::Display for PublicCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_case_and_spaces() {
        assert_eq!(
            PublicCode::parse(" k7m3qpx ").map(|c| c.to_string()),
            Ok("K7M3QPX".into())
        );
    }

    #[test]
    fn refuses_ambiguous_characters() {
        for code in [
            "K7M0QPX", "K7MOQPX", "K7M1QPX", "K7MIQPX", "K7MLQPX", "K7MUQPX",
        ] {
            assert!(PublicCode::parse(code).is_err(), "{code}");
        }
    }

    #[test]
    fn refuses_wrong_lengths() {
        assert!(PublicCode::parse("K7M").is_err());
        assert!(PublicCode::parse("K7M3QPXK7M3QP").is_err());
        assert!(PublicCode::parse("K7M3").is_ok());
    }

    #[test]
    fn generated_codes_are_valid_and_differ() {
        let a = PublicCode::from_random([0, 1, 2, 3, 4, 5, 255]);
        let b = PublicCode::from_random([9, 1, 2, 3, 4, 5, 255]);
        assert_eq!(PublicCode::parse(a.as_str()), Ok(a.clone()));
        assert_ne!(a, b);
        assert_eq!(a.as_str().len(), PublicCode::GENERATED_LENGTH);
    }

    #[test]
    fn an_owned_code_is_judged_exactly_as_a_borrowed_one() {
        for sample in [
            " k7m3qpx ",
            "K7M3QPX",
            "K7M",
            "K7M3QPXK7M3QPX",
            "K7M3QPI",
            "  ",
            "k7m3\u{e9}px",
        ] {
            assert_eq!(
                PublicCode::parse_owned(sample.into()),
                PublicCode::parse(sample),
                "{sample:?}"
            );
        }
        let stored = String::from("K7M3QPX");
        let at = stored.as_ptr();
        assert_eq!(
            PublicCode::parse_owned(stored).unwrap().as_str().as_ptr(),
            at
        );
    }
}
