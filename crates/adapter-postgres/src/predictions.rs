//! Predicted fill on PostgreSQL: a container's readings from `visits`, its peers' own
//! rates, and `container_predictions` (one row per container, replaced on each refresh).

use crate::errors::from_diesel;
use crate::schema::{container_predictions, containers, visits};
use crate::store::PgStore;
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel::upsert::excluded;
use diesel_async::RunQueryDsl;
use tisseco_application::ports::RepoError;
use tisseco_application::stats::{DueContainer, FillHistory, PredictionStore, StoredPrediction};
use tisseco_domain::fill::{FillObservation, FillPrediction, FillRate, RateSource};
use tisseco_domain::{AreaId, ContainerId, ContainerType, SiteId};
use uuid::Uuid;

#[derive(Debug, Queryable, QueryableByName, Selectable, Insertable)]
#[diesel(table_name = container_predictions, check_for_backend(diesel::pg::Pg))]
struct PredictionRow {
    container_id: Uuid,
    own_rate: Option<f64>,
    own_observations: i32,
    rate_per_day: f64,
    source: String,
    confidence: f64,
    anchor_at: Option<DateTime<Utc>>,
    anchor_level: f64,
    threshold: i16,
    threshold_at: Option<DateTime<Utc>>,
    computed_at: DateTime<Utc>,
}

fn source(text: &str) -> RateSource {
    match text {
        "container" => RateSource::Container,
        "area" => RateSource::Area,
        "type" => RateSource::Type,
        _ => RateSource::Default,
    }
}

impl From<&StoredPrediction> for PredictionRow {
    fn from(s: &StoredPrediction) -> Self {
        let p = &s.prediction;
        Self {
            container_id: s.container_id.0,
            own_rate: s.own.map(|r| r.per_day),
            own_observations: i32::try_from(p.observations).unwrap_or(i32::MAX),
            rate_per_day: p.rate_per_day,
            source: p.source.as_str().to_owned(),
            confidence: p.confidence,
            anchor_at: p.anchor_at,
            anchor_level: p.anchor_level,
            threshold: i16::from(s.threshold),
            threshold_at: p.threshold_at,
            computed_at: s.computed_at,
        }
    }
}

impl From<PredictionRow> for StoredPrediction {
    fn from(r: PredictionRow) -> Self {
        let observations = u32::try_from(r.own_observations).unwrap_or(0);
        Self {
            container_id: r.container_id.into(),
            own: r.own_rate.map(|per_day| FillRate {
                per_day,
                observations,
            }),
            prediction: FillPrediction {
                rate_per_day: r.rate_per_day,
                source: source(&r.source),
                observations,
                confidence: r.confidence,
                estimated_fill: r.anchor_level,
                threshold_at: r.threshold_at,
                anchor_at: r.anchor_at,
                anchor_level: r.anchor_level,
            },
            threshold: u8::try_from(r.threshold).unwrap_or(100),
            computed_at: r.computed_at,
        }
    }
}

fn rates(rows: Vec<(Option<f64>, i32)>) -> Vec<FillRate> {
    rows.into_iter()
        .filter_map(|(rate, n)| {
            rate.map(|per_day| FillRate {
                per_day,
                observations: u32::try_from(n).unwrap_or(0),
            })
        })
        .collect()
}

#[async_trait]
impl PredictionStore for PgStore {
    async fn fill_history(&self, container: ContainerId) -> Result<Option<FillHistory>, RepoError> {
        let mut conn = self.conn().await?;
        let found: Option<(Option<Uuid>, String)> = containers::table
            .find(container.0)
            .select((containers::area_id, containers::kind))
            .get_result(&mut conn)
            .await
            .optional()
            .map_err(from_diesel)?;
        let Some((area, kind)) = found else {
            return Ok(None);
        };
        let kind = ContainerType::parse(&kind)
            .map_err(|e| RepoError::Unexpected(format!("stored container {container}: {e}")))?;
        let rows: Vec<(DateTime<Utc>, Option<i16>, bool)> = visits::table
            .filter(visits::container_id.eq(container.0))
            .filter(visits::outcome.eq("visited"))
            .select((visits::occurred_at, visits::fill_level, visits::emptied))
            .order(visits::occurred_at.asc())
            .load(&mut conn)
            .await
            .map_err(from_diesel)?;
        let observations = rows
            .into_iter()
            .map(|(at, fill, emptied)| FillObservation {
                at,
                fill_level: fill
                    .and_then(|f| u8::try_from(f).ok())
                    .unwrap_or(0)
                    .min(100),
                emptied,
            })
            .collect();
        Ok(Some(FillHistory {
            area: area.map(Into::into),
            kind,
            observations,
        }))
    }

    async fn peer_rates(
        &self,
        area: Option<AreaId>,
        kind: ContainerType,
    ) -> Result<(Vec<FillRate>, Vec<FillRate>), RepoError> {
        let mut conn = self.conn().await?;
        let base = || {
            container_predictions::table
                .inner_join(containers::table)
                .filter(container_predictions::own_rate.is_not_null())
                .select((
                    container_predictions::own_rate,
                    container_predictions::own_observations,
                ))
        };
        let in_area: Vec<(Option<f64>, i32)> = match area {
            Some(area) => base()
                .filter(containers::area_id.eq(area.0))
                .load(&mut conn)
                .await
                .map_err(from_diesel)?,
            None => Vec::new(),
        };
        // The type's rate: a sample is enough for a median, and bounds the work.
        let of_kind: Vec<(Option<f64>, i32)> = base()
            .filter(containers::kind.eq(kind.as_str()))
            .limit(5_000)
            .load(&mut conn)
            .await
            .map_err(from_diesel)?;
        Ok((rates(in_area), rates(of_kind)))
    }

    async fn save(&self, prediction: &StoredPrediction) -> Result<(), RepoError> {
        let row = PredictionRow::from(prediction);
        let mut conn = self.conn().await?;
        diesel::insert_into(container_predictions::table)
            .values(&row)
            .on_conflict(container_predictions::container_id)
            .do_update()
            .set((
                container_predictions::own_rate.eq(excluded(container_predictions::own_rate)),
                container_predictions::own_observations
                    .eq(excluded(container_predictions::own_observations)),
                container_predictions::rate_per_day
                    .eq(excluded(container_predictions::rate_per_day)),
                container_predictions::source.eq(excluded(container_predictions::source)),
                container_predictions::confidence.eq(excluded(container_predictions::confidence)),
                container_predictions::anchor_at.eq(excluded(container_predictions::anchor_at)),
                container_predictions::anchor_level
                    .eq(excluded(container_predictions::anchor_level)),
                container_predictions::threshold.eq(excluded(container_predictions::threshold)),
                container_predictions::threshold_at
                    .eq(excluded(container_predictions::threshold_at)),
                container_predictions::computed_at.eq(excluded(container_predictions::computed_at)),
            ))
            .execute(&mut conn)
            .await
            .map(drop)
            .map_err(from_diesel)
    }

    async fn find(&self, container: ContainerId) -> Result<Option<StoredPrediction>, RepoError> {
        let mut conn = self.conn().await?;
        let row: Option<PredictionRow> = container_predictions::table
            .find(container.0)
            .select(PredictionRow::as_select())
            .get_result(&mut conn)
            .await
            .optional()
            .map_err(from_diesel)?;
        Ok(row.map(Into::into))
    }

    async fn due(
        &self,
        by: NaiveDate,
        site: Option<SiteId>,
        area: Option<AreaId>,
    ) -> Result<Vec<DueContainer>, RepoError> {
        #[derive(QueryableByName)]
        struct Due {
            #[diesel(embed)]
            prediction: PredictionRow,
            #[diesel(sql_type = diesel::sql_types::Text)]
            public_code: String,
            #[diesel(sql_type = diesel::sql_types::Uuid)]
            site_id: Uuid,
            #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Uuid>)]
            area_id: Option<Uuid>,
        }
        let sql = "SELECT p.*, c.public_code, c.site_id, c.area_id \
             FROM container_predictions p JOIN containers c ON c.id = p.container_id \
             JOIN sites s ON s.id = c.site_id \
             WHERE p.threshold_at < (($1::date + 1)::timestamp AT TIME ZONE s.time_zone) \
               AND c.archived_at IS NULL AND c.status <> 'removed' \
               AND ($2::uuid IS NULL OR c.site_id = $2) AND ($3::uuid IS NULL OR c.area_id = $3) \
             ORDER BY p.threshold_at, c.public_code LIMIT 5000";
        let mut conn = self.conn().await?;
        let rows: Vec<Due> = diesel::sql_query(sql)
            .bind::<diesel::sql_types::Date, _>(by)
            .bind::<diesel::sql_types::Nullable<diesel::sql_types::Uuid>, _>(site.map(|s| s.0))
            .bind::<diesel::sql_types::Nullable<diesel::sql_types::Uuid>, _>(area.map(|a| a.0))
            .load(&mut conn)
            .await
            .map_err(from_diesel)?;
        Ok(rows
            .into_iter()
            .map(|d| DueContainer {
                stored: d.prediction.into(),
                public_code: d.public_code,
                site_id: d.site_id.into(),
                area_id: d.area_id.map(Into::into),
            })
            .collect())
    }
}
