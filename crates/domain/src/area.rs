//! Areas: zones within a site (a district), optionally with a boundary polygon.

use crate::site::parse_slug;
use crate::{AreaId, DomainError, MultiPolygon, Name, SiteId, ValidationError, Version};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// An area's code, unique within its site (e.g. `lyon-3e`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AreaCode(String);

impl AreaCode {
    /// # Errors
    /// When the code is not 1 to 32 lower-case letters, digits or dashes.
    pub fn parse(value: &str) -> Result<Self, ValidationError> {
        parse_slug("code", value).map(Self)
    }

    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Area {
    pub id: AreaId,
    pub site_id: SiteId,
    pub code: AreaCode,
    pub name: Name,
    pub boundary: Option<MultiPolygon>,
    pub archived_at: Option<DateTime<Utc>>,
    pub version: Version,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct NewArea {
    pub site_id: SiteId,
    pub code: AreaCode,
    pub name: Name,
    pub boundary: Option<MultiPolygon>,
}

/// Fields to change; `None` leaves a field as it is, `Some(None)` clears an optional one.
#[derive(Debug, Clone, Default)]
pub struct AreaChanges {
    pub code: Option<AreaCode>,
    pub name: Option<Name>,
    pub boundary: Option<Option<MultiPolygon>>,
}

impl Area {
    #[must_use]
    pub fn create(new: NewArea, now: DateTime<Utc>) -> Self {
        Self {
            id: AreaId::generate(),
            site_id: new.site_id,
            code: new.code,
            name: new.name,
            boundary: new.boundary,
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

    /// # Errors
    /// [`DomainError::Archived`] when the area is archived.
    pub fn apply(&mut self, changes: AreaChanges, now: DateTime<Utc>) -> Result<(), DomainError> {
        self.ensure_live()?;
        if let Some(code) = changes.code {
            self.code = code;
        }
        if let Some(name) = changes.name {
            self.name = name;
        }
        if let Some(boundary) = changes.boundary {
            self.boundary = boundary;
        }
        self.touch(now);
        Ok(())
    }

    /// # Errors
    /// [`DomainError::Archived`] when it already is.
    pub fn archive(&mut self, now: DateTime<Utc>) -> Result<(), DomainError> {
        self.ensure_live()?;
        self.archived_at = Some(now);
        self.touch(now);
        Ok(())
    }

    fn ensure_live(&self) -> Result<(), DomainError> {
        if self.is_archived() {
            Err(DomainError::Archived { entity: "area" })
        } else {
            Ok(())
        }
    }

    fn touch(&mut self, now: DateTime<Utc>) {
        self.version += 1;
        self.updated_at = now;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn district() -> Area {
        let new = NewArea {
            site_id: SiteId::generate(),
            code: AreaCode::parse("lyon-3e").unwrap(),
            name: Name::parse("Lyon 3e").unwrap(),
            boundary: None,
        };
        Area::create(new, Utc::now())
    }

    #[test]
    fn a_boundary_can_be_set_and_cleared() {
        let mut area = district();
        let square = vec![vec![[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 0.0]]];
        let boundary = MultiPolygon::from_polygon_coordinates("boundary", &square).unwrap();
        let set = AreaChanges {
            boundary: Some(Some(boundary)),
            ..AreaChanges::default()
        };
        area.apply(set, Utc::now()).unwrap();
        assert!(area.boundary.is_some());
        let clear = AreaChanges {
            boundary: Some(None),
            ..AreaChanges::default()
        };
        area.apply(clear, Utc::now()).unwrap();
        assert_eq!((area.boundary.is_none(), area.version), (true, 3));
    }

    #[test]
    fn an_archived_area_no_longer_changes() {
        let mut area = district();
        area.archive(Utc::now()).unwrap();
        assert_eq!(
            area.apply(AreaChanges::default(), Utc::now()),
            Err(DomainError::Archived { entity: "area" })
        );
    }
}
