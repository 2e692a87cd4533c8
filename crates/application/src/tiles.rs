//! Container map tiles (Mapbox Vector Tiles): the `TileSource` port and the use case that
//! names each tile by the containers' cache version, so an unchanged tile is a 304 without
//! touching the database and any container write changes every tile's name.

use crate::AppError;
use crate::cache::{CONTAINERS, Cache};
use crate::ports::RepoError;
use crate::search::GeoFilter;
use async_trait::async_trait;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::Arc;
use std::time::Duration;
use tisseco_domain::TileCoord;

/// Renders container tiles.
#[async_trait]
pub trait TileSource: Send + Sync {
    /// The live containers of `tile` that pass `filter`, as one MVT layer `containers`
    /// (thinned to one point per grid cell below `FULL_DETAIL_ZOOM`); empty bytes for an
    /// empty tile. Runs on the spatial index.
    ///
    /// # Errors
    /// `Unavailable` when the store can't be reached or the statement times out,
    /// `Unexpected` for any other store failure.
    async fn container_tile(
        &self,
        tile: TileCoord,
        filter: &GeoFilter,
    ) -> Result<Vec<u8>, RepoError>;
}

/// What to answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TileAnswer {
    /// The client's copy (named by `If-None-Match`) is current.
    NotModified { etag: String },
    /// The tile, and its name when the containers' version is known.
    Tile {
        bytes: Vec<u8>,
        etag: Option<String>,
    },
}

/// The tiles use case.
#[derive(Clone)]
pub struct Tiles {
    source: Arc<dyn TileSource>,
    cache: Arc<dyn Cache>,
    ttl: Duration,
}

impl std::fmt::Debug for Tiles {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tiles")
            .field("ttl", &self.ttl)
            .finish_non_exhaustive()
    }
}

/// A stable digest of the request (same build, same value on every API instance).
fn digest(tile: TileCoord, filter: &GeoFilter) -> u64 {
    let mut hasher = DefaultHasher::new();
    tile.hash(&mut hasher);
    filter.hash(&mut hasher);
    hasher.finish()
}

impl Tiles {
    #[must_use]
    pub fn new(source: Arc<dyn TileSource>, cache: Arc<dyn Cache>, ttl: Duration) -> Self {
        Self { source, cache, ttl }
    }

    /// The tile, from the cache when this version of it was rendered already (a zero
    /// TTL keeps no tile: each is rendered, still named by the version).
    ///
    /// # Errors
    /// `Unavailable`/`Unexpected` from the store.
    pub async fn container_tile(
        &self,
        tile: TileCoord,
        filter: GeoFilter,
        if_none_match: Option<&str>,
    ) -> Result<TileAnswer, AppError> {
        let Some(version) = self.cache.version(CONTAINERS).await else {
            // Without the version a tile can't be named: render it, uncached.
            let bytes = self.source.container_tile(tile, &filter).await?;
            return Ok(TileAnswer::Tile { bytes, etag: None });
        };
        let name = format!("v{version}-{:016x}", digest(tile, &filter));
        let etag = format!("\"{name}\"");
        if if_none_match.is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"))
        {
            return Ok(TileAnswer::NotModified { etag });
        }
        if self.ttl.is_zero() {
            let bytes = self.source.container_tile(tile, &filter).await?;
            return Ok(TileAnswer::Tile {
                bytes,
                etag: Some(etag),
            });
        }
        let key = format!("{CONTAINERS}:v{version}:tile:{name}");
        let bytes = match self.cache.get(&key).await {
            Some(bytes) => bytes,
            None => {
                let bytes = self.source.container_tile(tile, &filter).await?;
                self.cache.put(&key, &bytes, self.ttl).await;
                bytes
            }
        };
        Ok(TileAnswer::Tile {
            bytes,
            etag: Some(etag),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::InMemoryCache;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[derive(Default)]
    struct Counting(AtomicUsize);

    #[async_trait]
    impl TileSource for Counting {
        async fn container_tile(&self, t: TileCoord, _: &GeoFilter) -> Result<Vec<u8>, RepoError> {
            self.0.fetch_add(1, Ordering::SeqCst);
            Ok(vec![t.z()])
        }
    }

    #[tokio::test]
    async fn a_tile_is_named_by_the_version_and_rendered_once_per_version() {
        let source = Arc::new(Counting::default());
        let cache = Arc::new(InMemoryCache::default());
        let tiles = Tiles::new(source.clone(), cache.clone(), Duration::from_secs(30));
        let tile = TileCoord::new(10, 525, 364).unwrap();
        let TileAnswer::Tile {
            etag: Some(etag), ..
        } = tiles
            .container_tile(tile, GeoFilter::default(), None)
            .await
            .unwrap()
        else {
            panic!("a named tile")
        };
        let again = tiles
            .container_tile(tile, GeoFilter::default(), Some(&etag))
            .await
            .unwrap();
        assert_eq!(again, TileAnswer::NotModified { etag: etag.clone() });
        tiles
            .container_tile(tile, GeoFilter::default(), None)
            .await
            .unwrap();
        assert_eq!(
            source.0.load(Ordering::SeqCst),
            1,
            "the second render came from the cache"
        );

        cache.bump(CONTAINERS).await;
        let after = tiles
            .container_tile(tile, GeoFilter::default(), Some(&etag))
            .await
            .unwrap();
        assert!(matches!(after, TileAnswer::Tile { etag: Some(ref e), .. } if *e != etag));
        assert_eq!(source.0.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn a_zero_ttl_renders_every_tile_and_still_names_it() {
        let source = Arc::new(Counting::default());
        let tiles = Tiles::new(
            source.clone(),
            Arc::new(InMemoryCache::default()),
            Duration::ZERO,
        );
        let tile = TileCoord::new(10, 525, 364).unwrap();
        for _ in 0..3 {
            let answer = tiles
                .container_tile(tile, GeoFilter::default(), None)
                .await
                .unwrap();
            assert!(matches!(answer, TileAnswer::Tile { etag: Some(_), .. }));
        }
        assert_eq!(source.0.load(Ordering::SeqCst), 3);
    }
}
