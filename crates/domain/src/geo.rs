//! Geographic values in WGS 84 (EPSG:4326): points and area boundaries, validated.
//! Coordinates follow GeoJSON order (`[longitude, latitude]`).

use crate::ValidationError;
use serde::{Serialize, Serializer};

/// The most vertices an area boundary may have, counting every ring: enough for
/// a detailed district, small enough that validating it stays cheap.
pub const MAX_POLYGON_VERTICES: usize = 5_000;

/// A position on the earth.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct GeoPoint {
    latitude: f64,
    longitude: f64,
}

impl GeoPoint {
    /// # Errors
    /// When latitude is outside [-90, 90] or longitude outside [-180, 180] (or not a number).
    pub fn new(latitude: f64, longitude: f64) -> Result<Self, ValidationError> {
        if !latitude.is_finite() || !(-90.0..=90.0).contains(&latitude) {
            return Err(ValidationError::new(
                "latitude",
                format!("must be a number between -90 and 90, got {latitude}"),
            ));
        }
        if !longitude.is_finite() || !(-180.0..=180.0).contains(&longitude) {
            return Err(ValidationError::new(
                "longitude",
                format!("must be a number between -180 and 180, got {longitude}"),
            ));
        }
        Ok(Self {
            latitude,
            longitude,
        })
    }

    /// The point as a place where something stands: 0, 0 (the Gulf of Guinea, and `-0,-0`
    /// alike) is what missing coordinates become in spreadsheets, never a container.
    ///
    /// # Errors
    /// On 0, 0.
    pub fn placed(self) -> Result<Self, ValidationError> {
        if self.latitude == 0.0 && self.longitude == 0.0 {
            return Err(ValidationError::new(
                "latitude",
                "0, 0 lies in the Gulf of Guinea: the coordinates are missing or were lost",
            ));
        }
        Ok(self)
    }

    #[must_use]
    pub fn latitude(&self) -> f64 {
        self.latitude
    }

    #[must_use]
    pub fn longitude(&self) -> f64 {
        self.longitude
    }
}

/// A closed linear ring: first point equals the last, at least four points, no self-intersection.
#[derive(Debug, Clone, PartialEq)]
pub struct Ring(Vec<GeoPoint>);

impl Ring {
    /// Builds a ring from `[longitude, latitude]` pairs; `field` names it in errors.
    ///
    /// # Errors
    /// When a coordinate is out of range, the ring is not closed, has fewer than four
    /// points, encloses no area or crosses itself.
    pub fn from_coordinates(
        field: &str,
        coordinates: &[[f64; 2]],
    ) -> Result<Self, ValidationError> {
        let mut points: Vec<GeoPoint> = Vec::with_capacity(coordinates.len());
        for (index, [longitude, latitude]) in coordinates.iter().copied().enumerate() {
            let point = GeoPoint::new(latitude, longitude)
                .map_err(|e| e.within(&format!("{field}[{index}]")))?;
            // Repeated consecutive points are harmless; drop them.
            if points.last() != Some(&point) {
                points.push(point);
            }
        }
        if points.len() < 2 || points.first() != points.last() {
            return Err(ValidationError::new(
                field,
                "ring is not closed: the last point must repeat the first",
            ));
        }
        if points.len() < 4 {
            return Err(ValidationError::new(
                field,
                "ring needs at least 4 points (3 distinct corners and the closing point)",
            ));
        }
        let ring = Self(points);
        if ring.signed_area().abs() < f64::EPSILON {
            return Err(ValidationError::new(field, "ring encloses no area"));
        }
        if let Some((a, b)) = ring.first_self_intersection() {
            return Err(ValidationError::new(
                field,
                format!("ring crosses itself (segments {a} and {b})"),
            ));
        }
        Ok(ring)
    }

    #[must_use]
    pub fn points(&self) -> &[GeoPoint] {
        &self.0
    }

    fn signed_area(&self) -> f64 {
        self.0
            .windows(2)
            .map(|w| w[0].longitude * w[1].latitude - w[1].longitude * w[0].latitude)
            .sum::<f64>()
            / 2.0
    }

    /// The first pair of non-adjacent segments that touch or cross, if any. Quadratic,
    /// which [`MAX_POLYGON_VERTICES`] keeps cheap.
    fn first_self_intersection(&self) -> Option<(usize, usize)> {
        let segments: Vec<(GeoPoint, GeoPoint)> = self.0.windows(2).map(|w| (w[0], w[1])).collect();
        let last = segments.len() - 1;
        for i in 0..segments.len() {
            for j in (i + 2)..segments.len() {
                if i == 0 && j == last {
                    continue; // they share the closing point
                }
                if segments_touch(segments[i], segments[j]) {
                    return Some((i, j));
                }
            }
        }
        None
    }
}

fn orientation(a: GeoPoint, b: GeoPoint, c: GeoPoint) -> f64 {
    (b.longitude - a.longitude) * (c.latitude - a.latitude)
        - (b.latitude - a.latitude) * (c.longitude - a.longitude)
}

fn within_box(a: GeoPoint, b: GeoPoint, p: GeoPoint) -> bool {
    p.longitude >= a.longitude.min(b.longitude)
        && p.longitude <= a.longitude.max(b.longitude)
        && p.latitude >= a.latitude.min(b.latitude)
        && p.latitude <= a.latitude.max(b.latitude)
}

pub(crate) fn segments_touch(
    (p1, p2): (GeoPoint, GeoPoint),
    (p3, p4): (GeoPoint, GeoPoint),
) -> bool {
    let d1 = orientation(p3, p4, p1);
    let d2 = orientation(p3, p4, p2);
    let d3 = orientation(p1, p2, p3);
    let d4 = orientation(p1, p2, p4);
    if ((d1 > 0.0 && d2 < 0.0) || (d1 < 0.0 && d2 > 0.0))
        && ((d3 > 0.0 && d4 < 0.0) || (d3 < 0.0 && d4 > 0.0))
    {
        return true;
    }
    (d1 == 0.0 && within_box(p3, p4, p1))
        || (d2 == 0.0 && within_box(p3, p4, p2))
        || (d3 == 0.0 && within_box(p1, p2, p3))
        || (d4 == 0.0 && within_box(p1, p2, p4))
}

/// A polygon: an exterior ring and optional holes.
#[derive(Debug, Clone, PartialEq)]
pub struct Polygon {
    rings: Vec<Ring>,
}

impl Polygon {
    /// # Errors
    /// When there is no ring or one ring is invalid (see [`Ring::from_coordinates`]).
    pub fn from_coordinates(field: &str, rings: &[Vec<[f64; 2]>]) -> Result<Self, ValidationError> {
        if rings.is_empty() {
            return Err(ValidationError::new(
                field,
                "polygon needs an exterior ring",
            ));
        }
        let rings = rings
            .iter()
            .enumerate()
            .map(|(index, ring)| Ring::from_coordinates(&format!("{field}[{index}]"), ring))
            .collect::<Result<Vec<Ring>, _>>()?;
        crate::geo_holes::check_holes(field, &rings)?;
        Ok(Self { rings })
    }

    #[must_use]
    pub fn rings(&self) -> &[Ring] {
        &self.rings
    }
}

/// One or more polygons: the boundary of an area.
#[derive(Debug, Clone, PartialEq)]
pub struct MultiPolygon {
    polygons: Vec<Polygon>,
}

impl MultiPolygon {
    /// Builds from GeoJSON `MultiPolygon` coordinates; `field` names it in errors.
    ///
    /// # Errors
    /// When it is empty, has more than [`MAX_POLYGON_VERTICES`] vertices or a ring is invalid.
    pub fn from_coordinates(
        field: &str,
        polygons: &[Vec<Vec<[f64; 2]>>],
    ) -> Result<Self, ValidationError> {
        if polygons.is_empty() {
            return Err(ValidationError::new(field, "needs at least one polygon"));
        }
        let vertices: usize = polygons.iter().flatten().map(Vec::len).sum();
        if vertices > MAX_POLYGON_VERTICES {
            return Err(ValidationError::new(
                field,
                format!("has {vertices} vertices; at most {MAX_POLYGON_VERTICES} are allowed"),
            ));
        }
        let polygons = polygons
            .iter()
            .enumerate()
            .map(|(index, rings)| {
                Polygon::from_coordinates(&format!("{field}.coordinates[{index}]"), rings)
            })
            .collect::<Result<_, _>>()?;
        Ok(Self { polygons })
    }

    /// Builds from the rings of a single GeoJSON `Polygon`.
    ///
    /// # Errors
    /// As [`MultiPolygon::from_coordinates`].
    pub fn from_polygon_coordinates(
        field: &str,
        rings: &[Vec<[f64; 2]>],
    ) -> Result<Self, ValidationError> {
        Self::from_coordinates(field, &[rings.to_vec()]).map_err(|mut e| {
            e.field = e.field.replacen(
                &format!("{field}.coordinates[0]"),
                &format!("{field}.coordinates"),
                1,
            );
            e
        })
    }

    #[must_use]
    pub fn polygons(&self) -> &[Polygon] {
        &self.polygons
    }

    /// GeoJSON coordinates: polygons → rings → `[longitude, latitude]`.
    #[must_use]
    pub fn to_coordinates(&self) -> Vec<Vec<Vec<[f64; 2]>>> {
        self.polygons
            .iter()
            .map(|p| {
                p.rings
                    .iter()
                    .map(|r| r.0.iter().map(|q| [q.longitude, q.latitude]).collect())
                    .collect()
            })
            .collect()
    }
}

impl Serialize for MultiPolygon {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct GeoJson {
            r#type: &'static str,
            coordinates: Vec<Vec<Vec<[f64; 2]>>>,
        }
        GeoJson {
            r#type: "MultiPolygon",
            coordinates: self.to_coordinates(),
        }
        .serialize(serializer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn square() -> Vec<[f64; 2]> {
        vec![
            [4.80, 45.70],
            [4.90, 45.70],
            [4.90, 45.80],
            [4.80, 45.80],
            [4.80, 45.70],
        ]
    }

    #[test]
    fn accepts_points_in_range_including_the_edges() {
        assert!(GeoPoint::new(90.0, 180.0).is_ok());
        assert!(GeoPoint::new(-90.0, -180.0).is_ok());
    }

    #[test]
    fn refuses_latitude_out_of_range_naming_it() {
        assert_eq!(
            GeoPoint::new(91.0, 0.0).map_err(|e| e.field),
            Err("latitude".into())
        );
        assert_eq!(
            GeoPoint::new(f64::NAN, 0.0).map_err(|e| e.field),
            Err("latitude".into())
        );
    }

    #[test]
    fn refuses_longitude_out_of_range_naming_it() {
        assert_eq!(
            GeoPoint::new(0.0, 181.0).map_err(|e| e.field),
            Err("longitude".into())
        );
        assert_eq!(
            GeoPoint::new(0.0, f64::INFINITY).map_err(|e| e.field),
            Err("longitude".into())
        );
    }

    #[test]
    fn accepts_a_closed_square() {
        let polygon = MultiPolygon::from_polygon_coordinates("boundary", &[square()]);
        assert_eq!(
            polygon.map(|p| p.to_coordinates()),
            Ok(vec![vec![square()]])
        );
    }

    #[test]
    fn accepts_a_polygon_with_a_hole_and_a_multipolygon() {
        let hole = vec![[4.82, 45.72], [4.84, 45.72], [4.84, 45.74], [4.82, 45.72]];
        let other = vec![[5.0, 45.0], [5.1, 45.0], [5.1, 45.1], [5.0, 45.0]];
        let polygon =
            MultiPolygon::from_coordinates("boundary", &[vec![square(), hole], vec![other]]);
        assert_eq!(polygon.map(|p| p.polygons().len()), Ok(2));
    }

    #[test]
    fn refuses_an_open_ring() {
        let mut open = square();
        open.pop();
        let err = MultiPolygon::from_polygon_coordinates("boundary", &[open]).err();
        assert_eq!(err.map(|e| e.field), Some("boundary.coordinates[0]".into()));
    }

    #[test]
    fn refuses_a_ring_with_too_few_points() {
        let err = Ring::from_coordinates("r", &[[0.0, 0.0], [1.0, 1.0], [0.0, 0.0]]).err();
        assert!(err.is_some_and(|e| e.reason.contains("at least 4 points")));
    }

    #[test]
    fn refuses_a_flat_ring() {
        let err =
            Ring::from_coordinates("r", &[[0.0, 0.0], [1.0, 1.0], [2.0, 2.0], [0.0, 0.0]]).err();
        assert!(err.is_some_and(|e| e.reason.contains("no area")));
    }

    #[test]
    fn refuses_a_bow_tie() {
        let bow_tie = [[0.0, 0.0], [2.0, 2.0], [2.0, 0.0], [0.0, 1.0], [0.0, 0.0]];
        let err = Ring::from_coordinates("r", &bow_tie).err();
        assert!(err.is_some_and(|e| e.reason.contains("crosses itself")));
    }

    #[test]
    fn refuses_a_ring_that_touches_itself() {
        let pinched = [
            [0.0, 0.0],
            [2.0, 0.0],
            [1.0, 1.0],
            [2.0, 2.0],
            [0.0, 2.0],
            [1.0, 1.0],
            [0.0, 0.0],
        ];
        assert!(Ring::from_coordinates("r", &pinched).is_err());
    }

    #[test]
    fn ignores_repeated_consecutive_points() {
        let repeated = [[0.0, 0.0], [1.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 0.0]];
        assert_eq!(
            Ring::from_coordinates("r", &repeated).map(|r| r.points().len()),
            Ok(4)
        );
    }

    #[test]
    fn refuses_a_coordinate_out_of_range_naming_its_position() {
        let mut bad = square();
        bad[2] = [4.9, 95.0];
        let err = MultiPolygon::from_polygon_coordinates("boundary", &[bad]).err();
        assert_eq!(
            err.map(|e| e.field),
            Some("boundary.coordinates[0][2].latitude".into())
        );
    }

    #[test]
    fn refuses_too_many_vertices() {
        let many: Vec<[f64; 2]> = (0..=MAX_POLYGON_VERTICES)
            .map(|i| [i as f64 * 1e-6, 0.0])
            .collect();
        let err = MultiPolygon::from_polygon_coordinates("boundary", &[many]).err();
        assert!(err.is_some_and(|e| e.reason.contains("vertices")));
    }

    #[test]
    fn refuses_an_empty_multipolygon() {
        assert!(MultiPolygon::from_coordinates("boundary", &[]).is_err());
        assert!(MultiPolygon::from_coordinates("boundary", &[vec![]]).is_err());
    }
}
