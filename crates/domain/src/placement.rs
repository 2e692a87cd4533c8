//! A container lies within its area: a point farther than a tolerance outside the area's
//! boundary is refused (a swapped latitude and longitude put a Málaga bin in East Africa,
//! where the area's list found it and its map did not). The distance is measured by the
//! store (PostGIS, in metres on the sphere); the rule and its tolerance live here.

use crate::{GeoPoint, ValidationError};

/// How far outside its area's boundary a container may stand, in metres: a bin on the
/// far pavement of a border street belongs to the area all the same.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AreaTolerance(f64);

impl AreaTolerance {
    /// The default, 250 m (`AREA_TOLERANCE_METRES`).
    pub const DEFAULT_METRES: f64 = 250.0;

    /// # Errors
    /// When `metres` is negative or not a number.
    pub fn metres(metres: f64) -> Result<Self, ValidationError> {
        if metres.is_finite() && metres >= 0.0 {
            Ok(Self(metres))
        } else {
            Err(ValidationError::new(
                "AREA_TOLERANCE_METRES",
                "must be a number of metres, 0 or more",
            ))
        }
    }

    #[must_use]
    pub fn get(self) -> f64 {
        self.0
    }

    /// Whether a point `distance` away from its area's boundary may stay in that area.
    ///
    /// # Errors
    /// [`OutsideArea`], saying whether the swapped point would have fitted.
    pub fn check(self, distance: AreaDistance) -> Result<(), OutsideArea> {
        if distance.metres <= self.0 {
            return Ok(());
        }
        Err(OutsideArea {
            metres: distance.metres,
            tolerance: self.0,
            swapped_fits: distance.swapped_metres.is_some_and(|m| m <= self.0),
        })
    }
}

impl Default for AreaTolerance {
    fn default() -> Self {
        Self(Self::DEFAULT_METRES)
    }
}

/// How far a point lies from an area's boundary (0 inside it), and the same point with its
/// latitude and longitude swapped (`None` when that is no point on earth).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AreaDistance {
    pub metres: f64,
    pub swapped_metres: Option<f64>,
}

/// The point, swapped: the candidate a store measures too.
#[must_use]
pub fn swapped(point: GeoPoint) -> Option<GeoPoint> {
    GeoPoint::new(point.longitude(), point.latitude()).ok()
}

/// A container too far outside its area.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OutsideArea {
    pub metres: f64,
    pub tolerance: f64,
    /// With latitude and longitude swapped, the point would lie within the area.
    pub swapped_fits: bool,
}

impl OutsideArea {
    /// Whole metres, as people read them.
    #[must_use]
    pub fn whole_metres(&self) -> u64 {
        whole(self.metres)
    }

    /// The reason code of an import row (`outside-area:<metres>:<tolerance>`, or
    /// `outside-area-swapped:…` when swapping the coordinates would fit); the words are in the
    /// message files.
    #[must_use]
    pub fn reason_code(&self) -> String {
        let name = if self.swapped_fits {
            "outside-area-swapped"
        } else {
            "outside-area"
        };
        format!("{name}:{}:{}", self.whole_metres(), whole(self.tolerance))
    }

    /// The refusal of an API request, on `field`.
    #[must_use]
    pub fn to_validation(&self, field: &str) -> ValidationError {
        let mut reason = format!(
            "lies {} m outside the boundary of its area (tolerance {} m)",
            self.whole_metres(),
            whole(self.tolerance)
        );
        if self.swapped_fits {
            reason.push_str(
                "; latitude and longitude look swapped: swapped, the point lies within the area",
            );
        }
        ValidationError::new(field, reason)
    }
}

#[expect(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    reason = "a distance on earth, rounded, fits easily"
)]
fn whole(metres: f64) -> u64 {
    metres.max(0.0).round() as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn within_the_tolerance_a_point_belongs_to_its_area() {
        let tolerance = AreaTolerance::default();
        let at = |metres| AreaDistance {
            metres,
            swapped_metres: None,
        };
        assert_eq!(tolerance.check(at(0.0)), Ok(()));
        assert_eq!(tolerance.check(at(250.0)), Ok(()));
        let outside = tolerance.check(at(251.4)).unwrap_err();
        assert_eq!(outside.reason_code(), "outside-area:251:250");
        assert!(!outside.swapped_fits);
    }

    #[test]
    fn a_swapped_point_that_fits_is_named() {
        let outside = AreaTolerance::default()
            .check(AreaDistance {
                metres: 6_512_345.6,
                swapped_metres: Some(0.0),
            })
            .unwrap_err();
        assert_eq!(outside.reason_code(), "outside-area-swapped:6512346:250");
        let error = outside.to_validation("location");
        assert_eq!(error.field, "location");
        assert!(error.reason.contains("swapped"), "{}", error.reason);
        assert_eq!(
            swapped(GeoPoint::new(36.72, -4.42).unwrap()),
            Some(GeoPoint::new(-4.42, 36.72).unwrap())
        );
        assert_eq!(swapped(GeoPoint::new(45.0, 120.0).unwrap()), None);
    }

    #[test]
    fn a_tolerance_is_a_distance() {
        assert!(AreaTolerance::metres(-1.0).is_err());
        assert!(AreaTolerance::metres(f64::NAN).is_err());
        assert_eq!(AreaTolerance::metres(0.0).map(AreaTolerance::get), Ok(0.0));
    }
}
