//! The daily schedule: when the next backup is due, at a fixed UTC time of day.

use chrono::{DateTime, Duration, NaiveTime, Utc};

/// The first `at` (UTC time of day) strictly after `now`.
#[must_use]
pub fn next_run(now: DateTime<Utc>, at: NaiveTime) -> DateTime<Utc> {
    let today = now.date_naive().and_time(at).and_utc();
    if today > now {
        today
    } else {
        today + Duration::days(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn runs_later_today_or_tomorrow() {
        let at = NaiveTime::from_hms_opt(2, 30, 0).unwrap();
        let before = Utc.with_ymd_and_hms(2026, 12, 3, 1, 0, 0).unwrap();
        let after = Utc.with_ymd_and_hms(2026, 12, 3, 2, 30, 0).unwrap();
        assert_eq!(
            next_run(before, at),
            Utc.with_ymd_and_hms(2026, 12, 3, 2, 30, 0).unwrap()
        );
        assert_eq!(
            next_run(after, at),
            Utc.with_ymd_and_hms(2026, 12, 4, 2, 30, 0).unwrap()
        );
    }
}
