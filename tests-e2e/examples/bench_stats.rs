//! `just bench stats`: one million visits on 20,000 containers over three years (plus
//! 30,000 public reports) in a schema of its own, then each reporting query, through the
//! real HTTP app and as the same SQL run directly; p50/p95 of each. Prints Markdown.
#![expect(clippy::unwrap_used, reason = "a benchmark: a failure aborts it")]

use chrono::{Duration as Days, NaiveDate, Utc};
use diesel::sql_types::{Date, Nullable, Timestamptz, Uuid as SqlUuid};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};
use secrecy::SecretString;
use std::net::TcpListener;
use std::time::{Duration, Instant};
use tisseco_adapter_postgres::{
    NEGLECTED_SQL, collections_sql, declaration_quarter_sql, report_sqls,
};
use tisseco_application::auth::ports::Principal;
use tisseco_bootstrap::{PoolMode, Settings, build_services, generate_signing_key, run_migrations};
use tisseco_domain::stats::GroupBy;
use tisseco_domain::{Role, UserId};

const SCHEMA: &str = "bench_stats";
const RUNS: usize = 20;

fn env(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_owned())
}

/// Sites, areas, drivers, containers, a tour per site and day, `per_container` visits each
/// (every 22 days, 3 % skipped), and reports with their events. Deterministic.
fn data_sql(containers: u32, per_container: u32) -> String {
    format!(
        "SET session_replication_role = replica; -- a bulk load: no foreign-key triggers
        INSERT INTO sites (id, code, name, created_at, updated_at)
          SELECT gen_random_uuid(), 'site-' || i, 'Site ' || i, now(), now() FROM generate_series(1, 10) i;
        INSERT INTO areas (id, site_id, code, name, created_at, updated_at)
          SELECT gen_random_uuid(), s.id, 'area-' || i, 'Area ' || i, now(), now()
          FROM sites s, generate_series(1, 20) i;
        INSERT INTO users (id, email, display_name, role, password_hash, created_at, updated_at)
          SELECT gen_random_uuid(), 'driver' || i || '@bench.test', 'Driver ' || i, 'driver', 'x', now(), now()
          FROM generate_series(1, 50) i;
        INSERT INTO containers (id, public_code, site_id, area_id, kind, status, location, address,
                                installed_on, created_at, updated_at)
          SELECT gen_random_uuid(), 'K' || translate(lpad(n::text, 6, '0'), '01', 'AB'), a.site_id, a.id,
                 (ARRAY['street_bin', 'underground', 'in_store', 'other'])[1 + n % 4], 'active',
                 ST_SetSRID(ST_MakePoint(4.8 + (n % 200) * 0.001, 45.7 + (n / 200) * 0.001), 4326),
                 n || ' rue de l''Église', date '2023-06-01', timestamptz '2023-06-01', now()
          FROM generate_series(1, {containers}) n
          JOIN (SELECT id, site_id, row_number() OVER (ORDER BY id) - 1 AS k FROM areas) a ON a.k = n % 200;
        INSERT INTO tours (id, site_id, date, driver_id, state, stops, version, created_at, updated_at)
          SELECT gen_random_uuid(), s.id, d::date,
                 (SELECT id FROM users ORDER BY id OFFSET (abs(hashtext(s.id::text || d::text)) % 50) LIMIT 1),
                 'completed', '[]', 1, now(), now()
          FROM sites s, generate_series(date '2024-01-01', date '2024-01-01' + 22 * {per_container} + 22, interval '1 day') d;
        INSERT INTO visits (tour_id, container_id, site_id, area_id, container_kind, driver_id,
                            occurred_at, local_day, outcome, fill_level, weight_kg, emptied, skip_reason)
          SELECT t.id, c.id, c.site_id, c.area_id, c.kind, t.driver_id,
                 (t.date + time '07:00' + h.r * interval '8 hours') AT TIME ZONE 'Europe/Paris', t.date,
                 CASE WHEN h.r < 0.03 THEN 'skipped' ELSE 'visited' END,
                 CASE WHEN h.r < 0.03 THEN NULL ELSE (15 + (h.r * 9973)::int % 86) END,
                 CASE WHEN h.r < 0.03 THEN NULL ELSE round((10 + h.r * 140)::numeric, 1)::float8 END,
                 h.r >= 0.03, CASE WHEN h.r < 0.03 THEN 'blocked' END
          FROM (SELECT id, site_id, area_id, kind, row_number() OVER (ORDER BY id) AS n FROM containers) c
          CROSS JOIN generate_series(0, {per_container} - 1) k
          CROSS JOIN LATERAL (SELECT ((c.n * 7919 + k * 104729) % 1000) / 1000.0 AS r) h
          JOIN tours t ON t.site_id = c.site_id AND t.date = date '2024-01-01' + ((c.n % 22) + k * 22)::int;
        INSERT INTO reports (id, public_token, container_id, category, status, report_count, created_at,
                             updated_at, local_day)
          SELECT gen_random_uuid(), md5(i::text), c.id,
                 (ARRAY['full', 'damaged', 'dirty', 'missing', 'vandalism', 'other'])[1 + (i / {containers}) % 6],
                 CASE WHEN i % 10 = 0 AND i < {containers} * 6 THEN 'new' ELSE 'resolved' END, 1 + i % 3,
                 at, now(), (at AT TIME ZONE 'Europe/Paris')::date
          FROM generate_series(0, 29999) i
          CROSS JOIN LATERAL (SELECT timestamptz '2024-01-01' + (i % 1090) * interval '1 day'
                                     + (i % 24) * interval '1 hour' AS at) t
          JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS k FROM containers) c ON c.k = i % {containers};
        INSERT INTO report_events (report_id, occurred_at, status)
          SELECT id, created_at, 'new' FROM reports
          UNION ALL SELECT id, created_at + interval '5 hours', 'acknowledged' FROM reports WHERE status = 'resolved'
          UNION ALL SELECT id, created_at + interval '50 hours', 'resolved' FROM reports WHERE status = 'resolved';
        -- What the triggers keep (off during the load): each report's first steps, each
        -- container's last visit and kilograms per quarter.
        UPDATE reports SET acknowledged_at = created_at + interval '5 hours',
                           resolved_at = created_at + interval '50 hours'
          WHERE status = 'resolved';
        INSERT INTO container_last_visits (container_id, last_visited_at)
          SELECT container_id, max(occurred_at) FROM visits WHERE outcome = 'visited' GROUP BY 1;
        INSERT INTO container_quarter_rollups (quarter, container_id, visits, kilograms)
          SELECT date_trunc('quarter', local_day)::date, container_id, count(*), coalesce(sum(weight_kg), 0)
          FROM visits WHERE outcome = 'visited' GROUP BY 1, 2;
        -- The trigger is off during the load: the rollups from the visits in one statement.
        INSERT INTO visit_rollups (dimension, local_day, site_id, key, visits, skips,
            skips_inaccessible, skips_blocked, skips_not_found, skips_unsafe, skips_out_of_time,
            skips_other, kilograms, fill_sum, fill_count, emptied, found_overflowing)
          SELECT d.dimension, v.local_day, v.site_id, d.key,
                 count(*) FILTER (WHERE outcome = 'visited'), count(*) FILTER (WHERE outcome = 'skipped'),
                 count(*) FILTER (WHERE skip_reason = 'inaccessible'), count(*) FILTER (WHERE skip_reason = 'blocked'),
                 count(*) FILTER (WHERE skip_reason = 'not_found'), count(*) FILTER (WHERE skip_reason = 'unsafe'),
                 count(*) FILTER (WHERE skip_reason = 'out_of_time'), count(*) FILTER (WHERE skip_reason = 'other'),
                 coalesce(sum(weight_kg) FILTER (WHERE outcome = 'visited'), 0),
                 coalesce(sum(fill_level) FILTER (WHERE outcome = 'visited'), 0),
                 count(fill_level) FILTER (WHERE outcome = 'visited'),
                 count(*) FILTER (WHERE emptied), count(*) FILTER (WHERE fill_level >= 100)
          FROM visits v CROSS JOIN LATERAL (VALUES ('site', v.site_id::text), ('area', coalesce(v.area_id::text, '')),
               ('type', v.container_kind), ('driver', coalesce(v.driver_id::text, ''))) d (dimension, key)
          GROUP BY 1, 2, 3, 4;
        SET session_replication_role = DEFAULT;"
    )
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn summary(mut times: Vec<f64>) -> (f64, f64) {
    times.sort_by(f64::total_cmp);
    (percentile(&times, 0.5), percentile(&times, 0.95))
}

/// One query: its HTTP path and the same SQL with the same parameters.
struct Case {
    name: &'static str,
    path: String,
    /// The statements the route runs, one after the other.
    sqls: Vec<String>,
    binds: Binds,
}

enum Binds {
    /// from, to, site, area.
    Range(NaiveDate, NaiveDate, Option<uuid::Uuid>),
    /// since, site.
    Since(chrono::DateTime<Utc>),
}

async fn run_sql(conn: &mut AsyncPgConnection, case: &Case) -> f64 {
    let started = Instant::now();
    for sql in &case.sqls {
        run_one(conn, sql, &case.binds).await;
    }
    started.elapsed().as_secs_f64() * 1e3
}

async fn run_one(conn: &mut AsyncPgConnection, sql: &str, binds: &Binds) {
    match *binds {
        Binds::Range(from, to, site) => {
            diesel::sql_query(sql)
                .bind::<Date, _>(from)
                .bind::<Date, _>(to)
                .bind::<Nullable<SqlUuid>, _>(site)
                .bind::<Nullable<SqlUuid>, _>(None::<uuid::Uuid>)
                .execute(conn)
                .await
                .unwrap();
        }
        Binds::Since(since) => {
            diesel::sql_query(sql)
                .bind::<Timestamptz, _>(since)
                .bind::<Nullable<SqlUuid>, _>(None::<uuid::Uuid>)
                .execute(conn)
                .await
                .unwrap();
        }
    }
}

#[tokio::main]
async fn main() {
    let containers: u32 = env("BENCH_CONTAINERS", "20000").parse().unwrap();
    let per_container: u32 = env("BENCH_VISITS_PER_CONTAINER", "50").parse().unwrap();
    let base = env(
        "DATABASE_URL",
        "postgres://postgres:postgres@127.0.0.1:5432/tisseco",
    );
    let mut admin = AsyncPgConnection::establish(&base).await.unwrap();
    admin
        .batch_execute(&format!(
            "DROP SCHEMA IF EXISTS {SCHEMA} CASCADE; CREATE SCHEMA {SCHEMA}"
        ))
        .await
        .unwrap();
    let separator = if base.contains('?') { '&' } else { '?' };
    let url = format!("{base}{separator}options=-c%20search_path%3D{SCHEMA}%2Cpublic");
    run_migrations(&SecretString::from(url.clone()))
        .await
        .unwrap();
    let mut conn = AsyncPgConnection::establish(&url).await.unwrap();
    let started = Instant::now();
    conn.batch_execute(&data_sql(containers, per_container))
        .await
        .unwrap();
    // Statistics and visibility maps as after a day of autovacuum (index-only scans).
    conn.batch_execute(
        "VACUUM (ANALYZE) visits, visit_rollups, reports, report_events, containers, \
         container_last_visits, container_quarter_rollups",
    )
    .await
    .unwrap();
    println!(
        "Data: {containers} containers, {} visits, 30,000 reports, loaded in {:.0} s.",
        u64::from(containers) * u64::from(per_container),
        started.elapsed().as_secs_f64()
    );

    let (key, _) = generate_signing_key(1);
    let redis = env("REDIS_URL", "redis://127.0.0.1:6379");
    let prefix = format!("bench-{}:", uuid::Uuid::new_v4().simple());
    let vars: Vec<(&str, &str)> = vec![
        ("DATABASE_URL", &url),
        ("REDIS_URL", &redis),
        ("REDIS_KEY_PREFIX", &prefix),
        ("QUEUE_PREFIX", &prefix),
        ("AUTH_PRIVATE_KEY", &key),
        ("RATE_LIMIT_API", "100000/60"),
        ("DATABASE_STATEMENT_TIMEOUT_MS", "60000"),
    ];
    let settings = Settings::from_source(&vars, "tisseco-bench").unwrap();
    let services = build_services(&settings, PoolMode::Normal).unwrap();
    let token = services
        .auth
        .issue_access_token(Principal {
            user_id: UserId::generate(),
            role: Role::Manager,
            session_id: uuid::Uuid::now_v7(),
        })
        .unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base_url = format!("http://{}", listener.local_addr().unwrap());
    let http = settings.http.clone();
    let app_services = services.clone();
    let server =
        actix_web::HttpServer::new(move || tisseco_api::app(app_services.clone(), http.clone()))
            .workers(2)
            .disable_signals()
            .listen(listener)
            .unwrap()
            .run();
    tokio::spawn(server);
    let client = reqwest::Client::new();

    let site: (uuid::Uuid,) = {
        #[derive(diesel::QueryableByName)]
        struct Id {
            #[diesel(sql_type = SqlUuid)]
            id: uuid::Uuid,
        }
        let rows: Vec<Id> = diesel::sql_query("SELECT id FROM sites ORDER BY code LIMIT 1")
            .load(&mut conn)
            .await
            .unwrap();
        (rows[0].id,)
    };
    let site = site.0;
    let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    let (reports_counts, reports_delays, reports_top) = report_sqls("month");
    let since = Utc::now() - Days::days(30);
    let cases = vec![
        Case { name: "collections: site × month, 3 years, all sites", path: "/api/v1/stats/collections?group_by=site&period=month&from=2024-01-01&to=2026-12-31".into(), sqls: vec![collections_sql(GroupBy::Site, "month", false)], binds: Binds::Range(day("2024-01-01"), day("2026-12-31"), None) },
        Case { name: "collections: type × year, 3 years, all sites", path: "/api/v1/stats/collections?group_by=type&period=year&from=2024-01-01&to=2026-12-31".into(), sqls: vec![collections_sql(GroupBy::Type, "year", false)], binds: Binds::Range(day("2024-01-01"), day("2026-12-31"), None) },
        Case { name: "collections: area × quarter, 1 year, one site", path: format!("/api/v1/stats/collections?group_by=area&period=quarter&from=2025-01-01&to=2025-12-31&site_id={site}"), sqls: vec![collections_sql(GroupBy::Area, "quarter", false)], binds: Binds::Range(day("2025-01-01"), day("2025-12-31"), Some(site)) },
        Case { name: "collections: container × month, 1 month, one site", path: format!("/api/v1/stats/collections?group_by=container&period=month&from=2025-03-01&to=2025-03-31&site_id={site}"), sqls: vec![collections_sql(GroupBy::Container, "month", false)], binds: Binds::Range(day("2025-03-01"), day("2025-03-31"), Some(site)) },
        Case { name: "collections: driver × week, 3 months, all sites", path: "/api/v1/stats/collections?group_by=driver&period=week&from=2025-01-01&to=2025-03-31".into(), sqls: vec![collections_sql(GroupBy::Driver, "week", false)], binds: Binds::Range(day("2025-01-01"), day("2025-03-31"), None) },
        Case { name: "reports: counts, delays, top, 1 year", path: "/api/v1/stats/reports?period=month&from=2025-01-01&to=2025-12-31".into(), sqls: vec![reports_counts, reports_delays, reports_top], binds: Binds::Range(day("2025-01-01"), day("2025-12-31"), None) },
        Case { name: "neglected containers, 30 days", path: "/api/v1/stats/containers/neglected?days=30".into(), sqls: vec![NEGLECTED_SQL.into()], binds: Binds::Since(since) },
        Case { name: "declaration CSV, one quarter, 20,000 rows", path: "/api/v1/stats/declaration.csv?year=2025&quarter=2".into(), sqls: vec![declaration_quarter_sql()], binds: Binds::Range(day("2025-04-01"), day("2025-06-30"), None) },
    ];
    // The SQL column runs with the app's session settings (adapter-postgres `pool.rs`): JIT
    // off, which otherwise adds 100–300 ms of compilation to every large statement.
    conn.batch_execute("SET jit = off").await.unwrap();
    println!();
    println!(
        "| query | HTTP p50 (ms) | HTTP p95 (ms) | same SQL p50 (ms) | same SQL p95 (ms) | answer |"
    );
    println!("|---|---:|---:|---:|---:|---:|");
    for case in &cases {
        let mut http_times = Vec::new();
        let mut sql_times = Vec::new();
        let mut size = 0;
        for run in 0..RUNS + 2 {
            let started = Instant::now();
            let response = client
                .get(format!("{base_url}{}", case.path))
                .bearer_auth(&token)
                .send()
                .await
                .unwrap();
            assert!(
                response.status().is_success(),
                "{}: {}",
                case.path,
                response.status()
            );
            size = response.bytes().await.unwrap().len();
            let http = started.elapsed().as_secs_f64() * 1e3;
            let sql = run_sql(&mut conn, case).await;
            if run >= 2 {
                http_times.push(http);
                sql_times.push(sql);
            }
        }
        let (h50, h95) = summary(http_times);
        let (s50, s95) = summary(sql_times);
        println!(
            "| {} | {h50:.1} | {h95:.1} | {s50:.1} | {s95:.1} | {:.0} KB |",
            case.name,
            size as f64 / 1024.0
        );
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    if env("BENCH_KEEP", "0") != "1" {
        admin
            .batch_execute(&format!("DROP SCHEMA {SCHEMA} CASCADE"))
            .await
            .unwrap();
    }
}
