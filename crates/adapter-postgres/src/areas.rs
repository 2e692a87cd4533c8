//! Areas on PostgreSQL: the list query and the repository.

use crate::repository::repository;
use crate::rows::AreaRow;
use crate::schema::areas;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use tisseco_application::ports::PageRequest;
use tisseco_application::use_cases::AreaFilter;
use tisseco_domain::{Area, AreaId};

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

repository!(Area, AreaRow, areas, list_areas);
