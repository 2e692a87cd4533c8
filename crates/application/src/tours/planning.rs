//! Planning a tour: its stops, order, driver, plan or cancel, and a suggested order.

use super::{TourFilter, Tours};
use crate::AppError;
use crate::ports::AuditContext;
use crate::use_cases::{Page, PageParams, change, get, list_page};
use std::collections::HashMap;
use std::time::{Duration, Instant};
use tisseco_domain::route::{Budget, GreatCircle, RouteShape, optimise_within, route_length_m};
use tisseco_domain::{
    AreaId, ContainerId, NewTour, StopCandidate, Tour, TourId, UserId, ValidationError, Version,
};

/// The search budget of a suggested order: 5,000 kicks (about 70 ms for 200 stops on
/// the benchmark machine, so the same tour gets the same answer) and never more than
/// 100 ms of search on a slower or busier one (BENCHMARKS.md, "Tour optimisation").
const ORDER_ROUNDS: u64 = 5_000;
const ORDER_TIME: Duration = Duration::from_millis(100);
/// A fixed seed: suggesting twice gives the same order.
const ORDER_SEED: u64 = 0x0715_5ec0;

/// Which containers a new tour visits: those listed, then those selected.
#[derive(Debug, Clone, Default)]
pub struct StopSelection {
    pub container_ids: Vec<ContainerId>,
    /// Add every live container of this area.
    pub area_id: Option<AreaId>,
    /// Add the site's (or the area's) containers last found at least this full.
    pub min_fill_level: Option<u8>,
    /// Add the site's containers marked full (by a driver or a public report).
    pub reported_full: bool,
    /// Add the site's (or, with `area_id`, only that area's) containers predicted to
    /// reach their fill threshold by the end of this local day.
    pub due_by: Option<chrono::NaiveDate>,
}

/// A proposed order, and how long the route is before and after it.
#[derive(Debug, Clone, PartialEq)]
pub struct Suggestion {
    pub order: Vec<ContainerId>,
    pub distance_before_m: f64,
    pub distance_after_m: f64,
}

impl Tours {
    async fn candidates(&self, ids: &[ContainerId]) -> Result<Vec<StopCandidate>, AppError> {
        let found: HashMap<ContainerId, StopCandidate> = self
            .lookups
            .containers(ids)
            .await?
            .into_iter()
            .map(|c| (c.candidate.container_id, c.candidate))
            .collect();
        ids.iter()
            .map(|id| {
                found.get(id).copied().ok_or_else(|| {
                    ValidationError::new("container_ids", format!("no container with id {id}"))
                        .into()
                })
            })
            .collect()
    }

    /// Creates a draft tour.
    ///
    /// # Errors
    /// `Invalid` for an unknown container, one of another site, archived or removed, or a
    /// duplicate; `Invalid` (site_id) for an unknown site.
    pub async fn create(
        &self,
        new: NewTour,
        selection: StopSelection,
        audit: &AuditContext,
    ) -> Result<Tour, AppError> {
        self.check_stop_count(selection.container_ids.len())?;
        self.registry.require_live_site(new.site_id).await?;
        let ids = self.selected_ids(new.site_id, selection).await?;
        self.check_stop_count(ids.len())?;
        let candidates = self.candidates(&ids).await?;
        let tour = Tour::create(new, &candidates, self.clock.now())?;
        self.tours.insert(&tour, audit).await?;
        Ok(tour)
    }

    /// The containers listed, then those selected, each once.
    pub(crate) async fn selected_ids(
        &self,
        site: tisseco_domain::SiteId,
        selection: StopSelection,
    ) -> Result<Vec<ContainerId>, AppError> {
        let mut ids = selection.container_ids;
        // With `due_by`, an area narrows the due containers instead of adding all its own.
        let whole_area = selection.area_id.is_some() && selection.due_by.is_none();
        if whole_area || selection.min_fill_level.is_some() {
            let selected = self
                .lookups
                .select(site, selection.area_id, selection.min_fill_level)
                .await?;
            ids.extend(
                selected
                    .into_iter()
                    .filter(|id| !ids.contains(id))
                    .collect::<Vec<_>>(),
            );
        }
        if let Some(by) = selection.due_by {
            let predictions = self.predictions.as_ref().ok_or_else(|| {
                AppError::Unavailable("predicted fill is not configured here".into())
            })?;
            let due = predictions.due(by, Some(site), selection.area_id).await?;
            let due: Vec<ContainerId> = due
                .into_iter()
                .map(|d| d.stored.container_id)
                .filter(|id| !ids.contains(id))
                .collect();
            ids.extend(due);
        }
        if selection.reported_full {
            let full = self.full_containers(site).await?;
            ids.extend(
                full.into_iter()
                    .filter(|id| !ids.contains(id))
                    .collect::<Vec<_>>(),
            );
        }
        Ok(ids)
    }

    async fn full_containers(
        &self,
        site: tisseco_domain::SiteId,
    ) -> Result<Vec<ContainerId>, AppError> {
        let filter = crate::use_cases::ContainerFilter {
            site_id: Some(site),
            status: Some(tisseco_domain::ContainerStatus::Full),
            ..crate::use_cases::ContainerFilter::default()
        };
        let mut ids = Vec::new();
        let mut after = None;
        loop {
            let page = self
                .registry
                .list_containers(
                    &filter,
                    PageParams {
                        after,
                        limit: Some(crate::use_cases::MAX_PAGE_SIZE),
                    },
                )
                .await?;
            ids.extend(page.items.iter().map(|c| c.id));
            match page.next {
                Some(next) => after = Some(next),
                None => return Ok(ids),
            }
        }
    }

    /// # Errors
    /// `NotFound`.
    pub async fn get(&self, id: TourId) -> Result<Tour, AppError> {
        get(self.tours.as_ref(), id).await
    }

    /// # Errors
    /// `Invalid` for a bad page size.
    pub async fn list(
        &self,
        filter: &TourFilter,
        page: PageParams<TourId>,
    ) -> Result<Page<Tour, TourId>, AppError> {
        list_page(self.tours.as_ref(), filter, page).await
    }

    /// # Errors
    /// `NotFound`, `StaleVersion`, `Conflict` once started, `Invalid` for bad containers.
    pub async fn add_stops(
        &self,
        id: TourId,
        expected: Version,
        ids: &[ContainerId],
        audit: &AuditContext,
    ) -> Result<Tour, AppError> {
        self.check_stop_count(ids.len())?;
        let candidates = self.candidates(ids).await?;
        let now = self.clock.now();
        change(
            self.tours.as_ref(),
            id,
            Some(expected),
            "add_stops",
            audit,
            |t| {
                self.check_stop_count(t.stops.len() + candidates.len())?;
                Ok(t.add_stops(&candidates, now)?)
            },
        )
        .await
    }

    /// # Errors
    /// `NotFound`, `StaleVersion`, `Conflict` once started, `Invalid` when not a stop.
    pub async fn remove_stop(
        &self,
        id: TourId,
        expected: Version,
        container: ContainerId,
        audit: &AuditContext,
    ) -> Result<Tour, AppError> {
        let now = self.clock.now();
        change(
            self.tours.as_ref(),
            id,
            Some(expected),
            "remove_stop",
            audit,
            |t| Ok(t.remove_stop(container, now)?),
        )
        .await
    }

    /// # Errors
    /// `NotFound`, `StaleVersion`, `Conflict` once started, `Invalid` for a bad order.
    pub async fn reorder(
        &self,
        id: TourId,
        expected: Version,
        order: &[ContainerId],
        audit: &AuditContext,
    ) -> Result<Tour, AppError> {
        let now = self.clock.now();
        change(
            self.tours.as_ref(),
            id,
            Some(expected),
            "reorder",
            audit,
            |t| Ok(t.reorder(order, now)?),
        )
        .await
    }

    /// # Errors
    /// `NotFound`, `StaleVersion`, `Conflict` once started.
    pub async fn assign(
        &self,
        id: TourId,
        expected: Version,
        driver: Option<UserId>,
        vehicle: Option<String>,
        audit: &AuditContext,
    ) -> Result<Tour, AppError> {
        let now = self.clock.now();
        change(
            self.tours.as_ref(),
            id,
            Some(expected),
            "assign",
            audit,
            |t| Ok(t.assign(driver, vehicle, now)?),
        )
        .await
    }

    /// # Errors
    /// `NotFound`, `StaleVersion`, `Conflict` (not a draft, no driver, no stop).
    pub async fn plan(
        &self,
        id: TourId,
        expected: Option<Version>,
        audit: &AuditContext,
    ) -> Result<Tour, AppError> {
        let now = self.clock.now();
        change(self.tours.as_ref(), id, expected, "plan", audit, |t| {
            Ok(t.plan(now)?)
        })
        .await
    }

    /// # Errors
    /// `NotFound`, `StaleVersion`, `Conflict` once started.
    pub async fn cancel(
        &self,
        id: TourId,
        expected: Option<Version>,
        audit: &AuditContext,
    ) -> Result<Tour, AppError> {
        let now = self.clock.now();
        change(self.tours.as_ref(), id, expected, "cancel", audit, |t| {
            Ok(t.cancel(now)?)
        })
        .await
    }

    /// A shorter order for the tour's stops; the tour itself does not change.
    ///
    /// # Errors
    /// `NotFound`.
    pub async fn suggest_order(
        &self,
        id: TourId,
        round_trip: bool,
    ) -> Result<Suggestion, AppError> {
        Ok(self.prepare_order(id, round_trip).await?.solve())
    }

    /// What [`Self::suggest_order`] reads, ready for the search, which the caller may run
    /// off its request threads ([`OrderProblem::solve`] is CPU work within a time budget).
    ///
    /// # Errors
    /// `NotFound`.
    pub async fn prepare_order(
        &self,
        id: TourId,
        round_trip: bool,
    ) -> Result<OrderProblem, AppError> {
        let tour = self.get(id).await?;
        let locations: HashMap<ContainerId, _> = self
            .stop_containers(&tour)
            .await?
            .into_iter()
            .map(|c| (c.candidate.container_id, c.location))
            .collect();
        let stops: Vec<ContainerId> = tour.stops.iter().map(|s| s.container_id).collect();
        let points: Vec<_> = stops
            .iter()
            .filter_map(|id| locations.get(id).copied())
            .collect();
        if points.len() != stops.len() {
            return Err(AppError::Unexpected(format!(
                "a stop of tour {id} has no container"
            )));
        }
        let shape = RouteShape {
            depot: tour.depot,
            round_trip,
        };
        Ok(OrderProblem {
            stops,
            points,
            shape,
        })
    }
}

/// A tour's stops and where they are: the input of the route search.
#[derive(Debug, Clone)]
pub struct OrderProblem {
    stops: Vec<ContainerId>,
    points: Vec<tisseco_domain::GeoPoint>,
    shape: RouteShape,
}

impl OrderProblem {
    /// The search, within its round and time budget.
    #[must_use]
    pub fn solve(self) -> Suggestion {
        let Self {
            stops,
            points,
            shape,
        } = self;
        let given: Vec<usize> = (0..points.len()).collect();
        let started = Instant::now();
        let budget = Budget {
            max_rounds: ORDER_ROUNDS,
            time: ORDER_TIME,
            clock: &started,
        };
        let order = optimise_within(&points, shape, &GreatCircle, &budget, ORDER_SEED).order;
        Suggestion {
            distance_before_m: route_length_m(&points, &given, shape),
            distance_after_m: route_length_m(&points, &order, shape),
            order: order.into_iter().map(|i| stops[i]).collect(),
        }
    }
}
