//! What every pooled connection is set up with.

use crate::support::{migrated_database, pg_settings};
use diesel::QueryableByName;
use diesel::sql_types::Text;
use diesel_async::RunQueryDsl;
use tisseco_adapter_postgres::{Plans, PoolMode, build_pool};

#[derive(QueryableByName)]
struct Setting {
    #[diesel(sql_type = Text)]
    value: String,
}

async fn show(conn: &mut diesel_async::AsyncPgConnection, name: &str) -> String {
    diesel::sql_query(format!("SELECT current_setting('{name}') AS value"))
        .get_result::<Setting>(conn)
        .await
        .unwrap()
        .value
}

/// JIT compilation took 260 of the 370 ms an import batch's lookup spent; statements are
/// planned per execution; the statement timeout is the configured one.
#[tokio::test]
async fn pooled_connections_run_without_jit_and_with_custom_plans() {
    let url = migrated_database().await;
    let pool = build_pool(&pg_settings(&url, 1), PoolMode::Normal).unwrap();
    let mut conn = pool.get().await.unwrap();
    assert_eq!(show(&mut conn, "jit").await, "off");
    assert_eq!(
        show(&mut conn, "plan_cache_mode").await,
        "force_custom_plan"
    );
    assert_eq!(show(&mut conn, "statement_timeout").await, "5s");
}

/// An unfiltered radius or bbox search asks for plans made once; whoever takes the
/// connection next gets plans per execution back (and the search again plans once).
#[tokio::test]
async fn a_session_planning_once_plans_per_execution_again_for_the_next_user() {
    let url = migrated_database().await;
    let pool = build_pool(&pg_settings(&url, 1), PoolMode::Normal).unwrap();
    for _ in 0..2 {
        let mut search = pool.get_planning(Plans::Once).await.unwrap();
        assert_eq!(
            show(&mut search, "plan_cache_mode").await,
            "force_generic_plan"
        );
        drop(search);
        // the pool's only connection, so the same session
        let mut next = pool.get().await.unwrap();
        assert_eq!(
            show(&mut next, "plan_cache_mode").await,
            "force_custom_plan"
        );
    }
}
