//! Read-through caching over the in-memory fake: hits, versions, scopes, outages and
//! single-flight.

use super::*;
use crate::testing::InMemoryCache;
use std::sync::atomic::{AtomicUsize, Ordering};

fn key(scope: Scope, request: &str) -> CacheKey {
    CacheKey {
        namespace: CONTAINERS,
        scope,
        request: request.into(),
    }
}

const TTL: Duration = Duration::from_secs(30);

fn loader(
    calls: &Arc<AtomicUsize>,
    value: &'static str,
) -> impl Future<Output = Result<Vec<u8>, AppError>> + Send + 'static {
    let calls = calls.clone();
    async move {
        calls.fetch_add(1, Ordering::SeqCst);
        Ok(value.as_bytes().to_vec())
    }
}

#[tokio::test]
async fn a_second_read_is_a_hit_stored_with_the_ttl() {
    let cache = Arc::new(InMemoryCache::default());
    let reads = CachedReads::new(cache.clone());
    let calls = Arc::new(AtomicUsize::new(0));
    let k = key(Scope::Public, "nearby:1");
    let first = reads
        .get_or_load(&k, TTL, loader(&calls, "a"))
        .await
        .unwrap();
    let second = reads
        .get_or_load(&k, TTL, loader(&calls, "b"))
        .await
        .unwrap();
    assert_eq!((&*first, &*second), (&b"a"[..], &b"a"[..]));
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    assert_eq!(
        cache.keys(),
        vec!["containers:v0:public:nearby:1".to_owned()]
    );
    assert_eq!(cache.ttl_of("containers:v0:public:nearby:1"), Some(TTL));
}

#[tokio::test]
async fn a_bump_makes_old_entries_unreachable() {
    let cache = Arc::new(InMemoryCache::default());
    let reads = CachedReads::new(cache.clone());
    let calls = Arc::new(AtomicUsize::new(0));
    let k = key(Scope::Public, "nearby:1");
    reads
        .get_or_load(&k, TTL, loader(&calls, "old"))
        .await
        .unwrap();
    cache.bump(CONTAINERS).await;
    let fresh = reads
        .get_or_load(&k, TTL, loader(&calls, "new"))
        .await
        .unwrap();
    assert_eq!(&*fresh, b"new");
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn scopes_never_share_an_entry() {
    let cache = Arc::new(InMemoryCache::default());
    let reads = CachedReads::new(cache.clone());
    let calls = Arc::new(AtomicUsize::new(0));
    let user = Scope::User(uuid::Uuid::nil().into());
    for scope in [Scope::Public, Scope::Staff, user] {
        reads
            .get_or_load(&key(scope, "r"), TTL, loader(&calls, "x"))
            .await
            .unwrap();
    }
    assert_eq!(calls.load(Ordering::SeqCst), 3);
    assert!(cache.keys().iter().any(|k| k.contains(":user-0000")));
}

#[tokio::test]
async fn a_cache_that_is_down_passes_through_without_error() {
    let cache = Arc::new(InMemoryCache::default());
    cache.set_down(true);
    let reads = CachedReads::new(cache.clone());
    let calls = Arc::new(AtomicUsize::new(0));
    let k = key(Scope::Public, "nearby:1");
    for _ in 0..3 {
        let value = reads
            .get_or_load(&k, TTL, loader(&calls, "v"))
            .await
            .unwrap();
        assert_eq!(&*value, b"v");
    }
    assert_eq!(calls.load(Ordering::SeqCst), 3);
    assert!(cache.failures.load(Ordering::SeqCst) >= 3);
    cache.bump(CONTAINERS).await; // no panic, no error
}

#[tokio::test]
async fn a_failed_load_is_not_cached() {
    let cache = Arc::new(InMemoryCache::default());
    let reads = CachedReads::new(cache.clone());
    let k = key(Scope::Public, "nearby:1");
    let failed = reads
        .get_or_load(&k, TTL, async { Err(AppError::Unavailable("db".into())) })
        .await;
    assert!(matches!(failed, Err(AppError::Unavailable(_))));
    assert!(cache.keys().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_concurrent_misses_run_one_load() {
    let cache = Arc::new(InMemoryCache::default());
    let reads = CachedReads::new(cache.clone());
    let calls = Arc::new(AtomicUsize::new(0));
    let gate = Arc::new(tokio::sync::Notify::new());
    let k = key(Scope::Public, "hot");
    let mut tasks = Vec::new();
    for _ in 0..100 {
        let (reads, k, calls, gate) = (reads.clone(), k.clone(), calls.clone(), gate.clone());
        tasks.push(tokio::spawn(async move {
            reads
                .get_or_load(&k, TTL, async move {
                    calls.fetch_add(1, Ordering::SeqCst);
                    gate.notified().await;
                    Ok(b"hot".to_vec())
                })
                .await
        }));
    }
    // Let every task reach the flight, then release the one load.
    while reads.flights.is_empty() {
        tokio::task::yield_now().await;
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    gate.notify_one();
    for task in tasks {
        assert_eq!(&*task.await.unwrap().unwrap(), b"hot");
    }
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    assert!(reads.flights.is_empty());
}
