//! How far a point lies from an area's boundary, measured by PostGIS on the sphere
//! (geography: metres, 0 inside), with the swapped point too when it lies outside; the
//! domain decides with its tolerance (`tisseco_domain::placement`).

use crate::errors::from_diesel;
use crate::store::PgStore;
use diesel::sql_types::{Double, Nullable, Uuid as SqlUuid};
use diesel::{QueryableByName, sql_query};
use diesel_async::RunQueryDsl;
use tisseco_application::ports::RepoError;
use tisseco_domain::placement::AreaDistance;
use tisseco_domain::{AreaId, GeoPoint};

#[derive(QueryableByName)]
struct Distances {
    #[diesel(sql_type = Double)]
    metres: f64,
    #[diesel(sql_type = Nullable<Double>)]
    swapped_metres: Option<f64>,
}

/// The distances of `point` to the boundary of `area`; `None` when the area has none.
pub(crate) async fn area_distance(
    store: &PgStore,
    area: AreaId,
    point: GeoPoint,
) -> Result<Option<AreaDistance>, RepoError> {
    let mut conn = store.conn().await?;
    let rows: Vec<Distances> = sql_query(
        "SELECT d.metres, CASE WHEN d.metres > 0 AND abs($3) <= 90 \
           THEN ST_Distance(a.boundary::geography, \
                            ST_SetSRID(ST_MakePoint($2, $3), 4326)::geography) END \
           AS swapped_metres \
         FROM areas a, LATERAL (SELECT ST_Distance(a.boundary::geography, \
           ST_SetSRID(ST_MakePoint($3, $2), 4326)::geography) AS metres) d \
         WHERE a.id = $1 AND a.boundary IS NOT NULL",
    )
    .bind::<SqlUuid, _>(area.0)
    .bind::<Double, _>(point.latitude())
    .bind::<Double, _>(point.longitude())
    .load(&mut conn)
    .await
    .map_err(from_diesel)?;
    Ok(rows.into_iter().next().map(|d| AreaDistance {
        metres: d.metres,
        swapped_metres: d.swapped_metres,
    }))
}
