//! How each aggregate is stored: identity, uniqueness and list filters.

use crate::ports::Entity;
use tisseco_domain::{
    Area, AreaId, Container, ContainerId, ContainerStatus, ContainerType, Site, SiteId, Version,
};

/// Filters for listing sites.
#[derive(Debug, Clone, Default)]
pub struct SiteFilter {
    pub include_archived: bool,
}

/// Filters for listing areas.
#[derive(Debug, Clone, Default)]
pub struct AreaFilter {
    pub site_id: Option<SiteId>,
    pub include_archived: bool,
}

/// Filters for listing containers; all given filters must hold.
#[derive(Debug, Clone, Default)]
pub struct ContainerFilter {
    pub site_id: Option<SiteId>,
    pub area_id: Option<AreaId>,
    pub kind: Option<ContainerType>,
    pub status: Option<ContainerStatus>,
    /// Case-insensitive substring of the public code, the address or the external reference.
    pub text: Option<String>,
    pub include_archived: bool,
    /// Only these containers (empty: no such filter); one query for a page that names
    /// many containers, instead of one each.
    pub ids: Vec<ContainerId>,
}

impl Entity for Site {
    type Id = SiteId;
    type Filter = SiteFilter;
    const KIND: &'static str = "site";

    fn id(&self) -> SiteId {
        self.id
    }

    fn version(&self) -> Version {
        self.version
    }

    fn unique_keys(&self) -> Vec<(&'static str, String)> {
        vec![("code", self.code.as_str().to_owned())]
    }

    fn matches(&self, filter: &SiteFilter) -> bool {
        filter.include_archived || !self.is_archived()
    }
}

impl Entity for Area {
    type Id = AreaId;
    type Filter = AreaFilter;
    const KIND: &'static str = "area";

    fn id(&self) -> AreaId {
        self.id
    }

    fn version(&self) -> Version {
        self.version
    }

    fn unique_keys(&self) -> Vec<(&'static str, String)> {
        vec![("code", format!("{}/{}", self.site_id, self.code.as_str()))]
    }

    fn matches(&self, filter: &AreaFilter) -> bool {
        (filter.include_archived || !self.is_archived())
            && filter.site_id.is_none_or(|s| s == self.site_id)
    }
}

impl Entity for Container {
    type Id = ContainerId;
    type Filter = ContainerFilter;
    const KIND: &'static str = "container";

    fn id(&self) -> ContainerId {
        self.id
    }

    fn version(&self) -> Version {
        self.version
    }

    fn unique_keys(&self) -> Vec<(&'static str, String)> {
        let mut keys = vec![("public_code", self.public_code.as_str().to_owned())];
        if let Some(reference) = &self.external_ref {
            keys.push((
                "external_ref",
                format!("{}/{}", self.site_id, reference.as_str()),
            ));
        }
        keys
    }

    fn matches(&self, f: &ContainerFilter) -> bool {
        let text_matches = f.text.as_deref().is_none_or(|text| {
            let needle = text.to_lowercase();
            self.public_code.as_str().to_lowercase().contains(&needle)
                || self
                    .address
                    .as_ref()
                    .is_some_and(|a| a.as_str().to_lowercase().contains(&needle))
                || self
                    .external_ref
                    .as_ref()
                    .is_some_and(|r| r.as_str().to_lowercase().contains(&needle))
        });
        (f.include_archived || !self.is_archived())
            && (f.ids.is_empty() || f.ids.contains(&self.id))
            && f.site_id.is_none_or(|s| s == self.site_id)
            && f.area_id.is_none_or(|a| Some(a) == self.area_id)
            && f.kind.is_none_or(|k| k == self.kind)
            && f.status.is_none_or(|s| s == self.status)
            && text_matches
    }
}
