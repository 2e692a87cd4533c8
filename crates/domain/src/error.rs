//! Errors raised by the business rules.

use std::fmt;

/// One input that breaks a rule: which field, and why, in words a user can act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationError {
    pub field: String,
    pub reason: String,
}

impl ValidationError {
    pub fn new(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            reason: reason.into(),
        }
    }

    /// The same error, reported under `parent.field` (e.g. `location.latitude`).
    #[must_use]
    pub fn within(mut self, parent: &str) -> Self {
        self.field = format!("{parent}.{}", self.field);
        self
    }
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.reason)
    }
}

impl std::error::Error for ValidationError {}

/// A change the life cycle of an aggregate does not allow.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    #[error(transparent)]
    Invalid(#[from] ValidationError),
    /// The aggregate is archived: its history is kept, but it no longer changes.
    #[error("{entity} is archived and can no longer be changed")]
    Archived { entity: &'static str },
    #[error("status cannot change from {from} to {to}")]
    ForbiddenTransition {
        from: &'static str,
        to: &'static str,
    },
    /// The change does not fit the aggregate's current state.
    #[error("{0}")]
    Conflict(String),
    /// Only the user the aggregate is assigned to may do this (a tour's driver).
    #[error("this is assigned to someone else")]
    NotYours,
}
