//! Languages: the Fluent message files of every language (`locales/<lang>/*.ftl`, compiled
//! into the binary), the translation call, the platform's default language and how dates
//! and numbers are written in each language. Everything a person reads comes from here.

mod catalog;
mod format;
mod jinja;
mod reasons;

pub use catalog::{Arg, catalog_errors, has, keys, t, try_t};
pub use format::{date, date_time, decimal};
pub use jinja::{add_to, keys_used};
pub use reasons::{column, import_failure, reason};
pub use tisseco_domain::Locale;

use std::sync::OnceLock;

static DEFAULT: OnceLock<Locale> = OnceLock::new();

/// Sets the language used when a reader's is unknown (`DEFAULT_LOCALE`); the first call wins.
pub fn set_default(locale: Locale) {
    let _ = DEFAULT.set(locale);
}

/// The language used when a reader's is unknown: `DEFAULT_LOCALE`, French unless set.
#[must_use]
pub fn default_locale() -> Locale {
    DEFAULT.get().copied().unwrap_or_default()
}
