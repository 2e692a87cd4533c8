//! Geographic search of containers: the port, and the use cases with their limits and
//! caching.

mod port;
mod service;

pub use port::{GeoCursor, GeoFilter, GeoHit, GeoQuery, GeoSearch, Shape};
pub use service::{
    CacheTtls, DEFAULT_PUBLIC_LIMIT, DEFAULT_SEARCH_LIMIT, GeoSearchService, MAX_PUBLIC_LIMIT,
    MAX_PUBLIC_RADIUS_M, MAX_RADIUS_M, MAX_SEARCH_LIMIT, SearchPage,
};

#[cfg(test)]
mod tests;
