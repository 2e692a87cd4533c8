//! The plan of validation's lookup does not depend on fresh statistics: when an import ends,
//! its VACUUM leaves `import_valid` counted empty, and the next import's earlier-line
//! lookup then walked the primary key, filtering every row of the import per row looked up
//! (every batch after the first over the statement timeout, retried forever).

use crate::support::{migrated_database, pg_settings, random_public_code};
use diesel::QueryableByName;
use diesel::sql_types::{Array, BigInt, Bool, Double, Nullable, Text, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};
use tisseco_adapter_postgres::{PgStore, PoolMode, build_pool, import_resolve_statement};
use tisseco_application::imports::{ImportStore, ValidatedBatch};
use tisseco_domain::import::ValidRow;
use tisseco_domain::{ContainerId, ContainerStatus, ContainerType, ExternalRef, GeoPoint, SiteId};
use uuid::Uuid;

/// Twice the default batch (`IMPORT_BATCH`): with 2,000 rows the planner chose the index
/// anyway.
const FIRST_BATCH: u64 = 20_000;
const LOOKED_UP: i64 = 2_000;

#[derive(QueryableByName)]
struct PlanLine {
    #[diesel(sql_type = Text)]
    #[diesel(column_name = "QUERY PLAN")]
    line: String,
}

fn valid_row(line: u64, site: SiteId) -> ValidRow {
    ValidRow {
        line,
        container_id: ContainerId::generate(),
        public_code: random_public_code(),
        site_id: site,
        area_id: None,
        external_ref: ExternalRef::parse(&format!("R{line}")).unwrap(),
        kind: ContainerType::StreetBin,
        status: ContainerStatus::Active,
        capacity: None,
        location: GeoPoint::new(45.75, 4.83).unwrap(),
        address: None,
        installed_on: None,
        notes: None,
    }
}

/// The plan of the lookup for the lines after the first batch.
async fn resolve_plan(conn: &mut AsyncPgConnection, import: Uuid, site_code: &str) -> String {
    let first = FIRST_BATCH as i64 + 2;
    let lines: Vec<i64> = (first..first + LOOKED_UP).collect();
    let plan: Vec<PlanLine> = diesel::sql_query(format!("EXPLAIN {}", import_resolve_statement()))
        .bind::<SqlUuid, _>(import)
        .bind::<Array<BigInt>, _>(&lines)
        .bind::<Array<Text>, _>(lines.iter().map(|_| site_code).collect::<Vec<_>>())
        .bind::<Array<Nullable<Text>>, _>(lines.iter().map(|_| None::<&str>).collect::<Vec<_>>())
        .bind::<Array<Text>, _>(lines.iter().map(|l| format!("R{l}")).collect::<Vec<_>>())
        .bind::<Array<Double>, _>(lines.iter().map(|_| 45.75).collect::<Vec<_>>())
        .bind::<Array<Double>, _>(lines.iter().map(|_| 4.83).collect::<Vec<_>>())
        .bind::<Array<Bool>, _>(lines.iter().map(|_| false).collect::<Vec<_>>())
        .load(conn)
        .await
        .unwrap();
    plan.into_iter()
        .map(|p| p.line)
        .collect::<Vec<_>>()
        .join("\n")
}

#[tokio::test]
async fn the_earlier_line_lookup_keeps_its_index_after_statistics_counted_the_table_empty() {
    let url = migrated_database().await;
    // one connection in a transaction rolled back at the end: the statistics too
    let pool = build_pool(&pg_settings(&url, 1), PoolMode::RollbackTestTransaction).unwrap();
    let store = PgStore::new(pool.clone());
    let site = SiteId::generate();
    let site_code = format!("plans-{}", &Uuid::new_v4().simple().to_string()[..8]);
    let import = Uuid::now_v7();
    let mut conn = pool.get().await.unwrap();
    conn.batch_execute(&format!(
        "INSERT INTO sites (id, code, name, created_at, updated_at) \
           VALUES ('{}', '{site_code}', 'Plans', now(), now()); \
         INSERT INTO imports (id, file_name, state) VALUES ('{import}', 'plans.csv', 'validating'); \
         ANALYZE import_valid",
        site.0
    ))
    .await
    .unwrap();
    drop(conn);
    let batch = ValidatedBatch {
        from: 0,
        through: FIRST_BATCH + 1,
        valid: (2..FIRST_BATCH + 2)
            .map(|line| valid_row(line, site))
            .collect(),
        rejected: Vec::new(),
        rejected_lines: 0,
    };
    assert!(store.save_validated(import, &batch).await.unwrap());
    let mut conn = pool.get().await.unwrap();
    let plan = resolve_plan(&mut conn, import, &site_code).await;
    assert!(plan.contains("import_valid_site_ref_idx"), "{plan}");
    assert!(!plan.contains("import_valid_pkey"), "{plan}");
}
