//! The registry use cases: sites → areas → containers, with history.

mod areas;
mod containers;
mod entities;
mod history;
mod mutation;
mod paging;
mod placement;
mod sites;

pub use containers::{ContainerDraft, PUBLIC_CODE_ATTEMPTS};
pub use entities::{AreaFilter, ContainerFilter, SiteFilter};
pub(crate) use mutation::{change, get};
pub(crate) use paging::list_page;
pub(crate) use paging::page_size;
pub use paging::{DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, Page, PageParams};

use crate::cache::{CONTAINERS, Cache, NoCache};
use crate::ports::{AuditLog, Clock, RegistryQueries, Repository};
use std::sync::Arc;
use tisseco_domain::{Area, Container, Site};

/// The registry of sites, areas and containers, built from its ports.
#[derive(Clone)]
pub struct Registry {
    pub(crate) sites: Arc<dyn Repository<Site>>,
    pub(crate) areas: Arc<dyn Repository<Area>>,
    pub(crate) containers: Arc<dyn Repository<Container>>,
    pub(crate) queries: Arc<dyn RegistryQueries>,
    pub(crate) audit_log: Arc<dyn AuditLog>,
    pub(crate) clock: Arc<dyn Clock>,
    /// Told after every committed container or area change (namespace `containers`).
    pub(crate) cache: Arc<dyn Cache>,
    /// How far outside its area's boundary a container may stand.
    pub(crate) area_tolerance: tisseco_domain::placement::AreaTolerance,
}

impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Registry")
    }
}

/// The ports a [`Registry`] is built from.
#[expect(missing_debug_implementations, reason = "trait objects")]
pub struct RegistryPorts {
    pub sites: Arc<dyn Repository<Site>>,
    pub areas: Arc<dyn Repository<Area>>,
    pub containers: Arc<dyn Repository<Container>>,
    pub queries: Arc<dyn RegistryQueries>,
    pub audit_log: Arc<dyn AuditLog>,
    pub clock: Arc<dyn Clock>,
}

impl Registry {
    #[must_use]
    pub fn new(ports: RegistryPorts) -> Self {
        let RegistryPorts {
            sites,
            areas,
            containers,
            queries,
            audit_log,
            clock,
        } = ports;
        Self {
            sites,
            areas,
            containers,
            queries,
            audit_log,
            clock,
            cache: Arc::new(NoCache),
            area_tolerance: tisseco_domain::placement::AreaTolerance::default(),
        }
    }

    /// The cache whose `containers` namespace this registry bumps after each committed
    /// change of a container or an area (an area's boundary decides area searches).
    #[must_use]
    pub fn with_cache(mut self, cache: Arc<dyn Cache>) -> Self {
        self.cache = cache;
        self
    }

    pub(crate) async fn containers_changed(&self) {
        self.cache.bump(CONTAINERS).await;
    }
}

#[cfg(test)]
mod tests;
