//! Small validated text values shared by the aggregates.

use crate::ValidationError;
use serde::{Deserialize, Serialize};
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
    // Most values (every ASCII one) are already NFC: checking is several times cheaper
    // than rebuilding the string, which an import does for millions of cells.
    let normalised: std::borrow::Cow<'_, str> = if value.is_ascii()
        || value.chars().all(|c| c < BEFORE_COMBINING_MARKS)
        || is_nfc_quick(value.chars()) == IsNormalized::Yes
    {
        std::borrow::Cow::Borrowed(value)
    } else {
        std::borrow::Cow::Owned(value.nfc().collect())
    };
    let trimmed = normalised.trim();
    if trimmed.is_empty() {
        return Err(ValidationError::new(field, "must not be blank"));
    }
    // one pass over the characters, not one per check: every container read from the
    // database is checked again (a search's 50 addresses took 8 % of the API's work)
    let (mut chars, mut control, mut invisible) = (0, false, false);
    for c in trimmed.chars() {
        chars += 1;
        if c.is_ascii() {
            control |= c.is_ascii_control() && c != '\n';
        } else {
            control |= c.is_control();
            invisible |= is_invisible_or_bidi(c);
        }
    }
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
    Ok(trimmed.to_owned())
}

/// [`clean_text`] for one-line values that end up in spreadsheets (names, addresses,
/// references): they may not start like a formula.
pub(crate) fn clean_line(
    field: &str,
    value: &str,
    max_chars: usize,
) -> Result<String, ValidationError> {
    let text = clean_text(field, value, max_chars)?;
    if text.starts_with(FORMULA_STARTS) {
        return Err(ValidationError::new(
            field,
            "must not start with =, + or @ (a spreadsheet would run it as a formula)",
        ));
    }
    Ok(text)
}

macro_rules! text_type {
    ($(#[$doc:meta])* $name:ident, $field:literal, $max:literal, $clean:path) => {
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
    Name, "name", 200, clean_line
);
text_type!(
    /// A postal address, as printed on labels.
    Address, "address", 300, clean_line
);
text_type!(
    /// Internal staff notes; never shown to the public.
    Notes, "notes", 2000, clean_text
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
}
