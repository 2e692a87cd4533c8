//! How a backup's object key is spelled: the prefix, `tisseco-`, the UTC time it was taken,
//! then `.pgdump` (`pg_dump -Fc`) and `.age` when encrypted. Retention reads the time back
//! from the key, so objects that are not named this way are never touched.

use chrono::{DateTime, NaiveDateTime, Utc};

const STEM: &str = "tisseco-";
const TIME_FORMAT: &str = "%Y%m%dT%H%M%SZ";
const DUMP: &str = ".pgdump";
const ENCRYPTED: &str = ".age";

/// The key of a backup taken at `taken_at`.
#[must_use]
pub fn backup_key(prefix: &str, taken_at: DateTime<Utc>, encrypted: bool) -> String {
    let suffix = if encrypted { ENCRYPTED } else { "" };
    format!(
        "{prefix}{STEM}{}{DUMP}{suffix}",
        taken_at.format(TIME_FORMAT)
    )
}

/// When the backup behind `key` was taken; `None` for a key this program did not name.
#[must_use]
pub fn taken_at(prefix: &str, key: &str) -> Option<DateTime<Utc>> {
    let name = key.strip_prefix(prefix)?.strip_prefix(STEM)?;
    let time = name
        .strip_suffix(ENCRYPTED)
        .unwrap_or(name)
        .strip_suffix(DUMP)?;
    NaiveDateTime::parse_from_str(time, TIME_FORMAT)
        .ok()
        .map(|naive| naive.and_utc())
}

/// Whether the backup behind `key` was encrypted with age.
#[must_use]
pub fn is_encrypted(key: &str) -> bool {
    key.ends_with(ENCRYPTED)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn a_key_gives_back_its_time_and_whether_it_is_encrypted() {
        let at = Utc.with_ymd_and_hms(2026, 12, 3, 2, 30, 5).unwrap();
        let key = backup_key("prod/", at, true);
        assert_eq!(key, "prod/tisseco-20261203T023005Z.pgdump.age");
        assert_eq!(taken_at("prod/", &key), Some(at));
        assert!(is_encrypted(&key));
        let plain = backup_key("", at, false);
        assert_eq!(taken_at("", &plain), Some(at));
        assert!(!is_encrypted(&plain));
    }

    #[test]
    fn keys_named_otherwise_are_not_backups() {
        for key in [
            "prod/notes.txt",
            "prod/tisseco-yesterday.pgdump",
            "other/tisseco-20261203T023005Z.pgdump",
            "prod/tisseco-20261203T023005Z.sql",
        ] {
            assert_eq!(taken_at("prod/", key), None, "{key}");
        }
    }
}
