//! The templates' side: a `t("key", name=value…)` function for minijinja that reads the
//! page's `locale`, and the scan of a template's keys that the tests check.

use crate::catalog::{Arg, try_t};
use minijinja::value::{Kwargs, Value, ValueKind};
use minijinja::{Environment, Error, ErrorKind, State};
use tisseco_domain::Locale;

fn locale_of(state: &State) -> Locale {
    state
        .lookup("locale")
        .and_then(|v| v.as_str().and_then(Locale::from_tag))
        .unwrap_or_else(crate::default_locale)
}

fn arg(value: &Value) -> Arg {
    match value.kind() {
        ValueKind::Number => value
            .as_i64()
            .map_or_else(|| Arg::Text(value.to_string()), |n| Arg::Number(n as f64)),
        ValueKind::None | ValueKind::Undefined => Arg::Text(String::new()),
        _ => Arg::Text(value.to_string()),
    }
}

#[expect(
    clippy::needless_pass_by_value,
    reason = "minijinja's function signature"
)]
fn translate(state: &State, key: String, kwargs: Kwargs) -> Result<String, Error> {
    let mut args = Vec::new();
    for name in kwargs.args() {
        let value: Value = kwargs.get(name)?;
        args.push((name, arg(&value)));
    }
    try_t(locale_of(state), &key, &args).map_err(|e| Error::new(ErrorKind::InvalidOperation, e))
}

/// Adds `t(key, …)` to `env`: an unknown key or a missing argument fails the render.
pub fn add_to(env: &mut Environment<'_>) {
    env.add_function("t", translate);
}

/// The keys a template's source passes to `t("…")`, for the tests that check each exists.
#[must_use]
pub fn keys_used(source: &str) -> Vec<String> {
    let mut keys = Vec::new();
    let mut rest = source;
    while let Some(start) = rest.find("t(\"") {
        let after = &rest[start + 3..];
        let before = rest[..start].chars().last();
        if let Some(end) = after.find('"')
            && !before.is_some_and(|c| c.is_alphanumeric() || c == '_')
        {
            keys.push(after[..end].to_owned());
        }
        rest = after;
    }
    keys
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_translate_and_fail_on_unknown_keys() {
        let mut env = Environment::new();
        add_to(&mut env);
        env.add_template("a", "{{ t(\"rows-rejected\", count=n) }}")
            .unwrap();
        env.add_template("b", "{{ t(\"no-such-key\") }}").unwrap();
        let a = env.get_template("a").unwrap();
        let fr = a
            .render(minijinja::context! { locale => "fr", n => 2 })
            .unwrap();
        assert_eq!(fr, "2 lignes rejetées");
        let en = a
            .render(minijinja::context! { locale => "en", n => 1 })
            .unwrap();
        assert_eq!(en, "1 row rejected");
        assert!(env.get_template("b").unwrap().render(()).is_err());
        assert_eq!(
            keys_used("{{ t(\"x-y\", a=1) }} format(\"no\") {{t(\"z\")}}"),
            vec!["x-y", "z"]
        );
    }
}
