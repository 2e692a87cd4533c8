//! Faults that need no outage of their own (the slow ones, with PostgreSQL and Redis of
//! their own stopped and started, are in `tests/faults`): an upload whose API died, and a
//! declared body too large to read.

use crate::jobs_support::Schema;
use crate::support::{TestApp, test_settings};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};
use std::sync::Arc;
use std::time::Duration;
use tisseco_application::imports::{ImportState, ImportStore, Imports, StaleUploads};
use tisseco_bootstrap::{PoolMode, build_services};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[tokio::test(flavor = "multi_thread")]
async fn an_upload_that_stopped_arriving_is_failed_with_a_reason_and_its_rows_dropped() {
    let schema = Schema::create().await;
    let store = Arc::new(schema.store());
    let imports = Imports::new(store.clone(), 1 << 20);
    // two uploads whose API died mid-body: one long ago, one a moment ago
    let stopped = imports
        .begin(None, "stopped.csv", false, None)
        .await
        .unwrap();
    let recent = imports
        .begin(None, "recent.csv", false, None)
        .await
        .unwrap();
    let mut conn = AsyncPgConnection::establish(&schema.url).await.unwrap();
    conn.batch_execute(&format!(
        "UPDATE imports SET updated_at = now() - interval '11 minutes' WHERE id = '{}'",
        stopped.id()
    ))
    .await
    .unwrap();

    let sweeper = StaleUploads::new(store.clone(), Duration::from_secs(600));
    assert_eq!(sweeper.sweep().await.unwrap(), 1, "only the stale one");
    let failed = store.get(stopped.id()).await.unwrap().unwrap();
    assert_eq!(failed.state, ImportState::Failed);
    assert!(
        failed
            .failure
            .as_deref()
            .unwrap_or_default()
            .contains("upload-stopped:600"),
        "{:?}",
        failed.failure
    );
    let live = store.get(recent.id()).await.unwrap().unwrap();
    assert_eq!(
        live.state,
        ImportState::Receiving,
        "a live upload is left alone"
    );
    drop(conn);
    schema.drop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_declared_content_length_over_the_limit_is_refused_before_reading_the_body() {
    let database = crate::support::migrated_database().await;
    let settings = test_settings(&database, &[("IMPORT_MAX_BYTES", "1048576")]);
    let services = build_services(&settings, PoolMode::RollbackTestTransaction).unwrap();
    let app = TestApp::serve(services, settings.http);
    let token = app.token(tisseco_domain::Role::Manager);
    let address = app.base.trim_start_matches("http://").to_owned();
    let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
    // 600 MiB declared, a few bytes sent: the old API read on, waiting for the rest
    let head = format!(
        "POST /api/v1/imports?file_name=big.csv HTTP/1.1\r\nhost: {address}\r\n\
         authorization: Bearer {token}\r\ncontent-type: text/csv\r\n\
         content-length: 629145600\r\n\r\npublic_code;site_code\n"
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut answer = vec![0_u8; 4096];
    let read = tokio::time::timeout(Duration::from_secs(20), stream.read(&mut answer))
        .await
        .expect("an answer without the body")
        .unwrap();
    let answer = String::from_utf8_lossy(&answer[..read]);
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
}

#[derive(diesel::QueryableByName)]
struct Space {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    tables: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    shared_bytes: i64,
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refused_upload_gives_its_staging_space_back_at_once() {
    let schema = Schema::create().await;
    let store = Arc::new(schema.store());
    let imports = Imports::new(store.clone(), 256 * 1024);
    let upload = imports
        .begin(None, "too-big.csv", false, None)
        .await
        .unwrap();
    // rows stream into staging (a COPY) until the file passes the limit and is refused
    let header = b"site_code;external_ref;type;latitude;longitude\n".to_vec();
    let rows = (0..100).map(|chunk| {
        (0..100)
            .map(|n| format!("lyon;R{chunk}-{n};other;45.75;4.85\n"))
            .collect::<String>()
            .into_bytes()
    });
    let body = std::iter::once(header).chain(rows).map(std::io::Result::Ok);
    let read = upload.read(futures_util::stream::iter(body), None).await;
    assert!(read.is_err(), "the upload passed the limit");
    let mut conn = AsyncPgConnection::establish(&schema.url).await.unwrap();
    let sweeper = StaleUploads::new(store.clone(), Duration::from_secs(600));
    let mut space = Vec::new();
    for _ in 0..50 {
        space = diesel::sql_query(
            "SELECT (SELECT count(*) FROM pg_tables WHERE schemaname = current_schema() \
               AND tablename LIKE 'import\\_staged\\_%') AS tables, \
             pg_relation_size('import_rows') AS shared_bytes",
        )
        .load::<Space>(&mut conn)
        .await
        .unwrap();
        if space[0].tables == 0 {
            break;
        }
        // a COPY still aborting held the table: the worker's sweep drops it
        sweeper.sweep().await.unwrap();
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(space[0].tables, 0, "the import's staging table is dropped");
    assert_eq!(space[0].shared_bytes, 0, "nothing left in a shared table");
    drop(conn);
    schema.drop().await;
}
