//! Small validated text values shared by the aggregates.

use crate::ValidationError;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};

/// Invisible characters and bidirectional overrides: they make two references look the
/// same (`LYO-1` and `LYO-\u{200B}1`) or one read backwards, and no address needs them.
fn is_invisible_or_bidi(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{061C}' | '\u{180E}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{206F}' | '\u{FEFF}' | '\u{FFF9}'..='\u{FFFB}')
}

/// What a spreadsheet runs as a formula when a cell starts with it (OWASP's CSV injection
/// list, less `-`, which starts real values such as `-0.57`).
pub const FORMULA_STARTS: [char; 3] = ['=', '+', '@'];

/// A cell as a spreadsheet should see it: a value starting with `=`, `+`, `-`, `@`, a tab
/// or a carriage return gets a leading `'`, so it is shown as text, never run (OWASP's
/// advice against CSV injection). Every CSV the platform writes passes through this.
#[must_use]
pub fn spreadsheet_safe(value: &str) -> std::borrow::Cow<'_, str> {
    if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        std::borrow::Cow::Owned(format!("'{value}"))
    } else {
        std::borrow::Cow::Borrowed(value)
    }
}

/// Every character before the combining marks (U+0300) is NFC on its own and composes
/// with nothing before it, so a text of only those (French, with its accents) is NFC: a
/// cheaper check than the quick-check tables (a test holds this against them).
const BEFORE_COMBINING_MARKS: char = '\u{300}';

/// Trims `value`, normalises it to NFC (so that `é` typed two ways is one value), and
/// checks it is neither blank, too long, nor holding control or invisible characters.
pub(crate) fn clean_text(
    field: &str,
    value: &str,
    max_chars: usize,
) -> Result<String, ValidationError> {
    cleaned(field, value, max_chars).map(Cow::into_owned)
}

/// [`clean_text`] of a `String` the caller gives up: kept as it is when already clean, as
/// every value read back from the database is (no copy for each address of a search).
pub(crate) fn clean_text_owned(
    field: &str,
    value: String,
    max_chars: usize,
) -> Result<String, ValidationError> {
    let changed = match cleaned(field, &value, max_chars)? {
        Cow::Borrowed(kept) if kept.len() == value.len() => None,
        other => Some(other.into_owned()),
    };
    Ok(changed.unwrap_or(value))
}

/// The checks of [`clean_text`]; borrows `value` (trimmed) unless NFC changed it.
fn cleaned<'a>(
    field: &str,
    value: &'a str,
    max_chars: usize,
) -> Result<Cow<'a, str>, ValidationError> {
    // Most values (every ASCII one) are already NFC: checking is several times cheaper
    // than rebuilding the string, which an import does for millions of cells.
    let normalised: Cow<'a, str> =
        if before_combining_marks(value) || is_nfc_quick(value.chars()) == IsNormalized::Yes {
            Cow::Borrowed(value)
        } else {
            Cow::Owned(value.nfc().collect())
        };
    let trimmed = match normalised {
        Cow::Borrowed(text) => Cow::Borrowed(text.trim()),
        Cow::Owned(text) => Cow::Owned(text.trim().to_owned()),
    };
    if trimmed.is_empty() {
        return Err(ValidationError::new(field, "must not be blank"));
    }
    let (chars, control, invisible) = scan(&trimmed);
    if chars > max_chars {
        return Err(ValidationError::new(
            field,
            format!("must be at most {max_chars} characters"),
        ));
    }
    if control {
        return Err(ValidationError::new(
            field,
            "must not contain control characters",
        ));
    }
    if invisible {
        return Err(ValidationError::new(
            field,
            "must not contain invisible or right-to-left control characters",
        ));
    }
    Ok(trimmed)
}

/// Characters, and whether any is a control (other than a line feed) or invisible: every
/// container read from the database is checked again, so the bytes are tested in loops
/// without early exits (which the compiler turns into vector code) and only non-ASCII
/// characters are decoded.
fn scan(text: &str) -> (usize, bool, bool) {
    let bytes = text.as_bytes();
    let control = bytes.iter().fold(false, |any, &b| {
        any | ((b < 0x20) & (b != b'\n')) | (b == 0x7f)
    });
    if text.is_ascii() {
        return (bytes.len(), control, false);
    }
    // a UTF-8 continuation byte is 0b10xx_xxxx: every other byte starts a character
    let chars = bytes
        .iter()
        .fold(0, |n, &b| n + usize::from((b as i8) >= -0x40));
    let (mut control, mut invisible) = (control, false);
    // decode only at the bytes that start a non-ASCII character (0b11xx_xxxx)
    for (at, _) in bytes.iter().enumerate().filter(|&(_, &b)| b >= 0xC0) {
        if let Some(c) = text[at..].chars().next() {
            control |= c.is_control();
            invisible |= is_invisible_or_bidi(c);
        }
    }
    (chars, control, invisible)
}

/// Whether every character is before [`BEFORE_COMBINING_MARKS`], read off the bytes: in
/// UTF-8, U+0300 starts with 0xCC, and every byte of an earlier character is below it.
fn before_combining_marks(text: &str) -> bool {
    // U+0300 is two bytes, 0b110x_xxxx then 0b10_000000: its first byte is the bound
    const FIRST_BYTE: u8 = 0xC0 | (BEFORE_COMBINING_MARKS as u32 >> 6) as u8;
    !text
        .bytes()
        .fold(false, |later, b| later | (b >= FIRST_BYTE))
}

/// [`clean_text`] for one-line values that end up in spreadsheets (names, addresses,
/// references): they may not start like a formula.
pub(crate) fn clean_line(
    field: &str,
    value: &str,
    max_chars: usize,
) -> Result<String, ValidationError> {
    clean_text(field, value, max_chars).and_then(|text| refuse_formula(field, text))
}

/// [`clean_line`] of a `String` the caller gives up (see [`clean_text_owned`]).
pub(crate) fn clean_line_owned(
    field: &str,
    value: String,
    max_chars: usize,
) -> Result<String, ValidationError> {
    clean_text_owned(field, value, max_chars).and_then(|text| refuse_formula(field, text))
}

fn refuse_formula(field: &str, text: String) -> Result<String, ValidationError> {
    if text.starts_with(FORMULA_STARTS) {
        return Err(ValidationError::new(
            field,
            "must not start with =, + or @ (a spreadsheet would run it as a formula)",
        ));
    }
    Ok(text)
}

macro_rules! text_type {
    ($(#[$doc:meta])* $name:ident, $field:literal, $max:literal, $clean:path, $clean_owned:path) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            pub const MAX_CHARS: usize = $max;

            /// # Errors
            /// When the text is blank, too long or holds control characters.
            pub fn parse(value: &str) -> Result<Self, ValidationError> {
                $clean($field, value, $max).map(Self)
            }

            /// [`Self::parse`] of a `String` given up: kept without a copy when already
            /// clean (values read back from the database).
            ///
            /// # Errors
            /// As [`Self::parse`].
            pub fn parse_owned(value: String) -> Result<Self, ValidationError> {
                $clean_owned($field, value, $max).map(Self)
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
    };
}

text_type!(
    /// A display name (site, area).
    Name, "name", 200, clean_line, clean_line_owned
);
text_type!(
    /// A postal address, as printed on labels.
    Address, "address", 300, clean_line, clean_line_owned
);
text_type!(
    /// Internal staff notes; never shown to the public.
    Notes, "notes", 2000, clean_text, clean_text_owned
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_character_before_the_combining_marks_is_nfc_alone_and_after_any_other() {
        let before: Vec<char> = ('\0'..BEFORE_COMBINING_MARKS).collect();
        for &c in &before {
            assert_eq!(is_nfc_quick([c].into_iter()), IsNormalized::Yes, "{c:?}");
        }
        // pairs compose nothing either: a text of these is NFC as it is
        for &a in &before {
            for &b in before.iter().step_by(7) {
                let pair: String = [a, b].into_iter().collect();
                assert_eq!(pair.nfc().collect::<String>(), pair, "{a:?} {b:?}");
            }
        }
    }

    #[test]
    fn trims_and_keeps_text() {
        assert_eq!(
            Name::parse("  Lyon 3e ").map(|n| n.as_str().to_owned()),
            Ok("Lyon 3e".into())
        );
    }

    #[test]
    fn refuses_blank_text() {
        assert_eq!(Name::parse("   ").map_err(|e| e.field), Err("name".into()));
    }

    #[test]
    fn refuses_too_long_text() {
        let err = Address::parse(&"a".repeat(301)).err();
        assert_eq!(
            err.map(|e| e.reason),
            Some("must be at most 300 characters".into())
        );
        assert!(
            Address::parse(&"é".repeat(300)).is_ok(),
            "the limit counts characters, not bytes"
        );
    }

    #[test]
    fn look_alike_text_is_one_value_or_refused() {
        let composed = Name::parse("Caf\u{e9}").unwrap();
        let decomposed = Name::parse("Cafe\u{301}").unwrap();
        assert_eq!(composed, decomposed, "NFC makes both spellings one");
        for sneaky in [
            "LYO-\u{200B}1",
            "LYO-\u{202E}1",
            "\u{FEFF}LYO-1",
            "LYO\u{2066}-1",
        ] {
            let reason = Address::parse(sneaky).unwrap_err().reason;
            assert!(reason.contains("invisible"), "{sneaky:?}: {reason}");
        }
    }

    #[test]
    fn cells_that_a_spreadsheet_would_run_are_shown_as_text() {
        for formula in ["=1+1", "+1", "-1+1", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(spreadsheet_safe(formula), format!("'{formula}"));
        }
        assert_eq!(spreadsheet_safe("45.75"), "45.75");
        assert_eq!(spreadsheet_safe("rue = ici"), "rue = ici");
    }

    #[test]
    fn one_line_values_may_not_start_like_a_formula() {
        for formula in ["=HYPERLINK(\"x\")", "+33 1", "@SUM(A1)"] {
            let reason = Address::parse(formula).unwrap_err().reason;
            assert!(reason.contains("formula"), "{formula}: {reason}");
        }
        assert!(Address::parse("-12 rue de la Paix").is_ok());
        assert!(Notes::parse("=not a formula, only notes").is_ok());
    }

    #[test]
    fn refuses_control_characters_but_keeps_newlines_in_notes() {
        assert!(Name::parse("a\u{0}b").is_err());
        assert!(Notes::parse("line one\nline two").is_ok());
    }

    /// Values that exercise every check: spaces around, NFD, controls, invisible marks,
    /// formulas, length in characters, C1 controls, a line feed.
    const SAMPLES: [&str; 14] = [
        "12 rue de la République",
        "  12 rue de la République  ",
        "Cafe\u{301} du Port",
        "a\u{0}b",
        "a\u{7f}b",
        "a\u{85}b",
        "LYO-\u{200B}1",
        "line one\nline two",
        "=1+1",
        "   ",
        "naïve façade — été",
        "日本語の住所",
        "x",
        "trailing tab\t",
    ];

    #[test]
    fn an_owned_value_is_judged_exactly_as_a_borrowed_one() {
        for sample in SAMPLES {
            assert_eq!(
                Address::parse_owned(sample.into()),
                Address::parse(sample),
                "{sample:?}"
            );
            assert_eq!(
                Notes::parse_owned(sample.into()),
                Notes::parse(sample),
                "{sample:?}"
            );
            assert_eq!(
                Name::parse_owned(sample.into()),
                Name::parse(sample),
                "{sample:?}"
            );
        }
        let long = "é".repeat(301);
        assert_eq!(Address::parse_owned(long.clone()), Address::parse(&long));
    }

    #[test]
    fn a_clean_owned_value_is_kept_without_a_copy() {
        let stored = String::from("12 rue de la République");
        let at = stored.as_ptr();
        assert_eq!(Address::parse_owned(stored).unwrap().as_str().as_ptr(), at);
        let padded = String::from(" 12 rue ");
        assert_eq!(Address::parse_owned(padded).unwrap().as_str(), "12 rue");
    }

    #[test]
    fn the_byte_scan_counts_and_flags_as_the_characters_do() {
        for sample in SAMPLES {
            let by_chars = (
                sample.chars().count(),
                sample.chars().any(|c| c.is_control() && c != '\n'),
                sample.chars().any(is_invisible_or_bidi),
            );
            assert_eq!(scan(sample), by_chars, "{sample:?}");
        }
    }

    #[test]
    fn the_byte_test_for_combining_marks_agrees_with_the_characters() {
        for c in [
            '\0',
            'a',
            'é',
            '\u{2ff}',
            '\u{300}',
            '\u{301}',
            '\u{200B}',
            '日',
            '\u{1F600}',
        ] {
            let text = format!("ab{c}cd");
            assert_eq!(
                before_combining_marks(&text),
                c < BEFORE_COMBINING_MARKS,
                "{c:?}"
            );
        }
    }
}
