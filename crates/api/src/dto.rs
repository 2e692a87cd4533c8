//! The JSON shapes of the API and their conversion from and into domain values.

use serde::{Deserialize, Deserializer, Serialize};
use tisseco_domain::{GeoPoint, MultiPolygon, ValidationError};
use utoipa::ToSchema;

/// Tells "absent" (leave as is) from `null` (clear) in a PATCH body.
pub fn nullable<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// Parses an optional value, reporting errors under `field`.
pub fn parse_optional<T>(
    value: Option<&str>,
    parse: impl Fn(&str) -> Result<T, ValidationError>,
) -> Result<Option<T>, ValidationError> {
    value.map(parse).transpose()
}

/// Parses a PATCH value that may be absent, `null` or set.
pub fn parse_patch<T>(
    value: Option<Option<&str>>,
    parse: impl Fn(&str) -> Result<T, ValidationError>,
) -> Result<Option<Option<T>>, ValidationError> {
    value.map(|inner| inner.map(&parse).transpose()).transpose()
}

/// A WGS 84 position.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Location {
    /// -90 to 90.
    #[schema(example = 45.7578)]
    pub latitude: f64,
    /// -180 to 180.
    #[schema(example = 4.832)]
    pub longitude: f64,
}

impl Location {
    /// # Errors
    /// When a coordinate is out of range (the field is `location.latitude` or `.longitude`).
    pub fn try_into_domain(self) -> Result<GeoPoint, ValidationError> {
        GeoPoint::new(self.latitude, self.longitude)
            .and_then(GeoPoint::placed)
            .map_err(|e| e.within("location"))
    }
}

impl From<GeoPoint> for Location {
    fn from(point: GeoPoint) -> Self {
        Self {
            latitude: point.latitude(),
            longitude: point.longitude(),
        }
    }
}

/// A GeoJSON (RFC 7946) Polygon or MultiPolygon, positions as `[longitude, latitude]`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(tag = "type")]
pub enum Boundary {
    Polygon {
        coordinates: Vec<Vec<[f64; 2]>>,
    },
    MultiPolygon {
        coordinates: Vec<Vec<Vec<[f64; 2]>>>,
    },
}

impl Boundary {
    /// # Errors
    /// When a ring is open, too short, crosses itself or a position is out of range.
    pub fn try_into_domain(&self) -> Result<MultiPolygon, ValidationError> {
        match self {
            Self::Polygon { coordinates } => {
                MultiPolygon::from_polygon_coordinates("boundary", coordinates)
            }
            Self::MultiPolygon { coordinates } => {
                MultiPolygon::from_coordinates("boundary", coordinates)
            }
        }
    }
}

impl From<&MultiPolygon> for Boundary {
    fn from(boundary: &MultiPolygon) -> Self {
        Self::MultiPolygon {
            coordinates: boundary.to_coordinates(),
        }
    }
}

/// A page of results and the cursor of the next page (absent on the last page).
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T: ToSchema> {
    pub items: Vec<T>,
    /// Pass as `after` (or `before` for history) to get the next page.
    pub next_cursor: Option<String>,
}

impl<T: ToSchema> Page<T> {
    pub fn from_page<D, C: ToString>(
        page: tisseco_application::use_cases::Page<D, C>,
        map: impl Fn(D) -> T,
    ) -> Self {
        Self {
            items: page.items.into_iter().map(map).collect(),
            next_cursor: page.next.map(|c| c.to_string()),
        }
    }
}

/// A response carrying one versioned entity, with its `ETag` for later `If-Match`.
pub fn versioned<T: Serialize>(
    status: actix_web::http::StatusCode,
    version: i32,
    body: &T,
) -> actix_web::HttpResponse {
    actix_web::HttpResponse::build(status)
        .insert_header((actix_web::http::header::ETAG, format!("\"{version}\"")))
        .json(body)
}
