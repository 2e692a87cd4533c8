//! Visiting orders. `optimise_within` (iterated local search within a budget, see
//! `search` and `ils`) is the optimiser; `optimise` below is the first one (nearest
//! neighbour, then 2-opt and Or-opt until no move shortens the route), kept as the
//! baseline the benchmark and the tests compare with. Distances come through the
//! `DistanceProvider` port (great-circle by default).

mod budget;
mod distance;
mod ils;
mod search;

pub use budget::{Budget, Rng, Stopwatch};
pub use distance::{DistanceMatrix, DistanceProvider, GreatCircle, distance_m};
pub use search::{Solved, optimise_matrix, optimise_within};

use crate::GeoPoint;

/// Where the route starts and whether it comes back there.
#[derive(Debug, Clone, Copy)]
pub struct RouteShape {
    pub depot: Option<GeoPoint>,
    pub round_trip: bool,
}

/// The length of visiting `stops` in `order` (indices into `stops`).
#[must_use]
pub fn route_length_m(stops: &[GeoPoint], order: &[usize], shape: RouteShape) -> f64 {
    let matrix = Matrix::new(stops, shape.depot);
    matrix.length(&order.iter().map(|i| i + 1).collect::<Vec<_>>(), shape)
}

/// Distances between the depot (node 0, when there is one) and the stops (nodes 1..=n).
struct Matrix {
    size: usize,
    cells: Vec<f64>,
    has_depot: bool,
}

impl Matrix {
    fn new(stops: &[GeoPoint], depot: Option<GeoPoint>) -> Self {
        let nodes: Vec<GeoPoint> = depot.iter().chain(stops.iter()).copied().collect();
        Self::from_distances(&GreatCircle.matrix(&nodes), depot.is_some())
    }

    /// From a matrix over [depot] + stops.
    fn from_distances(distances: &DistanceMatrix, has_depot: bool) -> Self {
        let offset = usize::from(!has_depot);
        // Node numbering: 0 is the depot; without one, node 0 is unused and stops start at 1.
        let size = distances.size() + offset;
        let mut cells = vec![0.0; size * size];
        for i in 0..distances.size() {
            for j in 0..distances.size() {
                cells[(i + offset) * size + (j + offset)] = distances.get(i, j);
            }
        }
        Self {
            size,
            cells,
            has_depot,
        }
    }

    fn d(&self, a: usize, b: usize) -> f64 {
        self.cells[a * self.size + b]
    }

    /// Length of a tour over stop nodes (1-based), from the depot and back if asked.
    fn length(&self, nodes: &[usize], shape: RouteShape) -> f64 {
        let inner: f64 = nodes.windows(2).map(|w| self.d(w[0], w[1])).sum();
        let (Some(first), Some(last)) = (nodes.first(), nodes.last()) else {
            return 0.0;
        };
        let mut total = inner;
        if self.has_depot {
            total += self.d(0, *first);
            if shape.round_trip {
                total += self.d(*last, 0);
            }
        } else if shape.round_trip {
            total += self.d(*last, *first);
        }
        total
    }
}

/// Nearest neighbour from the depot (or from the first stop when there is none).
fn nearest_neighbour(matrix: &Matrix, count: usize) -> Vec<usize> {
    if count == 0 {
        return Vec::new();
    }
    let mut remaining: Vec<usize> = (1..=count).collect();
    let mut order = Vec::with_capacity(count);
    let mut current = if matrix.has_depot {
        0
    } else {
        remaining.remove(0)
    };
    if !matrix.has_depot {
        order.push(current);
    }
    while !remaining.is_empty() {
        let (index, _) = remaining
            .iter()
            .enumerate()
            .map(|(i, node)| (i, matrix.d(current, *node)))
            .fold((0, f64::INFINITY), |best, candidate| {
                if candidate.1 < best.1 {
                    candidate
                } else {
                    best
                }
            });
        current = remaining.remove(index);
        order.push(current);
    }
    order
}

/// The ends of a route: a depot it starts from (node 0) and maybe returns to, or a closed
/// loop through the stops (round trip without a depot), or an open path.
#[derive(Clone, Copy)]
struct Ends {
    depot_start: bool,
    depot_end: bool,
    cyclic: bool,
}

impl Ends {
    fn of(matrix: &Matrix, shape: RouteShape) -> Self {
        Self {
            depot_start: matrix.has_depot,
            depot_end: matrix.has_depot && shape.round_trip,
            cyclic: !matrix.has_depot && shape.round_trip,
        }
    }

    /// What comes before the first stop of `seq`: the depot, the last stop of a loop, or nothing.
    fn head(self, seq: &[usize]) -> Option<usize> {
        if self.depot_start {
            Some(0)
        } else if self.cyclic {
            seq.last().copied()
        } else {
            None
        }
    }

    /// What comes after the last stop of `seq`: the depot, the first stop of a loop, or nothing.
    fn tail(self, seq: &[usize]) -> Option<usize> {
        if self.depot_end {
            Some(0)
        } else if self.cyclic {
            seq.first().copied()
        } else {
            None
        }
    }

    /// The node before position `i` of `seq`, if any.
    fn before(self, seq: &[usize], i: usize) -> Option<usize> {
        if i > 0 {
            Some(seq[i - 1])
        } else {
            self.head(seq)
        }
    }

    /// The node after position `j` of `seq`, if any.
    fn after(self, seq: &[usize], j: usize) -> Option<usize> {
        if j + 1 < seq.len() {
            Some(seq[j + 1])
        } else {
            self.tail(seq)
        }
    }
}

fn edge(matrix: &Matrix, a: Option<usize>, b: Option<usize>) -> f64 {
    match (a, b) {
        (Some(a), Some(b)) => matrix.d(a, b),
        _ => 0.0,
    }
}

/// Gains under a millimetre are noise, not improvements.
const EPSILON: f64 = 1e-3;

/// One pass of 2-opt: reverses the first segment whose reversal shortens the route.
fn two_opt(matrix: &Matrix, order: &mut [usize], ends: Ends) -> bool {
    let n = order.len();
    for i in 0..n {
        for j in i + 1..n {
            if ends.cyclic && i == 0 && j == n - 1 {
                continue; // reversing the whole loop changes nothing
            }
            let (before, after) = (ends.before(order, i), ends.after(order, j));
            let delta = edge(matrix, before, Some(order[j])) + edge(matrix, Some(order[i]), after)
                - edge(matrix, before, Some(order[i]))
                - edge(matrix, Some(order[j]), after);
            if delta < -EPSILON {
                order[i..=j].reverse();
                return true;
            }
        }
    }
    false
}

/// One pass of Or-opt: moves the first run of 1–3 stops (either way round) to the place
/// where it shortens the route.
fn or_opt(matrix: &Matrix, order: &mut Vec<usize>, ends: Ends) -> bool {
    let n = order.len();
    for length in 1..=3.min(n.saturating_sub(1)) {
        for start in 0..=n - length {
            let last = start + length - 1;
            let (first_node, last_node) = (order[start], order[last]);
            let (before, after) = (ends.before(order, start), ends.after(order, last));
            let gain = edge(matrix, before, Some(first_node))
                + edge(matrix, Some(last_node), after)
                - edge(matrix, before, after);
            let rest: Vec<usize> = order[..start]
                .iter()
                .chain(&order[last + 1..])
                .copied()
                .collect();
            for slot in 0..=rest.len() {
                let u = if slot > 0 {
                    Some(rest[slot - 1])
                } else {
                    ends.head(&rest)
                };
                let v = if slot < rest.len() {
                    Some(rest[slot])
                } else {
                    ends.tail(&rest)
                };
                let forward = edge(matrix, u, Some(first_node)) + edge(matrix, Some(last_node), v)
                    - edge(matrix, u, v);
                let backward = edge(matrix, u, Some(last_node)) + edge(matrix, Some(first_node), v)
                    - edge(matrix, u, v);
                let (cost, reversed) = if backward < forward {
                    (backward, true)
                } else {
                    (forward, false)
                };
                if cost - gain < -EPSILON {
                    let mut moved: Vec<usize> = order[start..=last].to_vec();
                    if reversed {
                        moved.reverse();
                    }
                    let mut next = rest;
                    next.splice(slot..slot, moved);
                    *order = next;
                    return true;
                }
            }
        }
    }
    false
}

/// Improves `order` with 2-opt and Or-opt moves, each priced by its change in length
/// alone, until neither finds a gain (or a generous cap on moves is reached).
fn improve(matrix: &Matrix, order: &mut Vec<usize>, shape: RouteShape) {
    if order.len() < 3 {
        return;
    }
    let ends = Ends::of(matrix, shape);
    let cap = 50 * order.len() * order.len();
    for _ in 0..cap {
        if !two_opt(matrix, order, ends) && !or_opt(matrix, order, ends) {
            break;
        }
    }
}

/// A short visiting order of `stops` (indices into `stops`), never longer than the
/// nearest-neighbour order.
#[must_use]
pub fn optimise(stops: &[GeoPoint], shape: RouteShape) -> Vec<usize> {
    let matrix = Matrix::new(stops, shape.depot);
    let mut order = nearest_neighbour(&matrix, stops.len());
    improve(&matrix, &mut order, shape);
    order.into_iter().map(|node| node - 1).collect()
}

/// The first optimiser on a ready matrix over [depot] + stops (for the benchmark).
#[must_use]
pub fn optimise_matrix_baseline(
    distances: &DistanceMatrix,
    has_depot: bool,
    round_trip: bool,
) -> Vec<usize> {
    let matrix = Matrix::from_distances(distances, has_depot);
    let shape = RouteShape {
        depot: None,
        round_trip,
    };
    let stops = distances.size() - usize::from(has_depot);
    let mut order = nearest_neighbour(&matrix, stops);
    improve(&matrix, &mut order, shape);
    order.into_iter().map(|node| node - 1).collect()
}

/// A closed tour through every node of `d`, nearest neighbour first from node 0.
pub(crate) fn nearest_neighbour_cycle(d: &DistanceMatrix) -> Vec<usize> {
    let n = d.size();
    let mut visited = vec![false; n];
    let mut tour = Vec::with_capacity(n);
    let mut current = 0;
    while tour.len() < n {
        visited[current] = true;
        tour.push(current);
        let next = (0..n)
            .filter(|&j| !visited[j])
            .min_by(|&a, &b| d.get(current, a).total_cmp(&d.get(current, b)));
        match next {
            Some(next) => current = next,
            None => break,
        }
    }
    tour
}

/// The nearest-neighbour order alone (for comparison in benchmarks).
#[must_use]
pub fn nearest_neighbour_order(stops: &[GeoPoint], shape: RouteShape) -> Vec<usize> {
    let matrix = Matrix::new(stops, shape.depot);
    nearest_neighbour(&matrix, stops.len())
        .into_iter()
        .map(|node| node - 1)
        .collect()
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod search_tests;
