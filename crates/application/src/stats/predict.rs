//! Predicted fill kept per container: recomputed by the worker after each visit (from the
//! `tour.visited` event), read by the API (a container's prediction, the containers due).

use crate::AppError;
use crate::events::RecordEventHandler;
use crate::jobs::{Job, JobError, JobHandler};
use crate::ports::{Clock, RepoError};
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;
use std::sync::Arc;
use tisseco_domain::fill::{FillModel, FillObservation, FillPrediction, FillRate, RatePriors};
use tisseco_domain::{AreaId, ContainerId, ContainerType, DomainEvent, SiteId, Stop, StopOutcome};

/// The outbox event of a recorded visit (its payload is the tour).
pub const TOUR_VISITED: &str = DomainEvent::TourVisited.name();

/// A container's readings, with what its fallbacks depend on.
#[derive(Debug, Clone)]
pub struct FillHistory {
    pub area: Option<AreaId>,
    pub kind: ContainerType,
    pub observations: Vec<FillObservation>,
}

/// A prediction as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredPrediction {
    pub container_id: ContainerId,
    /// The container's own rate, the base of its area's and type's rates.
    pub own: Option<FillRate>,
    pub prediction: FillPrediction,
    pub threshold: u8,
    pub computed_at: DateTime<Utc>,
}

/// A container predicted to reach its threshold by a date.
#[derive(Debug, Clone, PartialEq)]
pub struct DueContainer {
    pub stored: StoredPrediction,
    pub public_code: String,
    pub site_id: SiteId,
    pub area_id: Option<AreaId>,
}

#[async_trait]
pub trait PredictionStore: Send + Sync {
    /// The container's visits (oldest first), or `None` when it does not exist.
    ///
    /// # Errors
    /// `Unavailable` or `Unexpected` from the store.
    async fn fill_history(&self, container: ContainerId) -> Result<Option<FillHistory>, RepoError>;

    /// The own rates stored for the containers of `area` and of type `kind`.
    ///
    /// # Errors
    /// `Unavailable` or `Unexpected` from the store.
    async fn peer_rates(
        &self,
        area: Option<AreaId>,
        kind: ContainerType,
    ) -> Result<(Vec<FillRate>, Vec<FillRate>), RepoError>;

    /// Inserts or replaces the container's prediction.
    ///
    /// # Errors
    /// `Unavailable` or `Unexpected` from the store.
    async fn save(&self, prediction: &StoredPrediction) -> Result<(), RepoError>;

    /// # Errors
    /// `Unavailable` or `Unexpected` from the store.
    async fn find(&self, container: ContainerId) -> Result<Option<StoredPrediction>, RepoError>;

    /// Live containers whose threshold date falls before the end of local day `by` (the
    /// site's time zone), soonest first.
    ///
    /// # Errors
    /// `Unavailable` or `Unexpected` from the store.
    async fn due(
        &self,
        by: NaiveDate,
        site: Option<SiteId>,
        area: Option<AreaId>,
    ) -> Result<Vec<DueContainer>, RepoError>;
}

/// Computes, stores and reads predictions.
#[derive(Clone)]
pub struct Predictions {
    store: Arc<dyn PredictionStore>,
    clock: Arc<dyn Clock>,
    model: FillModel,
}

impl std::fmt::Debug for Predictions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Predictions")
    }
}

impl Predictions {
    #[must_use]
    pub fn new(store: Arc<dyn PredictionStore>, clock: Arc<dyn Clock>, model: FillModel) -> Self {
        Self {
            store,
            clock,
            model,
        }
    }

    #[must_use]
    pub fn model(&self) -> &FillModel {
        &self.model
    }

    /// Recomputes a container's prediction from all its visits (idempotent). `None` when
    /// the container does not exist.
    ///
    /// # Errors
    /// `Unavailable` or `Unexpected` from the store.
    pub async fn refresh(
        &self,
        container: ContainerId,
    ) -> Result<Option<StoredPrediction>, AppError> {
        let Some(history) = self.store.fill_history(container).await? else {
            return Ok(None);
        };
        let now = self.clock.now();
        let (area_rates, kind_rates) = self.store.peer_rates(history.area, history.kind).await?;
        let priors = RatePriors {
            area: FillModel::pooled_rate(&area_rates),
            kind: FillModel::pooled_rate(&kind_rates),
        };
        let stored = StoredPrediction {
            container_id: container,
            own: self.model.own_rate(&history.observations, now),
            prediction: self.model.predict(&history.observations, priors, now),
            threshold: self.model.threshold,
            computed_at: now,
        };
        self.store.save(&stored).await?;
        Ok(Some(stored))
    }

    /// The stored prediction, its estimated level brought to now.
    ///
    /// # Errors
    /// `NotFound` when none is stored; `Unavailable` from the store.
    pub async fn get(&self, container: ContainerId) -> Result<StoredPrediction, AppError> {
        let stored = self
            .store
            .find(container)
            .await?
            .ok_or_else(|| AppError::NotFound {
                entity: "prediction",
                id: container.to_string(),
            })?;
        Ok(self.brought_to_now(stored))
    }

    /// # Errors
    /// `Unavailable` from the store.
    pub async fn due(
        &self,
        by: NaiveDate,
        site: Option<SiteId>,
        area: Option<AreaId>,
    ) -> Result<Vec<DueContainer>, AppError> {
        let due = self.store.due(by, site, area).await?;
        Ok(due
            .into_iter()
            .map(|mut d| {
                d.stored = self.brought_to_now(d.stored);
                d
            })
            .collect())
    }

    fn brought_to_now(&self, mut stored: StoredPrediction) -> StoredPrediction {
        let p = &mut stored.prediction;
        p.estimated_fill = self.model.level_at(
            p.anchor_at,
            p.anchor_level,
            p.rate_per_day,
            self.clock.now(),
        );
        stored
    }
}

/// After a visit, recomputes the predictions of the tour's visited containers, then
/// records the event in the journal like every other.
#[derive(Clone)]
pub struct PredictAfterVisit {
    pub predictions: Predictions,
    pub journal: RecordEventHandler,
}

impl std::fmt::Debug for PredictAfterVisit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PredictAfterVisit")
    }
}

/// What a `tour.visited` event carries of the tour: its stops just after the visit.
#[derive(Debug, Deserialize)]
struct VisitedTour {
    stops: Vec<Stop>,
}

/// The container a `tour.visited` event is about: the latest visited stop of the tour as it
/// was just after the visit, however often the job runs.
#[must_use]
pub fn just_visited(stops: &[Stop]) -> Option<ContainerId> {
    stops
        .iter()
        .filter_map(|s| match &s.outcome {
            StopOutcome::Visited(visit) => Some((visit.at, s.container_id)),
            _ => None,
        })
        .max()
        .map(|(_, id)| id)
}

#[async_trait]
impl JobHandler for PredictAfterVisit {
    async fn handle(&self, job: &Job) -> Result<(), JobError> {
        let (_, envelope) = job.event::<VisitedTour>()?;
        let container = just_visited(&envelope.data.stops);
        // Recomputed from every visit in the store: order and repetition of events do not
        // matter.
        if let Some(container) = container {
            self.predictions
                .refresh(container)
                .await
                .map_err(|e| JobError::Retry(e.to_string()))?;
        }
        self.journal.handle(job).await
    }
}

#[cfg(test)]
mod tests {
    use super::VisitedTour;
    use crate::jobs::{Job, JobError};
    use serde_json::json;

    fn container_of(
        payload: serde_json::Value,
    ) -> Result<Option<tisseco_domain::ContainerId>, JobError> {
        let job = Job::new("tour.visited", payload, None);
        let (_, envelope) = job.event::<VisitedTour>()?;
        Ok(super::just_visited(&envelope.data.stops))
    }

    #[test]
    fn the_container_just_visited_is_the_latest_visited_stop() {
        let (a, b) = (uuid::Uuid::now_v7(), uuid::Uuid::now_v7());
        let visited = |id, at: &str| {
            json!({"container_id": id, "outcome": {"outcome": "visited",
            "at": at, "fill_level": 50, "weight_kg": null, "emptied": true, "notes": null, "problem": null}})
        };
        let payload = json!({"event_id": 7, "data": {"stops": [
            visited(a, "2026-11-13T09:57:26.124165975Z"),
            visited(b, "2026-11-13T10:02:00Z"),
            {"container_id": uuid::Uuid::now_v7(), "outcome": {"outcome": "skipped", "reason": "blocked", "note": null, "at": "2026-11-13T11:00:00Z"}},
            {"container_id": uuid::Uuid::now_v7(), "outcome": {"outcome": "pending"}},
        ]}});
        assert_eq!(container_of(payload).unwrap(), Some(b.into()));
        assert_eq!(
            container_of(json!({"event_id": 1, "data": {"stops": []}})).unwrap(),
            None
        );
        assert!(matches!(
            container_of(json!({"event_id": 1, "stops": []})),
            Err(JobError::Permanent(_))
        ));
    }
}
