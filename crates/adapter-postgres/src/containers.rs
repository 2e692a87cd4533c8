//! Containers on PostgreSQL: the list query, the repository, the counts the registry's
//! archiving rules and dashboard need, and the bulk writes of an import batch. The only
//! SQL that writes container rows by hand is here, and it writes what the domain decided.

use crate::errors::from_diesel;
use crate::repository::repository;
use crate::rows::ContainerRow;
use crate::schema::{areas, containers};
use crate::store::PgStore;
use async_trait::async_trait;
use diesel::dsl::count_star;
use diesel::prelude::*;
use diesel::sql_query;
use diesel::sql_types::{
    Array, Date, Double, Integer, Nullable, Text, Timestamptz, Uuid as SqlUuid,
};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use tisseco_application::ports::{PageRequest, RegistryQueries, RepoError};
use tisseco_application::use_cases::ContainerFilter;
use tisseco_domain::{AreaId, Container, ContainerId, SiteId};
use uuid::Uuid;

/// `%` and `_` typed by a user are literal characters, not wildcards.
fn contains_pattern(text: &str) -> String {
    let escaped = text
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

async fn list_containers(
    conn: &mut AsyncPgConnection,
    filter: &ContainerFilter,
    page: PageRequest<ContainerId>,
) -> QueryResult<Vec<ContainerRow>> {
    let mut query = containers::table
        .select(ContainerRow::as_select())
        .into_boxed();
    if !filter.include_archived {
        query = query.filter(containers::archived_at.is_null());
    }
    if let Some(site) = filter.site_id {
        query = query.filter(containers::site_id.eq(site.0));
    }
    if let Some(area) = filter.area_id {
        query = query.filter(containers::area_id.eq(area.0));
    }
    if let Some(kind) = filter.kind {
        query = query.filter(containers::kind.eq(kind.as_str()));
    }
    if let Some(status) = filter.status {
        query = query.filter(containers::status.eq(status.as_str()));
    }
    if !filter.ids.is_empty() {
        let ids: Vec<Uuid> = filter.ids.iter().map(|id| id.0).collect();
        query = query.filter(containers::id.eq_any(ids));
    }
    if let Some(text) = &filter.text {
        let pattern = contains_pattern(text);
        query = query.filter(
            containers::public_code
                .ilike(pattern.clone())
                .or(containers::address.ilike(pattern.clone()))
                .or(containers::external_ref.ilike(pattern)),
        );
    }
    if let Some(after) = page.after {
        query = query.filter(containers::id.gt(after.0));
    }
    query
        .order(containers::id.asc())
        .limit(i64::from(page.limit))
        .load(conn)
        .await
}

repository!(Container, ContainerRow, containers, list_containers);

#[async_trait]
impl RegistryQueries for PgStore {
    async fn live_children_of_site(&self, site: SiteId) -> Result<u64, RepoError> {
        let mut conn = self.conn().await?;
        let live_areas: i64 = areas::table
            .filter(areas::site_id.eq(site.0).and(areas::archived_at.is_null()))
            .select(count_star())
            .get_result(&mut conn)
            .await
            .map_err(from_diesel)?;
        let live_containers: i64 = containers::table
            .filter(
                containers::site_id
                    .eq(site.0)
                    .and(containers::archived_at.is_null()),
            )
            .select(count_star())
            .get_result(&mut conn)
            .await
            .map_err(from_diesel)?;
        Ok(u64::try_from(live_areas + live_containers).unwrap_or_default())
    }

    async fn live_containers_by_status(
        &self,
    ) -> Result<Vec<(tisseco_domain::ContainerStatus, u64)>, RepoError> {
        let mut conn = self.conn().await?;
        let rows: Vec<(String, i64)> = containers::table
            .filter(containers::archived_at.is_null())
            .group_by(containers::status)
            .select((containers::status, count_star()))
            .load(&mut conn)
            .await
            .map_err(from_diesel)?;
        rows.into_iter()
            .map(|(status, n)| {
                let status = tisseco_domain::ContainerStatus::parse(&status)
                    .map_err(|e| RepoError::Unexpected(e.to_string()))?;
                Ok((status, u64::try_from(n).unwrap_or_default()))
            })
            .collect()
    }

    async fn area_distance(
        &self,
        area: AreaId,
        point: tisseco_domain::GeoPoint,
    ) -> Result<Option<tisseco_domain::placement::AreaDistance>, RepoError> {
        crate::placement::area_distance(self, area, point).await
    }

    async fn live_containers_in_area(&self, area: AreaId) -> Result<u64, RepoError> {
        let mut conn = self.conn().await?;
        let live: i64 = containers::table
            .filter(
                containers::area_id
                    .eq(area.0)
                    .and(containers::archived_at.is_null()),
            )
            .select(count_star())
            .get_result(&mut conn)
            .await
            .map_err(from_diesel)?;
        Ok(u64::try_from(live).unwrap_or_default())
    }
}

/// Inserts new containers in bulk (an import batch), as the domain made them. Takes the
/// connection shared, so that a statement can be pipelined behind this one.
pub(crate) async fn insert_all(
    mut conn: &AsyncPgConnection,
    created: &[Container],
) -> diesel::QueryResult<()> {
    if created.is_empty() {
        return Ok(());
    }
    let rows: Vec<ContainerRow> = created.iter().map(ContainerRow::from).collect();
    sql_query(
        "INSERT INTO containers (id, public_code, site_id, area_id, external_ref, kind, status, \
           capacity_litres, location, address, installed_on, notes, version, created_at, updated_at) \
         SELECT u.id, u.code, u.site, u.area, u.ref, u.kind, u.status, u.cap, \
           ST_SetSRID(ST_MakePoint(u.lon, u.lat), 4326), u.address, u.installed_on, u.notes, \
           u.version, u.at, u.at \
         FROM unnest($1::uuid[], $2::text[], $3::uuid[], $4::uuid[], $5::text[], $6::text[], \
           $7::text[], $8::integer[], $9::float8[], $10::float8[], $11::text[], $12::date[], \
           $13::text[], $14::integer[], $15::timestamptz[]) \
           AS u(id, code, site, area, ref, kind, status, cap, lat, lon, address, installed_on, \
             notes, version, at)",
    )
    .bind::<Array<SqlUuid>, _>(rows.iter().map(|r| r.id).collect::<Vec<_>>())
    .bind::<Array<Text>, _>(rows.iter().map(|r| r.public_code.as_str()).collect::<Vec<_>>())
    .bind::<Array<SqlUuid>, _>(rows.iter().map(|r| r.site_id).collect::<Vec<_>>())
    .bind::<Array<Nullable<SqlUuid>>, _>(rows.iter().map(|r| r.area_id).collect::<Vec<_>>())
    .bind::<Array<Nullable<Text>>, _>(
        rows.iter()
            .map(|r| r.external_ref.as_deref())
            .collect::<Vec<_>>(),
    )
    .bind::<Array<Text>, _>(rows.iter().map(|r| r.kind.as_str()).collect::<Vec<_>>())
    .bind::<Array<Text>, _>(rows.iter().map(|r| r.status.as_str()).collect::<Vec<_>>())
    .bind::<Array<Nullable<Integer>>, _>(
        rows.iter().map(|r| r.capacity_litres).collect::<Vec<_>>(),
    )
    .bind::<Array<Double>, _>(rows.iter().map(|r| r.location.y).collect::<Vec<_>>())
    .bind::<Array<Double>, _>(rows.iter().map(|r| r.location.x).collect::<Vec<_>>())
    .bind::<Array<Nullable<Text>>, _>(rows.iter().map(|r| r.address.as_deref()).collect::<Vec<_>>())
    .bind::<Array<Nullable<Date>>, _>(rows.iter().map(|r| r.installed_on).collect::<Vec<_>>())
    .bind::<Array<Nullable<Text>>, _>(rows.iter().map(|r| r.notes.as_deref()).collect::<Vec<_>>())
    .bind::<Array<Integer>, _>(rows.iter().map(|r| r.version).collect::<Vec<_>>())
    .bind::<Array<Timestamptz>, _>(rows.iter().map(|r| r.created_at).collect::<Vec<_>>())
    .execute(&mut conn)
    .await
    .map(drop)
}

/// Writes each container's new state, as the domain decided it, if it still has the
/// version read (`before`'s); returns how many did.
pub(crate) async fn replace_all(
    mut conn: &AsyncPgConnection,
    updated: &[(Container, Container)],
) -> diesel::QueryResult<usize> {
    if updated.is_empty() {
        return Ok(0);
    }
    let expected: Vec<i32> = updated.iter().map(|(before, _)| before.version).collect();
    let rows: Vec<ContainerRow> = updated
        .iter()
        .map(|(_, after)| ContainerRow::from(after))
        .collect();
    sql_query(
        "UPDATE containers c SET area_id = u.area, kind = u.kind, status = u.status, \
           capacity_litres = u.cap, location = ST_SetSRID(ST_MakePoint(u.lon, u.lat), 4326), \
           address = u.address, installed_on = u.installed_on, notes = u.notes, \
           version = u.version, updated_at = u.at \
         FROM unnest($1::uuid[], $2::integer[], $3::uuid[], $4::text[], $5::text[], \
           $6::integer[], $7::float8[], $8::float8[], $9::text[], $10::date[], $11::text[], \
           $12::integer[], $13::timestamptz[]) \
           AS u(id, expected, area, kind, status, cap, lat, lon, address, installed_on, notes, \
             version, at) \
         WHERE c.id = u.id AND c.version = u.expected",
    )
    .bind::<Array<SqlUuid>, _>(rows.iter().map(|r| r.id).collect::<Vec<_>>())
    .bind::<Array<Integer>, _>(expected)
    .bind::<Array<Nullable<SqlUuid>>, _>(rows.iter().map(|r| r.area_id).collect::<Vec<_>>())
    .bind::<Array<Text>, _>(rows.iter().map(|r| r.kind.as_str()).collect::<Vec<_>>())
    .bind::<Array<Text>, _>(rows.iter().map(|r| r.status.as_str()).collect::<Vec<_>>())
    .bind::<Array<Nullable<Integer>>, _>(rows.iter().map(|r| r.capacity_litres).collect::<Vec<_>>())
    .bind::<Array<Double>, _>(rows.iter().map(|r| r.location.y).collect::<Vec<_>>())
    .bind::<Array<Double>, _>(rows.iter().map(|r| r.location.x).collect::<Vec<_>>())
    .bind::<Array<Nullable<Text>>, _>(
        rows.iter()
            .map(|r| r.address.as_deref())
            .collect::<Vec<_>>(),
    )
    .bind::<Array<Nullable<Date>>, _>(rows.iter().map(|r| r.installed_on).collect::<Vec<_>>())
    .bind::<Array<Nullable<Text>>, _>(rows.iter().map(|r| r.notes.as_deref()).collect::<Vec<_>>())
    .bind::<Array<Integer>, _>(rows.iter().map(|r| r.version).collect::<Vec<_>>())
    .bind::<Array<Timestamptz>, _>(rows.iter().map(|r| r.updated_at).collect::<Vec<_>>())
    .execute(&mut conn)
    .await
}
