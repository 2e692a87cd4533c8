//! Tours: the ordered programme of containers a driver visits on a day, and its life cycle
//! draft → planned → in progress → completed (or cancelled before it starts).

use crate::{
    ContainerId, ContainerStatus, DomainError, GeoPoint, Notes, SiteId, TourId, UserId,
    ValidationError, Version,
};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TourState {
    Draft,
    Planned,
    InProgress,
    Completed,
    Cancelled,
}

impl TourState {
    pub const ALL: [Self; 5] = [
        Self::Draft,
        Self::Planned,
        Self::InProgress,
        Self::Completed,
        Self::Cancelled,
    ];

    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Planned => "planned",
            Self::InProgress => "in_progress",
            Self::Completed => "completed",
            Self::Cancelled => "cancelled",
        }
    }

    /// # Errors
    /// When `value` is not a state's name.
    pub fn parse(value: &str) -> Result<Self, ValidationError> {
        Self::ALL.into_iter().find(|s| s.as_str() == value).ok_or_else(|| {
            ValidationError::new("state", format!("unknown state '{value}'; expected draft, planned, in_progress, completed or cancelled"))
        })
    }

    /// Stops can be added, removed and reordered only before the tour starts.
    #[must_use]
    pub fn editable(self) -> bool {
        matches!(self, Self::Draft | Self::Planned)
    }
}

/// Why a stop was not visited.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SkipReason {
    Inaccessible,
    Blocked,
    NotFound,
    Unsafe,
    OutOfTime,
    Other,
}

impl SkipReason {
    pub const ALL: [Self; 6] = [
        Self::Inaccessible,
        Self::Blocked,
        Self::NotFound,
        Self::Unsafe,
        Self::OutOfTime,
        Self::Other,
    ];

    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Inaccessible => "inaccessible",
            Self::Blocked => "blocked",
            Self::NotFound => "not_found",
            Self::Unsafe => "unsafe",
            Self::OutOfTime => "out_of_time",
            Self::Other => "other",
        }
    }

    /// # Errors
    /// When `value` is not a reason's name.
    pub fn parse(value: &str) -> Result<Self, ValidationError> {
        Self::ALL.into_iter().find(|r| r.as_str() == value).ok_or_else(|| {
            ValidationError::new(
                "reason",
                format!("unknown reason '{value}'; expected inaccessible, blocked, not_found, unsafe, out_of_time or other"),
            )
        })
    }
}

/// What the driver found and did at a container.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Visit {
    pub at: DateTime<Utc>,
    /// 0 to 100 %.
    pub fill_level: u8,
    pub weight_kg: Option<f64>,
    pub emptied: bool,
    pub notes: Option<Notes>,
    /// A problem found on the spot (damaged, dirty…), described by the driver.
    pub problem: Option<Notes>,
}

impl Visit {
    pub const MAX_WEIGHT_KG: f64 = 5_000.0;

    /// # Errors
    /// When the fill level is above 100 or the weight negative or implausible.
    pub fn new(
        at: DateTime<Utc>,
        fill_level: i64,
        weight_kg: Option<f64>,
        emptied: bool,
        notes: Option<Notes>,
        problem: Option<Notes>,
    ) -> Result<Self, ValidationError> {
        let fill_level = u8::try_from(fill_level)
            .ok()
            .filter(|f| *f <= 100)
            .ok_or_else(|| ValidationError::new("fill_level", "must be between 0 and 100 (%)"))?;
        if weight_kg.is_some_and(|w| !w.is_finite() || !(0.0..=Self::MAX_WEIGHT_KG).contains(&w)) {
            return Err(ValidationError::new(
                "weight_kg",
                format!("must be between 0 and {} kg", Self::MAX_WEIGHT_KG),
            ));
        }
        Ok(Self {
            at,
            fill_level,
            weight_kg,
            emptied,
            notes,
            problem,
        })
    }

    /// The container's status after this visit, from `current`: emptied → active; found
    /// full (≥ 90 %) and not emptied → full; a problem → damaged.
    #[must_use]
    pub fn container_status_after(&self, current: ContainerStatus) -> ContainerStatus {
        let wanted = if self.problem.is_some() {
            ContainerStatus::Damaged
        } else if self.emptied {
            ContainerStatus::Active
        } else if self.fill_level >= FULL_AT_PERCENT {
            ContainerStatus::Full
        } else {
            current
        };
        if current.can_become(wanted) {
            wanted
        } else {
            current
        }
    }
}

/// The fill level from which a container counts as full.
pub const FULL_AT_PERCENT: u8 = 90;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum StopOutcome {
    Pending,
    Visited(Visit),
    Skipped {
        reason: SkipReason,
        note: Option<Notes>,
        at: DateTime<Utc>,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stop {
    pub container_id: ContainerId,
    pub outcome: StopOutcome,
}

/// What the tour needs to know about a container it is given.
#[derive(Debug, Clone, Copy)]
pub struct StopCandidate {
    pub container_id: ContainerId,
    pub site_id: SiteId,
    pub archived: bool,
    pub status: ContainerStatus,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Tour {
    pub id: TourId,
    pub site_id: SiteId,
    pub date: NaiveDate,
    pub driver_id: Option<UserId>,
    pub vehicle: Option<String>,
    pub depot: Option<GeoPoint>,
    pub notes: Option<Notes>,
    pub state: TourState,
    pub stops: Vec<Stop>,
    pub version: Version,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A tour to create.
#[derive(Debug, Clone)]
pub struct NewTour {
    pub site_id: SiteId,
    pub date: NaiveDate,
    pub driver_id: Option<UserId>,
    pub vehicle: Option<String>,
    pub depot: Option<GeoPoint>,
    pub notes: Option<Notes>,
}

fn conflict(message: impl Into<String>) -> DomainError {
    DomainError::Conflict(message.into())
}

impl Tour {
    /// A draft tour with `stops`, checked one by one as [`Tour::add_stop`] would.
    ///
    /// # Errors
    /// As [`Tour::add_stop`].
    pub fn create(
        new: NewTour,
        stops: &[StopCandidate],
        now: DateTime<Utc>,
    ) -> Result<Self, DomainError> {
        let NewTour {
            site_id,
            date,
            driver_id,
            vehicle,
            depot,
            notes,
        } = new;
        let vehicle = vehicle
            .map(|v| crate::text::clean_text("vehicle", &v, 64))
            .transpose()?;
        let mut tour = Self {
            id: TourId::generate(),
            site_id,
            date,
            driver_id,
            vehicle,
            depot,
            notes,
            state: TourState::Draft,
            stops: Vec::new(),
            version: 1,
            created_at: now,
            updated_at: now,
        };
        for candidate in stops {
            tour.push_stop(candidate)?;
        }
        Ok(tour)
    }

    fn ensure_editable(&self) -> Result<(), DomainError> {
        if self.state.editable() {
            Ok(())
        } else {
            Err(conflict(format!(
                "a {} tour's stops can no longer change",
                self.state.as_str()
            )))
        }
    }

    fn position(&self, container: ContainerId) -> Option<usize> {
        self.stops.iter().position(|s| s.container_id == container)
    }

    fn push_stop(&mut self, candidate: &StopCandidate) -> Result<(), DomainError> {
        let id = candidate.container_id;
        if candidate.site_id != self.site_id {
            return Err(ValidationError::new(
                "container_ids",
                format!("container {id} belongs to another site"),
            )
            .into());
        }
        if candidate.archived || candidate.status == ContainerStatus::Removed {
            return Err(ValidationError::new(
                "container_ids",
                format!("container {id} is archived or removed"),
            )
            .into());
        }
        if self.position(id).is_some() {
            return Err(ValidationError::new(
                "container_ids",
                format!("container {id} is already a stop of this tour"),
            )
            .into());
        }
        self.stops.push(Stop {
            container_id: id,
            outcome: StopOutcome::Pending,
        });
        Ok(())
    }

    fn touch(&mut self, now: DateTime<Utc>) {
        self.version += 1;
        self.updated_at = now;
    }

    /// Appends stops before the tour starts.
    ///
    /// # Errors
    /// `Conflict` once started; `Invalid` for a container of another site, archived or
    /// removed, or already in the tour (nothing is added then).
    pub fn add_stops(
        &mut self,
        candidates: &[StopCandidate],
        now: DateTime<Utc>,
    ) -> Result<(), DomainError> {
        self.ensure_editable()?;
        let mut next = self.clone();
        for candidate in candidates {
            next.push_stop(candidate)?;
        }
        *self = next;
        self.touch(now);
        Ok(())
    }

    /// # Errors
    /// `Conflict` once started; `Invalid` when the container is not a stop.
    pub fn remove_stop(
        &mut self,
        container: ContainerId,
        now: DateTime<Utc>,
    ) -> Result<(), DomainError> {
        self.ensure_editable()?;
        let index = self.position(container).ok_or_else(|| {
            ValidationError::new(
                "container_id",
                format!("container {container} is not a stop of this tour"),
            )
        })?;
        self.stops.remove(index);
        self.touch(now);
        Ok(())
    }

    /// Puts the stops in `order`, which must list each stop exactly once.
    ///
    /// # Errors
    /// `Conflict` once started; `Invalid` when `order` is not a permutation of the stops.
    pub fn reorder(
        &mut self,
        order: &[ContainerId],
        now: DateTime<Utc>,
    ) -> Result<(), DomainError> {
        self.ensure_editable()?;
        let mut sorted_new = order.to_vec();
        sorted_new.sort_unstable();
        let mut sorted_old: Vec<ContainerId> = self.stops.iter().map(|s| s.container_id).collect();
        sorted_old.sort_unstable();
        if sorted_new != sorted_old {
            return Err(ValidationError::new(
                "order",
                "must list every stop of the tour exactly once",
            )
            .into());
        }
        let mut stops = Vec::with_capacity(self.stops.len());
        for id in order {
            if let Some(index) = self.position(*id) {
                stops.push(self.stops[index].clone());
            }
        }
        self.stops = stops;
        self.touch(now);
        Ok(())
    }

    /// Assigns the driver and the vehicle (before the tour starts).
    ///
    /// # Errors
    /// `Conflict` once started.
    pub fn assign(
        &mut self,
        driver: Option<UserId>,
        vehicle: Option<String>,
        now: DateTime<Utc>,
    ) -> Result<(), DomainError> {
        self.ensure_editable()?;
        self.driver_id = driver;
        self.vehicle = vehicle
            .map(|v| crate::text::clean_text("vehicle", &v, 64))
            .transpose()?;
        self.touch(now);
        Ok(())
    }

    /// Draft → planned: the tour is ready for its driver.
    ///
    /// # Errors
    /// `Conflict` when not a draft, without a driver or without stops.
    pub fn plan(&mut self, now: DateTime<Utc>) -> Result<(), DomainError> {
        if self.state != TourState::Draft {
            return Err(conflict(format!(
                "only a draft can be planned; this tour is {}",
                self.state.as_str()
            )));
        }
        if self.driver_id.is_none() {
            return Err(conflict("assign a driver before planning"));
        }
        if self.stops.is_empty() {
            return Err(conflict("a tour needs at least one stop"));
        }
        self.state = TourState::Planned;
        self.touch(now);
        Ok(())
    }

    /// # Errors
    /// `Conflict` once started.
    pub fn cancel(&mut self, now: DateTime<Utc>) -> Result<(), DomainError> {
        if !self.state.editable() {
            return Err(conflict(format!(
                "a {} tour can't be cancelled",
                self.state.as_str()
            )));
        }
        self.state = TourState::Cancelled;
        self.touch(now);
        Ok(())
    }

    fn ensure_driver(&self, by: UserId) -> Result<(), DomainError> {
        if self.driver_id == Some(by) {
            Ok(())
        } else {
            Err(DomainError::NotYours)
        }
    }

    /// Planned → in progress, by its driver.
    ///
    /// # Errors
    /// `NotYours` for another user; `Conflict` when not planned.
    pub fn start(&mut self, by: UserId, now: DateTime<Utc>) -> Result<(), DomainError> {
        self.ensure_driver(by)?;
        if self.state != TourState::Planned {
            return Err(conflict(format!(
                "only a planned tour can start; this one is {}",
                self.state.as_str()
            )));
        }
        self.state = TourState::InProgress;
        self.touch(now);
        Ok(())
    }

    fn pending_stop(
        &mut self,
        by: UserId,
        container: ContainerId,
    ) -> Result<&mut Stop, DomainError> {
        self.ensure_driver(by)?;
        if self.state != TourState::InProgress {
            return Err(conflict(format!(
                "visits are recorded on a tour in progress; this one is {}",
                self.state.as_str()
            )));
        }
        let index = self.position(container).ok_or_else(|| {
            ValidationError::new(
                "container_id",
                format!("container {container} is not a stop of this tour"),
            )
        })?;
        let stop = &mut self.stops[index];
        if stop.outcome != StopOutcome::Pending {
            return Err(conflict("this stop already has an outcome"));
        }
        Ok(stop)
    }

    /// Records the visit of a stop by the tour's driver.
    ///
    /// # Errors
    /// `NotYours`; `Conflict` when the tour is not in progress or the stop already done;
    /// `Invalid` when the container is not a stop.
    pub fn record_visit(
        &mut self,
        by: UserId,
        container: ContainerId,
        visit: Visit,
        now: DateTime<Utc>,
    ) -> Result<(), DomainError> {
        self.pending_stop(by, container)?.outcome = StopOutcome::Visited(visit);
        self.touch(now);
        Ok(())
    }

    /// Records that a stop was skipped, and why.
    ///
    /// # Errors
    /// As [`Tour::record_visit`].
    pub fn skip(
        &mut self,
        by: UserId,
        container: ContainerId,
        reason: SkipReason,
        note: Option<Notes>,
        now: DateTime<Utc>,
    ) -> Result<(), DomainError> {
        self.pending_stop(by, container)?.outcome = StopOutcome::Skipped {
            reason,
            note,
            at: now,
        };
        self.touch(now);
        Ok(())
    }

    /// In progress → completed, once every stop is visited or skipped.
    ///
    /// # Errors
    /// `NotYours`; `Conflict` when not in progress or a stop is still pending.
    pub fn complete(&mut self, by: UserId, now: DateTime<Utc>) -> Result<(), DomainError> {
        self.ensure_driver(by)?;
        if self.state != TourState::InProgress {
            return Err(conflict(format!(
                "only a tour in progress can complete; this one is {}",
                self.state.as_str()
            )));
        }
        let pending = self
            .stops
            .iter()
            .filter(|s| s.outcome == StopOutcome::Pending)
            .count();
        if pending > 0 {
            return Err(conflict(format!("{pending} stops are still pending")));
        }
        self.state = TourState::Completed;
        self.touch(now);
        Ok(())
    }

    /// Visited, skipped, total, and the weight collected.
    #[must_use]
    pub fn progress(&self) -> (usize, usize, usize, f64) {
        let mut visited = 0;
        let mut skipped = 0;
        let mut weight = 0.0;
        for stop in &self.stops {
            match &stop.outcome {
                StopOutcome::Visited(visit) => {
                    visited += 1;
                    weight += visit.weight_kg.unwrap_or(0.0);
                }
                StopOutcome::Skipped { .. } => skipped += 1,
                StopOutcome::Pending => {}
            }
        }
        (visited, skipped, self.stops.len(), weight)
    }
}

#[cfg(test)]
mod tests;
