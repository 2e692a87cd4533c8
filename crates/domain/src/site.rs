//! Sites: the organisational units (a city, a territory, a partner's premises).

use crate::{DomainError, Name, SiteId, ValidationError, Version};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Parses a short, URL-safe code: lower-case letters, digits and dashes, 1 to 32 characters.
pub(crate) fn parse_slug(field: &str, value: &str) -> Result<String, ValidationError> {
    let code = value.trim().to_ascii_lowercase();
    let well_formed = (1..=32).contains(&code.len())
        && code
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !code.starts_with('-');
    if well_formed {
        Ok(code)
    } else {
        Err(ValidationError::new(
            field,
            "must be 1 to 32 lower-case letters, digits or dashes, not starting with a dash",
        ))
    }
}

/// A site's short code, used to reference it in imports (e.g. `lyon`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SiteCode(String);

impl SiteCode {
    /// # Errors
    /// When the code is not a slug (see module docs).
    pub fn parse(value: &str) -> Result<Self, ValidationError> {
        parse_slug("code", value).map(Self)
    }

    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Site {
    pub id: SiteId,
    pub code: SiteCode,
    pub name: Name,
    pub archived_at: Option<DateTime<Utc>>,
    pub version: Version,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct NewSite {
    pub code: SiteCode,
    pub name: Name,
}

/// Fields to change; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct SiteChanges {
    pub code: Option<SiteCode>,
    pub name: Option<Name>,
}

impl Site {
    #[must_use]
    pub fn create(new: NewSite, now: DateTime<Utc>) -> Self {
        Self {
            id: SiteId::generate(),
            code: new.code,
            name: new.name,
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
    /// [`DomainError::Archived`] when the site is archived.
    pub fn apply(&mut self, changes: SiteChanges, now: DateTime<Utc>) -> Result<(), DomainError> {
        self.ensure_live()?;
        if let Some(code) = changes.code {
            self.code = code;
        }
        if let Some(name) = changes.name {
            self.name = name;
        }
        self.touch(now);
        Ok(())
    }

    /// Archives the site: it disappears from lists but its history stays.
    ///
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
            Err(DomainError::Archived { entity: "site" })
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

    pub(crate) fn lyon() -> Site {
        let new = NewSite {
            code: SiteCode::parse("lyon").unwrap(),
            name: Name::parse("Lyon").unwrap(),
        };
        Site::create(new, Utc::now())
    }

    #[test]
    fn site_codes_are_slugs() {
        assert_eq!(
            SiteCode::parse(" Lyon-3 ").map(|c| c.as_str().to_owned()),
            Ok("lyon-3".into())
        );
        assert!(SiteCode::parse("-lyon").is_err());
        assert!(SiteCode::parse("lyon centre").is_err());
        assert!(SiteCode::parse("").is_err());
        assert!(SiteCode::parse(&"a".repeat(33)).is_err());
    }

    #[test]
    fn a_change_bumps_the_version() {
        let mut site = lyon();
        let changes = SiteChanges {
            name: Some(Name::parse("Grand Lyon").unwrap()),
            ..SiteChanges::default()
        };
        site.apply(changes, Utc::now()).unwrap();
        assert_eq!((site.version, site.name.as_str()), (2, "Grand Lyon"));
    }

    #[test]
    fn an_archived_site_no_longer_changes() {
        let mut site = lyon();
        site.archive(Utc::now()).unwrap();
        assert!(site.is_archived());
        assert_eq!(
            site.apply(SiteChanges::default(), Utc::now()),
            Err(DomainError::Archived { entity: "site" })
        );
        assert_eq!(
            site.archive(Utc::now()),
            Err(DomainError::Archived { entity: "site" })
        );
    }
}
