//! The reporting use cases: check the request, ask the store, page the timeline.

use super::port::{
    CollectionQuery, CollectionRow, DeclarationRow, NeglectedContainer, ReportStats,
    ReportStatsQuery, StatsQueries, TimelineCursor, TimelineEntry, TimelineQuery,
};
use crate::ports::Clock;
use crate::use_cases::{Page, page_size};
use crate::{AppError, Registry};
use chrono::Duration;
use std::sync::Arc;
use tisseco_domain::stats::{DateRange, TimelineKind, neglect_days};
use tisseco_domain::{ContainerId, SiteId};

/// Reporting for managers.
#[derive(Clone)]
pub struct Stats {
    queries: Arc<dyn StatsQueries>,
    registry: Registry,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for Stats {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Stats")
    }
}

impl Stats {
    #[must_use]
    pub fn new(queries: Arc<dyn StatsQueries>, registry: Registry, clock: Arc<dyn Clock>) -> Self {
        Self {
            queries,
            registry,
            clock,
        }
    }

    /// # Errors
    /// `NotFound` for an unknown site or area; `Unavailable` from the store.
    pub async fn collections(
        &self,
        query: &CollectionQuery,
    ) -> Result<Vec<CollectionRow>, AppError> {
        self.check_scope(query.site_id, query.area_id).await?;
        Ok(self.queries.collections(query).await?)
    }

    /// # Errors
    /// As [`Stats::collections`].
    pub async fn reports(&self, query: &ReportStatsQuery) -> Result<ReportStats, AppError> {
        self.check_scope(query.site_id, query.area_id).await?;
        Ok(self.queries.reports(query).await?)
    }

    /// Containers not visited in `days` days (default 30), or visited for nothing.
    ///
    /// # Errors
    /// `Invalid` (field `days`); `NotFound` for an unknown site.
    pub async fn neglected(
        &self,
        days: Option<u32>,
        site: Option<SiteId>,
    ) -> Result<Vec<NeglectedContainer>, AppError> {
        let days = neglect_days(days)?;
        self.check_scope(site, None).await?;
        let since = self.clock.now() - Duration::days(i64::from(days));
        Ok(self.queries.neglected(since, site).await?)
    }

    /// The collection-point declaration of a quarter (`year`, 1–4).
    ///
    /// # Errors
    /// `Invalid` (fields `year`, `quarter`); `NotFound` for an unknown site.
    pub async fn declaration(
        &self,
        year: i32,
        quarter: u32,
        site: Option<SiteId>,
    ) -> Result<Vec<DeclarationRow>, AppError> {
        let range = DateRange::quarter(year, quarter)?;
        self.check_scope(site, None).await?;
        Ok(self.queries.declaration(range, site).await?)
    }

    /// A page of a container's timeline, newest first; `next` continues it.
    ///
    /// # Errors
    /// `NotFound` for an unknown container; `Invalid` (`limit`, `before`).
    pub async fn timeline(
        &self,
        container: ContainerId,
        kinds: Vec<TimelineKind>,
        before: Option<&str>,
        limit: Option<u32>,
    ) -> Result<Page<TimelineEntry, String>, AppError> {
        self.registry.get_container(container).await?;
        let limit = page_size(limit)?;
        let before = before.map(TimelineCursor::decode).transpose()?;
        let query = TimelineQuery {
            container,
            kinds,
            before,
            limit: limit + 1,
        };
        let mut items = self.queries.timeline(&query).await?;
        let next = if items.len() > limit as usize {
            items.truncate(limit as usize);
            items.last().map(|e| e.cursor.encode())
        } else {
            None
        };
        Ok(Page { items, next })
    }

    async fn check_scope(
        &self,
        site: Option<SiteId>,
        area: Option<tisseco_domain::AreaId>,
    ) -> Result<(), AppError> {
        if let Some(site) = site {
            self.registry.get_site(site).await?;
        }
        if let Some(area) = area {
            self.registry.get_area(area).await?;
        }
        Ok(())
    }
}
