//! Every migration applies, reverts cleanly and applies again, in a schema of its own.

use crate::support::test_database_url;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};
use secrecy::SecretString;
use tisseco_bootstrap::{revert_all_migrations, run_migrations};

#[derive(diesel::QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    count: i64,
}

async fn tables_in(conn: &mut AsyncPgConnection, schema: &str) -> i64 {
    diesel::sql_query(
        "SELECT count(*) AS count FROM information_schema.tables WHERE table_schema = $1",
    )
    .bind::<diesel::sql_types::Text, _>(schema)
    .get_result::<Count>(conn)
    .await
    .unwrap()
    .count
}

#[tokio::test(flavor = "multi_thread")]
async fn migrations_apply_revert_and_reapply() {
    let base = test_database_url();
    let schema = format!("migtest_{}", uuid::Uuid::new_v4().simple());
    let mut admin = AsyncPgConnection::establish(&base).await.unwrap();
    admin
        .batch_execute(&format!("CREATE SCHEMA {schema}"))
        .await
        .unwrap();
    let separator = if base.contains('?') { '&' } else { '?' };
    let url = SecretString::from(format!(
        "{base}{separator}options=-c%20search_path%3D{schema}%2Cpublic"
    ));

    let applied = run_migrations(&url).await.unwrap();
    assert!(!applied.is_empty());
    let with_everything = tables_in(&mut admin, &schema).await;
    assert!(
        with_everything >= 5,
        "the registry tables and diesel's own: {with_everything}"
    );

    let reverted = revert_all_migrations(&url).await.unwrap();
    assert_eq!(reverted, applied.len());
    assert_eq!(
        tables_in(&mut admin, &schema).await,
        1,
        "only diesel's bookkeeping table is left"
    );

    assert_eq!(run_migrations(&url).await.unwrap(), applied);
    assert_eq!(tables_in(&mut admin, &schema).await, with_everything);
    admin
        .batch_execute(&format!("DROP SCHEMA {schema} CASCADE"))
        .await
        .unwrap();
}
