//! The search use cases: check the limits, run one query, cache what is worth caching.

use super::port::{GeoCursor, GeoFilter, GeoHit, GeoQuery, GeoSearch, Shape};
use crate::AppError;
use crate::cache::{CONTAINERS, CacheKey, Cached, CachedReads, Scope};
use crate::ports::Repository;
use crate::use_cases::Page;
use std::sync::Arc;
use std::time::Duration;
use tisseco_domain::{
    Area, AreaId, BBox, ContainerStatus, GeoPoint, MultiPolygon, ValidationError,
};

/// Staff searches: page size default and maximum, and the largest radius.
pub const DEFAULT_SEARCH_LIMIT: u32 = 50;
pub const MAX_SEARCH_LIMIT: u32 = 500;
pub const MAX_RADIUS_M: f64 = 50_000.0;
/// The public lookup: how many containers, and how far.
pub const DEFAULT_PUBLIC_LIMIT: u32 = 20;
pub const MAX_PUBLIC_LIMIT: u32 = 50;
pub const MAX_PUBLIC_RADIUS_M: f64 = 5_000.0;

/// A page of hits and the cursor of the next one.
pub type SearchPage = Page<GeoHit, GeoCursor>;

/// How long cached answers live (they are also invalidated by writes, via versions).
#[derive(Debug, Clone, Copy)]
pub struct CacheTtls {
    pub public_lookup: Duration,
    pub staff_reads: Duration,
}

/// Turns a page into the bytes of a response (the API's representation).
pub trait Render: FnOnce(SearchPage) -> Result<Vec<u8>, AppError> + Send + 'static {}
impl<F: FnOnce(SearchPage) -> Result<Vec<u8>, AppError> + Send + 'static> Render for F {}

/// The search use cases.
#[derive(Clone)]
pub struct GeoSearchService {
    geo: Arc<dyn GeoSearch>,
    areas: Arc<dyn Repository<Area>>,
    reads: CachedReads,
    ttls: CacheTtls,
}

impl std::fmt::Debug for GeoSearchService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GeoSearchService")
            .field("ttls", &self.ttls)
            .finish_non_exhaustive()
    }
}

fn limit_in(limit: Option<u32>, default: u32, max: u32) -> Result<u32, AppError> {
    match limit {
        None => Ok(default),
        Some(n) if (1..=max).contains(&n) => Ok(n),
        Some(_) => {
            Err(ValidationError::new("limit", format!("must be between 1 and {max}")).into())
        }
    }
}

fn radius_in(metres: f64, max: f64) -> Result<f64, AppError> {
    if metres.is_finite() && metres > 0.0 && metres <= max {
        Ok(metres)
    } else {
        Err(ValidationError::new(
            "radius_m",
            format!("must be more than 0 and at most {max} metres"),
        )
        .into())
    }
}

async fn page(geo: &dyn GeoSearch, query: GeoQuery) -> Result<SearchPage, AppError> {
    Ok(geo.search(&query).await?)
}

impl GeoSearchService {
    #[must_use]
    pub fn new(
        geo: Arc<dyn GeoSearch>,
        areas: Arc<dyn Repository<Area>>,
        reads: CachedReads,
        ttls: CacheTtls,
    ) -> Self {
        Self {
            geo,
            areas,
            reads,
            ttls,
        }
    }

    /// How long cached answers live.
    #[must_use]
    pub fn ttls(&self) -> CacheTtls {
        self.ttls
    }

    async fn run(
        &self,
        shape: Shape,
        filter: GeoFilter,
        after: Option<GeoCursor>,
        limit: Option<u32>,
    ) -> Result<SearchPage, AppError> {
        let limit = limit_in(limit, DEFAULT_SEARCH_LIMIT, MAX_SEARCH_LIMIT)?;
        page(
            self.geo.as_ref(),
            GeoQuery {
                shape,
                filter,
                after,
                limit,
            },
        )
        .await
    }

    /// Containers within `radius_m` metres of `centre`, nearest first.
    ///
    /// # Errors
    /// `Invalid` (`radius_m`, `limit`), or `Unavailable` from the store.
    pub async fn radius(
        &self,
        centre: GeoPoint,
        radius_m: f64,
        filter: GeoFilter,
        after: Option<GeoCursor>,
        limit: Option<u32>,
    ) -> Result<SearchPage, AppError> {
        let metres = radius_in(radius_m, MAX_RADIUS_M)?;
        self.run(Shape::Radius { centre, metres }, filter, after, limit)
            .await
    }

    /// The `limit` containers nearest to `centre` (default 50, at most 500).
    ///
    /// # Errors
    /// `Invalid` (`limit`), or `Unavailable` from the store.
    pub async fn nearest(
        &self,
        centre: GeoPoint,
        filter: GeoFilter,
        limit: Option<u32>,
    ) -> Result<Vec<GeoHit>, AppError> {
        let limit = limit_in(limit, DEFAULT_SEARCH_LIMIT, MAX_SEARCH_LIMIT)?;
        let query = GeoQuery {
            shape: Shape::Nearest { centre },
            filter,
            after: None,
            limit,
        };
        Ok(self.geo.search(&query).await?.items)
    }

    /// Containers inside a bounding box.
    ///
    /// # Errors
    /// `Invalid` (`limit`), or `Unavailable` from the store.
    pub async fn bbox(
        &self,
        bbox: BBox,
        filter: GeoFilter,
        after: Option<GeoCursor>,
        limit: Option<u32>,
    ) -> Result<SearchPage, AppError> {
        self.run(Shape::BBox(bbox), filter, after, limit).await
    }

    /// `[minLon, minLat, maxLon, maxLat]` of the live containers (a collection's extent).
    ///
    /// # Errors
    /// `Unavailable` from the store.
    pub async fn extent(&self) -> Result<Option<[f64; 4]>, AppError> {
        Ok(self.geo.extent().await?)
    }

    /// Containers inside a polygon or multipolygon.
    ///
    /// # Errors
    /// `Invalid` (`limit`), or `Unavailable` from the store.
    pub async fn polygon(
        &self,
        polygon: MultiPolygon,
        filter: GeoFilter,
        after: Option<GeoCursor>,
        limit: Option<u32>,
    ) -> Result<SearchPage, AppError> {
        self.run(Shape::Polygon(polygon), filter, after, limit)
            .await
    }

    /// Containers inside an area's boundary, rendered by `render` and cached (staff scope)
    /// under a key naming every input, including `representation`.
    ///
    /// # Errors
    /// `NotFound` for an unknown area, `Invalid` when it has no boundary or for `limit`,
    /// `Unavailable` from the store.
    pub async fn area(
        &self,
        area_id: AreaId,
        filter: GeoFilter,
        after: Option<GeoCursor>,
        limit: Option<u32>,
        representation: &str,
        render: impl Render,
    ) -> Result<Cached, AppError> {
        let limit = limit_in(limit, DEFAULT_SEARCH_LIMIT, MAX_SEARCH_LIMIT)?;
        let key = CacheKey {
            namespace: CONTAINERS,
            scope: Scope::Staff,
            request: format!(
                "area:{area_id}:{filter:?}:{}:{limit}:{representation}",
                after.map(|a| a.to_string()).unwrap_or_default()
            ),
        };
        let (geo, areas) = (self.geo.clone(), self.areas.clone());
        let load = async move {
            let area = areas
                .find(area_id)
                .await?
                .ok_or_else(|| AppError::NotFound {
                    entity: "area",
                    id: area_id.to_string(),
                })?;
            let boundary = area.boundary.ok_or_else(|| {
                ValidationError::new("area_id", "this area has no boundary to search in")
            })?;
            let query = GeoQuery {
                shape: Shape::Polygon(boundary),
                filter,
                after,
                limit,
            };
            render(page(geo.as_ref(), query).await?)
        };
        self.reads
            .get_or_load(&key, self.ttls.staff_reads, load)
            .await
    }

    /// Active containers near `centre` for the public (anonymous) lookup, rendered and
    /// cached for everybody. The centre is rounded to 4 decimals (about 11 m) so that
    /// nearby callers share entries; distances are from the rounded centre.
    ///
    /// # Errors
    /// `Invalid` (`radius_m`, `limit`), or `Unavailable` from the store.
    pub async fn public_nearby(
        &self,
        centre: GeoPoint,
        radius_m: f64,
        limit: Option<u32>,
        render: impl Render,
    ) -> Result<Cached, AppError> {
        let metres = radius_in(radius_m, MAX_PUBLIC_RADIUS_M)?;
        let limit = limit_in(limit, DEFAULT_PUBLIC_LIMIT, MAX_PUBLIC_LIMIT)?;
        let round = |v: f64| (v * 10_000.0).round() / 10_000.0;
        let centre = GeoPoint::new(round(centre.latitude()), round(centre.longitude()))?;
        let key = CacheKey {
            namespace: CONTAINERS,
            scope: Scope::Public,
            request: format!(
                "nearby:{:.4}:{:.4}:{metres}:{limit}",
                centre.latitude(),
                centre.longitude()
            ),
        };
        let geo = self.geo.clone();
        let load = async move {
            let filter = GeoFilter {
                statuses: vec![ContainerStatus::Active],
                ..GeoFilter::default()
            };
            let query = GeoQuery {
                shape: Shape::Radius { centre, metres },
                filter,
                after: None,
                limit,
            };
            let items = geo.search(&query).await?.items;
            render(Page { items, next: None })
        };
        self.reads
            .get_or_load(&key, self.ttls.public_lookup, load)
            .await
    }
}
