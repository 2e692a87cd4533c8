//! `/api/v1/stats`: collection and public-report figures, neglected containers and the
//! quarterly collection-point declaration (managers). Each answers JSON, or CSV with
//! `Accept: text/csv` or the `.csv` path.

use crate::csv::{Cell, csv_response, wants_csv};
use crate::error::{ApiError, Problem};
use crate::extract::ValidQuery;
use crate::state::AppState;
use actix_web::web::Data;
use actix_web::{HttpRequest, HttpResponse, get};
use chrono::{DateTime, Datelike, NaiveDate, TimeDelta, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use tisseco_application::stats::{CollectionQuery, CollectionRow, ReportStatsQuery};
use tisseco_domain::stats::{DateRange, GroupBy, Period};
use tisseco_domain::{AreaId, SiteId, SkipReason};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CollectionParams {
    /// site (default), area, container, type or driver.
    pub group_by: Option<String>,
    /// day, week (ISO, from Monday), month (default), quarter or year.
    pub period: Option<String>,
    /// First local day (site's time zone), default 1 January of this year in every zone.
    pub from: Option<NaiveDate>,
    /// Last local day, included; default today in every zone.
    pub to: Option<NaiveDate>,
    pub site_id: Option<Uuid>,
    pub area_id: Option<Uuid>,
}

/// `from`/`to` with their defaults: this year so far.
pub(crate) fn range(from: Option<NaiveDate>, to: Option<NaiveDate>) -> Result<DateRange, ApiError> {
    range_at(Utc::now(), from, to)
}

/// [`range`] at `now`. Days are the sites' local days, and the sites' zones differ (Paris,
/// Réunion, Guadeloupe…): "today" must end on the latest local date of any zone (UTC+14)
/// and "this year" start on 1 January of the earliest (UTC−12). With UTC's date, a report
/// made in Paris between midnight and 1 a.m. fell outside the default range.
fn range_at(
    now: DateTime<Utc>,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> Result<DateRange, ApiError> {
    let latest_today = (now + TimeDelta::hours(14)).date_naive();
    let earliest_today = (now - TimeDelta::hours(12)).date_naive();
    let to = to.unwrap_or(latest_today);
    let from = from.unwrap_or_else(|| {
        NaiveDate::from_ymd_opt(earliest_today.year().min(to.year()), 1, 1).unwrap_or(to)
    });
    Ok(DateRange::new(from, to)?)
}

impl CollectionParams {
    fn try_into_query(self) -> Result<CollectionQuery, ApiError> {
        Ok(CollectionQuery {
            group_by: GroupBy::parse(self.group_by.as_deref().unwrap_or("site"))?,
            period: Period::parse(self.period.as_deref().unwrap_or("month"))?,
            range: range(self.from, self.to)?,
            site_id: self.site_id.map(SiteId::from),
            area_id: self.area_id.map(AreaId::from),
        })
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CollectionRowDto {
    /// First local day of the period.
    pub period_start: NaiveDate,
    /// Site, area, container or driver id, or the type; null for visits without an
    /// area or a driver.
    pub group_id: Option<String>,
    /// Site or area code, container public code, driver name, or the type.
    pub group_label: Option<String>,
    pub visits: i64,
    pub skips: i64,
    /// Per reason (inaccessible, blocked, not_found, unsafe, out_of_time, other).
    pub skips_by_reason: BTreeMap<String, i64>,
    pub kilograms: f64,
    /// Emptyings: a container emptied twice in the period counts twice.
    pub emptied: i64,
    /// Mean fill level found at visits (%).
    pub average_fill: Option<f64>,
    /// Visits that found a container overflowing (100 %).
    pub found_overflowing: i64,
}

impl From<CollectionRow> for CollectionRowDto {
    fn from(r: CollectionRow) -> Self {
        Self {
            period_start: r.period_start,
            group_id: r.group_id,
            group_label: r.group_label,
            visits: r.visits,
            skips: r.skips,
            skips_by_reason: r
                .skips_by_reason
                .into_iter()
                .map(|(reason, n)| (reason.as_str().to_owned(), n))
                .collect(),
            kilograms: r.kilograms,
            emptied: r.emptied,
            average_fill: r.average_fill,
            found_overflowing: r.found_overflowing,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CollectionTotals {
    pub visits: i64,
    pub skips: i64,
    pub kilograms: f64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CollectionsDto {
    pub group_by: String,
    pub period: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Groups and periods with at least one visit or skip.
    pub items: Vec<CollectionRowDto>,
    pub totals: CollectionTotals,
}

fn collections_csv(rows: Vec<CollectionRow>) -> HttpResponse {
    let mut header = vec!["period_start", "group_id", "group_label", "visits", "skips"];
    let reasons: Vec<String> = SkipReason::ALL
        .iter()
        .map(|r| format!("skips_{}", r.as_str()))
        .collect();
    header.extend(reasons.iter().map(String::as_str));
    header.extend(["kilograms", "emptied", "average_fill", "found_overflowing"]);
    let rows = rows
        .into_iter()
        .map(|r| {
            let mut cells = vec![
                Cell::Number(r.period_start.to_string()),
                Cell::opt_text(r.group_id),
                Cell::opt_text(r.group_label),
                Cell::int(r.visits),
                Cell::int(r.skips),
            ];
            cells.extend(r.skips_by_reason.iter().map(|(_, n)| Cell::int(*n)));
            cells.extend([
                Cell::decimal(r.kilograms, 1),
                Cell::int(r.emptied),
                Cell::opt_decimal(r.average_fill, 1),
                Cell::int(r.found_overflowing),
            ]);
            cells
        })
        .collect();
    csv_response("collections.csv", &header, rows)
}

async fn collections_answer(
    req: &HttpRequest,
    params: CollectionParams,
    state: &AppState,
    csv: bool,
) -> Result<HttpResponse, ApiError> {
    let query = params.try_into_query()?;
    let rows = state.stats.collections(&query).await?;
    if csv || wants_csv(req) {
        return Ok(collections_csv(rows));
    }
    let totals = CollectionTotals {
        visits: rows.iter().map(|r| r.visits).sum(),
        skips: rows.iter().map(|r| r.skips).sum(),
        kilograms: rows.iter().map(|r| r.kilograms).sum(),
    };
    Ok(HttpResponse::Ok().json(CollectionsDto {
        group_by: query.group_by.as_str().to_owned(),
        period: query.period.as_str().to_owned(),
        from: query.range.from(),
        to: query.range.to(),
        items: rows.into_iter().map(Into::into).collect(),
        totals,
    }))
}

/// Kilograms collected, visits, skips by reason, emptyings, average fill found and visits
/// finding a container overflowing, per group and period of the site's local days
/// (Europe/Paris). CSV with `Accept: text/csv`.
#[utoipa::path(tag = "stats", operation_id = "stats_collections", security(("bearer" = ["manager"])), params(CollectionParams), responses(
    (status = 200, body = CollectionsDto),
    (status = 200, content_type = "text/csv", body = String),
    (status = 404, description = "Unknown site or area", body = Problem, content_type = "application/problem+json"),
    (status = 422, body = Problem, content_type = "application/problem+json"),
))]
#[get("/stats/collections")]
pub async fn collections(
    req: HttpRequest,
    params: ValidQuery<CollectionParams>,
    state: Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    collections_answer(&req, params.0, &state, false).await
}

/// The collection figures as CSV (`;`, UTF-8 with BOM, decimal commas).
#[utoipa::path(tag = "stats", security(("bearer" = ["manager"])), params(CollectionParams), responses(
    (status = 200, content_type = "text/csv", body = String),
    (status = 404, body = Problem, content_type = "application/problem+json"),
    (status = 422, body = Problem, content_type = "application/problem+json"),
))]
#[get("/stats/collections.csv")]
pub async fn collections_csv_export(
    req: HttpRequest,
    params: ValidQuery<CollectionParams>,
    state: Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    collections_answer(&req, params.0, &state, true).await
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ReportParams {
    /// day, week, month (default), quarter or year.
    pub period: Option<String>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub site_id: Option<Uuid>,
    pub area_id: Option<Uuid>,
}

impl ReportParams {
    pub(crate) fn try_into_query(self) -> Result<ReportStatsQuery, ApiError> {
        Ok(ReportStatsQuery {
            period: Period::parse(self.period.as_deref().unwrap_or("month"))?,
            range: range(self.from, self.to)?,
            site_id: self.site_id.map(SiteId::from),
            area_id: self.area_id.map(AreaId::from),
        })
    }
}

#[cfg(test)]
mod range_tests {
    use super::range_at;
    use chrono::{DateTime, NaiveDate, Utc};

    fn at(now: &str) -> (NaiveDate, NaiveDate) {
        let now: DateTime<Utc> = now.parse().unwrap();
        let range = range_at(now, None, None).unwrap();
        (range.from(), range.to())
    }

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn the_default_range_holds_today_in_paris_after_its_midnight() {
        // 00:30 on 5 December in Paris
        let (from, to) = at("2026-12-04T23:30:00Z");
        assert!(to >= day("2026-12-05"), "{to}");
        assert_eq!(from, day("2026-01-01"));
    }

    #[test]
    fn the_default_range_keeps_the_year_where_it_has_not_ended_yet() {
        // New Year in Paris, still 31 December in Guadeloupe
        let (from, to) = at("2026-12-31T23:30:00Z");
        assert_eq!(from, day("2026-01-01"));
        assert!(to >= day("2027-01-01"));
    }
}
