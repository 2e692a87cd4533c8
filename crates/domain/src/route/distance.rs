//! The distance port: where the lengths between stops come from. Great-circle by
//! default; a road-distance table (e.g. an OSRM `table` answer) can be handed in as a
//! ready matrix without the optimisers knowing the difference.

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

/// Lengths between every pair of a list of points (row-major, metres or any unit).
/// The optimisers assume it is symmetric: a road table should be symmetrised
/// (e.g. the mean of both directions) before it is used.
#[derive(Debug, Clone, PartialEq)]
pub struct DistanceMatrix {
    size: usize,
    cells: Vec<f64>,
}

impl DistanceMatrix {
    /// A `size` × `size` matrix whose cell (i, j) is `f(i, j)`.
    pub fn from_fn(size: usize, mut f: impl FnMut(usize, usize) -> f64) -> Self {
        let mut cells = Vec::with_capacity(size * size);
        for i in 0..size {
            for j in 0..size {
                cells.push(if i == j { 0.0 } else { f(i, j) });
            }
        }
        Self { size, cells }
    }

    #[must_use]
    pub fn size(&self) -> usize {
        self.size
    }

    /// The length from `a` to `b`.
    #[must_use]
    pub fn get(&self, a: usize, b: usize) -> f64 {
        self.cells[a * self.size + b]
    }

    /// Length of visiting `nodes` in order, closing the loop if `closed`.
    #[must_use]
    pub fn path_length(&self, nodes: &[usize], closed: bool) -> f64 {
        let inner: f64 = nodes.windows(2).map(|w| self.get(w[0], w[1])).sum();
        match (closed, nodes.first(), nodes.last()) {
            (true, Some(first), Some(last)) => inner + self.get(*last, *first),
            _ => inner,
        }
    }
}

/// A source of distances between points: the port a road-network adapter implements.
pub trait DistanceProvider {
    /// The matrix of distances between `points`, in metres, in their order.
    fn matrix(&self, points: &[GeoPoint]) -> DistanceMatrix;
}

/// Great-circle (haversine) distances: the default, needs nothing but coordinates.
#[derive(Debug, Clone, Copy, Default)]
pub struct GreatCircle;

impl DistanceProvider for GreatCircle {
    fn matrix(&self, points: &[GeoPoint]) -> DistanceMatrix {
        DistanceMatrix::from_fn(points.len(), |i, j| distance_m(points[i], points[j]))
    }
}
