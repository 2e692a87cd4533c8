//! The baseline day plan: sweep (visits in order of their angle around the depot,
//! each vehicle filled until the next visit no longer fits), then each route shortened
//! by the first route optimiser (2-opt + Or-opt). The benchmark compares with it.

use super::problem::{Plan, Problem};
use super::recreate::Solution;
use crate::route::optimise_matrix_baseline;

/// A sweep plan; `angles[i]` is the bearing of visit `i` seen from the depot.
#[must_use]
pub fn sweep_plan(problem: &Problem, angles: &[f64]) -> Plan {
    let mut order: Vec<usize> = (0..problem.visits.len()).collect();
    order.sort_by(|&a, &b| angles[a].total_cmp(&angles[b]));
    let mut solution = Solution::empty(problem);
    let mut vehicle = 0;
    let mut load = 0.0;
    for visit in order {
        loop {
            let Some(truck) = problem.vehicles.get(vehicle) else {
                solution.left_out.push(visit);
                break;
            };
            let route = &mut solution.routes[vehicle];
            route.push(visit);
            if load + problem.visits[visit].load <= truck.capacity
                && problem.duration(route) <= truck.shift_s
            {
                load += problem.visits[visit].load;
                break;
            }
            route.pop();
            if route.is_empty() {
                solution.left_out.push(visit); // too far for this shift even alone
                break;
            }
            vehicle += 1;
            load = 0.0;
        }
    }
    for route in &mut solution.routes {
        let nodes: Vec<usize> = std::iter::once(0)
            .chain(route.iter().map(|v| v + 1))
            .collect();
        let order = optimise_matrix_baseline(&problem.sub_matrix(&nodes), true, true);
        let shorter: Vec<usize> = order.iter().map(|&i| route[i]).collect();
        if problem.duration(&shorter) <= problem.duration(route) {
            *route = shorter;
        }
    }
    solution.recompute(problem);
    solution.into_plan(problem)
}
