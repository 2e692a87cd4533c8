//! Dates and numbers as each language writes them: `3 déc. 2026` / `3 Dec 2026`, `45,75` /
//! `45.75`. Month names come from the message files like every other word.

use crate::catalog::t;
use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc};
use tisseco_domain::Locale;

/// A day, with the month abbreviated: `3 déc. 2026`, `3 Dec 2026`.
#[must_use]
pub fn date(locale: Locale, day: NaiveDate) -> String {
    let month = t(locale, &format!("month-short-{}", day.month()), &[]);
    t(
        locale,
        "date-short",
        &[
            ("day", day.day().to_string().into()),
            ("month", month.into()),
            ("year", day.year().to_string().into()),
        ],
    )
}

/// A moment in UTC: `3 déc. 2026 à 14:05 UTC`, `3 Dec 2026, 14:05 UTC`.
#[must_use]
pub fn date_time(locale: Locale, at: DateTime<Utc>) -> String {
    t(
        locale,
        "date-time",
        &[
            ("date", date(locale, at.date_naive()).into()),
            (
                "time",
                format!("{:02}:{:02}", at.hour(), at.minute()).into(),
            ),
        ],
    )
}

/// A decimal number with at most `digits` decimals, trailing zeros dropped, with the
/// language's decimal separator: `45,75`, `1.2`.
#[must_use]
pub fn decimal(locale: Locale, value: f64, digits: usize) -> String {
    let mut text = format!("{value:.digits$}");
    if text.contains('.') {
        text = text.trim_end_matches('0').trim_end_matches('.').to_owned();
    }
    match locale {
        Locale::Fr => text.replace('.', ","),
        Locale::En => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_numbers_follow_the_language() {
        let day = NaiveDate::from_ymd_opt(2026, 12, 3).unwrap();
        assert_eq!(date(Locale::Fr, day), "3 déc. 2026");
        assert_eq!(date(Locale::En, day), "3 Dec 2026");
        let at = day.and_hms_opt(14, 5, 0).unwrap().and_utc();
        assert_eq!(date_time(Locale::Fr, at), "3 déc. 2026 à 14:05 UTC");
        assert_eq!(date_time(Locale::En, at), "3 Dec 2026, 14:05 UTC");
        assert_eq!(decimal(Locale::Fr, 45.75, 5), "45,75");
        assert_eq!(decimal(Locale::En, 45.75, 5), "45.75");
        assert_eq!(decimal(Locale::Fr, 2.0, 1), "2");
    }
}
