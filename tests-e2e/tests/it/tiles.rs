//! Container map tiles (MVT) over the geo test world: every live container at full detail,
//! thinned at low zoom, filters, ETag and 304, a write visible on the next request, and
//! coordinates outside the grid refused.

use crate::cache::test_cache;
use crate::geo_world::{GeoWorld, Spot};
use reqwest::StatusCode;
use serde_json::json;
use std::f64::consts::PI;
use std::sync::Arc;

/// The tile `z/x/y` holding a point (the XYZ scheme).
fn tile_of(lat: f64, lon: f64, z: u32) -> (u32, u32) {
    let n = f64::from(1_u32 << z);
    let x = ((lon + 180.0) / 360.0 * n).floor();
    let r = lat.to_radians();
    let y = ((1.0 - (r.tan() + 1.0 / r.cos()).ln() / PI) / 2.0 * n).floor();
    (x as u32, y as u32)
}

fn varint(bytes: &[u8], at: &mut usize) -> u64 {
    let (mut value, mut shift) = (0_u64, 0);
    while let Some(byte) = bytes.get(*at) {
        *at += 1;
        value |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            break;
        }
        shift += 7;
    }
    value
}

/// The length-delimited fields `field` of a protobuf message.
fn fields(bytes: &[u8], field: u64) -> Vec<&[u8]> {
    let (mut at, mut out) = (0, Vec::new());
    while at < bytes.len() {
        let key = varint(bytes, &mut at);
        match key & 7 {
            0 => {
                varint(bytes, &mut at);
            }
            2 => {
                let len = usize::try_from(varint(bytes, &mut at)).unwrap();
                if key >> 3 == field {
                    out.push(&bytes[at..at + len]);
                }
                at += len;
            }
            5 => at += 4,
            1 => at += 8,
            other => panic!("wire type {other}"),
        }
    }
    out
}

/// Features in the tile's `containers` layer (tile.layers = 3, layer.features = 2).
fn features(mvt: &[u8]) -> usize {
    fields(mvt, 3)
        .iter()
        .map(|layer| fields(layer, 2).len())
        .sum()
}

async fn tile(world: &GeoWorld, path: &str) -> (StatusCode, String, Vec<u8>) {
    let response = world.app.get(path).await;
    let status = response.status();
    let etag = response
        .headers()
        .get("etag")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    if status == StatusCode::OK {
        assert_eq!(
            response.headers()["content-type"],
            "application/vnd.mapbox-vector-tile"
        );
        assert_eq!(response.headers()["cache-control"], "private, no-cache");
    }
    (status, etag, response.bytes().await.unwrap().to_vec())
}

fn inside(spots: &[&Spot], z: u32, x: u32, y: u32) -> usize {
    spots
        .iter()
        .filter(|s| tile_of(s.lat, s.lon, z) == (x, y))
        .count()
}

#[tokio::test(flavor = "multi_thread")]
async fn tiles_carry_every_container_up_close_and_few_points_from_afar() {
    let world = GeoWorld::with_cache(Arc::new(test_cache())).await;
    let live = world.live(|_| true);

    // Up close: one feature per live container of the tile (or of its thin render margin).
    let (x, y) = tile_of(45.75, 4.85, 15);
    let (status, _, mvt) = tile(&world, &format!("/api/v1/tiles/containers/15/{x}/{y}.mvt")).await;
    assert_eq!(status, StatusCode::OK);
    let expected = inside(&live, 15, x, y);
    assert!(expected > 0);
    let got = features(&mvt);
    assert!(
        got >= expected && got <= expected + 10,
        "{got} for {expected}"
    );

    // Filters apply.
    let actives = world.live(|s| s.status == "active");
    let (_, _, mvt) = tile(
        &world,
        &format!("/api/v1/tiles/containers/15/{x}/{y}.mvt?status=active"),
    )
    .await;
    assert!(features(&mvt) >= inside(&actives, 15, x, y) && features(&mvt) < got);

    // From afar: the city's ~1,400 containers merge into at most one point per grid cell.
    let (x, y) = tile_of(45.75, 4.85, 9);
    let (_, _, mvt) = tile(&world, &format!("/api/v1/tiles/containers/9/{x}/{y}.mvt")).await;
    let city = inside(&live, 9, x, y);
    assert!(city > 1_000, "{city}");
    assert!(
        features(&mvt) * 2 < city && features(&mvt) <= 64 * 64,
        "{}",
        features(&mvt)
    );

    // Nothing there: an empty tile.
    let (status, _, mvt) = tile(&world, "/api/v1/tiles/containers/14/0/0.mvt").await;
    assert_eq!((status, features(&mvt)), (StatusCode::OK, 0));
    world.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_tile_is_revalidated_by_its_etag_and_changes_after_a_write() {
    let world = GeoWorld::with_cache(Arc::new(test_cache())).await;
    let (x, y) = tile_of(45.75, 4.85, 16);
    let path = format!("/api/v1/tiles/containers/16/{x}/{y}.mvt");
    let (status, etag, mvt) = tile(&world, &path).await;
    assert_eq!(status, StatusCode::OK);
    assert!(etag.starts_with("\"v"), "{etag}");
    let again = world
        .app
        .request(reqwest::Method::GET, &path)
        .header("If-None-Match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);

    let new = json!({"site_id": world.sites[0], "type": "street_bin", "location": {"latitude": 45.75, "longitude": 4.85}});
    assert_eq!(
        world.app.post("/api/v1/containers", &new).await.status(),
        201
    );
    let fresh = world
        .app
        .request(reqwest::Method::GET, &path)
        .header("If-None-Match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(fresh.status(), StatusCode::OK);
    assert_ne!(fresh.headers()["etag"].to_str().unwrap(), etag);
    assert_eq!(features(&fresh.bytes().await.unwrap()), features(&mvt) + 1);
    world.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn tiles_outside_the_grid_are_refused() {
    let world = GeoWorld::new().await;
    for path in ["23/0/0", "3/8/0", "3/0/8"] {
        let response = world
            .app
            .get(&format!("/api/v1/tiles/containers/{path}.mvt"))
            .await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{path}");
    }
    world.finish().await;
}
