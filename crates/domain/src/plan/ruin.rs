//! The ruin step of SISR (Christiaens & Vanden Berghe, "Slack induction by string
//! removals", 2020): around a random visit, cut short strings of consecutive visits out
//! of a few nearby routes, so the recreate step can rebuild that neighbourhood better.

use super::problem::Problem;
use super::recreate::Solution;
use crate::route::Rng;

/// Visits removed per ruin, on average (SISR's c̄).
const AVERAGE_REMOVED: f64 = 10.0;
/// The longest string cut from one route (SISR's L^max).
const LONGEST_STRING: usize = 10;

/// Each visit's other visits, nearest first: where a ruin spreads.
#[derive(Debug)]
pub(crate) struct Ruin {
    neighbours: Vec<Vec<usize>>,
}

impl Ruin {
    pub(crate) fn new(problem: &Problem) -> Self {
        let n = problem.visits.len();
        let neighbours = (0..n)
            .map(|a| {
                let mut others: Vec<usize> = (0..n).filter(|&b| b != a).collect();
                others
                    .sort_by(|&x, &y| problem.d(a + 1, x + 1).total_cmp(&problem.d(a + 1, y + 1)));
                others
            })
            .collect();
        Self { neighbours }
    }

    /// Removes strings around a random visit; returns them with the visits that were
    /// left out (they get another chance in every recreate).
    pub(crate) fn apply(
        &self,
        problem: &Problem,
        solution: &mut Solution,
        rng: &mut Rng,
    ) -> Vec<usize> {
        let mut removed = solution.take_left_out();
        let n = problem.visits.len();
        let mut place = vec![None; n];
        for (r, route) in solution.routes.iter().enumerate() {
            for (i, &v) in route.iter().enumerate() {
                place[v] = Some((r, i));
            }
        }
        let used: Vec<usize> = solution
            .routes
            .iter()
            .map(Vec::len)
            .filter(|&l| l > 0)
            .collect();
        if used.is_empty() {
            return removed;
        }
        let average = used.iter().sum::<usize>() as f64 / used.len() as f64;
        let longest = (LONGEST_STRING as f64).min(average).max(1.0);
        let most_strings = (4.0 * AVERAGE_REMOVED / (1.0 + longest) - 1.0).max(1.0);
        let strings = 1 + rng.below(most_strings as usize);
        let seed = rng.below(n);
        let mut ruined: Vec<usize> = Vec::with_capacity(strings);
        for &visit in std::iter::once(&seed).chain(&self.neighbours[seed]) {
            if ruined.len() >= strings {
                break;
            }
            let Some((r, at)) = place[visit] else {
                continue;
            };
            if ruined.contains(&r) {
                continue;
            }
            let size = solution.routes[r].len();
            let len = 1 + rng.below((longest as usize).min(size));
            // A start such that the string [start, start + len) holds `at`.
            let lowest = (at + 1).saturating_sub(len);
            let highest = at.min(size - len);
            let start = lowest + rng.below(highest - lowest + 1);
            removed.extend(solution.remove_string(problem, r, start, len));
            ruined.push(r);
        }
        removed
    }
}
