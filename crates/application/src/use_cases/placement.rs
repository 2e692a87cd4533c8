//! A container stands within its area: the store measures the distance to the area's
//! boundary, the domain's tolerance decides (`tisseco_domain::placement`).

use super::Registry;
use crate::AppError;
use tisseco_domain::placement::AreaTolerance;
use tisseco_domain::{AreaId, GeoPoint};

impl Registry {
    /// How far outside its area's boundary a container may stand (`AREA_TOLERANCE_METRES`).
    #[must_use]
    pub fn with_area_tolerance(mut self, tolerance: AreaTolerance) -> Self {
        self.area_tolerance = tolerance;
        self
    }

    /// # Errors
    /// `Invalid` on `field` when `point` lies farther outside `area` than the tolerance,
    /// saying when the swapped latitude and longitude would fit; `Unavailable`.
    pub(crate) async fn require_within_area(
        &self,
        area: AreaId,
        point: GeoPoint,
        field: &str,
    ) -> Result<(), AppError> {
        match self.queries.area_distance(area, point).await? {
            Some(distance) => self
                .area_tolerance
                .check(distance)
                .map_err(|outside| AppError::Invalid(outside.to_validation(field))),
            None => Ok(()),
        }
    }
}
