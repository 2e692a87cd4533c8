//! Each single-threaded runtime (an actix-web HTTP worker) uses PostgreSQL and Redis
//! connections of its own, driven by its own runtime; multi-threaded runtimes share theirs.

use crate::support::{migrated_database, pg_settings, redis_url, unique};
use diesel::QueryableByName;
use diesel::sql_types::Integer;
use diesel_async::RunQueryDsl;
use secrecy::SecretString;
use std::sync::Arc;
use std::time::Duration;
use tisseco_adapter_cache::{RedisClient, RedisSettings};
use tisseco_adapter_postgres::{PgPool, build_pool_per_thread};
use tokio::sync::Barrier;

#[derive(QueryableByName)]
struct Backend {
    #[diesel(sql_type = Integer)]
    pid: i32,
}

/// The server process of the connection the pool hands out here.
async fn backend(pool: &PgPool) -> i32 {
    let mut conn = pool.get().await.unwrap();
    diesel::sql_query("SELECT pg_backend_pid() AS pid")
        .get_result::<Backend>(&mut conn)
        .await
        .unwrap()
        .pid
}

/// Runs `work` on a single-threaded runtime of a thread of its own, as an HTTP worker.
fn on_worker_thread<T: Send + 'static>(
    work: impl FnOnce() -> std::pin::Pin<Box<dyn Future<Output = T>>> + Send + 'static,
) -> std::thread::JoinHandle<T> {
    std::thread::spawn(move || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(work())
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_worker_thread_gets_postgres_connections_of_its_own() {
    let url = migrated_database().await;
    // 5 connections over 2 threads: 2 each, 1 shared
    let pool = build_pool_per_thread(&pg_settings(&url, 5), 2).unwrap();
    let twice = |pool: PgPool| {
        on_worker_thread(move || {
            Box::pin(async move { (backend(&pool).await, backend(&pool).await) })
        })
    };
    let (a1, a2) = twice(pool.clone()).join().unwrap();
    let (b1, b2) = twice(pool.clone()).join().unwrap();
    assert_eq!(a1, a2, "a thread takes its own idle connection again");
    assert_eq!(b1, b2);
    assert_ne!(
        a1, b1,
        "the second thread used the first one's connection, driven by the first one's runtime"
    );
    let shared = backend(&pool).await;
    assert!(
        shared != a1 && shared != b1,
        "the multi-threaded runtime shares a pool of its own"
    );
    let (c, _) = twice(pool.clone()).join().unwrap();
    assert_eq!(
        c, shared,
        "a thread past the set number uses the shared pool"
    );
    let status = pool.status();
    assert_eq!(
        status.max_size, 5,
        "the threads' pools and the shared one within the maximum"
    );
    assert_eq!(status.size, 3);
}

/// `CLIENT LIST`'s connections named `name` (the key prefix without its `:`).
async fn redis_connections_named(name: &str) -> usize {
    let client = deadpool_redis::redis::Client::open(redis_url()).unwrap();
    let mut conn = client.get_multiplexed_async_connection().await.unwrap();
    let list: String = deadpool_redis::redis::cmd("CLIENT")
        .arg("LIST")
        .query_async(&mut conn)
        .await
        .unwrap();
    list.lines()
        .filter(|line| line.split(' ').any(|field| field == format!("name={name}")))
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_worker_thread_gets_a_redis_connection_of_its_own() {
    let name = unique("threads");
    let client = RedisClient::new(&RedisSettings {
        url: SecretString::from(redis_url()),
        key_prefix: format!("{name}:"),
        timeout: Duration::from_secs(2),
        retry_after: Duration::from_secs(1),
        ca_file: None,
    })
    .unwrap();
    // both threads keep their runtimes running (they drive their connections) until counted
    let pinged = Arc::new(Barrier::new(3));
    let counted = Arc::new(Barrier::new(3));
    let workers: Vec<_> = (0..2)
        .map(|_| {
            let (client, pinged, counted) = (client.clone(), pinged.clone(), counted.clone());
            on_worker_thread(move || {
                Box::pin(async move {
                    client.ping().await.unwrap();
                    client.ping().await.unwrap();
                    pinged.wait().await;
                    counted.wait().await;
                })
            })
        })
        .collect();
    pinged.wait().await;
    let during = redis_connections_named(&name).await;
    counted.wait().await;
    for worker in workers {
        worker.join().unwrap();
    }
    assert_eq!(
        during, 2,
        "one connection per worker thread, each pinging twice"
    );
    client.ping().await.unwrap();
    // the workers' connections close with their runtimes, as Redis sees shortly after
    let mut after = 0;
    for _ in 0..40 {
        after = redis_connections_named(&name).await;
        if after == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        after, 1,
        "the multi-threaded runtime's one shared connection"
    );
}
