//! Visiting orders: great-circle distances, and a short order through all stops
//! (nearest neighbour, then 2-opt and Or-opt until no move shortens the route).
//! Deterministic: the same input always gives the same order.

use crate::GeoPoint;

const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// Distance on the sphere, in metres (haversine).
#[must_use]
pub fn distance_m(a: GeoPoint, b: GeoPoint) -> f64 {
    let (lat1, lat2) = (a.latitude().to_radians(), b.latitude().to_radians());
    let dlat = lat2 - lat1;
    let dlon = (b.longitude() - a.longitude()).to_radians();
    let h = (dlat / 2.0).sin().powi(2) + lat1.cos() * lat2.cos() * (dlon / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_M * h.sqrt().min(1.0).asin()
}

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
        let offset = usize::from(depot.is_none());
        // Node numbering: 0 is the depot; without one, node 0 is unused and stops start at 1.
        let size = nodes.len() + offset;
        let mut cells = vec![0.0; size * size];
        for (i, a) in nodes.iter().enumerate() {
            for (j, b) in nodes.iter().enumerate() {
                cells[(i + offset) * size + (j + offset)] = distance_m(*a, *b);
            }
        }
        Self {
            size,
            cells,
            has_depot: depot.is_some(),
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

/// Improves `order` in place with 2-opt segment reversals and Or-opt moves of 1–3 stops,
/// accepting a move only when it shortens the route by more than a millimetre.
fn improve(matrix: &Matrix, order: &mut Vec<usize>, shape: RouteShape) {
    const EPSILON: f64 = 1e-3;
    let n = order.len();
    if n < 3 {
        return;
    }
    let mut best = matrix.length(order, shape);
    let mut improved = true;
    let mut rounds = 0;
    while improved && rounds < 100 {
        improved = false;
        rounds += 1;
        for i in 0..n - 1 {
            for j in i + 1..n {
                order[i..=j].reverse();
                let length = matrix.length(order, shape);
                if length + EPSILON < best {
                    best = length;
                    improved = true;
                } else {
                    order[i..=j].reverse();
                }
            }
        }
        for segment in 1..=3.min(n - 1) {
            for from in 0..=n - segment {
                for to in 0..=n - segment {
                    if to == from {
                        continue;
                    }
                    let mut candidate = order.clone();
                    let moved: Vec<usize> = candidate.drain(from..from + segment).collect();
                    candidate.splice(to..to, moved);
                    let length = matrix.length(&candidate, shape);
                    if length + EPSILON < best {
                        best = length;
                        *order = candidate;
                        improved = true;
                    }
                }
            }
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
