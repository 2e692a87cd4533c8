//! Sites on PostgreSQL: the list query and the repository.

use crate::repository::repository;
use crate::rows::SiteRow;
use crate::schema::sites;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use tisseco_application::ports::PageRequest;
use tisseco_application::use_cases::SiteFilter;
use tisseco_domain::{Site, SiteId};

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

repository!(Site, SiteRow, sites, list_sites);
