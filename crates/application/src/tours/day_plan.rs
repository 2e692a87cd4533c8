//! Planning a day for the fleet: which containers, where they are and how much they
//! hold (`prepare_day`, reads), the search itself (`PreparedDay::solve`, pure CPU work
//! the caller runs off its request threads), then the answer, saved as draft tours
//! when the manager accepts it (`finish_day`).

use super::Tours;
use crate::AppError;
use crate::ports::AuditContext;
use crate::use_cases::{ContainerFilter, MAX_PAGE_SIZE, PageParams};
use chrono::NaiveDate;
use std::collections::HashMap;
use std::time::{Duration, Instant};
use tisseco_domain::plan::{Plan, Problem, Reason, Vehicle, Visit, plan_day};
use tisseco_domain::route::{Budget, DistanceProvider, GreatCircle};
use tisseco_domain::{
    Container, ContainerId, ContainerStatus, GeoPoint, NewTour, PublicCode, SiteId, StopCandidate,
    Tour, TourId, UserId, ValidationError,
};

use super::StopSelection;

/// The most containers one day plan takes: its distance matrix and neighbour lists
/// grow with the square (2,000 is about 64 MB), and a day is far shorter anyway.
pub const MAX_DAY_CONTAINERS: usize = 2_000;
/// The most vehicles one day plan takes.
pub const MAX_DAY_VEHICLES: usize = 100;

/// A truck available that day.
#[derive(Debug, Clone)]
pub struct FleetVehicle {
    pub vehicle: Option<String>,
    pub driver_id: Option<UserId>,
    pub capacity_litres: f64,
    pub shift_minutes: f64,
}

/// When a container may be visited, in minutes from the start of the shift.
#[derive(Debug, Clone, Copy)]
pub struct OpeningHours {
    pub container_id: ContainerId,
    pub opens_minute: f64,
    pub closes_minute: f64,
}

/// What a manager asks for.
#[derive(Debug, Clone)]
pub struct DayRequest {
    pub site_id: SiteId,
    pub date: NaiveDate,
    pub depot: GeoPoint,
    pub vehicles: Vec<FleetVehicle>,
    pub selection: StopSelection,
    pub speed_kmh: f64,
    pub service_minutes: f64,
    /// The load of a container whose capacity is unknown.
    pub default_load_litres: f64,
    pub opening_hours: Vec<OpeningHours>,
    /// Weight of the longest day against the total distance (0: distance alone).
    pub balance: f64,
    pub budget: Duration,
}

/// A request checked and turned into a problem, ready to solve.
#[derive(Debug)]
pub struct PreparedDay {
    request: DayRequest,
    containers: Vec<Container>,
    problem: Problem,
}

/// A problem and the plan found for it.
#[derive(Debug)]
pub struct SolvedDay {
    prepared: PreparedDay,
    plan: Plan,
}

/// One stop of a draft tour.
#[derive(Debug, Clone)]
pub struct DraftStop {
    pub container_id: ContainerId,
    pub public_code: PublicCode,
    pub location: GeoPoint,
    pub load_litres: f64,
}

/// One vehicle's day: stops in order, load, distance and duration; saved as `tour_id`
/// once accepted.
#[derive(Debug, Clone)]
pub struct DraftTour {
    pub vehicle: Option<String>,
    pub driver_id: Option<UserId>,
    pub stops: Vec<DraftStop>,
    pub load_litres: f64,
    pub capacity_litres: f64,
    pub distance_m: f64,
    pub duration_minutes: f64,
    pub tour_id: Option<TourId>,
}

/// A container that is in no draft, and why.
#[derive(Debug, Clone)]
pub struct LeftOut {
    pub container_id: ContainerId,
    pub public_code: PublicCode,
    pub reason: Reason,
}

/// The answer to a day plan.
#[derive(Debug, Clone)]
pub struct DayPlan {
    pub drafts: Vec<DraftTour>,
    pub left_out: Vec<LeftOut>,
    pub accepted: bool,
}

impl PreparedDay {
    /// Searches the plan within the request's budget (CPU-bound: run it off the
    /// request threads).
    #[must_use]
    pub fn solve(self) -> SolvedDay {
        let started = Instant::now();
        let budget = Budget {
            max_rounds: u64::MAX,
            time: self.request.budget,
            clock: &started,
        };
        let plan = plan_day(&self.problem, &budget, 0x0d41_7a11);
        SolvedDay {
            prepared: self,
            plan,
        }
    }
}

impl Tours {
    /// Reads and checks what a day plan needs.
    ///
    /// # Errors
    /// `Invalid` naming the field: unknown site, a container unknown, of another site,
    /// archived or removed, nothing to plan, opening hours of a container not planned,
    /// no vehicle, a capacity or shift that is not positive, a container heavier than
    /// every vehicle, a shift too short for any stop.
    pub async fn prepare_day(&self, request: DayRequest) -> Result<PreparedDay, AppError> {
        self.registry.require_live_site(request.site_id).await?;
        let ids = self
            .selected_ids(request.site_id, request.selection.clone())
            .await?;
        if ids.is_empty() {
            return Err(ValidationError::new(
                "container_ids",
                "no container to plan: list some or select them",
            )
            .into());
        }
        if ids.len() > MAX_DAY_CONTAINERS {
            return Err(ValidationError::new(
                "container_ids",
                format!(
                    "{} containers selected: at most {MAX_DAY_CONTAINERS} in one day plan",
                    ids.len()
                ),
            )
            .into());
        }
        if request.vehicles.len() > MAX_DAY_VEHICLES {
            return Err(ValidationError::new(
                "vehicles",
                format!("at most {MAX_DAY_VEHICLES} vehicles"),
            )
            .into());
        }
        if let Some(twice) = ids
            .iter()
            .enumerate()
            .find(|(i, id)| ids[..*i].contains(id))
        {
            return Err(ValidationError::new(
                "container_ids",
                format!("container {} is listed twice", twice.1),
            )
            .into());
        }
        let site = self.live_containers(request.site_id).await?;
        let containers = ids
            .iter()
            .map(|id| {
                site.get(id).cloned().ok_or_else(|| {
                    ValidationError::new(
                        "container_ids",
                        format!("no live container {id} in this site"),
                    )
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let windows: HashMap<ContainerId, (f64, f64)> = request
            .opening_hours
            .iter()
            .map(|w| {
                (
                    w.container_id,
                    (w.opens_minute * 60.0, w.closes_minute * 60.0),
                )
            })
            .collect();
        if let Some(i) = request
            .opening_hours
            .iter()
            .position(|w| !ids.contains(&w.container_id))
        {
            return Err(ValidationError::new(
                format!("opening_hours[{i}].container_id"),
                "not one of the containers planned",
            )
            .into());
        }
        let points: Vec<GeoPoint> = std::iter::once(request.depot)
            .chain(containers.iter().map(|c| c.location))
            .collect();
        let visits = containers
            .iter()
            .map(|c| Visit {
                label: c.public_code.to_string(),
                load: c
                    .capacity
                    .map_or(request.default_load_litres, |l| f64::from(l.get())),
                service_s: request.service_minutes * 60.0,
                window: windows.get(&c.id).copied(),
            })
            .collect();
        let vehicles = request
            .vehicles
            .iter()
            .map(|v| Vehicle {
                capacity: v.capacity_litres,
                shift_s: v.shift_minutes * 60.0,
            })
            .collect();
        let problem = Problem::new(
            GreatCircle.matrix(&points),
            visits,
            vehicles,
            request.speed_kmh / 3.6,
        )?
        .with_balance(request.balance)?;
        Ok(PreparedDay {
            request,
            containers,
            problem,
        })
    }

    /// The plan as answered; with `accept`, each draft is saved as a draft tour first.
    ///
    /// # Errors
    /// `Invalid` (e.g. an unknown driver) or `Unavailable` while saving.
    pub async fn finish_day(
        &self,
        solved: SolvedDay,
        accept: bool,
        audit: &AuditContext,
    ) -> Result<DayPlan, AppError> {
        let SolvedDay { prepared, plan } = solved;
        let PreparedDay {
            request,
            containers,
            problem: _,
        } = prepared;
        let mut drafts = Vec::with_capacity(plan.routes.len());
        for route in &plan.routes {
            let fleet = &request.vehicles[route.vehicle];
            let stops: Vec<&Container> = route.visits.iter().map(|&v| &containers[v]).collect();
            let tour_id = if accept {
                let candidates: Vec<StopCandidate> = stops
                    .iter()
                    .map(|c| StopCandidate {
                        container_id: c.id,
                        site_id: c.site_id,
                        archived: c.is_archived(),
                        status: c.status,
                    })
                    .collect();
                let new = NewTour {
                    site_id: request.site_id,
                    date: request.date,
                    driver_id: fleet.driver_id,
                    vehicle: fleet.vehicle.clone(),
                    depot: Some(request.depot),
                    notes: None,
                };
                let tour = Tour::create(new, &candidates, self.clock.now())?;
                self.tours.insert(&tour, audit).await?;
                Some(tour.id)
            } else {
                None
            };
            drafts.push(DraftTour {
                vehicle: fleet.vehicle.clone(),
                driver_id: fleet.driver_id,
                stops: stops
                    .iter()
                    .map(|c| DraftStop {
                        container_id: c.id,
                        public_code: c.public_code.clone(),
                        location: c.location,
                        load_litres: c
                            .capacity
                            .map_or(request.default_load_litres, |l| f64::from(l.get())),
                    })
                    .collect(),
                load_litres: route.load,
                capacity_litres: fleet.capacity_litres,
                distance_m: route.distance,
                duration_minutes: route.duration_s / 60.0,
                tour_id,
            });
        }
        let left_out = plan
            .left_out
            .iter()
            .map(|&(v, reason)| LeftOut {
                container_id: containers[v].id,
                public_code: containers[v].public_code.clone(),
                reason,
            })
            .collect();
        Ok(DayPlan {
            drafts,
            left_out,
            accepted: accept,
        })
    }

    /// The site's live containers that are not removed, by id.
    async fn live_containers(
        &self,
        site: SiteId,
    ) -> Result<HashMap<ContainerId, Container>, AppError> {
        let filter = ContainerFilter {
            site_id: Some(site),
            ..ContainerFilter::default()
        };
        let mut found = HashMap::new();
        let mut after = None;
        loop {
            let page = self
                .registry
                .list_containers(
                    &filter,
                    PageParams {
                        after,
                        limit: Some(MAX_PAGE_SIZE),
                    },
                )
                .await?;
            found.extend(
                page.items
                    .into_iter()
                    .filter(|c| !c.is_archived() && c.status != ContainerStatus::Removed)
                    .map(|c| (c.id, c)),
            );
            match page.next {
                Some(next) => after = Some(next),
                None => return Ok(found),
            }
        }
    }
}
