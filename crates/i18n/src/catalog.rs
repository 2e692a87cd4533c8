//! The message catalogue: one Fluent bundle per language, built once from the `.ftl` files.

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use std::collections::BTreeSet;
use std::sync::LazyLock;
use tisseco_domain::Locale;

/// The files of one language, in the order they are added.
const FILES: [&str; 5] = ["common", "pages", "labels", "mail", "imports"];

fn sources(locale: Locale) -> [&'static str; 5] {
    match locale {
        Locale::Fr => [
            include_str!("../locales/fr/common.ftl"),
            include_str!("../locales/fr/pages.ftl"),
            include_str!("../locales/fr/labels.ftl"),
            include_str!("../locales/fr/mail.ftl"),
            include_str!("../locales/fr/imports.ftl"),
        ],
        Locale::En => [
            include_str!("../locales/en/common.ftl"),
            include_str!("../locales/en/pages.ftl"),
            include_str!("../locales/en/labels.ftl"),
            include_str!("../locales/en/mail.ftl"),
            include_str!("../locales/en/imports.ftl"),
        ],
    }
}

struct Language {
    bundle: FluentBundle<FluentResource>,
    keys: BTreeSet<String>,
}

struct Catalog {
    languages: Vec<(Locale, Language)>,
    errors: Vec<String>,
}

static CATALOG: LazyLock<Catalog> = LazyLock::new(build);

fn build() -> Catalog {
    let mut errors = Vec::new();
    let mut languages = Vec::new();
    for locale in Locale::ALL {
        let tag = locale.as_str().parse().unwrap_or_default();
        let mut bundle = FluentBundle::new_concurrent(vec![tag]);
        // no Unicode isolation marks: e-mails, CSV files and subjects would carry them
        bundle.set_use_isolating(false);
        let mut keys = BTreeSet::new();
        for (file, source) in FILES.iter().zip(sources(locale)) {
            let resource = FluentResource::try_new(source.to_owned()).unwrap_or_else(|(r, e)| {
                errors.push(format!("{locale}/{file}.ftl: {e:?}"));
                r
            });
            for entry in resource.entries() {
                if let fluent_syntax::ast::Entry::Message(m) = entry {
                    keys.insert(m.id.name.to_owned());
                    for attribute in &m.attributes {
                        keys.insert(format!("{}.{}", m.id.name, attribute.id.name));
                    }
                }
            }
            if let Err(e) = bundle.add_resource(resource) {
                errors.push(format!("{locale}/{file}.ftl: {e:?}"));
            }
        }
        languages.push((locale, Language { bundle, keys }));
    }
    Catalog { languages, errors }
}

fn language(locale: Locale) -> Option<&'static Language> {
    CATALOG
        .languages
        .iter()
        .find(|(l, _)| *l == locale)
        .map(|(_, language)| language)
}

/// Syntax errors of the message files (empty when they are sound).
#[must_use]
pub fn catalog_errors() -> Vec<String> {
    CATALOG.errors.clone()
}

/// Every message id of `locale`, attributes as `id.attribute`.
#[must_use]
pub fn keys(locale: Locale) -> BTreeSet<String> {
    language(locale).map(|l| l.keys.clone()).unwrap_or_default()
}

/// Whether `key` (`id` or `id.attribute`) exists in `locale`.
#[must_use]
pub fn has(locale: Locale, key: &str) -> bool {
    language(locale).is_some_and(|l| l.keys.contains(key))
}

/// A value given to a message: numbers select plurals, text is shown as it is.
#[derive(Debug, Clone, PartialEq)]
pub enum Arg {
    Number(f64),
    Text(String),
}

impl From<&str> for Arg {
    fn from(value: &str) -> Self {
        Self::Text(value.to_owned())
    }
}

impl From<String> for Arg {
    fn from(value: String) -> Self {
        Self::Text(value)
    }
}

impl From<u64> for Arg {
    #[expect(clippy::cast_precision_loss, reason = "counts are far below 2^52")]
    fn from(value: u64) -> Self {
        Self::Number(value as f64)
    }
}

/// The message `key` (`id` or `id.attribute`) of `locale` with `args`.
///
/// # Errors
/// The key when it is unknown in that language, or the message's own errors (a missing
/// argument) — tests and start-up checks turn these into failures.
pub fn try_t(locale: Locale, key: &str, args: &[(&str, Arg)]) -> Result<String, String> {
    let language = language(locale).ok_or_else(|| format!("no language {locale}"))?;
    let (id, attribute) = key
        .split_once('.')
        .map_or((key, None), |(i, a)| (i, Some(a)));
    let message = language
        .bundle
        .get_message(id)
        .ok_or_else(|| format!("unknown message {key} in {locale}"))?;
    let pattern = match attribute {
        Some(attribute) => message.get_attribute(attribute).map(|a| a.value()),
        None => message.value(),
    }
    .ok_or_else(|| format!("unknown message {key} in {locale}"))?;
    let mut fluent_args = FluentArgs::new();
    for (name, value) in args {
        match value {
            Arg::Number(n) => fluent_args.set(*name, FluentValue::from(*n)),
            Arg::Text(s) => fluent_args.set(*name, FluentValue::from(s.clone())),
        }
    }
    let mut errors = Vec::new();
    let text = language
        .bundle
        .format_pattern(pattern, Some(&fluent_args), &mut errors)
        .into_owned();
    if errors.is_empty() {
        Ok(text)
    } else {
        Err(format!("message {key} in {locale}: {errors:?}"))
    }
}

/// The message `key` of `locale`; on an error (a bug the tests catch), the key itself.
#[must_use]
pub fn t(locale: Locale, key: &str, args: &[(&str, Arg)]) -> String {
    // a missing message is a bug the key tests catch; the key beats an empty page
    try_t(locale, key, args).unwrap_or_else(|_| key.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_files_parse() {
        assert_eq!(catalog_errors(), Vec::<String>::new());
    }

    #[test]
    fn every_key_exists_in_every_language() {
        let french = keys(Locale::Fr);
        let english = keys(Locale::En);
        let only_french: Vec<_> = french.difference(&english).collect();
        let only_english: Vec<_> = english.difference(&french).collect();
        assert!(
            only_french.is_empty() && only_english.is_empty(),
            "only in fr: {only_french:?}; only in en: {only_english:?}"
        );
        assert!(french.len() > 50);
    }

    #[test]
    fn plurals_follow_each_language() {
        let rows = |locale, n: u64| t(locale, "rows-rejected", &[("count", n.into())]);
        assert_eq!(rows(Locale::Fr, 0), "0 ligne rejetée");
        assert_eq!(rows(Locale::Fr, 1), "1 ligne rejetée");
        assert_eq!(rows(Locale::Fr, 24), "24 lignes rejetées");
        assert_eq!(rows(Locale::En, 1), "1 row rejected");
        assert_eq!(rows(Locale::En, 24), "24 rows rejected");
    }

    #[test]
    fn an_unknown_key_or_a_missing_argument_is_an_error() {
        assert!(try_t(Locale::Fr, "no-such-message", &[]).is_err());
        assert!(try_t(Locale::Fr, "rows-rejected", &[]).is_err());
        assert_eq!(t(Locale::En, "no-such-message", &[]), "no-such-message");
    }
}
