//! A solution being searched (a visit list per vehicle, loads, what is left out, the
//! cost) and its recreate step: removed visits go back, one by one, where they add the
//! least distance and still fit in load and time; a few positions are skipped at
//! random ("blinks") so that repeated repairs explore.

use super::problem::{Plan, PlannedRoute, Problem, Reason};
use crate::route::Rng;

/// Chance of skipping a position while looking for the best one.
const BLINK: u64 = 100; // one in a hundred

#[derive(Debug, Clone)]
pub(crate) struct Solution {
    pub(crate) routes: Vec<Vec<usize>>,
    loads: Vec<f64>,
    distances: Vec<f64>,
    service: Vec<f64>,
    pub(crate) left_out: Vec<usize>,
    pub(crate) cost: f64,
    penalty: f64,
}

impl Solution {
    pub(crate) fn empty(problem: &Problem) -> Self {
        let k = problem.vehicles.len();
        Self {
            routes: vec![Vec::new(); k],
            loads: vec![0.0; k],
            distances: vec![0.0; k],
            service: vec![0.0; k],
            left_out: Vec::new(),
            cost: 0.0,
            penalty: problem.left_out_penalty(),
        }
    }

    /// Loads, distances and cost from the routes (after they were changed wholesale).
    pub(crate) fn recompute(&mut self, problem: &Problem) {
        for (r, route) in self.routes.iter().enumerate() {
            self.loads[r] = route.iter().map(|&v| problem.visits[v].load).sum();
            self.service[r] = route.iter().map(|&v| problem.visits[v].service_s).sum();
            self.distances[r] = if route.is_empty() {
                0.0
            } else {
                problem.distance(route)
            };
        }
        self.cost = self.distances.iter().sum::<f64>() + self.penalty * self.left_out.len() as f64;
    }

    /// Takes `len` visits out of route `r` from `start` (figures and cost updated).
    pub(crate) fn remove_string(
        &mut self,
        problem: &Problem,
        r: usize,
        start: usize,
        len: usize,
    ) -> Vec<usize> {
        let taken: Vec<usize> = self.routes[r].drain(start..start + len).collect();
        for &visit in &taken {
            self.loads[r] -= problem.visits[visit].load;
            self.service[r] -= problem.visits[visit].service_s;
        }
        let old = self.distances[r];
        let route = &self.routes[r];
        self.distances[r] = if route.is_empty() {
            0.0
        } else {
            problem.distance(route)
        };
        self.cost += self.distances[r] - old;
        taken
    }

    /// Whether route `r` with `visit` at `position` keeps within its vehicle's shift.
    fn fits_in_time(
        &self,
        problem: &Problem,
        r: usize,
        position: usize,
        visit: usize,
        added: f64,
    ) -> bool {
        let shift = problem.vehicles[r].shift_s;
        if !problem.has_windows() {
            let driving = (self.distances[r] + added) / problem.speed_m_s;
            return driving + self.service[r] + problem.visits[visit].service_s <= shift;
        }
        let mut route = self.routes[r].clone();
        route.insert(position, visit);
        problem.duration(&route) <= shift
    }

    /// The cheapest place for `visit`: (route, position, added distance).
    fn best_place(
        &self,
        problem: &Problem,
        visit: usize,
        rng: &mut Rng,
    ) -> Option<(usize, usize, f64)> {
        let node = visit + 1;
        let load = problem.visits[visit].load;
        // A day's length in metres driven (service converted at the set speed).
        let day = |r: usize| self.distances[r] + self.service[r] * problem.speed_m_s;
        let longest = (0..self.routes.len()).map(day).fold(0.0, f64::max);
        let service = problem.visits[visit].service_s * problem.speed_m_s;
        // (route, position, distance added, price: the distance plus what the longest
        // day grows by, when balance is asked)
        let mut best: Option<(usize, usize, f64, f64)> = None;
        for (r, route) in self.routes.iter().enumerate() {
            if self.loads[r] + load > problem.vehicles[r].capacity + 1e-9 {
                continue;
            }
            for position in 0..=route.len() {
                if rng.below(BLINK as usize) == 0 {
                    continue;
                }
                let before = if position == 0 {
                    0
                } else {
                    route[position - 1] + 1
                };
                let after = route.get(position).map_or(0, |v| v + 1);
                let added =
                    problem.d(before, node) + problem.d(node, after) - problem.d(before, after);
                let growth = (day(r) + added + service - longest).max(0.0);
                let price = added + problem.balance * growth;
                if best.is_some_and(|(_, _, _, b)| price >= b) {
                    continue;
                }
                if self.fits_in_time(problem, r, position, visit, added) {
                    best = Some((r, position, added, price));
                }
            }
        }
        best.map(|(r, position, added, _)| (r, position, added))
    }

    /// Puts `removed` back, in one of a few orders drawn at random (as SISR does).
    pub(crate) fn recreate(&mut self, problem: &Problem, mut removed: Vec<usize>, rng: &mut Rng) {
        let depot = |v: &usize| problem.d(0, v + 1);
        match rng.below(11) {
            0..=3 => {
                for i in (1..removed.len()).rev() {
                    removed.swap(i, rng.below(i + 1));
                }
            }
            4..=7 => {
                removed.sort_by(|a, b| problem.visits[*b].load.total_cmp(&problem.visits[*a].load))
            }
            8..=9 => removed.sort_by(|a, b| depot(b).total_cmp(&depot(a))),
            _ => removed.sort_by(|a, b| depot(a).total_cmp(&depot(b))),
        }
        for visit in removed {
            match self.best_place(problem, visit, rng) {
                Some((r, position, added)) => {
                    self.routes[r].insert(position, visit);
                    self.loads[r] += problem.visits[visit].load;
                    self.service[r] += problem.visits[visit].service_s;
                    self.distances[r] += added;
                    self.cost += added;
                }
                None => {
                    self.left_out.push(visit);
                    self.cost += self.penalty;
                }
            }
        }
    }

    /// What the search minimises: distance, left-out visits, and — when the problem asks
    /// for balance — the longest day (driving and service, in metres at the set speed),
    /// so that work spreads over the fleet rather than onto the fewest trucks.
    pub(crate) fn objective(&self, problem: &Problem) -> f64 {
        if problem.balance <= 0.0 {
            return self.cost;
        }
        let longest = self
            .distances
            .iter()
            .zip(&self.service)
            .map(|(d, s)| d + s * problem.speed_m_s)
            .fold(0.0, f64::max);
        self.cost + problem.balance * longest
    }

    /// Takes every left-out visit back out of the list (to be recreated), cost updated.
    pub(crate) fn take_left_out(&mut self) -> Vec<usize> {
        self.cost -= self.penalty * self.left_out.len() as f64;
        std::mem::take(&mut self.left_out)
    }

    /// The plan as answered: used routes with their figures, left-out visits with why.
    pub(crate) fn into_plan(self, problem: &Problem) -> Plan {
        let routes = self
            .routes
            .iter()
            .enumerate()
            .filter(|(_, route)| !route.is_empty())
            .map(|(vehicle, route)| PlannedRoute {
                vehicle,
                visits: route.clone(),
                load: self.loads[vehicle],
                distance: problem.distance(route),
                duration_s: problem.duration(route),
            })
            .collect();
        let mut left_out: Vec<(usize, Reason)> = self
            .left_out
            .iter()
            .map(|&visit| (visit, self.reason(problem, visit)))
            .collect();
        left_out.sort_unstable_by_key(|(visit, _)| *visit);
        Plan { routes, left_out }
    }

    /// Capacity when some route could take the visit in time but not in load; time otherwise.
    fn reason(&self, problem: &Problem, visit: usize) -> Reason {
        let fits_in_time = self.routes.iter().enumerate().any(|(r, route)| {
            (0..=route.len()).any(|position| {
                let mut with = route.clone();
                with.insert(position, visit);
                problem.duration(&with) <= problem.vehicles[r].shift_s
            })
        });
        if fits_in_time {
            Reason::Capacity
        } else {
            Reason::Time
        }
    }
}
