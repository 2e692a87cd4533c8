//! Containers: the physical collection bins, their label code, place and status.

use crate::status::names;
use crate::{
    Address, AreaId, ContainerId, ContainerStatus, DomainError, GeoPoint, Notes, PublicCode,
    SiteId, ValidationError, Version,
};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContainerType {
    StreetBin,
    Underground,
    InStore,
    Other,
}

impl ContainerType {
    pub const ALL: [Self; 4] = [
        Self::StreetBin,
        Self::Underground,
        Self::InStore,
        Self::Other,
    ];

    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::StreetBin => "street_bin",
            Self::Underground => "underground",
            Self::InStore => "in_store",
            Self::Other => "other",
        }
    }

    /// # Errors
    /// When `value` is not one of the types' names.
    pub fn parse(value: &str) -> Result<Self, ValidationError> {
        Self::ALL
            .into_iter()
            .find(|t| t.as_str() == value)
            .ok_or_else(|| {
                ValidationError::new(
                    "type",
                    format!(
                        "unknown type '{value}'; expected one of {}",
                        names(&Self::ALL)
                    ),
                )
            })
    }
}

impl From<ContainerType> for &'static str {
    fn from(kind: ContainerType) -> Self {
        kind.as_str()
    }
}

/// A reference from another system (an import's key), unique within a site.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ExternalRef(String);

impl ExternalRef {
    pub const MAX_CHARS: usize = 64;

    /// # Errors
    /// When blank, longer than 64 characters or holding control characters.
    pub fn parse(value: &str) -> Result<Self, ValidationError> {
        crate::text::clean_line("external_ref", value, Self::MAX_CHARS).and_then(Self::one_line)
    }

    /// [`Self::parse`] of a `String` given up: kept without a copy when already clean.
    ///
    /// # Errors
    /// As [`Self::parse`].
    pub fn parse_owned(value: String) -> Result<Self, ValidationError> {
        crate::text::clean_line_owned("external_ref", value, Self::MAX_CHARS)
            .and_then(Self::one_line)
    }

    fn one_line(text: String) -> Result<Self, ValidationError> {
        if text.contains('\n') {
            Err(ValidationError::new(
                "external_ref",
                "must be a single line",
            ))
        } else {
            Ok(Self(text))
        }
    }

    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    #[must_use]
    pub fn into_string(self) -> String {
        self.0
    }
}

/// A capacity in litres.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Capacity(u32);

impl Capacity {
    pub const MAX_LITRES: i64 = 100_000;

    /// # Errors
    /// When not between 1 and 100,000 litres.
    pub fn litres(value: i64) -> Result<Self, ValidationError> {
        u32::try_from(value)
            .ok()
            .filter(|v| (1..=Self::MAX_LITRES).contains(&i64::from(*v)))
            .map(Self)
            .ok_or_else(|| {
                ValidationError::new(
                    "capacity_litres",
                    format!("must be between 1 and {} litres", Self::MAX_LITRES),
                )
            })
    }

    #[must_use]
    pub fn get(self) -> u32 {
        self.0
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Container {
    pub id: ContainerId,
    pub public_code: PublicCode,
    pub site_id: SiteId,
    pub area_id: Option<AreaId>,
    pub external_ref: Option<ExternalRef>,
    #[serde(rename = "type")]
    pub kind: ContainerType,
    pub status: ContainerStatus,
    pub capacity: Option<Capacity>,
    pub location: GeoPoint,
    pub address: Option<Address>,
    pub installed_on: Option<NaiveDate>,
    pub notes: Option<Notes>,
    pub archived_at: Option<DateTime<Utc>>,
    pub version: Version,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct NewContainer {
    pub public_code: PublicCode,
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

/// Fields to change; `None` leaves a field as it is, `Some(None)` clears an optional one.
/// The public code and the site never change: labels are printed, history is per site.
#[derive(Debug, Clone, Default)]
pub struct ContainerChanges {
    pub area_id: Option<Option<AreaId>>,
    pub external_ref: Option<Option<ExternalRef>>,
    pub kind: Option<ContainerType>,
    pub status: Option<ContainerStatus>,
    pub capacity: Option<Option<Capacity>>,
    pub location: Option<GeoPoint>,
    pub address: Option<Option<Address>>,
    pub installed_on: Option<Option<NaiveDate>>,
    pub notes: Option<Option<Notes>>,
}

impl Container {
    #[must_use]
    pub fn create(new: NewContainer, now: DateTime<Utc>) -> Self {
        Self {
            id: ContainerId::generate(),
            public_code: new.public_code,
            site_id: new.site_id,
            area_id: new.area_id,
            external_ref: new.external_ref,
            kind: new.kind,
            status: new.status,
            capacity: new.capacity,
            location: new.location,
            address: new.address,
            installed_on: new.installed_on,
            notes: new.notes,
            archived_at: None,
            version: 1,
            created_at: now,
            updated_at: now,
        }
    }

    #[must_use]
    pub fn is_archived(&self) -> bool {
        self.archived_at.is_some()
    }

    /// Applies `changes` all or nothing.
    ///
    /// # Errors
    /// [`DomainError::Archived`] when archived; [`DomainError::ForbiddenTransition`] when the
    /// new status can't follow the current one.
    pub fn apply(
        &mut self,
        changes: ContainerChanges,
        now: DateTime<Utc>,
    ) -> Result<(), DomainError> {
        self.ensure_live()?;
        if let Some(next) = changes.status {
            self.change_status(next)?;
        }
        let ContainerChanges {
            area_id,
            external_ref,
            kind,
            capacity,
            location,
            address,
            installed_on,
            notes,
            ..
        } = changes;
        replace(&mut self.area_id, area_id);
        replace(&mut self.external_ref, external_ref);
        replace(&mut self.kind, kind);
        replace(&mut self.capacity, capacity);
        replace(&mut self.location, location);
        replace(&mut self.address, address);
        replace(&mut self.installed_on, installed_on);
        replace(&mut self.notes, notes);
        self.touch(now);
        Ok(())
    }

    /// Archives the container: it leaves the registry's lists, its history stays.
    ///
    /// # Errors
    /// [`DomainError::Archived`] when it already is.
    pub fn archive(&mut self, now: DateTime<Utc>) -> Result<(), DomainError> {
        self.ensure_live()?;
        self.archived_at = Some(now);
        self.touch(now);
        Ok(())
    }

    /// The container after a driver's `visit`, when what was found moves its status (an
    /// emptied bin is active again, a full one full, a problem damaged), with the event to
    /// publish; `None` when the status stays (archived, or the life cycle refuses the move).
    #[must_use]
    pub fn after_visit(
        &self,
        visit: &crate::Visit,
        now: DateTime<Utc>,
    ) -> Option<(Self, crate::DomainEvent)> {
        self.moved_to(visit.container_status_after(self.status), now)
    }

    /// The container after the public reported it `full`: only an active, live container
    /// becomes full (a damaged one stays damaged, a removed one removed); `None` otherwise.
    #[must_use]
    pub fn reported_full(&self, now: DateTime<Utc>) -> Option<(Self, crate::DomainEvent)> {
        if self.status != ContainerStatus::Active {
            return None;
        }
        self.moved_to(ContainerStatus::Full, now)
    }

    /// A copy in status `next` (version and time bumped) if the life cycle allows the move
    /// and it changes something.
    fn moved_to(
        &self,
        next: ContainerStatus,
        now: DateTime<Utc>,
    ) -> Option<(Self, crate::DomainEvent)> {
        if next == self.status || self.is_archived() {
            return None;
        }
        let mut after = self.clone();
        after.change_status(next).ok()?;
        after.touch(now);
        Some((after, crate::DomainEvent::ContainerUpdated))
    }

    fn change_status(&mut self, next: ContainerStatus) -> Result<(), DomainError> {
        if !self.status.can_become(next) {
            return Err(DomainError::ForbiddenTransition {
                from: self.status.as_str(),
                to: next.as_str(),
            });
        }
        self.status = next;
        Ok(())
    }

    fn ensure_live(&self) -> Result<(), DomainError> {
        if self.is_archived() {
            Err(DomainError::Archived {
                entity: "container",
            })
        } else {
            Ok(())
        }
    }

    fn touch(&mut self, now: DateTime<Utc>) {
        self.version += 1;
        self.updated_at = now;
    }
}

fn replace<T>(field: &mut T, value: Option<T>) {
    if let Some(value) = value {
        *field = value;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bin() -> Container {
        let new = NewContainer {
            public_code: PublicCode::parse("K7M3QPX").unwrap(),
            site_id: SiteId::generate(),
            area_id: None,
            external_ref: Some(ExternalRef::parse("LY-001").unwrap()),
            kind: ContainerType::StreetBin,
            status: ContainerStatus::Active,
            capacity: Some(Capacity::litres(2500).unwrap()),
            location: GeoPoint::new(45.76, 4.84).unwrap(),
            address: Some(Address::parse("12 rue Garibaldi, Lyon").unwrap()),
            installed_on: None,
            notes: None,
        };
        Container::create(new, Utc::now())
    }

    #[test]
    fn a_new_container_starts_at_version_one() {
        let container = bin();
        assert_eq!((container.version, container.is_archived()), (1, false));
    }

    #[test]
    fn applies_changes_and_clears_optional_fields() {
        let mut container = bin();
        let changes = ContainerChanges {
            status: Some(ContainerStatus::Full),
            address: Some(None),
            location: Some(GeoPoint::new(45.0, 4.0).unwrap()),
            ..ContainerChanges::default()
        };
        container.apply(changes, Utc::now()).unwrap();
        assert_eq!(container.status, ContainerStatus::Full);
        assert_eq!(container.address, None);
        assert_eq!(container.location.latitude(), 45.0);
        assert_eq!(
            container.external_ref.as_ref().map(ExternalRef::as_str),
            Some("LY-001")
        );
        assert_eq!(container.version, 2);
    }

    #[test]
    fn a_forbidden_transition_changes_nothing() {
        let mut container = bin();
        container
            .apply(
                ContainerChanges {
                    status: Some(ContainerStatus::Removed),
                    ..Default::default()
                },
                Utc::now(),
            )
            .unwrap();
        let before = container.clone();
        let changes = ContainerChanges {
            status: Some(ContainerStatus::Active),
            address: Some(None),
            ..ContainerChanges::default()
        };
        let result = container.apply(changes, Utc::now());
        assert_eq!(
            result,
            Err(DomainError::ForbiddenTransition {
                from: "removed",
                to: "active"
            })
        );
        assert_eq!(container, before);
    }

    #[test]
    fn an_archived_container_no_longer_changes() {
        let mut container = bin();
        container.archive(Utc::now()).unwrap();
        let result = container.apply(ContainerChanges::default(), Utc::now());
        assert_eq!(
            result,
            Err(DomainError::Archived {
                entity: "container"
            })
        );
        assert_eq!(
            container.archive(Utc::now()),
            Err(DomainError::Archived {
                entity: "container"
            })
        );
    }

    fn visit(fill_level: i64, emptied: bool) -> crate::Visit {
        crate::Visit::new(Utc::now(), fill_level, None, emptied, None, None).unwrap()
    }

    fn with_status(status: ContainerStatus) -> Container {
        Container { status, ..bin() }
    }

    #[test]
    fn a_visit_moves_the_status_with_a_new_version_and_the_given_time() {
        let now = Utc::now() + chrono::Duration::days(3);
        let before = with_status(ContainerStatus::Full);
        let (after, event) = before.after_visit(&visit(10, true), now).unwrap();
        assert_eq!(after.status, ContainerStatus::Active);
        assert_eq!((after.version, after.updated_at), (before.version + 1, now));
        assert_eq!(event, crate::DomainEvent::ContainerUpdated);
        assert!(before.after_visit(&visit(40, false), now).is_none());
    }

    #[test]
    fn a_visit_never_revives_a_removed_or_archived_container() {
        let removed = with_status(ContainerStatus::Removed);
        assert!(removed.after_visit(&visit(95, false), Utc::now()).is_none());
        assert!(removed.after_visit(&visit(10, true), Utc::now()).is_none());
        let mut archived = with_status(ContainerStatus::Full);
        archived.archive(Utc::now()).unwrap();
        assert!(archived.after_visit(&visit(10, true), Utc::now()).is_none());
    }

    #[test]
    fn only_an_active_container_is_reported_full() {
        let now = Utc::now() + chrono::Duration::hours(5);
        let (after, event) = bin().reported_full(now).unwrap();
        assert_eq!(
            (after.status, after.updated_at),
            (ContainerStatus::Full, now)
        );
        assert_eq!(event, crate::DomainEvent::ContainerUpdated);
        for status in [
            ContainerStatus::Full,
            ContainerStatus::Damaged,
            ContainerStatus::Maintenance,
            ContainerStatus::Removed,
        ] {
            assert!(
                with_status(status).reported_full(now).is_none(),
                "{status:?}"
            );
        }
        let mut archived = bin();
        archived.archive(now).unwrap();
        assert!(archived.reported_full(now).is_none());
    }

    #[test]
    fn capacity_is_bounded() {
        assert!(Capacity::litres(0).is_err());
        assert!(Capacity::litres(-5).is_err());
        assert!(Capacity::litres(100_001).is_err());
        assert_eq!(Capacity::litres(3000).map(Capacity::get), Ok(3000));
    }

    #[test]
    fn external_refs_are_single_short_lines() {
        assert!(ExternalRef::parse("A\nB").is_err());
        assert!(ExternalRef::parse(&"x".repeat(65)).is_err());
        assert_eq!(
            ExternalRef::parse(" LY-1 ").map(|r| r.as_str().to_owned()),
            Ok("LY-1".into())
        );
    }

    #[test]
    fn container_types_parse_by_name() {
        assert_eq!(ContainerType::parse("in_store"), Ok(ContainerType::InStore));
        assert!(ContainerType::parse("box").is_err_and(|e| e.field == "type"));
    }
}
