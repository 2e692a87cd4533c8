//! [`GeoSearch`] on PostGIS. Distances are on the sphere (`geography`, `use_spheroid =
//! false`, the sphere the in-memory search uses too); boxes and polygons use the planar
//! `geometry` index (RFC 7946 edges are straight in longitude/latitude). Every query is
//! ordered by a KNN distance (`<->`) that the GiST index serves, so a page reads about
//! `limit` rows however dense the area is.

mod sql;

use crate::errors::from_diesel;
use crate::rows::ContainerRow;
use crate::session::Plans;
use crate::store::PgStore;
use async_trait::async_trait;
use diesel::dsl::{AsSelect, SqlTypeOf};
use diesel::pg::Pg;
use diesel::sql_types::Double;
use diesel::{Queryable, QueryableByName};
use diesel_async::RunQueryDsl;
use sql::{Mode, plan_once, search_sql};
use tisseco_application::ports::RepoError;
use tisseco_application::search::{GeoCursor, GeoHit, GeoQuery, GeoSearch, Shape};
use tisseco_application::use_cases::Page;
use tisseco_domain::Container;

pub(crate) use sql::{Bind, Sql};
pub use sql::{prepared_search_statement, search_statement};

#[derive(QueryableByName)]
struct Extent {
    #[diesel(sql_type = diesel::sql_types::Nullable<Double>)]
    west: Option<f64>,
    #[diesel(sql_type = diesel::sql_types::Nullable<Double>)]
    south: Option<f64>,
    #[diesel(sql_type = diesel::sql_types::Nullable<Double>)]
    east: Option<f64>,
    #[diesel(sql_type = diesel::sql_types::Nullable<Double>)]
    north: Option<f64>,
}

/// A search's row: the container's columns (`sql::COLUMNS`, in `ContainerRow`'s order),
/// then the sort key.
#[derive(Queryable)]
struct HitRow {
    container: ContainerRow,
    sort_key: f64,
}

type HitSql = (SqlTypeOf<AsSelect<ContainerRow, Pg>>, Double);

fn hit(shape: &Shape, row: HitRow) -> Result<GeoHit, RepoError> {
    let container = Container::try_from(row.container)?;
    let distance_m =
        matches!(shape, Shape::Radius { .. } | Shape::Nearest { .. }).then_some(row.sort_key);
    Ok(GeoHit {
        cursor: GeoCursor {
            key: row.sort_key,
            id: container.id,
        },
        container,
        distance_m,
    })
}

impl PgStore {
    async fn fetch(&self, query: &GeoQuery, mode: Mode) -> Result<Vec<GeoHit>, RepoError> {
        let plans = if plan_once(query, mode) {
            Plans::Once
        } else {
            Plans::PerExecution
        };
        let mut conn = self.conn_planning(plans).await?;
        let rows: Vec<HitRow> = search_sql(query, mode)?
            .into_typed_query::<HitSql>()
            .load(&mut conn)
            .await
            .map_err(from_diesel)?;
        let mut hits = rows
            .into_iter()
            .map(|row| hit(&query.shape, row))
            .collect::<Result<Vec<_>, _>>()?;
        hits.sort_by(|a, b| {
            a.cursor
                .key
                .total_cmp(&b.cursor.key)
                .then(a.cursor.id.cmp(&b.cursor.id))
        });
        Ok(hits)
    }
}

#[async_trait]
impl GeoSearch for PgStore {
    async fn extent(&self) -> Result<Option<[f64; 4]>, RepoError> {
        let mut conn = self.conn().await?;
        let row: Extent = diesel::sql_query(
            "SELECT ST_XMin(e) AS west, ST_YMin(e) AS south, ST_XMax(e) AS east, ST_YMax(e) AS north \
             FROM (SELECT ST_Extent(location) AS e FROM containers WHERE archived_at IS NULL) x",
        )
        .get_result(&mut conn)
        .await
        .map_err(from_diesel)?;
        Ok(match (row.west, row.south, row.east, row.north) {
            (Some(w), Some(s), Some(e), Some(n)) => Some([w, s, e, n]),
            _ => None,
        })
    }

    async fn search(&self, query: &GeoQuery) -> Result<Page<GeoHit, GeoCursor>, RepoError> {
        let limit = query.limit as usize;
        let mut hits = self.fetch(query, Mode::Ordered).await?;
        if matches!(query.shape, Shape::Nearest { .. }) {
            // Nearest N does not page: any N of rows tied at the N-th distance are right.
            hits.truncate(limit);
            return Ok(Page {
                items: hits,
                next: None,
            });
        }
        if hits.len() <= limit {
            return Ok(Page {
                items: hits,
                next: None,
            });
        }
        // The index orders by the key alone: rows tied with the first row left out may be
        // missing, so end the page before that tie group…
        let boundary = hits[limit].cursor.key;
        let complete = hits.iter().take_while(|h| h.cursor.key < boundary).count();
        if complete > 0 {
            hits.truncate(complete);
            let next = hits.last().map(|h| h.cursor);
            return Ok(Page { items: hits, next });
        }
        // …unless the whole page is one tie group: then page through it by id.
        let after_id = query
            .after
            .filter(|a| a.key.to_bits() == boundary.to_bits())
            .map(|a| a.id);
        let mut tied = self
            .fetch(
                query,
                Mode::Tied {
                    key: boundary,
                    after_id,
                },
            )
            .await?;
        let next = if tied.len() > limit {
            tied.truncate(limit);
            tied.last().map(|h| h.cursor)
        } else {
            // The group is done: the next page starts after all of it (and may be empty).
            Some(GeoCursor {
                key: boundary,
                id: uuid::Uuid::max().into(),
            })
        };
        Ok(Page { items: tied, next })
    }
}
