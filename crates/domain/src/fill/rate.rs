//! A container's own fill rate from its visits: one rate sample per pair of consecutive
//! readings, combined by a mean winsorised around the median so a wild reading or a
//! one-off load barely moves it, with recent samples counting more.

use super::{FillObservation, WeeklyProfile};
use chrono::{DateTime, Utc};

/// Intervals shorter than this (in effective days) are dropped: a ±10-point reading error
/// over a few hours makes a meaningless rate.
const MIN_INTERVAL_DAYS: f64 = 0.75;

/// One rate measured between two readings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct RateSample {
    /// Percentage points per effective day.
    pub rate: f64,
    pub weight: f64,
    /// Found overflowing: the container filled earlier, so the rate is at least this.
    pub censored: bool,
}

/// The rate samples of a history sorted by time (earlier samples are discounted with
/// `half_life_days`, counted back from `now`).
pub(crate) fn samples(
    history: &[FillObservation],
    profile: &WeeklyProfile,
    half_life_days: f64,
    now: DateTime<Utc>,
) -> Vec<RateSample> {
    history
        .windows(2)
        .filter_map(|pair| {
            let (prev, cur) = (pair[0], pair[1]);
            let days = profile.effective_days(prev.at, cur.at);
            if days < MIN_INTERVAL_DAYS {
                return None;
            }
            // After an emptying the level is known to be 0; otherwise it is itself a noisy
            // reading, so the difference is twice as noisy and counts half.
            let (start, trust) = if prev.emptied {
                (0.0, 1.0)
            } else {
                (f64::from(prev.fill_level), 0.5)
            };
            let level = f64::from(cur.fill_level);
            if !prev.emptied && level < start {
                // The level went down without an emptying: a reading error; the pair
                // says nothing reliable.
                return None;
            }
            let age = (now - cur.at).num_seconds().max(0) as f64 / 86_400.0;
            let recency = 0.5f64.powf(age / half_life_days);
            // A longer interval divides the reading error by more days.
            let length = days.min(21.0);
            Some(RateSample {
                rate: ((level - start) / days).max(0.0),
                weight: trust * recency * length,
                censored: cur.fill_level >= 100,
            })
        })
        .collect()
}

/// The weighted median of `(value, weight)` pairs; `None` when empty or weightless.
pub(crate) fn weighted_median(mut values: Vec<(f64, f64)>) -> Option<f64> {
    values.retain(|(v, w)| v.is_finite() && w.is_finite() && *w > 0.0);
    values.sort_by(|a, b| a.0.total_cmp(&b.0));
    let total: f64 = values.iter().map(|(_, w)| w).sum();
    if total <= 0.0 {
        return None;
    }
    let mut seen = 0.0;
    for (i, (value, weight)) in values.iter().enumerate() {
        seen += weight;
        if seen * 2.0 > total {
            return Some(*value);
        }
        if (seen * 2.0 - total).abs() < 1e-12 {
            // Exactly half the weight on each side: the midpoint.
            return values.get(i + 1).map(|(next, _)| (value + next) / 2.0);
        }
    }
    values.last().map(|(v, _)| *v)
}

/// How far from the median (in robust standard deviations) a sample may stand before it
/// is pulled back: beyond, it is a misreading or a one-off load, not the container's pace.
const CLIP_SIGMAS: f64 = 4.0;

/// The robust rate of `samples`: a weighted mean of the samples winsorised around their
/// weighted median (± [`CLIP_SIGMAS`] median absolute deviations). The median alone would
/// ignore the frequent small extra loads that do fill the container; the mean alone is
/// dragged by one wild reading. An overflow only proves a lower bound: it is raised to
/// the median of the others when below, so it never drags the rate down.
pub(crate) fn robust_rate(samples: &[RateSample]) -> Option<f64> {
    let open: Vec<(f64, f64)> = samples
        .iter()
        .filter(|s| !s.censored)
        .map(|s| (s.rate, s.weight))
        .collect();
    let first = weighted_median(open);
    let values: Vec<(f64, f64)> = samples
        .iter()
        .map(|s| {
            let rate = match (s.censored, first) {
                (true, Some(median)) => s.rate.max(median),
                _ => s.rate,
            };
            (rate, s.weight)
        })
        .collect();
    let median = weighted_median(values.clone())?;
    let deviation = weighted_median(
        values
            .iter()
            .map(|(v, w)| ((v - median).abs(), *w))
            .collect(),
    )
    .unwrap_or(0.0);
    // 1.4826 MAD estimates a standard deviation; a floor keeps near-identical samples from
    // clipping everything to one value.
    let spread = (CLIP_SIGMAS * 1.4826 * deviation).max(0.05 * median);
    let (low, high) = (median - spread, median + spread);
    let total: f64 = values.iter().map(|(_, w)| w).sum();
    let sum: f64 = values.iter().map(|(v, w)| v.clamp(low, high) * w).sum();
    (total > 0.0).then(|| sum / total)
}
