//! The `GeoSearch` port: containers by radius, nearest, bounding box or polygon, with
//! filters and keyset pages.

use crate::ports::RepoError;
use crate::use_cases::Page;
use async_trait::async_trait;
use std::fmt;
use std::str::FromStr;
use tisseco_domain::{
    AreaId, BBox, Container, ContainerId, ContainerStatus, ContainerType, GeoPoint, MultiPolygon,
    SiteId, ValidationError,
};

/// Where to look.
#[derive(Debug, Clone)]
pub enum Shape {
    /// Within `metres` (great circle) of `centre`, nearest first.
    Radius { centre: GeoPoint, metres: f64 },
    /// Anywhere, nearest to `centre` first.
    Nearest { centre: GeoPoint },
    /// Inside the box (edges included).
    BBox(BBox),
    /// Inside the polygons (edges included, holes excluded; RFC 7946 straight edges).
    Polygon(MultiPolygon),
}

impl Shape {
    /// For boxes and polygons: the centre of their extent, in `[longitude, latitude]`.
    /// Results are ordered by planar distance to it, which the GiST index serves.
    #[must_use]
    pub fn planar_centre(&self) -> Option<[f64; 2]> {
        match self {
            Self::BBox(bbox) => Some(bbox.centre()),
            Self::Polygon(area) => {
                let (mut min, mut max) = ([f64::MAX; 2], [f64::MIN; 2]);
                for ring in area.polygons().iter().flat_map(|p| p.rings()) {
                    for point in ring.points() {
                        let xy = [point.longitude(), point.latitude()];
                        for axis in 0..2 {
                            min[axis] = min[axis].min(xy[axis]);
                            max[axis] = max[axis].max(xy[axis]);
                        }
                    }
                }
                Some([f64::midpoint(min[0], max[0]), f64::midpoint(min[1], max[1])])
            }
            Self::Radius { .. } | Self::Nearest { .. } => None,
        }
    }
}

/// Filters that combine with AND; an empty list means "any". Archived containers never match.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct GeoFilter {
    pub kinds: Vec<ContainerType>,
    pub statuses: Vec<ContainerStatus>,
    pub site_id: Option<SiteId>,
    pub area_id: Option<AreaId>,
}

impl GeoFilter {
    /// Whether `container` passes (the in-memory search uses this; SQL mirrors it).
    #[must_use]
    pub fn matches(&self, container: &Container) -> bool {
        !container.is_archived()
            && (self.kinds.is_empty() || self.kinds.contains(&container.kind))
            && (self.statuses.is_empty() || self.statuses.contains(&container.status))
            && self.site_id.is_none_or(|s| s == container.site_id)
            && self.area_id.is_none_or(|a| Some(a) == container.area_id)
    }
}

/// Where a page starts: strictly after `(key, id)` in the search's order. For radius and
/// nearest the key is the distance in metres; for boxes and polygons it is the planar
/// distance in degrees to the shape's centre (an order the GiST index serves).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GeoCursor {
    pub key: f64,
    pub id: ContainerId,
}

impl fmt::Display for GeoCursor {
    /// Opaque to clients: the exact bits of the key, then the id.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:016x}.{}", self.key.to_bits(), self.id.0.simple())
    }
}

impl FromStr for GeoCursor {
    type Err = ValidationError;

    fn from_str(value: &str) -> Result<Self, ValidationError> {
        let invalid = || ValidationError::new("after", "not a cursor this API returned");
        let (bits, id) = value.split_once('.').ok_or_else(invalid)?;
        let key = f64::from_bits(u64::from_str_radix(bits, 16).map_err(|_| invalid())?);
        let id = uuid::Uuid::parse_str(id).map_err(|_| invalid())?;
        if !key.is_finite() || bits.len() != 16 {
            return Err(invalid());
        }
        Ok(Self { key, id: id.into() })
    }
}

/// One search request, already validated.
#[derive(Debug, Clone)]
pub struct GeoQuery {
    pub shape: Shape,
    pub filter: GeoFilter,
    pub after: Option<GeoCursor>,
    pub limit: u32,
}

/// A container found, with its place in the order.
#[derive(Debug, Clone)]
pub struct GeoHit {
    pub container: Container,
    /// Metres from the centre, for radius and nearest searches.
    pub distance_m: Option<f64>,
    pub cursor: GeoCursor,
}

/// Spatial queries over the containers.
#[async_trait]
pub trait GeoSearch: Send + Sync {
    /// Live containers in `query.shape` that pass `query.filter`, after `query.after`, in
    /// `(cursor.key, id)` order: at most `query.limit` of them, and the cursor of the next
    /// page when more follow. A page may hold fewer than `limit` items while more follow
    /// (rows tied on the key are never split in a way that could skip one); `next` is
    /// what tells. Runs on an index; never scans the table.
    ///
    /// # Errors
    /// `Unavailable` when the store can't be reached or the statement times out,
    /// `Unexpected` for any other store failure.
    async fn search(&self, query: &GeoQuery) -> Result<Page<GeoHit, GeoCursor>, RepoError>;

    /// `[minLon, minLat, maxLon, maxLat]` of the live containers, `None` when there is none.
    ///
    /// # Errors
    /// As [`Self::search`].
    async fn extent(&self) -> Result<Option<[f64; 4]>, RepoError>;
}
