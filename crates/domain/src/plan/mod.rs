//! Planning a day for a fleet: a capacitated vehicle-routing problem with a shift
//! length per vehicle and optional time windows per visit. `plan_day` searches with
//! ruin and recreate (string removals, greedy insertion with blinks, simulated
//! annealing) within a budget; `sweep_plan` (sweep + 2-opt/Or-opt per route) is the
//! baseline the benchmark compares it with. Pure: distances come as a matrix.

mod problem;
mod recreate;
mod ruin;
mod sweep;

pub use problem::{Plan, PlannedRoute, Problem, Reason, Vehicle, Visit};
pub use sweep::sweep_plan;

use crate::route::{Budget, Rng, optimise_matrix};
use recreate::Solution;
use ruin::Ruin;
use std::time::Duration;

/// The best plan found for `problem` within `budget`: as many visits as possible,
/// then the shortest total distance. Deterministic for a seed and a round cap.
#[must_use]
pub fn plan_day(problem: &Problem, budget: &Budget<'_>, seed: u64) -> Plan {
    let mut rng = Rng::new(seed);
    let mut current = Solution::empty(problem);
    let all: Vec<usize> = (0..problem.visits.len()).collect();
    current.recreate(problem, all, &mut rng);
    let mut best = current.clone();
    let ruin = Ruin::new(problem);
    let (start_t, end_t) = problem.temperatures();
    let mut rounds = 0;
    while !problem.visits.is_empty() && !budget.spent(rounds) {
        rounds += 1;
        // Cooling follows the round cap, or the clock when that runs out first.
        let by_rounds = rounds as f64 / budget.max_rounds as f64;
        let by_time = budget.clock.elapsed().as_secs_f64() / budget.time.as_secs_f64().max(1e-9);
        let progress = by_rounds.max(by_time).min(1.0);
        let temperature = start_t * (end_t / start_t).powf(progress);
        let mut candidate = current.clone();
        let removed = ruin.apply(problem, &mut candidate, &mut rng);
        candidate.recreate(problem, removed, &mut rng);
        let threshold = current.objective(problem) - temperature * rng_unit(&mut rng).ln();
        if candidate.objective(problem) < threshold {
            current = candidate;
            if current.objective(problem) < best.objective(problem) - 1e-9 {
                best = current.clone();
            }
        }
    }
    polish(problem, &mut best);
    best.into_plan(problem)
}

fn rng_unit(rng: &mut Rng) -> f64 {
    ((rng.next_u64() >> 11) as f64 + 1.0) / (1u64 << 53) as f64
}

/// Shortens each route with the single-route optimiser when nothing but distance can
/// change (no time windows: a shorter route is also a quicker one).
fn polish(problem: &Problem, solution: &mut Solution) {
    if problem.visits.iter().any(|v| v.window.is_some()) {
        return;
    }
    let clock = Duration::ZERO;
    let budget = Budget {
        max_rounds: 200,
        time: Duration::from_secs(1),
        clock: &clock,
    };
    for route in &mut solution.routes {
        if route.len() < 4 {
            continue;
        }
        let nodes: Vec<usize> = std::iter::once(0)
            .chain(route.iter().map(|v| v + 1))
            .collect();
        let sub = problem.sub_matrix(&nodes);
        let solved = optimise_matrix(&sub, true, true, &budget, 1);
        let old = sub.path_length(&(0..nodes.len()).collect::<Vec<_>>(), true);
        if solved.length < old - 1e-9 {
            *route = solved.order.iter().map(|&i| route[i]).collect();
        }
    }
    solution.recompute(problem);
}

#[cfg(test)]
mod tests;
