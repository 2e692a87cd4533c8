//! Repositories for sites, areas and containers on PostgreSQL. Each write, its audit
//! record and its outbox event commit in one transaction; updates only apply to the version they were based on.

use crate::audit::{self, Change};
use crate::errors::{from_diesel, from_pool};
use crate::outbox::{self, NewEvent};
use crate::pool::PgPool;
use crate::rows::{AreaRow, ContainerRow, SiteRow};
use crate::schema::{areas, containers, sites, tours, users};
use crate::tours::{TourRow, list_tours, record_outcomes};
use crate::users::{UserRow, list_users};
use async_trait::async_trait;
use diesel::dsl::count_star;
use diesel::prelude::*;
use diesel_async::pooled_connection::deadpool::Object;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use secrecy::SecretString;
use tisseco_application::ports::{
    AuditContext, Entity, HealthCheck, PageRequest, RegistryQueries, RepoError, Repository,
};
use tisseco_application::use_cases::{AreaFilter, ContainerFilter, SiteFilter};
use tisseco_domain::{Area, AreaId, Container, ContainerId, Site, SiteId, Tour, User};
use uuid::Uuid;

/// The PostgreSQL store behind every registry port.
#[derive(Clone)]
pub struct PgStore {
    pub(crate) pool: PgPool,
    /// Where to open connections outside the pool, for `COPY`.
    bulk_url: Option<SecretString>,
}

impl std::fmt::Debug for PgStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgStore")
            .field("pool", &self.pool.status())
            .finish()
    }
}

impl PgStore {
    #[must_use]
    pub fn new(pool: PgPool) -> Self {
        Self {
            pool,
            bulk_url: None,
        }
    }

    /// Lets bulk work open connections of its own at `url`, outside the pool: import staging
    /// for `COPY` (without it, through the pool, more slowly) and the `VACUUM` after an
    /// import (without it, left to autovacuum).
    #[must_use]
    pub fn with_bulk_url(mut self, url: SecretString) -> Self {
        self.bulk_url = Some(url);
        self
    }

    pub(crate) fn bulk_url(&self) -> Option<&SecretString> {
        self.bulk_url.as_ref()
    }

    pub(crate) async fn conn(&self) -> Result<Object<AsyncPgConnection>, RepoError> {
        self.pool.get().await.map_err(from_pool)
    }
}

fn to_json<E: Entity>(entity: &E) -> Result<serde_json::Value, RepoError> {
    serde_json::to_value(entity)
        .map_err(|e| RepoError::Unexpected(format!("can't serialise {}: {e}", E::KIND)))
}

/// `%` and `_` typed by a user are literal characters, not wildcards.
fn contains_pattern(text: &str) -> String {
    let escaped = text
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

async fn list_sites(
    conn: &mut AsyncPgConnection,
    filter: &SiteFilter,
    page: PageRequest<SiteId>,
) -> QueryResult<Vec<SiteRow>> {
    let mut query = sites::table.select(SiteRow::as_select()).into_boxed();
    if !filter.include_archived {
        query = query.filter(sites::archived_at.is_null());
    }
    if let Some(after) = page.after {
        query = query.filter(sites::id.gt(after.0));
    }
    query
        .order(sites::id.asc())
        .limit(i64::from(page.limit))
        .load(conn)
        .await
}

async fn list_areas(
    conn: &mut AsyncPgConnection,
    filter: &AreaFilter,
    page: PageRequest<AreaId>,
) -> QueryResult<Vec<AreaRow>> {
    let mut query = areas::table.select(AreaRow::as_select()).into_boxed();
    if !filter.include_archived {
        query = query.filter(areas::archived_at.is_null());
    }
    if let Some(site) = filter.site_id {
        query = query.filter(areas::site_id.eq(site.0));
    }
    if let Some(after) = page.after {
        query = query.filter(areas::id.gt(after.0));
    }
    query
        .order(areas::id.asc())
        .limit(i64::from(page.limit))
        .load(conn)
        .await
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

/// Implements [`Repository`] for one aggregate; only the list query differs between them,
/// and an optional hook writes rows derived from an update in its transaction.
macro_rules! repository {
    ($entity:ty, $row:ty, $table:ident, $list:ident $(, $after_update:path)?) => {
        #[async_trait]
        impl Repository<$entity> for PgStore {
            async fn find(
                &self,
                id: <$entity as Entity>::Id,
            ) -> Result<Option<$entity>, RepoError> {
                let mut conn = self.conn().await?;
                let row: Option<$row> = $table::table
                    .find(Uuid::from(id))
                    .select(<$row>::as_select())
                    .get_result(&mut conn)
                    .await
                    .optional()
                    .map_err(from_diesel)?;
                row.map(<$entity>::try_from).transpose()
            }

            async fn list(
                &self,
                filter: &<$entity as Entity>::Filter,
                page: PageRequest<<$entity as Entity>::Id>,
            ) -> Result<Vec<$entity>, RepoError> {
                let mut conn = self.conn().await?;
                let rows = $list(&mut conn, filter, page).await.map_err(from_diesel)?;
                rows.into_iter().map(<$entity>::try_from).collect()
            }

            async fn insert(
                &self,
                entity: &$entity,
                context: &AuditContext,
            ) -> Result<(), RepoError> {
                let row = <$row>::from(entity);
                let state = to_json(entity)?;
                let event = NewEvent::of_change(
                    <$entity as Entity>::KIND,
                    "create",
                    row.id,
                    state.clone(),
                    context,
                );
                let change = Change {
                    action: "create",
                    entity_type: <$entity as Entity>::KIND,
                    entity_id: row.id,
                    before: None,
                    after: Some(state),
                };
                let mut conn = self.conn().await?;
                conn.transaction::<_, diesel::result::Error, _>(async |tx| {
                    diesel::insert_into($table::table)
                        .values(&row)
                        .execute(tx)
                        .await?;
                    audit::record(tx, change, context).await?;
                    outbox::append(tx, &event).await
                })
                .await
                .map_err(from_diesel)
            }

            async fn update(
                &self,
                before: &$entity,
                after: &$entity,
                action: &'static str,
                context: &AuditContext,
            ) -> Result<(), RepoError> {
                let row = <$row>::from(after);
                let state = to_json(after)?;
                let event = NewEvent::of_change(
                    <$entity as Entity>::KIND,
                    action,
                    row.id,
                    state.clone(),
                    context,
                );
                let change = Change {
                    action,
                    entity_type: <$entity as Entity>::KIND,
                    entity_id: row.id,
                    before: Some(to_json(before)?),
                    after: Some(state),
                };
                let expected = before.version();
                let mut conn = self.conn().await?;
                // `Err(current version)` when the row moved on: nothing is written then.
                let outcome = conn
                    .transaction::<_, diesel::result::Error, _>(async |tx| {
                        let target = $table::table
                            .find(row.id)
                            .filter($table::version.eq(expected));
                        if diesel::update(target).set(&row).execute(tx).await? == 0 {
                            let current: Option<i32> = $table::table
                                .find(row.id)
                                .select($table::version)
                                .get_result(tx)
                                .await
                                .optional()?;
                            return Ok(Err(current));
                        }
                        audit::record(tx, change, context).await?;
                        $( $after_update(tx, before, after).await?; )?
                        outbox::append(tx, &event).await.map(Ok)
                    })
                    .await
                    .map_err(from_diesel)?;
                match outcome {
                    Ok(()) => Ok(()),
                    Err(Some(current)) => Err(RepoError::StaleVersion {
                        entity: <$entity as Entity>::KIND,
                        current,
                    }),
                    Err(None) => Err(RepoError::Unexpected(format!(
                        "{} {} vanished",
                        <$entity as Entity>::KIND,
                        row.id
                    ))),
                }
            }
        }
    };
}

repository!(Site, SiteRow, sites, list_sites);
repository!(Area, AreaRow, areas, list_areas);
repository!(Container, ContainerRow, containers, list_containers);
repository!(User, UserRow, users, list_users);
repository!(Tour, TourRow, tours, list_tours, record_outcomes);

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

#[async_trait]
impl HealthCheck for PgStore {
    async fn ping(&self) -> Result<(), RepoError> {
        let mut conn = self.conn().await?;
        diesel::sql_query("SELECT 1")
            .execute(&mut conn)
            .await
            .map(drop)
            .map_err(from_diesel)
    }
}
