//! The Redis cache adapter against the real Redis (a key prefix per test), an unreachable
//! Redis (pass-through), and single-flight over the real adapter.

use secrecy::SecretString;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tisseco_adapter_cache::{RedisCache, RedisSettings};
use tisseco_application::AppError;
use tisseco_application::cache::{CONTAINERS, Cache, CacheKey, CachedReads, Scope};

pub fn redis_url() -> String {
    std::env::var("REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".to_owned())
}

/// A cache on the real Redis whose keys no other test shares.
pub fn test_cache() -> RedisCache {
    cache_at(&redis_url())
}

pub fn cache_at(url: &str) -> RedisCache {
    RedisCache::new(&RedisSettings {
        url: SecretString::from(url.to_owned()),
        key_prefix: format!("test:{}:", uuid::Uuid::new_v4().simple()),
        timeout: Duration::from_millis(500),
        retry_after: Duration::from_secs(1),
        ca_file: None,
    })
    .unwrap()
}

fn key(request: &str) -> CacheKey {
    CacheKey {
        namespace: CONTAINERS,
        scope: Scope::Public,
        request: request.into(),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn values_versions_and_ttls_on_the_real_redis() {
    let cache = test_cache();
    assert_eq!(cache.version(CONTAINERS).await, Some(0));
    assert_eq!(cache.get("k").await, None);
    cache.put("k", b"value", Duration::from_secs(30)).await;
    assert_eq!(cache.get("k").await.as_deref(), Some(&b"value"[..]));
    cache.bump(CONTAINERS).await;
    cache.bump(CONTAINERS).await;
    assert_eq!(cache.version(CONTAINERS).await, Some(2));
    cache.put("short", b"v", Duration::from_millis(50)).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(cache.get("short").await, None, "expired");
    assert_eq!(cache.failures(), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unreachable_redis_passes_through_and_counts() {
    let cache = Arc::new(cache_at("redis://127.0.0.1:1"));
    let reads = CachedReads::new(cache.clone());
    let loads = Arc::new(AtomicUsize::new(0));
    for _ in 0..3 {
        let loads = loads.clone();
        let value = reads
            .get_or_load(&key("r"), Duration::from_secs(30), async move {
                loads.fetch_add(1, Ordering::SeqCst);
                Ok(b"from the database".to_vec())
            })
            .await
            .unwrap();
        assert_eq!(&*value, b"from the database");
    }
    cache.bump(CONTAINERS).await;
    assert_eq!(loads.load(Ordering::SeqCst), 3);
    assert!(cache.failures() >= 3, "{}", cache.failures());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_hundred_concurrent_misses_run_one_load_over_redis() {
    let reads = CachedReads::new(Arc::new(test_cache()));
    let loads = Arc::new(AtomicUsize::new(0));
    let tasks: Vec<_> = (0..100)
        .map(|_| {
            let (reads, loads) = (reads.clone(), loads.clone());
            tokio::spawn(async move {
                reads
                    .get_or_load(&key("hot"), Duration::from_secs(30), async move {
                        loads.fetch_add(1, Ordering::SeqCst);
                        tokio::time::sleep(Duration::from_millis(300)).await;
                        Ok::<_, AppError>(b"hot".to_vec())
                    })
                    .await
            })
        })
        .collect();
    for task in tasks {
        assert_eq!(&*task.await.unwrap().unwrap(), b"hot");
    }
    assert_eq!(loads.load(Ordering::SeqCst), 1);
}
