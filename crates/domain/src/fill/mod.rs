//! Predicted fill: each container's fill rate estimated from what drivers saw at its
//! visits, the date it will reach a threshold, and its estimated level now. With little
//! history the rate leans on the area's, then the type's, and says how much it knows.

mod rate;
mod season;

pub use season::WeeklyProfile;

use chrono::{DateTime, Utc};
use serde::Serialize;

/// The default fill level a prediction aims at (%).
pub const DEFAULT_THRESHOLD_PERCENT: u8 = 80;

/// Used when nothing at all is known (no history, no area or type rate): about two weeks
/// to fill, the typical street container.
pub const DEFAULT_RATE_PER_DAY: f64 = 7.0;

/// How far ahead a date is predicted; beyond it the answer is "not within a year".
pub const HORIZON_DAYS: u32 = 366;

/// What a driver saw at one visit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FillObservation {
    pub at: DateTime<Utc>,
    /// The level found (0–100 %), before emptying.
    pub fill_level: u8,
    /// Emptied at this visit: the level is 0 just after.
    pub emptied: bool,
}

/// Where a rate comes from: the container's own visits, or a fallback when it has too few.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RateSource {
    Container,
    Area,
    Type,
    Default,
}

impl RateSource {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Container => "container",
            Self::Area => "area",
            Self::Type => "type",
            Self::Default => "default",
        }
    }
}

/// A rate in percentage points per (effective) day, with the observations behind it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct FillRate {
    pub per_day: f64,
    /// Rate samples (intervals between readings) it rests on.
    pub observations: u32,
}

/// The fallbacks for a container with little history: its area's rate, then its type's.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct RatePriors {
    pub area: Option<FillRate>,
    pub kind: Option<FillRate>,
}

/// The outcome for one container.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct FillPrediction {
    /// The rate used (%/day), after blending own history with the fallback.
    pub rate_per_day: f64,
    /// Where the rate mostly comes from: the container when its own observations
    /// outweigh the fallback, else the fallback used.
    pub source: RateSource,
    /// The container's own rate samples used.
    pub observations: u32,
    /// 0 to 1: the share of the rate that comes from the container's own visits.
    pub confidence: f64,
    /// Estimated level (%) at the time asked, capped at 100.
    pub estimated_fill: f64,
    /// When the threshold is (or was) reached; `None` if not within [`HORIZON_DAYS`].
    pub threshold_at: Option<DateTime<Utc>>,
    /// The last moment the level is known (last visit), and that level: with the rate,
    /// what [`FillModel::level_at`] needs to say the level at any later time.
    pub anchor_at: Option<DateTime<Utc>>,
    pub anchor_level: f64,
}

/// The model's settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FillModel {
    pub profile: WeeklyProfile,
    pub threshold: u8,
    /// Samples this many days old count half: rates drift with seasons and neighbourhoods.
    pub half_life_days: f64,
    /// How many own samples the fallback rate is worth (shrinkage towards it). Small:
    /// containers of one area differ by about 40 % while one interval's reading is off by
    /// about 10 %, so a single own interval already says more than the area (the backtest
    /// agrees: 2.0 gave a 25 % larger error than 0.25).
    pub prior_weight: f64,
}

impl Default for FillModel {
    fn default() -> Self {
        Self {
            profile: WeeklyProfile::default(),
            threshold: DEFAULT_THRESHOLD_PERCENT,
            half_life_days: 120.0,
            prior_weight: 0.25,
        }
    }
}

impl FillModel {
    /// The container's own rate from `history` (any order), or `None` with fewer than one
    /// usable interval. Robust to noisy readings, dumped loads (a weighted median), missed
    /// visits (longer intervals are simply longer samples) and weekdays (effective days).
    #[must_use]
    pub fn own_rate(&self, history: &[FillObservation], now: DateTime<Utc>) -> Option<FillRate> {
        let mut sorted = history.to_vec();
        sorted.sort_by_key(|o| o.at);
        let samples = rate::samples(&sorted, &self.profile, self.half_life_days, now);
        let per_day = rate::robust_rate(&samples)?;
        Some(FillRate {
            per_day,
            observations: u32::try_from(samples.len()).unwrap_or(u32::MAX),
        })
    }

    /// The rate of a group (area, type) from its containers' own rates: their median,
    /// robust to a few odd containers; `None` when none has a rate.
    #[must_use]
    pub fn pooled_rate(rates: &[FillRate]) -> Option<FillRate> {
        let per_day = rate::weighted_median(rates.iter().map(|r| (r.per_day, 1.0)).collect())?;
        Some(FillRate {
            per_day,
            observations: rates.iter().map(|r| r.observations).sum(),
        })
    }

    /// Predicts the container's level at `now` and when it reaches the threshold.
    #[must_use]
    pub fn predict(
        &self,
        history: &[FillObservation],
        priors: RatePriors,
        now: DateTime<Utc>,
    ) -> FillPrediction {
        let mut sorted = history.to_vec();
        sorted.sort_by_key(|o| o.at);
        let own = self.own_rate(&sorted, now);
        let (prior, prior_source) = match (priors.area, priors.kind) {
            (Some(area), _) => (area.per_day, RateSource::Area),
            (None, Some(kind)) => (kind.per_day, RateSource::Type),
            (None, None) => (DEFAULT_RATE_PER_DAY, RateSource::Default),
        };
        let n = own.map_or(0.0, |r| f64::from(r.observations));
        let confidence = n / (n + self.prior_weight);
        let per_day = own.map_or(prior, |r| {
            confidence * r.per_day + (1.0 - confidence) * prior
        });
        let source = if confidence > 0.5 {
            RateSource::Container
        } else {
            prior_source
        };
        let (anchor_at, anchor_level) = self.anchor(&sorted, per_day);
        let threshold = f64::from(self.threshold);
        let threshold_at = match anchor_at {
            Some(at) if anchor_level >= threshold => Some(at),
            Some(at) if per_day > 0.0 => {
                self.profile
                    .advance(at, (threshold - anchor_level) / per_day, HORIZON_DAYS)
            }
            _ => None,
        };
        let estimated_fill = self.level_at(anchor_at, anchor_level, per_day, now);
        FillPrediction {
            rate_per_day: per_day,
            source,
            observations: own.map_or(0, |r| r.observations),
            confidence,
            estimated_fill,
            threshold_at,
            anchor_at,
            anchor_level,
        }
    }

    /// The estimated level (%, capped at 100) at `at`, from a level known at `anchor_at`
    /// and a rate; 0 without an anchor.
    #[must_use]
    pub fn level_at(
        &self,
        anchor_at: Option<DateTime<Utc>>,
        anchor_level: f64,
        per_day: f64,
        at: DateTime<Utc>,
    ) -> f64 {
        anchor_at.map_or(0.0, |from| {
            (anchor_level + per_day * self.profile.effective_days(from, at)).clamp(0.0, 100.0)
        })
    }

    /// The last point the level is known at: 0 after an emptying; otherwise the last
    /// reading, averaged with what the rate says since the previous emptying, which halves
    /// the reading error.
    fn anchor(&self, sorted: &[FillObservation], per_day: f64) -> (Option<DateTime<Utc>>, f64) {
        let Some(last) = sorted.last() else {
            return (None, 0.0);
        };
        if last.emptied {
            return (Some(last.at), 0.0);
        }
        let read = f64::from(last.fill_level);
        if last.fill_level >= 100 {
            // Found overflowing: it is full whatever the rate says.
            return (Some(last.at), read);
        }
        let emptied = sorted.iter().rev().find(|o| o.emptied);
        let level = emptied.map_or(read, |e| {
            let modelled = per_day * self.profile.effective_days(e.at, last.at);
            (read + modelled.min(100.0)) / 2.0
        });
        (Some(last.at), level)
    }
}

#[cfg(test)]
mod tests;
