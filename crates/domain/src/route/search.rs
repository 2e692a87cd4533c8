//! The route optimiser used by the application: any route shape (from a depot or not,
//! back or not) is turned into a closed tour, improved by iterated local search within
//! a budget, and turned back into a visiting order.

use super::budget::{Budget, Rng};
use super::distance::{DistanceMatrix, DistanceProvider};
use super::ils::improve_cycle;
use super::{RouteShape, nearest_neighbour_cycle};
use crate::GeoPoint;

/// A visiting order (indices into the stops), its length and the kicks it took.
#[derive(Debug, Clone, PartialEq)]
pub struct Solved {
    pub order: Vec<usize>,
    pub length: f64,
    pub rounds: u64,
}

/// A short visiting order of `stops` for `shape`, with distances from `distances`,
/// searched until `budget` is spent. Deterministic for a seed and a round cap.
#[must_use]
pub fn optimise_within(
    stops: &[GeoPoint],
    shape: RouteShape,
    distances: &dyn DistanceProvider,
    budget: &Budget<'_>,
    seed: u64,
) -> Solved {
    let nodes: Vec<GeoPoint> = shape.depot.iter().chain(stops).copied().collect();
    let matrix = distances.matrix(&nodes);
    optimise_matrix(
        &matrix,
        shape.depot.is_some(),
        shape.round_trip,
        budget,
        seed,
    )
}

/// The same on a ready matrix whose node 0 is the depot when `has_depot`, the stops
/// after it. The order returned indexes the stops (node `i + 1` is stop `i` with a depot).
#[must_use]
pub fn optimise_matrix(
    matrix: &DistanceMatrix,
    has_depot: bool,
    round_trip: bool,
    budget: &Budget<'_>,
    seed: u64,
) -> Solved {
    let offset = usize::from(has_depot);
    let stops = matrix.size() - offset;
    // An open route becomes a loop through one extra node: free to reach from every stop
    // without a depot (the loop is cut there), and bound to the depot with one (a large,
    // constant price from every stop keeps it next to the depot, where it costs nothing).
    let extra = !round_trip && stops > 1;
    let cyclic = if extra {
        let n = matrix.size();
        let big = 2.0
            * (0..n)
                .map(|i| (0..n).map(|j| matrix.get(i, j)).fold(0.0, f64::max))
                .sum::<f64>()
            + 1.0;
        DistanceMatrix::from_fn(n + 1, |i, j| match (i == n, j == n) {
            (false, false) => matrix.get(i, j),
            _ if has_depot && (i == 0 || j == 0) => 0.0,
            _ if has_depot => big,
            _ => 0.0,
        })
    } else {
        matrix.clone()
    };
    let start = nearest_neighbour_cycle(&cyclic);
    let (tour, rounds) = improve_cycle(&cyclic, start, budget, &mut Rng::new(seed));
    let order = open_at(&tour, has_depot, extra.then_some(matrix.size()));
    let nodes: Vec<usize> = has_depot
        .then_some(0)
        .into_iter()
        .chain(order.iter().map(|s| s + offset))
        .collect();
    Solved {
        length: matrix.path_length(&nodes, round_trip),
        order,
        rounds,
    }
}

/// The stops of a closed tour in visiting order: from the depot (away from the extra
/// node), or after the extra node, or from wherever stop 0 is on a plain loop.
fn open_at(tour: &[usize], has_depot: bool, extra: Option<usize>) -> Vec<usize> {
    let n = tour.len();
    let at = |node: usize| tour.iter().position(|&x| x == node).unwrap_or(0);
    let (start, forward) = match (has_depot, extra) {
        (true, Some(extra)) => {
            let depot = at(0);
            (depot, tour[(depot + 1) % n] != extra)
        }
        (true, None) => (at(0), true),
        (false, Some(extra)) => (at(extra), true),
        (false, None) => (at(0), true),
    };
    let offset = usize::from(has_depot);
    (0..n)
        .map(|i| {
            if forward {
                tour[(start + i) % n]
            } else {
                tour[(start + n - i) % n]
            }
        })
        .filter(|&node| node >= offset && Some(node) != extra)
        .map(|node| node - offset)
        .collect()
}
