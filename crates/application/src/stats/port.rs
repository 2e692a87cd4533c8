//! What reporting reads from the store, and the shapes of its answers.

use crate::ports::RepoError;
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use tisseco_domain::stats::{DateRange, GroupBy, Period, TimelineKind};
use tisseco_domain::{AreaId, ContainerId, SiteId, SkipReason, UserId};

/// Collection figures per group and period.
#[derive(Debug, Clone, Copy)]
pub struct CollectionQuery {
    pub group_by: GroupBy,
    pub period: Period,
    pub range: DateRange,
    pub site_id: Option<SiteId>,
    pub area_id: Option<AreaId>,
}

/// One group in one period.
#[derive(Debug, Clone, PartialEq)]
pub struct CollectionRow {
    /// First local day of the period.
    pub period_start: NaiveDate,
    /// The group's id (a site, area, container or driver id, or the type's name); `None`
    /// for visits without one (no area, no driver).
    pub group_id: Option<String>,
    /// A readable name: site or area code, container public code, driver name, type.
    pub group_label: Option<String>,
    pub visits: i64,
    pub skips: i64,
    /// Skips per reason, in [`SkipReason::ALL`] order.
    pub skips_by_reason: Vec<(SkipReason, i64)>,
    pub kilograms: f64,
    /// Emptyings (a container emptied twice in the period counts twice).
    pub emptied: i64,
    pub average_fill: Option<f64>,
    /// Visits that found a container overflowing (100 %).
    pub found_overflowing: i64,
}

#[derive(Debug, Clone, Copy)]
pub struct ReportStatsQuery {
    pub period: Period,
    pub range: DateRange,
    pub site_id: Option<SiteId>,
    pub area_id: Option<AreaId>,
}

/// Reports opened in one period with one category and current status.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportCount {
    pub period_start: NaiveDate,
    pub category: String,
    pub status: String,
    pub reports: i64,
}

/// Delays in hours, over the reports of the range that reached that step.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct ReportDelays {
    pub acknowledged: i64,
    pub acknowledge_median_hours: Option<f64>,
    pub acknowledge_p90_hours: Option<f64>,
    pub resolved: i64,
    pub resolve_median_hours: Option<f64>,
    pub resolve_p90_hours: Option<f64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TopReported {
    pub container_id: ContainerId,
    pub public_code: String,
    pub reports: i64,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct ReportStats {
    pub counts: Vec<ReportCount>,
    pub delays: ReportDelays,
    pub top_containers: Vec<TopReported>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NeglectReason {
    /// Not visited in the last N days (or never).
    NotVisited,
    /// Visited at least three times in N days and found under 25 % on average.
    NearlyEmpty,
}

impl NeglectReason {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NotVisited => "not_visited",
            Self::NearlyEmpty => "nearly_empty",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct NeglectedContainer {
    pub container_id: ContainerId,
    pub public_code: String,
    pub site_code: String,
    pub area_code: Option<String>,
    pub address: Option<String>,
    pub reason: NeglectReason,
    pub last_visit_at: Option<DateTime<Utc>>,
    pub visits: i64,
    pub average_fill: Option<f64>,
}

/// One container in the quarterly collection-point declaration.
#[derive(Debug, Clone, PartialEq)]
pub struct DeclarationRow {
    pub public_code: String,
    pub external_ref: Option<String>,
    pub address: Option<String>,
    pub latitude: f64,
    pub longitude: f64,
    pub kind: String,
    pub installed_on: Option<NaiveDate>,
    pub status: String,
    pub kilograms: f64,
}

/// Where a timeline page starts: entries strictly older than this one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimelineCursor {
    pub at: DateTime<Utc>,
    /// Orders entries of one instant: the entry kind's source, then its key.
    pub source: i16,
    pub key: String,
}

impl TimelineCursor {
    /// `micros.source.key`, opaque to clients.
    #[must_use]
    pub fn encode(&self) -> String {
        format!(
            "{}.{}.{}",
            self.at.timestamp_micros(),
            self.source,
            self.key
        )
    }

    /// # Errors
    /// A string [`TimelineCursor::encode`] did not make (field `before`).
    pub fn decode(text: &str) -> Result<Self, tisseco_domain::ValidationError> {
        let bad = || tisseco_domain::ValidationError::new("before", "not a timeline cursor");
        let mut parts = text.splitn(3, '.');
        let micros: i64 = parts.next().and_then(|p| p.parse().ok()).ok_or_else(bad)?;
        let source: i16 = parts.next().and_then(|p| p.parse().ok()).ok_or_else(bad)?;
        let key = parts.next().filter(|k| !k.is_empty()).ok_or_else(bad)?;
        Ok(Self {
            at: DateTime::from_timestamp_micros(micros).ok_or_else(bad)?,
            source,
            key: key.to_owned(),
        })
    }
}

#[derive(Debug, Clone)]
pub struct TimelineQuery {
    pub container: ContainerId,
    /// Only these kinds; all when empty.
    pub kinds: Vec<TimelineKind>,
    pub before: Option<TimelineCursor>,
    pub limit: u32,
}

/// One thing that happened to a container.
#[derive(Debug, Clone, PartialEq)]
pub struct TimelineEntry {
    pub kind: TimelineKind,
    pub occurred_at: DateTime<Utc>,
    pub cursor: TimelineCursor,
    /// Who did it (a user), when known.
    pub actor_id: Option<UserId>,
    /// The action recorded (`update`, `visited`, `acknowledged`…).
    pub action: String,
    /// What the entry carries: before/after, fill and weight, the report…
    pub details: serde_json::Value,
}

/// Reporting reads.
#[async_trait]
pub trait StatsQueries: Send + Sync {
    /// Collection figures, groups and periods with at least one visit or skip, ordered by
    /// period then group.
    ///
    /// # Errors
    /// `Unavailable` or `Unexpected` from the store.
    async fn collections(&self, query: &CollectionQuery) -> Result<Vec<CollectionRow>, RepoError>;

    /// # Errors
    /// `Unavailable` or `Unexpected` from the store.
    async fn reports(&self, query: &ReportStatsQuery) -> Result<ReportStats, RepoError>;

    /// Live containers not visited since `since`, and those visited often while nearly empty.
    ///
    /// # Errors
    /// `Unavailable` or `Unexpected` from the store.
    async fn neglected(
        &self,
        since: DateTime<Utc>,
        site: Option<SiteId>,
    ) -> Result<Vec<NeglectedContainer>, RepoError>;

    /// Every container not removed before the range, with its kilograms in the range.
    ///
    /// # Errors
    /// `Unavailable` or `Unexpected` from the store.
    async fn declaration(
        &self,
        range: DateRange,
        site: Option<SiteId>,
    ) -> Result<Vec<DeclarationRow>, RepoError>;

    /// A page of a container's timeline, newest first.
    ///
    /// # Errors
    /// `Unavailable` or `Unexpected` from the store.
    async fn timeline(&self, query: &TimelineQuery) -> Result<Vec<TimelineEntry>, RepoError>;
}

#[cfg(test)]
mod tests {
    use super::TimelineCursor;

    #[test]
    fn a_timeline_cursor_survives_its_text_form() {
        let cursor = TimelineCursor {
            at: chrono::DateTime::from_timestamp_micros(1_764_582_455_123_456).unwrap(),
            source: 2,
            key: "01a2:00000000000000000042".into(),
        };
        assert_eq!(TimelineCursor::decode(&cursor.encode()).unwrap(), cursor);
        for bad in ["", "12", "12.x.k", "12.1.", "x.1.k"] {
            assert_eq!(
                TimelineCursor::decode(bad).unwrap_err().field,
                "before",
                "{bad}"
            );
        }
    }
}
