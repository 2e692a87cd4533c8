//! Reads typed variables from the environment; a bad one is reported by name with what it
//! expects, never with a secret's value.

use std::str::FromStr;

/// A variable that is missing or does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{variable}: {problem}")]
pub struct ConfigError {
    pub variable: String,
    pub problem: String,
}

/// A source of variables: the process environment, or a map in tests.
pub trait Source {
    fn get(&self, name: &str) -> Option<String>;
}

/// The process environment.
#[derive(Debug, Clone, Copy, Default)]
pub struct ProcessEnv;

impl Source for ProcessEnv {
    fn get(&self, name: &str) -> Option<String> {
        std::env::var(name).ok().filter(|v| !v.trim().is_empty())
    }
}

impl Source for Vec<(&str, &str)> {
    fn get(&self, name: &str) -> Option<String> {
        Source::get(self.as_slice(), name)
    }
}

impl<const N: usize> Source for [(&str, &str); N] {
    fn get(&self, name: &str) -> Option<String> {
        Source::get(self.as_slice(), name)
    }
}

impl Source for [(&str, &str)] {
    fn get(&self, name: &str) -> Option<String> {
        self.iter()
            .find(|(key, _)| *key == name)
            .map(|(_, value)| (*value).to_owned())
    }
}

/// A required variable, parsed; `expects` describes a valid value for the error message.
///
/// # Errors
/// When it is missing or does not parse.
pub fn required<T: FromStr>(
    source: &dyn Source,
    name: &str,
    expects: &str,
) -> Result<T, ConfigError> {
    let raw = source.get(name).ok_or_else(|| ConfigError {
        variable: name.into(),
        problem: format!("missing; expected {expects}"),
    })?;
    parse(name, &raw, expects)
}

/// An optional variable, parsed, or `default` when unset.
///
/// # Errors
/// When it is set but does not parse.
pub fn optional<T: FromStr>(
    source: &dyn Source,
    name: &str,
    default: T,
    expects: &str,
) -> Result<T, ConfigError> {
    source
        .get(name)
        .map_or(Ok(default), |raw| parse(name, &raw, expects))
}

fn parse<T: FromStr>(name: &str, raw: &str, expects: &str) -> Result<T, ConfigError> {
    raw.trim().parse().map_err(|_| ConfigError {
        variable: name.into(),
        problem: format!("invalid value; expected {expects}"),
    })
}

/// `AREA_TOLERANCE_METRES` (default 250, at most 100 km): how far outside its area's
/// boundary a container may stand, for the API and imports alike.
///
/// # Errors
/// When it is no number of metres in range.
pub fn area_tolerance(
    source: &dyn Source,
) -> Result<tisseco_domain::placement::AreaTolerance, ConfigError> {
    let name = "AREA_TOLERANCE_METRES";
    let metres = in_range(
        name,
        optional(
            source,
            name,
            tisseco_domain::placement::AreaTolerance::DEFAULT_METRES,
            "a number of metres",
        )?,
        0.0..=100_000.0,
    )?;
    tisseco_domain::placement::AreaTolerance::metres(metres).map_err(|e| ConfigError {
        variable: name.into(),
        problem: e.reason,
    })
}

/// Checks a parsed number lies in `range`.
///
/// # Errors
/// When it does not.
pub fn in_range<T: PartialOrd + std::fmt::Display>(
    name: &str,
    value: T,
    range: std::ops::RangeInclusive<T>,
) -> Result<T, ConfigError> {
    if range.contains(&value) {
        Ok(value)
    } else {
        Err(ConfigError {
            variable: name.into(),
            problem: format!(
                "{value} is out of range; expected {} to {}",
                range.start(),
                range.end()
            ),
        })
    }
}

/// `PUBLIC_BASE_URL`: an http(s) origin, kept without its trailing slash.
pub(crate) fn public_base_url(source: &dyn Source) -> Result<String, ConfigError> {
    let url: String = optional(
        source,
        "PUBLIC_BASE_URL",
        "http://127.0.0.1:8080".to_owned(),
        "an http(s) URL",
    )?;
    let url = url.trim().trim_end_matches('/').to_owned();
    if (url.starts_with("https://") || url.starts_with("http://"))
        && !url.contains(char::is_whitespace)
    {
        Ok(url)
    } else {
        Err(ConfigError {
            variable: "PUBLIC_BASE_URL".into(),
            problem: "must be an http:// or https:// URL".into(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_required_variable_is_named() {
        let err = required::<u16>(&[], "PORT", "a port number").unwrap_err();
        assert_eq!(err.to_string(), "PORT: missing; expected a port number");
    }

    #[test]
    fn a_bad_value_is_named_without_echoing_it() {
        let err =
            optional::<u16>(&[("PORT", "secret-ish")], "PORT", 80, "a port number").unwrap_err();
        assert_eq!(
            err.to_string(),
            "PORT: invalid value; expected a port number"
        );
    }

    #[test]
    fn defaults_apply_when_unset() {
        assert_eq!(optional::<u16>(&[], "PORT", 80, "a port"), Ok(80));
        assert_eq!(
            optional::<u16>(&[("PORT", " 81 ")], "PORT", 80, "a port"),
            Ok(81)
        );
    }

    #[test]
    fn ranges_are_checked() {
        assert!(in_range("N", 0, 1..=10).is_err());
        assert_eq!(in_range("N", 5, 1..=10), Ok(5));
    }
}
