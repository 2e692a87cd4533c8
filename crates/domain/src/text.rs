//! Small validated text values shared by the aggregates.

use crate::ValidationError;
use serde::{Deserialize, Serialize};

/// Trims `value` and checks it is neither blank, too long, nor holding control characters.
pub(crate) fn clean_text(
    field: &str,
    value: &str,
    max_chars: usize,
) -> Result<String, ValidationError> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(ValidationError::new(field, "must not be blank"));
    }
    if trimmed.chars().count() > max_chars {
        return Err(ValidationError::new(
            field,
            format!("must be at most {max_chars} characters"),
        ));
    }
    if trimmed.chars().any(|c| c.is_control() && c != '\n') {
        return Err(ValidationError::new(
            field,
            "must not contain control characters",
        ));
    }
    Ok(trimmed.to_owned())
}

macro_rules! text_type {
    ($(#[$doc:meta])* $name:ident, $field:literal, $max:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            pub const MAX_CHARS: usize = $max;

            /// # Errors
            /// When the text is blank, too long or holds control characters.
            pub fn parse(value: &str) -> Result<Self, ValidationError> {
                clean_text($field, value, $max).map(Self)
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
    Name, "name", 200
);
text_type!(
    /// A postal address, as printed on labels.
    Address, "address", 300
);
text_type!(
    /// Internal staff notes; never shown to the public.
    Notes, "notes", 2000
);

#[cfg(test)]
mod tests {
    use super::*;

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
    fn refuses_control_characters_but_keeps_newlines_in_notes() {
        assert!(Name::parse("a\u{0}b").is_err());
        assert!(Notes::parse("line one\nline two").is_ok());
    }
}
