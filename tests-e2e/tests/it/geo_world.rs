//! `GeoWorld`: a schema of its own, migrated, holding a few thousand containers spread
//! like the hard cases (a dense city, the antimeridian, both poles, sparse elsewhere),
//! served by the real app with committed data; plus the brute-force great-circle truth.

use crate::support::{TestApp, pg_settings, test_database_url, test_settings};
use diesel::sql_types::{Array, Double, Text, Uuid as SqlUuid};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};
use secrecy::SecretString;
use serde_json::Value;
use std::collections::BTreeSet;
use std::sync::Arc;
use tisseco_application::cache::{Cache, NoCache};
use tisseco_bootstrap::{PgStore, PoolMode, build_pool, run_migrations, wire};
use tisseco_domain::{GeoPoint, great_circle_m};
use uuid::Uuid;

pub const KINDS: [&str; 4] = ["street_bin", "underground", "in_store", "other"];
pub const STATUSES: [&str; 5] = ["active", "full", "damaged", "maintenance", "removed"];

#[derive(Debug, Clone)]
pub struct Spot {
    pub id: Uuid,
    pub lat: f64,
    pub lon: f64,
    pub kind: &'static str,
    pub status: &'static str,
    pub site: Uuid,
    pub archived: bool,
}

impl Spot {
    pub fn point(&self) -> GeoPoint {
        GeoPoint::new(self.lat, self.lon).unwrap()
    }
}

/// A small deterministic generator (no dependency needed).
pub struct Lcg(u64);

impl Lcg {
    pub fn next(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
    pub fn between(&mut self, low: f64, high: f64) -> f64 {
        low + (high - low) * self.next()
    }
}

fn spots(sites: [Uuid; 2]) -> Vec<Spot> {
    let mut rng = Lcg(42);
    let mut out = Vec::new();
    let mut push = |lat: f64, lon: f64, i: usize| {
        out.push(Spot {
            id: Uuid::now_v7(),
            lat,
            lon,
            kind: KINDS[i % 4],
            status: STATUSES[(i / 4) % 5],
            site: sites[(i / 7) % 2],
            archived: i.is_multiple_of(13),
        });
    };
    for i in 0..3_000 {
        let (lat, lon) = match i % 6 {
            0..=2 => (rng.between(45.70, 45.80), rng.between(4.78, 4.92)),
            3 => {
                let lon = rng.between(179.9, 180.1);
                (
                    rng.between(-17.1, -16.9),
                    if lon > 180.0 { lon - 360.0 } else { lon },
                )
            }
            4 if i % 12 == 4 => (rng.between(89.8, 90.0), rng.between(-180.0, 180.0)),
            4 => (rng.between(-90.0, -89.8), rng.between(-180.0, 180.0)),
            _ => (rng.between(-80.0, 80.0), rng.between(-180.0, 180.0)),
        };
        push(lat, lon, i);
    }
    out
}

const ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTWXYZ";

pub fn code(mut n: usize) -> String {
    let mut s = String::from("G");
    for _ in 0..6 {
        s.push(ALPHABET[n % ALPHABET.len()] as char);
        n /= ALPHABET.len();
    }
    s
}

pub struct GeoWorld {
    pub app: TestApp,
    pub url: String,
    schema: String,
    pub spots: Vec<Spot>,
    pub sites: [Uuid; 2],
}

impl GeoWorld {
    pub async fn new() -> Self {
        Self::with_cache(Arc::new(NoCache)).await
    }

    pub async fn with_cache(cache: Arc<dyn Cache>) -> Self {
        let base = test_database_url();
        let schema = format!("geo_{}", Uuid::new_v4().simple());
        let mut admin = AsyncPgConnection::establish(&base).await.unwrap();
        admin
            .batch_execute(&format!("CREATE SCHEMA {schema}"))
            .await
            .unwrap();
        let separator = if base.contains('?') { '&' } else { '?' };
        let url = format!("{base}{separator}options=-c%20search_path%3D{schema}%2Cpublic");
        run_migrations(&SecretString::from(url.clone()))
            .await
            .unwrap();
        let sites = [Uuid::now_v7(), Uuid::now_v7()];
        let spots = spots(sites);
        let mut conn = AsyncPgConnection::establish(&url).await.unwrap();
        conn.batch_execute(&format!(
            "INSERT INTO sites (id, code, name, created_at, updated_at) VALUES \
             ('{}', 'geo-a', 'A', now(), now()), ('{}', 'geo-b', 'B', now(), now())",
            sites[0], sites[1]
        ))
        .await
        .unwrap();
        diesel::sql_query(
            "INSERT INTO containers (id, public_code, site_id, kind, status, location, notes, \
             external_ref, archived_at, created_at, updated_at) \
             SELECT id, code, site, kind, status, ST_SetSRID(ST_MakePoint(lon, lat), 4326), \
             'internal note', 'ext-' || code, CASE WHEN archived THEN now() END, now(), now() \
             FROM unnest($1::uuid[], $2::text[], $3::uuid[], $4::text[], $5::text[], \
             $6::float8[], $7::float8[], $8::bool[]) \
             AS t(id, code, site, kind, status, lon, lat, archived)",
        )
        .bind::<Array<SqlUuid>, _>(spots.iter().map(|s| s.id).collect::<Vec<_>>())
        .bind::<Array<Text>, _>((0..spots.len()).map(code).collect::<Vec<_>>())
        .bind::<Array<SqlUuid>, _>(spots.iter().map(|s| s.site).collect::<Vec<_>>())
        .bind::<Array<Text>, _>(spots.iter().map(|s| s.kind).collect::<Vec<_>>())
        .bind::<Array<Text>, _>(spots.iter().map(|s| s.status).collect::<Vec<_>>())
        .bind::<Array<Double>, _>(spots.iter().map(|s| s.lon).collect::<Vec<_>>())
        .bind::<Array<Double>, _>(spots.iter().map(|s| s.lat).collect::<Vec<_>>())
        .bind::<Array<diesel::sql_types::Bool>, _>(
            spots.iter().map(|s| s.archived).collect::<Vec<_>>(),
        )
        .execute(&mut conn)
        .await
        .unwrap();
        conn.batch_execute("ANALYZE containers").await.unwrap();
        let store = Arc::new(PgStore::new(
            build_pool(&pg_settings(&url, 4), PoolMode::Normal).unwrap(),
        ));
        let settings = test_settings(&url, &[("DATABASE_MAX_CONNECTIONS", "4")]);
        let app = TestApp::serve(wire(&settings, store, cache).unwrap(), settings.http);
        Self {
            app,
            url,
            schema,
            spots,
            sites,
        }
    }

    /// Drops the schema (call at the end of the test).
    pub async fn finish(self) {
        let mut admin = AsyncPgConnection::establish(&test_database_url())
            .await
            .unwrap();
        admin
            .batch_execute(&format!("DROP SCHEMA {} CASCADE", self.schema))
            .await
            .unwrap();
    }

    /// Live spots passing `keep`.
    pub fn live(&self, keep: impl Fn(&Spot) -> bool) -> Vec<&Spot> {
        self.spots
            .iter()
            .filter(|s| !s.archived && keep(s))
            .collect()
    }

    /// Follows `next` links from `path` (GET) and returns every feature.
    pub async fn all_pages(&self, path: &str) -> Vec<Value> {
        let mut features = Vec::new();
        let mut url = format!("{}{path}", self.app.base);
        for _ in 0..1_000 {
            let response = self.app.client.get(&url).send().await.unwrap();
            let status = response.status();
            let body: Value = response.json().await.unwrap();
            assert_eq!(status, 200, "{url}: {body}");
            let page = body["features"].as_array().unwrap();
            assert_eq!(body["numberReturned"], page.len());
            features.extend(page.iter().cloned());
            match next_link(&body) {
                Some(next) => url = next,
                None => return features,
            }
        }
        panic!("more than 1000 pages")
    }
}

pub fn next_link(body: &Value) -> Option<String> {
    body["links"]
        .as_array()?
        .iter()
        .find(|l| l["rel"] == "next")
        .and_then(|l| l["href"].as_str())
        .map(str::to_owned)
}

pub fn ids(features: &[Value]) -> Vec<Uuid> {
    features
        .iter()
        .map(|f| f["id"].as_str().unwrap().parse().unwrap())
        .collect()
}

/// Asserts `got` holds every id of `inside` and nothing outside `inside ∪ edge` (points
/// within a few millimetres of a boundary may go either way), and no id twice.
pub fn assert_same_set(got: &[Uuid], inside: &[Uuid], edge: &[Uuid]) {
    let unique: BTreeSet<Uuid> = got.iter().copied().collect();
    assert_eq!(unique.len(), got.len(), "an id came twice");
    let inside: BTreeSet<Uuid> = inside.iter().copied().collect();
    let allowed: BTreeSet<Uuid> = inside.iter().chain(edge).copied().collect();
    let missing: Vec<_> = inside.difference(&unique).collect();
    let extra: Vec<_> = unique.difference(&allowed).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "missing {missing:?}, extra {extra:?}"
    );
}

/// Spots within `metres` of `centre` by brute force: (surely inside, on the edge).
pub fn within(spots: &[&Spot], centre: GeoPoint, metres: f64) -> (Vec<Uuid>, Vec<Uuid>) {
    let tolerance = 0.01;
    let inside = spots
        .iter()
        .filter(|s| great_circle_m(centre, s.point()) < metres - tolerance)
        .map(|s| s.id)
        .collect();
    let edge = spots
        .iter()
        .filter(|s| (great_circle_m(centre, s.point()) - metres).abs() <= tolerance)
        .map(|s| s.id)
        .collect();
    (inside, edge)
}
