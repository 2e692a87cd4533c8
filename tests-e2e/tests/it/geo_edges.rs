//! Searches whose edges fall within a metre of containers: the box is exact (the GiST
//! index's float4 boxes answered `&&` with points up to half a metre outside), and the
//! polygon search's `next` link can be followed to the last page.

use crate::geo_world::{GeoWorld, assert_same_set, ids};
use serde_json::{Value, json};
use uuid::Uuid;

/// Degrees of latitude in `metres` (a metre is about 9e-6 degrees).
fn lat_degrees(metres: f64) -> f64 {
    metres / 111_320.0
}

#[tokio::test(flavor = "multi_thread")]
async fn boxes_with_edges_a_few_centimetres_from_points_are_exact() {
    let world = GeoWorld::new().await;
    let city: Vec<_> = world
        .live(|s| s.lat > 45.70 && s.lat < 45.80 && s.lon > 4.78 && s.lon < 4.92)
        .into_iter()
        .take(20)
        .cloned()
        .collect();
    assert_eq!(city.len(), 20);
    for (i, spot) in city.iter().enumerate() {
        let gap = lat_degrees(0.05 + 0.045 * i as f64);
        // the spot lies just south of the box, then just north of it
        let boxes = [
            [
                spot.lon - 0.01,
                spot.lat + gap,
                spot.lon + 0.01,
                spot.lat + 0.01,
            ],
            [
                spot.lon - 0.01,
                spot.lat - 0.01,
                spot.lon + 0.01,
                spot.lat - gap,
            ],
        ];
        for [w, s, e, n] in boxes {
            let inside: Vec<Uuid> = world
                .live(|p| p.lon >= w && p.lon <= e && p.lat >= s && p.lat <= n)
                .iter()
                .map(|p| p.id)
                .collect();
            let path = format!("/api/v1/containers/search/bbox?bbox={w},{s},{e},{n}&limit=50");
            let found = ids(&world.all_pages(&path).await);
            assert!(
                !found.contains(&spot.id),
                "{path}: a point outside came back"
            );
            assert_same_set(&found, &inside, &[]);
            let ogc =
                format!("/api/v1/ogc/collections/containers/items?bbox={w},{s},{e},{n}&limit=50");
            let found = ids(&world.all_pages(&ogc).await);
            assert_same_set(&found, &inside, &[]);
        }
    }
    world.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_polygon_search_next_link_is_followed_to_the_last_page() {
    let world = GeoWorld::new().await;
    let geometry = json!({"type": "Polygon", "coordinates": [[[4.78, 45.70], [4.92, 45.70], [4.92, 45.80], [4.78, 45.80], [4.78, 45.70]]]});
    let inside: Vec<Uuid> = world
        .live(|s| s.lat > 45.70 && s.lat < 45.80 && s.lon > 4.78 && s.lon < 4.92)
        .iter()
        .map(|s| s.id)
        .collect();
    let mut url = world.app.url("/api/v1/containers/search/polygon?limit=97");
    let mut features = Vec::new();
    for _ in 0..100 {
        let response = world
            .app
            .client
            .post(&url)
            .json(&geometry)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{url}");
        let body: Value = response.json().await.unwrap();
        features.extend(body["features"].as_array().unwrap().iter().cloned());
        let next = body["links"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["rel"] == "next")
            .cloned();
        match next {
            Some(link) => {
                assert_eq!(link["method"], "POST", "{link}");
                url = link["href"].as_str().unwrap().to_owned();
            }
            None => break,
        }
    }
    assert!(inside.len() > 97, "several pages");
    assert_same_set(&ids(&features), &inside, &[]);
    // the link's URL followed with GET is not a 403 but a 405 naming POST
    let response = world.app.client.get(&url).send().await.unwrap();
    assert_eq!(response.status(), 405);
    assert_eq!(response.headers()["allow"], "POST");
    world.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn ogc_items_number_their_matches_without_a_count_cross_the_antimeridian_and_link_back() {
    let world = GeoWorld::new().await;
    let items = "/api/v1/ogc/collections/containers/items";
    // the whole world takes several pages: numberMatched is left out rather than counted
    let first: Value = world.app.get(items).await.json().await.unwrap();
    assert!(world.live(|_| true).len() > 100, "more than a page");
    assert!(first.get("numberMatched").is_none(), "{}", first["links"]);
    assert!(
        first["links"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l["rel"] == "next")
    );

    // 179.95 to -179.95: a box across the antimeridian, as OGC allows
    let across = format!(
        "{items}?bbox=179.95,-17.1,-179.95,-16.9&limit=50&datetime=2026-01-01T00:00:00Z/.."
    );
    let inside: Vec<Uuid> = world
        .live(|s| (s.lon >= 179.95 || s.lon <= -179.95) && s.lat >= -17.1 && s.lat <= -16.9)
        .iter()
        .map(|s| s.id)
        .collect();
    assert!(!inside.is_empty());
    // one page holds them all: numberMatched is known without a count
    assert!(inside.len() > 50 && inside.len() < 500, "{}", inside.len());
    let whole = across.replace("limit=50", "limit=500");
    let page: Value = world.app.get(&whole).await.json().await.unwrap();
    assert_eq!(page["numberMatched"], inside.len());
    let first: Value = world.app.get(&across).await.json().await.unwrap();
    assert!(first.get("numberMatched").is_none(), "more pages follow");
    assert_same_set(&ids(&world.all_pages(&across).await), &inside, &[]);

    let bad = world.app.get(&format!("{items}?datetime=yesterday")).await;
    assert_eq!(bad.status(), 400);

    let collection: Value = world
        .app
        .get("/api/v1/ogc/collections/containers")
        .await
        .json()
        .await
        .unwrap();
    let [w, s, e, n] = [0, 1, 2, 3].map(|i| {
        collection["extent"]["spatial"]["bbox"][0][i]
            .as_f64()
            .unwrap()
    });
    let live = world.live(|_| true);
    let (min_lat, max_lat) = live.iter().fold((90.0_f64, -90.0_f64), |(a, b), p| {
        (a.min(p.lat), b.max(p.lat))
    });
    assert!(
        (s - min_lat).abs() < 1e-9 && (n - max_lat).abs() < 1e-9,
        "{s} {n}"
    );
    assert!(w >= -180.0 && e <= 180.0);

    let id = live[0].id;
    let item: Value = world
        .app
        .get(&format!("{items}/{id}"))
        .await
        .json()
        .await
        .unwrap();
    let rels: Vec<&str> = item["links"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["rel"].as_str().unwrap())
        .collect();
    assert_eq!(rels, ["self", "collection"]);
    world.finish().await;
}
