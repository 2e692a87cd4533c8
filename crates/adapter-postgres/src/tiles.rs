//! [`TileSource`] on PostGIS: `ST_AsMVT` over the containers of a tile, found through the
//! GiST index on `location` (the tile's envelope, with the render margin, in WGS 84).
//! Below `FULL_DETAIL_ZOOM` the containers of each of `THIN_GRID²` cells merge into one
//! point carrying their `count`, so a tile stays small however dense the city.

use crate::errors::from_diesel;
use crate::geo::{Bind, Sql};
use crate::store::PgStore;
use async_trait::async_trait;
use diesel::QueryableByName;
use diesel::sql_types::Bytea;
use diesel_async::RunQueryDsl;
use tisseco_application::ports::RepoError;
use tisseco_application::search::GeoFilter;
use tisseco_application::tiles::TileSource;
use tisseco_domain::{THIN_GRID, TileCoord};

/// Extent of a tile in MVT units, and the margin (in those units) rendered around it so
/// symbols on a tile edge are not cut.
const EXTENT: u32 = 4096;
const BUFFER: u32 = 64;

/// `$1..$3` z/x/y, `$4` kinds, `$5` statuses, `$6` site, `$7` area, `$8` thinned.
pub const TILE_SQL: &str = "\
WITH bounds AS (
  SELECT ST_TileEnvelope($1, $2, $3) AS tile,
         ST_Transform(ST_TileEnvelope($1, $2, $3,
           ST_MakeEnvelope(-20037508.342789244, -20037508.342789244,
                           20037508.342789244, 20037508.342789244, 3857),
           {margin}), 4326) AS area
), picked AS (
  SELECT c.id, c.public_code, c.status, c.kind, ST_Transform(c.location, 3857) AS merc
  FROM containers c, bounds b
  WHERE c.location && b.area AND c.archived_at IS NULL
    AND (cardinality($4::text[]) = 0 OR c.kind = ANY($4::text[]))
    AND (cardinality($5::text[]) = 0 OR c.status = ANY($5::text[]))
    AND ($6::uuid IS NULL OR c.site_id = $6::uuid)
    AND ($7::uuid IS NULL OR c.area_id = $7::uuid)
), features AS (
  SELECT ST_AsMVTGeom(p.merc, b.tile, {extent}, {buffer}, true) AS geom,
         p.id::text AS id, p.public_code AS code, p.status, p.kind AS type, 1 AS count
  FROM picked p, bounds b
  WHERE NOT $8
  UNION ALL
  SELECT ST_AsMVTGeom(ST_Centroid(ST_Collect(p.merc)), b.tile, {extent}, {buffer}, true),
         CASE WHEN count(*) = 1 THEN min(p.id::text) END,
         CASE WHEN count(*) = 1 THEN min(p.public_code) END,
         mode() WITHIN GROUP (ORDER BY p.status),
         mode() WITHIN GROUP (ORDER BY p.kind),
         count(*)::int
  FROM picked p, bounds b
  WHERE $8
  GROUP BY ST_SnapToGrid(p.merc, ST_XMin(b.tile), ST_YMin(b.tile),
             (ST_XMax(b.tile) - ST_XMin(b.tile)) / {grid},
             (ST_YMax(b.tile) - ST_YMin(b.tile)) / {grid}), b.tile
)
SELECT COALESCE(ST_AsMVT(f.*, 'containers', {extent}, 'geom'), ''::bytea) AS mvt
FROM features f WHERE f.geom IS NOT NULL";

/// The statement with its constants filled in.
#[must_use]
pub fn tile_statement() -> String {
    TILE_SQL
        .replace(
            "{margin}",
            &format!("{}", f64::from(BUFFER) / f64::from(EXTENT)),
        )
        .replace("{extent}", &EXTENT.to_string())
        .replace("{buffer}", &BUFFER.to_string())
        .replace("{grid}", &THIN_GRID.to_string())
}

#[derive(QueryableByName)]
struct TileRow {
    #[diesel(sql_type = Bytea)]
    mvt: Vec<u8>,
}

fn as_int(value: u32) -> Result<i32, RepoError> {
    i32::try_from(value).map_err(|_| RepoError::Unexpected(format!("tile index {value} too large")))
}

#[async_trait]
impl TileSource for PgStore {
    async fn container_tile(
        &self,
        tile: TileCoord,
        filter: &GeoFilter,
    ) -> Result<Vec<u8>, RepoError> {
        let kinds: Vec<String> = filter.kinds.iter().map(|k| k.as_str().to_owned()).collect();
        let statuses: Vec<String> = filter
            .statuses
            .iter()
            .map(|s| s.as_str().to_owned())
            .collect();
        let mut conn = self.conn().await?;
        // prepared once per connection, as the searches are: `sql_query` is never cached,
        // so each tile cost a prepare round trip before its execution
        let statement = Sql::fixed(
            tile_statement(),
            vec![
                Bind::Int32(i32::from(tile.z())),
                Bind::Int32(as_int(tile.x())?),
                Bind::Int32(as_int(tile.y())?),
                Bind::Texts(kinds),
                Bind::Texts(statuses),
                Bind::OptionalUuid(filter.site_id.map(|s| s.0)),
                Bind::OptionalUuid(filter.area_id.map(|a| a.0)),
                Bind::Bool(tile.thinned()),
            ],
        );
        let row: TileRow = statement
            .into_query()
            .get_result(&mut conn)
            .await
            .map_err(from_diesel)?;
        Ok(row.mvt)
    }
}
