//! Column names as people type them: case, surrounding spaces, accents and `_`/space/`-`
//! differences are tolerated (`Site code`, ` latitude`), and the French names of the
//! French template are aliases (`code_site`, `référence`, `capacité_litres`…).

use unicode_normalization::UnicodeNormalization;

/// Each documented column and its French name.
pub const FRENCH_COLUMNS: [(&str, &str); 11] = [
    ("site_code", "code_site"),
    ("area_code", "code_zone"),
    ("external_ref", "référence"),
    ("type", "type"),
    ("status", "statut"),
    ("capacity_litres", "capacité_litres"),
    ("latitude", "latitude"),
    ("longitude", "longitude"),
    ("address", "adresse"),
    ("installed_on", "date_installation"),
    ("notes", "notes"),
];

/// A name reduced to what matters: lower case, no accents, words joined by `_`.
#[must_use]
pub fn fold(name: &str) -> String {
    let plain: String = name
        .nfd()
        .filter(|c| !('\u{300}'..='\u{36f}').contains(c))
        .collect::<String>()
        .to_lowercase();
    plain
        .split(|c: char| c.is_whitespace() || c == '_' || c == '-')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join("_")
}

/// The documented column a header cell names, if any.
#[must_use]
pub fn canonical(name: &str) -> Option<&'static str> {
    let folded = fold(name);
    FRENCH_COLUMNS
        .iter()
        .find(|(english, french)| fold(english) == folded || fold(french) == folded)
        .map(|(english, _)| *english)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_recognised_however_typed() {
        assert_eq!(canonical(" Site code "), Some("site_code"));
        assert_eq!(canonical("code_site"), Some("site_code"));
        assert_eq!(canonical("Référence"), Some("external_ref"));
        assert_eq!(canonical("reference"), Some("external_ref"));
        assert_eq!(canonical("capacité litres"), Some("capacity_litres"));
        assert_eq!(canonical("Date-Installation"), Some("installed_on"));
        assert_eq!(canonical("Notes"), Some("notes"));
        assert_eq!(canonical("colour"), None);
    }
}
