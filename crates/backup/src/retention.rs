//! Which backups to keep: the newest of each of the last `daily` days that have one, and
//! the newest of each of the last `weekly` ISO weeks that have one (a copy can count for
//! both). Days and weeks are UTC. Everything else is deleted after a successful backup.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use std::collections::BTreeSet;

/// How many copies to keep.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention {
    /// Days (at least 1: the backup just taken is never deleted).
    pub daily: u32,
    pub weekly: u32,
}

/// The keys to delete among `backups` (key, time taken), under `retention`.
#[must_use]
pub fn to_delete(backups: &[(String, DateTime<Utc>)], retention: Retention) -> Vec<String> {
    let mut newest_first: Vec<&(String, DateTime<Utc>)> = backups.iter().collect();
    newest_first.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| b.0.cmp(&a.0)));
    let mut days: BTreeSet<NaiveDate> = BTreeSet::new();
    let mut weeks: BTreeSet<(i32, u32)> = BTreeSet::new();
    let mut doomed = Vec::new();
    for (key, at) in newest_first {
        let day = at.date_naive();
        let week = (at.iso_week().year(), at.iso_week().week());
        let keep_day = !days.contains(&day) && days.len() < retention.daily.max(1) as usize;
        let keep_week = !weeks.contains(&week) && weeks.len() < retention.weekly as usize;
        if keep_day {
            days.insert(day);
        }
        if keep_week {
            weeks.insert(week);
        }
        if !keep_day && !keep_week {
            doomed.push(key.clone());
        }
    }
    doomed
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};

    /// Two backups a day (02:00 and 14:00) for `days` days ending on Thursday 3 Dec 2026.
    fn twice_daily(days: i64) -> Vec<(String, DateTime<Utc>)> {
        let last = Utc.with_ymd_and_hms(2026, 12, 3, 14, 0, 0).unwrap();
        (0..days * 2)
            .map(|i| {
                let at = last - Duration::hours(12 * i);
                (at.format("%Y-%m-%dT%H").to_string(), at)
            })
            .collect()
    }

    fn kept(backups: &[(String, DateTime<Utc>)], retention: Retention) -> Vec<String> {
        let doomed = to_delete(backups, retention);
        let mut kept: Vec<String> = backups
            .iter()
            .map(|(key, _)| key.clone())
            .filter(|key| !doomed.contains(key))
            .collect();
        kept.sort();
        kept
    }

    #[test]
    fn keeps_the_newest_of_each_recent_day_and_week() {
        let backups = twice_daily(40);
        let kept = kept(
            &backups,
            Retention {
                daily: 3,
                weekly: 3,
            },
        );
        assert_eq!(
            kept,
            [
                // newest of the weeks before: Sunday 22 and Sunday 29 November, 14:00
                "2026-11-22T14",
                "2026-11-29T14",
                // the last three days (Thursday 3 Dec is also its week's newest)
                "2026-12-01T14",
                "2026-12-02T14",
                "2026-12-03T14",
            ]
        );
    }

    #[test]
    fn the_newest_backup_is_always_kept() {
        let backups = twice_daily(3);
        let kept = kept(
            &backups,
            Retention {
                daily: 0,
                weekly: 0,
            },
        );
        assert_eq!(kept, ["2026-12-03T14"]);
    }

    #[test]
    fn nothing_is_deleted_while_there_are_fewer_copies_than_kept() {
        let backups = twice_daily(2);
        let doomed = to_delete(
            &backups,
            Retention {
                daily: 7,
                weekly: 4,
            },
        );
        // the two 02:00 copies are not the newest of their day
        assert_eq!(doomed, ["2026-12-03T02", "2026-12-02T02"]);
    }
}
