//! Rules of geographic search: bounding boxes and great-circle distances on the sphere.

use crate::{GeoPoint, MultiPolygon, Ring, ValidationError};

/// The mean earth radius PostGIS uses for sphere distances (`geography`, `use_spheroid =
/// false`), so that the in-memory search and the database agree to the millimetre.
pub const EARTH_RADIUS_M: f64 = 6_371_008.771_4;

/// Great-circle distance in metres between two points (haversine on the sphere).
#[must_use]
pub fn great_circle_m(a: GeoPoint, b: GeoPoint) -> f64 {
    let (lat1, lat2) = (a.latitude().to_radians(), b.latitude().to_radians());
    let d_lat = lat2 - lat1;
    let d_lon = (b.longitude() - a.longitude()).to_radians();
    let h = (d_lat / 2.0).sin().powi(2) + lat1.cos() * lat2.cos() * (d_lon / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_M * h.sqrt().min(1.0).asin()
}

/// A longitude/latitude box, edges included (`min_lon ≤ max_lon`, so it never crosses the
/// antimeridian: split such a box in two).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BBox {
    min: GeoPoint,
    max: GeoPoint,
}

impl BBox {
    /// From the four numbers of an OGC/GeoJSON `bbox`: `min_lon, min_lat, max_lon, max_lat`.
    ///
    /// # Errors
    /// `field` (usually `bbox`) when a value is out of range or a minimum exceeds its maximum.
    pub fn new(field: &str, values: [f64; 4]) -> Result<Self, ValidationError> {
        let [min_lon, min_lat, max_lon, max_lat] = values;
        let min = GeoPoint::new(min_lat, min_lon).map_err(|e| e.within(field))?;
        let max = GeoPoint::new(max_lat, max_lon).map_err(|e| e.within(field))?;
        if min_lon > max_lon {
            return Err(ValidationError::new(
                field,
                format!("min longitude {min_lon} is greater than max longitude {max_lon}"),
            ));
        }
        if min_lat > max_lat {
            return Err(ValidationError::new(
                field,
                format!("min latitude {min_lat} is greater than max latitude {max_lat}"),
            ));
        }
        Ok(Self { min, max })
    }

    /// `[min_lon, min_lat, max_lon, max_lat]`.
    #[must_use]
    pub fn to_array(&self) -> [f64; 4] {
        [
            self.min.longitude(),
            self.min.latitude(),
            self.max.longitude(),
            self.max.latitude(),
        ]
    }

    #[must_use]
    pub fn contains(&self, point: GeoPoint) -> bool {
        (self.min.longitude()..=self.max.longitude()).contains(&point.longitude())
            && (self.min.latitude()..=self.max.latitude()).contains(&point.latitude())
    }

    /// The centre, in longitude/latitude degrees.
    #[must_use]
    pub fn centre(&self) -> [f64; 2] {
        [
            f64::midpoint(self.min.longitude(), self.max.longitude()),
            f64::midpoint(self.min.latitude(), self.max.latitude()),
        ]
    }
}

/// Whether `point` lies inside `area` (holes excluded), with straight edges in
/// longitude/latitude as RFC 7946 prescribes; the in-memory twin of `ST_Intersects`.
#[must_use]
pub fn polygon_contains(area: &MultiPolygon, point: GeoPoint) -> bool {
    area.polygons().iter().any(|polygon| {
        let mut rings = polygon.rings().iter();
        rings
            .next()
            .is_some_and(|outer| ring_contains(outer, point))
            && !rings.any(|hole| ring_contains(hole, point))
    })
}

/// Ray casting (even-odd rule).
fn ring_contains(ring: &Ring, point: GeoPoint) -> bool {
    let (x, y) = (point.longitude(), point.latitude());
    let mut inside = false;
    for edge in ring.points().windows(2) {
        let (a, b) = (edge[0], edge[1]);
        let (ax, ay, bx, by) = (a.longitude(), a.latitude(), b.longitude(), b.latitude());
        if (ay > y) != (by > y) && x < (bx - ax) * (y - ay) / (by - ay) + ax {
            inside = !inside;
        }
    }
    inside
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(lat: f64, lon: f64) -> GeoPoint {
        GeoPoint::new(lat, lon).unwrap()
    }

    #[test]
    fn one_degree_of_latitude_is_about_111_km() {
        let d = great_circle_m(p(0.0, 0.0), p(1.0, 0.0));
        assert!((d - 111_195.08).abs() < 1.0, "{d}");
    }

    #[test]
    fn distance_across_the_antimeridian_is_short() {
        let d = great_circle_m(p(0.0, 179.999), p(0.0, -179.999));
        assert!(d < 250.0, "{d}");
    }

    #[test]
    fn all_meridians_meet_at_the_pole() {
        assert!(great_circle_m(p(90.0, 0.0), p(90.0, 120.0)) < 1e-6);
    }

    #[test]
    fn a_box_checks_its_order_and_names_the_field() {
        assert!(BBox::new("bbox", [4.8, 45.7, 4.9, 45.8]).is_ok());
        let err = BBox::new("bbox", [4.9, 45.7, 4.8, 45.8]).unwrap_err();
        assert_eq!(err.field, "bbox");
        let err = BBox::new("bbox", [4.8, 45.9, 4.9, 45.8]).unwrap_err();
        assert!(err.reason.contains("latitude"));
        let err = BBox::new("bbox", [4.8, 45.7, 4.9, 95.0]).unwrap_err();
        assert_eq!(err.field, "bbox.latitude");
    }

    #[test]
    fn a_polygon_with_a_hole_excludes_the_hole() {
        let outer = vec![[0.0, 0.0], [4.0, 0.0], [4.0, 4.0], [0.0, 4.0], [0.0, 0.0]];
        let hole = vec![[1.0, 1.0], [3.0, 1.0], [3.0, 3.0], [1.0, 3.0], [1.0, 1.0]];
        let area = MultiPolygon::from_polygon_coordinates("p", &[outer, hole]).unwrap();
        assert!(polygon_contains(&area, p(0.5, 0.5)));
        assert!(!polygon_contains(&area, p(2.0, 2.0)));
        assert!(!polygon_contains(&area, p(5.0, 5.0)));
    }

    #[test]
    fn a_box_contains_its_edges() {
        let b = BBox::new("bbox", [0.0, 0.0, 1.0, 1.0]).unwrap();
        assert!(b.contains(p(1.0, 1.0)) && !b.contains(p(1.1, 0.5)));
        assert_eq!(b.centre(), [0.5, 0.5]);
    }
}
