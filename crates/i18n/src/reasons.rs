//! Import reasons in words: the domain stores a short code per rejected cell (`missing`,
//! `invalid`, `column-count:10:9`, `duplicate-ref:4`…), and each reader gets it in their
//! language. A stored reason that is no code (an import made before codes) is shown as is.

use crate::catalog::{Arg, has, t, try_t};
use tisseco_domain::Locale;

/// A column's name as the reader's language says it (`latitude`, `code du site`).
#[must_use]
pub fn column(locale: Locale, column: &str) -> String {
    let key = format!("column-{column}");
    if has(locale, &key) {
        t(locale, &key, &[])
    } else {
        column.to_owned()
    }
}

/// The reason `code` of `column` in `locale`'s words.
#[must_use]
pub fn reason(locale: Locale, column_name: &str, code: &str) -> String {
    let mut parts = code.split(':');
    let name = parts.next().unwrap_or_default();
    let arg = |i: usize| code.split(':').nth(i).unwrap_or_default().to_owned();
    let column_words = column(locale, column_name);
    let gender = try_t(locale, &format!("column-{column_name}.gender"), &[])
        .unwrap_or_else(|_| "m".to_owned());
    let args: Vec<(&str, Arg)> = match name {
        "invalid" => {
            let key = format!("invalid-{column_name}");
            return if has(locale, &key) {
                t(locale, &key, &[])
            } else {
                code.to_owned()
            };
        }
        "column-count" => vec![("expected", arg(1).into()), ("found", arg(2).into())],
        "duplicate-ref" => vec![("first", arg(1).into())],
        // the reference may itself hold a colon: it is everything after the code
        "removed-final" | "archived" => vec![(
            "reference",
            code.split_once(':')
                .map_or("", |(_, r)| r)
                .to_owned()
                .into(),
        )],
        "forbidden-status" => vec![("from", arg(1).into()), ("to", arg(2).into())],
        "outside-area" | "outside-area-swapped" => {
            vec![("distance", arg(1).into()), ("tolerance", arg(2).into())]
        }
        _ => vec![("column", column_words.into()), ("gender", gender.into())],
    };
    try_t(locale, &format!("reason-{name}"), &args).unwrap_or_else(|_| code.to_owned())
}

/// An import's failure in `locale`'s words: its stored code (`file-utf16`,
/// `file-binary:3`, `upload-stalled:30`…) put in words. A stored text that is no code (an
/// import failed before codes) is shown as is.
#[must_use]
pub fn import_failure(locale: Locale, stored: &str) -> String {
    let (name, rest) = stored.split_once(':').unwrap_or((stored, ""));
    let key = format!("failure-{name}");
    if !has(locale, &key) {
        return stored.to_owned();
    }
    if name == "file-header" {
        return header_failure(locale, rest);
    }
    let names: &[&str] = match name {
        "file-binary" | "file-not-utf8" | "file-open-quote" => &["line"],
        "file-row-too-long" => &["line", "limit"],
        "file-header-too-long" | "file-too-large" => &["limit"],
        "upload-stalled" | "upload-stopped" => &["seconds"],
        // the media type may itself hold a colon: it is everything after the code
        "media-type" => {
            return try_t(locale, &key, &[("type", rest.to_owned().into())])
                .unwrap_or_else(|_| stored.to_owned());
        }
        _ => &[],
    };
    let args: Vec<(&str, Arg)> = names
        .iter()
        .zip(rest.split(':'))
        .map(|(name, value)| (*name, value.to_owned().into()))
        .collect();
    try_t(locale, &key, &args).unwrap_or_else(|_| stored.to_owned())
}

/// `file-header:<missing>␞<unknown>`, each list of columns joined by ␟.
fn header_failure(locale: Locale, lists: &str) -> String {
    use tisseco_domain::import::{COLUMN_SEPARATOR, LIST_SEPARATOR};
    let (missing, unknown) = lists.split_once(LIST_SEPARATOR).unwrap_or((lists, ""));
    let mut words = t(locale, "failure-file-header", &[]);
    for (key, list) in [
        ("failure-file-header-missing", missing),
        ("failure-file-header-unknown", unknown),
    ] {
        if !list.is_empty() {
            let columns = list.split(COLUMN_SEPARATOR).collect::<Vec<_>>().join(", ");
            words.push_str(&t(locale, "failure-separator", &[]));
            words.push_str(&t(locale, key, &[("columns", columns.into())]));
        }
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_read_as_an_office_worker_says_them() {
        assert_eq!(
            reason(Locale::Fr, "latitude", "missing"),
            "latitude manquante"
        );
        assert_eq!(
            reason(Locale::Fr, "site_code", "missing"),
            "code du site manquant"
        );
        assert_eq!(
            reason(Locale::En, "latitude", "missing"),
            "latitude missing"
        );
        assert_eq!(
            reason(Locale::Fr, "type", "invalid"),
            "type inconnu : street_bin, underground, in_store ou other"
        );
        assert!(
            reason(Locale::Fr, "*", "column-count:10:9").starts_with("10 colonnes attendues, 9")
        );
        assert_eq!(
            reason(Locale::En, "external_ref", "duplicate-ref:4"),
            "duplicate reference in this file (first on line 4)"
        );
        assert_eq!(
            reason(Locale::En, "status", "removed-final:LYO-0042"),
            "container LYO-0042 is removed; removed is final"
        );
        assert_eq!(
            reason(Locale::Fr, "status", "removed-final:LYO:42"),
            "le conteneur LYO:42 est retiré ; retiré est définitif"
        );
        assert_eq!(
            reason(Locale::En, "external_ref", "archived:B-1"),
            "container B-1 is archived; an archived container no longer changes"
        );
        assert!(
            reason(Locale::Fr, "latitude", "outside-area-swapped:6512346:250")
                .contains("inversées"),
        );
        assert!(
            reason(Locale::En, "latitude", "outside-area:300:250")
                .starts_with("the point lies 300 m outside")
        );
        assert_eq!(
            reason(Locale::En, "status", "forbidden-status:damaged:full"),
            "status cannot change from damaged to full"
        );
        // an English reason stored before codes stays readable
        assert_eq!(
            reason(Locale::Fr, "latitude", "out of range"),
            "out of range"
        );
    }

    #[test]
    fn an_import_failure_reads_in_the_readers_language() {
        use tisseco_domain::import::FileError;
        let header = FileError::Header {
            missing: vec!["latitude".into(), "longitude".into()],
            unknown: vec!["colour, red".into()],
        }
        .to_string();
        assert_eq!(
            import_failure(Locale::En, &header),
            "the header does not match the documented columns; missing: latitude, longitude; \
             unknown: colour, red"
        );
        assert_eq!(
            import_failure(Locale::Fr, &header),
            "l’en-tête ne correspond pas aux colonnes documentées ; manquantes : latitude, \
             longitude ; inconnues : colour, red"
        );
        assert_eq!(
            import_failure(
                Locale::Fr,
                &FileError::UnterminatedQuote { line: 4 }.to_string()
            ),
            "le champ entre guillemets commencé ligne 4 n’est jamais fermé"
        );
        assert!(
            import_failure(
                Locale::Fr,
                &FileError::RecordTooLong { line: 2 }.to_string()
            )
            .ends_with("dépasse 8388608 octets")
        );
        assert!(
            import_failure(Locale::Fr, "upload-stalled:30")
                .starts_with("aucune donnée depuis 30 s")
        );
        assert_eq!(
            import_failure(Locale::En, tisseco_domain::import::NO_VALID_ROW),
            "no row passed validation; see errors.csv"
        );
        // a failure stored before codes stays readable
        assert_eq!(
            import_failure(Locale::Fr, "the file is empty"),
            "the file is empty"
        );
    }
}
