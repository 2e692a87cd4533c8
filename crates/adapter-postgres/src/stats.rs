//! Reporting reads on PostgreSQL: collection figures from the daily rollups or `visits`,
//! report figures, the neglected containers and the quarterly declaration. Visits and
//! reports carry their local day (the site's time zone, fixed when written); what each
//! report needs per container or report is kept by triggers in narrow tables and columns
//! (migration `2026-12-04-050000_stats_projections`), so no query probes per row.

use crate::errors::from_diesel;
use crate::store::PgStore;
use async_trait::async_trait;
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use diesel::QueryableByName;
use diesel::sql_types::{BigInt, Date, Double, Nullable, Text, Timestamptz};
use diesel_async::RunQueryDsl;
use tisseco_application::ports::RepoError;
use tisseco_application::stats::{
    CollectionQuery, CollectionRow, DeclarationRow, NeglectReason, NeglectedContainer, ReportCount,
    ReportDelays, ReportStats, ReportStatsQuery, StatsQueries, TimelineEntry, TimelineQuery,
    TopReported,
};
use tisseco_domain::stats::{DateRange, GroupBy};
use tisseco_domain::{SiteId, SkipReason};
use uuid::Uuid;

type NullUuid = Nullable<diesel::sql_types::Uuid>;

/// The group's id and label columns over raw visits `v`, and the joins they need.
fn raw_group(group_by: GroupBy) -> (&'static str, &'static str, &'static str) {
    match group_by {
        GroupBy::Site => (
            "v.site_id::text",
            "s.code",
            "JOIN sites s ON s.id = v.site_id",
        ),
        GroupBy::Area => (
            "v.area_id::text",
            "a.code",
            "LEFT JOIN areas a ON a.id = v.area_id",
        ),
        GroupBy::Container => (
            "v.container_id::text",
            "c.public_code",
            "JOIN containers c ON c.id = v.container_id",
        ),
        GroupBy::Type => ("v.container_kind", "v.container_kind", ""),
        GroupBy::Driver => (
            "v.driver_id::text",
            "u.display_name",
            "LEFT JOIN users u ON u.id = v.driver_id",
        ),
    }
}

/// The same over daily rollups `r` (no container dimension there).
fn rollup_group(group_by: GroupBy) -> (&'static str, &'static str, &'static str) {
    match group_by {
        GroupBy::Site => (
            "r.site_id::text",
            "s.code",
            "JOIN sites s ON s.id = r.site_id",
        ),
        GroupBy::Area => (
            "nullif(r.key, '')",
            "a.code",
            "LEFT JOIN areas a ON a.id = nullif(r.key, '')::uuid",
        ),
        GroupBy::Type | GroupBy::Container => ("r.key", "r.key", ""),
        GroupBy::Driver => (
            "nullif(r.key, '')",
            "u.display_name",
            "LEFT JOIN users u ON u.id = nullif(r.key, '')::uuid",
        ),
    }
}

/// Whether the daily rollups can answer: they are per site and per area, type or driver,
/// so not per container, nor for one area's types or drivers.
#[must_use]
pub fn uses_rollups(group_by: GroupBy, area_filtered: bool) -> bool {
    !area_filtered && group_by != GroupBy::Container
}

/// The SQL of a collection query ($1 from, $2 to, $3 site, $4 area), from the daily
/// rollups when they can answer, else from the visits (also what `just bench stats` runs).
#[must_use]
pub fn collections_sql(group_by: GroupBy, period: &str, area_filtered: bool) -> String {
    let trunc = |day: &str| format!("date_trunc('{period}', {day}::timestamp)::date");
    if uses_rollups(group_by, area_filtered) {
        let (id, label, join) = rollup_group(group_by);
        let reasons: Vec<String> = SkipReason::ALL
            .iter()
            .map(|r| format!("sum(r.skips_{})", r.as_str()))
            .collect();
        return format!(
            "SELECT {period_start} AS period_start, {id} AS group_id, {label} AS group_label, \
               sum(r.visits)::bigint AS visits, sum(r.skips)::bigint AS skips, \
               concat_ws(',', {reasons}) AS skip_counts, \
               sum(r.kilograms)::float8 AS kilograms, sum(r.emptied)::bigint AS emptied, \
               (sum(r.fill_sum)::float8 / nullif(sum(r.fill_count), 0)) AS average_fill, \
               sum(r.found_overflowing)::bigint AS found_overflowing \
             FROM visit_rollups r {join} \
             WHERE r.dimension = '{dimension}' AND r.local_day BETWEEN $1 AND $2 \
               AND ($3::uuid IS NULL OR r.site_id = $3) AND $4::uuid IS NULL \
             GROUP BY 1, 2, 3 ORDER BY 1, 3, 2",
            period_start = trunc("r.local_day"),
            reasons = reasons.join(", "),
            dimension = group_by.as_str(),
        );
    }
    let (id, label, join) = raw_group(group_by);
    let reasons: Vec<String> = SkipReason::ALL
        .iter()
        .map(|r| format!("count(*) FILTER (WHERE v.skip_reason = '{}')", r.as_str()))
        .collect();
    format!(
        "SELECT {period_start} AS period_start, {id} AS group_id, {label} AS group_label, \
           count(*) FILTER (WHERE v.outcome = 'visited') AS visits, \
           count(*) FILTER (WHERE v.outcome = 'skipped') AS skips, \
           concat_ws(',', {reasons}) AS skip_counts, \
           coalesce(sum(v.weight_kg) FILTER (WHERE v.outcome = 'visited'), 0)::float8 AS kilograms, \
           count(*) FILTER (WHERE v.emptied) AS emptied, \
           (avg(v.fill_level) FILTER (WHERE v.outcome = 'visited'))::float8 AS average_fill, \
           count(*) FILTER (WHERE v.fill_level >= 100) AS found_overflowing \
         FROM visits v {join} \
         WHERE v.local_day BETWEEN $1 AND $2 \
           AND ($3::uuid IS NULL OR v.site_id = $3) AND ($4::uuid IS NULL OR v.area_id = $4) \
         GROUP BY 1, 2, 3 ORDER BY 1, 3, 2",
        period_start = trunc("v.local_day"),
        reasons = reasons.join(", "),
    )
}

#[derive(QueryableByName)]
struct CollectionSqlRow {
    #[diesel(sql_type = Date)]
    period_start: NaiveDate,
    #[diesel(sql_type = Nullable<Text>)]
    group_id: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    group_label: Option<String>,
    #[diesel(sql_type = BigInt)]
    visits: i64,
    #[diesel(sql_type = BigInt)]
    skips: i64,
    #[diesel(sql_type = Text)]
    skip_counts: String,
    #[diesel(sql_type = Double)]
    kilograms: f64,
    #[diesel(sql_type = BigInt)]
    emptied: i64,
    #[diesel(sql_type = Nullable<Double>)]
    average_fill: Option<f64>,
    #[diesel(sql_type = BigInt)]
    found_overflowing: i64,
}

#[derive(QueryableByName)]
struct ReportCountRow {
    #[diesel(sql_type = Date)]
    period_start: NaiveDate,
    #[diesel(sql_type = Text)]
    category: String,
    #[diesel(sql_type = Text)]
    status: String,
    #[diesel(sql_type = BigInt)]
    reports: i64,
}

#[derive(QueryableByName)]
struct DelayRow {
    #[diesel(sql_type = BigInt)]
    acknowledged: i64,
    #[diesel(sql_type = Nullable<Double>)]
    ack_median: Option<f64>,
    #[diesel(sql_type = Nullable<Double>)]
    ack_p90: Option<f64>,
    #[diesel(sql_type = BigInt)]
    resolved: i64,
    #[diesel(sql_type = Nullable<Double>)]
    resolve_median: Option<f64>,
    #[diesel(sql_type = Nullable<Double>)]
    resolve_p90: Option<f64>,
}

#[derive(QueryableByName)]
struct TopRow {
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    container_id: Uuid,
    #[diesel(sql_type = Text)]
    public_code: String,
    #[diesel(sql_type = BigInt)]
    reports: i64,
}

/// Reports whose local day is in the range ($1, $2) and whose container is in the scope
/// ($3 site, $4 area). Without a scope the planner drops the container lookup (each
/// statement is planned for its values).
const REPORTS_IN_SCOPE: &str = "FROM reports r WHERE r.local_day BETWEEN $1 AND $2 \
    AND (($3::uuid IS NULL AND $4::uuid IS NULL) OR r.container_id IN (SELECT c.id \
      FROM containers c WHERE ($3::uuid IS NULL OR c.site_id = $3) \
        AND ($4::uuid IS NULL OR c.area_id = $4)))";

/// The median and 90th percentile of the hours from a report to `column`, as `{name}_median`
/// and `{name}_p90`: one sort for both (identical aggregate calls are computed once), of
/// floats (`date_part`; `extract` would sort numerics).
fn hours_percentiles(column: &str, name: &str) -> String {
    let of = |i: u8| {
        format!(
            "(percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP \
             (ORDER BY date_part('epoch', r.{column} - r.created_at) / 3600))[{i}]"
        )
    };
    format!("{} AS {name}_median, {} AS {name}_p90", of(1), of(2))
}

/// The three statements of the report figures: counts, delays, top containers ($1 from,
/// $2 to, $3 site, $4 area). They read the reports alone: each carries its local day and
/// its first acknowledgement and resolution (kept by triggers on `reports` and
/// `report_events`), so no time is converted and no event joined per report.
#[must_use]
pub fn report_sqls(period: &str) -> (String, String, String) {
    let counts = format!(
        "SELECT date_trunc('{period}', r.local_day::timestamp)::date AS period_start, \
           r.category, r.status, count(*) AS reports \
         {REPORTS_IN_SCOPE} GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"
    );
    // The first step past `new` counts as acknowledging; hours from the report.
    let delays = format!(
        "SELECT count(r.acknowledged_at) AS acknowledged, {ack}, \
           count(r.resolved_at) AS resolved, {resolve} {REPORTS_IN_SCOPE}",
        ack = hours_percentiles("acknowledged_at", "ack"),
        resolve = hours_percentiles("resolved_at", "resolve"),
    );
    let top = format!(
        "SELECT c.id AS container_id, c.public_code, t.reports \
         FROM (SELECT r.container_id, sum(r.report_count)::bigint AS reports \
               {REPORTS_IN_SCOPE} GROUP BY 1) t \
         JOIN containers c ON c.id = t.container_id ORDER BY 3 DESC, 2 LIMIT 10"
    );
    (counts, delays, top)
}

/// Neglected containers ($1 since, $2 site): each container's last visit from
/// `container_last_visits` (kept by a trigger on `visits`), hash-joined, instead of
/// probing each container's visits; the nearly-empty ones from the visits since $1
/// (`visits_visited_at_idx`, index only). A container not visited since $1 has no visit in
/// that window, so only the nearly-empty need its figures.
pub const NEGLECTED_SQL: &str = "WITH recent AS (SELECT v.container_id, count(*) AS recent_visits, \
         avg(v.fill_level)::float8 AS recent_fill \
       FROM visits v WHERE v.outcome = 'visited' AND v.occurred_at >= $1 GROUP BY v.container_id \
       HAVING count(*) >= 3 AND avg(v.fill_level) < 25) \
     SELECT c.id, c.public_code, s.code AS site_code, a.code AS area_code, c.address, \
       l.last_visited_at AS last_visit, coalesce(r.recent_visits, 0) AS recent_visits, r.recent_fill \
     FROM containers c JOIN sites s ON s.id = c.site_id \
     LEFT JOIN areas a ON a.id = c.area_id \
     LEFT JOIN container_last_visits l ON l.container_id = c.id \
     LEFT JOIN recent r ON r.container_id = c.id \
     WHERE c.archived_at IS NULL AND c.status <> 'removed' \
       AND ($2::uuid IS NULL OR c.site_id = $2) \
       AND (coalesce(l.last_visited_at, c.created_at) < $1 OR r.container_id IS NOT NULL) \
     ORDER BY l.last_visited_at NULLS FIRST, c.public_code";

/// The declaration's containers ($1 first day, $2 last day, $3 site) with `{kilograms}`
/// joined as `k`: present during the range (created before it ended, not archived before
/// it started, in the site's time zone: bounds computed once per site). Codes sort
/// bytewise (`COLLATE "C"`: the same order as the database's C.UTF-8, without a
/// locale-aware comparison per pair).
fn declaration_sql(kilograms: &str) -> String {
    format!(
        "SELECT c.public_code, c.external_ref, c.address, ST_Y(c.location) AS latitude, \
           ST_X(c.location) AS longitude, c.kind, c.installed_on, c.status, \
           coalesce(k.kilograms, 0)::float8 AS kilograms \
         FROM (SELECT id, code, ($1::date::timestamp AT TIME ZONE time_zone) AS starts, \
                 (($2::date + 1)::timestamp AT TIME ZONE time_zone) AS ends \
               FROM sites WHERE $3::uuid IS NULL OR id = $3 OFFSET 0) s \
         JOIN containers c ON c.site_id = s.id \
         {kilograms} \
         WHERE c.created_at < s.ends AND (c.archived_at IS NULL OR c.archived_at >= s.starts) \
         ORDER BY s.code COLLATE \"C\", c.public_code COLLATE \"C\""
    )
}

/// The declaration of a whole quarter ($1 its first day): one row per container from
/// `container_quarter_rollups` (kept by a trigger on `visits`), not the quarter's
/// ~80,000 visits summed per request. Also what `just bench stats` runs.
#[must_use]
pub fn declaration_quarter_sql() -> String {
    declaration_sql(
        "LEFT JOIN container_quarter_rollups k ON k.quarter = $1 AND k.container_id = c.id",
    )
}

/// The declaration of any other range: the range's visits summed per container.
#[must_use]
pub fn declaration_range_sql() -> String {
    declaration_sql(
        "LEFT JOIN (SELECT v.container_id, sum(v.weight_kg) AS kilograms FROM visits v \
           WHERE v.outcome = 'visited' AND v.local_day BETWEEN $1 AND $2 \
           GROUP BY v.container_id) k ON k.container_id = c.id",
    )
}

/// Whether `range` is exactly one calendar quarter (what the quarter rollups hold).
fn is_whole_quarter(range: DateRange) -> bool {
    let from = range.from();
    from.day() == 1
        && from.month() % 3 == 1
        && from
            .checked_add_months(chrono::Months::new(3))
            .and_then(|next| next.pred_opt())
            == Some(range.to())
}

#[derive(QueryableByName)]
struct NeglectedRow {
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    id: Uuid,
    #[diesel(sql_type = Text)]
    public_code: String,
    #[diesel(sql_type = Text)]
    site_code: String,
    #[diesel(sql_type = Nullable<Text>)]
    area_code: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    address: Option<String>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    last_visit: Option<DateTime<Utc>>,
    #[diesel(sql_type = BigInt)]
    recent_visits: i64,
    #[diesel(sql_type = Nullable<Double>)]
    recent_fill: Option<f64>,
}

#[derive(QueryableByName)]
struct DeclarationSqlRow {
    #[diesel(sql_type = Text)]
    public_code: String,
    #[diesel(sql_type = Nullable<Text>)]
    external_ref: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    address: Option<String>,
    #[diesel(sql_type = Double)]
    latitude: f64,
    #[diesel(sql_type = Double)]
    longitude: f64,
    #[diesel(sql_type = Text)]
    kind: String,
    #[diesel(sql_type = Nullable<Date>)]
    installed_on: Option<NaiveDate>,
    #[diesel(sql_type = Text)]
    status: String,
    #[diesel(sql_type = Double)]
    kilograms: f64,
}

fn skip_counts(text: &str) -> Vec<(SkipReason, i64)> {
    SkipReason::ALL
        .iter()
        .zip(text.split(',').map(|n| n.parse().unwrap_or(0)))
        .map(|(r, n)| (*r, n))
        .collect()
}

#[async_trait]
impl StatsQueries for PgStore {
    async fn collections(&self, q: &CollectionQuery) -> Result<Vec<CollectionRow>, RepoError> {
        let sql = collections_sql(q.group_by, q.period.as_str(), q.area_id.is_some());
        let mut conn = self.conn().await?;
        let rows: Vec<CollectionSqlRow> = diesel::sql_query(sql)
            .bind::<Date, _>(q.range.from())
            .bind::<Date, _>(q.range.to())
            .bind::<NullUuid, _>(q.site_id.map(|s| s.0))
            .bind::<NullUuid, _>(q.area_id.map(|a| a.0))
            .load(&mut conn)
            .await
            .map_err(from_diesel)?;
        Ok(rows
            .into_iter()
            .map(|r| CollectionRow {
                period_start: r.period_start,
                group_id: r.group_id,
                group_label: r.group_label,
                visits: r.visits,
                skips: r.skips,
                skips_by_reason: skip_counts(&r.skip_counts),
                kilograms: r.kilograms,
                emptied: r.emptied,
                average_fill: r.average_fill,
                found_overflowing: r.found_overflowing,
            })
            .collect())
    }

    async fn reports(&self, q: &ReportStatsQuery) -> Result<ReportStats, RepoError> {
        let (counts_sql, delays_sql, top_sql) = report_sqls(q.period.as_str());
        let mut conn = self.conn().await?;
        macro_rules! run {
            ($sql:expr, $row:ty) => {
                diesel::sql_query($sql)
                    .bind::<Date, _>(q.range.from())
                    .bind::<Date, _>(q.range.to())
                    .bind::<NullUuid, _>(q.site_id.map(|s| s.0))
                    .bind::<NullUuid, _>(q.area_id.map(|a| a.0))
                    .load::<$row>(&mut conn)
                    .await
                    .map_err(from_diesel)?
            };
        }
        let counts = run!(counts_sql, ReportCountRow);
        let delays = run!(delays_sql, DelayRow);
        let top = run!(top_sql, TopRow);
        let delays = delays
            .into_iter()
            .next()
            .map_or_else(ReportDelays::default, |d| ReportDelays {
                acknowledged: d.acknowledged,
                acknowledge_median_hours: d.ack_median,
                acknowledge_p90_hours: d.ack_p90,
                resolved: d.resolved,
                resolve_median_hours: d.resolve_median,
                resolve_p90_hours: d.resolve_p90,
            });
        Ok(ReportStats {
            counts: counts
                .into_iter()
                .map(|r| ReportCount {
                    period_start: r.period_start,
                    category: r.category,
                    status: r.status,
                    reports: r.reports,
                })
                .collect(),
            delays,
            top_containers: top
                .into_iter()
                .map(|t| TopReported {
                    container_id: t.container_id.into(),
                    public_code: t.public_code,
                    reports: t.reports,
                })
                .collect(),
        })
    }

    async fn neglected(
        &self,
        since: DateTime<Utc>,
        site: Option<SiteId>,
    ) -> Result<Vec<NeglectedContainer>, RepoError> {
        let sql = NEGLECTED_SQL;
        let mut conn = self.conn().await?;
        let rows: Vec<NeglectedRow> = diesel::sql_query(sql)
            .bind::<Timestamptz, _>(since)
            .bind::<NullUuid, _>(site.map(|s| s.0))
            .load(&mut conn)
            .await
            .map_err(from_diesel)?;
        Ok(rows
            .into_iter()
            .map(|r| NeglectedContainer {
                container_id: r.id.into(),
                public_code: r.public_code,
                site_code: r.site_code,
                area_code: r.area_code,
                address: r.address,
                reason: if r.last_visit.is_some_and(|at| at >= since) {
                    NeglectReason::NearlyEmpty
                } else {
                    NeglectReason::NotVisited
                },
                last_visit_at: r.last_visit,
                visits: r.recent_visits,
                average_fill: r.recent_fill,
            })
            .collect())
    }

    async fn declaration(
        &self,
        range: DateRange,
        site: Option<SiteId>,
    ) -> Result<Vec<DeclarationRow>, RepoError> {
        let sql = if is_whole_quarter(range) {
            declaration_quarter_sql()
        } else {
            declaration_range_sql()
        };
        let mut conn = self.conn().await?;
        let rows: Vec<DeclarationSqlRow> = diesel::sql_query(sql)
            .bind::<Date, _>(range.from())
            .bind::<Date, _>(range.to())
            .bind::<NullUuid, _>(site.map(|s| s.0))
            .load(&mut conn)
            .await
            .map_err(from_diesel)?;
        Ok(rows
            .into_iter()
            .map(|r| DeclarationRow {
                public_code: r.public_code,
                external_ref: r.external_ref,
                address: r.address,
                latitude: r.latitude,
                longitude: r.longitude,
                kind: r.kind,
                installed_on: r.installed_on,
                status: r.status,
                kilograms: r.kilograms,
            })
            .collect())
    }

    async fn timeline(&self, query: &TimelineQuery) -> Result<Vec<TimelineEntry>, RepoError> {
        crate::timeline::timeline(self, query).await
    }
}
