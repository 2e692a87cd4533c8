//! What a day plan is asked (visits, vehicles, distances, speed) and what it answers
//! (a route per vehicle used, and the visits left out with their reason), with the
//! checks that make a problem worth solving.

use crate::ValidationError;
use crate::route::DistanceMatrix;

/// A place to empty: its load, how long the stop takes, and when it may be visited
/// (seconds from the start of the shift), if only at some hours.
#[derive(Debug, Clone, PartialEq)]
pub struct Visit {
    /// Names the visit in error messages (e.g. the container's public code).
    pub label: String,
    pub load: f64,
    pub service_s: f64,
    pub window: Option<(f64, f64)>,
}

/// A truck for the day: how much it carries and how long its shift lasts (seconds).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Vehicle {
    pub capacity: f64,
    pub shift_s: f64,
}

/// A day to plan. Node 0 of `matrix` is the depot, node `i + 1` is `visits[i]`; all
/// routes start and end at the depot.
#[derive(Debug, Clone)]
pub struct Problem {
    pub(crate) matrix: DistanceMatrix,
    pub(crate) visits: Vec<Visit>,
    pub(crate) vehicles: Vec<Vehicle>,
    pub(crate) speed_m_s: f64,
    /// Weight of the longest day against the total distance (0: distance alone).
    pub(crate) balance: f64,
}

impl Problem {
    /// # Errors
    /// A `ValidationError` naming the field: no vehicle, a capacity or shift that is not
    /// positive, a speed that is not positive, a visit heavier than every vehicle can
    /// carry, a vehicle whose shift cannot serve even the nearest visit, or a matrix of
    /// the wrong size.
    pub fn new(
        matrix: DistanceMatrix,
        visits: Vec<Visit>,
        vehicles: Vec<Vehicle>,
        speed_m_s: f64,
    ) -> Result<Self, ValidationError> {
        if vehicles.is_empty() {
            return Err(ValidationError::new(
                "vehicles",
                "at least one vehicle is needed",
            ));
        }
        if !(speed_m_s.is_finite() && speed_m_s > 0.0) {
            return Err(ValidationError::new("speed_kmh", "must be more than 0"));
        }
        if matrix.size() != visits.len() + 1 {
            return Err(ValidationError::new(
                "containers",
                "one distance row per container and the depot",
            ));
        }
        for (i, v) in vehicles.iter().enumerate() {
            if !(v.capacity.is_finite() && v.capacity > 0.0) {
                return Err(ValidationError::new(
                    format!("vehicles[{i}].capacity_litres"),
                    "must be more than 0",
                ));
            }
            if !(v.shift_s.is_finite() && v.shift_s > 0.0) {
                return Err(ValidationError::new(
                    format!("vehicles[{i}].shift_minutes"),
                    "must be more than 0",
                ));
            }
        }
        let largest = vehicles.iter().map(|v| v.capacity).fold(0.0, f64::max);
        if let Some(heavy) = visits.iter().find(|v| v.load > largest) {
            return Err(ValidationError::new(
                "vehicles",
                format!(
                    "container {} holds {} litres, more than any vehicle carries ({largest})",
                    heavy.label, heavy.load
                ),
            ));
        }
        let problem = Self {
            matrix,
            visits,
            vehicles,
            speed_m_s,
            balance: 0.0,
        };
        if !problem.visits.is_empty() {
            let quickest = (0..problem.visits.len())
                .map(|i| problem.out_and_back(i))
                .fold(f64::INFINITY, f64::min);
            if let Some(i) = problem.vehicles.iter().position(|v| v.shift_s < quickest) {
                return Err(ValidationError::new(
                    format!("vehicles[{i}].shift_minutes"),
                    format!(
                        "too short for any stop: the quickest takes {:.0} minutes",
                        quickest / 60.0
                    ),
                ));
            }
        }
        Ok(problem)
    }

    /// Also shortens the longest day: each metre (or its time in service) of the longest
    /// route costs `weight` more. 0 (the default) minimises distance alone, which may
    /// leave trucks unused and days uneven.
    ///
    /// # Errors
    /// `balance` when the weight is negative or not a number.
    pub fn with_balance(mut self, weight: f64) -> Result<Self, ValidationError> {
        if !(weight.is_finite() && weight >= 0.0) {
            return Err(ValidationError::new("balance", "must be 0 or more"));
        }
        self.balance = weight;
        Ok(self)
    }

    pub(crate) fn d(&self, a: usize, b: usize) -> f64 {
        self.matrix.get(a, b)
    }

    /// Distance of a route (visit indices) from the depot and back.
    pub(crate) fn distance(&self, route: &[usize]) -> f64 {
        let mut total = 0.0;
        let mut at = 0;
        for &v in route {
            total += self.d(at, v + 1);
            at = v + 1;
        }
        total + self.d(at, 0)
    }

    /// Time of a route from leaving the depot to coming back, waiting for windows
    /// included; infinite when a window is missed.
    pub(crate) fn duration(&self, route: &[usize]) -> f64 {
        let mut time = 0.0;
        let mut at = 0;
        for &v in route {
            time += self.d(at, v + 1) / self.speed_m_s;
            if let Some((open, close)) = self.visits[v].window {
                if time > close {
                    return f64::INFINITY;
                }
                time = time.max(open);
            }
            time += self.visits[v].service_s;
            at = v + 1;
        }
        time + self.d(at, 0) / self.speed_m_s
    }

    /// Driving to a visit and back plus its service, windows aside.
    pub(crate) fn out_and_back(&self, v: usize) -> f64 {
        (self.d(0, v + 1) + self.d(v + 1, 0)) / self.speed_m_s + self.visits[v].service_s
    }

    pub(crate) fn has_windows(&self) -> bool {
        self.visits.iter().any(|v| v.window.is_some())
    }

    /// The price of leaving a visit out: more than inserting it anywhere could cost.
    pub(crate) fn left_out_penalty(&self) -> f64 {
        let n = self.matrix.size();
        let far = (0..n)
            .flat_map(|i| (0..n).map(move |j| (i, j)))
            .map(|(i, j)| self.d(i, j))
            .fold(0.0, f64::max);
        10.0 * (2.0 * far + 1.0)
    }

    /// Annealing temperatures, from the typical distance between a visit and its
    /// nearest neighbour (so they mean the same in metres or in benchmark units).
    pub(crate) fn temperatures(&self) -> (f64, f64) {
        let n = self.matrix.size();
        let nearest: f64 = (1..n)
            .map(|i| {
                (0..n)
                    .filter(|&j| j != i)
                    .map(|j| self.d(i, j))
                    .fold(f64::INFINITY, f64::min)
            })
            .filter(|d| d.is_finite())
            .sum::<f64>()
            / (n.saturating_sub(1)).max(1) as f64;
        let scale = nearest.max(1e-6);
        (scale, scale / 100.0)
    }

    /// The matrix restricted to `nodes` (in that order).
    pub(crate) fn sub_matrix(&self, nodes: &[usize]) -> DistanceMatrix {
        DistanceMatrix::from_fn(nodes.len(), |i, j| self.d(nodes[i], nodes[j]))
    }
}

/// Why a visit is not in any route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// It would fit in time, but no vehicle has room left for its load.
    Capacity,
    /// No vehicle can reach it within its shift (or its opening hours).
    Time,
}

impl Reason {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Capacity => "capacity",
            Self::Time => "time",
        }
    }
}

/// One vehicle's route: visit indices in order, its load, distance and duration.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedRoute {
    pub vehicle: usize,
    pub visits: Vec<usize>,
    pub load: f64,
    pub distance: f64,
    pub duration_s: f64,
}

/// The answer: the routes of the vehicles used, and what was left out and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub routes: Vec<PlannedRoute>,
    pub left_out: Vec<(usize, Reason)>,
}

impl Plan {
    #[must_use]
    pub fn distance(&self) -> f64 {
        self.routes.iter().map(|r| r.distance).sum()
    }
}
