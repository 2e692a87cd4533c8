//! Tours on PostgreSQL: the tour row with its stops as JSON (written whole, checked again
//! on the way back), container lookups for planning, and idempotency keys.

use crate::errors::from_diesel;
use crate::repository::repository;
use crate::rows::SRID;
use crate::schema::{containers, idempotency_keys, tours};
use crate::store::PgStore;
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use postgis_diesel::types::Point;
use tisseco_application::ports::{PageRequest, RepoError};
use tisseco_application::tours::{
    ContainerSummary, KEY_LIFETIME, KeyClaim, StopRecord, TourFilter, TourLookups,
};
use tisseco_domain::{
    AreaId, ContainerId, ContainerStatus, ContainerType, GeoPoint, Notes, PublicCode, SiteId, Stop,
    StopCandidate, StopOutcome, Tour, TourId, TourState, ValidationError,
};
use uuid::Uuid;

#[derive(Debug, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = tours, check_for_backend(diesel::pg::Pg), treat_none_as_null = true)]
pub(crate) struct TourRow {
    pub id: Uuid,
    pub site_id: Uuid,
    pub date: NaiveDate,
    pub driver_id: Option<Uuid>,
    pub vehicle: Option<String>,
    pub depot: Option<Point>,
    pub notes: Option<String>,
    pub state: String,
    pub stops: serde_json::Value,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<&Tour> for TourRow {
    fn from(tour: &Tour) -> Self {
        Self {
            id: tour.id.0,
            site_id: tour.site_id.0,
            date: tour.date,
            driver_id: tour.driver_id.map(|d| d.0),
            vehicle: tour.vehicle.clone(),
            depot: tour
                .depot
                .map(|p| Point::new(p.longitude(), p.latitude(), Some(SRID))),
            notes: tour.notes.as_ref().map(|n| n.as_str().to_owned()),
            state: tour.state.as_str().to_owned(),
            stops: serde_json::to_value(&tour.stops).unwrap_or_default(),
            version: tour.version,
            created_at: tour.created_at,
            updated_at: tour.updated_at,
        }
    }
}

impl TryFrom<TourRow> for Tour {
    type Error = RepoError;

    fn try_from(row: TourRow) -> Result<Self, RepoError> {
        let id = row.id;
        let corrupt =
            |e: String| RepoError::Unexpected(format!("stored tour {id} breaks a rule: {e}"));
        let stops: Vec<Stop> =
            serde_json::from_value(row.stops).map_err(|e| corrupt(e.to_string()))?;
        let build = || -> Result<Tour, ValidationError> {
            Ok(Tour {
                id: row.id.into(),
                site_id: row.site_id.into(),
                date: row.date,
                driver_id: row.driver_id.map(Into::into),
                vehicle: row.vehicle,
                depot: row.depot.map(|p| GeoPoint::new(p.y, p.x)).transpose()?,
                notes: row.notes.as_deref().map(Notes::parse).transpose()?,
                state: TourState::parse(&row.state)?,
                stops,
                version: row.version,
                created_at: row.created_at,
                updated_at: row.updated_at,
            })
        };
        build().map_err(|e| corrupt(e.to_string()))
    }
}

/// Writes a `visits` row for each stop that got its outcome in this change (`before` →
/// `after`), in the tour's transaction; the container's site, area and type are copied as
/// they are now, the local day is the site's. A row already there (the same stop) is left
/// alone. A trigger adds each new row to the daily rollups.
pub(crate) async fn record_outcomes(
    conn: &mut AsyncPgConnection,
    before: &Tour,
    after: &Tour,
) -> QueryResult<()> {
    use diesel::sql_types::{Bool, Double, Nullable, SmallInt, Text, Timestamptz};
    for stop in &after.stops {
        let was_pending = before
            .stops
            .iter()
            .find(|s| s.container_id == stop.container_id)
            .is_none_or(|s| s.outcome == StopOutcome::Pending);
        let (outcome, at, fill, weight, emptied, reason) = match &stop.outcome {
            StopOutcome::Pending => continue,
            _ if !was_pending => continue,
            StopOutcome::Visited(v) => (
                "visited",
                v.at,
                Some(i16::from(v.fill_level)),
                v.weight_kg,
                v.emptied,
                None,
            ),
            StopOutcome::Skipped { reason, at, .. } => {
                ("skipped", *at, None, None, false, Some(reason.as_str()))
            }
        };
        diesel::sql_query(
            "INSERT INTO visits (tour_id, container_id, site_id, area_id, container_kind, \
               driver_id, occurred_at, local_day, outcome, fill_level, weight_kg, emptied, \
               skip_reason) \
             SELECT $1, c.id, c.site_id, c.area_id, c.kind, $3, $4, \
               ($4::timestamptz AT TIME ZONE s.time_zone)::date, $5, $6, $7, $8, $9 \
             FROM containers c JOIN sites s ON s.id = c.site_id WHERE c.id = $2 \
             ON CONFLICT (tour_id, container_id) DO NOTHING",
        )
        .bind::<diesel::sql_types::Uuid, _>(after.id.0)
        .bind::<diesel::sql_types::Uuid, _>(stop.container_id.0)
        .bind::<Nullable<diesel::sql_types::Uuid>, _>(after.driver_id.map(|d| d.0))
        .bind::<Timestamptz, _>(at)
        .bind::<Text, _>(outcome)
        .bind::<Nullable<SmallInt>, _>(fill)
        .bind::<Nullable<Double>, _>(weight)
        .bind::<Bool, _>(emptied)
        .bind::<Nullable<Text>, _>(reason)
        .execute(conn)
        .await?;
    }
    Ok(())
}

pub(crate) async fn list_tours(
    conn: &mut AsyncPgConnection,
    filter: &TourFilter,
    page: PageRequest<TourId>,
) -> QueryResult<Vec<TourRow>> {
    let mut query = tours::table.select(TourRow::as_select()).into_boxed();
    if let Some(date) = filter.date {
        query = query.filter(tours::date.eq(date));
    }
    if let Some(site) = filter.site_id {
        query = query.filter(tours::site_id.eq(site.0));
    }
    if let Some(driver) = filter.driver_id {
        query = query.filter(tours::driver_id.eq(driver.0));
    }
    if let Some(state) = filter.state {
        query = query.filter(tours::state.eq(state.as_str()));
    }
    if let Some(after) = page.after {
        query = query.filter(tours::id.gt(after.0));
    }
    query
        .order(tours::id.asc())
        .limit(i64::from(page.limit))
        .load(conn)
        .await
}

type SummaryRow = (
    Uuid,
    Uuid,
    Option<DateTime<Utc>>,
    String,
    String,
    Option<String>,
    String,
    Point,
);

fn summary(row: SummaryRow) -> Result<ContainerSummary, RepoError> {
    let (id, site, archived_at, status, code, address, kind, location) = row;
    let build = || -> Result<ContainerSummary, ValidationError> {
        Ok(ContainerSummary {
            candidate: StopCandidate {
                container_id: id.into(),
                site_id: site.into(),
                archived: archived_at.is_some(),
                status: ContainerStatus::parse(&status)?,
            },
            public_code: PublicCode::parse(&code)?,
            address,
            kind: ContainerType::parse(&kind)?,
            location: GeoPoint::new(location.y, location.x)?,
        })
    };
    build().map_err(|e| RepoError::Unexpected(format!("stored container {id} breaks a rule: {e}")))
}

#[async_trait]
impl TourLookups for PgStore {
    async fn containers(&self, ids: &[ContainerId]) -> Result<Vec<ContainerSummary>, RepoError> {
        let ids: Vec<Uuid> = ids.iter().map(|id| id.0).collect();
        let mut conn = self.conn().await?;
        let rows: Vec<SummaryRow> = containers::table
            .filter(containers::id.eq_any(ids))
            .select((
                containers::id,
                containers::site_id,
                containers::archived_at,
                containers::status,
                containers::public_code,
                containers::address,
                containers::kind,
                containers::location,
            ))
            .load(&mut conn)
            .await
            .map_err(from_diesel)?;
        rows.into_iter().map(summary).collect()
    }

    async fn select(
        &self,
        site: SiteId,
        area: Option<AreaId>,
        min_fill_level: Option<u8>,
    ) -> Result<Vec<ContainerId>, RepoError> {
        #[derive(QueryableByName)]
        struct Selected {
            #[diesel(sql_type = diesel::sql_types::Uuid)]
            id: Uuid,
        }
        // The last visit of each container, from every tour's stops.
        let query = diesel::sql_query(
            "SELECT c.id FROM containers c \
             WHERE c.site_id = $1 AND c.archived_at IS NULL AND c.status <> 'removed' \
               AND ($2::uuid IS NULL OR c.area_id = $2) \
               AND ($3::int IS NULL OR (\
                 SELECT (s->'outcome'->>'fill_level')::int FROM tours t, jsonb_array_elements(t.stops) s \
                 WHERE t.stops @> jsonb_build_array(jsonb_build_object('container_id', c.id)) \
                   AND s->>'container_id' = c.id::text AND s->'outcome'->>'outcome' = 'visited' \
                 ORDER BY (s->'outcome'->>'at')::timestamptz DESC LIMIT 1) >= $3) \
             ORDER BY c.id",
        )
        .bind::<diesel::sql_types::Uuid, _>(site.0)
        .bind::<diesel::sql_types::Nullable<diesel::sql_types::Uuid>, _>(area.map(|a| a.0))
        .bind::<diesel::sql_types::Nullable<diesel::sql_types::Integer>, _>(min_fill_level.map(i32::from));
        let mut conn = self.conn().await?;
        let rows: Vec<Selected> = query.load(&mut conn).await.map_err(from_diesel)?;
        Ok(rows.into_iter().map(|r| r.id.into()).collect())
    }

    async fn stop_history(&self, container: ContainerId) -> Result<Vec<StopRecord>, RepoError> {
        let mut conn = self.conn().await?;
        let wanted = serde_json::json!([{ "container_id": container.0 }]);
        // The GIN index on `stops` finds the tours; the stop is then picked out of each.
        let rows: Vec<(Uuid, NaiveDate, Option<Uuid>, serde_json::Value)> = tours::table
            .filter(tours::stops.contains(wanted))
            .select((tours::id, tours::date, tours::driver_id, tours::stops))
            .order((tours::date.desc(), tours::id.desc()))
            .load(&mut conn)
            .await
            .map_err(from_diesel)?;
        let mut records = Vec::new();
        for (tour_id, date, driver_id, stops) in rows {
            let stops: Vec<Stop> = serde_json::from_value(stops).map_err(|e| {
                RepoError::Unexpected(format!("stored tour {tour_id} breaks a rule: {e}"))
            })?;
            records.extend(
                stops
                    .into_iter()
                    .filter(|s| {
                        s.container_id == container
                            && s.outcome != tisseco_domain::StopOutcome::Pending
                    })
                    .map(|s| StopRecord {
                        tour_id: tour_id.into(),
                        date,
                        driver_id: driver_id.map(Into::into),
                        outcome: s.outcome,
                    }),
            );
        }
        Ok(records)
    }

    async fn by_code(&self, code: &PublicCode) -> Result<Option<ContainerId>, RepoError> {
        let mut conn = self.conn().await?;
        let id: Option<Uuid> = containers::table
            .filter(containers::public_code.eq(code.as_str()))
            .select(containers::id)
            .get_result(&mut conn)
            .await
            .optional()
            .map_err(from_diesel)?;
        Ok(id.map(Into::into))
    }

    async fn claim_key(
        &self,
        scope: &str,
        key: &str,
        fingerprint: &str,
    ) -> Result<KeyClaim, RepoError> {
        let mut conn = self.conn().await?;
        let lifetime = chrono::Duration::from_std(KEY_LIFETIME)
            .map_err(|e| RepoError::Unexpected(e.to_string()))?;
        // expired keys of this scope go first (the primary key leads with the scope)
        diesel::delete(
            idempotency_keys::table
                .filter(idempotency_keys::scope.eq(scope))
                .filter(idempotency_keys::created_at.lt(Utc::now() - lifetime)),
        )
        .execute(&mut conn)
        .await
        .map_err(from_diesel)?;
        let inserted = diesel::insert_into(idempotency_keys::table)
            .values((
                idempotency_keys::scope.eq(scope),
                idempotency_keys::key.eq(key),
                idempotency_keys::fingerprint.eq(fingerprint),
            ))
            .on_conflict_do_nothing()
            .execute(&mut conn)
            .await
            .map_err(from_diesel)?;
        if inserted == 1 {
            return Ok(KeyClaim::New);
        }
        let first: String = idempotency_keys::table
            .find((scope, key))
            .select(idempotency_keys::fingerprint)
            .get_result(&mut conn)
            .await
            .map_err(from_diesel)?;
        // keys claimed before fingerprints were kept match any request
        Ok(if first.is_empty() || first == fingerprint {
            KeyClaim::Replay
        } else {
            KeyClaim::Mismatch
        })
    }

    async fn release_key(&self, scope: &str, key: &str) -> Result<(), RepoError> {
        let mut conn = self.conn().await?;
        diesel::delete(idempotency_keys::table.find((scope, key)))
            .execute(&mut conn)
            .await
            .map(drop)
            .map_err(from_diesel)
    }
}

repository!(Tour, TourRow, tours, list_tours);
