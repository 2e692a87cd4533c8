//! Geographic search against PostGIS, checked by brute force on 3,000 points: radius,
//! nearest, bounding box, polygons (with a hole, multi), filters, paging, the plans.

use crate::geo_world::{GeoWorld, Spot, assert_same_set, ids, next_link, within};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};
use serde_json::{Value, json};
use tisseco_application::search::{GeoFilter, GeoQuery, Shape};
use tisseco_bootstrap::{prepared_search_statement, search_statement};
use tisseco_domain::{
    BBox, ContainerStatus, ContainerType, GeoPoint, MultiPolygon, great_circle_m, polygon_contains,
};
use uuid::Uuid;

#[tokio::test(flavor = "multi_thread")]
async fn radius_returns_exactly_the_containers_within_nearest_first() {
    let world = GeoWorld::new().await;
    let live = world.live(|_| true);
    let cases = [
        (45.75, 4.85, 1_000.0), // the dense city
        (45.76, 4.83, 3_500.0),
        (-17.0, 180.0, 9_000.0), // across the antimeridian
        (-17.0, -179.99, 4_000.0),
        (90.0, 0.0, 15_000.0), // the north pole
        (-89.95, 120.0, 12_000.0),
    ];
    for (lat, lon, metres) in cases {
        let centre = GeoPoint::new(lat, lon).unwrap();
        let features = world
            .all_pages(&format!(
                "/api/v1/containers/search/radius?lat={lat}&lon={lon}&radius_m={metres}&limit=97"
            ))
            .await;
        let (inside, edge) = within(&live, centre, metres);
        assert!(!inside.is_empty(), "case ({lat}, {lon}) finds something");
        assert_same_set(&ids(&features), &inside, &edge);
        let distances: Vec<f64> = features
            .iter()
            .map(|f| f["properties"]["distance_m"].as_f64().unwrap())
            .collect();
        assert!(distances.windows(2).all(|w| w[0] <= w[1]), "nearest first");
        for feature in &features {
            let [lon, lat] = [
                feature["geometry"]["coordinates"][0].as_f64().unwrap(),
                feature["geometry"]["coordinates"][1].as_f64().unwrap(),
            ];
            let truth = great_circle_m(centre, GeoPoint::new(lat, lon).unwrap());
            let reported = feature["properties"]["distance_m"].as_f64().unwrap();
            assert!(
                (truth - reported).abs() < 1e-3 + truth * 1e-9,
                "{truth} vs {reported}"
            );
        }
    }
    world.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn nearest_n_is_exactly_the_n_closest() {
    let world = GeoWorld::new().await;
    let live = world.live(|_| true);
    for (lat, lon, n) in [
        (45.75, 4.85, 20),
        (-17.0, 179.999, 35),
        (89.99, -60.0, 7),
        (10.0, 10.0, 50),
    ] {
        let centre = GeoPoint::new(lat, lon).unwrap();
        let mut truth: Vec<(f64, Uuid)> = live
            .iter()
            .map(|s| (great_circle_m(centre, s.point()), s.id))
            .collect();
        truth.sort_by(|a, b| a.0.total_cmp(&b.0));
        let response = world
            .app
            .get(&format!(
                "/api/v1/containers/search/nearest?lat={lat}&lon={lon}&limit={n}"
            ))
            .await;
        assert_eq!(response.headers()["content-type"], "application/geo+json");
        let body: Value = response.json().await.unwrap();
        let got = ids(body["features"].as_array().unwrap());
        assert_eq!(got.len(), n);
        let cut = truth[n - 1].0;
        let expected: Vec<Uuid> = truth
            .iter()
            .filter(|t| t.0 < cut - 1e-3)
            .map(|t| t.1)
            .collect();
        let edge: Vec<Uuid> = truth
            .iter()
            .filter(|t| (t.0 - cut).abs() <= 1e-3)
            .map(|t| t.1)
            .collect();
        assert_same_set(&got, &expected, &edge);
    }
    world.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn filters_combine_with_and() {
    let world = GeoWorld::new().await;
    let site = world.sites[1];
    let keep = |s: &Spot| {
        matches!(s.kind, "street_bin" | "in_store")
            && matches!(s.status, "active" | "full")
            && s.site == site
    };
    let live = world.live(keep);
    let centre = GeoPoint::new(45.75, 4.85).unwrap();
    let features = world
        .all_pages(&format!("/api/v1/containers/search/radius?lat=45.75&lon=4.85&radius_m=6000&type=street_bin,in_store&status=active,full&site_id={site}"))
        .await;
    let (inside, edge) = within(&live, centre, 6_000.0);
    assert!(inside.len() > 10);
    assert_same_set(&ids(&features), &inside, &edge);
    world.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn bbox_pages_return_every_row_once_under_concurrent_inserts() {
    let world = GeoWorld::new().await;
    let (min_lon, min_lat, max_lon, max_lat) = (4.80, 45.72, 4.90, 45.78);
    let before = world
        .live(|s| s.lon >= min_lon && s.lon <= max_lon && s.lat >= min_lat && s.lat <= max_lat);
    let writer = {
        let (base, site, client) = (
            world.app.base.clone(),
            world.sites[0],
            world.app.client.clone(),
        );
        tokio::spawn(async move {
            for i in 0..40 {
                let body = json!({"site_id": site, "type": "street_bin", "location": {"latitude": 45.75 + f64::from(i) * 1e-4, "longitude": 4.85}});
                let response = client
                    .post(format!("{base}/api/v1/containers"))
                    .json(&body)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(response.status(), 201);
            }
        })
    };
    let features = world
        .all_pages(&format!(
            "/api/v1/containers/search/bbox?bbox={min_lon},{min_lat},{max_lon},{max_lat}&limit=23"
        ))
        .await;
    writer.await.unwrap();
    let got = ids(&features);
    let new_ones = got.len() - before.len().min(got.len());
    assert!(new_ones <= 40);
    // Every row present before is there exactly once; rows inserted meanwhile may or may not be.
    let inserted: Vec<Uuid> = got
        .iter()
        .copied()
        .filter(|id| !before.iter().any(|s| s.id == *id))
        .collect();
    assert_same_set(
        &got,
        &before.iter().map(|s| s.id).collect::<Vec<_>>(),
        &inserted,
    );
    world.finish().await;
}

fn square(lon: f64, lat: f64, size: f64) -> Vec<[f64; 2]> {
    vec![
        [lon, lat],
        [lon + size, lat],
        [lon + size, lat + size],
        [lon, lat + size],
        [lon, lat],
    ]
}

async fn polygon_pages(world: &GeoWorld, geometry: &Value) -> Vec<Value> {
    let mut features = Vec::new();
    let mut path = "/api/v1/containers/search/polygon?limit=61".to_owned();
    loop {
        let response = world.app.post(&path, geometry).await;
        assert_eq!(response.status(), 200);
        let body: Value = response.json().await.unwrap();
        features.extend(body["features"].as_array().unwrap().iter().cloned());
        match body["next_cursor"].as_str() {
            Some(cursor) => {
                assert!(next_link(&body).is_some());
                path = format!("/api/v1/containers/search/polygon?limit=61&after={cursor}");
            }
            None => return features,
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn polygons_with_a_hole_and_multipolygons_match_brute_force() {
    let world = GeoWorld::new().await;
    let with_hole = vec![square(4.80, 45.71, 0.08), square(4.83, 45.74, 0.02)];
    let shapes = [
        json!({"type": "Polygon", "coordinates": with_hole}),
        // Either side of the antimeridian, as RFC 7946 asks, plus a city block.
        json!({"type": "MultiPolygon", "coordinates": [[square(179.95, -17.05, 0.05)], [square(-180.0, -17.05, 0.04)], [square(4.84, 45.74, 0.01)]]}),
        json!({"type": "Polygon", "coordinates": [[[-180.0, 89.9], [180.0, 89.9], [180.0, 90.0], [-180.0, 90.0], [-180.0, 89.9]]]}),
    ];
    for geometry in shapes {
        let domain = match geometry["type"].as_str() {
            Some("Polygon") => MultiPolygon::from_polygon_coordinates(
                "g",
                &serde_json::from_value::<Vec<Vec<[f64; 2]>>>(geometry["coordinates"].clone())
                    .unwrap(),
            ),
            _ => MultiPolygon::from_coordinates(
                "g",
                &serde_json::from_value::<Vec<Vec<Vec<[f64; 2]>>>>(geometry["coordinates"].clone())
                    .unwrap(),
            ),
        }
        .unwrap();
        let inside: Vec<Uuid> = world
            .live(|s| polygon_contains(&domain, s.point()))
            .iter()
            .map(|s| s.id)
            .collect();
        assert!(!inside.is_empty());
        let features = polygon_pages(&world, &geometry).await;
        assert_same_set(&ids(&features), &inside, &[]);
    }
    world.finish().await;
}

#[derive(diesel::QueryableByName)]
struct PlanLine {
    #[diesel(sql_type = diesel::sql_types::Text, column_name = "QUERY PLAN")]
    line: String,
}

/// Every search has an index path: with sequential scans priced out, no plan reads the
/// table. (At one million rows `just bench geo` checks the plans with default costs.)
#[tokio::test(flavor = "multi_thread")]
async fn no_search_scans_the_table() {
    let world = GeoWorld::new().await;
    let centre = GeoPoint::new(45.75, 4.85).unwrap();
    let filter = GeoFilter {
        kinds: vec![ContainerType::StreetBin],
        statuses: vec![ContainerStatus::Active, ContainerStatus::Full],
        site_id: Some(world.sites[0].into()),
        area_id: None,
    };
    let polygon =
        MultiPolygon::from_polygon_coordinates("g", &[square(4.80, 45.71, 0.08)]).unwrap();
    let shapes = [
        Shape::Radius {
            centre,
            metres: 1_000.0,
        },
        Shape::Nearest { centre },
        Shape::BBox(BBox::new("bbox", [4.8, 45.7, 4.9, 45.8]).unwrap()),
        Shape::Polygon(polygon),
    ];
    let mut conn = AsyncPgConnection::establish(&world.url).await.unwrap();
    conn.batch_execute("SET enable_seqscan = off")
        .await
        .unwrap();
    for shape in shapes {
        for filter in [GeoFilter::default(), filter.clone()] {
            let query = GeoQuery {
                shape: shape.clone(),
                filter,
                after: None,
                limit: 50,
            };
            let sql = search_statement(&query).unwrap();
            let plan: Vec<PlanLine> = diesel::sql_query(format!("EXPLAIN {sql}"))
                .load(&mut conn)
                .await
                .unwrap();
            let plan: Vec<String> = plan.into_iter().map(|p| p.line).collect();
            assert!(
                !plan.iter().any(|l| l.contains("Seq Scan")),
                "{sql}\n{}",
                plan.join("\n")
            );
            assert!(
                plan.iter().any(|l| l.contains("containers_location")),
                "{}",
                plan.join("\n")
            );
        }
    }
    world.finish().await;
}

/// The plans a session makes once (unfiltered radius and bbox searches, `Plans::Once`)
/// scan the index and build nothing from their parameters row by row: a plan made once
/// keeps such an expression as it is, so `ST_MakePoint($x, $y)` in the radius condition was
/// evaluated again for every row the scan tested. Sequential scans are priced out, as in
/// the test above, since the test table is small.
#[tokio::test(flavor = "multi_thread")]
async fn plans_made_once_scan_the_index_and_build_no_point_per_row() {
    let world = GeoWorld::new().await;
    let centre = GeoPoint::new(45.75, 4.85).unwrap();
    let shapes = [
        Shape::Radius {
            centre,
            metres: 1_000.0,
        },
        Shape::BBox(BBox::new("bbox", [4.8, 45.7, 4.9, 45.8]).unwrap()),
    ];
    let mut conn = AsyncPgConnection::establish(&world.url).await.unwrap();
    conn.batch_execute("SET enable_seqscan = off; SET plan_cache_mode = force_generic_plan")
        .await
        .unwrap();
    for (index, shape) in shapes.into_iter().enumerate() {
        let query = GeoQuery {
            shape,
            filter: GeoFilter::default(),
            after: None,
            limit: 50,
        };
        let (text, values) = prepared_search_statement(&query).unwrap();
        conn.batch_execute(&format!("PREPARE search_{index} AS {text}"))
            .await
            .unwrap();
        let plan: Vec<PlanLine> = diesel::sql_query(format!(
            "EXPLAIN EXECUTE search_{index}({})",
            values.join(", ")
        ))
        .load(&mut conn)
        .await
        .unwrap();
        let plan = plan
            .into_iter()
            .map(|p| p.line)
            .collect::<Vec<_>>()
            .join("\n");
        assert!(plan.contains("containers_location"), "{text}\n{plan}");
        assert!(!plan.contains("Seq Scan"), "{text}\n{plan}");
        assert!(plan.contains('$'), "a plan of parameters: {plan}");
        let per_row: Vec<&str> = plan.lines().filter(|l| l.contains("Filter:")).collect();
        assert!(
            !per_row.is_empty(),
            "the shape is tested row by row: {plan}"
        );
        for line in per_row {
            assert!(!line.contains("st_makepoint"), "{text}\n{plan}");
        }
    }
    world.finish().await;
}

/// Rows at exactly the same distance (containers side by side at one address) are never
/// skipped nor repeated, even when their group is larger than a page.
#[tokio::test(flavor = "multi_thread")]
async fn pages_through_rows_tied_on_distance() {
    let world = GeoWorld::new().await;
    let mut created = Vec::new();
    for _ in 0..30 {
        let body = json!({"site_id": world.sites[0], "type": "street_bin", "location": {"latitude": 12.5, "longitude": -30.25}});
        let container =
            crate::support::created(world.app.post("/api/v1/containers", &body).await).await;
        created.push(container["id"].as_str().unwrap().parse::<Uuid>().unwrap());
    }
    for limit in [7, 30, 31] {
        let features = world
            .all_pages(&format!(
                "/api/v1/containers/search/radius?lat=12.5&lon=-30.25&radius_m=5&limit={limit}"
            ))
            .await;
        assert_same_set(&ids(&features), &created, &[]);
        let bbox = world
            .all_pages(&format!(
                "/api/v1/containers/search/bbox?bbox=-30.26,12.49,-30.24,12.51&limit={limit}"
            ))
            .await;
        assert_same_set(&ids(&bbox), &created, &[]);
    }
    world.finish().await;
}
