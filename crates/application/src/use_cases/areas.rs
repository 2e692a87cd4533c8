//! Use cases for areas.

use super::mutation::{change, get};
use super::paging::{Page, PageParams, list_page};
use super::{AreaFilter, Registry};
use crate::AppError;
use crate::ports::AuditContext;
use tisseco_domain::{Area, AreaChanges, AreaId, NewArea, SiteId, ValidationError, Version};

impl Registry {
    /// # Errors
    /// `Invalid` when the site does not exist or is archived; `Conflict` when the code is
    /// taken in that site.
    pub async fn create_area(&self, new: NewArea, audit: &AuditContext) -> Result<Area, AppError> {
        self.require_live_site(new.site_id).await?;
        let area = Area::create(new, self.clock.now());
        self.areas.insert(&area, audit).await?;
        Ok(area)
    }

    /// # Errors
    /// `NotFound` when there is no such area.
    pub async fn get_area(&self, id: AreaId) -> Result<Area, AppError> {
        get(self.areas.as_ref(), id).await
    }

    /// # Errors
    /// `Invalid` for a bad page size.
    pub async fn list_areas(
        &self,
        filter: &AreaFilter,
        page: PageParams<AreaId>,
    ) -> Result<Page<Area, AreaId>, AppError> {
        list_page(self.areas.as_ref(), filter, page).await
    }

    /// # Errors
    /// `NotFound`, `StaleVersion`, `Conflict` (archived, or code taken).
    pub async fn update_area(
        &self,
        id: AreaId,
        expected: Version,
        changes: AreaChanges,
        audit: &AuditContext,
    ) -> Result<Area, AppError> {
        let now = self.clock.now();
        let area = change(
            self.areas.as_ref(),
            id,
            Some(expected),
            "update",
            audit,
            |area| Ok(area.apply(changes, now)?),
        )
        .await?;
        self.containers_changed().await;
        Ok(area)
    }

    /// Archives an area once no live container is in it.
    ///
    /// # Errors
    /// `NotFound`, `StaleVersion`, `Conflict` (already archived, or still has live containers).
    pub async fn archive_area(
        &self,
        id: AreaId,
        expected: Option<Version>,
        audit: &AuditContext,
    ) -> Result<Area, AppError> {
        let live = self.queries.live_containers_in_area(id).await?;
        if live > 0 {
            return Err(AppError::Conflict {
                field: None,
                message: format!(
                    "the area still has {live} live containers; move or archive them first"
                ),
            });
        }
        let now = self.clock.now();
        let area = change(
            self.areas.as_ref(),
            id,
            expected,
            "archive",
            audit,
            |area| Ok(area.archive(now)?),
        )
        .await?;
        self.containers_changed().await;
        Ok(area)
    }

    pub(crate) async fn require_live_site(&self, id: SiteId) -> Result<(), AppError> {
        match self.sites.find(id).await? {
            Some(site) if !site.is_archived() => Ok(()),
            Some(_) => {
                Err(ValidationError::new("site_id", format!("site {id} is archived")).into())
            }
            None => Err(ValidationError::new("site_id", format!("no site with id {id}")).into()),
        }
    }

    /// Checks that `id` is a live area of `site`.
    pub(crate) async fn require_live_area_of(
        &self,
        id: AreaId,
        site: SiteId,
    ) -> Result<(), AppError> {
        match self.areas.find(id).await? {
            Some(area) if area.site_id != site => Err(ValidationError::new(
                "area_id",
                format!("area {id} belongs to another site"),
            )
            .into()),
            Some(area) if area.is_archived() => {
                Err(ValidationError::new("area_id", format!("area {id} is archived")).into())
            }
            Some(_) => Ok(()),
            None => Err(ValidationError::new("area_id", format!("no area with id {id}")).into()),
        }
    }
}
