//! Public reports about a container: what may be reported, how a report is written, and
//! its life cycle new → acknowledged → in progress → resolved | rejected.

use crate::{DomainError, ValidationError};
use serde::{Deserialize, Serialize};

/// What is wrong with a container, as the public sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportCategory {
    Full,
    Damaged,
    Dirty,
    Missing,
    Vandalism,
    Other,
}

impl ReportCategory {
    pub const ALL: [Self; 6] = [
        Self::Full,
        Self::Damaged,
        Self::Dirty,
        Self::Missing,
        Self::Vandalism,
        Self::Other,
    ];

    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Full => "full",
            Self::Damaged => "damaged",
            Self::Dirty => "dirty",
            Self::Missing => "missing",
            Self::Vandalism => "vandalism",
            Self::Other => "other",
        }
    }

    /// The words shown to the public.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Self::Full => "Full",
            Self::Damaged => "Damaged",
            Self::Dirty => "Dirty / litter around",
            Self::Missing => "Missing",
            Self::Vandalism => "Fire / vandalism",
            Self::Other => "Other",
        }
    }

    /// # Errors
    /// When `value` is not a category's name.
    pub fn parse(value: &str) -> Result<Self, ValidationError> {
        Self::ALL
            .into_iter()
            .find(|c| c.as_str() == value)
            .ok_or_else(|| {
                ValidationError::new(
                    "category",
                    format!("unknown category '{value}'; expected one of full, damaged, dirty, missing, vandalism, other"),
                )
            })
    }
}

/// Where a report stands. Resolved and rejected are final.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportStatus {
    New,
    Acknowledged,
    InProgress,
    Resolved,
    Rejected,
}

impl ReportStatus {
    pub const ALL: [Self; 5] = [
        Self::New,
        Self::Acknowledged,
        Self::InProgress,
        Self::Resolved,
        Self::Rejected,
    ];

    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::New => "new",
            Self::Acknowledged => "acknowledged",
            Self::InProgress => "in_progress",
            Self::Resolved => "resolved",
            Self::Rejected => "rejected",
        }
    }

    /// # Errors
    /// When `value` is not a status's name.
    pub fn parse(value: &str) -> Result<Self, ValidationError> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == value)
            .ok_or_else(|| {
                ValidationError::new(
                    "status",
                    format!("unknown status '{value}'; expected one of new, acknowledged, in_progress, resolved, rejected"),
                )
            })
    }

    /// The words the public reads.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Self::New => "Received",
            Self::Acknowledged => "Acknowledged",
            Self::InProgress => "Being handled",
            Self::Resolved => "Resolved",
            Self::Rejected => "Closed without action",
        }
    }

    /// Still open: duplicates merge into it.
    #[must_use]
    pub fn is_open(self) -> bool {
        !matches!(self, Self::Resolved | Self::Rejected)
    }

    /// Whether a report in this status may move to `next`:
    /// new → acknowledged, in progress, resolved, rejected; acknowledged → in progress,
    /// resolved, rejected; in progress → resolved, rejected; resolved and rejected are final.
    #[must_use]
    pub fn can_become(self, next: Self) -> bool {
        use ReportStatus::{Acknowledged, InProgress, New, Rejected, Resolved};
        matches!(
            (self, next),
            (New, Acknowledged | InProgress | Resolved | Rejected)
                | (Acknowledged, InProgress | Resolved | Rejected)
                | (InProgress, Resolved | Rejected)
        )
    }

    /// Checks a move by staff; a rejection needs a reason.
    ///
    /// # Errors
    /// `ForbiddenTransition` for a move the life cycle refuses, `Invalid` for a rejection
    /// without a reason.
    pub fn transition(self, next: Self, comment: Option<&str>) -> Result<Self, DomainError> {
        if !self.can_become(next) {
            return Err(DomainError::ForbiddenTransition {
                from: self.as_str(),
                to: next.as_str(),
            });
        }
        if next == Self::Rejected && comment.is_none_or(|c| c.trim().is_empty()) {
            return Err(ValidationError::new("comment", "a rejection needs a reason").into());
        }
        Ok(next)
    }
}

/// Longest description the public may write.
pub const MAX_DESCRIPTION_CHARS: usize = 1_000;
/// Longest staff comment.
pub const MAX_COMMENT_CHARS: usize = 2_000;

/// A report as the public writes it, checked. The description is plain text: markup is
/// kept as typed and escaped wherever it is shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewReport {
    pub category: ReportCategory,
    pub description: Option<String>,
    pub email: Option<String>,
    /// The language of the page it was sent from: the reporter's e-mails use it.
    pub locale: Option<crate::Locale>,
}

impl NewReport {
    /// # Errors
    /// An unknown category, a description too long or with control characters, an e-mail
    /// address that isn't one.
    pub fn parse(
        category: &str,
        description: Option<&str>,
        email: Option<&str>,
    ) -> Result<Self, ValidationError> {
        let category = ReportCategory::parse(category.trim())?;
        let description = match description.map(str::trim).filter(|d| !d.is_empty()) {
            None => None,
            Some(text) => Some(plain_text("description", text, MAX_DESCRIPTION_CHARS)?),
        };
        let email = match email.map(str::trim).filter(|e| !e.is_empty()) {
            None => None,
            Some(address) => Some(email_address(address)?),
        };
        Ok(Self {
            category,
            description,
            email,
            locale: None,
        })
    }
}

/// A staff comment, checked like a description.
///
/// # Errors
/// When it is blank, too long or holds control characters.
pub fn report_comment(text: &str) -> Result<String, ValidationError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(ValidationError::new("comment", "must not be blank"));
    }
    plain_text("comment", text, MAX_COMMENT_CHARS)
}

fn plain_text(field: &str, text: &str, max: usize) -> Result<String, ValidationError> {
    if text.chars().count() > max {
        return Err(ValidationError::new(
            field,
            format!("must be at most {max} characters"),
        ));
    }
    if text
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        return Err(ValidationError::new(
            field,
            "must not contain control characters",
        ));
    }
    Ok(text.replace("\r\n", "\n"))
}

/// One address, by the same rule as staff accounts' (lower-cased).
fn email_address(address: &str) -> Result<String, ValidationError> {
    crate::Email::parse(address).map(|email| email.as_str().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn categories_and_statuses_round_trip() {
        for c in ReportCategory::ALL {
            assert_eq!(ReportCategory::parse(c.as_str()), Ok(c));
        }
        for s in ReportStatus::ALL {
            assert_eq!(ReportStatus::parse(s.as_str()), Ok(s));
        }
        assert_eq!(ReportCategory::parse("x").unwrap_err().field, "category");
    }

    #[test]
    fn life_cycle() {
        use ReportStatus::*;
        assert!(New.can_become(Acknowledged));
        assert!(Acknowledged.can_become(InProgress));
        assert!(InProgress.can_become(Resolved));
        assert!(!Resolved.can_become(New));
        assert!(!Rejected.can_become(Acknowledged));
        assert!(!InProgress.can_become(Acknowledged));
        assert!(!New.can_become(New));
        assert!(New.transition(Rejected, None).is_err());
        assert_eq!(New.transition(Rejected, Some("spam")), Ok(Rejected));
        assert!(matches!(
            Resolved.transition(Acknowledged, None),
            Err(DomainError::ForbiddenTransition { .. })
        ));
        assert!(New.is_open() && InProgress.is_open() && !Resolved.is_open());
    }

    #[test]
    fn a_report_is_checked_and_markup_kept_as_text() {
        let r = NewReport::parse("full", Some("  <b>overflowing</b> "), Some("a@b.org")).unwrap();
        assert_eq!(r.category, ReportCategory::Full);
        assert_eq!(r.description.as_deref(), Some("<b>overflowing</b>"));
        assert_eq!(r.email.as_deref(), Some("a@b.org"));
        let blank = NewReport::parse("dirty", Some("  "), Some("")).unwrap();
        assert_eq!((blank.description, blank.email), (None, None));
        let long = "x".repeat(MAX_DESCRIPTION_CHARS + 1);
        assert_eq!(
            NewReport::parse("full", Some(&long), None)
                .unwrap_err()
                .field,
            "description"
        );
        assert_eq!(
            NewReport::parse("full", None, Some("nope"))
                .unwrap_err()
                .field,
            "email"
        );
        assert_eq!(
            NewReport::parse("full", Some("a\u{7}b"), None)
                .unwrap_err()
                .field,
            "description"
        );
        assert!(report_comment(" ").is_err());
    }
}
