//! Use cases for sites.

use super::mutation::{change, get};
use super::paging::{Page, PageParams, list_page};
use super::{Registry, SiteFilter};
use crate::AppError;
use crate::ports::AuditContext;
use tisseco_domain::{NewSite, Site, SiteChanges, SiteId, Version};

impl Registry {
    /// # Errors
    /// `Conflict` when the code is taken.
    pub async fn create_site(&self, new: NewSite, audit: &AuditContext) -> Result<Site, AppError> {
        let site = Site::create(new, self.clock.now());
        self.sites.insert(&site, audit).await?;
        Ok(site)
    }

    /// # Errors
    /// `NotFound` when there is no such site.
    pub async fn get_site(&self, id: SiteId) -> Result<Site, AppError> {
        get(self.sites.as_ref(), id).await
    }

    /// # Errors
    /// `Invalid` for a bad page size.
    pub async fn list_sites(
        &self,
        filter: &SiteFilter,
        page: PageParams<SiteId>,
    ) -> Result<Page<Site, SiteId>, AppError> {
        list_page(self.sites.as_ref(), filter, page).await
    }

    /// # Errors
    /// `NotFound`, `StaleVersion`, `Conflict` (archived, or code taken).
    pub async fn update_site(
        &self,
        id: SiteId,
        expected: Version,
        changes: SiteChanges,
        audit: &AuditContext,
    ) -> Result<Site, AppError> {
        let now = self.clock.now();
        change(
            self.sites.as_ref(),
            id,
            Some(expected),
            "update",
            audit,
            |site| Ok(site.apply(changes, now)?),
        )
        .await
    }

    /// Archives a site once it has no live area or container left.
    ///
    /// # Errors
    /// `NotFound`, `StaleVersion`, `Conflict` (already archived, or still has live children).
    pub async fn archive_site(
        &self,
        id: SiteId,
        expected: Option<Version>,
        audit: &AuditContext,
    ) -> Result<Site, AppError> {
        let live = self.queries.live_children_of_site(id).await?;
        if live > 0 {
            return Err(AppError::Conflict {
                field: None,
                message: format!(
                    "the site still has {live} live areas or containers; archive them first"
                ),
            });
        }
        let now = self.clock.now();
        change(
            self.sites.as_ref(),
            id,
            expected,
            "archive",
            audit,
            |site| Ok(site.archive(now)?),
        )
        .await
    }
}
