//! Tours: planning (stops given or selected, reordered, assigned, planned), a suggested
//! visiting order, and the driver's work stop by stop.

mod day_plan;
mod driver;
mod notify;
mod planning;

use crate::Registry;
use crate::ports::{Clock, Entity, RepoError, Repository};
use async_trait::async_trait;
use chrono::NaiveDate;
use std::sync::Arc;
use tisseco_domain::{
    AreaId, ContainerId, ContainerType, GeoPoint, PublicCode, SiteId, StopCandidate, Tour, TourId,
    TourState, UserId, Version,
};

pub use driver::IdempotencyKey;
pub use notify::{TOUR_PLANNED, TourPlannedHandler};
pub use planning::{OrderProblem, StopSelection, Suggestion};

// Planning a whole day for the fleet.
pub use day_plan::{
    DayPlan, DayRequest, DraftStop, DraftTour, FleetVehicle, LeftOut, OpeningHours, PreparedDay,
    SolvedDay,
};

/// Filters for listing tours; all given ones must hold.
#[derive(Debug, Clone, Default)]
pub struct TourFilter {
    pub date: Option<NaiveDate>,
    pub site_id: Option<SiteId>,
    pub driver_id: Option<UserId>,
    pub state: Option<TourState>,
}

impl Entity for Tour {
    type Id = TourId;
    type Filter = TourFilter;
    const KIND: &'static str = "tour";

    fn id(&self) -> TourId {
        self.id
    }

    fn version(&self) -> Version {
        self.version
    }

    fn unique_keys(&self) -> Vec<(&'static str, String)> {
        Vec::new()
    }

    fn matches(&self, f: &TourFilter) -> bool {
        f.date.is_none_or(|d| d == self.date)
            && f.site_id.is_none_or(|s| s == self.site_id)
            && f.driver_id.is_none_or(|d| Some(d) == self.driver_id)
            && f.state.is_none_or(|s| s == self.state)
    }
}

/// What a tour shows of a container, and what it checks before adding it.
#[derive(Debug, Clone)]
pub struct ContainerSummary {
    pub candidate: StopCandidate,
    pub public_code: PublicCode,
    pub address: Option<String>,
    pub kind: ContainerType,
    pub location: GeoPoint,
}

/// A container's stop in one tour, for its history.
#[derive(Debug, Clone, PartialEq)]
pub struct StopRecord {
    pub tour_id: TourId,
    pub date: NaiveDate,
    pub driver_id: Option<UserId>,
    pub outcome: tisseco_domain::StopOutcome,
}

/// Reads tours need beyond the tour itself.
#[async_trait]
pub trait TourLookups: Send + Sync {
    /// The containers with these ids (unknown ids are simply absent), in no given order.
    ///
    /// # Errors
    /// `Unavailable` or `Unexpected` from the store.
    async fn containers(&self, ids: &[ContainerId]) -> Result<Vec<ContainerSummary>, RepoError>;

    /// Live, not removed containers of a site, of one area if given, whose last recorded
    /// fill level is at least `min_fill_level` if given, in id order.
    ///
    /// # Errors
    /// `Unavailable` or `Unexpected` from the store.
    async fn select(
        &self,
        site: SiteId,
        area: Option<AreaId>,
        min_fill_level: Option<u8>,
    ) -> Result<Vec<ContainerId>, RepoError>;

    /// Every tour stop of the container that has an outcome, newest tour first.
    ///
    /// # Errors
    /// `Unavailable` or `Unexpected` from the store.
    async fn stop_history(&self, container: ContainerId) -> Result<Vec<StopRecord>, RepoError>;

    /// The container with this public code, if any.
    ///
    /// # Errors
    /// `Unavailable` or `Unexpected` from the store.
    async fn by_code(&self, code: &PublicCode) -> Result<Option<ContainerId>, RepoError>;

    /// Records `key` in `scope` for the request `fingerprint` names; says whether it is
    /// new, a retry of that request, or a reuse for another one. Keys older than
    /// [`KEY_LIFETIME`] are forgotten.
    ///
    /// # Errors
    /// `Unavailable` or `Unexpected` from the store.
    async fn claim_key(
        &self,
        scope: &str,
        key: &str,
        fingerprint: &str,
    ) -> Result<KeyClaim, RepoError>;

    /// Forgets a key whose request failed, so that a retry can run.
    ///
    /// # Errors
    /// `Unavailable` or `Unexpected` from the store.
    async fn release_key(&self, scope: &str, key: &str) -> Result<(), RepoError>;
}

/// How long an idempotency key is remembered: far longer than a phone keeps retrying.
pub const KEY_LIFETIME: std::time::Duration = std::time::Duration::from_secs(7 * 24 * 3600);

/// What claiming an idempotency key found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyClaim {
    /// First use: go on.
    New,
    /// The same request again: answer as it stands, change nothing.
    Replay,
    /// The key was first sent with another request.
    Mismatch,
}

/// The tour use cases.
#[derive(Clone)]
pub struct Tours {
    pub(crate) tours: Arc<dyn Repository<Tour>>,
    pub(crate) lookups: Arc<dyn TourLookups>,
    pub(crate) registry: Registry,
    pub(crate) clock: Arc<dyn Clock>,
    /// Writes a visit and its container's new status together.
    pub(crate) uow: Arc<dyn crate::unit_of_work::UnitOfWork>,
    /// Most stops a tour holds (the optimiser's work grows with its square).
    pub(crate) max_stops: usize,
    /// Predicted fill, for selecting the containers due (`due_by`).
    pub(crate) predictions: Option<crate::stats::Predictions>,
}

/// Stops a tour may hold unless configured otherwise: far more than a day's round.
pub const DEFAULT_MAX_STOPS: usize = 300;

impl std::fmt::Debug for Tours {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Tours")
    }
}

impl Tours {
    #[must_use]
    pub fn new(
        tours: Arc<dyn Repository<Tour>>,
        lookups: Arc<dyn TourLookups>,
        registry: Registry,
        clock: Arc<dyn Clock>,
        uow: Arc<dyn crate::unit_of_work::UnitOfWork>,
    ) -> Self {
        Self {
            tours,
            lookups,
            registry,
            clock,
            uow,
            max_stops: DEFAULT_MAX_STOPS,
            predictions: None,
        }
    }

    /// The same use cases with another cap on a tour's stops.
    #[must_use]
    pub fn with_max_stops(mut self, max_stops: usize) -> Self {
        self.max_stops = max_stops;
        self
    }

    /// Refuses a tour of more than the configured number of stops.
    pub(crate) fn check_stop_count(&self, count: usize) -> Result<(), crate::AppError> {
        if count > self.max_stops {
            return Err(tisseco_domain::ValidationError::new(
                "container_ids",
                format!(
                    "a tour holds at most {} stops; split the day into several tours",
                    self.max_stops
                ),
            )
            .into());
        }
        Ok(())
    }

    /// Lets planning select the containers predicted due.
    #[must_use]
    pub fn with_predictions(mut self, predictions: crate::stats::Predictions) -> Self {
        self.predictions = Some(predictions);
        self
    }

    /// The visits and skips of a container, newest first.
    ///
    /// # Errors
    /// `NotFound` when there is no such container.
    pub async fn container_visits(
        &self,
        container: ContainerId,
    ) -> Result<Vec<StopRecord>, crate::AppError> {
        self.registry.get_container(container).await?;
        Ok(self.lookups.stop_history(container).await?)
    }

    /// The containers of a tour's stops, by id.
    ///
    /// # Errors
    /// `Unavailable` or `Unexpected` from the store.
    pub async fn stop_containers(
        &self,
        tour: &Tour,
    ) -> Result<Vec<ContainerSummary>, crate::AppError> {
        let ids: Vec<ContainerId> = tour.stops.iter().map(|s| s.container_id).collect();
        Ok(self.lookups.containers(&ids).await?)
    }
}

#[cfg(test)]
mod day_plan_tests;
#[cfg(test)]
mod tests;
