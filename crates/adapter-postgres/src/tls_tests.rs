//! TLS against a PostgreSQL of the test's own (`just tls-test` starts it with a test CA
//! and a certificate for `localhost` only); ignored otherwise.

use crate::{PgSettings, PoolMode, build_pool, run_migrations};
use diesel::sql_types::Bool;
use diesel_async::RunQueryDsl;
use secrecy::SecretString;
use std::time::Duration;

fn url(host: &str, mode: &str) -> String {
    let port = std::env::var("TLS_TEST_PG_PORT").expect("TLS_TEST_PG_PORT (run `just tls-test`)");
    let ca = std::env::var("TLS_TEST_CA").expect("TLS_TEST_CA");
    format!("postgres://postgres@{host}:{port}/tisseco_tls?sslmode={mode}&sslrootcert={ca}")
}

fn settings(url: String) -> PgSettings {
    PgSettings {
        url: SecretString::from(url),
        max_connections: 2,
        statement_timeout: Duration::from_secs(30),
        connect_timeout: Duration::from_secs(30),
        application_name: "tls-test".into(),
    }
}

#[derive(diesel::QueryableByName)]
struct Ssl {
    #[diesel(sql_type = Bool)]
    ssl: bool,
}

#[tokio::test]
#[ignore = "needs `just tls-test`"]
async fn tls_verify_full_pools_copies_and_migrates_encrypted() {
    let url = url("localhost", "verify-full");
    let pool = build_pool(&settings(url.clone()), PoolMode::Normal).unwrap();
    let mut conn = pool.get().await.unwrap();
    let row: Ssl = diesel::sql_query("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
        .get_result(&mut conn)
        .await
        .unwrap();
    assert!(row.ssl, "the pool's connection is not encrypted");
    // the COPY connection
    let client = crate::tls::client(&url).await.unwrap();
    let ssl: bool = client
        .query_one(
            "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert!(ssl, "the bulk connection is not encrypted");
    run_migrations(&SecretString::from(url.clone()))
        .await
        .unwrap();
    assert!(
        run_migrations(&SecretString::from(url))
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
#[ignore = "needs `just tls-test`"]
async fn tls_a_wrong_host_name_fails_verify_full_with_a_clear_error_but_passes_verify_ca() {
    let error = crate::tls::client(&url("127.0.0.1", "verify-full"))
        .await
        .err()
        .unwrap();
    assert!(error.contains("not valid for name"), "{error}");
    let migrate = run_migrations(&SecretString::from(url("127.0.0.1", "verify-full")))
        .await
        .unwrap_err()
        .to_string();
    assert!(migrate.contains("not valid for name"), "{migrate}");
    crate::tls::client(&url("127.0.0.1", "verify-ca"))
        .await
        .unwrap();
}

#[tokio::test]
#[ignore = "needs `just tls-test`"]
async fn tls_plain_connections_still_work_and_require_encrypts() {
    let port = std::env::var("TLS_TEST_PG_PORT").unwrap();
    let plain = format!("postgres://postgres@127.0.0.1:{port}/tisseco_tls?sslmode=disable");
    let client = crate::tls::client(&plain).await.unwrap();
    let ssl: bool = client
        .query_one(
            "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert!(!ssl);
    // require encrypts without checking the certificate, as libpq does
    let required = format!("postgres://postgres@127.0.0.1:{port}/tisseco_tls?sslmode=require");
    crate::tls::client(&required).await.unwrap();
}
