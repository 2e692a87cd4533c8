//! The projections the reports read (migration `2026-12-04-050000_stats_projections`),
//! kept by triggers: a report's local day in its site's time zone and its first
//! acknowledgement and resolution; each container's last visit and kilograms per quarter.
//! Written with plain SQL in a committed schema of its own, so the triggers alone fill them.

use crate::support::test_database_url;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};
use secrecy::SecretString;
use tisseco_bootstrap::run_migrations;

#[derive(diesel::QueryableByName, Debug, PartialEq)]
struct Line {
    #[diesel(sql_type = diesel::sql_types::Text)]
    line: String,
}

async fn lines(conn: &mut AsyncPgConnection, sql: &str) -> Vec<String> {
    diesel::sql_query(sql)
        .load::<Line>(conn)
        .await
        .unwrap()
        .into_iter()
        .map(|l| l.line)
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn triggers_keep_the_report_and_visit_projections() {
    let base = test_database_url();
    let schema = format!("projtest_{}", uuid::Uuid::new_v4().simple());
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
    let mut conn = AsyncPgConnection::establish(&url).await.unwrap();
    conn.batch_execute(
        "INSERT INTO sites (id, code, name, created_at, updated_at)
           VALUES ('00000000-0000-0000-0000-000000000001', 'paris', 'Paris', now(), now());
         INSERT INTO containers (id, public_code, site_id, kind, status, location, created_at, updated_at)
           VALUES ('00000000-0000-0000-0000-00000000000c', 'KAAA', '00000000-0000-0000-0000-000000000001',
                   'street_bin', 'active', ST_SetSRID(ST_MakePoint(2.35, 48.85), 4326), now(), now());
         -- 23:30 UTC on 31 March is 1 April in Paris (summer time since the 30th)
         INSERT INTO reports (id, public_token, container_id, category, created_at)
           VALUES ('00000000-0000-0000-0000-0000000000a1', 't1', '00000000-0000-0000-0000-00000000000c',
                   'dirty', timestamptz '2027-03-31 23:30Z'),
                  ('00000000-0000-0000-0000-0000000000a2', 't2', '00000000-0000-0000-0000-00000000000c',
                   'damaged', timestamptz '2027-03-31 21:30Z');
         INSERT INTO report_events (report_id, occurred_at, status) VALUES
           ('00000000-0000-0000-0000-0000000000a1', timestamptz '2027-04-01 09:00Z', 'in_progress'),
           ('00000000-0000-0000-0000-0000000000a1', timestamptz '2027-04-01 08:00Z', 'acknowledged'),
           ('00000000-0000-0000-0000-0000000000a1', timestamptz '2027-04-02 10:00Z', 'resolved'),
           ('00000000-0000-0000-0000-0000000000a1', timestamptz '2027-04-03 10:00Z', 'resolved'),
           ('00000000-0000-0000-0000-0000000000a2', timestamptz '2027-04-01 10:00Z', 'new');
         INSERT INTO tours (id, site_id, date, state, stops, version, created_at, updated_at) VALUES
           ('00000000-0000-0000-0000-0000000000b1', '00000000-0000-0000-0000-000000000001', date '2027-03-31', 'completed', '[]', 1, now(), now()),
           ('00000000-0000-0000-0000-0000000000b2', '00000000-0000-0000-0000-000000000001', date '2027-04-01', 'completed', '[]', 1, now(), now()),
           ('00000000-0000-0000-0000-0000000000b3', '00000000-0000-0000-0000-000000000001', date '2027-04-02', 'completed', '[]', 1, now(), now());
         INSERT INTO visits (tour_id, container_id, site_id, container_kind, occurred_at, local_day,
                             outcome, fill_level, weight_kg, emptied, skip_reason) VALUES
           ('00000000-0000-0000-0000-0000000000b1', '00000000-0000-0000-0000-00000000000c',
            '00000000-0000-0000-0000-000000000001', 'street_bin', timestamptz '2027-03-31 08:00Z',
            date '2027-03-31', 'visited', 50, 10.5, true, NULL),
           ('00000000-0000-0000-0000-0000000000b2', '00000000-0000-0000-0000-00000000000c',
            '00000000-0000-0000-0000-000000000001', 'street_bin', timestamptz '2027-03-31 23:30Z',
            date '2027-04-01', 'visited', 70, 20.0, true, NULL),
           ('00000000-0000-0000-0000-0000000000b3', '00000000-0000-0000-0000-00000000000c',
            '00000000-0000-0000-0000-000000000001', 'street_bin', timestamptz '2027-04-02 08:00Z',
            date '2027-04-02', 'skipped', NULL, NULL, false, 'blocked');",
    )
    .await
    .unwrap();

    assert_eq!(
        lines(
            &mut conn,
            "SELECT concat_ws(' ', category, local_day, acknowledged_at AT TIME ZONE 'UTC',
                              resolved_at AT TIME ZONE 'UTC') AS line
             FROM reports ORDER BY category"
        )
        .await,
        [
            "damaged 2027-03-31",
            "dirty 2027-04-01 2027-04-01 08:00:00 2027-04-02 10:00:00"
        ],
        "the local day in Paris; the first step past new and the first resolution, \
         whatever the order the events were written in"
    );
    assert_eq!(
        lines(
            &mut conn,
            "SELECT (last_visited_at AT TIME ZONE 'UTC')::text AS line FROM container_last_visits"
        )
        .await,
        ["2027-03-31 23:30:00"],
        "the last visit proper: the later skip does not count"
    );
    assert_eq!(
        lines(
            &mut conn,
            "SELECT concat_ws(' ', quarter, visits, kilograms) AS line
             FROM container_quarter_rollups ORDER BY quarter"
        )
        .await,
        ["2027-01-01 1 10.5", "2027-04-01 1 20"],
        "kilograms per quarter of local days: 23:30 UTC on 31 March is in the second"
    );
    drop(conn);
    admin
        .batch_execute(&format!("DROP SCHEMA {schema} CASCADE"))
        .await
        .unwrap();
}
