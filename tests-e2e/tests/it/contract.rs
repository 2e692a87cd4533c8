//! The registry ports' contract, run against the PostgreSQL adapter (the in-memory fake
//! runs the same suite in the application crate).

use crate::support::{migrated_database, pg_settings};
use tisseco_adapter_postgres::{PgStore, PoolMode, build_pool};
use tisseco_application::testing::contract;

async fn store() -> PgStore {
    let url = migrated_database().await;
    PgStore::new(build_pool(&pg_settings(&url, 1), PoolMode::RollbackTestTransaction).unwrap())
}

#[tokio::test]
async fn postgres_sites_and_areas_honour_the_contract() {
    let store = store().await;
    contract::sites_and_areas(&store, &store).await;
}

#[tokio::test]
async fn postgres_containers_honour_the_contract() {
    let store = store().await;
    contract::containers(&store, &store, &store).await;
}

#[tokio::test]
async fn postgres_unit_of_work_honours_the_contract() {
    let store = store().await;
    contract::unit_of_work(&store, &store, &store).await;
}

#[tokio::test]
async fn postgres_password_resets_and_download_links_honour_their_contracts() {
    use diesel_async::RunQueryDsl;
    let url = migrated_database().await;
    let pool = build_pool(&pg_settings(&url, 1), PoolMode::RollbackTestTransaction).unwrap();
    let store = PgStore::new(pool.clone());
    let user = tisseco_domain::UserId::generate();
    let mut conn = pool.get().await.unwrap();
    diesel::sql_query(
        "INSERT INTO users (id, email, display_name, role, password_hash, created_at, updated_at) \
         VALUES ($1, 'reset-contract@tisseco.test', 'Reset', 'driver', 'x', now(), now())",
    )
    .bind::<diesel::sql_types::Uuid, _>(user.0)
    .execute(&mut conn)
    .await
    .unwrap();
    drop(conn);
    contract::password_resets(&store, user).await;
    tisseco_application::testing::links_contract::download_links(&store, user).await;
}
