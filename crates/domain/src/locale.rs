//! The languages people read the platform in, and how a language tag picks one.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A language the platform speaks. French first: the charity and its public are French.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Locale {
    #[default]
    Fr,
    En,
}

impl Locale {
    pub const ALL: [Self; 2] = [Self::Fr, Self::En];

    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Fr => "fr",
            Self::En => "en",
        }
    }

    /// The language of a tag such as `fr`, `fr-FR`, `EN_gb`; `None` for any other.
    #[must_use]
    pub fn from_tag(tag: &str) -> Option<Self> {
        let primary = tag
            .trim()
            .split(['-', '_'])
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        Self::ALL.into_iter().find(|l| l.as_str() == primary)
    }

    /// A language by its code, as a field of a request.
    ///
    /// # Errors
    /// When `value` is no language we speak.
    pub fn parse(field: &str, value: &str) -> Result<Self, crate::ValidationError> {
        Self::ALL
            .into_iter()
            .find(|l| l.as_str() == value.trim())
            .ok_or_else(|| crate::ValidationError::new(field, "expected fr or en"))
    }

    /// The preferred language of an `Accept-Language` header we speak, by its weights
    /// (`q=0` excluded); `None` when it names none of ours.
    #[must_use]
    pub fn negotiate(accept_language: &str) -> Option<Self> {
        let mut best: Option<(Self, f32)> = None;
        for item in accept_language.split(',') {
            let mut parts = item.split(';');
            let Some(locale) = parts.next().and_then(Self::from_tag) else {
                continue;
            };
            let weight = parts
                .filter_map(|p| p.trim().strip_prefix("q="))
                .find_map(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            // the first of equal weights wins, as the header's order says
            if weight > 0.0 && best.is_none_or(|(_, w)| weight > w) {
                best = Some((locale, weight));
            }
        }
        best.map(|(locale, _)| locale)
    }
}

impl fmt::Display for Locale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_and_weights_pick_a_language() {
        assert_eq!(Locale::from_tag("fr-FR"), Some(Locale::Fr));
        assert_eq!(Locale::from_tag("EN_gb"), Some(Locale::En));
        assert_eq!(Locale::from_tag("de"), None);
        assert_eq!(
            Locale::negotiate("de-DE,en;q=0.8,fr;q=0.9"),
            Some(Locale::Fr)
        );
        assert_eq!(Locale::negotiate("en-US,en;q=0.9"), Some(Locale::En));
        assert_eq!(Locale::negotiate("fr;q=0,de"), None);
        assert_eq!(Locale::negotiate(""), None);
    }
}
