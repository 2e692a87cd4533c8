//! A merge batch is written whole or not at all, although its audit records are pipelined
//! behind its containers (sent before the containers' statement has answered): a container
//! changed since it was read rolls back the creations and the audit records sent with it.

use crate::support::{migrated_database, pg_settings, random_public_code};
use chrono::Utc;
use diesel::QueryableByName;
use diesel::sql_types::{BigInt, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};
use tisseco_adapter_postgres::{PgStore, PoolMode, build_pool};
use tisseco_application::imports::{ImportStore, MergePlan};
use tisseco_domain::{
    Container, ContainerStatus, ContainerType, ExternalRef, GeoPoint, NewContainer, SiteId,
};
use uuid::Uuid;

const CREATED: usize = 500;

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

fn container(site: SiteId, reference: &str) -> Container {
    Container::create(
        NewContainer {
            public_code: random_public_code(),
            site_id: site,
            area_id: None,
            external_ref: Some(ExternalRef::parse(reference).unwrap()),
            kind: ContainerType::StreetBin,
            status: ContainerStatus::Active,
            capacity: None,
            location: GeoPoint::new(45.75, 4.83).unwrap(),
            address: None,
            installed_on: None,
            notes: None,
        },
        Utc::now(),
    )
}

async fn count(conn: &mut AsyncPgConnection, sql: &str, id: Uuid) -> i64 {
    diesel::sql_query(sql)
        .bind::<SqlUuid, _>(id)
        .get_result::<Count>(conn)
        .await
        .unwrap()
        .n
}

/// (containers of the site, audit records of the import, the import's merge cursor)
async fn written(conn: &mut AsyncPgConnection, site: SiteId, import: Uuid) -> (i64, i64, i64) {
    (
        count(
            conn,
            "SELECT count(*) AS n FROM containers WHERE site_id = $1",
            site.0,
        )
        .await,
        count(
            conn,
            "SELECT count(*) AS n FROM audit_log WHERE import_id = $1",
            import,
        )
        .await,
        count(
            conn,
            "SELECT merged_through AS n FROM imports WHERE id = $1",
            import,
        )
        .await,
    )
}

fn plan(from: u64, created: Vec<Container>, updated: Vec<(Container, Container)>) -> MergePlan {
    MergePlan {
        from,
        through: from + 1_000,
        created,
        updated,
        ..MergePlan::default()
    }
}

#[tokio::test]
async fn a_batch_whose_container_changed_since_read_writes_neither_containers_nor_audit() {
    let url = migrated_database().await;
    let pool = build_pool(&pg_settings(&url, 2), PoolMode::Normal).unwrap();
    let store = PgStore::new(pool.clone());
    let site = SiteId::generate();
    let import = Uuid::now_v7();
    let mut conn = pool.get().await.unwrap();
    conn.batch_execute(&format!(
        "INSERT INTO sites (id, code, name, created_at, updated_at) \
           VALUES ('{site}', 'apply-{short}', 'Apply', now(), now()); \
         INSERT INTO imports (id, file_name, state) VALUES ('{import}', 'apply.csv', 'merging')",
        site = site.0,
        short = &Uuid::new_v4().simple().to_string()[..8],
    ))
    .await
    .unwrap();

    let kept = container(site, "KEPT");
    assert!(
        store
            .apply_merge(import, plan(0, vec![kept.clone()], Vec::new()))
            .await
            .unwrap()
    );
    assert_eq!(written(&mut conn, site, import).await, (1, 1, 1_000));

    // read at version 1, but changed by someone else since
    let mut stale = kept.clone();
    stale.version = 7;
    let mut after = kept.clone();
    after.status = ContainerStatus::Damaged;
    after.version = 8;
    let created: Vec<Container> = (0..CREATED)
        .map(|i| container(site, &format!("NEW-{i}")))
        .collect();
    let refused = plan(1_000, created.clone(), vec![(stale, after.clone())]);
    assert!(!store.apply_merge(import, refused).await.unwrap());
    assert_eq!(
        written(&mut conn, site, import).await,
        (1, 1, 1_000),
        "nothing of the refused batch is written, its audit records included"
    );

    // the same batch, read again at the stored version, goes in whole
    after.version = 2;
    let accepted = plan(1_000, created, vec![(kept, after)]);
    assert!(store.apply_merge(import, accepted).await.unwrap());
    let creations = i64::try_from(CREATED).unwrap();
    assert_eq!(
        written(&mut conn, site, import).await,
        (1 + creations, 1 + creations + 1, 2_000)
    );
}
