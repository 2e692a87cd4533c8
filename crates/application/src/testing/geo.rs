//! The in-memory [`GeoSearch`]: brute force over every container, with great-circle
//! distances on the same sphere as PostGIS.

use super::InMemoryStore;
use crate::ports::RepoError;
use crate::search::{GeoCursor, GeoHit, GeoQuery, GeoSearch, Shape};
use crate::use_cases::Page;
use async_trait::async_trait;
use tisseco_domain::{Container, great_circle_m, polygon_contains};

/// Where `container` sorts in `shape`'s order, and its distance; `None` when outside.
fn place(shape: &Shape, container: &Container) -> Option<(f64, Option<f64>)> {
    let at = container.location;
    let planar = |[x, y]: [f64; 2]| (at.longitude() - x).hypot(at.latitude() - y);
    match shape {
        Shape::Radius { centre, metres } => {
            let d = great_circle_m(*centre, at);
            (d <= *metres).then_some((d, Some(d)))
        }
        Shape::Nearest { centre } => {
            let d = great_circle_m(*centre, at);
            Some((d, Some(d)))
        }
        Shape::BBox(bbox) => bbox.contains(at).then(|| (planar(bbox.centre()), None)),
        Shape::Polygon(area) => polygon_contains(area, at)
            .then(|| shape.planar_centre().map(|c| (planar(c), None)))
            .flatten(),
    }
}

#[async_trait]
impl GeoSearch for InMemoryStore {
    async fn extent(&self) -> Result<Option<[f64; 4]>, RepoError> {
        Ok(self
            .all_containers()
            .into_iter()
            .filter(|c| !c.is_archived())
            .map(|c| (c.location.longitude(), c.location.latitude()))
            .fold(None, |extent: Option<[f64; 4]>, (x, y)| {
                Some(extent.map_or([x, y, x, y], |[a, b, c, d]| {
                    [a.min(x), b.min(y), c.max(x), d.max(y)]
                }))
            }))
    }

    async fn search(&self, query: &GeoQuery) -> Result<Page<GeoHit, GeoCursor>, RepoError> {
        let mut hits: Vec<GeoHit> = self
            .all_containers()
            .into_iter()
            .filter(|c| query.filter.matches(c))
            .filter_map(|container| {
                let (key, distance_m) = place(&query.shape, &container)?;
                let cursor = GeoCursor {
                    key,
                    id: container.id,
                };
                Some(GeoHit {
                    container,
                    distance_m,
                    cursor,
                })
            })
            .filter(|hit| {
                query
                    .after
                    .is_none_or(|a| (hit.cursor.key, hit.cursor.id) > (a.key, a.id))
            })
            .collect();
        hits.sort_by(|a, b| {
            a.cursor
                .key
                .total_cmp(&b.cursor.key)
                .then(a.cursor.id.cmp(&b.cursor.id))
        });
        let limit = query.limit as usize;
        let next = if hits.len() > limit {
            hits.truncate(limit);
            hits.last().map(|hit| hit.cursor)
        } else {
            None
        };
        Ok(Page { items: hits, next })
    }
}
