//! Search use cases over the in-memory store and cache.

use super::*;
use crate::AppError;
use crate::Registry;
use crate::cache::CachedReads;
use crate::ports::AuditContext;
use crate::testing::{InMemoryCache, InMemoryStore, in_memory_registry};
use crate::use_cases::ContainerDraft;
use std::sync::Arc;
use std::time::Duration;
use tisseco_domain::*;

const TTLS: CacheTtls = CacheTtls {
    public_lookup: Duration::from_secs(60),
    staff_reads: Duration::from_secs(30),
};

struct World {
    registry: Registry,
    search: GeoSearchService,
    cache: Arc<InMemoryCache>,
    site: SiteId,
    store: Arc<InMemoryStore>,
}

async fn world() -> World {
    let (registry, store) = in_memory_registry();
    let cache = Arc::new(InMemoryCache::default());
    let registry = registry.with_cache(cache.clone());
    let search = GeoSearchService::new(
        store.clone(),
        store.clone(),
        CachedReads::new(cache.clone()),
        TTLS,
    );
    let new = NewSite {
        code: SiteCode::parse("lyon").unwrap(),
        name: Name::parse("Lyon").unwrap(),
    };
    let site = registry
        .create_site(new, &AuditContext::default())
        .await
        .unwrap()
        .id;
    World {
        registry,
        search,
        cache,
        site,
        store,
    }
}

impl World {
    async fn container(&self, lat: f64, lon: f64, status: ContainerStatus) -> Container {
        let draft = ContainerDraft {
            public_code: None,
            site_id: self.site,
            area_id: None,
            external_ref: None,
            kind: ContainerType::StreetBin,
            status,
            capacity: None,
            location: GeoPoint::new(lat, lon).unwrap(),
            address: None,
            installed_on: None,
            notes: None,
        };
        self.registry
            .create_container(draft, &AuditContext::default())
            .await
            .unwrap()
    }
}

fn centre() -> GeoPoint {
    GeoPoint::new(45.75, 4.85).unwrap()
}

fn field(error: AppError) -> String {
    match error {
        AppError::Invalid(e) => e.field,
        other => panic!("expected Invalid, got {other:?}"),
    }
}

#[tokio::test]
async fn radius_and_limit_are_checked_naming_the_parameter() {
    let w = world().await;
    for radius in [0.0, -1.0, MAX_RADIUS_M + 1.0, f64::NAN] {
        let err = w
            .search
            .radius(centre(), radius, GeoFilter::default(), None, None)
            .await;
        assert_eq!(field(err.unwrap_err()), "radius_m");
    }
    let err = w
        .search
        .radius(
            centre(),
            100.0,
            GeoFilter::default(),
            None,
            Some(MAX_SEARCH_LIMIT + 1),
        )
        .await;
    assert_eq!(field(err.unwrap_err()), "limit");
    let err = w
        .search
        .nearest(centre(), GeoFilter::default(), Some(0))
        .await;
    assert_eq!(field(err.unwrap_err()), "limit");
}

#[tokio::test]
async fn radius_pages_nearest_first_and_every_row_once() {
    let w = world().await;
    for i in 0..7 {
        w.container(45.75 + f64::from(i) * 0.001, 4.85, ContainerStatus::Active)
            .await;
    }
    w.container(46.75, 4.85, ContainerStatus::Active).await; // 111 km away
    let (mut seen, mut after) = (Vec::new(), None);
    loop {
        let page = w
            .search
            .radius(centre(), 5_000.0, GeoFilter::default(), after, Some(3))
            .await
            .unwrap();
        seen.extend(page.items.iter().map(|h| h.distance_m.unwrap()));
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    assert_eq!(seen.len(), 7);
    assert!(seen.windows(2).all(|w| w[0] <= w[1]), "{seen:?}");
}

#[tokio::test]
async fn nearest_and_filters_combine() {
    let w = world().await;
    let near = w.container(45.7501, 4.85, ContainerStatus::Full).await;
    w.container(45.7502, 4.85, ContainerStatus::Active).await;
    let filter = GeoFilter {
        statuses: vec![ContainerStatus::Full],
        ..GeoFilter::default()
    };
    let hits = w.search.nearest(centre(), filter, Some(5)).await.unwrap();
    assert_eq!(
        hits.iter().map(|h| h.container.id).collect::<Vec<_>>(),
        vec![near.id]
    );
}

#[tokio::test]
async fn the_public_lookup_is_cached_and_a_write_invalidates_it() {
    let w = world().await;
    w.container(45.7501, 4.85, ContainerStatus::Active).await;
    w.container(45.7502, 4.85, ContainerStatus::Damaged).await;
    let render = |page: SearchPage| Ok(page.items.len().to_string().into_bytes());
    let first = w
        .search
        .public_nearby(centre(), 1_000.0, None, render)
        .await
        .unwrap();
    assert_eq!(&*first, b"1", "only active containers");
    // Served from the cache even though the store changes behind its back…
    let hits_before = w.cache.hits.load(std::sync::atomic::Ordering::SeqCst);
    let again = w
        .search
        .public_nearby(centre(), 1_000.0, None, render)
        .await
        .unwrap();
    assert_eq!(&*again, b"1");
    assert!(w.cache.hits.load(std::sync::atomic::Ordering::SeqCst) > hits_before);
    // …until a container write bumps the namespace.
    w.container(45.7503, 4.85, ContainerStatus::Active).await;
    let fresh = w
        .search
        .public_nearby(centre(), 1_000.0, None, render)
        .await
        .unwrap();
    assert_eq!(&*fresh, b"2");
    let err = w
        .search
        .public_nearby(centre(), MAX_PUBLIC_RADIUS_M * 2.0, None, render)
        .await;
    assert_eq!(field(err.unwrap_err()), "radius_m");
}

#[tokio::test]
async fn an_area_search_needs_a_known_area_with_a_boundary() {
    let w = world().await;
    let render = |page: SearchPage| Ok(page.items.len().to_string().into_bytes());
    let unknown = AreaId::from(uuid::Uuid::now_v7());
    let err = w
        .search
        .area(unknown, GeoFilter::default(), None, None, "t", render)
        .await;
    assert!(matches!(err, Err(AppError::NotFound { .. })));
    let square = vec![
        [4.84, 45.74],
        [4.86, 45.74],
        [4.86, 45.76],
        [4.84, 45.76],
        [4.84, 45.74],
    ];
    let new = NewArea {
        site_id: w.site,
        code: AreaCode::parse("centre").unwrap(),
        name: Name::parse("Centre").unwrap(),
        boundary: Some(MultiPolygon::from_polygon_coordinates("boundary", &[square]).unwrap()),
    };
    let area = w
        .registry
        .create_area(new, &AuditContext::default())
        .await
        .unwrap();
    w.container(45.75, 4.85, ContainerStatus::Active).await;
    w.container(45.80, 4.85, ContainerStatus::Active).await;
    let found = w
        .search
        .area(area.id, GeoFilter::default(), None, None, "t", render)
        .await
        .unwrap();
    assert_eq!(&*found, b"1");
    assert_eq!(w.store.all_containers().len(), 2);
}
