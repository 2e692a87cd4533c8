//! The public lookup (public fields, ETag, 304, cached in the real Redis and invalidated
//! by writes), the area search, and OGC API Features.

use crate::cache::{cache_at, test_cache};
use crate::geo_world::{GeoWorld, ids};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::sync::Arc;

const NEARBY: &str = "/api/v1/public/containers/nearby?lat=45.75&lon=4.85&radius_m=800&limit=50";

#[tokio::test(flavor = "multi_thread")]
async fn the_public_lookup_is_public_cacheable_and_fresh_after_a_write() {
    let world = GeoWorld::with_cache(Arc::new(test_cache())).await;
    let response = world.app.get(NEARBY).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/geo+json");
    assert_eq!(response.headers()["cache-control"], "public, max-age=60");
    let etag = response.headers()["etag"].to_str().unwrap().to_owned();
    let body: Value = response.json().await.unwrap();
    let features = body["features"].as_array().unwrap();
    assert!(!features.is_empty());
    for feature in features {
        let properties = feature["properties"].as_object().unwrap();
        let mut keys: Vec<&str> = properties.keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(keys, ["address", "distance_m", "public_code", "type"]);
        assert_eq!(feature["id"], properties["public_code"], "no internal id");
    }
    let expected = world.live(|s| s.status == "active").len();
    assert!(features.len() <= expected);

    let again = world
        .app
        .request(reqwest::Method::GET, NEARBY)
        .header("If-None-Match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(again.headers()["etag"].to_str().unwrap(), etag);

    // A new active container right there: the next answer has it (the write bumped the version).
    let new = json!({"site_id": world.sites[0], "type": "street_bin", "location": {"latitude": 45.75, "longitude": 4.85}});
    assert_eq!(
        world.app.post("/api/v1/containers", &new).await.status(),
        201
    );
    let fresh = world
        .app
        .request(reqwest::Method::GET, NEARBY)
        .header("If-None-Match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(fresh.status(), 200);
    let body: Value = fresh.json().await.unwrap();
    assert_eq!(body["features"][0]["properties"]["distance_m"], 0.0);
    world.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_public_lookup_works_with_redis_down() {
    let world = GeoWorld::with_cache(Arc::new(cache_at("redis://127.0.0.1:1"))).await;
    for _ in 0..2 {
        let response = world.app.get(NEARBY).await;
        assert_eq!(response.status(), 200);
    }
    world.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_area_search_matches_its_boundary_and_follows_boundary_changes() {
    let world = GeoWorld::with_cache(Arc::new(test_cache())).await;
    let square = |lon: f64, lat: f64, size: f64| json!({"type": "Polygon", "coordinates": [[[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]]});
    let body = json!({"site_id": world.sites[0], "code": "centre", "name": "Centre", "boundary": square(4.83, 45.74, 0.02)});
    let area = crate::support::created(world.app.post("/api/v1/areas", &body).await).await;
    let path = format!(
        "/api/v1/containers/search/area/{}?limit=40",
        area["id"].as_str().unwrap()
    );
    let inside = |lon0: f64, lat0: f64, size: f64| -> Vec<uuid::Uuid> {
        world
            .live(|s| s.lon > lon0 && s.lon < lon0 + size && s.lat > lat0 && s.lat < lat0 + size)
            .iter()
            .map(|s| s.id)
            .collect()
    };
    let first = world.all_pages(&path).await;
    crate::geo_world::assert_same_set(&ids(&first), &inside(4.83, 45.74, 0.02), &[]);
    let cached = world.all_pages(&path).await;
    assert_eq!(ids(&cached), ids(&first));
    // Moving the boundary invalidates the cached pages.
    let etag = format!("\"{}\"", area["version"]);
    let patch = json!({"boundary": square(4.85, 45.75, 0.01)});
    let response = world
        .app
        .patch(
            &format!("/api/v1/areas/{}", area["id"].as_str().unwrap()),
            &etag,
            &patch,
        )
        .await;
    assert_eq!(response.status(), 200);
    let moved = world.all_pages(&path).await;
    crate::geo_world::assert_same_set(&ids(&moved), &inside(4.85, 45.75, 0.01), &[]);
    world.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn ogc_api_features_core() {
    let world = GeoWorld::new().await;
    let landing: Value = world.app.get("/api/v1/ogc").await.json().await.unwrap();
    let rels: Vec<&str> = landing["links"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["rel"].as_str().unwrap())
        .collect();
    for rel in ["self", "service-desc", "conformance", "data"] {
        assert!(rels.contains(&rel), "{rels:?}");
    }
    let conformance: Value = world
        .app
        .get("/api/v1/ogc/conformance")
        .await
        .json()
        .await
        .unwrap();
    assert!(
        conformance["conformsTo"]
            .to_string()
            .contains("ogcapi-features-1/1.0/conf/core")
    );
    let collections: Value = world
        .app
        .get("/api/v1/ogc/collections")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(collections["collections"][0]["id"], "containers");
    assert_eq!(
        world.app.get("/api/v1/ogc/collections/bins").await.status(),
        404
    );
    let collection: Value = world
        .app
        .get("/api/v1/ogc/collections/containers")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(collection["itemType"], "feature");

    let first = world
        .app
        .get("/api/v1/ogc/collections/containers/items")
        .await;
    assert_eq!(first.headers()["content-type"], "application/geo+json");
    let first: Value = first.json().await.unwrap();
    assert_eq!(first["numberReturned"], 100, "default limit");
    assert!(first["timeStamp"].is_string());
    let bbox = "4.80,45.72,4.90,45.78";
    let features = world
        .all_pages(&format!(
            "/api/v1/ogc/collections/containers/items?bbox={bbox}&limit=100"
        ))
        .await;
    let expected: Vec<uuid::Uuid> = world
        .live(|s| s.lon >= 4.80 && s.lon <= 4.90 && s.lat >= 45.72 && s.lat <= 45.78)
        .iter()
        .map(|s| s.id)
        .collect();
    crate::geo_world::assert_same_set(&ids(&features), &expected, &[]);
    let one = &features[0];
    let item: Value = world
        .app
        .get(&format!(
            "/api/v1/ogc/collections/containers/items/{}",
            one["id"].as_str().unwrap()
        ))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(item["geometry"], one["geometry"]);
    let big: Value = world
        .app
        .get("/api/v1/ogc/collections/containers/items?limit=100000")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(big["numberReturned"], 500, "served at the maximum");
    world.finish().await;
}
