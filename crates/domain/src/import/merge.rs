//! What a valid row does to the container it names, decided by the container's own rules:
//! it creates the container, changes it through [`Container::apply`] (its life cycle: an
//! archived container no longer changes, removed is final), leaves it as it is when nothing
//! differs (its version stays, so no client's ETag goes stale), or is refused with a reason.

use super::ValidRow;
use super::row::{ImportHeader, RowError};
use crate::{Container, ContainerChanges, ContainerStatus, DomainError};
use chrono::{DateTime, Utc};

/// The decision for one row.
#[derive(Debug, Clone, PartialEq)]
pub enum MergeOutcome {
    Create(Container),
    /// Boxed: a decision is mostly a creation, kept small.
    Update {
        before: Box<Container>,
        after: Box<Container>,
    },
    Unchanged,
    Rejected(RowError),
}

/// Reason codes of a row the container's life cycle refuses (`<code>:<external ref>`, or
/// `forbidden-status:<from>:<to>`); the words are in the message files.
pub const REMOVED_FINAL: &str = "removed-final";
pub const ARCHIVED: &str = "archived";
pub const FORBIDDEN_STATUS: &str = "forbidden-status";

/// Decides what `row` does to `existing`, the container with its site and reference (if
/// any). Only the optional columns the file has can change a field.
#[must_use]
pub fn merge_row(
    row: &ValidRow,
    existing: Option<&Container>,
    header: &ImportHeader,
    now: DateTime<Utc>,
) -> MergeOutcome {
    let Some(existing) = existing else {
        return MergeOutcome::Create(created(row, now));
    };
    let Some(changes) = differences(row, existing, header) else {
        return MergeOutcome::Unchanged;
    };
    let reference = row.external_ref.as_str();
    let mut after = existing.clone();
    match after.apply(changes, now) {
        Ok(()) => MergeOutcome::Update {
            before: Box::new(existing.clone()),
            after: Box::new(after),
        },
        Err(DomainError::Archived { .. }) => MergeOutcome::Rejected(RowError::new(
            "external_ref",
            reference,
            format!("{ARCHIVED}:{reference}"),
        )),
        Err(DomainError::ForbiddenTransition { .. })
            if existing.status == ContainerStatus::Removed =>
        {
            MergeOutcome::Rejected(RowError::new(
                "status",
                row.status.as_str(),
                format!("{REMOVED_FINAL}:{reference}"),
            ))
        }
        Err(_) => MergeOutcome::Rejected(RowError::new(
            "status",
            row.status.as_str(),
            format!(
                "{FORBIDDEN_STATUS}:{}:{}",
                existing.status.as_str(),
                row.status.as_str()
            ),
        )),
    }
}

fn created(row: &ValidRow, now: DateTime<Utc>) -> Container {
    Container {
        id: row.container_id,
        public_code: row.public_code.clone(),
        site_id: row.site_id,
        area_id: row.area_id,
        external_ref: Some(row.external_ref.clone()),
        kind: row.kind,
        status: row.status,
        capacity: row.capacity,
        location: row.location,
        address: row.address.clone(),
        installed_on: row.installed_on,
        notes: row.notes.clone(),
        archived_at: None,
        version: 1,
        created_at: now,
        updated_at: now,
    }
}

/// The fields `row` changes on `existing`; `None` when it changes none.
fn differences(
    row: &ValidRow,
    existing: &Container,
    header: &ImportHeader,
) -> Option<ContainerChanges> {
    let mut changes = ContainerChanges::default();
    let mut any = false;
    let mut differs = |column: Option<&str>, differ: bool| {
        let take = differ && column.is_none_or(|c| header.has(c));
        any |= take;
        take
    };
    if differs(Some("area_code"), existing.area_id != row.area_id) {
        changes.area_id = Some(row.area_id);
    }
    if differs(None, existing.kind != row.kind) {
        changes.kind = Some(row.kind);
    }
    if differs(Some("status"), existing.status != row.status) {
        changes.status = Some(row.status);
    }
    if differs(Some("capacity_litres"), existing.capacity != row.capacity) {
        changes.capacity = Some(row.capacity);
    }
    if differs(None, existing.location != row.location) {
        changes.location = Some(row.location);
    }
    if differs(Some("address"), existing.address != row.address) {
        changes.address = Some(row.address.clone());
    }
    if differs(
        Some("installed_on"),
        existing.installed_on != row.installed_on,
    ) {
        changes.installed_on = Some(row.installed_on);
    }
    if differs(Some("notes"), existing.notes != row.notes) {
        changes.notes = Some(row.notes.clone());
    }
    any.then_some(changes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Capacity, ContainerId, ContainerType, ExternalRef, GeoPoint, PublicCode, SiteId};

    fn header(columns: &[&str]) -> ImportHeader {
        ImportHeader::from_checked(columns.iter().map(|c| (*c).to_owned()).collect())
    }

    fn full_header() -> ImportHeader {
        header(&super::super::COLUMNS.map(|(n, _)| n))
    }

    fn row(status: ContainerStatus) -> ValidRow {
        ValidRow {
            line: 2,
            container_id: ContainerId::generate(),
            public_code: PublicCode::parse("K7M3QPX").unwrap(),
            site_id: SiteId::generate(),
            area_id: None,
            external_ref: ExternalRef::parse("LYO-0042").unwrap(),
            kind: ContainerType::StreetBin,
            status,
            capacity: Some(Capacity::litres(2500).unwrap()),
            location: GeoPoint::new(45.75, 4.83).unwrap(),
            address: None,
            installed_on: None,
            notes: None,
        }
    }

    fn stored(status: ContainerStatus) -> Container {
        let mut container = created(&row(status), Utc::now());
        container.version = 7;
        container
    }

    #[test]
    fn a_new_reference_creates_the_container() {
        let row = row(ContainerStatus::Active);
        let MergeOutcome::Create(container) = merge_row(&row, None, &full_header(), Utc::now())
        else {
            panic!("expected a creation");
        };
        assert_eq!((container.id, container.version), (row.container_id, 1));
    }

    #[test]
    fn a_row_equal_to_the_container_leaves_it_and_its_version() {
        let existing = stored(ContainerStatus::Full);
        let mut same = row(ContainerStatus::Full);
        // another id and code were drawn for it at validation: they do not count
        same.container_id = ContainerId::generate();
        let outcome = merge_row(&same, Some(&existing), &full_header(), Utc::now());
        assert_eq!(outcome, MergeOutcome::Unchanged);
        // a file without the status column does not reset the status to active
        let required = header(&["site_code", "external_ref", "type", "latitude", "longitude"]);
        let outcome = merge_row(
            &row(ContainerStatus::Active),
            Some(&existing),
            &required,
            Utc::now(),
        );
        assert_eq!(outcome, MergeOutcome::Unchanged);
    }

    #[test]
    fn a_changed_row_updates_through_the_life_cycle() {
        let existing = stored(ContainerStatus::Active);
        let mut moved = row(ContainerStatus::Full);
        moved.location = GeoPoint::new(45.76, 4.84).unwrap();
        let MergeOutcome::Update { before, after } =
            merge_row(&moved, Some(&existing), &full_header(), Utc::now())
        else {
            panic!("expected an update");
        };
        assert_eq!(*before, existing);
        assert_eq!((after.version, after.status), (8, ContainerStatus::Full));
        assert_eq!(after.location, moved.location);
        assert_eq!(
            after.id, existing.id,
            "the stored container is the one changed"
        );
    }

    #[test]
    fn removed_is_final_and_archived_containers_no_longer_change() {
        let removed = stored(ContainerStatus::Removed);
        let outcome = merge_row(
            &row(ContainerStatus::Active),
            Some(&removed),
            &full_header(),
            Utc::now(),
        );
        assert_eq!(
            outcome,
            MergeOutcome::Rejected(RowError::new("status", "active", "removed-final:LYO-0042"))
        );
        let mut archived = stored(ContainerStatus::Active);
        archived.archived_at = Some(Utc::now());
        let mut moved = row(ContainerStatus::Active);
        moved.location = GeoPoint::new(45.0, 4.0).unwrap();
        let outcome = merge_row(&moved, Some(&archived), &full_header(), Utc::now());
        assert_eq!(
            outcome,
            MergeOutcome::Rejected(RowError::new(
                "external_ref",
                "LYO-0042",
                "archived:LYO-0042"
            ))
        );
        // a row equal to an archived container changes nothing and is no fault
        let same = merge_row(
            &row(ContainerStatus::Active),
            Some(&archived),
            &full_header(),
            Utc::now(),
        );
        assert_eq!(same, MergeOutcome::Unchanged);
        let damaged = stored(ContainerStatus::Damaged);
        let outcome = merge_row(
            &row(ContainerStatus::Full),
            Some(&damaged),
            &full_header(),
            Utc::now(),
        );
        assert_eq!(
            outcome,
            MergeOutcome::Rejected(RowError::new(
                "status",
                "full",
                "forbidden-status:damaged:full"
            ))
        );
    }
}
