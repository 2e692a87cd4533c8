//! Containers on PostgreSQL: the list query, the repository, and the counts the registry's
//! archiving rules and dashboard need.

use crate::errors::from_diesel;
use crate::repository::repository;
use crate::rows::ContainerRow;
use crate::schema::{areas, containers};
use crate::store::PgStore;
use async_trait::async_trait;
use diesel::dsl::count_star;
use diesel::prelude::*;
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
