//! Use cases for containers.

use super::mutation::{change, get};
use super::paging::{Page, PageParams, list_page};
use super::{ContainerFilter, Registry};
use crate::AppError;
use crate::ports::{AuditContext, RepoError};
use chrono::NaiveDate;
use tisseco_domain::{
    Address, AreaId, Capacity, Container, ContainerChanges, ContainerId, ContainerStatus,
    ContainerType, ExternalRef, GeoPoint, NewContainer, Notes, PublicCode, SiteId, Version,
};

/// How many generated codes to try before giving up (a clash is already rare).
pub const PUBLIC_CODE_ATTEMPTS: usize = 5;

/// A container to create; without a public code, one is generated.
#[derive(Debug, Clone)]
pub struct ContainerDraft {
    pub public_code: Option<PublicCode>,
    pub site_id: SiteId,
    pub area_id: Option<AreaId>,
    pub external_ref: Option<ExternalRef>,
    pub kind: ContainerType,
    pub status: ContainerStatus,
    pub capacity: Option<Capacity>,
    pub location: GeoPoint,
    pub address: Option<Address>,
    pub installed_on: Option<NaiveDate>,
    pub notes: Option<Notes>,
}

impl ContainerDraft {
    fn with_code(&self, public_code: PublicCode) -> NewContainer {
        NewContainer {
            public_code,
            site_id: self.site_id,
            area_id: self.area_id,
            external_ref: self.external_ref.clone(),
            kind: self.kind,
            status: self.status,
            capacity: self.capacity,
            location: self.location,
            address: self.address.clone(),
            installed_on: self.installed_on,
            notes: self.notes.clone(),
        }
    }
}

fn random_code() -> PublicCode {
    let bytes = uuid::Uuid::new_v4().into_bytes();
    let mut random = [0u8; PublicCode::GENERATED_LENGTH];
    random.copy_from_slice(&bytes[..PublicCode::GENERATED_LENGTH]);
    PublicCode::from_random(random)
}

impl Registry {
    /// # Errors
    /// `Invalid` when the site or area does not exist, is archived, or the area is in
    /// another site; `Conflict` when the public code or the external reference is taken.
    pub async fn create_container(
        &self,
        draft: ContainerDraft,
        audit: &AuditContext,
    ) -> Result<Container, AppError> {
        self.require_live_site(draft.site_id).await?;
        if let Some(area) = draft.area_id {
            self.require_live_area_of(area, draft.site_id).await?;
            self.require_within_area(area, draft.location, "location")
                .await?;
        }
        if let Some(code) = draft.public_code.clone() {
            let container = Container::create(draft.with_code(code), self.clock.now());
            self.containers.insert(&container, audit).await?;
            self.containers_changed().await;
            return Ok(container);
        }
        for _ in 0..PUBLIC_CODE_ATTEMPTS {
            let container = Container::create(draft.with_code(random_code()), self.clock.now());
            match self.containers.insert(&container, audit).await {
                Ok(()) => {
                    self.containers_changed().await;
                    return Ok(container);
                }
                Err(RepoError::Conflict { field, .. }) if field == "public_code" => {}
                Err(other) => return Err(other.into()),
            }
        }
        Err(AppError::Unexpected(format!(
            "no free public code after {PUBLIC_CODE_ATTEMPTS} attempts"
        )))
    }

    /// # Errors
    /// `NotFound` when there is no such container.
    /// How many live containers are in each status (every status listed, zero included).
    ///
    /// # Errors
    /// `Unavailable` when the store is down.
    pub async fn container_counts(
        &self,
    ) -> Result<Vec<(tisseco_domain::ContainerStatus, u64)>, AppError> {
        let found = self.queries.live_containers_by_status().await?;
        Ok(tisseco_domain::ContainerStatus::ALL
            .iter()
            .map(|s| {
                (
                    *s,
                    found.iter().find(|(f, _)| f == s).map_or(0, |(_, n)| *n),
                )
            })
            .collect())
    }

    pub async fn get_container(&self, id: ContainerId) -> Result<Container, AppError> {
        get(self.containers.as_ref(), id).await
    }

    /// # Errors
    /// `Invalid` for a bad page size or a blank search text.
    pub async fn list_containers(
        &self,
        filter: &ContainerFilter,
        page: PageParams<ContainerId>,
    ) -> Result<Page<Container, ContainerId>, AppError> {
        list_page(self.containers.as_ref(), filter, page).await
    }

    /// # Errors
    /// `NotFound`, `StaleVersion`, `Conflict` (archived, forbidden status change, duplicate
    /// external reference), `Invalid` (unknown area, or an area of another site).
    pub async fn update_container(
        &self,
        id: ContainerId,
        expected: Version,
        changes: ContainerChanges,
        audit: &AuditContext,
    ) -> Result<Container, AppError> {
        if changes.area_id.is_some() || changes.location.is_some() {
            let current = self.get_container(id).await?;
            if let Some(Some(area)) = changes.area_id {
                self.require_live_area_of(area, current.site_id).await?;
            }
            // the area and the place it will have, whichever of them changes
            let field = if changes.location.is_some() {
                "location"
            } else {
                "area_id"
            };
            if let Some(area) = changes.area_id.unwrap_or(current.area_id) {
                let point = changes.location.unwrap_or(current.location);
                self.require_within_area(area, point, field).await?;
            }
        }
        let now = self.clock.now();
        let container = change(
            self.containers.as_ref(),
            id,
            Some(expected),
            "update",
            audit,
            |c| Ok(c.apply(changes, now)?),
        )
        .await?;
        self.containers_changed().await;
        Ok(container)
    }

    /// # Errors
    /// `NotFound`, `StaleVersion`, `Conflict` when already archived.
    pub async fn archive_container(
        &self,
        id: ContainerId,
        expected: Option<Version>,
        audit: &AuditContext,
    ) -> Result<Container, AppError> {
        let now = self.clock.now();
        let container = change(
            self.containers.as_ref(),
            id,
            expected,
            "archive",
            audit,
            |c| Ok(c.archive(now)?),
        )
        .await?;
        self.containers_changed().await;
        Ok(container)
    }
}
