//! Weekly seasonality: how much of a week's deposits fall on each weekday, and the
//! "effective days" between two instants that a fill rate is measured in.

use chrono::{DateTime, Datelike, Duration, Utc};

const SECONDS_PER_DAY: f64 = 86_400.0;

/// Relative deposit weight of each weekday, Monday first, scaled so the mean is 1: a rate
/// in %/day is then a week's average, and a Saturday counts `weights[5]` days of it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WeeklyProfile {
    weights: [f64; 7],
}

impl Default for WeeklyProfile {
    /// Clothes are dropped more at weekends (people sort wardrobes on Saturday and Sunday):
    /// a flat week with a weekend about 30 % busier, a prior until a site measures its own.
    fn default() -> Self {
        Self::new([0.9, 0.9, 0.9, 0.95, 1.05, 1.2, 1.1])
    }
}

impl WeeklyProfile {
    /// A profile from raw weights (any positive scale); non-finite or non-positive
    /// weights make the profile flat, since a weekday with no deposits at all would stop
    /// time and make every prediction on it infinite.
    #[must_use]
    pub fn new(weights: [f64; 7]) -> Self {
        if weights.iter().any(|w| !w.is_finite() || *w <= 0.0) {
            return Self::flat();
        }
        let mean = weights.iter().sum::<f64>() / 7.0;
        Self {
            weights: weights.map(|w| w / mean),
        }
    }

    /// Every day alike.
    #[must_use]
    pub fn flat() -> Self {
        Self { weights: [1.0; 7] }
    }

    #[must_use]
    pub fn weights(&self) -> [f64; 7] {
        self.weights
    }

    fn weight(&self, at: DateTime<Utc>) -> f64 {
        self.weights[at.weekday().num_days_from_monday() as usize]
    }

    /// Effective days from `from` to `to` (0 when `to` is not later): calendar time, each
    /// part of a day counted at that weekday's weight. Whole weeks are counted at once, so
    /// the cost does not grow with the interval.
    #[must_use]
    pub fn effective_days(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> f64 {
        if to <= from {
            return 0.0;
        }
        let total = (to - from).num_seconds() as f64 / SECONDS_PER_DAY;
        let weeks = (total / 7.0).floor();
        // Weighted seconds summed first and divided once: a flat profile stays exact.
        let mut seconds = 0.0;
        let mut at = from + Duration::days(weeks as i64 * 7);
        while at < to {
            let next_midnight = next_midnight(at);
            let end = next_midnight.min(to);
            seconds += self.weight(at) * (end - at).num_seconds() as f64;
            at = end;
        }
        weeks * 7.0 + seconds / SECONDS_PER_DAY
    }

    /// The instant at which `effective` effective days have passed since `from`, or
    /// `None` past `horizon_days` calendar days (a rate of zero never gets there).
    #[must_use]
    pub fn advance(
        &self,
        from: DateTime<Utc>,
        effective: f64,
        horizon_days: u32,
    ) -> Option<DateTime<Utc>> {
        if !effective.is_finite() || effective < 0.0 {
            return None;
        }
        // Whole weeks first (each is exactly 7 effective days), then day by day.
        let weeks = (effective / 7.0).floor();
        if weeks * 7.0 > f64::from(horizon_days) {
            return None;
        }
        let mut left = effective - weeks * 7.0;
        let mut at = from + Duration::days(weeks as i64 * 7);
        let limit = from + Duration::days(i64::from(horizon_days));
        while at <= limit {
            let next_midnight = next_midnight(at);
            let weight = self.weight(at);
            let span = (next_midnight - at).num_seconds() as f64 / SECONDS_PER_DAY;
            if weight * span >= left {
                let seconds = (left / weight * SECONDS_PER_DAY).round() as i64;
                let reached = at + Duration::seconds(seconds);
                return (reached <= limit).then_some(reached);
            }
            left -= weight * span;
            at = next_midnight;
        }
        None
    }
}

fn next_midnight(at: DateTime<Utc>) -> DateTime<Utc> {
    let day = at.date_naive() + Duration::days(1);
    day.and_hms_opt(0, 0, 0)
        .map_or(at + Duration::days(1), |t| t.and_utc())
}
