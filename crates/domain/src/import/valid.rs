//! A row that passed validation, its site and area resolved: typed, ready to merge.

use crate::{
    Address, AreaId, Capacity, ContainerId, ContainerStatus, ContainerType, ExternalRef, GeoPoint,
    Notes, PublicCode, SiteId,
};
use chrono::NaiveDate;

/// A valid row. The id and public code are the ones the container gets if the row creates
/// it (chosen at validation, so that a re-run of the merge creates the same container).
#[derive(Debug, Clone, PartialEq)]
pub struct ValidRow {
    pub line: u64,
    pub container_id: ContainerId,
    pub public_code: PublicCode,
    pub site_id: SiteId,
    pub area_id: Option<AreaId>,
    pub external_ref: ExternalRef,
    pub kind: ContainerType,
    pub status: ContainerStatus,
    pub capacity: Option<Capacity>,
    pub location: GeoPoint,
    pub address: Option<Address>,
    pub installed_on: Option<NaiveDate>,
    pub notes: Option<Notes>,
}
